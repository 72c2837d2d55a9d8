/**
 * Time for the generator: instants are microseconds since the epoch (UTC), formatted the way each
 * source writes them. Hosts log in Europe/Berlin local time; the offset is looked up once per
 * hour with luxon (exact across DST, though the scenario's weeks are all CET).
 */
import { DateTime } from 'luxon';

export const SEC = 1_000_000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const HOST_ZONE = 'Europe/Berlin';

/** Microseconds for a UTC wall-clock time. */
export function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return (Date.UTC(y, mo - 1, d, h, mi, s) + ms) * 1000;
}

/** Parses `2025-12-31T02:14:07Z` (optionally with a fraction) to microseconds. */
export function parseUtc(iso: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not a UTC ISO time: ${iso}`);
  const frac = Number(((m[7] ?? '') + '000000').slice(0, 6));
  return utc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + frac;
}

const offsetCache = new Map<number, { minutes: number; abbr: string }>();

/** Offset of the hosts' zone at this instant: minutes east of UTC and the abbreviation (CET/CEST). */
export function zoneOffset(us: number): { minutes: number; abbr: string } {
  const hourKey = Math.floor(us / HOUR);
  let o = offsetCache.get(hourKey);
  if (!o) {
    const dt = DateTime.fromMillis(hourKey * 3_600_000, { zone: HOST_ZONE });
    o = { minutes: dt.offset, abbr: dt.offsetNameShort ?? 'CET' };
    // luxon names Berlin's offsets GMT+1/GMT+2 in some ICU builds; syslog and PostgreSQL write CET/CEST.
    if (!/^CES?T$/.test(o.abbr)) o.abbr = dt.offset === 60 ? 'CET' : dt.offset === 120 ? 'CEST' : o.abbr;
    offsetCache.set(hourKey, o);
  }
  return o;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad(n: number, width: number): string {
  let s = String(n);
  while (s.length < width) s = '0' + s;
  return s;
}

/** Fields of a wall-clock time `offsetMinutes` east of UTC. */
function wall(us: number, offsetMinutes: number) {
  const ms = Math.floor(us / 1000) + offsetMinutes * 60_000;
  const d = new Date(ms);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    micro: ((us % SEC) + SEC) % SEC,
  };
}

/** `2025-12-31T02:14:07Z`; with `frac` digits of fraction when asked. */
export function isoUtc(us: number, frac: 0 | 3 | 6 = 0): string {
  const w = wall(us, 0);
  const base = `${w.y}-${p2(w.mo)}-${p2(w.d)}T${p2(w.h)}:${p2(w.mi)}:${p2(w.s)}`;
  if (frac === 0) return base + 'Z';
  return `${base}.${pad(w.micro, 6).slice(0, frac)}Z`;
}

/** Traditional syslog in the hosts' zone: `Dec 31 03:14:07`, `Jan  1 00:00:05`. */
export function syslogTime(us: number): string {
  const w = wall(us, zoneOffset(us).minutes);
  return `${MONTHS[w.mo - 1]} ${w.d < 10 ? ' ' + w.d : w.d} ${p2(w.h)}:${p2(w.mi)}:${p2(w.s)}`;
}

/** rsyslog RSYSLOG_FileFormat (RFC 3339, microseconds, local offset): `2025-12-31T03:14:07.123456+01:00`. */
export function rfc3339Local(us: number): string {
  const off = zoneOffset(us).minutes;
  const w = wall(us, off);
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${w.y}-${p2(w.mo)}-${p2(w.d)}T${p2(w.h)}:${p2(w.mi)}:${p2(w.s)}.${pad(w.micro, 6)}${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

/** PostgreSQL `%m` with log_timezone = Europe/Berlin: `2025-12-31 03:14:07.123 CET`. */
export function pgTime(us: number): string {
  const z = zoneOffset(us);
  const w = wall(us, z.minutes);
  return `${w.y}-${p2(w.mo)}-${p2(w.d)} ${p2(w.h)}:${p2(w.mi)}:${p2(w.s)}.${pad(Math.floor(w.micro / 1000), 3)} ${z.abbr}`;
}

/** PostgreSQL session time `0:16:42.118` (h:mm:ss.mmm). */
export function pgInterval(us: number): string {
  const totalMs = Math.floor(us / 1000);
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const s = Math.floor((totalMs % 60_000) / 1000);
  return `${h}:${p2(m)}:${p2(s)}.${pad(totalMs % 1000, 3)}`;
}

/** Zeek `#open` / rotated file names: `2025-12-30-00-00-00` (UTC sensor clock). */
export function zeekStamp(us: number): string {
  const w = wall(us, 0);
  return `${w.y}-${p2(w.mo)}-${p2(w.d)}-${p2(w.h)}-${p2(w.mi)}-${p2(w.s)}`;
}

/** CloudTrail / VPC file name stamp: `20251231T1915Z`, and folder `2025/12/31`. */
export function s3Stamp(us: number): { stamp: string; folder: string; ymd: string } {
  const w = wall(us, 0);
  return {
    stamp: `${w.y}${p2(w.mo)}${p2(w.d)}T${p2(w.h)}${p2(w.mi)}Z`,
    folder: `${w.y}/${p2(w.mo)}/${p2(w.d)}`,
    ymd: `${w.y}${p2(w.mo)}${p2(w.d)}`,
  };
}

/** Local date of the hosts, `20251228` (RHEL dateext rotation names). */
export function localYmd(us: number): string {
  const w = wall(us, zoneOffset(us).minutes);
  return `${w.y}${p2(w.mo)}${p2(w.d)}`;
}

/** Epoch seconds (floor). */
export function epochSec(us: number): number {
  return Math.floor(us / SEC);
}

/** Zeek `ts`: epoch seconds with six decimals. */
export function zeekTs(us: number): string {
  const s = Math.floor(us / SEC);
  return `${s}.${pad(us - s * SEC, 6)}`;
}

/** Hour of day in the hosts' zone (0-23) and weekday (0 = Sunday). */
export function localHour(us: number): { hour: number; weekday: number } {
  const ms = Math.floor(us / 1000) + zoneOffset(us).minutes * 60_000;
  const d = new Date(ms);
  return { hour: d.getUTCHours(), weekday: d.getUTCDay() };
}
