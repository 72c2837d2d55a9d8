/**
 * Timeline filters of `dwell export` — the TUI's filters as command-line options — compiled to a
 * parameterized SQL condition over `events` (alias `e`). Every value the analyst typed is a bound
 * parameter; the SQL text holds only column names and placeholders this module wrote.
 *
 *   --source auth_log,cloudtrail   any of (comma-separated, or the option repeated)
 *   --host 'web-*'                 `*` is a wildcard; `\`, `%` and `_` are literal
 *   --actor '!root'                a leading `!` negates: none of the values
 *   --ip 203.0.113.77              src_ip or dst_ip
 *   --user deploy                  actor or target
 *   --phase access,actions         events of the newest findings run in those phases
 *   --from 2026-01-02T02:00Z --to 2026-01-02   inclusive; a bare date as --to means the whole day
 *   --text 'copy '                 case-insensitive substring of summary or raw
 *   --include-relative             also events off the timeline (time_quality relative or
 *                                  implausible), which are left out otherwise
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { canonicalIp } from '../core/ip.js';
import { OFF_TIMELINE_QUALITIES } from '../core/event.js';
import { PHASES } from '../correlate/rules.js';

export class FilterError extends Error {}

/** One value filter: any of `values` (none of them when `negate`). */
export interface ValueFilter {
  values: string[];
  negate: boolean;
}

export interface TimelineFilters {
  source?: ValueFilter;
  host?: ValueFilter;
  actor?: ValueFilter;
  /** actor or target */
  user?: ValueFilter;
  /** src_ip or dst_ip */
  ip?: ValueFilter;
  action?: ValueFilter;
  outcome?: ValueFilter;
  /** access_key */
  key?: ValueFilter;
  /** `session` or `session@host` */
  session?: ValueFilter;
  /** phases of the newest findings run */
  phase?: ValueFilter;
  /** inclusive bounds, microseconds since the epoch (UTC) */
  fromUs?: number;
  toUs?: number;
  text?: string;
  /** Keep events whose time is `relative` or `implausible` (left out by default). */
  includeRelative?: boolean;
}

export const VALUE_FILTERS = ['source', 'host', 'actor', 'user', 'ip', 'action', 'outcome', 'key', 'session', 'phase'] as const;
export type ValueFilterName = (typeof VALUE_FILTERS)[number];

/** The raw option values (each possibly repeated) as commander collects them. */
export type FilterOptions = Partial<Record<ValueFilterName, string[]>> & { from?: string; to?: string; text?: string; includeRelative?: boolean };

/** Parses `--host a,b --host c` / `--actor '!root'` into a ValueFilter. */
export function parseValueFilter(name: string, raw: string[]): ValueFilter {
  let negate: boolean | null = null;
  const values: string[] = [];
  for (const item of raw) {
    let v = item;
    const neg = v.startsWith('!');
    if (neg) v = v.slice(1);
    if (negate !== null && neg !== negate) throw new FilterError(`--${name}: mix of negated (!) and plain values; use one or the other`);
    negate = neg;
    values.push(...v.split(',').filter((s) => s !== ''));
  }
  if (values.length === 0) throw new FilterError(`--${name}: no value`);
  return { values, negate: negate ?? false };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO 8601 time → microseconds UTC. A time without a zone is UTC (like everything in the case).
 * `endOfDay`: a bare date means its last microsecond (for --to).
 */
export function parseIsoMicros(text: string, endOfDay = false): number {
  const t = text.trim();
  if (DATE_ONLY.test(t)) {
    const ms = Date.parse(`${t}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== t) throw new FilterError(`"${t}" is not a valid date`);
    return endOfDay ? (ms + 86_400_000) * 1000 - 1 : ms * 1000;
  }
  const m = ISO.exec(t);
  if (!m) throw new FilterError(`"${t}" is not an ISO 8601 time (e.g. 2026-01-02T02:14:00Z)`);
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const check = new Date(base);
  if (Number.isNaN(base) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) {
    throw new FilterError(`"${t}" is not a valid time`);
  }
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const micros = Number(((frac ?? '') + '000000').slice(0, 6));
  return (base - offsetMin * 60_000) * 1000 + micros;
}

/** Validates and converts the CLI options. */
export function parseFilterOptions(opts: FilterOptions): TimelineFilters {
  const f: TimelineFilters = {};
  for (const name of VALUE_FILTERS) {
    const raw = opts[name];
    if (raw && raw.length > 0) f[name] = parseValueFilter(name, raw);
  }
  // Addresses are canonical in the case (core/ip.ts): `::ffff:203.0.113.77` finds 203.0.113.77.
  if (f.ip) f.ip = { ...f.ip, values: f.ip.values.map((v) => (v.includes('*') ? v : canonicalIp(v))) };
  if (f.phase) {
    const bad = f.phase.values.find((v) => !(PHASES as readonly string[]).includes(v));
    if (bad !== undefined) throw new FilterError(`--phase "${bad}" is not one of ${PHASES.join(', ')}`);
    if (f.phase.values.some((v) => v.includes('*'))) throw new FilterError('--phase takes exact values');
  }
  if (opts.from !== undefined) f.fromUs = parseIsoMicros(opts.from);
  if (opts.to !== undefined) f.toUs = parseIsoMicros(opts.to, true);
  if (f.fromUs !== undefined && f.toUs !== undefined && f.fromUs > f.toUs) throw new FilterError('--from is after --to');
  if (opts.text !== undefined) {
    if (opts.text === '') throw new FilterError('--text: empty');
    f.text = opts.text;
  }
  if (opts.includeRelative) f.includeRelative = true;
  return f;
}

/** True when no filter is set. */
export function isEmpty(f: TimelineFilters): boolean {
  return Object.values(f).every((v) => v === undefined);
}

/** Named parameters, `$f0`, `$f1`, …: the only way a filter value reaches the SQL. */
export class SqlParams {
  readonly values: Record<string, DuckDBValue> = {};
  private n = 0;
  constructor(private readonly prefix = 'f') {}
  add(v: DuckDBValue): string {
    const name = `${this.prefix}${this.n++}`;
    this.values[name] = v;
    return `$${name}`;
  }
}

/** `*` → `%`; `\`, `%` and `_` stay literal (LIKE … ESCAPE '\'). */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** `col` is any of the values (exact ones with IN, `*` globs with LIKE). */
function anyOf(col: string, values: string[], p: SqlParams): string {
  const exact = values.filter((v) => !v.includes('*'));
  const globs = values.filter((v) => v.includes('*'));
  const parts: string[] = [];
  if (exact.length === 1) parts.push(`${col} = ${p.add(exact[0]!)}`);
  else if (exact.length > 1) parts.push(`${col} IN (${exact.map((v) => p.add(v)).join(', ')})`);
  for (const g of globs) parts.push(`${col} LIKE ${p.add(likePattern(g))} ESCAPE '\\'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/** Any of the columns matches any of the values; negated: none does (NULL counts as no match). */
function valueCond(cols: string[], f: ValueFilter, p: SqlParams): string {
  const any = cols.length === 1 ? anyOf(cols[0]!, f.values, p) : `(${cols.map((c) => anyOf(c, f.values, p)).join(' OR ')})`;
  return f.negate ? `NOT coalesce(${any}, false)` : any;
}

function sessionCond(f: ValueFilter, p: SqlParams, alias: string): string {
  const one = (v: string) => {
    const at = v.lastIndexOf('@');
    if (at <= 0) return `${alias}.session = ${p.add(v)}`;
    return `(${alias}.session = ${p.add(v.slice(0, at))} AND ${alias}.host = ${p.add(v.slice(at + 1))})`;
  };
  const any = f.values.length === 1 ? one(f.values[0]!) : `(${f.values.map(one).join(' OR ')})`;
  return f.negate ? `NOT coalesce(${any}, false)` : any;
}

const COLUMNS: Record<Exclude<ValueFilterName, 'session' | 'phase'>, string[]> = {
  source: ['source'],
  host: ['host'],
  actor: ['actor'],
  user: ['actor', 'target'],
  ip: ['src_ip', 'dst_ip'],
  action: ['action'],
  outcome: ['outcome'],
  key: ['access_key'],
};

export interface WhereContext {
  /** Alias of the events table in the query. */
  alias: string;
  /** Newest findings run (for --phase); null when the case has none, so --phase matches nothing. */
  findingsId: number | null;
}

/**
 * The filters as one SQL condition on the events alias (`TRUE` when there are none). Parameters
 * are added to `p`.
 */
export function filterCondition(f: TimelineFilters, ctx: WhereContext, p: SqlParams): string {
  const a = ctx.alias;
  const conds: string[] = [];
  for (const [name, cols] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string[]][]) {
    const vf = f[name];
    if (vf) conds.push(valueCond(cols.map((c) => `${a}.${c}`), vf, p));
  }
  if (f.session) conds.push(sessionCond(f.session, p, a));
  if (f.phase) {
    const set =
      ctx.findingsId === null
        ? '(SELECT NULL::BIGINT WHERE false)'
        : `(SELECT event_id FROM attack_events WHERE findings_id = ${p.add(ctx.findingsId)} AND phase IN (${f.phase.values.map((v) => p.add(v)).join(', ')}))`;
    conds.push(`${a}.event_id ${f.phase.negate ? 'NOT IN' : 'IN'} ${set}`);
  }
  if (f.fromUs !== undefined) conds.push(`${a}.ts >= make_timestamp(${p.add(BigInt(f.fromUs))}::BIGINT)`);
  if (f.toUs !== undefined) conds.push(`${a}.ts <= make_timestamp(${p.add(BigInt(f.toUs))}::BIGINT)`);
  if (f.text !== undefined) {
    const t = p.add(f.text);
    conds.push(`(contains(lower(coalesce(${a}.summary, '')), lower(${t})) OR contains(lower(coalesce(${a}.raw, '')), lower(${t})))`);
  }
  if (!f.includeRelative) conds.push(`${a}.time_quality NOT IN (${OFF_TIMELINE_QUALITIES.map((q) => p.add(q)).join(', ')})`);
  return conds.length === 0 ? 'TRUE' : conds.join('\n  AND ');
}

/** One line describing the filters (for progress and docs); values are as typed. */
export function describeFilters(f: TimelineFilters): string {
  const parts: string[] = [];
  for (const name of VALUE_FILTERS) {
    const vf = f[name];
    if (vf) parts.push(`${name}${vf.negate ? '!=' : '='}${vf.values.join(',')}`);
  }
  if (f.fromUs !== undefined) parts.push(`from=${new Date(f.fromUs / 1000).toISOString()}`);
  if (f.toUs !== undefined) parts.push(`to=${new Date(Math.floor(f.toUs / 1000)).toISOString()}`);
  if (f.text !== undefined) parts.push(`text=${JSON.stringify(f.text)}`);
  if (f.includeRelative) parts.push('include-relative');
  return parts.join(' ');
}
