/**
 * DWELL_TIMING=1: where a correlate run spends its time, on standard error. Each step's time is
 * summed over the run under its name and written when the sum passes another whole second, so a
 * link run for 300 entities prints a few lines, not 300.
 */
import { memoryStep } from './memory-profile.js';

const enabled = process.env.DWELL_TIMING === '1';
const spent = new Map<string, number>();

export async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  memoryStep(what);
  if (!enabled) return f();
  const t0 = Date.now();
  const r = await f();
  const before = spent.get(what) ?? 0;
  const now = before + Date.now() - t0;
  spent.set(what, now);
  if (Math.floor(now / 1000) > Math.floor(before / 1000)) process.stderr.write(`timing: ${what} ${now} ms so far\n`);
  return r;
}
