/**
 * Issue 14: correlate's peak memory. DuckDB's budget for a correlation is 256 MB (it filled 1 GB
 * with cached table blocks, on top of the rest of the process), and DWELL_MEMORY=1 says where the
 * memory is held, step by step, without changing what is printed on standard output.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlateDuckdbConfig } from '../../src/correlate/correlate.js';
import { capV8Heap, V8_HEAP_FLAGS } from '../../src/watch/v8-heap.js';
import { dwell, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
const casePath = join(tmp.path, 'case.duckdb');

beforeAll(async () => {
  const ing = await dwell(['ingest', '--year', '2026', '--case', casePath, '-q', 'fixtures/auth']);
  expect(ing.code, ing.stderr).toBe(0);
}, 120_000);
afterAll(() => tmp.cleanup());

describe("correlate's memory", () => {
  it('gives DuckDB a 256 MB budget and a small allocator cache unless DWELL_DUCKDB_MEMORY says otherwise', async () => {
    expect(correlateDuckdbConfig({})).toEqual({ memory_limit: '256MB', allocator_flush_threshold: '16MB' });
    expect(correlateDuckdbConfig({ DWELL_DUCKDB_MEMORY: '2GB' }).memory_limit).toBe('2GB');
    // DuckDB takes the settings as given (a typo in a setting's name would fail to open the case).
    const db = await DuckDBInstance.create(':memory:', correlateDuckdbConfig({}));
    const c = await db.connect();
    const r = await c.runAndReadAll(`SELECT current_setting('memory_limit') AS m, current_setting('allocator_flush_threshold') AS f`);
    expect(r.getRowObjectsJS()[0]).toEqual({ m: '244.1 MiB', f: '15.2 MiB' });
    c.closeSync();
  });

  it("caps the old generation's growth (V8) for correlate only, unless DWELL_V8_HEAP=default", () => {
    expect(V8_HEAP_FLAGS.correlate).toEqual(['--heap-growing-percent=20']);
    // Setting no flag here: the test process keeps V8's defaults.
    expect(capV8Heap('correlate', { DWELL_V8_HEAP: 'default' })).toEqual([]);
    expect(capV8Heap('search', {})).toEqual([]);
    expect(capV8Heap('constructor', {})).toEqual([]);
  });

  it('DWELL_MEMORY=1 prints each step’s resident set, V8 heap and DuckDB memory, then the peak; stdout is the same', async () => {
    const args = ['correlate', '--case', casePath, '--json', '--seed', 'ip:203.0.113.77'];
    const plain = await dwell(args);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/^memory:/m);
    const profiled = await dwell(args, { env: { DWELL_MEMORY: '1' } });
    expect(profiled.code, profiled.stderr).toBe(0);
    expect(profiled.stderr).toMatch(/^memory: \d+\.\ds step=\S+.* rss=\d+ heap=\d+\/\d+ external=\d+ duckdb=\d+ \(/m);
    expect(profiled.stderr).toMatch(/^memory: peak \d+\.\ds step=/m);
    const strip = (s: string) => s.replace(/"generated_at": "[^"]+"/, '');
    expect(strip(profiled.stdout)).toBe(strip(plain.stdout));
  }, 180_000);
});
