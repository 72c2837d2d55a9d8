/**
 * The ingest's lanes keep their connection from one file's transaction to the next, with the
 * statements planned on it (src/store/prepared-cache.ts, LaneConnection in evidence-writer.ts):
 * a committed file leaves the connection to the lane's next file, a rolled-back one closes it (the
 * close is what makes a failed ROLLBACK safe) and the next file opens another; a statement
 * prepared once reads a table dropped and created again (the fast path's lines table, every file)
 * with the new table's rows, and runs with each call's own parameters.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { EvidenceTransaction, LaneConnection, type EvidenceRow } from '../../src/store/evidence-writer.js';
import { readPrepared, runPrepared } from '../../src/store/prepared-cache.js';
import { tempDir } from '../helpers/cli.js';

function row(id: number): EvidenceRow {
  return {
    evidence_id: id, run_id: 1, path: `f${id}.log`, abs_path: `/e/f${id}.log`, size: 1, mtime_ms: 0, sha256: `${id}`.padStart(64, '0'),
    compression: 'none', format: 'vpc_flow', parser_version: '1', sniff_reason: 'test', status: 'ingested', message: null, lines: 1,
    record_lines: 1, continuation_lines: 0, meta_lines: 0, blank_lines: 0, warning_lines: 0, events: 0, warnings: 0,
    first_ts_us: null, last_ts_us: null, year_shift: null, duplicate_of: null, info: { n: id },
  };
}

describe('a lane connection kept from file to file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('is kept after a commit, replaced after a rollback; each file holds its own rows only', { timeout: 60_000 }, async () => {
    const db = await CaseDb.open(join(tmp.path, 'case.duckdb'), { create: true });
    const lane = new LaneConnection(db);
    try {
      const first = await EvidenceTransaction.begin(db, 1, lane);
      await first.connection.run(`INSERT INTO parse_warnings VALUES (1, 1, 0, 'one', 'test')`);
      await first.commit(row(1));
      const second = await EvidenceTransaction.begin(db, 2, lane);
      expect(second.connection).toBe(first.connection);
      await second.connection.run(`INSERT INTO parse_warnings VALUES (2, 1, 0, 'two', 'test')`);
      await second.rollback();
      const third = await EvidenceTransaction.begin(db, 3, lane);
      expect(third.connection).not.toBe(first.connection);
      await third.connection.run(`INSERT INTO parse_warnings VALUES (3, 1, 0, 'three', 'test')`);
      await third.commit(row(3));
      expect(await db.all(`SELECT evidence_id::INTEGER AS id, raw FROM parse_warnings ORDER BY 1`)).toEqual([{ id: 1, raw: 'one' }, { id: 3, raw: 'three' }]);
      expect(await db.all(`SELECT evidence_id AS id, info::VARCHAR AS info FROM evidence ORDER BY 1`)).toEqual([{ id: 1, info: '{"n":1}' }, { id: 3, info: '{"n":3}' }]);
      // Nothing is left open under a checkpoint.
      await db.run('CHECKPOINT');
    } finally {
      lane.close();
      db.close();
    }
  });

  it('runs a prepared statement over a table made again, with each call’s parameters', { timeout: 60_000 }, async () => {
    const db = await CaseDb.open(join(tmp.path, 'prepared.duckdb'), { create: true });
    const conn = await db.connect();
    try {
      await conn.run(`CREATE TEMP TABLE out (k INTEGER, v VARCHAR)`);
      const insert = `INSERT INTO out SELECT $k, v FROM lines_t`;
      for (const [k, values] of [[1, ['a', 'b']], [2, ['c']], [3, []]] as const) {
        await conn.run(`CREATE TEMP TABLE lines_t AS SELECT unnest($v::VARCHAR[]) AS v`, { v: `[${values.join(',')}]` });
        await runPrepared(conn, insert, { k });
        await conn.run(`DROP TABLE lines_t`);
      }
      const read = `SELECT string_agg(v, ',' ORDER BY v) AS vs FROM out WHERE k = $k`;
      const got = [];
      for (const k of [2, 1, 3]) got.push((await readPrepared(conn, read, { k })).getRowObjectsJS()[0]!.vs);
      expect(got).toEqual(['c', 'a,b', null]);
    } finally {
      conn.closeSync();
      db.close();
    }
  });
});
