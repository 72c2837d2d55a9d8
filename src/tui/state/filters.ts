/**
 * The view's query: attack view on/off and the filters, with their text form. The filter prompt
 * (`f`) is pre-filled with formatFilters() of the current filters and parsed back with
 * parseFilters(), so what the status line shows is exactly what can be typed.
 *
 *   host=web-01 ip=203.0.113.77 actor!=root action=ssh_login* phase=access,actions from=-2h to=2026-01-02T03:00 marked
 *
 * Events whose clock cannot be placed on the timeline — `time_quality` relative (a capture's clock
 * counting from zero) or implausible (before 1990 or after the ingest) — are left out unless the
 * query says otherwise with `time=all` (every event) or `time=relative,…` (only those qualities):
 * without that, the view opened on 1970 and the density bar squeezed the real days into one cell.
 */
import { canonicalIp } from '../../core/ip.js';
import { safeText } from '../../core/sanitize.js';
import { isPhase } from '../data/types.js';
import { formatTs, parseTimeInput } from './time-input.js';

/** Fields a value filter can test. `ip` = src_ip or dst_ip, `user` = actor or target, `key` = access_key. */
export const VALUE_FIELDS = ['source', 'host', 'actor', 'user', 'ip', 'action', 'outcome', 'key', 'session', 'phase'] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

/** Values of `events.time_quality` (docs/schema.md). */
export const TIME_QUALITIES = ['exact', 'year_inferred', 'zone_assumed', 'relative', 'implausible'] as const;
/** Qualities whose times are not a place on the timeline: left out of the default view. */
export const UNTRUSTED_TIMES = ['relative', 'implausible'] as const;

export type Filter =
  /** Any of `values` (a `*` in a value is a wildcard unless `exact`); `negate`: none of them. */
  | { kind: 'value'; field: ValueField; negate: boolean; values: string[]; exact?: boolean }
  /** Inclusive time range, microseconds UTC. */
  | { kind: 'time'; fromUs: number | null; toUs: number | null }
  /** Events with an annotation (mark or note). */
  | { kind: 'marked' }
  /** `time=`: which time qualities to show (null: all). Without it, UNTRUSTED_TIMES are left out. */
  | { kind: 'clock'; qualities: string[] | null };

export interface ViewQuery {
  /** Attack view: only events of `attack_events` for the newest findings run. */
  attack: boolean;
  filters: Filter[];
}

export const EMPTY_QUERY: ViewQuery = { attack: false, filters: [] };

const FIELD_ALIASES: Record<string, ValueField> = {
  src: 'source',
  source: 'source',
  host: 'host',
  actor: 'actor',
  user: 'user',
  ip: 'ip',
  action: 'action',
  outcome: 'outcome',
  key: 'key',
  access_key: 'key',
  session: 'session',
  phase: 'phase',
};

export type ParseResult = { ok: true; filters: Filter[] } | { ok: false; error: string };

/** Splits on whitespace, keeping "double quoted" parts (for values with spaces) together. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      has = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (has) tokens.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) tokens.push(cur);
  return tokens;
}

/**
 * Parses the filter prompt. Relative times (`from=-2h`) are resolved against `refUs` (the
 * selected event's time) so the stored filter is absolute.
 */
export function parseFilters(text: string, refUs: number): ParseResult {
  const filters: Filter[] = [];
  let time: { fromUs: number | null; toUs: number | null } | null = null;
  for (const token of tokenize(text.trim())) {
    if (token === 'marked') {
      filters.push({ kind: 'marked' });
      continue;
    }
    const m = /^([a-z_]+)(!=|=)(.*)$/s.exec(token);
    if (!m) return { ok: false, error: `"${safeText(token)}" is not field=value (fields: ${VALUE_FIELDS.join(', ')}, from, to, time, marked)` };
    const [, name, op, rawValue] = m as unknown as [string, string, string, string];
    if (name === 'time') {
      if (op === '!=') return { ok: false, error: 'time takes = only: time=all shows every event, time=relative,implausible only those' };
      const values = rawValue.split(',').filter((v) => v !== '');
      const bad = values.find((v) => v !== 'all' && !(TIME_QUALITIES as readonly string[]).includes(v));
      if (values.length === 0 || bad !== undefined) return { ok: false, error: `time "${safeText(bad ?? '')}" is not all or one of ${TIME_QUALITIES.join(', ')}` };
      filters.push({ kind: 'clock', qualities: values.includes('all') ? null : values });
      continue;
    }
    if (name === 'from' || name === 'to') {
      if (op === '!=') return { ok: false, error: `${name} takes = only` };
      const t = parseTimeInput(rawValue, refUs);
      if (!t.ok) return { ok: false, error: `${name}: ${t.error}` };
      time ??= { fromUs: null, toUs: null };
      if (name === 'from') time.fromUs = t.us;
      else time.toUs = t.us;
      continue;
    }
    const field = FIELD_ALIASES[name];
    if (!field) return { ok: false, error: `unknown filter field "${safeText(name)}" (fields: ${VALUE_FIELDS.join(', ')}, from, to, time, marked)` };
    // Addresses are canonical in the case (core/ip.ts): ip=::ffff:203.0.113.77 finds 203.0.113.77.
    const values = rawValue.split(',').filter((v) => v !== '').map((v) => (field === 'ip' && !v.includes('*') ? canonicalIp(v) : v));
    if (values.length === 0) return { ok: false, error: `${name}: no value` };
    if (field === 'phase') {
      const bad = values.find((v) => !isPhase(v));
      if (bad !== undefined) return { ok: false, error: `phase "${safeText(bad)}" is not one of recon, access, actions, exfiltration` };
    }
    if (field === 'session' && values.some((v) => v.includes('*'))) return { ok: false, error: 'session takes exact values (session@host)' };
    filters.push({ kind: 'value', field, negate: op === '!=', values });
  }
  if (time) {
    if (time.fromUs !== null && time.toUs !== null && time.fromUs > time.toUs) return { ok: false, error: 'from is after to' };
    filters.push({ kind: 'time', ...time });
  }
  return { ok: true, filters };
}

function quote(v: string): string {
  return /[\s",]/.test(v) || v === '' ? `"${v.replace(/"/g, '')}"` : v;
}

/** Text form of the filters (parseFilters reads it back). Not escaped: see describeFilters. */
export function formatFilters(filters: Filter[]): string {
  return filters
    .map((f) => {
      if (f.kind === 'marked') return 'marked';
      if (f.kind === 'clock') return `time=${f.qualities === null ? 'all' : f.qualities.join(',')}`;
      if (f.kind === 'time') {
        return [f.fromUs !== null ? `from=${formatTs(f.fromUs, 'iso')}` : null, f.toUs !== null ? `to=${formatTs(f.toUs, 'iso')}` : null]
          .filter(Boolean)
          .join(' ');
      }
      return `${f.field}${f.negate ? '!=' : '='}${f.values.map(quote).join(',')}`;
    })
    .join(' ');
}

/** The filters for the status line: values may come from evidence (pivots), so they are escaped. */
export function describeQuery(q: ViewQuery): string {
  const parts = [q.attack ? 'attack' : null, safeText(formatFilters(q.filters)) || null].filter(Boolean);
  return parts.join(' · ');
}

/** Does the query leave out the events with untrusted times (no `time=` filter)? */
export function hidesUntrusted(q: ViewQuery): boolean {
  return !q.filters.some((f) => f.kind === 'clock');
}

/** Replaces the filter on `field` (or adds it). */
export function withFilter(filters: Filter[], f: Filter): Filter[] {
  const same = (g: Filter) => g.kind === f.kind && (g.kind !== 'value' || f.kind !== 'value' || (g.field === f.field && g.negate === f.negate));
  return [...filters.filter((g) => !same(g)), f];
}
