/**
 * SQL for the TUI's view, built from a ViewQuery. Pure: returns text and named parameters.
 * Every value from the analyst or from evidence (filter values, pivot values, search text) is a
 * parameter; only numbers the code itself produced (limits, bucket counts) are written inline.
 *
 * Paging is keyset pagination on (ts, event_id):
 *   after  (T, I):  ts >= T AND (ts > T OR event_id > I)   ORDER BY ts, event_id        LIMIT n
 *   before (T, I):  ts <= T AND (ts < T OR event_id < I)   ORDER BY ts DESC, event_id DESC LIMIT n
 * written with a bare `ts >= T` conjunct (rather than the row comparison `(ts, event_id) > (T, I)`)
 * so DuckDB can push it down and skip row groups by their min/max — on the time-sorted timeline
 * index a page reads one or two row groups.
 *
 * A filter that can match either of two columns (ip: src_ip or dst_ip; user: actor or target) is
 * run as a UNION ALL of one branch per column (the second excluding what the first matched)
 * instead of an OR, which DuckDB cannot push into the scan (measured: 130 ms → 15 ms on 10M).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { EVENT_COLUMNS } from '../../core/event.js';
import { csvLineSql } from '../../core/output/csv.js';
import { UNTRUSTED_TIMES, type Filter, type ViewQuery } from '../state/filters.js';
import { HASHED_COLUMNS } from '../../store/timeline-index.js';
import type { RowKey, TableKind } from './types.js';

export interface SqlContext {
  table: TableKind;
  /** Newest findings run, or null when the case has none (attack view and phase filters match nothing). */
  findingsId: number | null;
  /**
   * Where the events with untrusted times lie, as found when the case was opened: null when there
   * are none (the default view then costs nothing more); absent when not known (then they are
   * found by time_quality, which the timeline index does not have: a scan of `events`).
   */
  hidden?: HiddenTimes | null;
}

/** Events with a relative or implausible time (UNTRUSTED_TIMES), which the default view leaves out. */
export interface HiddenTimes {
  count: number;
  /** First and last time (µs) of the other events; null when every event is hidden. */
  trusted: { fromUs: number; toUs: number } | null;
  /** Some hidden events lie within `trusted` (rare): they are left out by id as well. */
  interleaved: boolean;
}

export interface Sql {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/** Columns of a list row. */
export const LIST_COLUMNS = 'epoch_us(ts) AS ts_us, event_id, source, host, actor, action, outcome, src_ip, dst_ip, session, access_key, target, summary';

class Params {
  readonly values: Record<string, DuckDBValue> = {};
  private n = 0;
  add(v: DuckDBValue): string {
    const name = `p${this.n++}`;
    this.values[name] = v;
    return `$${name}`;
  }
  /** A microsecond time as a TIMESTAMP expression. */
  ts(us: number): string {
    return `make_timestamp(${this.add(BigInt(Math.round(us)))}::BIGINT)`;
  }
  id(eventId: number): string {
    return `${this.add(BigInt(eventId))}::BIGINT`;
  }
}

/** `\`, `%` and `_` are literal in the analyst's text; `*` is the only wildcard. */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

const COLUMN: Record<string, string> = { source: 'source', host: 'host', actor: 'actor', action: 'action', outcome: 'outcome', key: 'access_key' };
/** Hashed copies of high-cardinality columns in the timeline index (see src/store/timeline-index.ts). */
const HASHED: ReadonlySet<string> = new Set(HASHED_COLUMNS);

/** `col` matches any of values (exact or `*` globs). */
function anyOf(col: string, values: string[], p: Params, ctx: SqlContext, literal = false): string {
  const exact = literal ? values : values.filter((v) => !v.includes('*'));
  const globs = literal ? [] : values.filter((v) => v.includes('*'));
  const parts: string[] = [];
  if (exact.length > 0) {
    const names = exact.map((v) => p.add(v));
    const eq = names.length === 1 ? `${col} = ${names[0]}` : `${col} IN (${names.join(', ')})`;
    if (ctx.table === 'timeline' && HASHED.has(col)) {
      // Compare 8-byte hashes first: a scan of integers, then strings only where the hash matched.
      const h = names.length === 1 ? `${col}_h = hash(${names[0]})` : `${col}_h IN (${names.map((n) => `hash(${n})`).join(', ')})`;
      parts.push(`(${h} AND ${eq})`);
    } else {
      parts.push(eq);
    }
  }
  for (const g of globs) parts.push(`${col} LIKE ${p.add(likePattern(g))} ESCAPE '\\'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function noneOf(col: string, values: string[], p: Params, ctx: SqlContext, literal = false): string {
  return `(${col} IS NULL OR NOT ${anyOf(col, values, p, ctx, literal)})`;
}

function sessionCond(value: string, p: Params, ctx: SqlContext): string {
  const at = value.lastIndexOf('@');
  const session = anyOf('session', [at <= 0 ? value : value.slice(0, at)], p, ctx, true);
  return at <= 0 ? session : `(${session} AND host = ${p.add(value.slice(at + 1))})`;
}

function attackSet(ctx: SqlContext, p: Params, phases?: string[]): string {
  if (ctx.findingsId === null) return '(SELECT NULL::BIGINT WHERE false)';
  const phaseCond = phases ? ` AND phase IN (${phases.map((v) => p.add(v)).join(', ')})` : '';
  return `(SELECT event_id FROM attack_events WHERE findings_id = ${p.add(ctx.findingsId)}${phaseCond})`;
}

const TWO_COLUMNS: Record<string, [string, string]> = { ip: ['src_ip', 'dst_ip'], user: ['actor', 'target'] };

interface Conditions {
  /** AND-ed conditions. */
  all: string[];
  /** When set, the rows are the UNION ALL of one branch per entry (each AND-ed with `all`). */
  branches: string[] | null;
}

function conditions(q: ViewQuery, ctx: SqlContext, p: Params): Conditions {
  const all: string[] = [];
  let branches: string[] | null = null;
  if (q.attack) all.push(`event_id IN ${attackSet(ctx, p)}`);
  for (const f of q.filters) addFilter(f, ctx, p, all, (b) => {
    if (branches === null) {
      branches = b;
      return true;
    }
    return false;
  });
  if (!q.filters.some((f) => f.kind === 'clock')) hideUntrusted(ctx, p, all);
  return { all, branches };
}

/**
 * The default view's condition: no event with an untrusted time. On the timeline index (which has
 * no time_quality) the hidden events are kept out by the time range of the others — a bound DuckDB
 * prunes row groups with, so it costs nothing — and by id only for the few that fall inside it.
 */
function hideUntrusted(ctx: SqlContext, p: Params, all: string[]): void {
  const h = ctx.hidden;
  if (h === null) return;
  const untrusted = () => UNTRUSTED_TIMES.map((v) => p.add(v)).join(', ');
  if (ctx.table === 'events') {
    all.push(`(time_quality IS NULL OR time_quality NOT IN (${untrusted()}))`);
    return;
  }
  if (h === undefined) {
    all.push(`event_id NOT IN (SELECT event_id FROM events WHERE time_quality IN (${untrusted()}))`);
    return;
  }
  if (!h.trusted) {
    all.push('false');
    return;
  }
  const lo = p.ts(h.trusted.fromUs);
  const hi = p.ts(h.trusted.toUs);
  all.push(`ts >= ${lo}`, `ts <= ${hi}`);
  if (h.interleaved) all.push(`event_id NOT IN (SELECT event_id FROM events WHERE time_quality IN (${untrusted()}) AND ts >= ${lo} AND ts <= ${hi})`);
}

function addFilter(f: Filter, ctx: SqlContext, p: Params, all: string[], branch: (b: string[]) => boolean): void {
  if (f.kind === 'clock') {
    if (f.qualities === null) return;
    const list = f.qualities.map((v) => p.add(v)).join(', ');
    all.push(ctx.table === 'events' ? `time_quality IN (${list})` : `event_id IN (SELECT event_id FROM events WHERE time_quality IN (${list}))`);
    return;
  }
  if (f.kind === 'marked') {
    all.push('event_id IN (SELECT event_id FROM annotations)');
    return;
  }
  if (f.kind === 'time') {
    if (f.fromUs !== null) all.push(`ts >= ${p.ts(f.fromUs)}`);
    if (f.toUs !== null) all.push(`ts <= ${p.ts(f.toUs)}`);
    return;
  }
  const { field, values, negate } = f;
  const lit = f.exact === true;
  if (field === 'phase') {
    all.push(`event_id ${negate ? 'NOT IN' : 'IN'} ${attackSet(ctx, p, values)}`);
    return;
  }
  if (field === 'session') {
    const any = values.length === 1 ? sessionCond(values[0]!, p, ctx) : `(${values.map((v) => sessionCond(v, p, ctx)).join(' OR ')})`;
    all.push(negate ? `NOT coalesce(${any}, false)` : any);
    return;
  }
  const two = TWO_COLUMNS[field];
  if (two) {
    const [a, b] = two;
    if (negate) {
      all.push(noneOf(a, values, p, ctx, lit), noneOf(b, values, p, ctx, lit));
      return;
    }
    const first = anyOf(a, values, p, ctx, lit);
    const second = `${anyOf(b, values, p, ctx, lit)} AND ${noneOf(a, values, p, ctx, lit)}`;
    if (!branch([first, second])) all.push(`(${first} OR (${second}))`);
    return;
  }
  const col = COLUMN[field]!;
  all.push(negate ? noneOf(col, values, p, ctx, lit) : anyOf(col, values, p, ctx, lit));
}

/** The view's rows as a relation with `columns` (each branch of a union selects the same columns). */
function relation(q: ViewQuery, ctx: SqlContext, p: Params, extra: string[], columns: string): string {
  const c = conditions(q, ctx, p);
  const where = (more: string[]) => {
    const conds = [...c.all, ...extra, ...more];
    return conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
  };
  if (!c.branches) return `SELECT ${columns} FROM ${ctx.table}${where([])}`;
  return c.branches.map((b) => `SELECT ${columns} FROM ${ctx.table}${where([b])}`).join(' UNION ALL ');
}

export type KeysetBound = { kind: 'after'; key: RowKey; inclusive?: boolean } | { kind: 'before'; key: RowKey; inclusive?: boolean };

function keyset(bound: KeysetBound, p: Params): string {
  const t = p.ts(bound.key.tsUs);
  const id = p.id(bound.key.eventId);
  return bound.kind === 'after'
    ? `ts >= ${t} AND (ts > ${t} OR event_id ${bound.inclusive ? '>=' : '>'} ${id})`
    : `ts <= ${t} AND (ts < ${t} OR event_id ${bound.inclusive ? '<=' : '<'} ${id})`;
}

/**
 * The keys (ts, event_id) of one page: from the start, from the end (descending), or after/before
 * a key. Keys only: DuckDB's top-N then reads two narrow columns (plus the filtered ones) instead
 * of every shown column of every candidate row — on 10M events that is ~5 ms instead of ~50 on
 * the index, ~60 instead of ~600 without. rowsSql() fetches the rows of the page by these keys.
 * Descending pages come back in descending order; the caller reverses them.
 */
export function pageKeysSql(
  q: ViewQuery,
  ctx: SqlContext,
  from: { kind: 'start' } | { kind: 'end' } | KeysetBound,
  limit: number,
  /** Only rows in this time window (exclusive ends): see DuckDbSource.keys. */
  window: { afterUs?: number; beforeUs?: number } = {},
): Sql {
  const p = new Params();
  const extra = from.kind === 'after' || from.kind === 'before' ? [keyset(from, p)] : [];
  if (window.afterUs !== undefined) extra.push(`ts > ${p.ts(window.afterUs)}`);
  if (window.beforeUs !== undefined) extra.push(`ts < ${p.ts(window.beforeUs)}`);
  const desc = from.kind === 'end' || from.kind === 'before';
  const order = desc ? 'ts DESC, event_id DESC' : 'ts, event_id';
  const rel = relation(q, ctx, p, extra, 'ts, event_id');
  return { sql: `SELECT epoch_us(ts) AS ts_us, event_id FROM (${rel}) ORDER BY ${order} LIMIT ${Math.max(1, Math.floor(limit))}`, params: p.values };
}

/**
 * The list rows for keys from pageKeysSql (any order), in time order. The time range lets DuckDB
 * skip row groups (all but one or two on the time-sorted index).
 */
export function rowsSql(ctx: SqlContext, keys: RowKey[]): Sql {
  const p = new Params();
  const lo = Math.min(...keys.map((k) => k.tsUs));
  const hi = Math.max(...keys.map((k) => k.tsUs));
  const ids = p.add(`[${keys.map((k) => Math.trunc(k.eventId)).join(',')}]`);
  return {
    sql: `SELECT ${LIST_COLUMNS} FROM ${ctx.table} WHERE ts >= ${p.ts(lo)} AND ts <= ${p.ts(hi)} AND event_id IN (SELECT unnest(${ids}::BIGINT[])) ORDER BY ts, event_id`,
    params: p.values,
  };
}

/** Rows in the view (before `key` when given): the "of N" in the status line. */
export function countSql(q: ViewQuery, ctx: SqlContext, before?: RowKey): Sql {
  const p = new Params();
  const extra = before ? [keyset({ kind: 'before', key: before }, p)] : [];
  return { sql: `SELECT count(*) AS n FROM (${relation(q, ctx, p, extra, 'event_id')})`, params: p.values };
}

/** First and last time of the view, for the density bar. */
export function rangeSql(q: ViewQuery, ctx: SqlContext): Sql {
  const p = new Params();
  return { sql: `SELECT epoch_us(min(ts)) AS lo, epoch_us(max(ts)) AS hi FROM (${relation(q, ctx, p, [], 'ts')})`, params: p.values };
}

/** Events per bucket of `bucketUs` from `fromUs`, over the view (bucket index b, count n). */
export function densitySql(q: ViewQuery, ctx: SqlContext, fromUs: number, bucketUs: number, buckets: number): Sql {
  const p = new Params();
  const lo = p.add(BigInt(Math.floor(fromUs)));
  const w = p.add(BigInt(Math.max(1, Math.floor(bucketUs))));
  const hiUs = fromUs + bucketUs * buckets;
  const rel = relation(q, ctx, p, [`ts >= ${p.ts(fromUs)}`, `ts < ${p.ts(hiUs)}`], 'ts');
  return {
    sql: `SELECT CAST((epoch_us(ts) - ${lo}::BIGINT) // ${w}::BIGINT AS INTEGER) AS b, count(*) AS n FROM (${rel}) GROUP BY b`,
    params: p.values,
  };
}

/** Attack events per bucket and phase (the density bar's colours); independent of filters. */
export function attackDensitySql(findingsId: number, fromUs: number, bucketUs: number, buckets: number): Sql {
  const p = new Params();
  const lo = p.add(BigInt(Math.floor(fromUs)));
  const w = p.add(BigInt(Math.max(1, Math.floor(bucketUs))));
  return {
    sql: `SELECT CAST((epoch_us(ts) - ${lo}::BIGINT) // ${w}::BIGINT AS INTEGER) AS b, phase, count(*) AS n FROM attack_events
          WHERE findings_id = ${p.add(findingsId)} AND ts >= ${p.ts(fromUs)} AND ts < ${p.ts(fromUs + bucketUs * buckets)} GROUP BY b, phase`,
    params: p.values,
  };
}

/** Columns the text search (`/`) looks in: the ones the list shows, and the raw line as logged. */
export const SEARCH_COLUMNS = ['summary', 'raw', 'host', 'actor', 'action', 'source'] as const;
/** The shown ones, which the timeline index has. */
export const SHOWN_COLUMNS = ['summary', 'host', 'actor', 'action', 'source'] as const;

export interface FindOptions {
  /** Default `events` (which has the raw line). */
  table?: TableKind;
  columns?: readonly string[];
  /** Only rows in this time window (exclusive ends). */
  window?: { afterUs?: number; beforeUs?: number };
}

/** The next (dir 1) or previous (dir -1) row of the view whose text contains `text` (any case). */
export function findSql(q: ViewQuery, context: SqlContext, text: string, from: RowKey, dir: 1 | -1, inclusive = false, opts: FindOptions = {}): Sql {
  const ctx: SqlContext = { ...context, table: opts.table ?? 'events' };
  const p = new Params();
  // Literal text: no wildcard at all (a `*` in a log line is just a star).
  const pat = p.add(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const match = `(${(opts.columns ?? SEARCH_COLUMNS).map((c) => `${c} ILIKE ${pat} ESCAPE '\\'`).join(' OR ')})`;
  const extra = [keyset({ kind: dir === 1 ? 'after' : 'before', key: from, inclusive }, p), match];
  if (opts.window?.afterUs !== undefined) extra.push(`ts > ${p.ts(opts.window.afterUs)}`);
  if (opts.window?.beforeUs !== undefined) extra.push(`ts < ${p.ts(opts.window.beforeUs)}`);
  const rel = relation(q, ctx, p, extra, 'epoch_us(ts) AS ts_us, event_id, ts');
  return { sql: `SELECT ts_us, event_id FROM (${rel}) ORDER BY ${dir === 1 ? 'ts, event_id' : 'ts DESC, event_id DESC'} LIMIT 1`, params: p.values };
}

export type ExportFormat = 'csv' | 'jsonl';

/** What the TUI's export writes per event: every events column, provenance and the attack phase. */
export const EXPORT_COLUMNS: readonly (readonly [string, string])[] = [
  ...EVENT_COLUMNS.map(([n]) => [n, `e."${n}"`] as const),
  ['evidence_path', 'ev.path'],
  ['evidence_sha256', 'ev.sha256'],
  ['attack_phase', 'a.phase'],
];

/**
 * The view as lines of text (column `line`), in time order: CSV through the same cell lambda as
 * every other CSV (formula cells neutralized, src/core/output/csv.ts) or one JSON object per line.
 * Always reads `events` (the index lacks raw and attrs). The caller streams the lines into a file
 * of the output module: the path never reaches SQL.
 */
export function exportSql(q: ViewQuery, findingsId: number | null, format: ExportFormat): Sql & { header: string | null } {
  const p = new Params();
  const ctx: SqlContext = { table: 'events', findingsId };
  const rel = relation(q, ctx, p, [], '*');
  const phases =
    findingsId === null
      ? '(SELECT NULL::BIGINT AS event_id, NULL::VARCHAR AS phase WHERE false)'
      : `(SELECT event_id, min(phase) AS phase FROM attack_events WHERE findings_id = ${p.add(findingsId)} GROUP BY event_id)`;
  const line =
    format === 'csv'
      ? csvLineSql(EXPORT_COLUMNS.map(([, e]) => e))
      : `to_json({${EXPORT_COLUMNS.map(([n, e]) => `'${n}': ${e}`).join(', ')}})::VARCHAR`;
  const sql = `SELECT ${line} AS line
    FROM (${rel}) e LEFT JOIN evidence ev ON ev.evidence_id = e.evidence_id LEFT JOIN ${phases} a ON a.event_id = e.event_id
    ORDER BY e.ts, e.event_id`;
  return { sql, params: p.values, header: format === 'csv' ? EXPORT_COLUMNS.map(([n]) => n).join(',') : null };
}

/**
 * The view on screen (filters, pivot, attack view, hidden times) as `SELECT * FROM events …`: what
 * the `:` prompt calls `view` (src/case-tools/view-query.ts).
 */
export function viewSql(q: ViewQuery, findingsId: number | null): Sql {
  const p = new Params();
  return { sql: relation(q, { table: 'events', findingsId }, p, [], '*'), params: p.values };
}
