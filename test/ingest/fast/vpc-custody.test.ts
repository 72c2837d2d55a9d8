/**
 * Custody with the fast path (DuckDB reads the file): killed mid-file (SIGKILL) or stopped with
 * Ctrl-C, nothing of the file is in the case and a re-run equals a clean run; the evidence's access
 * time is put back; a file that changed while read is not stored from the DuckDB read; --no-fast
 * sends every file to the JS parser.
 */
import { createWriteStream, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../../src/store/case-db.js';
import { EvidenceTransaction } from '../../../src/store/evidence-writer.js';
import { tryFastPath } from '../../../src/ingest/fast/fast-path.js';
import { dwell, ROOT, tempDir } from '../../helpers/cli.js';
import { expectCleanAfterKill, fingerprint, INGEST_MS } from './compare.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';


/** `n` v2 records with a header: about 110 bytes a line. */
async function writeFlows(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(HEADER + '\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `2 123456789012 eni-0a1b2c3d4e5f6${String(i % 97).padStart(4, '0')} 10.0.${(i >> 8) & 255}.${i & 255} 198.51.${(i >> 4) & 255}.${i % 250} ${1024 + (i % 60000)} 443 6 ${i % 90} ${i * 7} ${1718530000 + (i >> 6)} ${1718530060 + (i >> 6)} ACCEPT OK\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.on('finish', r));
}


describe('fast path custody', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const ev = join(tmp.path, 'evidence');
  mkdirSync(ev);

  it('a big VPC file killed (SIGKILL) or interrupted (SIGINT) mid-read is absent; a re-run equals a clean run', { timeout: 480_000 }, async () => {
    writeFileSync(join(ev, 'a-small.log'), `${HEADER}\n2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.25 198.51.100.7 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK\n`);
    await writeFlows(join(ev, 'b-big.log'), 100_000);
    const clean = join(tmp.path, 'clean.duckdb');
    const first = await dwell(['ingest', '--json', '--no-index', '--case', clean, ev]);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { files: Array<{ path: string; readBy: string }> };
    expect(report.files.map((f) => f.readBy)).toEqual(['sql', 'sql']);
    const want = await fingerprint(clean);

    // Each signal's run has a case of its own and only reads the evidence: side by side.
    await Promise.all((['SIGKILL', 'SIGINT'] as const).map((signal) => expectCleanAfterKill({ evidence: ev, casePath: join(tmp.path, `${signal}.duckdb`), signal, kept: 'a-small.log', want })));
  });

  it('puts back the access time DuckDB moved', { timeout: 60_000 }, async () => {
    const d = join(tmp.path, 'atime');
    mkdirSync(d);
    const f = join(d, 'flows.log');
    writeFileSync(f, `${HEADER}\n2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.25 198.51.100.7 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK\n`);
    utimesSync(f, new Date('2001-02-03T04:05:06Z'), new Date('2002-03-04T05:06:07Z'));
    const before = statSync(f, { bigint: true });
    const res = await dwell(['ingest', '--json', '--no-index', '--case', join(tmp.path, 'atime.duckdb'), d]);
    expect(JSON.parse(res.stdout).files[0].readBy).toBe('sql');
    const after = statSync(f, { bigint: true });
    expect([after.atimeNs, after.mtimeNs]).toEqual([before.atimeNs, before.mtimeNs]);
  });

  it('--no-fast reads every file with the JS parser, and --help says so', async () => {
    const res = await dwell(['ingest', '--json', '--no-fast', '--no-index', '--case', join(tmp.path, 'nofast.duckdb'), join(ROOT, 'fixtures', 'fast', 'vpc')]);
    expect(res.code).toBe(0);
    const files = JSON.parse(res.stdout).files as Array<{ readBy: string }>;
    expect(files.length).toBe(4);
    expect(files.every((f) => f.readBy === 'js')).toBe(true);
    expect((await dwell(['ingest', '--help'])).stdout).toMatch(/--no-fast/);
  });

  it('does not store a file whose size or mtime changed while it was read', async () => {
    const f = join(tmp.path, 'changing.log');
    writeFileSync(f, `${HEADER}\n2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.25 198.51.100.7 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK\n`);
    const st = statSync(f);
    const db = await CaseDb.open(':memory:', { create: true });
    try {
      for (const seen of [{ size: st.size - 1, mtimeMs: st.mtimeMs }, { size: st.size, mtimeMs: st.mtimeMs }]) {
        const tx = await EvidenceTransaction.begin(db, 1);
        // The size as enumerated differs from the file read: something wrote to it in between.
        const out = await tryFastPath(tx.connection, 1, { path: f, absPath: f, fsPath: f, info: {}, ...seen }, { extra: {}, ingestMs: INGEST_MS, mtimeMs: seen.mtimeMs }, () => false);
        await tx.rollback();
        if (seen.size !== st.size) expect(out).toEqual({ kind: 'declined', reason: 'the file changed while it was read' });
        else expect(out.kind).toBe('stored');
      }
    } finally {
      db.close();
    }
  });
});
