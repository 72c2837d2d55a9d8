/**
 * Time helpers shared by parsers: microsecond epochs, zone-less local times converted with a
 * cached zone offset (luxon is exact but slow per call; offsets only change at DST transitions,
 * so one lookup per local hour is enough), and month names.
 */
import { DateTime, IANAZone } from 'luxon';

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;

/** 400 Gregorian years: 146,097 days exactly, so the calendar repeats. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * `Date.UTC` for any year a source can write, month 1-12. `Date.UTC` reads years 0-99 as
 * 1900-1999, which made a `0000-01-01T00:00:00Z` record 1900-01-01; such years are computed 400
 * years later (the calendar repeats every 400 years) and moved back.
 */
export function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (year >= 0 && year < 100) return Date.UTC(year + 400, month - 1, day, hour, minute, second) - FOUR_CENTURIES_MS;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Returns true when `name` is an IANA zone luxon knows (or UTC). */
export function isValidZone(name: string): boolean {
  return name === 'UTC' || IANAZone.isValidZone(name);
}

/**
 * Converts zone-less local wall-clock times to UTC microseconds for one IANA zone.
 * Ambiguous local times (the repeated hour when clocks go back) take the earlier offset, as luxon
 * does; non-existent ones (clocks go forward) are shifted forward by luxon.
 */
export class LocalZone {
  private readonly cache = new Map<number, number>();
  readonly isUtc: boolean;

  constructor(readonly zone: string) {
    this.isUtc = zone === 'UTC' || zone === 'Etc/UTC';
  }

  /** Month is 1-12. Returns microseconds since the epoch, or NaN for an impossible date. */
  toUtcMicros(year: number, month: number, day: number, hour: number, minute: number, second: number, micros: number): number {
    const naive = utcMillis(year, month, day, hour, minute, second);
    if (Number.isNaN(naive)) return NaN;
    const check = new Date(naive);
    if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return NaN;
    if (this.isUtc) return naive * US_PER_MS + micros;
    const hourKey = Math.floor(naive / 3_600_000);
    let offsetMinutes = this.cache.get(hourKey);
    if (offsetMinutes === undefined) {
      const dt = DateTime.fromObject({ year, month, day, hour, minute: 0, second: 0 }, { zone: this.zone });
      offsetMinutes = dt.isValid ? dt.offset : 0;
      this.cache.set(hourKey, offsetMinutes);
    }
    return (naive - offsetMinutes * 60_000) * US_PER_MS + micros;
  }
}

/** Parses a fraction-of-second string ("5", "123", "123456789") to microseconds. */
export function fractionToMicros(frac: string | undefined): number {
  if (!frac) return 0;
  return Number((frac + '000000').slice(0, 6));
}

/** Month names in the locales syslog files are seen in (English, French, German, Spanish). */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['jan', 'janv', 'janvier', 'januar', 'ene', 'enero'],
  ['feb', 'févr', 'fevr', 'fév', 'fev', 'février', 'februar', 'febrero'],
  ['mar', 'mars', 'mär', 'märz', 'marzo'],
  ['apr', 'avr', 'avril', 'abr', 'abril'],
  ['may', 'mai', 'mayo'],
  ['jun', 'juin', 'juni', 'junio'],
  ['jul', 'juil', 'juillet', 'juli', 'julio'],
  ['aug', 'août', 'aout', 'ago', 'agosto'],
  ['sep', 'sept', 'septembre', 'september', 'septiembre'],
  ['oct', 'okt', 'octobre', 'oktober', 'octubre'],
  ['nov', 'novembre', 'november', 'noviembre'],
  ['dec', 'déc', 'dez', 'dic', 'décembre', 'dezember', 'diciembre'],
];
MONTH_NAMES.forEach((names, i) => names.forEach((n) => (MONTHS[n] = i + 1)));

/** Month number (1-12) of a month name or abbreviation in a known locale, or 0. */
export function monthNumber(name: string): number {
  const key = name.toLowerCase().replace(/\.$/, '');
  return MONTHS[key] ?? 0;
}

/** ISO 8601 text for microseconds since the epoch (UTC, with microseconds when non-zero). */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  if (rest === 0) return iso;
  return iso.replace('Z', String(rest).padStart(3, '0') + 'Z');
}

/**
 * Parses an ISO 8601 / RFC 3339 timestamp with an optional fraction and zone.
 * Returns microseconds and whether a zone was present; zone-less times use `local`.
 */
const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d|[+-]\d\d)?$/i;
export function parseIsoMicros(text: string, local?: LocalZone): { us: number; zoned: boolean } | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const micros = fractionToMicros(m[7]);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const zone = m[8];
  if (!zone) {
    const us = (local ?? UTC_ZONE).toUtcMicros(y, mo, d, h, mi, s, micros);
    return Number.isNaN(us) ? null : { us, zoned: false };
  }
  const base = UTC_ZONE.toUtcMicros(y, mo, d, h, mi, s, micros);
  if (Number.isNaN(base)) return null;
  return { us: base - zoneOffsetMinutes(zone) * 60 * US_PER_SECOND, zoned: true };
}

/** Offset in minutes of "Z", "+02:00", "+0200", "-05". */
export function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

export const UTC_ZONE = new LocalZone('UTC');
