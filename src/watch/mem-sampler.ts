/**
 * `DWELL_WATCH_MEMLOG=FILE`: a diagnostic for issue 15's memory budget. Every second it appends one
 * JSON line to FILE with the process's resident memory (VmRSS, VmHWM from /proc), V8's heap and
 * external buffers (process.memoryUsage), and DuckDB's own view (duckdb_memory() by tag, the
 * buffer pool in use, temporary files) — to tell which of them grows while extents are stored.
 * Off unless the variable is set; FILE is the operator's choice, never evidence.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, type CaseDb } from '../store/case-db.js';
import { newSpaceBytes } from './v8-heap.js';

export interface MemSampler {
  stop(): void;
}

function procStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    for (const k of ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile']) {
      const m = new RegExp(`${k}:\\s+(\\d+)`).exec(s);
      if (m) out[k] = Math.round(Number(m[1]) / 1024);
    }
  } catch {
    /* not Linux: the JS and DuckDB figures still say something */
  }
  return out;
}

const MB = 1 << 20;

export async function startMemSampler(db: CaseDb, file: string, everyMs = 1000): Promise<MemSampler> {
  // Its own connection: a query on the watcher's connection would run between a tick's statements.
  const conn: DuckDBConnection = await db.connect();
  let busy = false;
  let stopped = false;
  const t0 = Date.now();
  const sample = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const m = process.memoryUsage();
      const duck = await all<{ tag: string; mb: number; temp_mb: number }>(
        conn,
        `SELECT tag, round(memory_usage_bytes / 1048576, 1) AS mb, round(temporary_storage_bytes / 1048576, 1) AS temp_mb FROM duckdb_memory() WHERE memory_usage_bytes > 0 OR temporary_storage_bytes > 0`,
      );
      const temp = await all<{ n: number; mb: number }>(conn, `SELECT count(*)::INTEGER AS n, coalesce(round(sum(size) / 1048576, 1), 0)::DOUBLE AS mb FROM duckdb_temporary_files()`);
      // The budget DuckDB was given, to read each sample against.
      const settings = await all<{ name: string; value: string }>(
        conn,
        `SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'threads', 'allocator_background_threads', 'allocator_flush_threshold')`,
      );
      const line = {
        t: (Date.now() - t0) / 1000,
        settings: Object.fromEntries(settings.map((r) => [r.name, r.value])),
        ...procStatus(),
        heapUsed: Math.round(m.heapUsed / MB),
        heapTotal: Math.round(m.heapTotal / MB),
        newSpace: Math.round((newSpaceBytes() / MB) * 10) / 10,
        external: Math.round(m.external / MB),
        arrayBuffers: Math.round(m.arrayBuffers / MB),
        duckdb: Object.fromEntries(duck.map((r) => [r.tag, r.mb])),
        duckdbTotal: Math.round(duck.reduce((s, r) => s + r.mb, 0)),
        tempFiles: temp[0],
      };
      appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      /* a diagnostic never stops the watch */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      conn.closeSync();
    },
  };
}
