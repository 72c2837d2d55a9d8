/**
 * CloudTrail records as CSV: Splunk's CSV export (the record in the `_raw` column, `_time` beside
 * it), Kibana's CSV of Elastic AWS integration documents (ECS columns), Athena and CloudTrail Lake query results (lower-cased columns — `eventtime`,
 * `useridentity` as Hive struct text or `useridentity.arn` — request parameters as JSON text),
 * and SIEM tables with CloudTrail's own column names. Each row is mapped back to a CloudTrail
 * record (cloudtrail/variants/) and normalized exactly as the JSON parser does, so the events
 * equal those of the native records.
 *
 * Rows are found line by line by quote parity (a row ends on a line where the running count of
 * `"` is even), which keeps each row's line, byte offset and length exact. A quoted field left
 * open (a damaged file) cannot swallow the rest: the row is cut at the next line that is a
 * whole row by itself, kept as a warning, and reading resumes there.
 */
import { splitCsv, quoteCount } from './dbquery/csv.js';
import { jsonDepth } from './cloudtrail/json-damage.js';
import { normalizeRecord } from './cloudtrail/record.js';
import { cloudTrailTopName } from './cloudtrail/variants/flattened.js';
import { resolveRecord } from './cloudtrail/variants/resolve.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  // Athena: SELECT eventtime, eventsource, eventname, … FROM cloudtrail_logs (lower-cased columns, every field quoted).
  '"eventtime","eventsource","eventname","awsregion","sourceipaddress","useragent","useridentity.type","useridentity.arn","useridentity.accesskeyid","errorcode","requestparameters"\n' +
    '"2026-04-14T03:17:26Z","iam.amazonaws.com","CreateUser","us-east-1","203.0.113.140","aws-cli/2.15.30","AssumedRole","arn:aws:sts::444455556666:assumed-role/DeployAdmin/bb-session","ASIA4EXAMPLEBBSESS2K","AccessDenied","{""userName"":""svc-sync""}"',
];

const RAW_RECORD_KEYS = ['eventVersion', 'eventSource', 'eventName', 'eventTime', 'userIdentity', 'sourceIPAddress'];
const MAX_ROW_CHARS = 32 * 1024 * 1024;
const MAX_ROW_LINES = 100_000;
const MAX_WARNING_TEXT = 512;

export const cloudtrailCsv: LineParser = {
  kind: 'lines',
  name: 'cloudtrail_csv',
  version: '1',
  source: 'cloudtrail',
  description: 'AWS CloudTrail as CSV: Splunk exports (_raw), Kibana CSV of Elastic AWS integration documents, Athena and CloudTrail Lake query results, SIEM tables with CloudTrail columns',
  samples: SAMPLES,
  sniff: sniffCloudTrailCsv,
  open: (ctx) => new CsvHandler(ctx),
};

/** The CloudTrail columns of a header line (CloudTrail's names in any spelling, or labels that say the same). */
function cloudTrailColumns(header: string[]): string[] {
  return header.filter((h) => cloudTrailTopName(h.split('.')[0]!) !== null);
}

export function sniffCloudTrailCsv(head: SniffHead): SniffMatch | null {
  const first = head.lines[0];
  if (!first || !first.includes(',') || first.trimStart().startsWith('{') || first.trimStart().startsWith('[')) return null;
  const { fields, complete } = splitCsv(first);
  if (!complete || fields.length < 2) return null;
  if (fields.includes('_raw')) {
    const keys = RAW_RECORD_KEYS.filter((k) => head.text.includes(`""${k}""`)).length;
    if (keys >= 3) return { confidence: 90, reason: `Splunk export (CSV): CloudTrail records in the _raw column, ${keys}/${RAW_RECORD_KEYS.length} record fields` };
    return null;
  }
  const ecs = fields.filter((f) => f.startsWith('aws.cloudtrail.') || f === 'event.provider' || f === 'event.action').length;
  if (ecs >= 2 && fields.includes('@timestamp') && /amazonaws\.com/.test(head.text)) {
    return { confidence: 88, reason: `Kibana / OpenSearch Dashboards CSV of Elastic AWS integration documents (ECS columns: @timestamp, ${fields.filter((f) => f.startsWith('event.') || f.startsWith('aws.cloudtrail.')).slice(0, 3).join(', ')}, …)` };
  }
  const cols = cloudTrailColumns(fields);
  const names = new Set(cols.map((c) => cloudTrailTopName(c.split('.')[0]!)));
  if (cols.length >= 3 && (names.has('eventName') || names.has('eventSource'))) {
    const lower = cols.every((c) => c === c.toLowerCase());
    return { confidence: 88, reason: `CloudTrail records as CSV (${lower ? 'Athena / CloudTrail Lake query results, lower-cased columns' : 'a table with CloudTrail column names'}): ${cols.slice(0, 6).join(', ')}${cols.length > 6 ? ', …' : ''}` };
  }
  return null;
}

interface Line {
  text: string;
  lineNo: number;
  offset: number;
  byteLength: number;
}

class CsvHandler implements LineHandler {
  private header: string[] | null = null;
  private headerText = '';
  private pending: { lines: Line[]; chars: number; quotes: number } | null = null;
  private rows = 0;
  private events = 0;
  private rowWarnings = 0;
  private readonly variants = new Map<string, number>();

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const p = this.pending;
    if (p) {
      p.lines.push({ text, lineNo, offset, byteLength });
      p.chars += text.length + 1;
      p.quotes += quoteCount(text);
      if (p.quotes % 2 === 0) this.complete();
      else if (p.chars > MAX_ROW_CHARS || p.lines.length > MAX_ROW_LINES) this.unterminated('a quoted field runs over 32 MiB or 100,000 lines');
      return 'continuation';
    }
    if (text.length === 0) return 'blank';
    const t = lineNo === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (this.header === null) {
      const { fields } = splitCsv(t);
      this.header = fields.map((f) => f.trim());
      this.headerText = t;
      this.ctx.setFileInfo('csv_columns', this.header.length);
      return 'meta';
    }
    // Exports concatenated with `cat` repeat the header.
    if (t === this.headerText) return 'meta';
    this.pending = { lines: [{ text: t, lineNo, offset, byteLength }], chars: t.length, quotes: quoteCount(t) };
    if (this.pending.quotes % 2 === 0) this.complete();
    return 'record';
  }

  end(): void {
    while (this.pending) this.unterminated('the file ends inside a quoted field');
    this.ctx.setFileInfo('records', this.rows);
    this.ctx.setFileInfo('record_warnings', this.rowWarnings);
    if (this.variants.size > 0) this.ctx.setFileInfo('variants', Object.fromEntries(this.variants));
    if (this.header === null) this.ctx.setFileInfo('empty', true);
  }

  private complete(): void {
    const p = this.pending!;
    this.pending = null;
    try {
      this.row(p.lines);
    } catch (err) {
      // A parser bug must not lose the row or stop the file: keep it as a warning.
      const first = p.lines[0]!;
      this.rowWarnings++;
      this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: first.text.slice(0, MAX_WARNING_TEXT), reason: `row at line ${first.lineNo}: parser error: ${(err as Error).message}` });
    }
  }

  /** The row never closed: warn, and read again from the first later line that is a whole row by itself. */
  private unterminated(why: string): void {
    const p = this.pending!;
    this.pending = null;
    const first = p.lines[0]!;
    let cut = p.lines.length;
    for (let i = 1; i < p.lines.length; i++) {
      const l = p.lines[i]!.text;
      if (quoteCount(l) % 2 === 0 && splitCsv(l).fields.length === this.header!.length) {
        cut = i;
        break;
      }
    }
    this.rows++;
    this.rowWarnings++;
    this.ctx.warn({
      line: first.lineNo,
      byte_offset: first.offset,
      raw: first.text.slice(0, MAX_WARNING_TEXT),
      reason: `row at line ${first.lineNo}: a quoted field is not closed (${why}); ${cut} line(s) kept as this warning${cut < p.lines.length ? `, lines from ${p.lines[cut]!.lineNo} read again as rows` : ''}`,
    });
    // Their dispositions were already counted as continuation lines; only the rows are redone.
    for (const l of p.lines.slice(cut)) this.line(l.text, l.lineNo, l.offset, l.byteLength);
  }

  private row(lines: Line[]): void {
    this.rows++;
    const first = lines[0]!;
    const last = lines[lines.length - 1]!;
    const text = lines.length === 1 ? first.text : lines.map((l) => l.text).join('\n');
    const header = this.header!;
    const warn = (reason: string) => {
      this.rowWarnings++;
      this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `row at line ${first.lineNo}: ${reason}` });
    };
    const { fields } = splitCsv(text);
    if (fields.length !== header.length) {
      warn(`${fields.length} fields where the header has ${header.length} (a damaged or cut row); not read`);
      return;
    }
    const o: Record<string, unknown> = {};
    let depth = 1;
    for (let i = 0; i < header.length; i++) {
      const v = fields[i]!;
      if (v === '') continue;
      o[header[i]!] = v;
      const c = v.charCodeAt(0);
      if (c === 0x7b || c === 0x5b) depth = Math.max(depth, jsonDepth(v) + 1);
    }
    const r = resolveRecord(o, { container: null, head: null });
    if ('problem' in r) return warn(r.problem);
    if ('control' in r) return warn('not a CloudTrail record');
    const prov = { line: first.lineNo, byte_offset: first.offset, byte_length: last.offset + last.byteLength - first.offset, raw: text.length > MAX_ROW_CHARS ? text.slice(0, MAX_ROW_CHARS) : text };
    const n = normalizeRecord(r.rec, prov, { tz: this.ctx.options.tz, depth, wrapper: r.wrapper, fallbackTime: r.fallbackTime, timeField: r.timeField });
    if ('problem' in n) return warn(n.problem);
    const variant = r.layers.length > 0 ? r.layers.join('>') : 'columns';
    this.variants.set(variant, (this.variants.get(variant) ?? 0) + 1);
    this.events++;
    this.ctx.emit(n.event);
  }
}
