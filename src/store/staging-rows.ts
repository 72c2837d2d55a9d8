/**
 * Rows handed to DuckDB in bulk. Calling DuckDB once per value costs ~1 µs per value (measured:
 * bench/RESULTS.md), which dominates a bulk load; instead each event becomes one JSON array line —
 * JSON.stringify escapes everything natively, three times cheaper than field-by-field CSV quoting
 * (measured) and correct for any content — and a batch of lines is loaded with DuckDB's parallel
 * JSON reader in one statement.
 */
import type { DwellEvent } from '../core/event.js';

/**
 * Staging layout of an event row: [column, type, JSON key]. Short keys keep the staging files
 * small; DuckDB's JSON reader maps each key straight to a typed column (measured: ~40% less
 * DuckDB CPU than parsing array rows and casting).
 */
export const EVENT_STAGING: ReadonlyArray<readonly [string, string, string]> = [
  ['seq', 'BIGINT', 'q'],
  ['ts_us', 'BIGINT', 't'],
  ['ts_end_us', 'BIGINT', 'te'],
  ['time_quality', 'VARCHAR', 'tq'],
  ['class', 'VARCHAR', 'c'],
  ['action', 'VARCHAR', 'a'],
  ['outcome', 'VARCHAR', 'o'],
  ['host', 'VARCHAR', 'h'],
  ['actor', 'VARCHAR', 'ac'],
  ['src_ip', 'VARCHAR', 'si'],
  ['src_port', 'INTEGER', 'sp'],
  ['dst_ip', 'VARCHAR', 'di'],
  ['dst_port', 'INTEGER', 'dp'],
  ['protocol', 'VARCHAR', 'p'],
  ['session', 'VARCHAR', 's'],
  ['access_key', 'VARCHAR', 'k'],
  ['target', 'VARCHAR', 'tg'],
  ['database', 'VARCHAR', 'd'],
  ['bytes_in', 'BIGINT', 'bi'],
  ['bytes_out', 'BIGINT', 'bo'],
  ['packets_in', 'BIGINT', 'pi'],
  ['packets_out', 'BIGINT', 'po'],
  ['rows', 'BIGINT', 'r'],
  ['command', 'VARCHAR', 'cm'],
  ['community_id', 'VARCHAR', 'ci'],
  ['user_agent', 'VARCHAR', 'ua'],
  ['summary', 'VARCHAR', 'sm'],
  ['attrs', 'JSON', 'at'],
  ['line', 'BIGINT', 'l'],
  ['byte_offset', 'BIGINT', 'bf'],
  ['byte_length', 'INTEGER', 'bl'],
  ['raw', 'VARCHAR', 'rw'],
];

export const WARNING_STAGING: ReadonlyArray<readonly [string, string, string]> = [
  ['line', 'BIGINT', 'l'],
  ['byte_offset', 'BIGINT', 'bf'],
  ['raw', 'VARCHAR', 'rw'],
  ['reason', 'VARCHAR', 'rs'],
];

/** A row larger than this has its attrs replaced by a note (raw and command are capped before). */
export const MAX_ROW_CHARS = 8 * 1024 * 1024;
/** JSON lone surrogates (from damaged UTF-16 in JSON sources) that DuckDB's reader refuses. */
const LONE_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;

/*
 * Unset fields are left out of the staged row rather than written as `null`: the reader types a
 * missing key as NULL all the same, and a CloudTrail row carried a dozen `"k":null` (≈ 140 bytes
 * of 2.9 KB) that JSON.stringify wrote and DuckDB's reader parsed (bench/RESULTS.md, "CloudTrail
 * ingest (issue 3)", 2026-12-08).
 */
const n = (v: number | null | undefined) => (v === undefined || v === null || !Number.isFinite(v) ? undefined : v);
const s = (v: string | null | undefined) => (v === null ? undefined : v);
const emptyAttrs = (a: Record<string, unknown> | null | undefined) => {
  if (!a) return undefined;
  for (const _ in a) return a;
  return undefined;
};

/**
 * One event as a JSON object line (with its newline). Unset fields are left out. `lineHeld`: the
 * event is exactly its evidence line and DuckDB reads that line itself (ingest/fast/hybrid-lines.ts),
 * so raw, byte_offset and byte_length are not staged — the load takes them from DuckDB's read.
 */
export function encodeEvent(seq: number, e: DwellEvent, lineHeld = false): string {
  const attrs = emptyAttrs(e.attrs);
  // One object literal with a fixed shape: V8 serializes it on its fast path.
  const row: Record<string, unknown> = {
    q: seq, t: n(e.ts), te: n(e.ts_end), tq: e.time_quality, c: e.class, a: e.action, o: e.outcome, h: s(e.host), ac: s(e.actor),
    si: s(e.src_ip), sp: n(e.src_port), di: s(e.dst_ip), dp: n(e.dst_port), p: s(e.protocol), s: s(e.session), k: s(e.access_key),
    tg: s(e.target), d: s(e.database), bi: n(e.bytes_in), bo: n(e.bytes_out), pi: n(e.packets_in), po: n(e.packets_out), r: n(e.rows),
    cm: s(e.command), ci: s(e.community_id), ua: s(e.user_agent), sm: e.summary, at: attrs, l: e.line, bf: lineHeld ? undefined : e.byte_offset, bl: lineHeld ? undefined : e.byte_length, rw: lineHeld ? undefined : e.raw,
  };
  let json = stringify(row);
  if (json.length > MAX_ROW_CHARS && attrs) {
    row.at = { attrs_truncated: true, keys: Object.keys(attrs).slice(0, 100) };
    json = stringify(row);
  }
  // JSON.stringify escapes only lone surrogates as \udXXX: a plain indexOf finds them cheaply.
  if (json.includes('\\ud') && LONE_SURROGATE.test(json)) json = json.replace(/\\ud[89a-f][0-9a-f]{2}/gi, '\\ufffd');
  return json + '\n';
}

export function encodeWarning(line: number, offset: number, raw: string, reason: string): string {
  const json = JSON.stringify({ l: line, bf: offset, rw: raw, rs: reason });
  return (LONE_SURROGATE.test(json) ? json.replace(/\\ud[89a-f][0-9a-f]{2}/gi, '\\ufffd') : json) + '\n';
}

/** JSON.stringify that survives BigInt and cycles in attrs (which come from untrusted input). */
function stringify(row: Record<string, unknown>): string {
  try {
    return JSON.stringify(row);
  } catch {
    row.at = JSON.parse(safeJson(row.at));
    return JSON.stringify(row);
  }
}

export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    try {
      return JSON.stringify(v, (_k, val) => (typeof val === 'bigint' ? val.toString() : val));
    } catch {
      return JSON.stringify({ unserializable: String(v) });
    }
  }
}

/** SELECT list and FROM clause reading a staging file: each JSON key straight into its typed column. */
export function stagingSource(file: string, layout: ReadonlyArray<readonly [string, string, string]>, maxObjectBytes = 67108864): { columns: string; from: string } {
  const columns = layout.map(([name, , key]) => `"${key}" AS "${name}"`).join(', ');
  const path = `'${file.replace(/'/g, "''")}'`;
  const types = layout.map(([, type, key]) => `'${key}': '${type}'`).join(', ');
  const from = `read_json(${path}, format = 'newline_delimited', records = true, columns = {${types}}, maximum_object_size = ${Math.floor(maxObjectBytes)})`;
  return { columns, from };
}

/**
 * The same SELECT list over rows given as text (staging lines joined, one per line) in the
 * parameter `$rows`, without a file: each line is typed by json_transform, the conversion the JSON
 * reader uses. For small batches (dwell watch's extents): the JSON reader allocates a 32 MiB
 * buffer per scan whatever `maximum_object_size` says (it only raises the 16 MB default, never
 * lowers it), a third of a watcher's DuckDB budget for a few hundred log lines.
 * JSON.stringify escapes every newline inside a value, so a line is a row.
 */
export function textRowsSource(layout: ReadonlyArray<readonly [string, string, string]>): { columns: string; from: string } {
  const structure = JSON.stringify(Object.fromEntries(layout.map(([, type, key]) => [key, type]))).replace(/'/g, "''");
  const columns = layout.map(([name, , key]) => `r."${key}" AS "${name}"`).join(', ');
  const from = `(SELECT json_transform(j, '${structure}') AS r FROM (SELECT unnest(string_split($rows, chr(10))) AS j) WHERE j <> '')`;
  return { columns, from };
}
