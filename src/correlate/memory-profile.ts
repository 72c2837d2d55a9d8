/**
 * DWELL_MEMORY=1: where a correlate run holds its memory, on standard error. Every half second one
 * line: the process's resident set (VmRSS), V8's heap, memory held by JS buffers outside the heap,
 * and what DuckDB says it holds (`duckdb_memory()`, by tag, read on a connection of its own), with
 * the step the run is in. Issue 14 needs the peak under 1 GB; this says which step and which part
 * (JS, DuckDB's tracked memory, or the rest: allocator caches, untracked buffers) makes it.
 */
import { readFileSync } from 'node:fs';
import type { DuckDBInstance } from '@duckdb/node-api';

const enabled = process.env.DWELL_MEMORY === '1';
/**
 * Milliseconds between samples, here and in the parse workers: 500 unless DWELL_MEMORY_INTERVAL_MS
 * says otherwise (10 at least) — a run of a few small files ends before a half-second tick, after
 * its workers have gone, and then no sample shows them (a test needs them).
 */
export const MEMORY_INTERVAL_MS = Math.max(10, Number(process.env.DWELL_MEMORY_INTERVAL_MS) || 500);
let step = 'start';

/** What a worker thread last reported of its own isolate (its V8 heap and buffers are not in this thread's numbers). */
export interface ThreadMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
}
const threads = new Map<string, ThreadMemory>();

/** Whether samples are taken (workers report their memory only then). */
export function memoryProfileEnabled(): boolean {
  return enabled;
}

/** A worker's latest numbers, shown beside the main thread's in each sample; null when it ends. */
export function threadMemory(name: string, m: ThreadMemory | null): void {
  if (m) threads.set(name, m);
  else threads.delete(name);
}

/** Names the step the run is in, for the samples that follow. */
export function memoryStep(name: string): void {
  step = name;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

function rssKb(): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : Math.round(process.memoryUsage.rss() / 1024);
  } catch {
    return Math.round(process.memoryUsage.rss() / 1024);
  }
}

/** Starts sampling (when DWELL_MEMORY=1); returns the function that stops it and prints the peak. */
export async function startMemoryProfile(instance: DuckDBInstance): Promise<() => Promise<void>> {
  if (!enabled) return async () => {};
  const conn = await instance.connect();
  const t0 = Date.now();
  let peak = { kb: 0, line: '' };
  let busy = false;
  let inFlight: Promise<void> = Promise.resolve();
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const m = process.memoryUsage();
      let duck = '';
      try {
        const r = await conn.runAndReadAll(`SELECT tag, (memory_usage_bytes + temporary_storage_bytes)::BIGINT AS b FROM duckdb_memory() WHERE memory_usage_bytes + temporary_storage_bytes > 0 ORDER BY b DESC`);
        const rows = r.getRowObjectsJS() as { tag: string; b: bigint }[];
        const total = rows.reduce((s, x) => s + Number(x.b), 0);
        duck = `duckdb=${mb(total)} (${rows.slice(0, 4).map((x) => `${x.tag.toLowerCase()} ${mb(Number(x.b))}`).join(', ')})`;
      } catch (err) {
        duck = `duckdb=? (${(err as Error).message.split('\n')[0]})`;
      }
      const kb = rssKb();
      const workers = [...threads].map(([name, w]) => ` ${name}=${mb(w.heapUsed)}/${mb(w.heapTotal)}+${mb(w.external)}`).join('');
      // Worker threads' heaps (heap used/total + external) after DuckDB's part: the line's start stays as it was.
      const line = `memory: ${((Date.now() - t0) / 1000).toFixed(1)}s step=${step} rss=${Math.round(kb / 1024)} heap=${mb(m.heapUsed)}/${mb(m.heapTotal)} external=${mb(m.external)} ${duck}${workers}`;
      if (kb > peak.kb) peak = { kb, line };
      process.stderr.write(line + '\n');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    if (!busy) inFlight = sample();
  }, MEMORY_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    // A sample's query may still run: closing its connection under it can hang the process at exit.
    await inFlight.catch(() => {});
    // A run shorter than the interval still says what it held.
    if (peak.line === '') await sample().catch(() => {});
    process.stderr.write(`memory: peak ${peak.line.replace(/^memory: /, '')}\n`);
    conn.closeSync();
  };
}
