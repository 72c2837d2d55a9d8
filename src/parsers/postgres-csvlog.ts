/**
 * PostgreSQL csvlog (`log_destination=csvlog`, `postgresql-*.csv`), PostgreSQL 8.4–17 column sets
 * (23 columns up to 12, + backend_type in 13, + leader_pid and query_id from 14).
 *
 * Records are found line by line by quote parity (a record ends on a line where the running
 * number of `"` is even: csvlog doubles quotes inside fields), which keeps each record's line
 * number, byte offset and length exact and lets ingest account for every line. fast-csv was
 * measured for this and not used: it reports neither byte offsets nor line numbers per row.
 *
 * A quote left open (a damaged or truncated file) cannot swallow the rest of the file: lines that
 * look like the start of a new record are remembered, and when the record never closes (end of
 * file, or over 8 MiB) it is cut there, kept with a warning, and the rest is read again.
 */
import { PgInterpreter, type PgRecord } from './dbquery/pg-record.js';
import { quoteCount, splitCsv } from './dbquery/csv.js';
import { parseZonedTime } from './dbquery/tz-abbrev.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  '2021-01-01 07:13:44.120 GMT,"foobar","foobar",77962,"10.200.48.82:39364",60e2b128.1308a,13,"SELECT",2021-07-05 07:13:44 GMT,4/187623,0,LOG,00000,"duration: 0.576 ms  execute pdo_stmt_00000003: select * from ""users"" where ""cn"" = $1 and ""users"".""deleted_at"" is null limit 1","parameters: $1 = \'foo.bar\'",,,,,,,,""',
  '2025-04-21 03:27:13.529 EDT,"postgres","template1",40397,"[local]",6805f351.627c5,2,"authentication",2025-04-21 03:27:13 EDT,3/1,0,LOG,00000,"connection authorized: user=postgres database=template1 application_name=psql",,,,,,,,,"","client backend",,0',
];

const RECORD_START = /^"?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?"?,/;
const SEVERITY_FIELD = /,(?:LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?),[0-9A-Z]{5},/;
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
const MAX_RECORD_LINES = 200_000;
const MAX_WARNING_TEXT = 512;

export const postgresCsvlog: LineParser = {
  kind: 'lines',
  name: 'postgres_csvlog',
  version: '1',
  source: 'postgres_csvlog',
  description: 'PostgreSQL csvlog (8.4–17 column sets, multi-line quoted fields)',
  samples: SAMPLES,
  sniff: sniffCsvlog,
  open: (ctx) => new CsvlogHandler(ctx),
};

function sniffCsvlog(head: SniffHead) {
  let starts = 0;
  let withSeverity = 0;
  for (const line of head.lines.slice(0, 50)) {
    if (!RECORD_START.test(line)) continue;
    starts++;
    if (SEVERITY_FIELD.test(line)) withSeverity++;
  }
  if (withSeverity === 0) return null;
  return { confidence: 95, reason: `${withSeverity} head lines are csvlog records (time, …, severity, SQLSTATE)` };
}

interface Line {
  text: string;
  lineNo: number;
  offset: number;
  byteLength: number;
}

interface Pending {
  lines: Line[];
  chars: number;
  quotes: number;
  /** Index in `lines` of the first continuation line that looks like a record start. */
  restartAt: number;
}

class CsvlogHandler implements LineHandler {
  private readonly interp: PgInterpreter;
  private pending: Pending | null = null;
  private readonly zoneNotes = new Set<string>();
  private columnCounts = new Map<number, number>();

  constructor(private readonly ctx: ParseContext) {
    this.interp = new PgInterpreter(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const p = this.pending;
    if (p) {
      if (p.restartAt < 0 && RECORD_START.test(text) && SEVERITY_FIELD.test(text)) p.restartAt = p.lines.length;
      p.lines.push({ text, lineNo, offset, byteLength });
      p.chars += text.length + 1;
      p.quotes += quoteCount(text);
      this.checkCut(text, byteLength);
      if (this.pending && this.pending.quotes % 2 === 0) this.complete();
      else if (this.pending && (this.pending.chars > MAX_RECORD_CHARS || this.pending.lines.length > MAX_RECORD_LINES)) this.unterminated('a quoted field runs over 8 MiB or 200,000 lines');
      return 'continuation';
    }
    if (text.length === 0) return 'blank';
    this.pending = { lines: [{ text, lineNo, offset, byteLength }], chars: text.length, quotes: quoteCount(text), restartAt: -1 };
    this.checkCut(text, byteLength);
    if (this.pending && this.pending.quotes % 2 === 0) this.complete();
    return 'record';
  }

  end(): void {
    while (this.pending) this.unterminated('the file ends inside a quoted field');
    this.interp.finish();
    if (this.columnCounts.size > 0) this.ctx.setFileInfo('csvlog_columns', Object.fromEntries(this.columnCounts));
  }

  /** A line cut at the reader's limit has an unknown quote count after the cut: close the record there. */
  private checkCut(text: string, byteLength: number): void {
    if (text.length < 250_000 || Buffer.byteLength(text) + 1 >= byteLength) return;
    const p = this.pending!;
    const last = p.lines[p.lines.length - 1]!;
    this.ctx.warn({ line: last.lineNo, byte_offset: last.offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `line of ${byteLength} bytes was cut for parsing: its record is closed at the cut (the evidence keeps every byte)` });
    p.quotes = 0;
  }

  private complete(): void {
    const p = this.pending!;
    this.pending = null;
    this.record(p.lines, true);
  }

  /** The record never closed: keep what there is, and read again from a line that looked like a new record. */
  private unterminated(why: string): void {
    const p = this.pending!;
    this.pending = null;
    const first = p.lines[0]!;
    const cut = p.restartAt > 0 ? p.restartAt : p.lines.length;
    this.ctx.warn({
      line: first.lineNo, byte_offset: first.offset, raw: first.text.slice(0, MAX_WARNING_TEXT),
      reason: `unterminated quoted field: ${why}; kept as one damaged record of ${cut} line(s)${cut < p.lines.length ? `, lines from ${p.lines[cut]!.lineNo} read again as new records` : ''}`,
    });
    this.record(p.lines.slice(0, cut), false);
    // Their dispositions were already counted as continuation lines; only the events are redone.
    for (const l of p.lines.slice(cut)) this.line(l.text, l.lineNo, l.offset, l.byteLength);
  }

  private record(lines: Line[], closed: boolean): void {
    const first = lines[0]!;
    const last = lines[lines.length - 1]!;
    const text = lines.length === 1 ? first.text : lines.map((l) => l.text).join('\n');
    const byteLength = last.offset + last.byteLength - first.offset;
    const { fields, complete } = splitCsv(text);
    const warnAt = (reason: string) => this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    const time = fields[0] ? parseZonedTime(fields[0], this.ctx.options.tz) : null;
    if (fields.length < 14 || !time) {
      warnAt(`not a csvlog record (${fields.length} fields${time ? '' : ', no log_time'})`);
      return;
    }
    this.columnCounts.set(fields.length, (this.columnCounts.get(fields.length) ?? 0) + 1);
    if (time.zoneNote && time.zone && !this.zoneNotes.has(time.zone)) {
      this.zoneNotes.add(time.zone);
      warnAt(`${time.zoneNote} (said once per file; such events are marked zone_assumed)`);
    }
    const f = (i: number): string | undefined => {
      const v = fields[i];
      return v === undefined || v === '' ? undefined : v;
    };
    const rec: PgRecord = {
      ts: time.us,
      quality: time.quality,
      zone: time.zone,
      zoneNote: time.zoneNote,
      user: f(1) ?? null,
      database: f(2) ?? null,
      pid: f(3) ?? null,
      remote: f(4) ?? null,
      sessionId: f(5) ?? null,
      lineNum: f(6) ?? null,
      commandTag: f(7) ?? null,
      sessionStart: f(8) ?? null,
      vxid: f(9) ?? null,
      xid: f(10) ?? null,
      severity: f(11) ?? 'LOG',
      sqlstate: f(12) ?? null,
      message: fields[13] ?? '',
      detail: f(14),
      hint: f(15),
      query: f(16),
      context: f(18),
      statement: f(19),
      location: f(21),
      app: f(22) ?? null,
      backendType: f(23) ?? null,
      leaderPid: f(24) ?? null,
      queryId: f(25) ?? null,
      line: first.lineNo,
      byte_offset: first.offset,
      byte_length: byteLength,
      raw: text.length > MAX_RECORD_CHARS ? text.slice(0, MAX_RECORD_CHARS) : text,
    };
    if (!closed || !complete) rec.extra = { damaged: true };
    if (fields.length > 26) rec.extra = { ...(rec.extra ?? {}), extra_fields: fields.slice(26) };
    this.interp.emit(rec);
  }
}
