/**
 * Issue 15's memory budget: V8's young generation. While a backlog is parsed (events live until
 * their extent is stored), most young objects survive a scavenge, and V8 answers a high survival
 * rate by doubling the semi-spaces up to 16 MB each — 30–45 MB of a watcher's RSS that it keeps
 * long after the burst (measured on the 10M soak: 338 MB peak, 293 MB with
 * `--max-semi-space-size=2` given at process start).
 *
 * `--max-semi-space-size` is read only when the heap is set up: given later through
 * v8.setFlagsFromString it changes nothing (measured: new space still 32 MB). The growth factor is
 * read each time the new space grows, so set to 1 it keeps the semi-spaces at their starting size
 * (1 MB) from the call on — without re-executing the watcher in a child process to give it a
 * flag (a second process to forward signals, stdio and exit codes through). It must come before
 * the CLI's modules are loaded (loading them grows the new space to 8 MB, and a full GC does not
 * shrink it back): bin/dwell.js calls it first for `dwell watch`. The cost is more scavenges,
 * measured as CPU in bench/watch.mjs.
 *
 * This module imports nothing but node:v8, so importing it allocates next to nothing.
 */
import v8 from 'node:v8';

/** The new space's current size (both semi-spaces), in bytes, as V8 reports it. */
export function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Keeps the young generation from growing from now on. `DWELL_WATCH_YOUNG_GEN=grow` leaves V8's
 * default (for comparison in the bench).
 */
export function capYoungGeneration(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.DWELL_WATCH_YOUNG_GEN === 'grow') return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
