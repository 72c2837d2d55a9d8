/**
 * The start-up the TUI end-to-end tests share (test/tui/*-tmux.test.ts): a small auth log whose
 * attacker-controlled text carries terminal escape sequences, ingested by the real CLI, and the
 * real `dwell tui` on it in a detached tmux session of fixed size on a private server. Keys are
 * sent with send-keys, the screen is read with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BIN, dwell } from './cli.js';

export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAS_TMUX) console.warn('skipped: the TUI end-to-end tests need tmux (apt-get install tmux)');

/** Six lines on web-01; line 5's user name sets the window title and clears the screen if printed raw. */
export const AUTH_LOG = [
  'Jan  2 01:00:00 web-01 sshd[100]: Accepted publickey for alice from 192.0.2.10 port 50110 ssh2: RSA SHA256:abc',
  'Jan  2 02:14:20 web-01 sshd[21220]: Failed password for deploy from 203.0.113.77 port 39160 ssh2',
  'Jan  2 02:16:40 web-01 sshd[21231]: Accepted password for deploy from 203.0.113.77 port 39188 ssh2',
  'Jan  2 02:17:05 web-01 sudo:   deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/cat /etc/shadow',
  'Jan  2 02:18:00 web-01 sshd[21300]: Invalid user \x1b]0;pwned\x07\x1b[2Jevil from 198.51.100.9 port 4242',
  'Jan  2 03:00:00 web-01 sshd[100]: pam_unix(sshd:session): session closed for user alice',
  '',
].join('\n');

export interface TmuxTui {
  casePath: string;
  tmux: (...args: string[]) => string;
  /** The pane's text; with escapes, its SGR codes too. */
  screen: (escapes?: boolean) => string;
  keys: (...k: string[]) => string;
  /** Typed literally (no key names). */
  text: (t: string) => string;
  /** Polls the screen until pred holds; throws with what the screen shows after timeoutMs. */
  waitScreen: (pred: (s: string) => boolean, what: string, timeoutMs?: number) => Promise<string>;
  /** Stops the private tmux server (and with it the TUI). */
  stop: () => void;
}

/**
 * Writes AUTH_LOG to dir/auth.log, ingests it into dir/case.duckdb, and starts the TUI on it in a
 * 160×30 window under the tmux server `socket`. When the TUI exits the pane shows DWELL-EXIT=code
 * and stays. env: extra variables for the TUI (CI is unset so Ink draws as on any terminal).
 */
export async function startTuiInTmux(opts: { socket: string; dir: string; env?: Record<string, string>; waitMs: number }): Promise<TmuxTui> {
  const casePath = join(opts.dir, 'case.duckdb');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', opts.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'tui');
  const waitScreen = async (pred: (s: string) => boolean, what: string, timeoutMs = opts.waitMs): Promise<string> => {
    const start = Date.now();
    for (;;) {
      const s = screen();
      if (pred(s)) return s;
      if (Date.now() - start > timeoutMs) throw new Error(`screen never showed ${what}; it shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  writeFileSync(join(opts.dir, 'auth.log'), AUTH_LOG);
  const res = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, join(opts.dir, 'auth.log')]);
  expect(res.code, res.stderr).toBe(0);
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}='${v}' `).join('');
  tmux(
    'new-session', '-d', '-s', 'tui', '-x', '160', '-y', '30',
    `env -u CI NO_COLOR=1 ${env}'${process.execPath}' '${BIN}' tui --case '${casePath}' --author e2e; echo DWELL-EXIT=$?; sleep 60`,
  );
  tmux('set-option', '-t', 'tui', 'remain-on-exit', 'on');
  return {
    casePath,
    tmux,
    screen,
    keys: (...k) => tmux('send-keys', '-t', 'tui', ...k),
    text: (t) => tmux('send-keys', '-t', 'tui', '-l', t),
    waitScreen,
    stop: () => {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
    },
  };
}
