/**
 * End to end: the real `dwell tui` (built CLI) in a detached tmux session of fixed size, on a case
 * ingested from a synthetic auth log whose attacker-controlled text carries terminal escape
 * sequences. Keys are sent with send-keys, the screen is read with capture-pane.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { HAS_TMUX, startTuiInTmux, type TmuxTui } from '../helpers/tmux-tui.js';

describe.skipIf(!HAS_TMUX)('dwell tui under tmux', () => {
  const tmp = tempDir('dwell-tui-e2e-');
  let tui: TmuxTui;

  beforeAll(async () => {
    tui = await startTuiInTmux({ socket: `dwell-tui-test-${process.pid}`, dir: tmp.path, waitMs: 15_000 });
  });

  afterAll(() => {
    tui?.stop();
    tmp.cleanup();
  });

  it('browses, searches, pivots, shows escaped evidence and provenance, marks, and restores the terminal on q', async () => {
    const { tmux, screen, keys, text, waitScreen, casePath } = tui;
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
