/**
 * The TUI's `:` SQL prompt end to end: the real `dwell tui` in a detached tmux session. `view` is
 * the view on screen (a filter typed in the TUI narrows it), every table is there, evidence text
 * in a result is escaped, a write is refused with the case unchanged, Esc cancels a running query
 * and then closes the prompt, the browsing goes on where it was, and Ctrl-C quits even mid-query.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { HAS_TMUX, startTuiInTmux, type TmuxTui } from '../helpers/tmux-tui.js';
import { fileState } from '../case-tools/helpers.js';

describe.skipIf(!HAS_TMUX)('dwell tui: the : SQL prompt', () => {
  const tmp = tempDir('dwell-tui-sql-');
  // Not beside the evidence (auth.log is in tmp): the history is never written inside it.
  const home = tempDir('dwell-tui-sql-home-');
  const history = join(home.path, 'history');
  let tui: TmuxTui;

  beforeAll(async () => {
    tui = await startTuiInTmux({ socket: `dwell-tui-sql-test-${process.pid}`, dir: tmp.path, env: { DWELL_HISTORY: history }, waitMs: 30_000 });
  });

  afterAll(() => {
    tui?.stop();
    tmp.cleanup();
    home.cleanup();
  });

  it('runs SQL over the view on screen, escaped, read-only; Esc cancels, then closes', async () => {
    const { tmux, keys, text, waitScreen, casePath } = tui;
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
