/**
 * A read of .xz evidence that stops early lets go of its decoder. xz-decompress runs one decoder at
 * a time per thread; one left open (the fast path declining a .xz, a reader that stopped after the
 * head) made every later .xz of the thread wait forever: in-process ingest never ended, and
 * `dwell ingest --workers 0` and `dwell sniff` exited 0 without a report.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence, type EvidenceStream } from '../../src/ingest/evidence-reader.js';
import { ingest } from '../../src/ingest/pipeline.js';
import { SNIFF_BYTES } from '../../src/ingest/sniff.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const SMALL = join(ROOT, 'fixtures', 'hostile', 'auth.log.xz');
const SMALL_BYTES = readFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log')).length;
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'auth', 'plaso', 'syslog.xz');

/**
 * 1 MiB of lines no parser claims, which xz barely shrinks (pseudo-random hex): its decoding is
 * still going when a reader stops after the head. Node has no xz compressor: `xz` makes it.
 */
function noiseXz(): Buffer {
  let x = 12345;
  const lines: string[] = [];
  for (let n = 0; n < (1 << 20) / 64; n++) {
    let line = '';
    for (let i = 0; i < 7; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      line += x.toString(16).padStart(8, '0') + ' ';
    }
    lines.push(line + '\n');
  }
  return execFileSync('xz', ['-0', '-c'], { input: lines.join(''), maxBuffer: 16 << 20 });
}

/** `p`, or a failure after `ms`: a decoder left open fails the test instead of stalling it. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not end in ${ms / 1000} s (an xz decoder left open?)`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readAll(path: string): Promise<number> {
  const ev = await openEvidence(path);
  let n = 0;
  for await (const chunk of ev.data) n += chunk.length;
  return n;
}

/** Reads at least the sniffed head (the decoding goes on behind it). */
async function readHead(ev: EvidenceStream): Promise<void> {
  let n = 0;
  for await (const chunk of ev.data) {
    n += chunk.length;
    if (n >= SNIFF_BYTES) return;
  }
  throw new Error('the noise file ended within its head');
}

describe('.xz reads that stop early', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  const noise = join(ev, 'a-noise.xz');
  beforeAll(() => {
    mkdirSync(ev);
    writeFileSync(noise, noiseXz());
    copyFileSync(SMALL, join(ev, 'b-auth.log.xz'));
  });
  afterAll(() => tmp.cleanup());

  it('a reader closed before its first byte (the fast path declining a .xz) leaves the next .xz readable', async () => {
    (await openEvidence(noise)).destroy();
    expect(await within(readAll(SMALL), 10_000, 'reading the next .xz')).toBe(SMALL_BYTES);
  });

  it.each(['destroy', 'skipRest'] as const)('a reader that stops after the head (%s) leaves the next .xz readable', async (how) => {
    const r = await openEvidence(noise);
    await readHead(r);
    r[how]();
    if (how === 'skipRest') {
      // The raw file is still read to its end: the digest is the file's.
      const d = await within(r.digest, 10_000, 'the digest after skipRest');
      expect(d.sha256).toBe(createHash('sha256').update(readFileSync(noise)).digest('hex'));
    }
    expect(await within(readAll(SMALL), 10_000, 'reading the next .xz')).toBe(SMALL_BYTES);
  });

  it('in-process ingest ends: an unrecognized .xz read up to its head, then an auth log .xz (fast path on)', { timeout: 60_000 }, async () => {
    const report = await within(ingest({ casePath: join(tmp.path, 'in-process.duckdb'), inputs: [ev], tz: 'UTC', index: false }), 40_000, 'ingest');
    const by = Object.fromEntries(report.files.map((f) => [f.path.split('/').pop(), f]));
    expect(by['a-noise.xz']).toMatchObject({ status: 'unrecognized' });
    expect(by['b-auth.log.xz']).toMatchObject({ status: 'ingested', format: 'auth_log' });
    expect(by['b-auth.log.xz']!.events).toBeGreaterThan(0);
  });

  it.runIf(existsSync(CORPUS))('in-process ingest of the corpus plaso/syslog.xz ends', { timeout: 60_000 }, async () => {
    const report = await within(ingest({ casePath: join(tmp.path, 'corpus.duckdb'), inputs: [CORPUS], tz: 'UTC', index: false }), 40_000, 'ingest');
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ status: 'ingested', format: 'auth_log' });
    expect(report.files[0]!.events).toBeGreaterThan(0);
  });

  it('dwell ingest --workers 0 and dwell sniff report every .xz (they exited 0 with no output)', { timeout: 60_000 }, async () => {
    const ing = await dwell(['ingest', '--workers', '0', '--json', '-q', '--no-index', '--case', join(tmp.path, 'cli.duckdb'), ev]);
    expect(ing.code, ing.stderr).toBe(3); // the noise file is not recognized
    const files = (JSON.parse(ing.stdout) as { files: { path: string; status: string }[] }).files;
    expect(files.map((f) => [f.path.split('/').pop(), f.status])).toEqual([
      ['a-noise.xz', 'unrecognized'],
      ['b-auth.log.xz', 'ingested'],
    ]);
    const second = join(ev, 'c-noise.xz');
    copyFileSync(noise, second);
    const sn = await dwell(['sniff', '--json', noise, second, SMALL]);
    expect(sn.code, sn.stderr).toBe(0);
    expect(JSON.parse(sn.stdout)).toHaveLength(3);
  });
});
