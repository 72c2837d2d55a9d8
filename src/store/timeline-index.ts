/**
 * The timeline index: a slim copy of `events`, sorted by (ts, event_id), holding what the TUI's
 * list shows and filters on.
 *
 * Why: ingest appends files one after another, so `events` is in ingest order, not time order,
 * and DuckDB's min/max zone maps cannot skip row groups for `ts >= $t`: every keyset page scans
 * the whole ts column (≈20–60 ms on 10M events, 2 cores), and a pivot on an address scans 10M
 * high-cardinality strings (≈100–200 ms). Sorted by time, a page touches one or two row groups
 * (≈5 ms), and hashed pivot columns let a pivot compare integers before strings (≈20 ms).
 *
 * Cost: one sort of the display columns — about 30 s and 2 GB of memory for 10M events on two
 * cores, and ≈60 % of the events table on disk. Build it at the end of ingest (`buildTimelineIndex`);
 * opening a case never builds it. The TUI uses it only while it is fresh (`timeline_meta.events`
 * equals the events count) and falls back to `events` otherwise, with the same results.
 */
import type { CaseDb } from './case-db.js';

/** Bump when the table's columns or meaning change; an index of another version is ignored. */
export const TIMELINE_INDEX_VERSION = 1;

/** Columns of `timeline` that are copied from `events` (the list's columns and filter keys). */
export const TIMELINE_COLUMNS = [
  'ts',
  'event_id',
  'source',
  'host',
  'actor',
  'action',
  'outcome',
  'src_ip',
  'dst_ip',
  'session',
  'access_key',
  'target',
  'summary',
] as const;

/**
 * Pivot keys with many distinct values, also stored as a 64-bit hash (`<column>_h`): a pivot
 * compares integers over the whole table and strings only where the hash matched.
 */
export const HASHED_COLUMNS = ['src_ip', 'dst_ip', 'actor', 'target', 'session'] as const;

export interface TimelineIndexStatus {
  /** `fresh`: built for exactly the events in the case; `stale`: events were added since; `absent`. */
  state: 'fresh' | 'stale' | 'absent';
  /** Events the index was built over (null when absent). */
  indexedEvents: number | null;
  builtAt: string | null;
}

/**
 * (Re)builds `timeline` and `timeline_meta` in one transaction. Needs a read-write case. Call it
 * after ingest (and after anything else that adds events); it replaces a previous index.
 */
export async function buildTimelineIndex(db: CaseDb): Promise<{ events: number; ms: number }> {
  const t0 = performance.now();
  await db.run('BEGIN TRANSACTION');
  try {
    // preserve_insertion_order (DuckDB's default) keeps the ORDER BY as the physical order.
    await db.run(`CREATE OR REPLACE TABLE timeline AS
      SELECT ${TIMELINE_COLUMNS.join(', ')}, ${HASHED_COLUMNS.map((c) => `hash(${c}) AS ${c}_h`).join(', ')}
      FROM events ORDER BY ts, event_id`);
    await db.run(`CREATE OR REPLACE TABLE timeline_meta AS
      SELECT ${TIMELINE_INDEX_VERSION}::INTEGER AS version, (SELECT count(*) FROM timeline)::BIGINT AS events, now()::TIMESTAMP AS built_at`);
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const row = await db.one<{ events: number }>('SELECT events FROM timeline_meta');
  return { events: Number(row?.events ?? 0), ms: performance.now() - t0 };
}

/** Is there an index, and does it cover exactly the case's events? Cheap (metadata and counts). */
export async function timelineIndexStatus(db: Pick<CaseDb, 'all'>): Promise<TimelineIndexStatus> {
  const tables = await db.all<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_name IN ('timeline', 'timeline_meta')`,
  );
  if (tables.length < 2) return { state: 'absent', indexedEvents: null, builtAt: null };
  const meta = (await db.all<{ version: number; events: number; built_at: string; now_events: number }>(
    `SELECT version, events, built_at, (SELECT count(*) FROM events) AS now_events FROM timeline_meta LIMIT 1`,
  ))[0];
  if (!meta || Number(meta.version) !== TIMELINE_INDEX_VERSION) return { state: 'absent', indexedEvents: null, builtAt: null };
  const fresh = Number(meta.events) === Number(meta.now_events);
  return { state: fresh ? 'fresh' : 'stale', indexedEvents: Number(meta.events), builtAt: meta.built_at };
}
