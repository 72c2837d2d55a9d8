/**
 * Issue 15's memory budget: `dwell watch` opens the case with a small DuckDB budget whose allocator
 * hands freed pages back, and DWELL_WATCH_MEMLOG samples where the memory is (the diagnostic the
 * soak bench reads). The RSS figures themselves are measured in bench/watch.mjs, not here.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { alerts, smallCase, sshLine, startWatch } from './helpers.js';

describe('dwell watch memory', () => {
  let dir: { path: string; cleanup: () => void };
  let live: string;
  let casePath: string;

  beforeAll(async () => {
    dir = tempDir('dwell-watch-mem-');
    ({ live, casePath } = await smallCase(dir.path));
  });
  afterAll(() => dir.cleanup());

  it('samples RSS, the V8 heap and duckdb_memory() into DWELL_WATCH_MEMLOG, under a 64 MB DuckDB budget with background purging', async () => {
    const log = join(dir.path, 'mem.jsonl');
    const saved = process.env.DWELL_WATCH_MEMLOG;
    process.env.DWELL_WATCH_MEMLOG = log;
    let w;
    try {
      w = await startWatch(['--case', casePath, live], dir.path);
    } finally {
      if (saved === undefined) delete process.env.DWELL_WATCH_MEMLOG;
      else process.env.DWELL_WATCH_MEMLOG = saved;
    }
    try {
      appendFileSync(join(live, 'auth.log'), sshLine('Failed password for root from 203.0.113.77 port 61001 ssh2', 7001));
      await w.until((l) => alerts(l).some((a) => a.event.summary.includes('61001')), 20_000, 'the alert');
      // At least two samples (one a second), the second after the extent was stored.
      const deadline = Date.now() + 20_000;
      while ((!existsSync(log) || readFileSync(log, 'utf8').trim().split('\n').length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await w.stop('SIGTERM');
    }
    const samples = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    const last = samples[samples.length - 1]!;
    expect(last.VmRSS).toBeGreaterThan(0);
    expect(last.heapUsed).toBeGreaterThan(0);
    expect(typeof last.duckdbTotal).toBe('number');
    expect(Object.keys(last.duckdb as object).length).toBeGreaterThan(0);
    const settings = last.settings as Record<string, string>;
    // 64 MB, as DuckDB prints it (MiB).
    expect(settings.memory_limit).toBe('61.0 MiB');
    expect(settings.allocator_background_threads).toBe('true');
    expect(settings.allocator_flush_threshold).toMatch(/^15\.2 MiB$|^16\.0 MiB$/);
  });

  /** Watches with the memlog while a backlog of `lines` benign lines (and one attacker line) is read; the largest new space and heap sampled (MB). */
  async function heapDuringBacklog(env: Record<string, string>, port: number, lines: number): Promise<{ newSpace: number; heapTotal: number }> {
    const log = join(dir.path, `mem-${port}.jsonl`);
    const saved = { ...process.env };
    Object.assign(process.env, { DWELL_WATCH_MEMLOG: log, ...env });
    let w;
    try {
      w = await startWatch(['--case', casePath, live], dir.path);
    } finally {
      for (const k of ['DWELL_WATCH_MEMLOG', ...Object.keys(env)]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    try {
      let text = '';
      for (let i = 0; i < lines; i++) text += sshLine(`Accepted publickey for svc${i % 50} from 10.1.${i % 250}.${i % 7} port ${i} ssh2`, 20000 + (i % 9000));
      appendFileSync(join(live, 'auth.log'), text + sshLine(`Failed password for root from 203.0.113.77 port ${port} ssh2`, 7002));
      await w.until((l) => alerts(l).some((a) => a.event.summary.includes(String(port))), 90_000, 'the alert after the backlog');
      // A sample after the backlog was stored (the new space does not shrink back at once).
      const n = readFileSync(log, 'utf8').trim().split('\n').length;
      const deadline = Date.now() + 20_000;
      while (readFileSync(log, 'utf8').trim().split('\n').length < n + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await w.stop('SIGTERM');
    }
    const samples = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { newSpace: number; heapTotal: number });
    return { newSpace: Math.max(...samples.map((s) => s.newSpace)), heapTotal: Math.max(...samples.map((s) => s.heapTotal)) };
  }

  it("keeps V8's young generation at its starting size and the heap near what is live while a backlog is parsed (V8's defaults grow both several times)", async () => {
    const grown = await heapDuringBacklog({ DWELL_WATCH_V8_HEAP: 'default' }, 61101, 40_000);
    const capped = await heapDuringBacklog({}, 61102, 40_000);
    // V8's default: the semi-spaces double from 1 MB while most parsed events survive a scavenge.
    expect(grown.newSpace).toBeGreaterThan(4);
    // Capped: both semi-spaces at their starting 1 MB.
    expect(capped.newSpace).toBeLessThanOrEqual(2);
    // And the old generation grows by 20 % between full GCs, not up to 4× (measured here: 77 MB → 33 MB).
    expect(capped.heapTotal).toBeLessThan(grown.heapTotal * 0.75);
  }, 240_000);
});
