/**
 * Issue 14: every command that reads a case opens DuckDB within the read budget
 * (src/store/read-budget.ts) — without one DuckDB may take 80 % of the machine's memory, and a sort
 * over every event of a 10M-event case grew `dwell sql` and `dwell search` past 1 GB. Checked on the
 * settings each command opens the case with, and end to end on the running session's own settings.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openQuerySession } from '../../src/case-tools/session.js';
import { runExport } from '../../src/cli/commands/export.js';
import { runInfo } from '../../src/cli/commands/info.js';
import { runSearch } from '../../src/cli/commands/search.js';
import { runVerify } from '../../src/cli/commands/verify.js';
import { CaseDb } from '../../src/store/case-db.js';
import { READ_DUCKDB_MEMORY, readDuckdbConfig } from '../../src/store/read-budget.js';
import { CaseHandle } from '../../src/tui/data/case-handle.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const BUDGET = { memory_limit: READ_DUCKDB_MEMORY, allocator_flush_threshold: '16MB', allocator_background_threads: 'true' };

describe('the read budget', () => {
  const dir = tempDir('read-budget');
  let casePath = '';

  beforeAll(async () => {
    casePath = await fixtureCase(join(dir.path, 'case.duckdb'));
  });
  afterAll(() => dir.cleanup());
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('is 512 MB with the allocator flushed, and DWELL_DUCKDB_MEMORY overrides it', () => {
    expect(readDuckdbConfig({})).toEqual(BUDGET);
    expect(readDuckdbConfig({ DWELL_DUCKDB_MEMORY: '2GB' }).memory_limit).toBe('2GB');
  });

  /** The config every CaseDb.open of `fn` asked for. */
  async function opened(fn: () => Promise<unknown>): Promise<Record<string, string>[]> {
    vi.stubEnv('DWELL_DUCKDB_MEMORY', undefined);
    const open = vi.spyOn(CaseDb, 'open');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await fn();
    const configs = open.mock.calls.map(([, o]) => (o?.config ?? {}) as Record<string, string>);
    vi.restoreAllMocks();
    expect(configs.length).toBeGreaterThan(0);
    return configs;
  }

  it('info, verify, search and export open the case within it', async () => {
    const out = join(dir.path, 'timeline.jsonl');
    for (const run of [
      () => runInfo({ case: casePath }),
      () => runVerify({ case: casePath }),
      () => runSearch('sshd', { case: casePath, json: true }),
      () => runExport({ case: casePath, what: 'timeline', format: 'jsonl', output: out, quiet: true }),
    ]) {
      for (const config of await opened(run)) expect(config).toMatchObject(BUDGET);
    }
  });

  it('the TUI opens the case within it', async () => {
    const configs = await opened(async () => (await CaseHandle.open(casePath)).close());
    for (const config of configs) expect(config).toMatchObject(BUDGET);
  });

  it('the SQL session runs within it, and a query cannot raise it', async () => {
    vi.stubEnv('DWELL_DUCKDB_MEMORY', undefined);
    const db = await openQuerySession(casePath);
    try {
      const row = await db.one<{ m: string; f: string }>(`SELECT current_setting('memory_limit') AS m, current_setting('allocator_flush_threshold') AS f`);
      // DuckDB shows 512MB (10^6 bytes) in MiB.
      expect(row).toEqual({ m: '488.2 MiB', f: '15.2 MiB' });
      await expect(db.run(`SET memory_limit = '8GB'`)).rejects.toThrow(/lock/i);
    } finally {
      db.close();
    }
    // The CLI inherits this environment, without DWELL_DUCKDB_MEMORY (stubbed out above).
    const r = await dwell(['sql', '--case', casePath, '--csv', `SELECT current_setting('memory_limit') AS m`]);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual(['m', '488.2 MiB']);
  });
});
