/**
 * Issue 14: a large file's rows reach the case file as its transaction fills row groups (DuckDB's
 * optimistic writes; test/ingest/rowgroup-writes.test.ts). Those rows are still the transaction's:
 * an ingest killed with SIGKILL after they reached the file leaves none of that file, and a re-run
 * equals a clean run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the benchmarks
import { writeAuthLog } from '../../bench/lib/gen-auth-log.mjs';
import { query } from '../helpers/case.js';
import { BIN, dwell, tempDir } from '../helpers/cli.js';
import { ROW_GROUP } from './row-group.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('ingest killed with SIGKILL after row groups of a large file reached the case file', () => {
  it('leaves none of that file, and a re-run equals a clean run', { timeout: 420_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    // 300,000 lines: two full row groups and a part, in one transaction.
    await writeAuthLog(join(ev, 'big.log'), 300_000, 11);

    // The clean run reads the same evidence into a case of its own: run beside the killed one.
    const clean = join(tmp.path, 'clean.duckdb');
    const cleanRun = dwell(['ingest', '-q', '--year', '2025', '--case', clean, ev]);
    const killed = join(tmp.path, 'killed.duckdb');
    const child = spawn(process.execPath, [BIN, 'ingest', '-q', '--year', '2025', '--case', killed, ev], { stdio: 'ignore' });
    // The case file grows during the file's transaction only by the row groups written early
    // (committed files go to the WAL; the checkpoint is at the end): wait for that, then kill.
    const deadline = Date.now() + 300_000;
    let start = -1;
    let grew = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (existsSync(killed)) {
        const size = statSync(killed).size;
        if (start < 0) start = size;
        if (size >= start + 2 * 1024 * 1024) {
          grew = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('close', r)));
    expect(grew, 'the case file grew before the commit (row groups written early)').toBe(true);

    const [left] = await query<{ files: number; events: number }>(killed, `SELECT (SELECT count(*) FROM evidence)::INTEGER AS files, (SELECT count(*) FROM events)::INTEGER AS events`);
    expect(left).toEqual({ files: 0, events: 0 });

    expect((await dwell(['ingest', '-q', '--year', '2025', '--case', killed, ev])).code).toBe(0);
    expect((await cleanRun).code).toBe(0);
    const digest = `SELECT count(*)::INTEGER AS n, bit_xor(hash(event_id, line, ts, action, raw, attrs))::VARCHAR AS d FROM events`;
    const [a] = await query<{ n: number; d: string }>(killed, digest);
    expect(a!.n).toBeGreaterThan(2 * ROW_GROUP);
    expect(a).toEqual((await query(clean, digest))[0]);
  });
});
