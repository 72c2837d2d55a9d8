/**
 * Linux auth logs: /var/log/auth.log (Debian/Ubuntu), /var/log/secure (RHEL), the auth lines of
 * /var/log/messages; traditional syslog (no year, no zone) and RFC 3339 / RFC 5424 lines.
 *
 * Every syslog line becomes an event (unknown messages as action `other`, raw kept); lines that
 * are not syslog become warnings with their line number; TAB/space-indented lines continue the
 * previous record, as do sudo's `(command continued)` lines.
 */
import type { DwellEvent, TimeQuality } from '../core/event.js';
import { isLeapYear, leapYearAtOrBefore, YearTracker } from './syslog/year-inference.js';
import { parseSyslogHeader, splitForwardedRecords, type SyslogHeader } from './syslog/header.js';
import { AUTH_PROGRAMS, SUDO_CONTINUED } from './auth/messages.js';
import { authEvent, continueSudo, sudoUserOf } from './auth/event.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLE_LINES = [
  'Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2',
  'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
  'Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls',
  '2026-05-17T17:57:47.009102+00:00 host12345 passwd[9999999]: pam_unix(passwd:chauthtok): password changed for user123',
];

export const authLog: LineParser = {
  kind: 'lines',
  name: 'auth_log',
  version: '1',
  source: 'auth_log',
  description: 'Linux auth.log / secure / messages (sshd, sudo, su, PAM, account changes), traditional, RFC 3339 and RFC 5424 syslog',
  samples: SAMPLE_LINES,
  sniff: sniffAuthLog,
  open: (ctx) => new AuthLogHandler(ctx),
};

function sniffAuthLog(head: SniffHead) {
  let syslog = 0;
  let auth = 0;
  let considered = 0;
  for (const line of head.lines.slice(0, 40)) {
    // Blank and indented (continuation) lines say nothing about the format.
    if (line.trim() === '' || line.charCodeAt(0) === 9 || line.charCodeAt(0) === 32) continue;
    considered++;
    const h = parseSyslogHeader(line);
    // A bracketed token after the time is a logger's component, not a host (Cowrie, Twisted apps).
    if (!h || h.host?.charCodeAt(0) === 91) continue;
    syslog++;
    if (h.program && AUTH_PROGRAMS.test(h.program.replace(/\[.*$/s, ''))) auth++;
  }
  if (considered === 0 || syslog === 0) return null;
  const share = syslog / considered;
  if (share < 0.5) return null;
  const isAuthName = /^(auth\.log|secure|messages|syslog)(\.\d+)?$/.test(head.name);
  const confidence = Math.round(40 + 30 * share + (auth > 0 ? 20 : 0) + (isAuthName ? 10 : 0));
  return {
    confidence: Math.min(confidence, 95),
    reason: `${syslog}/${considered} head lines are syslog${auth ? `, ${auth} from auth programs` : ''}${isAuthName ? `, file name ${head.name}` : ''}`,
  };
}

/** One record waiting for possible continuation lines before it is emitted. */
interface Pending {
  event: DwellEvent;
  /** sudo user of a pending sudo command, to match `(command continued)`. */
  sudoUser?: string;
}

const MAX_WARNING_TEXT = 512;

class AuthLogHandler implements LineHandler {
  private readonly years: YearTracker;
  private pending: Pending | null = null;
  private yearInferredSeen = false;
  private forwardFormat = false;

  constructor(private readonly ctx: ParseContext) {
    this.years = new YearTracker(ctx.mtimeMs, ctx.options.year);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const first = text.charCodeAt(0);
    // Only a line starting with a space-like character can be blank: the regex runs on those alone.
    if (text.length === 0 || (maybeSpace(first) && /^\s*$/.test(text))) return 'blank';
    if ((first === 9 || first === 32) && this.pending) {
      // TAB- or space-indented: continuation of the previous record (macOS syslogd, multi-line messages).
      this.appendContinuation(text, byteLength, '\n');
      return 'continuation';
    }
    // Only files written in rsyslog's forward format put several records on one line; elsewhere
    // a `<PRI>timestamp` inside a message is message text (possibly an injection attempt).
    if (!this.forwardFormat && first === 60 && splitForwardedRecords(text)[0] === 0) this.forwardFormat = true;
    let starts = this.forwardFormat ? splitForwardedRecords(text) : [0];
    if (starts[0] !== 0 || (starts.length > 1 && !parseSyslogHeader(text.slice(0, starts[1])))) {
      // Text before the first forwarded record on this line ends the previous record's message.
      const cut = starts[0] === 0 ? starts[1]! : starts[0]!;
      if (this.pending) this.appendContinuation(text.slice(0, cut), Buffer.byteLength(text.slice(0, cut)), '\n');
      else this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, Math.min(cut, MAX_WARNING_TEXT)), reason: 'text before the first syslog record on this line' });
      starts = starts.filter((s) => s >= cut);
    }
    let produced: 'record' | 'continuation' | 'warning' | false = false;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i]!;
      const to = i + 1 < starts.length ? starts[i + 1]! : text.length;
      const piece = starts.length === 1 ? text : text.slice(from, to);
      // Byte offsets of the pieces: exact for ASCII prefixes, which is what forwarded records are.
      const pieceOffset = offset + (from === 0 ? 0 : Buffer.byteLength(text.slice(0, from)));
      const pieceLength = starts.length === 1 ? byteLength : Buffer.byteLength(piece);
      const used = this.record(piece, lineNo, pieceOffset, pieceLength);
      if (used === 'record' || (used && (!produced || produced === 'warning'))) produced = used;
    }
    if (produced) return produced;
    if (this.continuesSudo(text, byteLength)) return 'continuation';
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'not a syslog line (no timestamp/host header)' });
    return 'warning';
  }

  end(): void {
    this.flush();
    if (this.yearInferredSeen) {
      const shift = this.years.finalShift();
      if (shift !== 0) this.ctx.setYearShift(shift);
    }
  }

  /** Parses one syslog record; returns false when it is not syslog, 'warning' when it is but was already warned about. */
  private record(text: string, lineNo: number, offset: number, byteLength: number): 'record' | 'continuation' | 'warning' | false {
    const head = parseSyslogHeader(text);
    if (!head) return false;
    const time = this.timeOf(head, lineNo, offset, text);
    if (!time) return 'warning';
    // sudo's "(command continued)" lines have a full header; they continue the pending sudo record.
    if (this.pending && continueSudo(this.pending.event, this.pending.sudoUser, head.program, head.message)) {
      const ev = this.pending.event;
      ev.raw += '\n' + text;
      ev.byte_length = offset + byteLength - ev.byte_offset;
      return 'continuation';
    }
    this.flush();
    const event = authEvent(
      { ts: time.us, quality: time.quality, host: head.host, program: head.program, pid: head.pid, message: head.message, attrs: syslogAttrs(head) },
      { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text },
    );
    this.pending = { event, sudoUser: sudoUserOf(event) };
    return 'record';
  }

  private timeOf(head: SyslogHeader, lineNo: number, offset: number, text: string): { us: number; quality: TimeQuality } | null {
    if (!head.yearless) {
      if (head.us === undefined) {
        // RFC 5424 nil timestamp: no time at all. Kept as a warning rather than invented.
        this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'RFC 5424 record without a timestamp' });
        return null;
      }
      if (head.zoned) return { us: head.us, quality: 'exact' };
      const year = (head as SyslogHeader & { year: number }).year;
      const us = this.ctx.options.tz.toUtcMicros(year, head.month!, head.day!, head.hour!, head.minute!, head.second!, head.micros!);
      if (Number.isNaN(us)) return this.badTime(lineNo, offset, text);
      return { us, quality: 'zone_assumed' };
    }
    let year = this.years.yearFor(head.month!, head.day!);
    if (head.month === 2 && head.day === 29 && !isLeapYear(year)) {
      const leap = leapYearAtOrBefore(year);
      this.ctx.warn({
        line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
        reason: `Feb 29 in a year-less line but the inferred year ${year} is not a leap year: dated ${leap}`,
      });
      year = leap;
    }
    const us = this.ctx.options.tz.toUtcMicros(year, head.month!, head.day!, head.hour!, head.minute!, head.second!, head.micros!);
    if (Number.isNaN(us)) return this.badTime(lineNo, offset, text);
    this.yearInferredSeen = this.ctx.options.year === undefined || this.yearInferredSeen;
    return { us, quality: this.ctx.options.year === undefined ? 'year_inferred' : 'zone_assumed' };
  }

  private badTime(lineNo: number, offset: number, text: string): null {
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'syslog header with a date that does not exist (e.g. Feb 30); kept as a warning' });
    return null;
  }

  private continuesSudo(text: string, byteLength: number): boolean {
    if (!this.pending?.sudoUser) return false;
    const cont = SUDO_CONTINUED.exec(text);
    if (!cont) return false;
    this.appendContinuation(text, byteLength, '\n');
    return true;
  }

  private appendContinuation(text: string, byteLength: number, sep: string): void {
    const ev = this.pending!.event;
    ev.raw += sep + text;
    ev.summary += ' ' + text.trim();
    // +1 for the newline between the lines (CRLF files: the length is then one short per line).
    ev.byte_length += 1 + byteLength;
    const attrs = (ev.attrs ??= {});
    attrs.continued_lines = ((attrs.continued_lines as number | undefined) ?? 0) + 1;
  }

  private flush(): void {
    if (this.pending) {
      this.ctx.emit(this.pending.event);
      this.pending = null;
    }
  }
}

/** A superset of the code units `\s` matches (ASCII controls and space, NBSP, U+1680 and above). */
function maybeSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c >= 0x1680;
}

/** What the syslog header adds to an auth event's attrs. */
function syslogAttrs(head: SyslogHeader): Record<string, unknown> | undefined {
  if (head.pri === undefined && !head.msgid && !head.structured) return undefined;
  const attrs: Record<string, unknown> = {};
  if (head.pri !== undefined) {
    attrs.facility = head.pri >> 3;
    attrs.severity = head.pri & 7;
  }
  if (head.msgid) attrs.msgid = head.msgid;
  if (head.structured) attrs.structured_data = head.structured;
  return attrs;
}
