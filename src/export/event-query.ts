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

/** SELECT <select> … ORDER BY time: the export's rows. */
export function selectQuery(q: ViewQuery, select: string, opts: { order?: boolean; from?: string } = {}): Sql {
  const p = new SqlParams();
  const sql = `SELECT ${select}\n${fromWhere(q, p, opts.from)}${opts.order === false ? '' : '\nORDER BY e.ts, e.event_id'}`;
  return { sql, params: p.values };
}

/** How many rows the export will write (for progress). */
export function countQuery(q: ViewQuery): Sql {
  const p = new SqlParams();
  return { sql: `SELECT count(*) AS n\n${fromWhere(q, p)}`, params: p.values };
}

/** The newest findings run of the case, or null. */
export async function newestFindingsId(db: CaseDb): Promise<number | null> {
  const row = await db.one<{ id: number | null }>(`SELECT max(findings_id) AS id FROM findings`);
  return row?.id ?? null;
}

export async function countRows(db: CaseDb, q: ViewQuery): Promise<number> {
  const c = countQuery(q);
  const row = await db.one<{ n: number }>(c.sql, c.params);
  return Number(row?.n ?? 0);
}
