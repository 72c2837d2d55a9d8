/**
 * The rows of a timeline export: `events` (alias `e`) with their evidence file (`v`) and, for
 * `--what attack`, the attacker's events of the newest findings run (`a`, from `attack_events`),
 * filtered (filters.ts) and in time order. Formats choose their columns as SQL expressions over
 * these aliases; values from the analyst are parameters.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { CaseDb } from '../store/case-db.js';
import { filterCondition, SqlParams, type TimelineFilters } from './filters.js';

export type EventView = 'timeline' | 'attack';

/** ISO 8601 UTC with microseconds, e.g. 2026-01-02T02:16:40.118842Z. */
export function isoSql(col: string): string {
  return `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
}

/** Normalized fields of an exported event, in output order, as SQL over e / v / a. */
export const EVENT_FIELDS: readonly (readonly [string, string])[] = [
  ['event_id', 'e.event_id'],
  ['ts', isoSql('e.ts')],
  ['ts_end', isoSql('e.ts_end')],
  ['time_quality', 'e.time_quality'],
  ['source', 'e.source'],
  ['class', 'e.class'],
  ['action', 'e.action'],
  ['outcome', 'e.outcome'],
  ['host', 'e.host'],
  ['actor', 'e.actor'],
  ['src_ip', 'e.src_ip'],
  ['src_port', 'e.src_port'],
  ['dst_ip', 'e.dst_ip'],
  ['dst_port', 'e.dst_port'],
  ['protocol', 'e.protocol'],
  ['session', 'e.session'],
  ['access_key', 'e.access_key'],
  ['target', 'e.target'],
  ['database', 'e.database'],
  ['bytes_in', 'e.bytes_in'],
  ['bytes_out', 'e.bytes_out'],
  ['packets_in', 'e.packets_in'],
  ['packets_out', 'e.packets_out'],
  ['rows', 'e.rows'],
  ['command', 'e.command'],
  ['community_id', 'e.community_id'],
  ['user_agent', 'e.user_agent'],
  ['summary', 'e.summary'],
  ['attrs', 'e.attrs'],
  ['evidence_id', 'e.evidence_id'],
  ['evidence_file', 'v.path'],
  ['evidence_sha256', 'v.sha256'],
  ['line', 'e.line'],
  ['byte_offset', 'e.byte_offset'],
  ['byte_length', 'e.byte_length'],
  ['raw', 'e.raw'],
];

/** What `--what attack` adds: the phase and ATT&CK technique the correlation gave the event, and why. */
export const ATTACK_FIELDS: readonly (readonly [string, string])[] = [
  ['phase', 'a.phase'],
  ['technique', 'a.technique'],
  ['attack_reason', 'a.reason'],
];

/** The fields of a view: the attack fields come right after the time. */
export function viewFields(view: EventView): (readonly [string, string])[] {
  if (view === 'timeline') return [...EVENT_FIELDS];
  return [EVENT_FIELDS[0]!, EVENT_FIELDS[1]!, ...ATTACK_FIELDS, ...EVENT_FIELDS.slice(2)];
}

export interface ViewQuery {
  view: EventView;
  filters: TimelineFilters;
  /** Newest findings run (attack view, --phase); null when the case has none. */
  findingsId: number | null;
}

export interface Sql {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/** `from`: a FROM clause (code, not input) that binds `e` to events, e.g. another table joined to events. */
function fromWhere(q: ViewQuery, p: SqlParams, from = 'FROM events e'): string {
  const attack =
    q.view === 'attack'
      ? `\nJOIN attack_events a ON a.event_id = e.event_id AND a.findings_id = ${q.findingsId === null ? 'NULL' : p.add(q.findingsId)}`
      : '';
  return `${from}\nLEFT JOIN evidence v ON v.evidence_id = e.evidence_id${attack}\nWHERE ${filterCondition(q.filters, { alias: 'e', findingsId: q.findingsId }, p)}`;
}

/** A slice of the timeline: [fromUs, toUs) in microseconds, or the events without a time. */
export type TimeWindow = { fromUs: number; toUs: number; rows: number } | { nullTs: true; rows: number };

/** SELECT <select> … ORDER BY time: the export's rows (of one time window, when given). */
export function selectQuery(q: ViewQuery, select: string, opts: { order?: boolean; from?: string; window?: TimeWindow } = {}): Sql {
  const p = new SqlParams();
  let where = fromWhere(q, p, opts.from);
  const w = opts.window;
  if (w) {
    where += 'nullTs' in w ? '\n  AND e.ts IS NULL' : `\n  AND e.ts >= make_timestamp(${p.add(BigInt(w.fromUs))}::BIGINT) AND e.ts < make_timestamp(${p.add(BigInt(w.toUs))}::BIGINT)`;
  }
  const sql = `SELECT ${select}\n${where}${opts.order === false ? '' : '\nORDER BY e.ts, e.event_id'}`;
  return { sql, params: p.values };
}

/**
 * Cuts the view into time windows of about `target` rows (whole minutes; a minute holding more
 * stays one window) from a per-minute count, so each window is sorted on its own: sorting the whole
 * timeline at once would hold (or spill) every row. Minutes come in order, so the windows do.
 */
export async function timeWindows(db: CaseDb, q: ViewQuery, target: number): Promise<TimeWindow[]> {
  const p = new SqlParams();
  const rows = await db.all<{ m: number | string | null; n: number }>(
    `SELECT epoch_us(date_trunc('minute', e.ts)) AS m, count(*) AS n\n${fromWhere(q, p)}\nGROUP BY m ORDER BY m NULLS LAST`,
    p.values,
  );
  const out: TimeWindow[] = [];
  let cur: { fromUs: number; toUs: number; rows: number } | null = null;
  for (const r of rows) {
    const n = Number(r.n);
    if (r.m === null) {
      if (cur) out.push(cur);
      cur = null;
      out.push({ nullTs: true, rows: n });
      continue;
    }
    const m = Number(r.m);
    if (cur && cur.rows + n > target) {
      out.push(cur);
      cur = null;
    }
    if (!cur) cur = { fromUs: m, toUs: m + 60_000_000, rows: 0 };
    cur.toUs = m + 60_000_000;
    cur.rows += n;
  }
  if (cur) out.push(cur);
  return out;
}

/** The newest findings run of the case, or null. */
export async function newestFindingsId(db: CaseDb): Promise<number | null> {
  const row = await db.one<{ id: number | null }>(`SELECT max(findings_id) AS id FROM findings`);
  return row?.id ?? null;
}
