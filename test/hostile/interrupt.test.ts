/**
 * Ctrl-C and SIGTERM stop an ingest cleanly at the file boundary: the file being read is rolled
 * back (nothing of it in the case), the run is recorded as interrupted, the exit status is
 * non-zero with a message saying how to resume, and running the same command again gives exactly
 * the case a clean run gives. A second Ctrl-C stops at once and still leaves a consistent case.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the benchmarks
import { writeAuthLog } from '../../bench/lib/gen-auth-log.mjs';
import { query } from '../helpers/case.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the (first) signal to the exit. */
  afterSignalMs: number;
}

/** Runs `dwell ingest` and sends `signals` once the first file is reported stored. */
function ingestAndInterrupt(args: string[], signals: NodeJS.Signals[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'ingest', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      // Line progress (stderr is not a terminal): "[1/2] ingested …" once the first file is committed.
      if (!sentAt && /\[1\/\d+\] ingested/.test(stderr)) {
        sentAt = Date.now();
        signals.forEach((s, i) => setTimeout(() => child.kill(s), 100 + i * 200));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, afterSignalMs: sentAt ? Date.now() - sentAt : -1 }));
  });
}

async function fingerprint(casePath: string) {
  return query<{ path: string; n: number; h: string }>(
    casePath,
    `SELECT regexp_extract(v.path, '[^/]+$') AS path, count(*)::INTEGER AS n, md5(string_agg(e::VARCHAR, chr(10) ORDER BY e.event_id)) AS h
     FROM events e JOIN evidence v USING (evidence_id) GROUP BY ALL ORDER BY path`,
  );
}

describe('ingest interrupted while a file yields no batch for a long time', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('stops on Ctrl-C within seconds, rolls the file back and records the run as interrupted', { timeout: 240_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    copyFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1'), join(ev, 'a-small.log'));
    // 768 MiB of blank lines: over a minute of parsing on an idle machine, and not one batch.
    const block = Buffer.alloc(1 << 20, 0x0a);
    await pipeline(
      Readable.from((function* () {
        for (let i = 0; i < 768; i++) yield block;
      })()),
      createGzip({ level: 1 }),
      createWriteStream(join(ev, 'b-blank.log.gz')),
    );
    const casePath = join(tmp.path, 'case.duckdb');
    const run = await ingestAndInterrupt(['--format', 'auth_log', '--max-ratio', '0', '--case', casePath, ev], ['SIGINT']);
    expect(run.code).toBe(130);
    // Not "at the end of the file": the parse itself was stopped.
    expect(run.afterSignalMs).toBeLessThan(30_000);
    expect(run.stderr).toMatch(/interrupted by Ctrl-C/);
    expect(run.stderr).toMatch(/run the same command again to resume/);
    const files = await query<{ path: string; status: string }>(casePath, `SELECT regexp_extract(path, '[^/]+$') AS path, status FROM evidence`);
    expect(files).toEqual([{ path: 'a-small.log', status: 'ingested' }]);
    const runs = await query<{ status: string }>(casePath, 'SELECT status FROM ingest_runs');
    expect(runs).toEqual([{ status: 'interrupted' }]);
  });
});

describe('ingest interrupted while a big file is stored', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  let clean: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    mkdirSync(ev);
    copyFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1'), join(ev, 'a-small.log'));
    await writeAuthLog(join(ev, 'b-big.log'), 100_000, 11);
    const cleanCase = join(tmp.path, 'clean.duckdb');
    expect((await dwell(['ingest', '-q', '--case', cleanCase, ev])).code).toBe(0);
    clean = await fingerprint(cleanCase);
  }, 180_000);
  afterAll(() => tmp.cleanup());

  it('SIGTERM: exit 143, no partial file, and the same command again gives the clean run', { timeout: 240_000 }, async () => {
    const casePath = join(tmp.path, 'term.duckdb');
    const run = await ingestAndInterrupt(['--case', casePath, ev], ['SIGTERM']);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/interrupted by SIGTERM/);
    const files = await query<{ path: string; events: number; stored: number }>(
      casePath,
      `SELECT regexp_extract(path, '[^/]+$') AS path, events::INTEGER AS events, (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)::INTEGER AS stored FROM evidence v`,
    );
    expect(files).toEqual([{ path: 'a-small.log', events: 16, stored: 16 }]);
    const rerun = await dwell(['ingest', '-q', '--case', casePath, ev]);
    expect(rerun.code).toBe(0);
    expect(await fingerprint(casePath)).toEqual(clean);
    const runs = await query<{ status: string }>(casePath, 'SELECT status FROM ingest_runs ORDER BY run_id');
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'completed']);
  });

  it('a second Ctrl-C stops at once and still leaves a case the same command completes', { timeout: 240_000 }, async () => {
    const casePath = join(tmp.path, 'twice.duckdb');
    const run = await ingestAndInterrupt(['--case', casePath, ev], ['SIGINT', 'SIGINT']);
    expect(run.code === 130 || run.signal === 'SIGINT').toBe(true);
    const rerun = await dwell(['ingest', '-q', '--case', casePath, ev]);
    expect(rerun.code).toBe(0);
    expect(await fingerprint(casePath)).toEqual(clean);
    const runs = await query<{ status: string }>(casePath, 'SELECT status FROM ingest_runs ORDER BY run_id');
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'completed']);
  });
});
