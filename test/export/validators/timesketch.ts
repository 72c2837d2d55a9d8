/**
 * What Timesketch's server does with an uploaded CSV or JSONL timeline (timesketch/lib/utils.py,
 * read_and_validate_csv / read_and_validate_jsonl, as summarised in
 * ../shared/specs/timesketch/PROVENANCE.md), written again in TypeScript so the tests can hold
 * dwell's exports to it — and hold this validator to Timesketch's own fixtures first.
 *
 * CSV: the header must name `message`, `datetime` and `timestamp_desc` (without `datetime`, a
 * `timestamp` column stands in); each row's `datetime` is parsed (ISO 8601 with `T` or space,
 * optional fraction and offset; no offset = UTC; a number over 1e15 = microseconds); rows whose
 * datetime is empty, unparseable or outside years 1700–9999 are dropped; `datetime` is rewritten as
 * YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00 and `timestamp` recomputed from it in microseconds.
 * JSONL: every line must be a JSON object with the three fields (a `timestamp` alone stands in for
 * `datetime`); a missing `timestamp` is computed from `datetime`; a bad line aborts the import.
 * Both: `_id`, `_type`, `_index`, `_source`, `__ts_timeline_id` are dropped; `tag` becomes a list.
 *
 * `strict` adds what an exporter should guarantee beyond acceptance: no row dropped, `timestamp`
 * equal to `datetime`, `datetime` with an explicit offset, and no reserved field names.
 */
import { parseCsv } from '../../helpers/corpus.js';

export interface TimesketchEvent {
  [field: string]: unknown;
  message: string;
  datetime: string;
  timestamp: number;
  timestamp_desc: string;
}

export interface TimesketchResult {
  /** false: Timesketch rejects the whole file (error says why). */
  accepted: boolean;
  error?: string;
  events: TimesketchEvent[];
  /** Rows Timesketch skips, with their 1-based data row (CSV) or line (JSONL). */
  dropped: { row: number; reason: string }[];
  warnings: string[];
}

const MANDATORY = ['message', 'datetime', 'timestamp_desc'];
const SCRUBBED = ['_id', '_type', '_index', '_source', '__ts_timeline_id'];
/** OpenSearch keyword limit: longer values are indexed as text only. */
export const KEYWORD_LIMIT = 32766;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Microseconds since the epoch of a Timesketch datetime cell, or null (the row is dropped). */
export function parseDatetime(value: unknown): { us: number; hadOffset: boolean } | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()))) {
    const n = Number(value);
    if (n > 1e15) return inRange(Math.trunc(n)) ? { us: Math.trunc(n), hadOffset: true } : null;
    return null;
  }
  if (typeof value !== 'string') return null;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m as unknown as string[];
  const year = Number(y);
  if (year < 1700 || year > 9999) return null;
  const ms = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCFullYear() !== year || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  const us = (ms - offsetMin * 60_000) * 1000 + Number((frac + '000000').slice(0, 6));
  return { us, hadOffset: zone !== undefined };
}

function inRange(us: number): boolean {
  const y = new Date(Math.floor(us / 1000)).getUTCFullYear();
  return y >= 1700 && y <= 9999;
}

/** Timesketch's normalized datetime: pandas Timestamp.isoformat() of a UTC time. */
export function isoUtc(us: number): string {
  const secs = Math.floor(us / 1_000_000);
  const micro = us - secs * 1_000_000;
  const base = new Date(secs * 1000).toISOString().slice(0, 19);
  return `${base}${micro ? '.' + String(micro).padStart(6, '0') : ''}+00:00`;
}

/** `timestamp` alone: unit guessed from the magnitude (ns, µs, ms, s). */
export function timestampToUs(v: unknown): number | null {
  const n = Number(v);
  if (!Number.isFinite(n) || String(v).trim() === '') return null;
  if (n > 1e17) return Math.trunc(n / 1000);
  if (n > 1e14) return Math.trunc(n);
  if (n > 1e11) return Math.trunc(n * 1000);
  return Math.trunc(n * 1_000_000);
}

function parseTag(v: unknown): unknown {
  if (Array.isArray(v)) return v;
  const s = String(v);
  if (s.startsWith('[') && s.endsWith(']')) return JSON.parse(s) as unknown;
  if (s === '-') return [];
  if (s.includes(',')) return s.split(',');
  return [s];
}

function finish(name: string, raw: Record<string, unknown>, us: number, warnings: string[], row: number): TimesketchEvent {
  const ev: Record<string, unknown> = { ...raw, datetime: isoUtc(us), timestamp: us };
  for (const f of SCRUBBED) delete ev[f];
  if ('tag' in ev) ev.tag = parseTag(ev.tag);
  for (const [k, v] of Object.entries(ev)) {
    if (typeof v === 'string' && Buffer.byteLength(v) > KEYWORD_LIMIT) warnings.push(`${name} row ${row}: field ${k} is over ${KEYWORD_LIMIT} bytes (indexed as text only)`);
  }
  return ev as TimesketchEvent;
}

export function validateTimesketchCsv(text: string, name = 'timeline.csv'): TimesketchResult {
  const warnings: string[] = [];
  if (!/\.csv$/i.test(name)) return { accepted: false, error: 'file name must end in .csv', events: [], dropped: [], warnings };
  const rows = parseCsv(text.replace(/^\ufeff/, ''));
  const header = rows[0] ?? [];
  const cols = new Set(header);
  const mandatory = !cols.has('datetime') && cols.has('timestamp') ? MANDATORY.filter((m) => m !== 'datetime') : MANDATORY;
  const missing = mandatory.filter((m) => !cols.has(m));
  if (missing.length) return { accepted: false, error: `Missing mandatory CSV headers: ${missing.join(', ')}`, events: [], dropped: [], warnings };
  const events: TimesketchEvent[] = [];
  const dropped: { row: number; reason: string }[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i]!;
    if (cells.length === 1 && cells[0] === '') continue; // blank line
    if (cells.length !== header.length) return { accepted: false, error: `row ${i}: ${cells.length} cells, header has ${header.length}`, events, dropped, warnings };
    const raw: Record<string, unknown> = {};
    header.forEach((h, j) => {
      if (cells[j] !== '') raw[h] = cells[j]; // pandas: empty cell = NaN, dropped from the event
    });
    let us: number | null;
    if (cols.has('datetime')) {
      const d = raw.datetime === undefined ? null : parseDatetime(raw.datetime);
      if (!d) {
        dropped.push({ row: i, reason: raw.datetime === undefined ? 'missing datetime' : `invalid datetime ${JSON.stringify(raw.datetime)}` });
        continue;
      }
      us = d.us;
    } else {
      us = timestampToUs(raw.timestamp);
      if (us === null || !inRange(us)) {
        dropped.push({ row: i, reason: 'no usable timestamp' });
        continue;
      }
    }
    events.push(finish(name, raw, us, warnings, i));
  }
  return { accepted: true, events, dropped, warnings };
}

export function validateTimesketchJsonl(text: string, name = 'timeline.jsonl'): TimesketchResult {
  const warnings: string[] = [];
  if (!/\.jsonl$/i.test(name)) return { accepted: false, error: 'file name must end in .jsonl', events: [], dropped: [], warnings };
  const events: TimesketchEvent[] = [];
  const dropped: { row: number; reason: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let obj: Record<string, unknown>;
    try {
      const v = JSON.parse(line) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      obj = v as Record<string, unknown>;
    } catch (err) {
      return { accepted: false, error: `Error parsing JSON at line ${i + 1}: ${(err as Error).message}`, events, dropped, warnings };
    }
    let us: number | null = null;
    if (!('datetime' in obj) && 'timestamp' in obj) {
      us = timestampToUs(String(obj.timestamp).slice(0, 10)); // Timesketch takes the first 10 digits as seconds
      obj.datetime = us === null ? undefined : isoUtc(us);
    }
    if (!('timestamp' in obj) && 'datetime' in obj) {
      const d = parseDatetime(obj.datetime);
      if (!d) {
        dropped.push({ row: i + 1, reason: `unparseable datetime ${JSON.stringify(obj.datetime)}` });
        continue;
      }
      obj.timestamp = d.us;
    }
    const missing = MANDATORY.filter((m) => !(m in obj));
    if (missing.length) return { accepted: false, error: `Missing field(s) at line ${i + 1}: ${missing.join(',')}`, events, dropped, warnings };
    const d = parseDatetime(obj.datetime);
    us = d?.us ?? timestampToUs(obj.timestamp);
    const ev: Record<string, unknown> = { ...obj };
    for (const f of SCRUBBED) delete ev[f];
    if ('tag' in ev) ev.tag = (parseTag(ev.tag) as unknown[]).filter(Boolean);
    for (const [k, v] of Object.entries(ev)) {
      if (typeof v === 'string' && Buffer.byteLength(v) > KEYWORD_LIMIT) warnings.push(`${name} line ${i + 1}: field ${k} is over ${KEYWORD_LIMIT} bytes (indexed as text only)`);
    }
    if (us !== null) ev._us = us;
    events.push(ev as TimesketchEvent);
  }
  return { accepted: true, events, dropped, warnings };
}

/**
 * What an exporter must guarantee on top of acceptance: every row kept, an explicit offset,
 * `timestamp` (µs) equal to `datetime`, non-empty `message` and `timestamp_desc`, no field that
 * Timesketch would drop. Returns the problems found (empty = clean).
 */
export function strictProblems(kind: 'csv' | 'jsonl', text: string, result: TimesketchResult): string[] {
  const problems: string[] = [];
  if (!result.accepted) return [`rejected: ${result.error}`];
  for (const d of result.dropped) problems.push(`row ${d.row} dropped: ${d.reason}`);
  const header = kind === 'csv' ? parseCsv(text)[0] ?? [] : [];
  for (const f of SCRUBBED) if (header.includes(f)) problems.push(`field ${f} would be dropped by Timesketch`);
  const originals =
    kind === 'jsonl'
      ? text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
      : parseCsv(text).slice(1).filter((r) => !(r.length === 1 && r[0] === '')).map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])) as Record<string, unknown>);
  result.events.forEach((ev, i) => {
    if (typeof ev.message !== 'string' || ev.message === '') problems.push(`event ${i + 1}: empty message`);
    if (typeof ev.timestamp_desc !== 'string' || ev.timestamp_desc === '') problems.push(`event ${i + 1}: empty timestamp_desc`);
    {
      const o = originals[i]!;
      for (const f of SCRUBBED) if (f in o) problems.push(`event ${i + 1}: field ${f} would be dropped`);
      const d = parseDatetime(o.datetime);
      if (!d) problems.push(`event ${i + 1}: datetime ${JSON.stringify(o.datetime)} is not ISO 8601`);
      else {
        if (!d.hadOffset) problems.push(`event ${i + 1}: datetime has no offset`);
        const ts = kind === 'csv' && typeof o.timestamp === 'string' && /^\d+$/.test(o.timestamp) ? Number(o.timestamp) : o.timestamp;
        if (typeof ts !== 'number' || ts !== d.us) problems.push(`event ${i + 1}: timestamp ${String(o.timestamp)} ≠ datetime ${String(o.datetime)} (${d.us} µs)`);
      }
    }
  });
  return problems;
}
