/**
 * SQL building blocks for compiled Sigma rules. Every value that comes from a rule file (strings,
 * patterns, numbers) reaches DuckDB as a bound parameter; only identifiers and JSON paths that
 * dwell itself writes are SQL text (a path is built from a field name only after the name passed
 * FIELD_NAME, and is then a parameter too).
 */
import type { Part } from './values.js';

/** Named parameters of one compiled rule set: `$s12` → value. */
export class Params {
  readonly values: Record<string, string | number | boolean> = {};
  private n = 0;
  private readonly byValue = new Map<string, string>();

  constructor(private readonly prefix = 's') {}

  /** A parameter for this value (equal values share one). */
  add(v: string | number | boolean): string {
    const key = `${typeof v}:${String(v)}`;
    const known = this.byValue.get(key);
    if (known) return known;
    const name = `${this.prefix}${this.n++}`;
    this.values[name] = v;
    this.byValue.set(key, `$${name}`);
    return `$${name}`;
  }

  /** The parameters a statement's text uses (DuckDB refuses unused ones). */
  for(sql: string): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const m of sql.matchAll(new RegExp(`\\$(${this.prefix}\\d+)\\b`, 'g'))) out[m[1]!] = this.values[m[1]!]!;
    return out;
  }
}

/** Field names dwell accepts from rules (letters, digits, `_ . - @ :` and spaces inside). */
export const FIELD_NAME = /^[A-Za-z0-9_@:][A-Za-z0-9_@:. \-]*$/;

/** RE2 text for a literal. */
export function reLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|\-/#&~]/g, '\\$&');
}

/** An RE2 alternative matching the whole value for a Sigma pattern (`*` any text, `?` one character). */
export function patternRegex(parts: Part[]): string {
  let body = '';
  for (const p of parts) body += typeof p === 'string' ? reLiteral(p) : p.w === '*' ? '.*' : '.';
  const first = parts[0];
  const last = parts[parts.length - 1];
  const openStart = first !== undefined && typeof first !== 'string' && first.w === '*';
  const openEnd = last !== undefined && typeof last !== 'string' && last.w === '*';
  // A leading or trailing `.*` is what an unanchored search does anyway: drop it with the anchor.
  if (openStart) body = body.slice(2);
  if (openEnd && body.endsWith('.*')) body = body.slice(0, -2);
  if (parts.length === 0) return '^$';
  return `${openStart ? '' : '^'}${body}${openEnd ? '' : '$'}`;
}

/** One RE2 pattern matching any of the Sigma patterns; `(?s)` so that `*` crosses line breaks. */
export function anyPatternRegex(list: Part[][], cased: boolean): string {
  const alts = [...new Set(list.map(patternRegex))];
  const flags = cased ? '(?s)' : '(?is)';
  return alts.length === 1 ? `${flags}${alts[0]}` : `${flags}(?:${alts.join('|')})`;
}

/** `10.0.0.0/8` → the first and last address as 8 (IPv4) or 32 (IPv6) hex digits; null when not a network. */
export function cidrRange(cidr: string): { v: 4 | 6; lo: string; hi: string } | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return null;
  const bits = Number(m[2]);
  const v4 = ipv4Bytes(m[1]!);
  const bytes = v4 ?? ipv6Bytes(m[1]!);
  if (!bytes) return null;
  const width = bytes.length * 8;
  if (bits > width) return null;
  const lo = [...bytes];
  const hi = [...bytes];
  for (let i = 0; i < width; i++) {
    if (i < bits) continue;
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    lo[byte]! &= ~mask;
    hi[byte]! |= mask;
  }
  const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return { v: v4 ? 4 : 6, lo: hex(lo), hi: hex(hi) };
}

function ipv4Bytes(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : null;
}

function ipv6Bytes(s: string): number[] | null {
  let text = s.toLowerCase();
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Bytes(dotted[2]!);
    if (!v4) return null;
    tail = v4;
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const need = 8 - tail.length / 2;
  const fill = halves.length === 2 ? need - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== need)) return null;
  const all = [...head, ...Array(fill).fill('0'), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  return [...out, ...tail];
}

/**
 * DuckDB macros the compiled rules use: an address as fixed-width hex (8 digits for IPv4, 32 for
 * IPv6, NULL otherwise), so a network is a range comparison. Temporary: they live for the
 * connection.
 */
export const SQL_MACROS = [
  `CREATE OR REPLACE TEMP MACRO sigma_ip4_hex(s) AS CASE WHEN regexp_full_match(s, '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}')
     THEN lpad(lower(to_hex(CAST(split_part(s, '.', 1) AS INTEGER))), 2, '0') || lpad(lower(to_hex(CAST(split_part(s, '.', 2) AS INTEGER))), 2, '0')
       || lpad(lower(to_hex(CAST(split_part(s, '.', 3) AS INTEGER))), 2, '0') || lpad(lower(to_hex(CAST(split_part(s, '.', 4) AS INTEGER))), 2, '0') END`,
  // IPv6: '::' expanded to the missing zero groups, each group padded to 4 digits. An embedded IPv4 tail is not read (NULL).
  `CREATE OR REPLACE TEMP MACRO sigma_ip6_groups(s) AS CASE WHEN strpos(s, '::') > 0
     THEN list_concat(CASE WHEN split_part(s, '::', 1) = '' THEN [] ELSE string_split(split_part(s, '::', 1), ':') END,
                      list_transform(range(8 - len(CASE WHEN split_part(s, '::', 1) = '' THEN [] ELSE string_split(split_part(s, '::', 1), ':') END)
                                           - len(CASE WHEN split_part(s, '::', 2) = '' THEN [] ELSE string_split(split_part(s, '::', 2), ':') END)), lambda _x: '0'),
                      CASE WHEN split_part(s, '::', 2) = '' THEN [] ELSE string_split(split_part(s, '::', 2), ':') END)
     ELSE string_split(s, ':') END`,
  `CREATE OR REPLACE TEMP MACRO sigma_ip6_hex(s) AS CASE WHEN strpos(s, ':') > 0 AND regexp_full_match(lower(s), '[0-9a-f:]{2,39}') AND len(sigma_ip6_groups(lower(s))) = 8
     AND len(list_filter(sigma_ip6_groups(lower(s)), lambda g: length(g) BETWEEN 1 AND 4)) = 8
     THEN list_aggregate(list_transform(sigma_ip6_groups(lower(s)), lambda g: lpad(g, 4, '0')), 'string_agg', '') END`,
];
