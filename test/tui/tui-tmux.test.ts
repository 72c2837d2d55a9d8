/**
 * End to end: the real `dwell tui` (built CLI) in a detached tmux session of fixed size, on a case
 * ingested from a synthetic auth log whose attacker-controlled text carries terminal escape
 * sequences. Keys are sent with send-keys, the screen is read with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { BIN, dwell, tempDir } from '../helpers/cli.js';

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAS_TMUX) console.warn('skipped: the TUI end-to-end test needs tmux (apt-get install tmux)');

const SOCKET = `dwell-tui-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'tui');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'tui', ...k);
const text = (t: string) => tmux('send-keys', '-t', 'tui', '-l', t);

async function waitScreen(pred: (s: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
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

describe.skipIf(!HAS_TMUX)('dwell tui under tmux', () => {
  const tmp = tempDir('dwell-tui-e2e-');
  const casePath = join(tmp.path, 'case.duckdb');

  beforeAll(async () => {
    writeFileSync(join(tmp.path, 'auth.log'), AUTH_LOG);
    const res = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, join(tmp.path, 'auth.log')]);
    expect(res.code, res.stderr).toBe(0);
    // A private tmux server with a fixed-size window; CI unset so Ink draws as on any terminal.
    tmux(
      'new-session', '-d', '-s', 'tui', '-x', '160', '-y', '30',
      `env -u CI NO_COLOR=1 '${process.execPath}' '${BIN}' tui --case '${casePath}' --author e2e; echo DWELL-EXIT=$?; sleep 60`,
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
  });

  it('browses, searches, pivots, shows escaped evidence and provenance, marks, and restores the terminal on q', async () => {
    let s = await waitScreen((x) => x.includes('[ALL EVENTS]') && /row 1 of 6/.test(x), 'the first page');
    expect(s).toMatch(/dwell · case\.duckdb · 6 events · 1 files · auth_log/);
    expect(tmux('display', '-p', '-t', 'tui', '#{alternate_on}').trim()).toBe('1');

    // Attacker text is shown escaped in the list, and the escapes did nothing: the title is not "pwned".
    expect(s).toContain('\\x1b]0;pwned\\x07\\x1b[2Jevil');
    expect(tmux('display', '-p', '-t', 'tui', '#{pane_title}')).not.toContain('pwned');
    // NO_COLOR: no colour codes at all on screen.
    expect(screen(true)).not.toMatch(/\x1b\[(3[0-7]|4[0-7]|9[0-7]|38|48)[;m]/);

    keys('j', 'G');
    await waitScreen((x) => /row 6 of 6/.test(x), 'the last row after G');
    keys('g');
    await waitScreen((x) => /row 1 of 6/.test(x), 'the first row after g');

    keys('/');
    text('accepted password');
    keys('Enter');
    s = await waitScreen((x) => /search "accepted password"/.test(x) && /row 3 of 6/.test(x), 'the first match selected');

    keys('p');
    s = await waitScreen((x) => x.includes('Pivot: everything involving'), 'the pivot menu');
    expect(s).toMatch(/1 ip\s+203\.0\.113\.77/);
    keys('1');
    s = await waitScreen((x) => x.includes('[PIVOT]') && /row 2 of 2/.test(x), 'the pivot on the address');
    expect(s).toContain('filter: ip=203.0.113.77');
    expect(s).not.toContain('alice');
    keys('Escape');
    await waitScreen((x) => x.includes('[ALL EVENTS]') && /row 3 of 6/.test(x), 'back where the pivot started');

    keys('/');
    text('evil');
    keys('Enter');
    await waitScreen((x) => /row 5 of 6/.test(x), 'the evil line');
    keys('Enter');
    s = await waitScreen((x) => x.includes('provenance') && /verify {3}OK/.test(x) && /bytes {4}MATCH/.test(x), 'the detail, verified');
    expect(s).toContain('Invalid user \\x1b]0;pwned\\x07\\x1b[2Jevil from 198.51.100.9');
    expect(s).toMatch(/file {5}.*auth\.log {2}\(evidence #1, auth_log, none\)/);
    expect(s).toMatch(/line {5}5 {3}byte offset \d+ {3}length \d+/);
    expect(tmux('display', '-p', '-t', 'tui', '#{pane_title}')).not.toContain('pwned');

    keys('m');
    await waitScreen((x) => x.includes('● mark  e2e'), 'the mark in the detail');
    keys('q');
    await waitScreen((x) => x.includes('TIME (UTC)') && /● 2026-01-02 02:18:00/.test(x), 'the list with the mark');

    // Resize-aware: a smaller window gets a smaller page and no line wider than the window.
    tmux('resize-window', '-t', 'tui', '-x', '100', '-y', '20');
    s = await waitScreen((x) => x.split('\n').length <= 21 && x.includes('TIME (UTC)') && /j\/k/.test(x), 'the frame redrawn at 100×20');
    expect(Math.max(...s.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(s.split('\n').filter((l) => /^.{2}\d{4}-\d\d-\d\d /.test(l)).length).toBe(6);

    keys('q');
    s = await waitScreen((x) => x.includes('DWELL-EXIT=0'), 'the shell after q');
    expect(s).not.toContain('TIME (UTC)');
    expect(tmux('display', '-p', '-t', 'tui', '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display', '-p', '-t', 'tui', '#{cursor_flag}').trim()).toBe('1');

    const marks = await query<{ kind: string; author: string; line: number }>(
      casePath,
      'SELECT a.kind, a.author, e.line FROM annotations a JOIN events e USING (event_id)',
    );
    expect(marks).toEqual([{ kind: 'mark', author: 'e2e', line: 5 }]);
  });
});
