/**
 * Custody with the hybrid read of auth logs (DuckDB reads the lines, the JS parser in its worker
 * thread stages the fields): through the built CLI, a generated file stores every events column
 * as `--no-fast` does; killed (SIGKILL) or interrupted (SIGINT) mid-file, nothing of the file is in
 * the case and a re-run equals a clean run; the access time DuckDB's open moved is put back.
 */
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../../helpers/cli.js';
import { expectCleanAfterKill, fingerprint } from './compare.js';
// @ts-expect-error plain .mjs bench generator
import { authLines } from '../../../bench/lib/gen-auth-log.mjs';


// The hybrid read is off by default (slower than plain JS as measured): these tests ask for it; dwell() children inherit it.
process.env.DWELL_HYBRID_FORMATS = 'auth_log';
const text = (n: number) => [...(authLines(n, 3) as Iterable<string>)].join('\n') + '\n';


describe('hybrid auth read: custody', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const ev = join(tmp.path, 'evidence');
  mkdirSync(ev);

  it('the CLI (worker thread) stores the same events as --no-fast; killed or interrupted mid-file, a re-run equals a clean run', { timeout: 1_200_000 }, async () => {
    writeFileSync(join(ev, 'a-auth.log'), text(50));
    writeFileSync(join(ev, 'b-auth.log'), text(60_000));
    const clean = join(tmp.path, 'clean.duckdb');
    const js = join(tmp.path, 'js.duckdb');
    // Every run below has a case of its own and only reads the evidence: side by side.
    const [first, jsRun] = await Promise.all([
      dwell(['ingest', '--json', '--no-index', '--year', '2025', '--case', clean, ev]),
      dwell(['ingest', '-q', '--no-fast', '--no-index', '--year', '2025', '--case', js, ev]),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as { files: Array<{ readBy: string }> }).files.map((f) => f.readBy)).toEqual(['hybrid', 'hybrid']);
    const want = await fingerprint(clean);
    expect(jsRun.code).toBe(0);
    expect(await fingerprint(js)).toEqual(want);

    await Promise.all((['SIGKILL', 'SIGINT'] as const).map((signal) => expectCleanAfterKill({ evidence: ev, casePath: join(tmp.path, `${signal}.duckdb`), signal, kept: 'a-auth.log', want, args: ['--year', '2025'] })));
  });

  it('puts back the access time DuckDB moved', { timeout: 240_000 }, async () => {
    const d = join(tmp.path, 'atime');
    mkdirSync(d);
    const f = join(d, 'auth.log');
    writeFileSync(f, text(20));
    utimesSync(f, new Date('2001-02-03T04:05:06Z'), new Date('2025-12-04T05:06:07Z'));
    const before = statSync(f, { bigint: true });
    const res = await dwell(['ingest', '--json', '--no-index', '--case', join(tmp.path, 'atime.duckdb'), d]);
    expect(JSON.parse(res.stdout).files[0].readBy).toBe('hybrid');
    const after = statSync(f, { bigint: true });
    expect([after.atimeNs, after.mtimeNs]).toEqual([before.atimeNs, before.mtimeNs]);
  });
});
