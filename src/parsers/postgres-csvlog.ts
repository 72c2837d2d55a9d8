/**
 * PostgreSQL csvlog (`log_destination=csvlog`, `postgresql-*.csv`), PostgreSQL 8.4–17 column sets
 * (23 columns up to 12, + backend_type in 13, + leader_pid and query_id from 14; 15–17 unchanged).
 *
 * Recognized by content, whatever the CSV quoting: as PostgreSQL writes it (time unquoted, text
 * quoted), and as spreadsheets, Python's csv module or pandas write it back (every field quoted,
 * only what must be, SQLSTATE read as a number). A header row naming the columns (`COPY … CSV
 * HEADER` from the documentation's `postgres_log` table, pandas' `to_csv`) maps them by name, so
 * reordered, missing or added columns (a pandas index) are read too.
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
const SEVERITY = /^(?:LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?|STATEMENT|DETAIL|HINT|CONTEXT)$/;
// SQLSTATE as written, or as a number when a spreadsheet or pandas read "00000" as 0.
const SQLSTATE = /^(?:[0-9A-Z]{5}|\d{1,5})$/;
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
const MAX_RECORD_LINES = 200_000;
const MAX_WARNING_TEXT = 512;

/** The csvlog columns in PostgreSQL's order (docs: "Using CSV-Format Log Output"). */
export const CSVLOG_COLUMNS = [
  'log_time', 'user_name', 'database_name', 'process_id', 'connection_from', 'session_id', 'session_line_num', 'command_tag',
  'session_start_time', 'virtual_transaction_id', 'transaction_id', 'error_severity', 'sql_state_code', 'message', 'detail', 'hint',
  'internal_query', 'internal_query_pos', 'context', 'query', 'query_pos', 'location', 'application_name', 'backend_type', 'leader_pid',
  'query_id',
] as const;
type Column = (typeof CSVLOG_COLUMNS)[number];
type Columns = Record<Column, number>;
const NATIVE: Columns = Object.fromEntries(CSVLOG_COLUMNS.map((c, i) => [c, i])) as Columns;
/** Names other tools give the same columns (the PG 14 patch's `queryid`). */
const ALIASES: Record<string, Column> = { queryid: 'query_id', log_timestamp: 'log_time', timestamp: 'log_time' };

const VERSIONS: Record<number, string> = { 23: 'PostgreSQL 9.0–12 (23 columns)', 24: 'PostgreSQL 13 (24 columns)', 26: 'PostgreSQL 14–17 (26 columns)' };

/** Column positions named by a header row, or null when the line is not a csvlog header. */
function headerColumns(line: string): { cols: Columns; extra: Array<[number, string]> } | null {
  if (!/log_time|error_severity/i.test(line)) return null;
  const names = splitCsv(line).fields.map((n) => n.trim().toLowerCase());
  const cols: Partial<Columns> = {};
  const extra: Array<[number, string]> = [];
  names.forEach((n, i) => {
    const c = (CSVLOG_COLUMNS as readonly string[]).includes(n) ? (n as Column) : ALIASES[n];
    if (c && cols[c] === undefined) cols[c] = i;
    else extra.push([i, n || `column_${i + 1}`]);
  });
  if (cols.log_time === undefined || cols.error_severity === undefined || cols.message === undefined) return null;
  for (const c of CSVLOG_COLUMNS) if (cols[c] === undefined) cols[c] = -1;
  return { cols: cols as Columns, extra };
}

/** How a record line was quoted (for `dwell sniff`). */
function quoting(line: string): string {
  if (line.charCodeAt(0) !== 34) return line.includes(',"') ? 'quoted as PostgreSQL writes it' : 'quoted only where needed';
  return /",-?\d+,"/.test(line) ? 'text quoted, numbers not' : 'every field quoted';
}

/** A head line that is a csvlog record, by its fields: a time first, a severity and a SQLSTATE at 11 and 12. */
function recordFields(line: string, cols: Columns = NATIVE): string[] | null {
  if (cols === NATIVE && !RECORD_START.test(line)) return null;
  const { fields } = splitCsv(line);
  const sev = fields[cols.error_severity];
  const state = fields[cols.sql_state_code];
  if (sev === undefined || !SEVERITY.test(sev) || (state !== undefined && state !== '' && !SQLSTATE.test(state))) return null;
  return /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/.test(fields[cols.log_time] ?? '') ? fields : null;
}

export const postgresCsvlog: LineParser = {
  kind: 'lines',
  name: 'postgres_csvlog',
  version: '2',
  source: 'postgres_csvlog',
  description: 'PostgreSQL csvlog (8.4–17 column sets, any CSV quoting, optional header row, multi-line quoted fields)',
  samples: SAMPLES,
  sniff: sniffCsvlog,
  open: (ctx) => new CsvlogHandler(ctx),
};

function sniffCsvlog(head: SniffHead) {
  let records = 0;
  let header: ReturnType<typeof headerColumns> = null;
  const counts = new Set<number>();
  let how = '';
  for (const line of head.lines.slice(0, 50)) {
    if (records === 0 && !header) {
      header = headerColumns(line);
      if (header) continue;
    }
    const fields = recordFields(line, header?.cols);
    if (!fields) continue;
    records++;
    // A record whose message spans lines is cut in the head: count only whole ones.
    if (splitCsv(line).complete) counts.add(fields.length);
    if (!how) how = quoting(line);
  }
  if (records === 0) return null;
  const layout = header
    ? 'a header row naming the columns'
    : [...counts].sort((a, b) => a - b).map((n) => VERSIONS[n] ?? `${n} columns`).join(', ') || 'multi-line records';
  return { confidence: 95, reason: `${records} head lines are csvlog records (time, …, severity, SQLSTATE): ${layout}; ${how}` };
}

/** The field at column position `i` (-1: a column the header row does not name). */
function at(fields: string[], i: number): string | undefined {
  return i >= 0 ? fields[i] : undefined;
}

/** The field, absent when empty. */
function given(fields: string[], i: number): string | undefined {
  const v = i >= 0 ? fields[i] : undefined;
  return v === '' ? undefined : v;
}

function orNull(fields: string[], i: number): string | null {
  const v = i >= 0 ? fields[i] : undefined;
  return v === undefined || v === '' ? null : v;
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
  /** Column positions: PostgreSQL's order, or as a header row names them. */
  private cols: Columns = NATIVE;
  private extraCols: Array<[number, string]> = [];
  private sawRecord = false;

  constructor(private readonly ctx: ParseContext) {
    this.interp = new PgInterpreter(ctx);
  }

  /** A continuation line that looks like the start of a new record (where to read again after a quote left open). */
  private looksLikeStart(text: string): boolean {
    if (this.cols.log_time === 0 ? !RECORD_START.test(text) : !/\d{4}-\d\d-\d\d/.test(text.slice(0, 80))) return false;
    return recordFields(text, this.cols) !== null;
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const p = this.pending;
    if (p) {
      if (p.restartAt < 0 && this.looksLikeStart(text)) p.restartAt = p.lines.length;
      p.lines.push({ text, lineNo, offset, byteLength });
      p.chars += text.length + 1;
      p.quotes += quoteCount(text);
      this.checkCut(text, byteLength);
      if (this.pending && this.pending.quotes % 2 === 0) this.complete();
      else if (this.pending && (this.pending.chars > MAX_RECORD_CHARS || this.pending.lines.length > MAX_RECORD_LINES)) this.unterminated('a quoted field runs over 8 MiB or 200,000 lines');
      return 'continuation';
    }
    if (text.length === 0) return 'blank';
    if (!this.sawRecord) {
      this.sawRecord = true;
      const h = headerColumns(text);
      if (h) {
        this.cols = h.cols;
        this.extraCols = h.extra;
        this.ctx.setFileInfo('csvlog_header', splitCsv(text).fields);
        return 'meta';
      }
    }
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
    // A quote left open by a damaged row pairs with one of a later record: the lines then close as
    // one "record" whose fields are not csvlog's. When a line inside looked like a record start,
    // check, and read again from there (a real multi-line message keeps its fields in place).
    if (p.restartAt > 0 && !this.plausible(p.lines)) {
      this.unterminated('its quotes pair with those of a later record (a damaged or cut row)');
      return;
    }
    this.pending = null;
    this.record(p.lines, true);
  }

  private plausible(lines: Line[]): boolean {
    const { fields } = splitCsv(lines.map((l) => l.text).join('\n'));
    const sev = fields[this.cols.error_severity];
    return sev !== undefined && SEVERITY.test(sev) && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/.test(fields[this.cols.log_time] ?? '');
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
    const C = this.cols;
    const timeText = at(fields, C.log_time);
    const time = timeText ? parseZonedTime(timeText, this.ctx.options.tz) : null;
    if (fields.length < 14 || !time) {
      // A damaged record was already warned about (unterminated quote): one warning per row.
      if (closed) warnAt(`not a csvlog record (${fields.length} fields${time ? '' : ', no log_time'})`);
      return;
    }
    this.columnCounts.set(fields.length, (this.columnCounts.get(fields.length) ?? 0) + 1);
    if (time.zoneNote && time.zone && !this.zoneNotes.has(time.zone)) {
      this.zoneNotes.add(time.zone);
      warnAt(`${time.zoneNote} (said once per file; such events are marked zone_assumed)`);
    }
    const rec: PgRecord = {
      ts: time.us,
      quality: time.quality,
      zone: time.zone,
      zoneNote: time.zoneNote,
      user: orNull(fields, C.user_name),
      database: orNull(fields, C.database_name),
      pid: orNull(fields, C.process_id),
      remote: orNull(fields, C.connection_from),
      sessionId: orNull(fields, C.session_id),
      lineNum: orNull(fields, C.session_line_num),
      commandTag: orNull(fields, C.command_tag),
      sessionStart: orNull(fields, C.session_start_time),
      vxid: orNull(fields, C.virtual_transaction_id),
      xid: orNull(fields, C.transaction_id),
      severity: given(fields, C.error_severity) ?? 'LOG',
      sqlstate: orNull(fields, C.sql_state_code),
      message: at(fields, C.message) ?? '',
      detail: given(fields, C.detail),
      hint: given(fields, C.hint),
      query: given(fields, C.internal_query),
      context: given(fields, C.context),
      statement: given(fields, C.query),
      location: given(fields, C.location),
      app: orNull(fields, C.application_name),
      backendType: orNull(fields, C.backend_type),
      leaderPid: orNull(fields, C.leader_pid),
      queryId: orNull(fields, C.query_id),
      line: first.lineNo,
      byte_offset: first.offset,
      byte_length: byteLength,
      raw: text.length > MAX_RECORD_CHARS ? text.slice(0, MAX_RECORD_CHARS) : text,
    };
    if (!closed || !complete) rec.extra = { damaged: true };
    if (C === NATIVE && fields.length > 26) rec.extra = { ...(rec.extra ?? {}), extra_fields: fields.slice(26) };
    if (this.extraCols.length > 0) {
      const named: Record<string, string> = {};
      for (const [i, name] of this.extraCols) if (fields[i] !== undefined && fields[i] !== '') named[name] = fields[i]!;
      if (Object.keys(named).length > 0) rec.extra = { ...(rec.extra ?? {}), extra_columns: named };
    }
    this.interp.emit(rec);
  }
}
