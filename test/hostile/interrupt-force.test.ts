/**
 * A stop that hangs still ends: after the first Ctrl-C or SIGTERM the work has a bounded time to
 * reach its safe point, then the process stops at once with the signal's status and says so (as
 * a second Ctrl-C would; only committed work is in the case, as after `kill -9`). It ends by the
 * signal itself (the shell's 130/143), because Node's process.exit() waits for a DuckDB statement
 * running on another thread. A stop that ends in time exits as usual, without that message. Seen:
 * an ingest that printed "Cannot CHECKPOINT" after Ctrl-C and never exited.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const MODULE = join(ROOT, 'dist', 'cli', 'interrupt.js');
const DUCKDB = join(ROOT, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js');

/**
 * A process whose work takes `workMs` to stop after the signal (-1: never stops), with a 1.5 s
 * bound; `busyDuckdb`: a DuckDB sort of minutes runs meanwhile (as a checkpoint or the index can).
 */
function stopper(workMs: number, signal: NodeJS.Signals, busyDuckdb = false): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  const script = `
    const { interruptOnSignals } = await import(${JSON.stringify(MODULE)});
    if (${busyDuckdb}) {
      const { DuckDBInstance } = (await import(${JSON.stringify(DUCKDB)})).default;
      const conn = await (await DuckDBInstance.create(':memory:')).connect();
      conn.run('SELECT count(*) FROM (SELECT md5(range::VARCHAR) AS h FROM range(500000000) ORDER BY h)').catch(() => {});
    }
    const stop = interruptOnSignals((t) => process.stderr.write(t), 'stopping', 'stopped at once', 1500);
    const keepAlive = setInterval(() => {}, 1000);
    stop.signal.addEventListener('abort', () => {
      if (${workMs} < 0) return;
      setTimeout(() => { clearInterval(keepAlive); stop.dispose(); process.stderr.write('stopped cleanly\\n'); }, ${workMs});
    });
    process.stderr.write('ready\\n');`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let stderr = '';
    let sentAt = 0;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sentAt && stderr.includes('ready\n')) {
        sentAt = Date.now();
        child.kill(signal);
      }
    });
    // Never left behind sorting, whatever the outcome.
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code, sig) => clearTimeout(guard));
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr, ms: Date.now() - sentAt }));
  });
}

describe('the first Ctrl-C or SIGTERM with work that never reaches its safe point', () => {
  it('stops the process after the bound by SIGINT (130 in the shell) and says why', { timeout: 30_000 }, async () => {
    const r = await stopper(-1, 'SIGINT');
    expect([r.code, r.signal]).toEqual([null, 'SIGINT']);
    expect(r.stderr).toMatch(/Ctrl-C: still stopping after 2 s; stopped at once/);
    expect(r.ms).toBeGreaterThanOrEqual(1400);
  });

  it('ends by SIGTERM (143) for SIGTERM', { timeout: 30_000 }, async () => {
    const r = await stopper(-1, 'SIGTERM');
    expect([r.code, r.signal]).toEqual([null, 'SIGTERM']);
    expect(r.stderr).toMatch(/SIGTERM: still stopping after/);
  });

  it('ends even while a DuckDB statement runs (process.exit waited minutes for it)', { timeout: 60_000 }, async () => {
    const r = await stopper(-1, 'SIGINT', true);
    expect([r.code, r.signal]).toEqual([null, 'SIGINT']);
    expect(r.stderr).toMatch(/still stopping after/);
    // The bound plus the loaded machine's slack, not the sort's minutes.
    expect(r.ms).toBeLessThan(15_000);
  });

  it('lets a stop that ends in time exit as usual, without forcing it', { timeout: 30_000 }, async () => {
    const r = await stopper(200, 'SIGINT');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stopped cleanly/);
    expect(r.stderr).not.toMatch(/still stopping/);
  });
});
