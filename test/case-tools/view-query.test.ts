/**
 * The TUI's `:` prompt below its screen (src/case-tools/view-query.ts): `view` is exactly the TUI's
 * view (filters, attack view, untrusted times hidden unless `time=`), every query has its own
 * sandboxed session, cancel() stops a running query, and a history that may not be written (inside
 * the evidence) is said once, never fails the query.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ViewQueryRunner } from '../../src/case-tools/view-query.js';
import { viewSql } from '../../src/tui/data/sql.js';
import { EMPTY_QUERY, parseFilters, type ViewQuery } from '../../src/tui/state/filters.js';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { FIXTURES, fileState, fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

function view(text: string, attack = false): ViewQuery {
  const r = parseFilters(text, 0);
  if (!r.ok) throw new Error(r.error);
  return { attack, filters: r.filters };
}

describe('the : prompt’s runner', () => {
  const tmp = tempDir('dwell-view-query-');
  const casePath = join(tmp.path, 'case.duckdb');
  beforeAll(() => fixtureCase(casePath));
  afterAll(() => tmp.cleanup());

  it('`view` is the view on screen: filters, and untrusted times hidden unless time= asks', async () => {
    const runner = new ViewQueryRunner(casePath);
    const count = async (q: ViewQuery) => {
      const r = await runner.run('SELECT count(*) AS n FROM view', viewSql(q, null), { maxRows: 10 });
      return Number(r.lines[1]!.trim());
    };
    const [n] = await query<{ all: number; trusted: number; web: number }>(
      casePath,
      `SELECT count(*) AS "all", count(*) FILTER (WHERE time_quality NOT IN ('relative', 'implausible')) AS trusted,
              count(*) FILTER (WHERE host = 'web-01' AND time_quality NOT IN ('relative', 'implausible')) AS web FROM events`,
    );
    const all = { n: n!.all };
    const trusted = { n: n!.trusted };
    const web = { n: n!.web };
    expect(await count(EMPTY_QUERY)).toBe(trusted!.n);
    expect(trusted!.n).toBeLessThan(all!.n);
    expect(await count(view('time=all'))).toBe(all!.n);
    expect(await count(view('time=relative'))).toBe(all!.n - trusted!.n);
    expect(await count(view('host=web-01'))).toBe(web!.n);
    expect(await count(view('ip=203.0.113.77 action=ssh_login'))).toBe(1);
    // The filter's values are parameters (session variables), never SQL text: a quote is a value.
    expect(await count(view(`user="o'brien"`))).toBe(0);
  });

  it('every table is there, the case stays read-only, a refusal is said in words', async () => {
    const before = fileState(casePath);
    const runner = new ViewQueryRunner(casePath);
    const r = await runner.run('SELECT (SELECT count(*) FROM evidence) AS files, (SELECT count(*) FROM cloud_key_chain) >= 0 AS chain', viewSql(EMPTY_QUERY, null), { maxRows: 10 });
    expect(r.lines[1]).toMatch(/^\s*3\s+true\s*$/);
    await expect(runner.run('DELETE FROM events', viewSql(EMPTY_QUERY, null), { maxRows: 10 })).rejects.toThrow(/^the case is read-only here: DELETE is not run/);
    await expect(runner.run(`COPY events TO '${join(FIXTURES, 'x.csv')}'`, viewSql(EMPTY_QUERY, null), { maxRows: 10 })).rejects.toThrow(/^no file is read or written/);
    expect(existsSync(join(FIXTURES, 'x.csv'))).toBe(false);
    expect(fileState(casePath)).toEqual(before);
  });

  it('cancel() stops a running query', async () => {
    const runner = new ViewQueryRunner(casePath);
    const running = runner.run('SELECT sum(hash(i)) FROM range(100000000000) t(i)', viewSql(EMPTY_QUERY, null), { maxRows: 10 });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    runner.cancel();
    await expect(running).rejects.toMatchObject({ cancelled: true, message: 'query cancelled' });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('cancel() stops the query whenever it lands: while the session opens, between steps, or running', async () => {
    // An interrupt only stops a running statement; an Esc between defining `view` and starting the
    // query was lost and the query ran on (CI, under load). Each delay lands in another step here.
    for (let delay = 0; delay <= 240; delay += 12) {
      const runner = new ViewQueryRunner(casePath);
      const running = runner.run('SELECT sum(hash(i)) FROM range(100000000000) t(i)', viewSql(EMPTY_QUERY, null), { maxRows: 10 });
      setTimeout(() => runner.cancel(), delay);
      const t0 = Date.now();
      await expect(running, `cancel after ${delay} ms`).rejects.toMatchObject({ cancelled: true });
      expect(Date.now() - t0, `cancel after ${delay} ms`).toBeLessThan(10_000);
    }
  });

  it('a statement cancelled before its session is open is still in the history', async () => {
    // The TUI shows "running…" at once; an Esc then can arrive while the session is still opening.
    const runner = new ViewQueryRunner(casePath);
    const path = join(tmp.path, 'history');
    const sql = 'SELECT sum(hash(i)) FROM range(100000000000) t(i)';
    const running = runner.run(sql, viewSql(EMPTY_QUERY, null), { maxRows: 10, history: { path, entries: ['SELECT 1', sql] } });
    runner.cancel();
    await expect(running).rejects.toMatchObject({ cancelled: true });
    expect(readFileSync(path, 'utf8')).toBe(`SELECT 1\n${sql}\n`);
  });

  it('a history that may not be written (inside the evidence) is said once; the query still runs', async () => {
    const runner = new ViewQueryRunner(casePath);
    const path = join(FIXTURES, 'web-01', 'history');
    const opts = { maxRows: 10, history: { path, entries: ['SELECT 1 AS one'] } };
    const first = await runner.run('SELECT 1 AS one', viewSql(EMPTY_QUERY, null), opts);
    expect(first.lines.slice(0, 3)).toEqual(['one', '  1', '(1 row)']);
    expect(first.lines[first.lines.length - 1]).toMatch(/^warning: history not saved: refusing to write .*web-01.*: it is inside .*evidence/);
    const second = await runner.run('SELECT 1 AS one', viewSql(EMPTY_QUERY, null), opts);
    expect(second.lines.join('\n')).not.toContain('warning');
    expect(existsSync(path)).toBe(false);
  });
});
