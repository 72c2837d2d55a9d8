/**
 * MySQL-family audit logs:
 * - MySQL Enterprise Audit, JSON format (`audit_log_format=JSON`): a JSON array written one record
 *   per line, `{ "timestamp": "2020-10-19 19:25:51", "class": "connection", "event": "connect", … },`
 *   (timestamps are UTC by definition of the format);
 * - Percona Server audit_log plugin, JSON format: `{"audit_record":{"name":"Query",…}}` per line;
 * - MySQL Enterprise Audit and Percona audit_log in XML, new style (child elements, MySQL's default)
 *   and old style (attributes, Percona's default), records over several lines (dbquery/audit-xml.ts);
 * - MariaDB server_audit plugin (text; it has no JSON format):
 *   `20180613 14:04:36,dbhost,root,10.0.0.5,12,41,QUERY,shop,'SELECT …',0` (server local time).
 */
import { parseIsoMicros } from '../core/time.js';
import type { TimeQuality } from '../core/event.js';
import { hostAddress, isIp } from './dbquery/client.js';
import { splitCsv } from './dbquery/csv.js';
import { auditXmlFields, recordEnd, recordStart, type XmlStyle } from './dbquery/audit-xml.js';
import { MysqlInterpreter, parseUserHost, type MyKind, type MyRecord } from './dbquery/mysql-record.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  '{ "timestamp": "2020-10-19 19:31:25", "id": 0, "class": "connection", "event": "connect", "connection_id": 16, "account": { "user": "audit_test_user2", "host": "hades.home" }, "login": { "user": "audit_test_user2", "os": "", "ip": "192.168.2.5", "proxy": "" }, "connection_data": { "connection_type": "ssl", "status": 0, "db": "", "connection_attributes": { "_os": "Linux", "_client_name": "libmysql", "_pid": "394499", "_client_version": "5.7.30", "_platform": "x86_64" } } },',
];

const MARIADB_LINE = /^(\d{8} \d\d:\d\d:\d\d),([^,]*),([^,]*),([^,]*),(\d+),(\d+),([A-Z_]+),/;
const MAX_WARNING_TEXT = 512;
/** An XML record longer than this is damaged (a record is a few lines). */
const MAX_XML_LINES = 10_000;

export const mysqlAuditLog: LineParser = {
  kind: 'lines',
  name: 'mysql_audit_log',
  version: '2',
  source: 'mysql_audit_log',
  description: 'MySQL Enterprise Audit JSON and XML (new/old style), Percona audit_log JSON and XML, MariaDB server_audit',
  samples: SAMPLES,
  sniff: sniffAudit,
  open: (ctx) => new AuditHandler(ctx),
};

function sniffAudit(head: SniffHead) {
  let enterprise = 0;
  let percona = 0;
  let mariadb = 0;
  let xml = 0;
  let style = '';
  for (const line of head.lines.slice(0, 50)) {
    const t = line.trim();
    if (recordStart(t)) {
      xml++;
      style ||= recordStart(t)!.style === 'new' ? 'new-style' : 'old-style';
      continue;
    }
    if (/^\s*\{\s*"timestamp"\s*:\s*"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d".*"class"\s*:\s*"/s.test(line) && /"connection_id"|"event"/.test(line)) enterprise++;
    else if (/^\s*\{\s*"audit_record"\s*:/.test(line)) percona++;
    else if (MARIADB_LINE.test(line)) mariadb++;
  }
  if (enterprise + percona + mariadb === 0 && xml === 0) {
    // Pretty-printed JSON (`jq .`, an editor, the manual's examples): a record over several lines,
    // read as one when its lines are joined.
    const flat = head.lines.slice(0, 50).map((l) => l.trim()).join('').replace(/^\[/, '');
    if (/^\{"timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",/.test(flat.replace(/":\s+/g, '":')) && /"class"\s*:\s*"/.test(flat)) {
      return { confidence: 95, reason: 'MySQL Enterprise Audit JSON records pretty-printed over several lines' };
    }
    if (/^\{"audit_record":\{/.test(flat.replace(/":\s+/g, '":'))) return { confidence: 95, reason: 'Percona audit_log JSON records pretty-printed over several lines' };
  }
  if (xml > 0 && /<(TIMESTAMP|NAME)>|\b(TIMESTAMP|NAME)="/.test(head.text)) {
    return { confidence: 95, reason: `${xml} audit records in ${style} XML (MySQL Enterprise Audit / Percona audit_log: <AUDIT_RECORD>${style === 'new-style' ? ' elements' : ' attributes'})` };
  }
  const n = enterprise + percona + mariadb;
  if (n === 0) return null;
  const kind = enterprise >= percona && enterprise >= mariadb ? 'MySQL Enterprise Audit JSON' : percona >= mariadb ? 'Percona audit_log JSON' : 'MariaDB server_audit';
  return { confidence: 95, reason: `${n} head lines are ${kind} records` };
}

interface JsonDepth {
  depth: number;
  inString: boolean;
  escape: boolean;
}

/** Follows `{`/`[` nesting over a line, outside strings (one pass; the depth is carried to the next line). */
function scanDepth(text: string, d: JsonDepth): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (d.inString) {
      if (d.escape) d.escape = false;
      else if (c === 92 /* \\ */) d.escape = true;
      else if (c === 34 /* " */) d.inString = false;
    } else if (c === 34) d.inString = true;
    else if (c === 123 || c === 91) d.depth++;
    else if (c === 125 || c === 93) d.depth--;
  }
  // A JSON string never holds a raw newline: a quote left open is damage on this line, not text
  // that swallows the lines after it.
  d.inString = false;
  d.escape = false;
}

/** A line that is a whole JSON value by its braces (closes what it opens). */
function isWholeLine(t: string): boolean {
  const d: JsonDepth = { depth: 0, inString: false, escape: false };
  scanDepth(t, d);
  return d.depth === 0;
}

interface XmlLine {
  text: string;
  lineNo: number;
  offset: number;
  byteLength: number;
}

class AuditHandler implements LineHandler {
  private readonly interp: MysqlInterpreter;
  private readonly formats = new Map<string, number>();
  /** The lines of an XML record not closed yet, and its style. */
  private xml: XmlLine[] | null = null;
  private xmlStyle: XmlStyle = 'new';
  /** The lines of a JSON record written over several lines (pretty-printed), and where its braces stand. */
  private json: { lines: XmlLine[]; depth: JsonDepth } | null = null;

  constructor(private readonly ctx: ParseContext) {
    this.interp = new MysqlInterpreter(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const t = text.trim();
    if (this.json && t.length > 1 && t.startsWith('{') && isWholeLine(t)) {
      // A complete one-line record while a pretty-printed one is open: the open one is damaged.
      this.jsonDamaged('a new record starts before this one closed');
    }
    if (this.json) {
      const j = this.json;
      j.lines.push({ text, lineNo, offset, byteLength });
      scanDepth(text, j.depth);
      if (j.depth.depth <= 0) this.jsonLinesRecord();
      else if (j.lines.length > MAX_XML_LINES) this.jsonDamaged(`no end of record within ${MAX_XML_LINES} lines`);
      return 'continuation';
    }
    if (this.xml) {
      if (recordStart(t)) {
        // A new record before the last one closed: the last one is damaged.
        this.xmlDamaged('a new <AUDIT_RECORD> starts before this one closed');
      } else {
        this.xml.push({ text, lineNo, offset, byteLength });
        if (recordEnd(t, this.xmlStyle)) this.xmlRecord();
        else if (this.xml.length > MAX_XML_LINES) this.xmlDamaged(`no end of record within ${MAX_XML_LINES} lines`);
        return 'continuation';
      }
    }
    if (t === '') return 'blank';
    // The array brackets around Enterprise Audit records; the XML declaration and root element.
    if (t === '[' || t === ']' || t === '],' || t === '[]') return 'meta';
    if (t.startsWith('<?xml') || t === '<AUDIT>' || t === '</AUDIT>') return 'meta';
    const start = recordStart(t);
    if (start) {
      this.xml = [{ text, lineNo, offset, byteLength }];
      this.xmlStyle = start.style;
      if (start.closed) this.xmlRecord();
      return 'record';
    }
    const pos = { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text };
    const warn = (reason: string): LineDisposition => {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
      return 'warning';
    };
    if (t.startsWith('{')) {
      const depth: JsonDepth = { depth: 0, inString: false, escape: false };
      scanDepth(t, depth);
      // Only a line that ends by opening an object or array begins a pretty-printed record; a one-line
      // record cut short is a warning on its own, never a reason to swallow the lines after it.
      if (depth.depth > 0 && (t.endsWith('{') || t.endsWith('['))) {
        // Pretty-printed: the record continues on the next lines.
        this.json = { lines: [{ text, lineNo, offset, byteLength }], depth };
        return 'record';
      }
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(t.endsWith(',') ? t.slice(0, -1) : t) as Record<string, unknown>;
      } catch (err) {
        return warn(`invalid JSON: ${(err as Error).message}`);
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) return warn('not a JSON object');
      const rec = o.audit_record && typeof o.audit_record === 'object' ? this.percona(o.audit_record as Record<string, unknown>, pos) : this.enterprise(o, pos);
      if (typeof rec === 'string') return warn(rec);
      this.count(o.audit_record ? 'percona_json' : 'enterprise_json');
      this.interp.emit(rec);
      return 'record';
    }
    const m = MARIADB_LINE.exec(text);
    if (m) {
      const rec = this.mariadb(m, text, pos);
      if (typeof rec === 'string') return warn(rec);
      this.count('mariadb_server_audit');
      this.interp.emit(rec);
      return 'record';
    }
    return warn('not an audit record (MySQL Enterprise JSON, Percona JSON or MariaDB server_audit)');
  }

  end(): void {
    if (this.xml) this.xmlDamaged('the file ends inside it');
    if (this.json) this.jsonDamaged('the file ends inside it');
    this.interp.finish();
    if (this.formats.size > 0) this.ctx.setFileInfo('audit_formats', Object.fromEntries(this.formats));
  }

  private xmlRecord(): void {
    const lines = this.xml!;
    this.xml = null;
    const first = lines[0]!;
    const last = lines[lines.length - 1]!;
    const raw = lines.length === 1 ? first.text : lines.map((l) => l.text).join('\n');
    const pos = { line: first.lineNo, byte_offset: first.offset, byte_length: last.offset + last.byteLength - first.offset, raw };
    const { fields, style } = auditXmlFields(raw);
    const rec = this.percona(fields, pos);
    if (typeof rec === 'string') {
      this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: rec });
      return;
    }
    this.count(`xml_${style}`);
    this.interp.emit(rec);
  }

  /** An XML record that never closed: one warning with its first line; the lines stay accounted as read. */
  private xmlDamaged(why: string): void {
    const lines = this.xml!;
    this.xml = null;
    const first = lines[0]!;
    this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: lines.map((l) => l.text).join('\n').slice(0, MAX_WARNING_TEXT), reason: `damaged audit record: ${why}; kept as this warning` });
  }

  /** A JSON record whose braces closed on this line: read like a one-line record, dated and placed by its first line. */
  private jsonLinesRecord(): void {
    const lines = this.json!.lines;
    this.json = null;
    const first = lines[0]!;
    const last = lines[lines.length - 1]!;
    const raw = lines.map((l) => l.text).join('\n');
    const pos = { line: first.lineNo, byte_offset: first.offset, byte_length: last.offset + last.byteLength - first.offset, raw };
    const warn = (reason: string) => this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: `${reason} (the record of lines ${first.lineNo}–${last.lineNo})` });
    const body = raw.trim();
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(body.endsWith(',') ? body.slice(0, -1) : body) as Record<string, unknown>;
    } catch (err) {
      warn(`invalid JSON: ${(err as Error).message}`);
      return;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) return warn('not a JSON object');
    const rec = o.audit_record && typeof o.audit_record === 'object' ? this.percona(o.audit_record as Record<string, unknown>, pos) : this.enterprise(o, pos);
    if (typeof rec === 'string') return warn(rec);
    this.count(o.audit_record ? 'percona_json_pretty' : 'enterprise_json_pretty');
    this.interp.emit(rec);
  }

  private jsonDamaged(why: string): void {
    const lines = this.json!.lines;
    this.json = null;
    const first = lines[0]!;
    this.ctx.warn({ line: first.lineNo, byte_offset: first.offset, raw: lines.map((l) => l.text).join('\n').slice(0, MAX_WARNING_TEXT), reason: `damaged audit record: ${why}; kept as this warning` });
  }

  private count(f: string): void {
    this.formats.set(f, (this.formats.get(f) ?? 0) + 1);
  }

  private enterprise(o: Record<string, unknown>, pos: Pos): MyRecord | string {
    const ts = typeof o.timestamp === 'string' ? parseIsoMicros(o.timestamp) : null;
    if (!ts) return 'audit record without a readable timestamp';
    const klass = String(o.class ?? '');
    const event = String(o.event ?? '');
    const account = (o.account ?? {}) as Record<string, unknown>;
    const login = (o.login ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const user = str(account.user) ?? str(login.user);
    const ip = str(login.ip);
    const accountHost = str(account.host);
    const base: MyRecord = {
      // MySQL Enterprise Audit JSON timestamps are UTC (the format's definition).
      ts: ts.us, quality: 'exact', kind: 'other', connId: o.connection_id !== undefined ? String(o.connection_id) : null,
      // The account's host is the pattern the client matched: it names the client only when it has no wildcard.
      user, clientIp: ip && isIp(ip) ? ip : null, clientHost: accountHost && !/[%_]/.test(accountHost) ? accountHost : null, ...pos,
    };
    const attrs: Record<string, unknown> = { audit_class: klass, audit_event: event };
    if (accountHost !== null) attrs.account_host = accountHost;
    if (o.id !== undefined) attrs.record_id = o.id;
    if (str(login.os)) attrs.os_user = login.os;
    if (str(login.proxy)) attrs.proxy_user = login.proxy;
    if (str(login.user) && login.user !== account.user) attrs.login_user = login.user;
    base.attrs = attrs;
    if (klass === 'audit') {
      const kind: MyKind = event === 'startup' ? 'server_start' : event === 'shutdown' ? 'server_stop' : 'other';
      const sd = (o.startup_data ?? {}) as Record<string, unknown>;
      if (sd.mysql_version) attrs.version = sd.mysql_version;
      return { ...base, kind, user: null, clientHost: null, command: `audit ${event}` };
    }
    if (klass === 'connection') {
      const cd = (o.connection_data ?? {}) as Record<string, unknown>;
      const status = typeof cd.status === 'number' ? cd.status : 0;
      const ca = (cd.connection_attributes ?? {}) as Record<string, unknown>;
      if (cd.connection_type) attrs.connection_type = cd.connection_type;
      if (status !== 0) attrs.status = status;
      const app = str(ca.program_name);
      if (Object.keys(ca).length > 0) attrs.connection_attributes = ca;
      const db = str(cd.db);
      if (event === 'connect') return status === 0 ? { ...base, kind: 'connect', database: db, app } : { ...base, kind: 'auth_failed', database: db, app, error: `status ${status}` };
      if (event === 'disconnect') return { ...base, kind: 'disconnect' };
      if (event === 'change_user') return status === 0 ? { ...base, kind: 'change_user', database: db } : { ...base, kind: 'auth_failed', database: db, error: `change_user status ${status}` };
      return { ...base, kind: 'other', command: `connection ${event}` };
    }
    if (klass === 'general' || klass === 'query') {
      const gd = (o.general_data ?? o.query_data ?? {}) as Record<string, unknown>;
      const status = typeof gd.status === 'number' ? gd.status : 0;
      if (gd.sql_command) attrs.sql_command = gd.sql_command;
      if (status !== 0) attrs.status = status;
      const command = str(gd.command) ?? (klass === 'query' ? 'Query' : null);
      const outcome = status === 0 ? 'success' : 'failure';
      const error = status !== 0 ? `error ${status}` : null;
      const query = typeof gd.query === 'string' ? gd.query : null;
      if (command === 'Quit') return { ...base, kind: 'disconnect', command };
      if (command === 'Init DB') return { ...base, kind: 'use', command, outcome, error, database: query };
      if (query !== null && (command === 'Query' || command === 'Execute' || command === 'Prepare' || klass === 'query')) {
        // The query class logs start and end of each statement: the start is not the statement's outcome.
        const started = klass === 'query' && /start/.test(event);
        return { ...base, kind: command === 'Prepare' ? 'prepare' : 'query', command, sql: query, outcome: started ? 'unknown' : outcome, error };
      }
      return { ...base, kind: 'command', command: command ?? event, outcome, error };
    }
    if (klass === 'table_access') {
      const td = (o.table_access_data ?? {}) as Record<string, unknown>;
      const table = [str(td.db), str(td.table)].filter(Boolean).join('.');
      attrs.table_access = event;
      if (td.sql_command) attrs.sql_command = td.sql_command;
      if (typeof td.query === 'string') attrs.query = td.query;
      return { ...base, kind: 'table_access', command: `table ${event}`, target: table || null, database: str(td.db), summary: `${event} ${table}` };
    }
    return { ...base, kind: 'other', command: `${klass} ${event}`.trim() };
  }

  private percona(a: Record<string, unknown>, pos: Pos): MyRecord | string {
    const tsText = typeof a.timestamp === 'string' ? a.timestamp.replace(/ UTC$/, 'Z') : '';
    const ts = parseIsoMicros(tsText, this.ctx.options.tz);
    if (!ts) return 'audit record without a readable timestamp';
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const uh = typeof a.user === 'string' ? parseUserHost(a.user) : null;
    const ip = str(a.ip);
    const status = Number(a.status ?? 0);
    const name = String(a.name ?? '');
    const attrs: Record<string, unknown> = {};
    if (a.record) attrs.record_id = a.record;
    if (a.command_class) attrs.sql_command = a.command_class;
    if (str(a.os_user)) attrs.os_user = a.os_user;
    if (status !== 0) attrs.status = status;
    const base: MyRecord = {
      ts: ts.us, quality: ts.zoned ? 'exact' : 'zone_assumed', kind: 'other', connId: a.connection_id !== undefined ? String(a.connection_id) : null,
      user: uh?.user ?? str(a.user), clientIp: ip && isIp(ip) ? ip : null, clientHost: str(a.host) ?? uh?.host ?? null,
      database: str(a.db), command: name, outcome: status === 0 ? 'success' : 'failure', error: status !== 0 ? `error ${status}` : null, attrs, ...pos,
    };
    switch (name) {
      case 'Connect':
        return status === 0 ? { ...base, kind: 'connect' } : { ...base, kind: 'auth_failed' };
      case 'Quit':
        return { ...base, kind: 'disconnect', outcome: 'success', error: null };
      case 'Change user':
        return status === 0 ? { ...base, kind: 'change_user' } : { ...base, kind: 'auth_failed' };
      case 'Audit':
      case 'NoAudit':
        return { ...base, kind: 'other', command: `audit ${name}` };
      default:
        if (typeof a.sqltext === 'string') return { ...base, kind: name === 'Prepare' ? 'prepare' : 'query', sql: a.sqltext };
        return { ...base, kind: 'command' };
    }
  }

  /** timestamp,serverhost,username,host,connectionid,queryid,operation,database,object,retcode */
  private mariadb(m: RegExpExecArray, text: string, pos: Pos): MyRecord | string {
    const [, time, serverHost, user, host, connId, queryId, op] = m;
    const t = /^(\d{4})(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(time!)!;
    const us = this.ctx.options.tz.toUtcMicros(Number(t[1]), Number(t[2]), Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]), 0);
    if (Number.isNaN(us)) return 'server_audit record with an impossible time';
    const rest = splitCsv(text.slice(m[0].length));
    const database = rest.fields[0] || null;
    // The object is SQL quoted with '…' (\' and \\ escaped); the return code is the last field.
    const tail = text.slice(m[0].length + (rest.fields[0]?.length ?? 0) + 1);
    // Table events (READ, WRITE, …) have an empty return code.
    const codeMatch = /,(-?\d*)\s*$/.exec(tail);
    const retcode = codeMatch && codeMatch[1] ? Number(codeMatch[1]) : 0;
    let object = codeMatch ? tail.slice(0, codeMatch.index) : tail;
    if (object.startsWith("'") && object.endsWith("'")) object = object.slice(1, -1).replace(/\\(['\\])/g, '$1');
    const a = hostAddress(host);
    const quality: TimeQuality = 'zone_assumed';
    const base: MyRecord = {
      ts: us, quality, kind: 'other', connId: connId!, user: user || null, clientIp: a.ip, clientHost: a.host, database, command: op,
      host: serverHost || null, outcome: retcode === 0 ? 'success' : 'failure', error: retcode !== 0 ? `error ${retcode}` : null,
      attrs: { query_id: Number(queryId) }, ...pos,
    };
    switch (op) {
      case 'CONNECT':
        return { ...base, kind: 'connect' };
      case 'FAILED_CONNECT':
        return { ...base, kind: 'auth_failed' };
      case 'DISCONNECT':
        return { ...base, kind: 'disconnect', outcome: 'success' };
      case 'CHANGEUSER':
        return { ...base, kind: 'change_user' };
      case 'QUERY':
      case 'QUERY_DDL':
      case 'QUERY_DML':
      case 'QUERY_DCL':
      case 'QUERY_DML_NO_SELECT':
        return { ...base, kind: 'query', sql: object };
      case 'READ':
      case 'WRITE':
      case 'CREATE':
      case 'ALTER':
      case 'DROP':
      case 'RENAME':
        return { ...base, kind: 'table_access', target: [database, object].filter(Boolean).join('.'), database, summary: `${op} ${[database, object].filter(Boolean).join('.')}`, attrs: { query_id: Number(queryId), table_access: op.toLowerCase() } };
      default:
        return { ...base, kind: 'command', attrs: { query_id: Number(queryId), object } };
    }
  }
}

interface Pos {
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}
