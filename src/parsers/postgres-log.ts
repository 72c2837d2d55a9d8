/**
 * PostgreSQL server logs in the stderr format, with any `log_line_prefix`: plain files
 * (postgresql-*.log, Debian's postgresql-16-main.log, AWS RDS/Aurora), and the same text wrapped
 * by syslog (`log_destination=syslog`: `Feb 10 23:15:39 host postgres[10808]: [3-1] …`) or by
 * Heroku's logplex (`… app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  …`).
 *
 * Records: connections, logins and failed logins, disconnections, statements (`statement:`,
 * `duration: … statement:`, `execute <name>:` with its `DETAIL: parameters:`), errors with their
 * STATEMENT, pgaudit `AUDIT:` lines, server start/stop and every other message (kept as db_log).
 * Each record's session (pid, or %c) carries the user, client and database from its connection
 * lines to every later statement.
 */
import type { TimeQuality } from '../core/event.js';
import { parseIsoMicros } from '../core/time.js';
import { PgInterpreter } from './dbquery/pg-record.js';
import { INNER_PREFIXES, KNOWN_PREFIXES, PrefixError, PrefixSet } from './dbquery/pg-prefix.js';
import { StderrAssembler, unknownPrefixMatch, UNKNOWN_PREFIX_LINE, type Wrapper } from './dbquery/pg-stderr.js';
import { parseSyslogHeader, type SyslogHeader } from './syslog/header.js';
import { isLeapYear, leapYearAtOrBefore, YearTracker } from './syslog/year-inference.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  '2025-08-13 01:46:10.568 PDT [12389] LOG:  connection authorized: user=appuser database=maindb',
  '2017-07-31 13:39:31.619 CEST [5502] postgres@clients LOG:  duration: 9.482 ms  statement: select * from clients;',
  '2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@tstdb:[20175]:ERROR: column "wrong" does not exist at character 8',
  '2022-04-12 00:24:24.741 UTC [9158] postgres@postgres FATAL:  password authentication failed for user "postgres"',
  'Feb 10 23:15:39 test-pc postgres[10816]: [5-1] db=[unknown],user=[unknown],app=[unknown],client=[local] LOG:  connection received: host=[local]',
  '2019-03-14T00:23:00+00:00 app[postgres.4849]: [GREEN] [18-1]  sql_error_code = 00000 LOG:  process 4849 detected deadlock while waiting for ShareLock on transaction 259635360 after 1000.134 ms',
];

const KNOWN = new PrefixSet(KNOWN_PREFIXES);
const INNER = new PrefixSet([...INNER_PREFIXES]);
const HEROKU = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (?:(\S+) )?app\[(?:heroku-)?postgres(?:\.(\d+))?\]:? ?(?:\[(\w+)\] )?\[(\d+)-(\d+)\] ?(.*)$/s;
const SYSLOG_SEQ = /^\[(\d+)-(\d+)\] ?([\s\S]*)$/;
const MAX_WARNING_TEXT = 512;
const PREFIX_HINT = "help: pass the server's log_line_prefix (SHOW log_line_prefix) as -O pg-prefix='…'";

export const postgresLog: LineParser = {
  kind: 'lines',
  name: 'postgres_log',
  version: '1',
  source: 'postgres_log',
  description: 'PostgreSQL stderr log with any log_line_prefix (-O pg-prefix=…), syslog-wrapped, AWS RDS, Heroku logplex',
  samples: SAMPLES,
  sniff: sniffPostgresLog,
  open: (ctx) => new PostgresLogHandler(ctx),
};

function isPgSyslog(line: string): boolean {
  if (HEROKU.test(line)) return true;
  const h = parseSyslogHeader(line);
  if (!h || !h.program) return false;
  const seq = SYSLOG_SEQ.exec(h.message);
  const body = seq ? seq[3]! : h.message;
  return (/postgres|postmaster/i.test(h.program) || seq !== null) && (INNER.match(body) !== null || (seq !== null && Number(seq[2]) > 1));
}

function sniffPostgresLog(head: SniffHead) {
  let considered = 0;
  let plain = 0;
  let wrapped = 0;
  for (const line of head.lines.slice(0, 50)) {
    if (line.trim() === '' || line.charCodeAt(0) === 9 || line.charCodeAt(0) === 32) continue;
    considered++;
    if (/^\d{4}-\d\d-\d\d /.test(line) && (KNOWN.match(line) || UNKNOWN_PREFIX_LINE.test(line))) plain++;
    else if (isPgSyslog(line)) wrapped++;
  }
  const pg = plain + wrapped;
  if (pg === 0) return null;
  const share = pg / considered;
  // Above auth_log's best (95 is its cap for auth-named files; syslog-wrapped PostgreSQL is also syslog).
  const confidence = share >= 0.5 ? (wrapped > plain ? 96 : 90) : Math.round(30 + 50 * share);
  return { confidence, reason: `${pg}/${considered} head lines are PostgreSQL log lines${wrapped > plain ? ' (syslog/logplex-wrapped)' : ''}` };
}

class PostgresLogHandler implements LineHandler {
  private readonly interp: PgInterpreter;
  private readonly asm: StderrAssembler;
  private readonly prefixes: PrefixSet;
  private readonly inner: PrefixSet;
  private readonly years: YearTracker;
  private yearInferredSeen = false;
  private unknownPrefixLines = 0;

  constructor(private readonly ctx: ParseContext) {
    this.interp = new PgInterpreter(ctx);
    this.asm = new StderrAssembler(ctx, this.interp, ctx.options.tz);
    this.years = new YearTracker(ctx.mtimeMs, ctx.options.year);
    const given = ctx.options.extra['pg-prefix'];
    let user: string[] = [];
    if (given !== undefined) {
      try {
        new PrefixSet([given]);
        user = [given];
      } catch (err) {
        ctx.warn({ line: 0, byte_offset: 0, raw: given, reason: `-O pg-prefix ignored: ${(err as PrefixError).message}` });
      }
    }
    this.prefixes = new PrefixSet([...user, ...KNOWN_PREFIXES]);
    this.inner = new PrefixSet([...user, ...INNER_PREFIXES]);
    if (user.length > 0) ctx.setFileInfo('pg_prefix_given', user[0]);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.length === 0) {
      this.asm.flush();
      return 'blank';
    }
    const c0 = text.charCodeAt(0);
    if ((c0 === 9 || c0 === 32) && this.asm.hasPending) {
      this.asm.continuation(text, byteLength, text);
      return 'continuation';
    }
    const digit = c0 >= 48 && c0 <= 57;
    // A line starting with a digit is not blank: most lines skip the trim's copy.
    if (!digit && text.trim() === '') return 'blank';
    if (digit) {
      if (text.charCodeAt(10) !== 84 /* T */) {
        const m = this.prefixes.match(text);
        if (m) return this.asm.matched(m, {}, lineNo, offset, byteLength, text);
        const u = unknownPrefixMatch(text);
        if (u) {
          this.unknownPrefixLines++;
          this.ctx.warn({
            line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
            reason: `line prefix matches no known log_line_prefix: read without its prefix fields (user, database, pid) — ${PREFIX_HINT}`,
          });
          return this.asm.matched(u, { extra: { prefix_unparsed: u.unparsed! } }, lineNo, offset, byteLength, text);
        }
      } else {
        const h = HEROKU.exec(text);
        if (h) return this.heroku(h, text, lineNo, offset, byteLength);
      }
    }
    const sys = parseSyslogHeader(text);
    if (sys && (sys.program || sys.host)) return this.syslog(sys, text, lineNo, offset, byteLength);
    this.asm.flush();
    this.ctx.warn({
      line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
      reason: `not a PostgreSQL log line (no time, prefix and severity) — if the server's log_line_prefix is unusual, ${PREFIX_HINT.replace(/^help: /, '')}`,
    });
    return 'warning';
  }

  end(): void {
    this.asm.flush();
    this.interp.finish();
    const counts = Object.fromEntries([...this.prefixes.counts, ...this.inner.counts]);
    if (Object.keys(counts).length > 0) this.ctx.setFileInfo('pg_prefixes', counts);
    if (this.unknownPrefixLines > 0) this.ctx.setFileInfo('pg_unknown_prefix_lines', this.unknownPrefixLines);
    if (this.yearInferredSeen) {
      const shift = this.years.finalShift();
      if (shift !== 0) this.ctx.setYearShift(shift);
    }
  }

  private heroku(h: RegExpExecArray, text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const t = parseIsoMicros(h[1]!);
    const wrapper: Wrapper = { ts: t?.us ?? NaN, quality: t?.zoned ? 'exact' : 'zone_assumed', pid: h[3] ?? null, extra: h[4] ? { heroku_database: h[4] } : undefined };
    // Logplex splits a message at its newlines, one part per line (no TAB, no #011).
    const used = this.wrapped(wrapper, h[6]!, h[7]!, text, lineNo, offset, byteLength, true);
    if (used !== 'warning') return used;
    this.asm.flush();
    return this.keep(wrapper.ts!, wrapper.quality!, h[2] ?? null, 'postgres', wrapper.pid ?? null, `[${h[5]}-${h[6]}] ${h[7]}`, text, lineNo, offset, byteLength);
  }

  /** A wrapped line that is not a PostgreSQL record (another program, an unreadable part): kept as it is. */
  private keep(ts: number, quality: TimeQuality, host: string | null, program: string | null, pid: string | null, message: string, text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    this.ctx.emit({
      ts, time_quality: quality, class: 'other', action: 'other', outcome: 'unknown', host,
      session: program && pid !== null ? `${program}[${pid}]` : null,
      summary: `${program ?? 'syslog'}: ${message}`, attrs: { program, pid: pid === null ? null : Number(pid) },
      line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text,
    });
    return 'record';
  }

  private syslog(sys: SyslogHeader, text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const seq = SYSLOG_SEQ.exec(sys.message);
    const time = this.syslogTime(sys, lineNo, offset, text);
    const pid = sys.pid !== null ? String(sys.pid) : null;
    const isPg = seq !== null || (sys.program !== null && /postgres|postmaster/i.test(sys.program));
    if (isPg && time) {
      const wrapper: Wrapper = { ts: time.us, quality: time.quality, host: sys.host, pid, extra: sys.program && !/^postgres(ql)?$/.test(sys.program) ? { syslog_program: sys.program } : undefined };
      const used = this.wrapped(wrapper, seq ? seq[2]! : '1', seq ? seq[3]! : sys.message, text, lineNo, offset, byteLength);
      if (used !== 'warning') return used;
    }
    this.asm.flush();
    if (!time) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'syslog line without a usable time' });
      return 'warning';
    }
    // Another program's syslog line in the same file: kept as it is.
    return this.keep(time.us, time.quality, sys.host, sys.program, pid, sys.message, text, lineNo, offset, byteLength);
  }

  /** The PostgreSQL text inside a wrapper: a record line, or part `part` (> 1) of a split message. */
  private wrapped(wrapper: Wrapper, part: string, body: string, text: string, lineNo: number, offset: number, byteLength: number, partsAreLines = false): LineDisposition {
    const m = this.inner.match(body) ?? this.prefixes.match(body);
    if (m) return this.asm.matched(m, wrapper, lineNo, offset, byteLength, text);
    if (part !== '1' && this.asm.hasPending && this.asm.pendingPid === (wrapper.pid ?? null)) {
      // `#011` is the TAB PostgreSQL puts after each newline; a part without it continues the
      // same line (a long line split into syslog-sized chunks).
      if (partsAreLines) this.asm.continuation(body, byteLength, text, true);
      else if (body.startsWith('#011')) this.asm.continuation('\t' + body.slice(4).replace(/#011/g, '\t'), byteLength, text, true);
      else this.asm.continuation(body.replace(/#011/g, '\t'), byteLength, text, false);
      return 'continuation';
    }
    return 'warning';
  }

  private syslogTime(head: SyslogHeader, lineNo: number, offset: number, text: string): { us: number; quality: TimeQuality } | null {
    if (!head.yearless) {
      if (head.us === undefined) return null;
      if (head.zoned) return { us: head.us, quality: 'exact' };
      const year = (head as SyslogHeader & { year: number }).year;
      const us = this.ctx.options.tz.toUtcMicros(year, head.month!, head.day!, head.hour!, head.minute!, head.second!, head.micros!);
      return Number.isNaN(us) ? null : { us, quality: 'zone_assumed' };
    }
    let year = this.years.yearFor(head.month!, head.day!);
    if (head.month === 2 && head.day === 29 && !isLeapYear(year)) {
      const leap = leapYearAtOrBefore(year);
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `Feb 29 in a year-less line but the inferred year ${year} is not a leap year: dated ${leap}` });
      year = leap;
    }
    const us = this.ctx.options.tz.toUtcMicros(year, head.month!, head.day!, head.hour!, head.minute!, head.second!, head.micros!);
    if (Number.isNaN(us)) return null;
    if (this.ctx.options.year === undefined) this.yearInferredSeen = true;
    return { us, quality: this.ctx.options.year === undefined ? 'year_inferred' : 'zone_assumed' };
  }
}
