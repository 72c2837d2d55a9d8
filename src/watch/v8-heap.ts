/**
 * Issue 15's memory budget: V8's heap in a watcher that runs for days (and, below, issue 14's for correlate) (measured on the 10M soak,
 * bench/watch.mjs, bench/RESULTS.md "dwell watch (issue 15)").
 *
 * - The young generation. While a backlog is parsed (events live until their extent is stored),
 *   most young objects survive a scavenge, and V8 answers a high survival rate by doubling the
 *   semi-spaces up to 16 MB each: 30–45 MB that it keeps long after the burst. Set to 1, the
 *   growth factor keeps them at their starting 1 MB. (`--max-semi-space-size` is read only when
 *   the heap is set up: given through v8.setFlagsFromString it changes nothing, measured; the
 *   growth factor is read each time the new space grows. Re-executing the watcher with the flag
 *   would take a second process to forward signals, stdio and exit codes through.)
 * - The old generation. With small semi-spaces more of each extent's short-lived objects are
 *   promoted, and V8 lets the old generation grow up to 4× what survived the last full GC before
 *   collecting again: a sawtooth from 20 to 70–90 MB. Growing by 20 % instead keeps it near
 *   what is live, at the cost of more full GCs (measured as the watcher's CPU seconds).
 *
 * Both must be set before the CLI's modules load (loading them already grows the new space to
 * 8 MB, and a full GC does not shrink it back): bin/dwell.js calls capV8Heap first for
 * `dwell watch`. This module imports nothing but node:v8, so importing it allocates next to nothing.
 */
import v8 from 'node:v8';

/** The new space's current size (both semi-spaces), in bytes, as V8 reports it. */
export function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/** The V8 flags each command's heap is capped with, set before its modules load (bin/dwell.js). */
export const V8_HEAP_FLAGS: Readonly<Record<string, readonly string[]>> = {
  watch: ['--semi-space-growth-factor=1', '--heap-growing-percent=20'],
  // Issue 14: a correlation on the 10M-event case let its old generation grow to 230–300 MB (of
  // which ~45 MB is live at the findings step) before a full GC, and that sawtooth decided the
  // process's peak (bench/RESULTS.md, "Correlation (issue 7)", 2026-12-08 corrmem). 20 % keeps the
  // heap near what is live, for CPU time within the load's noise. The young generation's cap
  // (watch's other flag) was not measured for correlate and is left as V8 has it.
  correlate: ['--heap-growing-percent=20'],
};

/**
 * Sets the command's flags; `DWELL_WATCH_V8_HEAP=default` (watch) or `DWELL_V8_HEAP=default` (any
 * command) leaves V8's defaults, for comparison in the bench and the tests. Returns the flags set.
 */
export function capV8Heap(command: string, env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const flags = Object.hasOwn(V8_HEAP_FLAGS, command) ? V8_HEAP_FLAGS[command]! : [];
  if (env.DWELL_V8_HEAP === 'default' || (command === 'watch' && env.DWELL_WATCH_V8_HEAP === 'default')) return [];
  for (const f of flags) v8.setFlagsFromString(f);
  return flags;
}
