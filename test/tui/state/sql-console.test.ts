/**
 * The `:` prompt's keys (src/tui/state/sql-console.ts) and how the view reducer opens and leaves it:
 * Enter runs the line and keeps it in the history, ↑↓ walk the history and give back the draft,
 * Esc cancels a running query and only then closes, a paste with a line break runs what came before
 * it, keys typed while a query runs are not lost into a second query.
 */
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { consoleDone, consoleKey, initialConsole, type SqlConsoleState } from '../../../src/tui/state/sql-console.js';
import { initialState, viewReducer, type ViewState } from '../../../src/tui/state/view-reducer.js';

const NONE = {} as Key;
const K = (k: Partial<Key>) => k as Key;

/** Types each string (a read of the terminal) in turn; returns the state and the commands. */
function type(s: SqlConsoleState, ...reads: (string | Partial<Key>)[]) {
  const commands = [];
  for (const r of reads) {
    const res = typeof r === 'string' ? consoleKey(s, r, NONE, 10) : consoleKey(s, '', K(r), 10);
    s = res.state;
    if (res.command) commands.push(res.command);
  }
  return { s, commands };
}

describe('the : prompt', () => {
  it('Enter runs the line, which joins the history (once); an empty line runs nothing', () => {
    let { s, commands } = type(initialConsole(['SELECT 1']), 'SELECT count(*) ', 'FROM view', { return: true });
    expect(commands).toEqual([{ kind: 'run', sql: 'SELECT count(*) FROM view' }]);
    expect(s).toMatchObject({ text: '', running: true, history: ['SELECT 1', 'SELECT count(*) FROM view'] });
    s = consoleDone(s, { lines: ['n', '1', '(1 row)'] });
    ({ s, commands } = type(s, 'SELECT count(*) FROM view', { return: true }));
    expect(s.history).toEqual(['SELECT 1', 'SELECT count(*) FROM view']);
    s = consoleDone(s, { lines: [] });
    ({ commands } = type(s, '   ', { return: true }));
    expect(commands).toEqual([]);
  });

  it('↑ ↓ walk the history and give back the line being typed', () => {
    const { s } = type(initialConsole(['a', 'b']), 'draft', { upArrow: true }, { upArrow: true }, { upArrow: true });
    expect(s.text).toBe('a');
    const back = type(s, { downArrow: true }, { downArrow: true });
    expect(back.s.text).toBe('draft');
  });

  it('Esc cancels a running query, and closes the prompt only when none runs', () => {
    const running = type(initialConsole(), 'SELECT 1', { return: true }).s;
    expect(consoleKey(running, '', K({ escape: true }), 10).command).toEqual({ kind: 'cancel' });
    const done = consoleDone(running, { error: 'query cancelled' });
    expect(done).toMatchObject({ running: false, error: 'query cancelled' });
    expect(consoleKey(done, '', K({ escape: true }), 10).command).toEqual({ kind: 'close' });
  });

  it('keys typed while a query runs start no second query', () => {
    const running = type(initialConsole(), 'SELECT 1', { return: true }).s;
    const { s, commands } = type(running, 'SELECT 2', { return: true }, 'x\r');
    expect(commands).toEqual([]);
    expect(s.text).toBe('');
  });

  it('a read holding a line break runs the text before it (a paste, a fast typist)', () => {
    const { s, commands } = type(initialConsole(), 'SELECT 1\rSELECT');
    expect(commands).toEqual([{ kind: 'run', sql: 'SELECT 1' }]);
    expect(s.running).toBe(true);
  });

  it('PgDn/PgUp scroll the result within its length', () => {
    const s = consoleDone(type(initialConsole(), 'x', { return: true }).s, { lines: Array.from({ length: 25 }, (_, i) => String(i)) });
    expect(type(s, { pageDown: true }, { pageDown: true }, { pageDown: true }).s.scroll).toBe(15);
    expect(type(s, { pageDown: true }, { pageUp: true }, { pageUp: true }).s.scroll).toBe(0);
  });

  it('control characters typed or pasted never reach the line', () => {
    const { s } = type(initialConsole(), 'SELECT \x1b[2J1');
    expect(s.text).not.toContain('\x1b');
  });
});

describe('the view reducer and the : prompt', () => {
  const key = (input: string, k: Partial<Key> = {}) => ({ type: 'key', input, key: { ctrl: false, meta: false, ...k } as never, detailHeight: 10, detailLength: 0, now: 0 }) as const;

  it(': opens it over the timeline; the timeline keys then do nothing (the prompt reads them); closing goes back', () => {
    let s: ViewState = initialState(10, false);
    s = viewReducer(s, key(':'));
    expect(s.mode).toBe('sql');
    const same = viewReducer(s, key('q'));
    expect(same).toBe(s);
    s = viewReducer(s, { type: 'closeView' });
    expect(s.mode).toBe('timeline');
    expect(s.quit).toBeFalsy();
  });
});
