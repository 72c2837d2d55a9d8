/**
 * The TUI's `:` SQL prompt end to end: the real `dwell tui` in a detached tmux session. `view` is
 * the view on screen (a filter typed in the TUI narrows it), every table is there, evidence text
 * in a result is escaped, a write is refused with the case unchanged, Esc cancels a running query
 * and then closes the prompt, the browsing goes on where it was, and Ctrl-C quits even mid-query.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { BIN, dwell, tempDir } from '../helpers/cli.js';
import { fileState } from '../case-tools/helpers.js';

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAS_TMUX) console.warn('skipped: the TUI end-to-end test needs tmux (apt-get install tmux)');

const SOCKET = `dwell-tui-sql-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'tui', ...k);
const text = (t: string) => tmux('send-keys', '-t', 'tui', '-l', t);

async function waitScreen(pred: (s: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const s = screen();
    if (pred(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`screen never showed ${what}; it shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const AUTH_LOG = [
  'Jan  2 01:00:00 web-01 sshd[100]: Accepted publickey for alice from 192.0.2.10 port 50110 ssh2: RSA SHA256:abc',
  'Jan  2 02:14:20 web-01 sshd[21220]: Failed password for deploy from 203.0.113.77 port 39160 ssh2',
  'Jan  2 02:16:40 web-01 sshd[21231]: Accepted password for deploy from 203.0.113.77 port 39188 ssh2',
  'Jan  2 02:17:05 web-01 sudo:   deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/cat /etc/shadow',
  'Jan  2 02:18:00 web-01 sshd[21300]: Invalid user \x1b]0;pwned\x07\x1b[2Jevil from 198.51.100.9 port 4242',
  'Jan  2 03:00:00 web-01 sshd[100]: pam_unix(sshd:session): session closed for user alice',
  '',
].join('\n');

describe.skipIf(!HAS_TMUX)('dwell tui: the : SQL prompt', () => {
  const tmp = tempDir('dwell-tui-sql-');
  const casePath = join(tmp.path, 'case.duckdb');
  // Not beside the evidence (auth.log is in tmp): the history is never written inside it.
  const home = tempDir('dwell-tui-sql-home-');
  const history = join(home.path, 'history');

  beforeAll(async () => {
    writeFileSync(join(tmp.path, 'auth.log'), AUTH_LOG);
    const res = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, join(tmp.path, 'auth.log')]);
    expect(res.code, res.stderr).toBe(0);
    tmux(
      'new-session', '-d', '-s', 'tui', '-x', '160', '-y', '30',
      `env -u CI NO_COLOR=1 DWELL_HISTORY='${history}' '${process.execPath}' '${BIN}' tui --case '${casePath}' --author e2e; echo DWELL-EXIT=$?; sleep 60`,
    );
    tmux('set-option', '-t', 'tui', 'remain-on-exit', 'on');
  });

  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    tmp.cleanup();
    home.cleanup();
  });

  it('runs SQL over the view on screen, escaped, read-only; Esc cancels, then closes', async () => {
    await waitScreen((x) => x.includes('[ALL EVENTS]') && /row 1 of 6/.test(x), 'the first page');
    const before = fileState(casePath);

    // The view on screen: only the attacker's address.
    keys('f');
    text('ip=203.0.113.77');
    keys('Enter');
    await waitScreen((x) => /row 1 of 2/.test(x), 'the filtered view');

    keys(':');
    let s = await waitScreen((x) => x.includes('sql>') && x.includes('SQL over the view on screen'), 'the SQL prompt');
    text("SELECT count(*) AS in_view, (SELECT count(*) FROM events) AS in_case, min(src_ip) AS ip FROM view");
    keys('Enter');
    s = await waitScreen((x) => /in_view\s+in_case\s+ip/.test(x) && /\(1 row\)/.test(x), 'the result');
    expect(s).toMatch(/^\s*2\s+6\s+203\.0\.113\.77\s*$/m);

    // Evidence text in a result is shown escaped; the terminal's title is untouched.
    text("SELECT raw FROM events WHERE raw LIKE '%evil%'");
    keys('Enter');
    s = await waitScreen((x) => x.includes('evil from 198.51.100.9') && /\(1 row\)/.test(x), 'the hostile line');
    expect(s).toContain('Invalid user \\x1b]0;pwned\\x07\\x1b[2Jevil');
    expect(tmux('display', '-p', '-t', 'tui', '#{pane_title}')).not.toContain('pwned');

    // A write is refused in words.
    text('DELETE FROM events');
    keys('Enter');
    s = await waitScreen((x) => x.includes('the case is read-only here: DELETE is not run'), 'the refusal');

    // ↑ brings back the previous statement.
    keys('Up');
    await waitScreen((x) => /sql> DELETE FROM events/.test(x), 'the history');
    keys('C-u');

    // A long query: Esc cancels it (the prompt stays), a second Esc closes the prompt.
    text('SELECT sum(hash(i)) FROM range(100000000000) t(i)');
    keys('Enter');
    await waitScreen((x) => x.includes('running… (Esc cancels)'), 'the query running');
    keys('Escape');
    s = await waitScreen((x) => x.includes('query cancelled'), 'the cancel', 20_000);
    expect(s).toContain('sql>');
    keys('Escape');
    s = await waitScreen((x) => x.includes('TIME (UTC)') && /row 1 of 2/.test(x) && !x.includes('sql>'), 'the timeline again, still filtered');

    // Ctrl-C quits the TUI as anywhere else, even with a query running in the prompt.
    keys(':');
    await waitScreen((x) => x.includes('sql>'), 'the prompt again');
    text('SELECT sum(hash(i)) FROM range(100000000000) t(i)');
    keys('Enter');
    await waitScreen((x) => x.includes('running… (Esc cancels)'), 'the query running');
    keys('C-c');
    await waitScreen((x) => /DWELL-EXIT=\d+/.test(x), 'the shell after Ctrl-C', 20_000);
    expect(tmux('display', '-p', '-t', 'tui', '#{alternate_on}').trim()).toBe('0');
    expect(fileState(casePath)).toEqual(before);
    // The history is dwell sql's (DWELL_HISTORY), whole statements, newest last.
    expect(readFileSync(history, 'utf8').trim().split('\n')).toEqual([
      'SELECT count(*) AS in_view, (SELECT count(*) FROM events) AS in_case, min(src_ip) AS ip FROM view',
      "SELECT raw FROM events WHERE raw LIKE '%evil%'",
      'DELETE FROM events',
      'SELECT sum(hash(i)) FROM range(100000000000) t(i)',
    ]);
    expect(await query<{ n: number }>(casePath, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 6 }]);
  });
});
