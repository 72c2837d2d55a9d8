/**
 * Renders the TUI with Ink on the alternate screen until the user quits; gives the terminal back
 * as it was (main screen, cursor visible; Ink turns raw mode off on unmount) on every way out:
 * q, Ctrl-C, SIGINT/SIGTERM/SIGHUP, or a crash.
 */
import { render } from 'ink';
import { App } from './components/App.js';
import type { TimelineSource } from './data/source.js';
import type { ViewQuery } from './state/filters.js';
import { themeFor } from './themes/theme.js';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l\x1b[?25h';

export async function renderTui(source: TimelineSource, author: string, initialQuery: ViewQuery): Promise<void> {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write(LEAVE_ALT);
  };
  // Last resort for exits Ink does not see (uncaught errors): the terminal must come back.
  process.on('exit', restore);
  process.stdout.write(ENTER_ALT);
  const instance = render(<App source={source} author={author} theme={themeFor()} initialQuery={initialQuery} />, {
    exitOnCtrlC: true,
    patchConsole: true,
    maxFps: 60,
  });
  const stop = () => instance.unmount();
  // Ctrl-C arrives as a key in raw mode (Ink handles it); these come from outside (kill, a closed terminal).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    restore();
  }
}
