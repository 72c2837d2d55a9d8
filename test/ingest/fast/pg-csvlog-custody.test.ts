/**
 * Custody with PostgreSQL csvlog on the fast path: killed mid-file (SIGKILL) nothing of the file
 * is in the case and a re-run equals a clean run (every events column digested, ids included); the
 * access time DuckDB's own reads moved is put back.
 */
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../../helpers/cli.js';
// @ts-expect-error plain .mjs bench helper
import { writeCsvlog } from '../../../bench/dbquery-gen.mjs';
import { expectCleanAfterKill, fingerprint } from './compare.js';
import { enablePgFastPath, rec } from './pg-csvlog-gen.js';


describe('PostgreSQL csvlog fast path custody', () => {
  const tmp = tempDir();
  enablePgFastPath({ beforeAll, afterAll });
  afterAll(() => tmp.cleanup());

  it('a big csvlog killed (SIGKILL) mid-read is absent; a re-run equals a clean run', { timeout: 480_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'a-small.csv'), rec({ t: '2025-03-11 08:00:00 UTC', user: 'app', db: 'shop', pid: 7, from: '10.0.0.1:5000', sid: '1.7', n: 1, msg: 'statement: SELECT 1', app: 'psql' }) + '\n');
    await writeCsvlog(join(ev, 'b-big.csv'), 40_000, 3);
    const clean = join(tmp.path, 'clean.duckdb');
    const first = await dwell(['ingest', '--json', '--no-index', '--case', clean, ev]);
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { files: Array<{ readBy: string }> }).files.map((f) => f.readBy)).toEqual(['sql', 'sql']);
    const want = await fingerprint(clean);

    await expectCleanAfterKill({ evidence: ev, casePath: join(tmp.path, 'killed.duckdb'), signal: 'SIGKILL', kept: 'a-small.csv', want });
  });

  it('puts back the access time its two DuckDB reads moved', { timeout: 120_000 }, async () => {
    const d = join(tmp.path, 'atime');
    mkdirSync(d);
    const f = join(d, 'postgresql.csv');
    writeFileSync(f, rec({ t: '2025-03-11 08:00:00 UTC', user: 'app', db: 'shop', pid: 7, from: '10.0.0.1:5000', sid: '1.7', n: 1, msg: 'statement: SELECT 1', app: 'psql' }) + '\n');
    utimesSync(f, new Date('2001-02-03T04:05:06Z'), new Date('2002-03-04T05:06:07Z'));
    const before = statSync(f, { bigint: true });
    const r = await dwell(['ingest', '--json', '--no-index', '--case', join(d, 'case.duckdb'), f]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { files: Array<{ readBy: string }> }).files.map((x) => x.readBy)).toEqual(['sql']);
    const after = statSync(f, { bigint: true });
    expect([after.atimeNs, after.mtimeNs]).toEqual([before.atimeNs, before.mtimeNs]);
  });
});
