/**
 * Ingests the same evidence twice — DuckDB fast path allowed, and every file through its JS
 * parser (--no-fast) — and reads back everything the case holds about it, so a test can require
 * the two to be identical: every events column (ids, raw, attrs, summary…), every warning, every
 * evidence row column but the ingest time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ingest, type FileReport } from '../../../src/ingest/pipeline.js';
import { query } from '../../helpers/case.js';
import { BIN, dwell } from '../../helpers/cli.js';

/** A fixed ingest time: times after it + 1 day are implausible, the same in both runs. */
export const INGEST_MS = Date.UTC(2026, 11, 7, 9, 0, 0);

export interface CaseContent {
  events: Record<string, unknown>[];
  warnings: Record<string, unknown>[];
  evidence: Record<string, unknown>[];
}

export async function ingestBoth(dir: string, inputs: string[], extra: Record<string, string> = {}): Promise<{ fast: CaseContent; js: CaseContent; files: FileReport[] }> {
  const fastCase = join(dir, 'fast.duckdb');
  const jsCase = join(dir, 'js.duckdb');
  const report = await ingest({ casePath: fastCase, inputs, tz: 'UTC', ingestMs: INGEST_MS, extra, index: false });
  await ingest({ casePath: jsCase, inputs, tz: 'UTC', ingestMs: INGEST_MS, extra, index: false, fast: false });
  return { fast: await content(fastCase), js: await content(jsCase), files: report.files };
}

export async function content(casePath: string): Promise<CaseContent> {
  const cols = await query<{ name: string }>(casePath, `SELECT column_name AS name FROM duckdb_columns() WHERE table_name = 'events' ORDER BY column_index`);
  const events = await query(casePath, `SELECT ${cols.map((c) => `"${c.name}"::VARCHAR AS "${c.name}"`).join(', ')} FROM events ORDER BY event_id`);
  const warnings = await query(casePath, `SELECT evidence_id, line, byte_offset, raw, reason FROM parse_warnings ORDER BY evidence_id, line, reason`);
  const evidence = await query(casePath, `SELECT * EXCLUDE (ingested_at) FROM evidence ORDER BY evidence_id`);
  return { events, warnings, evidence: evidence.map((r) => ({ ...r, info: r.info === null ? null : String(r.info) })) };
}

/** Every events column of every row, as one digest per file (event ids included). */
export async function fingerprint(casePath: string) {
  return query<{ path: string; n: number; h: string }>(
    casePath,
    `SELECT regexp_extract(v.path, '[^/]+$') AS path, count(*)::INTEGER AS n, md5(string_agg(e::VARCHAR, chr(10) ORDER BY e.event_id)) AS h
     FROM events e JOIN evidence v USING (evidence_id) GROUP BY ALL ORDER BY path`,
  );
}

/**
 * Lets CloudTrail take the SQL path for the tests of a describe block (it runs only when asked for:
 * slower than the JS parser as measured so far); dwell() children inherit this process's
 * environment. Restores the variable afterwards.
 */
export function enableCloudTrailFastPath(hooks: { beforeAll: (f: () => void) => void; afterAll: (f: () => void) => void }): void {
  const saved = process.env.DWELL_FAST_FORMATS;
  hooks.beforeAll(() => {
    process.env.DWELL_FAST_FORMATS = 'vpc_flow,cloudtrail';
  });
  hooks.afterAll(() => {
    if (saved === undefined) delete process.env.DWELL_FAST_FORMATS;
    else process.env.DWELL_FAST_FORMATS = saved;
  });
}

/**
 * `dwell ingest` (the real CLI) that gets `signal` 150 ms after the first file is reported stored
 * (line progress on stderr): the second, bigger file is then mid-read. `env` adds variables.
 */
export function ingestAndSignal(args: string[], signal: NodeJS.Signals, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'ingest', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /\[1\/\d+\] ingested/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill(signal), 150);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * `dwell ingest` of `evidence` with one lane (the second, bigger file is read once the first is
 * stored) gets `signal` mid-read: the case then holds the first file only (`kept`), with every one
 * of its events; the same command run again completes it exactly as the clean run whose
 * fingerprint is `want` (ids included). `args` go to both runs, `env` to both children.
 */
export async function expectCleanAfterKill(o: {
  evidence: string;
  casePath: string;
  signal: NodeJS.Signals;
  kept: string;
  want: Awaited<ReturnType<typeof fingerprint>>;
  args?: string[];
  env?: Record<string, string>;
}): Promise<void> {
  const args = ['--no-index', ...(o.args ?? []), '--case', o.casePath, o.evidence];
  const run = await ingestAndSignal(['--workers', '1', ...args], o.signal, o.env);
  expect(run.code, run.stderr).not.toBe(0);
  const held = await query<{ path: string; events: number; stored: number }>(
    o.casePath,
    `SELECT regexp_extract(v.path, '[^/]+$') AS path, v.events::INTEGER AS events, (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)::INTEGER AS stored FROM evidence v ORDER BY path`,
  );
  expect(held.map((h) => h.path), o.signal).toEqual([o.kept]);
  for (const h of held) expect(h.stored, h.path).toBe(h.events);
  const again = await dwell(['ingest', '-q', ...args], { env: o.env });
  expect(again.code, again.stderr).toBe(0);
  expect(await fingerprint(o.casePath), o.signal).toEqual(o.want);
}

/** A maker of fresh numbered folders under `root` (0, 1, …): one per test case, so cases never share a case file. */
export function numberedDirs(root: string): () => string {
  let k = 0;
  return () => {
    const d = join(root, String(k++));
    mkdirSync(d);
    return d;
  };
}
