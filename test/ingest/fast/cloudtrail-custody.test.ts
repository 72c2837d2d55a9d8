/**
 * Custody with CloudTrail on the fast path: killed mid-file (SIGKILL) nothing of the file is in the
 * case and a re-run equals a clean run; a delivery file that changed while it was read is not
 * stored from the DuckDB read; the access time DuckDB moved is put back.
 */
import { createWriteStream, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryFastPath } from '../../../src/ingest/fast/fast-path.js';
import { CaseDb } from '../../../src/store/case-db.js';
import { EvidenceTransaction } from '../../../src/store/evidence-writer.js';
import { dwell, tempDir } from '../../helpers/cli.js';
import { generatedRecord, generatedRecords } from './cloudtrail-gen.js';
import { enableCloudTrailFastPath, expectCleanAfterKill, fingerprint, INGEST_MS } from './compare.js';


async function writeLines(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i += 1000) {
    if (!out.write(generatedRecords(i, Math.min(1000, n - i)).join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', r));
  }
  out.end();
  await new Promise<void>((r) => out.on('finish', r));
}


describe('CloudTrail fast path custody', () => {
  const tmp = tempDir();
  enableCloudTrailFastPath({ beforeAll, afterAll });
  afterAll(() => tmp.cleanup());

  it('a big CloudTrail file killed (SIGKILL) mid-read is absent; a re-run equals a clean run', { timeout: 480_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'a-small.json.gz'), gzipSync(`{"Records":[${generatedRecords(1, 20).join(',')}]}`));
    await writeLines(join(ev, 'b-big.jsonl'), 20_000);
    const clean = join(tmp.path, 'clean.duckdb');
    const first = await dwell(['ingest', '--json', '--no-index', '--case', clean, ev]);
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { files: Array<{ readBy: string }> }).files.map((f) => f.readBy)).toEqual(['sql', 'sql']);
    const want = await fingerprint(clean);

    const env = { DWELL_FAST_FORMATS: 'vpc_flow,cloudtrail' };
    await expectCleanAfterKill({ evidence: ev, casePath: join(tmp.path, 'killed.duckdb'), signal: 'SIGKILL', kept: 'a-small.json.gz', want, env });
  });

  it('does not store a delivery file whose size changed while it was read, and puts back the access time', { timeout: 60_000 }, async () => {
    const f = join(tmp.path, 'changing.json.gz');
    writeFileSync(f, gzipSync(`{"Records":[${generatedRecord(3, 1)},${generatedRecord(3, 2)}]}`));
    utimesSync(f, new Date('2001-02-03T04:05:06Z'), new Date('2002-03-04T05:06:07Z'));
    const st = statSync(f, { bigint: true });
    const db = await CaseDb.open(':memory:', { create: true });
    try {
      for (const size of [Number(st.size) - 1, Number(st.size)]) {
        const tx = await EvidenceTransaction.begin(db, 1);
        const mtimeMs = Number(st.mtimeMs);
        const out = await tryFastPath(tx.connection, 1, { path: f, absPath: f, fsPath: f, info: {}, size, mtimeMs }, { extra: {}, ingestMs: INGEST_MS, mtimeMs }, () => false);
        await tx.rollback();
        if (size !== Number(st.size)) expect(out).toEqual({ kind: 'declined', reason: 'the file changed while it was read' });
        else expect(out.kind).toBe('stored');
        // Declined after DuckDB read it, or stored: the access time is the evidence's own again.
        const after = statSync(f, { bigint: true });
        expect([after.atimeNs, after.mtimeNs], out.kind).toEqual([st.atimeNs, st.mtimeNs]);
      }
    } finally {
      db.close();
    }
  });
});
