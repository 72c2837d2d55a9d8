/**
 * Rows handed to DuckDB in bulk. Calling DuckDB once per value costs ~1 µs per value (measured:
 * bench/RESULTS.md), which dominates a bulk load; instead rows are encoded as CSV text with a
 * unit-separator delimiter and loaded with DuckDB's parallel `read_csv` in one statement per batch.
 */
import type { DwellEvent } from '../core/event.js';

export const DELIM = '\x1f';
/**
 * The largest encoded row DuckDB will read. Emit caps raw and command at 1 MiB and attrs at
 * 4 MiB, so rows stay below this. (DuckDB's CSV buffer is sized from it: keep it modest.)
 */
export const MAX_CSV_ROW_BYTES = 8 * 1024 * 1024;
const CSV_BUFFER_BYTES = 4 * MAX_CSV_ROW_BYTES;
const SPECIAL = /[\0\x1f"\n\r]/;
const QUOTE_RE = /"/g;
const NUL_RE = /\0/g;

/** Encodes one text field: empty for null, quoted only when it has to be. NUL cannot cross. */
export function textField(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (v.length === 0) return '""';
  // One scan for the common case of nothing special.
  if (!SPECIAL.test(v)) return v;
  const s = v.indexOf('\0') >= 0 ? v.replace(NUL_RE, '\uFFFD') : v;
  return '"' + s.replace(QUOTE_RE, '""') + '"';
}

function numField(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(Math.trunc(v));
}

/**
 * Staging columns of an event batch, in file order. `event_id`, `evidence_id` and `source` are
 * added by the INSERT (they are the same for the whole file).
 */
export const EVENT_STAGING_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['seq', 'BIGINT'],
  ['ts_us', 'BIGINT'],
  ['ts_end_us', 'BIGINT'],
  ['time_quality', 'VARCHAR'],
  ['class', 'VARCHAR'],
  ['action', 'VARCHAR'],
  ['outcome', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['actor', 'VARCHAR'],
  ['src_ip', 'VARCHAR'],
  ['src_port', 'INTEGER'],
  ['dst_ip', 'VARCHAR'],
  ['dst_port', 'INTEGER'],
  ['protocol', 'VARCHAR'],
  ['session', 'VARCHAR'],
  ['access_key', 'VARCHAR'],
  ['target', 'VARCHAR'],
  ['database', 'VARCHAR'],
  ['bytes_in', 'BIGINT'],
  ['bytes_out', 'BIGINT'],
  ['packets_in', 'BIGINT'],
  ['packets_out', 'BIGINT'],
  ['rows', 'BIGINT'],
  ['command', 'VARCHAR'],
  ['community_id', 'VARCHAR'],
  ['user_agent', 'VARCHAR'],
  ['summary', 'VARCHAR'],
  ['attrs', 'VARCHAR'],
  ['line', 'BIGINT'],
  ['byte_offset', 'BIGINT'],
  ['byte_length', 'INTEGER'],
  ['raw', 'VARCHAR'],
];

/** Encodes one event as a CSV line (with its trailing newline). */
export function encodeEvent(seq: number, e: DwellEvent): string {
  const D = DELIM;
  return (
    seq + D +
    numField(e.ts) + D +
    numField(e.ts_end) + D +
    e.time_quality + D +
    e.class + D +
    textField(e.action) + D +
    e.outcome + D +
    textField(e.host) + D +
    textField(e.actor) + D +
    textField(e.src_ip) + D +
    numField(e.src_port) + D +
    textField(e.dst_ip) + D +
    numField(e.dst_port) + D +
    textField(e.protocol) + D +
    textField(e.session) + D +
    textField(e.access_key) + D +
    textField(e.target) + D +
    textField(e.database) + D +
    numField(e.bytes_in) + D +
    numField(e.bytes_out) + D +
    numField(e.packets_in) + D +
    numField(e.packets_out) + D +
    numField(e.rows) + D +
    textField(e.command) + D +
    textField(e.community_id) + D +
    textField(e.user_agent) + D +
    textField(e.summary) + D +
    textField(attrsJson(e.attrs)) + D +
    e.line + D +
    e.byte_offset + D +
    e.byte_length + D +
    textField(e.raw) + '\n'
  );
}

const MAX_ATTRS_JSON = 4 << 20;

/** attrs as JSON; over 4 MiB they are replaced by a note (the raw record keeps the content). */
function attrsJson(attrs: Record<string, unknown> | null | undefined): string | null {
  if (!attrs) return null;
  const json = safeJson(attrs);
  if (json === '{}') return null;
  if (json.length <= MAX_ATTRS_JSON) return json;
  return safeJson({ attrs_truncated: true, attrs_json_chars: json.length, keys: Object.keys(attrs).slice(0, 100) });
}

/** JSON.stringify that survives BigInt and cycles (attrs come from untrusted input). */
export function safeJson(v: unknown): string {
  try {
    // The replacer is only needed for the rare BigInt: try the fast path first.
    return JSON.stringify(v);
  } catch {
    try {
      return JSON.stringify(v, (_k, val) => (typeof val === 'bigint' ? val.toString() : val));
    } catch {
      return JSON.stringify({ unserializable: String(v) });
    }
  }
}

export const WARNING_STAGING_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['line', 'BIGINT'],
  ['byte_offset', 'BIGINT'],
  ['raw', 'VARCHAR'],
  ['reason', 'VARCHAR'],
];

export function encodeWarning(line: number, offset: number, raw: string, reason: string): string {
  return `${line}${DELIM}${offset}${DELIM}${textField(raw)}${DELIM}${textField(reason)}\n`;
}

/** The `columns={…}` argument of read_csv for a staging layout. */
export function readCsvColumns(cols: ReadonlyArray<readonly [string, string]>): string {
  return '{' + cols.map(([n, t]) => `'${n}': '${t}'`).join(', ') + '}';
}

/** read_csv options matching the encoder above. */
export function readCsvOptions(cols: ReadonlyArray<readonly [string, string]>): string {
  // Rows can hold a 1 MiB raw line plus its summary and command: allow far more than DuckDB's 2 MB default.
  return `delim='${DELIM}', quote='"', escape='"', header=false, nullstr='', auto_detect=false, strict_mode=true, max_line_size=${MAX_CSV_ROW_BYTES}, buffer_size=${CSV_BUFFER_BYTES}, columns=${readCsvColumns(cols)}`;
}
