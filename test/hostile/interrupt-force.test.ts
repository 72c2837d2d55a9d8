/**
 * A stop that hangs still ends: after the first Ctrl-C or SIGTERM the work has a bounded time to
 * reach its safe point, then the process stops at once with the signal's status and says so (as
 * a second Ctrl-C would; only committed work is in the case, as after `kill -9`). A stop that ends
 * in time exits as usual, without that message. Seen: an ingest that printed "Cannot CHECKPOINT"
 * after Ctrl-C and never exited.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const MODULE = join(ROOT, 'dist', 'cli', 'interrupt.js');

/** A process whose work takes `workMs` to stop after the signal (-1: never stops), with a 1.5 s bound. */
function stopper(workMs: number, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; ms: number }> {
  const script = `
    const { interruptOnSignals } = await import(${JSON.stringify(MODULE)});
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, ms: Date.now() - sentAt }));
  });
}

describe('the first Ctrl-C or SIGTERM with work that never reaches its safe point', () => {
  it('stops the process after the bound with 130 and says why', { timeout: 30_000 }, async () => {
    const r = await stopper(-1, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Ctrl-C: still stopping after 2 s; stopped at once/);
    expect(r.ms).toBeGreaterThanOrEqual(1400);
  });

  it('exits 143 for SIGTERM', { timeout: 30_000 }, async () => {
    const r = await stopper(-1, 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/SIGTERM: still stopping after/);
  });

  it('lets a stop that ends in time exit as usual, without forcing it', { timeout: 30_000 }, async () => {
    const r = await stopper(200, 'SIGINT');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stopped cleanly/);
    expect(r.stderr).not.toMatch(/still stopping/);
  });
});
