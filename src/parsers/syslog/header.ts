/**
 * Syslog line headers as they appear in files: traditional BSD (`Mar  1 10:00:00 host prog[pid]: msg`,
 * no year, no zone; optional `<PRI>`; localized month names), RFC 3339 (`2020-05-31T00:00:45.698+00:00
 * host prog[pid]: msg`, rsyslog's high-precision format) and RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`).
 */
import { fractionToMicros, monthNumber, utcMillis, zoneOffsetMinutes } from '../../core/time.js';

export interface SyslogHeader {
  /** Present for RFC 3339 / 5424 lines (exact UTC microseconds). */
  us?: number;
  /** Whether an RFC 3339 time carried an offset. */
  zoned?: boolean;
  /** Year-less traditional time. */
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  micros?: number;
  /** Year-less time that also had no year: true for traditional lines. */
  yearless: boolean;
  pri?: number;
  host: string | null;
  program: string | null;
  pid: number | null;
  message: string;
  /** RFC 5424 structured data and msgid, when present. */
  msgid?: string;
  structured?: string;
}

// Every `.` here has the `s` flag: a CR or U+2028 inside a message is message text, not the end of
// the line (JavaScript's `.` stops at them otherwise, and the line became a warning).
// Month names: ASCII or Latin letters (août, déc.), 3-9 chars, optional trailing dot.
const TRADITIONAL =
  /^(?:<(\d{1,3})>)?([A-Za-z\u00C0-\u017F]{3,9}\.?) {1,2}(\d{1,2}) (\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,9}))?:? ?(.*)$/s;
// Syslog writes RFC 3339 with a 'T'; 'YYYY-MM-DD HH:MM:SS' lines are other logs (PostgreSQL, MySQL).
const RFC3339 =
  /^(?:<(\d{1,3})>)?(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)? (.*)$/s;
const RFC5424 =
  /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)$/s;
/** `prog[pid]: msg`, `prog: msg`, `sshd(pam_unix)[123]: msg`. */
// login(1) logs with the ident `-- root`. The name holds no `(`: with one, a run of `(` could be
// split between the name and `\(…\)` at every point, each split re-reading the run.
const PROGRAM = /^((?:-- )?[^\s[\]:(]+(?:\([^)\s]*\))?)(?:\[(\d+)\])?: ?(.*)$/s;

/** Parses the header of one syslog line, or returns null when the line is not syslog. */
export function parseSyslogHeader(line: string): SyslogHeader | null {
  const c = line.charCodeAt(0);
  // Digits first: an ISO date; '<' then a version digit '1 ' is RFC 5424.
  if (c >= 48 && c <= 57) return parseRfc3339(line);
  if (c === 60 /* < */) {
    const close = line.indexOf('>');
    if (close > 0 && close <= 4) {
      const after = line.charCodeAt(close + 1);
      if (after === 49 /* 1 */ && line.charCodeAt(close + 2) === 32) return parseRfc5424(line);
      if (after >= 48 && after <= 57) return parseRfc3339(line);
    }
  }
  return parseTraditional(line);
}

function parseTraditional(line: string): SyslogHeader | null {
  const m = TRADITIONAL.exec(line);
  if (!m) return null;
  const month = monthNumber(m[2]!);
  if (month === 0) return null;
  const day = Number(m[3]);
  if (day < 1 || day > 31) return null;
  const head: SyslogHeader = {
    yearless: true,
    month,
    day,
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    micros: fractionToMicros(m[7]),
    pri: m[1] === undefined ? undefined : Number(m[1]),
    host: null,
    program: null,
    pid: null,
    message: '',
  };
  splitHostProgram(m[8]!, head);
  return head;
}

function parseRfc3339(line: string): SyslogHeader | null {
  const m = RFC3339.exec(line);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6], m[7]].map(Number) as [number, number, number, number, number, number];
  const base = utcMillis(y, mo, d, h, mi, s);
  if (Number.isNaN(base)) return null;
  const zone = m[9];
  const us = (base - (zone ? zoneOffsetMinutes(zone) : 0) * 60_000) * 1000 + fractionToMicros(m[8]);
  const head: SyslogHeader = {
    yearless: false,
    us,
    zoned: zone !== undefined,
    // Kept for zone-less ISO times, which the caller converts with --tz.
    month: mo,
    day: d,
    hour: h,
    minute: mi,
    second: s,
    micros: fractionToMicros(m[8]),
    pri: m[1] === undefined ? undefined : Number(m[1]),
    host: null,
    program: null,
    pid: null,
    message: '',
  };
  (head as SyslogHeader & { year: number }).year = y;
  splitHostProgram(m[10]!, head);
  return head;
}

function parseRfc5424(line: string): SyslogHeader | null {
  const m = RFC5424.exec(line);
  if (!m) return null;
  const tsText = m[2]!;
  let us: number | undefined;
  let zoned = false;
  if (tsText !== '-') {
    const t = RFC3339.exec(tsText + ' x');
    if (!t) return null;
    const [y, mo, d, h, mi, s] = [t[2], t[3], t[4], t[5], t[6], t[7]].map(Number) as [number, number, number, number, number, number];
    const zone = t[9];
    zoned = zone !== undefined;
    us = (utcMillis(y, mo, d, h, mi, s) - (zone ? zoneOffsetMinutes(zone) : 0) * 60_000) * 1000 + fractionToMicros(t[8]);
  }
  const nil = (v: string) => (v === '-' ? null : v);
  const procid = nil(m[5]!);
  return {
    yearless: false,
    us,
    zoned,
    pri: Number(m[1]),
    host: nil(m[3]!),
    program: nil(m[4]!),
    pid: procid !== null && /^\d+$/.test(procid) ? Number(procid) : null,
    msgid: nil(m[6]!) ?? undefined,
    structured: m[7] === '-' ? undefined : m[7],
    // RFC 5424 allows a UTF-8 BOM before the message.
    message: m[8]!.replace(/^\uFEFF/, ''),
  };
}

/**
 * Splits `host prog[pid]: msg`. The host is optional in files: `Nov 18 08:30:20 kernel: …` has
 * none, so a first token that is already `prog[pid]:` is the program.
 */
function splitHostProgram(rest: string, head: SyslogHeader): void {
  if (rest.startsWith('--- last message repeated') || rest.startsWith('last message repeated')) {
    head.message = rest;
    return;
  }
  const space = rest.indexOf(' ');
  // `prog[pid]: msg` without a host: the first token ends with ':' (applyProgram's regex decides).
  if (rest.charCodeAt((space < 0 ? rest.length : space) - 1) === 58 /* : */ && applyProgram(rest, head, false)) return;
  if (space < 0) {
    // A lone token: a host with an empty message.
    head.host = rest || null;
    return;
  }
  head.host = rest.slice(0, space);
  let from = space + 1;
  while (rest.charCodeAt(from) === 32) from++;
  applyProgram(rest.slice(from), head, true);
}

/** Reads `prog[pid]: msg` into `head`; without a program, the text is the message when `orMessage`. Returns whether it matched. */
function applyProgram(text: string, head: SyslogHeader, orMessage: boolean): boolean {
  const p = PROGRAM.exec(text);
  if (!p) {
    if (orMessage) head.message = text;
    return false;
  }
  head.program = p[1]!;
  head.pid = p[2] === undefined ? null : Number(p[2]);
  head.message = p[3]!;
  return true;
}

/**
 * rsyslog's forward formats can put several `<PRI>` records on one line without newlines
 * (`…debug<14>2021-03-06T04:07:33…`). Returns the character index where each record starts.
 */
const RECORD_START = /<\d{1,3}>(?:\d{4}-\d\d-\d\dT|1 \d{4}-|[A-Z][a-z]{2} [ \d]\d \d\d:)/g;
export function splitForwardedRecords(line: string): number[] {
  if (line.indexOf('<') < 0) return [0];
  const starts: number[] = [];
  RECORD_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RECORD_START.exec(line)) !== null) starts.push(m.index);
  if (starts.length === 0) return [0];
  return starts;
}
