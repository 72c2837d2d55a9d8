/**
 * One PostgreSQL log record — however it was written (stderr with a prefix, syslog, csvlog,
 * jsonlog, a cloud wrapper) — turned into a normalized event: what the message means, which
 * session it belongs to, and what its statement touched.
 */
import type { DwellEvent, EventClass, Outcome, TimeQuality } from '../../core/event.js';
import { SqlAnalyzer } from '../sql/analyze.js';
import type { ParseContext } from '../types.js';
import { hostAddress, pgRemote, type ClientAddress } from './client.js';
import { splitCsv } from './csv.js';
import { SessionTable, type DbSession } from './session.js';
import { clientText, describeStatement, oneLineSql, who } from './statement.js';

/** A record in a format-independent shape (csvlog column names where they exist). */
export interface PgRecord {
  ts: number;
  quality: TimeQuality;
  /** Zone as written (CEST, +03) and why it was not used, when it was not. */
  zone?: string;
  zoneNote?: string;
  severity: string;
  message: string;
  detail?: string;
  hint?: string;
  context?: string;
  /** The statement the message is about (STATEMENT line, csvlog `query`). */
  statement?: string;
  /** Internal query (QUERY line). */
  query?: string;
  location?: string;
  pid?: string | null;
  sessionId?: string | null;
  lineNum?: string | null;
  user?: string | null;
  database?: string | null;
  /** Client as written: `%r` host(port), csvlog host:port, or `%h`. */
  remote?: string | null;
  app?: string | null;
  sqlstate?: string | null;
  vxid?: string | null;
  xid?: string | null;
  backendType?: string | null;
  queryId?: string | null;
  commandTag?: string | null;
  sessionStart?: string | null;
  leaderPid?: string | null;
  /** The database server (syslog host, Cloud SQL instance, pod), when the wrapper names it. */
  host?: string | null;
  /** Wrapper facts for attrs (syslog program, Cloud SQL insertId, …). */
  extra?: Record<string, unknown>;
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}

const CONN_RECEIVED = /^connection received: host=(\S+)(?: port=(\d+))?(?: user=(\S+))?(?: database=(\S+))?/;
const CONN_AUTHENTICATED = /^connection authenticated: identity="((?:[^"]|"")*)" method=(\S+)/;
const CONN_AUTHORIZED = /^(replication )?connection authorized: user=(\S+)(?: database=(\S+))?/;
const DISCONNECTION = /^disconnection: session time: (\d+:\d\d:\d\d(?:\.\d+)?) user=(\S*) database=(\S*) host=(\S+)(?: port=(\d+))?/;
const AUTH_FAILED = /^(\S+) authentication failed for user "((?:[^"]|"")*)"/;
const NO_HBA = /^(?:no pg_hba\.conf entry for|pg_hba\.conf rejects) (replication connection from |connection for )?host "([^"]*)", user "((?:[^"]|"")*)"(?:, database "((?:[^"]|"")*)")?/;
const ROLE_MISSING = /^role "((?:[^"]|"")*)" does not exist/;
const ROLE_NO_LOGIN = /^role "((?:[^"]|"")*)" is not permitted to log in/;
const DB_MISSING = /^database "((?:[^"]|"")*)" does not exist/;
const TOO_MANY = /^(sorry, too many clients already|remaining connection slots are reserved|too many connections for (?:role|database))/;
const STATEMENT = /^(?:duration: ([\d.]+) ms\s+)?(?:(statement)|(execute|parse|bind) (?:fetch from )?(\S+?)):(?: |$)([\s\S]*)$/;
const DURATION_ONLY = /^duration: ([\d.]+) ms\s*$/;
const AUDIT = /^AUDIT: (SESSION|OBJECT),/;
const TEMP_FILE = /^temporary file: path "([^"]*)", size (\d+)/;
const PARAM_CHANGED = /^parameter "([^"]+)" changed to "(.*)"$/s;
const SERVER_START = /^starting PostgreSQL (\S+)/;
const PARAMETERS = /^parameters: ([\s\S]*)$/;

const FAILURE_SEVERITIES = new Set(['ERROR', 'FATAL', 'PANIC']);

interface Meaning {
  class: EventClass;
  action: string;
  outcome: Outcome;
  summary: string;
  actor?: string | null;
  database?: string | null;
  client?: ClientAddress;
  /** SQL the event is about (goes to `command` and is analyzed). */
  sql?: string;
  attrs?: Record<string, unknown>;
  /** The session starts here (connection received) / ends here (disconnection, failed login). */
  opens?: boolean;
  closes?: boolean;
  /** The server (re)started: every pid is new. */
  serverStart?: boolean;
}

/** `[unknown]`, empty and missing values are absent, not names. */
function clean(v: string | null | undefined): string | null {
  if (v === undefined || v === null || v === '' || v === '[unknown]') return null;
  return v;
}

function unquote(s: string): string {
  return s.replace(/""/g, '"');
}

function firstLine(s: string, max = 300): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? line.slice(0, max) + '…' : line;
}

/**
 * `connection authorized: user=U database=D application_name=A SSL enabled (…)` or `… GSS …`.
 * The tail is read with indexOf: a lazy application name before `SSL enabled \(.*\)$` re-scanned
 * the rest of the line from every ` SSL enabled (` in it (the application name is the client's to set).
 */
function connectionAuthorized(msg: string): { replication: boolean; user: string; database: string | null; app: string | null; encryption: string | null } | null {
  const m = CONN_AUTHORIZED.exec(msg);
  if (!m) return null;
  let rest = msg.slice(m[0].length);
  let app: string | null = null;
  const APP = ' application_name=';
  if (rest.startsWith(APP)) {
    const body = rest.slice(APP.length);
    // The application name is the shortest text that leaves an encryption note (or nothing) after it.
    const gss = body.indexOf(' GSS ');
    const ssl = body.endsWith(')') ? body.indexOf(' SSL enabled (') : -1;
    const at = gss < 0 ? ssl : ssl < 0 ? gss : Math.min(gss, ssl);
    app = at < 0 ? body : body.slice(0, at);
    rest = at < 0 ? '' : body.slice(at);
  }
  const encrypted = (rest.startsWith(' SSL enabled (') && rest.endsWith(')') && rest.length >= 15) || rest.startsWith(' GSS ');
  if (rest !== '' && !encrypted) return null;
  return { replication: m[1] !== undefined, user: m[2]!, database: m[3] ?? null, app, encryption: encrypted ? rest.slice(1) : null };
}

/** The fields of the event being built that came from its session (reused: one event at a time). */
const FROM_SESSION: string[] = [];

/** The line's own value, else the session's (noted in FROM_SESSION under `name`). */
function pick<T>(own: T | null | undefined, fromS: T | null | undefined, name: string): T | null {
  if (own !== null && own !== undefined) return own;
  if (fromS !== null && fromS !== undefined) {
    FROM_SESSION.push(name);
    return fromS;
  }
  return null;
}

export class PgInterpreter {
  readonly sessions = new SessionTable();
  readonly analyzer = new SqlAnalyzer('pg');

  constructor(private readonly ctx: ParseContext) {}

  /** Emits the event for one complete record. */
  emit(rec: PgRecord): void {
    this.ctx.emit(this.toEvent(rec));
  }

  /** File facts at the end (SQL analysis statistics). */
  finish(): void {
    const s = this.analyzer.summary();
    if (s.statements > 0) this.ctx.setFileInfo('sql_analysis', s);
  }

  toEvent(rec: PgRecord): DwellEvent {
    const key = clean(rec.sessionId) ?? clean(rec.pid);
    const meaning = this.interpret(rec);
    if (meaning.serverStart) this.sessions.clear();
    let session: DbSession | undefined;
    if (key) session = meaning.opens ? this.sessions.open(key) : this.sessions.get(key);

    // Fields the line itself states win; the session fills the gaps.
    const recClient = rec.remote ? pgRemote(rec.remote) : null;
    const lineUser = clean(meaning.actor) ?? clean(rec.user);
    const lineDb = clean(meaning.database) ?? clean(rec.database);
    const lineClient = meaning.client ?? (recClient && (recClient.ip || recClient.host) ? recClient : null);
    const lineApp = clean(rec.app) ?? clean(meaning.attrs?.application_name as string | undefined);
    const refused = meaning.action === 'db_auth_failed' || meaning.action === 'db_connect_failed';
    if (session && !refused) {
      if (lineUser) session.user = lineUser;
      if (lineDb) session.database = lineDb;
      if (lineClient) {
        const same = lineClient.ip === session.clientIp && lineClient.host === session.clientHost;
        session.clientPort = lineClient.port ?? (same ? session.clientPort : null) ?? null;
        session.clientIp = lineClient.ip;
        session.clientHost = lineClient.host;
      }
      if (lineApp) session.app = lineApp;
      if (meaning.attrs?.replication) session.replication = true;
    } else if (!session && key && !meaning.closes && (lineUser || lineDb || lineClient)) {
      // A session whose connection lines are not in this file (rotated away): start it from here.
      session = this.sessions.open(key);
      session.user = lineUser;
      session.database = lineDb;
      if (lineClient) {
        session.clientIp = lineClient.ip;
        session.clientPort = lineClient.port;
        session.clientHost = lineClient.host;
      }
      session.app = lineApp;
    }
    const fromSession = FROM_SESSION;
    fromSession.length = 0;
    const actor = pick(lineUser, session?.user, 'actor');
    const database = pick(lineDb, session?.database, 'database');
    const srcIp = pick(lineClient?.ip, lineClient ? null : session?.clientIp, 'src_ip');
    // %h gives the address without the port: the session's port still applies to the same address.
    const sameClient = !lineClient || (lineClient.ip !== null && lineClient.ip === session?.clientIp) || (lineClient.host !== null && lineClient.host === session?.clientHost);
    const srcPort = pick(lineClient?.port, sameClient ? session?.clientPort : null, 'src_port');
    const clientHost = pick(lineClient?.host, lineClient ? null : session?.clientHost, 'client_host');
    const app = pick(lineApp, session?.app, 'application_name');

    // Defaults are left out (severity LOG, backend type "client backend", the session start that
    // the session id already encodes): the record keeps them, and millions of events stay smaller.
    const attrs: Record<string, unknown> = {};
    if (rec.severity !== 'LOG') attrs.severity = rec.severity;
    if (rec.pid) attrs.pid = Number(rec.pid);
    // The session id is the `session` column when there is one; the pid is then kept here.
    if (rec.sessionId && rec.sessionId !== key) attrs.session_id = rec.sessionId;
    if (rec.lineNum) attrs.line_num = Number(rec.lineNum);
    if (clean(rec.sqlstate) && rec.sqlstate !== '00000') attrs.sqlstate = rec.sqlstate;
    if (app) attrs.application_name = app;
    if (clientHost) attrs.client_host = clientHost;
    if (clean(rec.commandTag)) attrs.command_tag = rec.commandTag;
    if (clean(rec.vxid)) attrs.vxid = rec.vxid;
    if (clean(rec.xid) && rec.xid !== '0') attrs.xid = rec.xid;
    if (clean(rec.backendType) && rec.backendType !== 'client backend') attrs.backend_type = rec.backendType;
    if (clean(rec.queryId) && rec.queryId !== '0') attrs.query_id = rec.queryId;
    if (clean(rec.sessionStart) && !rec.sessionId) attrs.session_start = rec.sessionStart;
    if (clean(rec.leaderPid)) attrs.leader_pid = rec.leaderPid;
    if (rec.zoneNote) attrs.tz = rec.zone;
    if (meaning.attrs) Object.assign(attrs, meaning.attrs);
    if (rec.detail !== undefined && attrs.parameters === undefined) attrs.detail = rec.detail;
    if (rec.hint !== undefined) attrs.hint = rec.hint;
    if (rec.context !== undefined) attrs.context = rec.context;
    if (rec.query !== undefined) attrs.internal_query = rec.query;
    if (rec.location !== undefined) attrs.location = rec.location;
    if (rec.extra) Object.assign(attrs, rec.extra);
    if (fromSession.length > 0) attrs.from_session = fromSession.slice();

    let command: string | null = null;
    let target: string | null = null;
    const sql = meaning.sql ?? rec.statement;
    if (sql !== undefined && sql.trim() !== '') {
      command = sql;
      const st = describeStatement(this.analyzer, sql, null, session);
      attrs.sql = st.sql;
      target = st.target;
    }
    if (meaning.action === 'db_audit' && typeof (attrs.audit as { object_name?: string } | undefined)?.object_name === 'string' && (attrs.audit as { object_name: string }).object_name) {
      target = (attrs.audit as { object_name: string }).object_name;
    }
    let summary = meaning.summary;
    if (meaning.action === 'db_error' && command) summary += ` — ${oneLineSql(command)}`;
    const quiet = meaning.action === 'db_log' || meaning.action === 'db_warning' || meaning.action === 'db_temp_file';
    if (meaning.class === 'datastore_activity' && !quiet && (actor || database || srcIp || clientHost)) {
      summary = `${who(actor, database)}${clientText(srcIp, srcPort, clientHost)}: ${summary}`;
    } else if (meaning.class === 'authentication' && !meaning.client) summary += clientText(srcIp, srcPort, clientHost);

    const ev: DwellEvent = {
      ts: rec.ts,
      time_quality: rec.quality,
      class: meaning.class,
      action: meaning.action,
      outcome: meaning.outcome,
      host: rec.host ?? null,
      actor,
      src_ip: srcIp,
      src_port: srcPort,
      protocol: 'postgres',
      session: key,
      target,
      database,
      command,
      summary,
      attrs,
      line: rec.line,
      byte_offset: rec.byte_offset,
      byte_length: rec.byte_length,
      raw: rec.raw,
    };
    if (meaning.closes && key) this.sessions.close(key);
    return ev;
  }

  private interpret(rec: PgRecord): Meaning {
    const msg = rec.message;
    const sev = rec.severity;
    const failed = FAILURE_SEVERITIES.has(sev);
    let m: RegExpExecArray | null;
    if (sev === 'FATAL') {
      if ((m = AUTH_FAILED.exec(msg))) {
        return { class: 'authentication', action: 'db_auth_failed', outcome: 'failure', actor: unquote(m[2]!), closes: true, summary: `${m[1]} authentication failed for user "${unquote(m[2]!)}"`, attrs: { method: m[1], error: msg } };
      }
      if ((m = NO_HBA.exec(msg))) {
        return {
          class: 'authentication', action: 'db_auth_failed', outcome: 'failure', actor: unquote(m[3]!), database: m[4] ? unquote(m[4]) : null, client: hostAddress(m[2]), closes: true,
          summary: `connection rejected by pg_hba.conf for user "${unquote(m[3]!)}"${m[4] ? ` database "${unquote(m[4])}"` : ''} from ${m[2]}`,
          attrs: { error: msg, ...(m[1]?.startsWith('replication') ? { replication: true } : {}) },
        };
      }
      if ((m = ROLE_MISSING.exec(msg)) || (m = ROLE_NO_LOGIN.exec(msg))) {
        return { class: 'authentication', action: 'db_auth_failed', outcome: 'failure', actor: unquote(m[1]!), closes: true, summary: `login refused: ${firstLine(msg)}`, attrs: { error: msg } };
      }
      if ((m = DB_MISSING.exec(msg))) {
        return { class: 'authentication', action: 'db_connect_failed', outcome: 'failure', database: unquote(m[1]!), closes: true, summary: `connection failed: ${firstLine(msg)}`, attrs: { error: msg } };
      }
      if (TOO_MANY.test(msg)) {
        return { class: 'authentication', action: 'db_connect_failed', outcome: 'failure', closes: true, summary: `connection refused: ${firstLine(msg)}`, attrs: { error: msg } };
      }
    }
    if (failed) {
      return { class: 'datastore_activity', action: 'db_error', outcome: 'failure', summary: `${sev}: ${firstLine(msg, 200)}`, attrs: { error: msg }, closes: sev === 'FATAL' || sev === 'PANIC' };
    }
    if ((m = STATEMENT.exec(msg))) {
      const [, duration, isStatement, step, name, sql] = m;
      const action = isStatement || step === 'execute' ? 'db_query' : step === 'parse' ? 'db_parse' : 'db_bind';
      const attrs: Record<string, unknown> = {};
      if (duration !== undefined) attrs.duration_ms = Number(duration);
      if (name !== undefined) attrs.prepared = name;
      const params = rec.detail !== undefined ? PARAMETERS.exec(rec.detail) : null;
      if (params) attrs.parameters = params[1];
      return {
        class: 'datastore_activity', action, outcome: duration !== undefined ? 'success' : 'unknown', sql: sql!,
        summary: `${step ? `${step} ` : ''}${oneLineSql(sql!)}${duration !== undefined ? ` (${duration} ms)` : ''}`,
        attrs,
      };
    }
    if ((m = CONN_RECEIVED.exec(msg))) {
      return {
        class: 'network_activity', action: 'db_connection_received', outcome: 'unknown', client: hostAddress(m[1], m[2]), opens: true,
        actor: m[3] ? m[3] : null, database: m[4] ? m[4] : null,
        summary: `connection received from ${m[1]}${m[2] ? `:${m[2]}` : ''}`,
      };
    }
    const auth = connectionAuthorized(msg);
    if (auth) {
      const attrs: Record<string, unknown> = {};
      if (auth.replication) attrs.replication = true;
      if (auth.app) attrs.application_name = auth.app;
      if (auth.encryption) attrs.encryption = auth.encryption;
      return {
        class: 'authentication', action: 'db_connect', outcome: 'success', actor: auth.user, database: auth.database, attrs,
        summary: `${auth.replication ? 'replication ' : ''}login as ${auth.user}${auth.database ? ` to database ${auth.database}` : ''}${auth.app ? ` (${auth.app})` : ''}`,
      };
    }
    if ((m = CONN_AUTHENTICATED.exec(msg))) {
      return { class: 'authentication', action: 'db_authenticated', outcome: 'success', summary: `authenticated as ${unquote(m[1]!)} by ${m[2]}`, attrs: { identity: unquote(m[1]!), method: m[2] } };
    }
    if ((m = DISCONNECTION.exec(msg))) {
      return {
        class: 'authentication', action: 'db_disconnect', outcome: 'success', actor: clean(m[2]), database: clean(m[3]), client: hostAddress(m[4], m[5]), closes: true,
        summary: `${m[2] || '?'} disconnected from ${m[3] || '?'} after ${m[1]}`, attrs: { session_time: m[1] },
      };
    }
    if ((m = DURATION_ONLY.exec(msg))) {
      return { class: 'datastore_activity', action: 'db_duration', outcome: 'success', summary: `statement took ${m[1]} ms`, attrs: { duration_ms: Number(m[1]) } };
    }
    if (AUDIT.test(msg)) return auditMeaning(msg.slice('AUDIT: '.length));
    if ((m = SERVER_START.exec(msg))) {
      return { class: 'system_activity', action: 'db_server_start', outcome: 'success', serverStart: true, summary: firstLine(msg), attrs: { version: m[1] } };
    }
    if (msg === 'database system is ready to accept connections' || msg.startsWith('database system is ready to accept')) {
      return { class: 'system_activity', action: 'db_server_ready', outcome: 'success', summary: msg };
    }
    if (/^received (smart|fast|immediate) shutdown request/.test(msg)) return { class: 'system_activity', action: 'db_server_shutdown_request', outcome: 'unknown', summary: msg };
    if (msg === 'database system is shut down') return { class: 'system_activity', action: 'db_server_stop', outcome: 'success', summary: msg };
    if ((m = PARAM_CHANGED.exec(msg))) {
      return { class: 'system_activity', action: 'db_config_changed', outcome: 'success', summary: `setting ${m[1]} changed to "${m[2]}"`, attrs: { parameter: m[1], value: m[2] } };
    }
    if (msg === 'incomplete startup packet') {
      return { class: 'network_activity', action: 'db_incomplete_startup', outcome: 'failure', summary: 'incomplete startup packet (connection opened and closed without a login: a probe or health check)' };
    }
    if ((m = TEMP_FILE.exec(msg))) {
      return { class: 'datastore_activity', action: 'db_temp_file', outcome: 'success', summary: `temporary file of ${m[2]} bytes`, attrs: { temp_file: m[1], temp_file_size: Number(m[2]) } };
    }
    return {
      class: 'datastore_activity', action: sev === 'WARNING' ? 'db_warning' : 'db_log', outcome: 'unknown',
      summary: `${sev}: ${firstLine(msg, 200)}`,
    };
  }
}

/**
 * pgaudit's payload: AUDIT_TYPE,STATEMENT_ID,SUBSTATEMENT_ID,CLASS,COMMAND,OBJECT_TYPE,
 * OBJECT_NAME,STATEMENT,PARAMETER[,ROWS] (CSV; the statement quoted when it has commas, quotes
 * or newlines).
 */
export function parseAudit(payload: string): Record<string, unknown> & { statement: string } {
  const { fields, complete } = splitCsv(payload);
  const [type, stmtId, subId, klass, command, objectType, objectName, statement, parameter, ...rest] = fields;
  const audit: Record<string, unknown> & { statement: string } = {
    type: type ?? '',
    statement_id: Number(stmtId),
    substatement_id: Number(subId),
    class: klass ?? '',
    command: command ?? '',
    object_type: objectType ?? '',
    object_name: objectName ?? '',
    statement: statement ?? '',
    parameter: parameter ?? '',
  };
  if (rest.length === 1 && /^\d+$/.test(rest[0]!)) audit.rows = Number(rest[0]);
  else if (rest.length > 0) audit.extra = rest;
  if (!complete) audit.truncated = true;
  return audit;
}

function auditMeaning(payload: string): Meaning {
  const audit = parseAudit(payload);
  const { statement, ...rest } = audit;
  const realStatement = statement && !/^<(previously logged|not logged)>$/.test(statement) ? statement : undefined;
  const attrs: Record<string, unknown> = { audit: realStatement ? rest : audit };
  return {
    class: 'datastore_activity', action: 'db_audit', outcome: 'success', sql: realStatement, attrs,
    summary: `AUDIT ${audit.type} ${audit.class} ${audit.command}${audit.object_name ? ` ${audit.object_name}` : ''}${realStatement ? `: ${oneLineSql(realStatement)}` : ''}`,
  };
}

