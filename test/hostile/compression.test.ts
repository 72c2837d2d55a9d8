/**
 * Compressed evidence that is damaged or hostile: a truncated or tiny file is a failure that says
 * so (not an unknown format); a decompression bomb is stopped at the ratio limit and reported with
 * the file; whatever stops the decoding, the bytes delivered before it are the same on every run.
 */
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../src/ingest/evidence-reader.js';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const AUTH = readFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log'));
const BZ2 = readFileSync(join(ROOT, 'fixtures', 'hostile', 'auth.log.bz2'));
const XZ = readFileSync(join(ROOT, 'fixtures', 'hostile', 'auth.log.xz'));

/** A gzip of `mib` MiB of newlines: ~1028:1, the most deflate can do. */
async function newlineGzip(path: string, mib: number): Promise<void> {
  const block = Buffer.alloc(1 << 20, 0x0a);
  async function* blocks() {
    for (let i = 0; i < mib; i++) yield block;
  }
  await pipeline(Readable.from(blocks()), createGzip({ level: 9 }), createWriteStream(path));
}

/** Reads every byte a reader delivers, slowly or fast, and the error it ends with. */
async function readAll(path: string, delayMs: number): Promise<{ bytes: number; error: string | null }> {
  const ev = await openEvidence(path);
  let bytes = 0;
  let error: string | null = null;
  try {
    for await (const chunk of ev.data) {
      bytes += chunk.length;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    }
  } catch (err) {
    error = (err as Error).message;
  }
  await ev.digest;
  return { bytes, error };
}

describe('damaged compressed evidence', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  let res: Awaited<ReturnType<typeof dwell>>;
  let rows: Map<string, { status: string; message: string; sha256: string | null }>;

  beforeAll(async () => {
    mkdirSync(ev);
    writeFileSync(join(ev, 'ten-bytes.log.gz'), gzipSync(AUTH).subarray(0, 10));
    writeFileSync(join(ev, 'cut.log.bz2'), BZ2.subarray(0, Math.floor(BZ2.length / 2)));
    writeFileSync(join(ev, 'cut.log.xz'), XZ.subarray(0, Math.floor(XZ.length / 2)));
    writeFileSync(join(ev, 'whole.log.bz2'), BZ2);
    writeFileSync(join(ev, 'whole.log.xz'), XZ);
    const casePath = join(tmp.path, 'case.duckdb');
    res = await dwell(['ingest', '-q', '--case', casePath, ev]);
    const r = await query<{ path: string; status: string; message: string; sha256: string | null }>(casePath, 'SELECT path, status, message, sha256 FROM evidence');
    rows = new Map(r.map((x) => [x.path.split('/').pop()!, x]));
  });
  afterAll(() => tmp.cleanup());

  it('calls a 10-byte gzip a truncated gzip, a failure (exit 1), not an unrecognized file (exit 3)', () => {
    expect(rows.get('ten-bytes.log.gz')).toMatchObject({ status: 'failed', message: expect.stringMatching(/truncated gzip/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.code).toBe(1);
  });

  it('calls a truncated bzip2 and xz truncated, in words, without a JavaScript error', () => {
    expect(rows.get('cut.log.bz2')).toMatchObject({ status: 'failed', message: expect.stringMatching(/truncated bzip2/) });
    expect(rows.get('cut.log.xz')!.status).toMatch(/^(failed|partial)$/);
    expect(rows.get('cut.log.xz')!.message).toMatch(/truncated xz/);
    expect(res.stderr).not.toMatch(/Cannot read properties|undefined|error code/);
    expect(res.stderr).toMatch(/cut\.log\.bz2/);
  });

  it('still reads whole bzip2 and xz files', () => {
    expect(rows.get('whole.log.bz2')!.status).toBe('ingested');
    // Same content as the bzip2 copy, different bytes: both are evidence in their own right.
    expect(rows.get('whole.log.xz')!.status).toBe('ingested');
  });
});

describe('reading a truncated compressed file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('delivers the same bytes whether the reader is fast or slow (same events, same ids every run)', { timeout: 120_000 }, async () => {
    // Several MiB of varied lines, cut in the middle: the decoder fails while data is in flight.
    const lines: string[] = [];
    for (let i = 0; i < 120_000; i++) lines.push(`Jan  2 02:${String(i % 60).padStart(2, '0')}:00 web-01 sshd[${i}]: Failed password for root from 203.0.113.${i % 250} port ${1024 + (i % 60000)} ssh2`);
    const gz = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    const path = join(tmp.path, 'cut.log.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const fast = await readAll(path, 0);
    const slow = await readAll(path, 3);
    expect(fast.error).toMatch(/truncated gzip/);
    expect(slow).toEqual(fast);
    expect(fast.bytes).toBeGreaterThan(1 << 20);
  });
});

describe('a decompression bomb', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  beforeAll(async () => {
    mkdirSync(ev);
    await newlineGzip(join(ev, 'bomb.log.gz'), 48);
  });
  afterAll(() => tmp.cleanup());

  it('is stopped at 1000:1, kept as partial with a message naming the ratio and the way to read it whole', { timeout: 120_000 }, async () => {
    const casePath = join(tmp.path, 'limited.duckdb');
    const res = await dwell(['ingest', '-q', '--format', 'auth_log', '--case', casePath, ev]);
    expect(res.code).toBe(1);
    const [row] = await query<{ status: string; message: string; blank_lines: number; info: string }>(casePath, 'SELECT status, message, blank_lines::INTEGER AS blank_lines, info::VARCHAR AS info FROM evidence');
    expect(row!.status).toBe('partial');
    expect(row!.message).toMatch(/decompression stopped at 10\d\d:1 .*limit 1000:1.*--max-ratio 0/);
    // Stopped soon after the 16 MiB floor, not after reading all 48 MiB.
    expect(row!.blank_lines).toBeLessThan(24 * (1 << 20));
    expect(row!.blank_lines).toBeGreaterThanOrEqual(16 * (1 << 20));
    expect(JSON.parse(row!.info)).toMatchObject({ decompression_stopped: { limit: 1000 } });
    expect(res.stderr).toMatch(/bomb\.log\.gz/);
  });

  it('is read whole with --max-ratio 0', { timeout: 180_000 }, async () => {
    const casePath = join(tmp.path, 'unlimited.duckdb');
    const res = await dwell(['ingest', '-q', '--format', 'auth_log', '--max-ratio', '0', '--case', casePath, ev]);
    expect(res.code).toBe(0);
    const [row] = await query<{ status: string; blank_lines: number }>(casePath, 'SELECT status, blank_lines::INTEGER AS blank_lines FROM evidence');
    expect(row).toEqual({ status: 'ingested', blank_lines: 48 * (1 << 20) });
  });
});
