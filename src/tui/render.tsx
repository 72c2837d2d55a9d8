/**
 * Renders the TUI with Ink on the alternate screen until the user quits; gives the terminal back
 * as it was (main screen, cursor visible; Ink turns raw mode off on unmount) on every way out:
 * q, Ctrl-C, SIGINT/SIGTERM/SIGHUP, or a crash.
 */
import { render } from 'ink';
import { exitBySignal } from '../cli/interrupt.js';
import { App } from './components/App.js';
import type { TimelineSource } from './data/source.js';
import type { ViewQuery } from './state/filters.js';
import { themeFor } from './themes/theme.js';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l\x1b[?25h';

/**
 * Renders until the TUI ends; returns null when the analyst quit (q, the Ctrl-C key), else the
 * signal that ended it — SIGHUP too when the terminal went away unannounced (reading it ends or
 * fails with EIO, writing fails with EIO/EPIPE).
 */
export async function renderTui(source: TimelineSource, author: string, initialQuery: ViewQuery): Promise<NodeJS.Signals | null> {
  let ended: NodeJS.Signals | null = null;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    // A terminal that hung up is not there to restore (and the write would fail).
    if (ended !== 'SIGHUP') process.stdout.write(LEAVE_ALT);
  };
  // Last resort for exits Ink does not see (uncaught errors): the terminal must come back.
  process.on('exit', restore);
  process.stdout.write(ENTER_ALT);
  const instance = render(<App source={source} author={author} theme={themeFor()} initialQuery={initialQuery} />, {
    exitOnCtrlC: true,
    patchConsole: true,
    maxFps: 60,
  });
  const stopBy = (sig: NodeJS.Signals) => () => {
    if (ended === null) {
      ended = sig;
      instance.unmount();
    } else if (sig !== 'SIGHUP') exitBySignal(sig);
  };
  // Ctrl-C arrives as a key in raw mode (Ink handles it); these come from outside (kill, a closed
  // terminal). After the first, the handlers stay while run.ts stops the queries and saves waiting
  // annotations: a hang-up comes more than once as the terminal's processes end (ignored: that
  // first stop is bounded), a second SIGINT or SIGTERM means now, as for ingest.
  const onSignal = { SIGINT: stopBy('SIGINT'), SIGTERM: stopBy('SIGTERM'), SIGHUP: stopBy('SIGHUP') };
  for (const [sig, fn] of Object.entries(onSignal)) process.on(sig, fn);
  // A terminal gone without a SIGHUP reaching dwell (it is not the terminal's foreground process):
  // its input ends or fails. Stays attached after the TUI: an unhandled write error on a dead
  // terminal would throw, and a crash exits through Node's exit, which can hang (interrupt.ts).
  const hangup = stopBy('SIGHUP');
  process.stdin.on('end', hangup);
  process.stdin.on('error', hangup);
  process.stdout.on('error', hangup);
  try {
    await instance.waitUntilExit();
  } finally {
    if (ended === null) for (const [sig, fn] of Object.entries(onSignal)) process.off(sig, fn);
    process.stdin.off('end', hangup);
    restore();
  }
  return ended;
}
