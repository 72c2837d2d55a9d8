/**
 * Issue 14: ingest's and hunt's peak memory. Both give DuckDB a budget and a small allocator cache
 * whose freed pages go back to the system (bench/RESULTS.md: the mixed scenario and the 10M-event
 * hunt), and DWELL_MEMORY=1 / DWELL_TIMING=1 say where an ingest holds its memory and spends its
 * time without changing what it stores or prints on standard output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDuckdbConfig } from '../../src/ingest/pipeline.js';
import { huntDuckdbConfig } from '../../src/sigma/hunt.js';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
const RULE = `title: Any console login
id: 8d2b6f0e-3c1a-4f7e-9b2d-5a6c7e8f9a01
status: test
level: low
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
    condition: selection
`;
afterAll(() => tmp.cleanup());

async function settingsOf(config: Record<string, string>): Promise<Record<string, unknown>> {
  // DuckDB takes the settings as given (a typo in a setting's name would fail to open the case).
  const db = await DuckDBInstance.create(':memory:', config);
  const c = await db.connect();
  const r = await c.runAndReadAll(
    `SELECT current_setting('memory_limit') AS m, current_setting('allocator_flush_threshold') AS f, current_setting('allocator_background_threads') AS bg`,
  );
  c.closeSync();
  return r.getRowObjectsJS()[0]!;
}

describe('DuckDB settings for ingest and hunt', () => {
  it('ingest: 384 MB budget (512 MB held 160–260 MB of cached case-file blocks at the peak), 16 MB allocator cache returned by background threads, inserts in order (row groups written as they fill), no row-group merges at checkpoints, one DuckDB thread per file', async () => {
    const cfg = ingestDuckdbConfig({});
    expect(cfg).toEqual({ preserve_insertion_order: 'true', memory_limit: '384MB', checkpoint_threshold: '256MB', allocator_flush_threshold: '16MB', allocator_background_threads: 'true', max_vacuum_tasks: '0', threads: '1' });
    expect(ingestDuckdbConfig({ DWELL_DUCKDB_MEMORY: '2GB', DWELL_CHECKPOINT_THRESHOLD: '16MB', DWELL_DUCKDB_THREADS: '2' })).toMatchObject({ memory_limit: '2GB', checkpoint_threshold: '16MB', threads: '2' });
    expect(await settingsOf(cfg)).toEqual({ m: '366.2 MiB', f: '15.2 MiB', bg: true });
  });

  it('hunt: 512 MB budget (1 GB held 921 MB of cached blocks on a 10M-event case), the same allocator settings', async () => {
    const cfg = huntDuckdbConfig({});
    expect(cfg).toEqual({ memory_limit: '512MB', allocator_flush_threshold: '16MB', allocator_background_threads: 'true' });
    expect(huntDuckdbConfig({ DWELL_DUCKDB_MEMORY: '2GB' }).memory_limit).toBe('2GB');
    expect(await settingsOf(cfg)).toEqual({ m: '488.2 MiB', f: '15.2 MiB', bg: true });
  });
});

describe('DWELL_MEMORY=1 and DWELL_TIMING=1 on ingest and hunt', () => {
  it('print memory samples with the file being read, the peak, and each file’s format, reader and time; the case is the same', async () => {
    const evidence = [join(ROOT, 'fixtures', 'auth'), join(ROOT, 'fixtures', 'cloudtrail', 'arrays')];
    const plainCase = join(tmp.path, 'plain.duckdb');
    const profiledCase = join(tmp.path, 'profiled.duckdb');
    const plain = await dwell(['ingest', '--year', '2026', '--case', plainCase, '--json', ...evidence]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/^(memory|timing):/m);
    const profiled = await dwell(['ingest', '--year', '2026', '--case', profiledCase, '--json', ...evidence], { env: { DWELL_MEMORY: '1', DWELL_TIMING: '1', DWELL_MEMORY_INTERVAL_MS: '20' } });
    expect(profiled.code, profiled.stderr).toBe(0);
    expect(profiled.stderr).toMatch(/^memory: peak \d+\.\ds step=.* rss=\d+ heap=\d+\/\d+ external=\d+ duckdb=\d+/m);
    // Each parse worker's own heap (used/total + external MB): the main thread's numbers do not include them.
    // Sampled every 20 ms: at the default half second these few files can end before the first sample (seen in CI).
    expect(profiled.stderr).toMatch(/^memory: \d+\.\ds step=.* duckdb=\d+ .*\bworker\d+=\d+\/\d+\+\d+/m);
    const files = JSON.parse(plain.stdout).files as { path: string; format: string; events: number }[];
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      expect(profiled.stderr).toContain(`timing: file ${JSON.stringify(f.path)} ${f.format} `);
    }
    expect(profiled.stderr).toMatch(/^timing: file "[^"]+" cloudtrail (sql|js) ingested \d+ \d+ ms$/m);
    const digest = `SELECT count(*)::INTEGER AS n, bit_xor(hash(event_id, ts, action, line, raw))::VARCHAR AS d FROM events`;
    expect(await query(profiledCase, digest)).toEqual(await query(plainCase, digest));

    // The hunt's sampler, on the same case: the same hits with and without it.
    const rule = join(tmp.path, 'console-login.yml');
    writeFileSync(rule, RULE);
    const hunt = (env: Record<string, string> = {}) => dwell(['hunt', '--case', profiledCase, '--sigma', rule, '--json'], { env });
    const huntPlain = await hunt();
    expect(huntPlain.code, huntPlain.stderr).toBe(0);
    const huntProfiled = await hunt({ DWELL_MEMORY: '1' });
    expect(huntProfiled.code, huntProfiled.stderr).toBe(0);
    expect(huntProfiled.stderr).toMatch(/^memory: peak \d+\.\ds step=.* rss=\d+ .*duckdb=\d+/m);
    const hits = (out: string) => (JSON.parse(out).rules as { rule_id: string; hits: number }[]).map((r) => [r.rule_id, r.hits]);
    expect(hits(huntProfiled.stdout)).toEqual(hits(huntPlain.stdout));
  }, 180_000);
});
