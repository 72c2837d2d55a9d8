/**
 * Time-zone abbreviations as PostgreSQL writes them in `%t`/`%m`/csvlog times (`2017-07-31
 * 13:36:42.585 CEST`). PostgreSQL prints the abbreviation of its `log_timezone` from tzdata, so an
 * abbreviation is only as good as its uniqueness across tzdata zones.
 *
 * The table below was generated from the current rules (the POSIX TZ footer) of every zone in
 * tzdata 2024: an abbreviation used with exactly one UTC offset is mapped; one used with several
 * (CST: -06:00 America/Chicago, -05:00 America/Havana, +08:00 Asia/Shanghai; IST: +05:30 India,
 * +02:00 Israel, +01:00 Ireland; PST: -08:00 America/Los_Angeles, +08:00 Asia/Manila; CDT) is
 * ambiguous: such times take `--tz` and are marked `zone_assumed`. Historical abbreviations no
 * longer in tzdata (Australian `EST` before 2014) are not considered.
 */
import { fractionToMicros, type LocalZone, UTC_ZONE, US_PER_SECOND, zoneOffsetMinutes } from '../../core/time.js';
import type { TimeQuality } from '../../core/event.js';

/** Unambiguous abbreviation → offset in minutes east of UTC. */
export const OFFSETS: Record<string, number> = {
  UTC: 0, UCT: 0, GMT: 0, UT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120,
  WAT: 60, CAT: 120, SAST: 120, EET: 120, EEST: 180, EAT: 180, MSK: 180, IDT: 180, PKT: 300,
  WIB: 420, WITA: 480, AWST: 480, HKT: 480, WIT: 540, JST: 540, KST: 540, ACST: 570, ACDT: 630,
  AEST: 600, AEDT: 660, ChST: 600, NZST: 720, NZDT: 780,
  NST: -210, NDT: -150, AST: -240, ADT: -180, EST: -300, EDT: -240, MST: -420, MDT: -360, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, HDT: -540, SST: -660,
};

/** Abbreviations tzdata uses with more than one offset, and those offsets (for the warning). */
const AMBIGUOUS: Record<string, string> = {
  CST: '-06:00 (America/Chicago), -05:00 (America/Havana) or +08:00 (Asia/Shanghai)',
  CDT: '-05:00 (America/Chicago) or -04:00 (America/Havana)',
  IST: '+05:30 (Asia/Kolkata), +02:00 (Asia/Jerusalem) or +01:00 (Europe/Dublin)',
  PST: '-08:00 (America/Los_Angeles) or +08:00 (Asia/Manila)',
};

export interface ZonedTime {
  us: number;
  quality: TimeQuality;
  /** The zone as written (abbreviation or offset), when any. */
  zone?: string;
  /** Why the zone was not used, when it was not (ambiguous or unknown abbreviation). */
  zoneNote?: string;
}

const PG_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?: ?([A-Za-z]{1,6}|[+-]\d\d(?::?\d\d)?))?$/;

/**
 * Parses `YYYY-MM-DD HH:MM:SS[.fff] [ZONE]` where ZONE is an abbreviation (CEST), a numeric
 * offset as PostgreSQL writes it for zones without one (`+03`, `-0430`) or absent.
 * Returns null when the text is not such a time.
 */
export function parseZonedTime(text: string, local: LocalZone): ZonedTime | null {
  // Consecutive lines share their second: reuse the last parse and add the fraction.
  const fast = sameSecond(text, local);
  if (fast) return fast;
  const t = parseFull(text, local);
  if (t) remember(text, local, t);
  return t;
}

let last: { head: string; tail: string; zone: LocalZone; base: ZonedTime } | null = null;

/**
 * Where the fraction after the seconds ends (19 when there is none), or -1 when the text does not
 * start `YYYY-MM-DD HH:MM:SS`. The text's second is its first 19 characters plus what follows the fraction.
 */
function fractionEnd(text: string): number {
  if (text.length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(13) !== 58) return -1;
  const c = text.charCodeAt(19);
  if (c !== 46 && c !== 44) return 19;
  let i = 20;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i;
}

/** The fraction's microseconds (first 6 digits), read in place: core/time's fractionToMicros without its strings. */
function fractionMicros(text: string, end: number): number {
  const stop = Math.min(end, 26);
  let us = 0;
  for (let i = 20; i < stop; i++) us = us * 10 + (text.charCodeAt(i) - 48);
  for (let k = Math.max(stop - 20, 0); k < 6; k++) us *= 10;
  return end <= 20 ? 0 : us;
}

// Compared and read in place, without building a key per line (most lines share the last one's second).
function sameSecond(text: string, local: LocalZone): ZonedTime | null {
  if (!last || last.zone !== local) return null;
  const end = fractionEnd(text);
  if (end < 0 || text.length - end !== last.tail.length || !text.startsWith(last.head) || !text.endsWith(last.tail)) return null;
  return { ...last.base, us: last.base.us + fractionMicros(text, end) };
}

function remember(text: string, local: LocalZone, t: ZonedTime): void {
  const end = fractionEnd(text);
  if (end < 0) return;
  last = { head: text.slice(0, 19), tail: text.slice(end), zone: local, base: { ...t, us: t.us - fractionMicros(text, end) } };
}

function parseFull(text: string, local: LocalZone): ZonedTime | null {
  const m = PG_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const micros = fractionToMicros(m[7]);
  const zone = m[8];
  if (zone !== undefined) {
    let offset: number | undefined;
    if (zone[0] === '+' || zone[0] === '-') offset = zoneOffsetMinutes(zone);
    else offset = OFFSETS[zone] ?? OFFSETS[zone.toUpperCase()];
    if (offset !== undefined) {
      const base = UTC_ZONE.toUtcMicros(y, mo, d, h, mi, s, micros);
      if (Number.isNaN(base)) return null;
      return { us: base - offset * 60 * US_PER_SECOND, quality: 'exact', zone };
    }
    const us = local.toUtcMicros(y, mo, d, h, mi, s, micros);
    if (Number.isNaN(us)) return null;
    const amb = AMBIGUOUS[zone.toUpperCase()];
    return {
      us,
      quality: 'zone_assumed',
      zone,
      zoneNote: amb ? `${zone} is ambiguous (${amb}); --tz ${local.zone} applied` : `unknown zone abbreviation ${zone}; --tz ${local.zone} applied`,
    };
  }
  const us = local.toUtcMicros(y, mo, d, h, mi, s, micros);
  if (Number.isNaN(us)) return null;
  return { us, quality: 'zone_assumed' };
}

/** Offset (minutes) of an unambiguous abbreviation, for tests and docs. */
export function abbreviationOffset(abbrev: string): number | undefined {
  return OFFSETS[abbrev];
}
