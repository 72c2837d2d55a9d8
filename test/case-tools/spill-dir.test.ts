/**
 * Two read-only opens of one case spilling at the same time (an export beside the TUI) must not
 * share DuckDB's temporary files: with DuckDB's default folder (`<case>.tmp`, file names without a
 * process id) they overwrote each other's blocks ("Corrupt temporary file").
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir();
const casePath = join(tmp.path, 'case.duckdb');
const ROWS = 1_500_000;
// A sort far larger than the budget: it has to spill.
const SPILLING = `SELECT count(*)::INTEGER AS n, min(s.b) AS lo, max(s.b) AS hi FROM (SELECT b, row_number() OVER (ORDER BY b) AS k FROM spill) s`;

beforeAll(async () => {
  const db = await CaseDb.open(casePath, { create: true });
  await db.run(`CREATE TABLE spill AS SELECT range AS a, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS b FROM range(${ROWS})`);
  db.close();
}, 120_000);
afterAll(() => tmp.cleanup());

describe('read-only opens spill into folders of their own', () => {
  it('two readers get different spill folders beside the case, not DuckDB’s shared <case>.tmp', async () => {
    const a = await CaseDb.open(casePath, { readOnly: true });
    const b = await CaseDb.open(casePath, { readOnly: true });
    try {
      const da = (await a.one<{ d: string }>(`SELECT current_setting('temp_directory') AS d`))!.d;
      const db = (await b.one<{ d: string }>(`SELECT current_setting('temp_directory') AS d`))!.d;
      expect(da).not.toBe(db);
      for (const d of [da, db]) expect(d.startsWith(`${casePath}.tmp-r${process.pid}-`)).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('both finish the same spilling sort at once with the right answer, and leave no folder behind', { timeout: 180_000 }, async () => {
    const readers = await Promise.all([1, 2].map(() => CaseDb.open(casePath, { readOnly: true, config: { memory_limit: '48MB', threads: '1' } })));
    try {
      const results = await Promise.all(readers.map((r) => r.one<{ n: number; lo: string; hi: string }>(SPILLING)));
      for (const r of results) expect(r!.n).toBe(ROWS);
      expect(results[0]).toEqual(results[1]);
    } finally {
      for (const r of readers) r.close();
    }
    expect(readdirSync(tmp.path).filter((f) => f.startsWith('case.duckdb.tmp'))).toEqual([]);
    expect(existsSync(`${casePath}.tmp`)).toBe(false);
  });
});
