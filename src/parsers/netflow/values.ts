/**
 * Field readers shared by the flow parsers: counters, ports and epoch times, parsed by hand (no
 * regular expression per field) because flow sources run to millions of records. Each reader
 * returns NaN for a value it will not store and says why in `problem`, so the parser can keep the
 * text in attrs and warn with the line number instead of storing a wrong number.
 */
import { US_PER_SECOND } from '../../core/time.js';

/** Why the last reader call returned NaN (live binding; read it right after the call). */
export let problem = '';

const MAX_EXACT = Number.MAX_SAFE_INTEGER; // 2^53 - 1: larger counters cannot be stored exactly here

/** A non-negative decimal counter (bytes, packets). */
export function readCount(s: string): number {
  const n = s.length;
  if (n === 0) {
    problem = 'empty';
    return NaN;
  }
  if (n <= 15) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return slowCount(s);
      v = v * 10 + d;
    }
    return v;
  }
  return slowCount(s);
}

function slowCount(s: string): number {
  const t = s.trim();
  if (/^-\d+$/.test(t)) {
    problem = 'negative counter';
    return NaN;
  }
  if (/^\d+\.0*$/.test(t)) return readCount(t.slice(0, t.indexOf('.')));
  if (!/^\d+$/.test(t)) {
    problem = 'not a number';
    return NaN;
  }
  const big = BigInt(t);
  if (big > 0x7fffffffffffffffn) {
    problem = 'overflows a 64-bit counter';
    return NaN;
  }
  if (big > BigInt(MAX_EXACT)) {
    problem = 'larger than 2^53, cannot be stored exactly';
    return NaN;
  }
  return Number(big);
}

/** A port 0–65535. Also accepts Argus's hex ports (`0x0008`). */
export function readPort(s: string): number {
  const n = s.length;
  if (n > 0 && n <= 5) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        v = -1;
        break;
      }
      v = v * 10 + d;
    }
    if (v >= 0 && v <= 65535) return v;
    if (v > 65535) {
      problem = 'port out of range';
      return NaN;
    }
  }
  if (n > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120) {
    const v = parseInt(s.slice(2), 16);
    if (v >= 0 && v <= 65535 && /^[0-9a-f]+$/i.test(s.slice(2))) return v;
  }
  problem = 'not a port number';
  return NaN;
}

/** Unit the last readEpoch call detected. */
export let epochUnit: 's' | 'ms' | 'us' | 'ns' = 's';

/**
 * Epoch time written in seconds (with an optional fraction, up to nanoseconds) → microseconds.
 * Integers too large to be seconds are read by their magnitude as milliseconds, microseconds or
 * nanoseconds, and `epochUnit` says so (the caller warns: the source was expected in seconds).
 * Returns NaN for text that is not a number or a negative time.
 */
export function readEpoch(s: string): number {
  epochUnit = 's';
  const n = s.length;
  let i = 0;
  let whole = 0;
  let digits = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    digits++;
  }
  if (digits === 0) {
    problem = s.charCodeAt(0) === 45 ? 'negative time' : 'not a time';
    return NaN;
  }
  let micros = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) {
      problem = 'not a time';
      return NaN;
    }
    let scale = 100000;
    for (i++; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        problem = 'not a time';
        return NaN;
      }
      if (scale >= 1) {
        micros += d * scale;
        scale /= 10;
      }
    }
  }
  if (digits >= 12 && micros === 0) {
    // 1e11 s is the year 5138: such an integer is a finer unit.
    let us = NaN;
    if (digits <= 14) {
      epochUnit = 'ms';
      us = whole * 1000;
    } else if (digits <= 17) {
      epochUnit = 'us';
      us = whole;
    } else if (digits <= 20) {
      epochUnit = 'ns';
      us = Math.floor(Number(BigInt(s) / 1000n));
    }
    if (us <= MAX_SECONDS * US_PER_SECOND) return us;
    epochUnit = 's';
    problem = 'time out of range';
    return NaN;
  }
  if (whole > MAX_SECONDS) {
    problem = 'time out of range';
    return NaN;
  }
  return whole * US_PER_SECOND + micros;
}

/** 2200-01-01: later epoch values are not times a sensor wrote. */
const MAX_SECONDS = Date.UTC(2200, 0, 1) / 1000;

/** A duration in seconds with an optional fraction → microseconds (NaN when not a number). */
export function readSeconds(s: string): number {
  const v = readEpoch(s.trim());
  if (Number.isNaN(v) || epochUnit !== 's') {
    problem = 'not a duration';
    return NaN;
  }
  return v;
}

/** Before 1971: a time relative to the start of a capture rather than a date (replayed pcaps). */
export const RELATIVE_TIME_LIMIT_US = 365 * 86400 * US_PER_SECOND;

/**
 * Zone-less "YYYY-MM-DD HH:MM:SS[.ffffff]" or "YYYY/MM/DD …" → its fields, or null. Returns the
 * pieces so the caller applies the ingest's zone (`LocalZone.toUtcMicros`).
 */
export function readLocalDateTime(s: string): [number, number, number, number, number, number, number] | null {
  if (s.length < 19) return null;
  const sep = s.charCodeAt(4);
  if ((sep !== 45 && sep !== 47) || s.charCodeAt(7) !== sep || (s.charCodeAt(10) !== 32 && s.charCodeAt(10) !== 84)) return null;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const y = num(s, 0, 4);
  const mo = num(s, 5, 7);
  const d = num(s, 8, 10);
  const h = num(s, 11, 13);
  const mi = num(s, 14, 16);
  const sec = num(s, 17, 19);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return null;
  let micros = 0;
  if (s.length > 19) {
    if (s.charCodeAt(19) !== 46 && s.charCodeAt(19) !== 44) return null;
    let scale = 100000;
    for (let i = 20; i < s.length; i++) {
      const dg = s.charCodeAt(i) - 48;
      if (dg < 0 || dg > 9) return null;
      if (scale >= 1) {
        micros += dg * scale;
        scale /= 10;
      }
    }
  }
  return [y, mo, d, h, mi, sec, micros];
}

function num(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
