/**
 * One MySQL / MariaDB log record (general log, slow log, audit log) in a format-independent shape,
 * turned into a normalized event with its connection's user, client and database.
 */
import type { DwellEvent, EventClass, Outcome, TimeQuality } from '../../core/event.js';
import type { LocalZone } from '../../core/time.js';
import { SqlAnalyzer } from '../sql/analyze.js';
import type { ParseContext } from '../types.js';
import { hostAddress } from './client.js';
import { SessionTable, type DbSession } from './session.js';
import { clientText, describeStatement, oneLineSql, who } from './statement.js';

export type MyKind =
  | 'connect'
  | 'auth_failed'
  | 'disconnect'
  | 'change_user'
  | 'query'
  | 'prepare'
  | 'use'
  | 'command'
  | 'binlog_dump'
  | 'table_access'
  | 'server_start'
  | 'server_stop'
  | 'other';

export interface MyRecord {
  ts: number;
  quality: TimeQuality;
  kind: MyKind;
  /** Connection (thread) id. */
  connId: string | null;
  user?: string | null;
  /** Client host as written (name, IP, localhost). */
  clientHost?: string | null;
  clientIp?: string | null;
  clientPort?: number | null;
  database?: string | null;
  sql?: string | null;
  /** The server command (Query, Init DB, Quit, Binlog Dump, …) or audit event name. */
  command?: string | null;
  /** failure when the record says so (status/errno ≠ 0, Access denied). */
  outcome?: Outcome;
  error?: string | null;
  durationMs?: number | null;
  rows?: number | null;
  /** Program name from connection attributes (mysqldump, …). */
  app?: string | null;
  /** The server, when the log names it (MariaDB audit serverhost). */
  host?: string | null;
  target?: string | null;
  attrs?: Record<string, unknown>;
  summary?: string;
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}

const ACTIONS: Record<MyKind, [EventClass, string]> = {
  connect: ['authentication', 'db_connect'],
  auth_failed: ['authentication', 'db_auth_failed'],
  disconnect: ['authentication', 'db_disconnect'],
  change_user: ['authentication', 'db_change_user'],
  query: ['datastore_activity', 'db_query'],
  prepare: ['datastore_activity', 'db_prepare'],
  use: ['datastore_activity', 'db_use'],
  command: ['datastore_activity', 'db_command'],
  binlog_dump: ['datastore_activity', 'db_binlog_dump'],
  table_access: ['datastore_activity', 'db_table_access'],
  server_start: ['system_activity', 'db_server_start'],
  server_stop: ['system_activity', 'db_server_stop'],
  other: ['other', 'other'],
};

// Matched against trimmed text: `\s*;?\s*$` let the two `\s*` split a run of spaces every way.
const USE_STATEMENT = /^use\s+`?([^`;\s]+)`?\s*;?$/i;

export class MysqlInterpreter {
  readonly sessions = new SessionTable();
  readonly analyzer = new SqlAnalyzer('mysql');

  constructor(private readonly ctx: ParseContext) {}

  emit(rec: MyRecord): void {
    this.ctx.emit(this.toEvent(rec));
  }

  finish(): void {
    const s = this.analyzer.summary();
    if (s.statements > 0) this.ctx.setFileInfo('sql_analysis', s);
  }

  /** Updates the session without an event (a record that cannot be dated still tells who is connected). */
  track(rec: MyRecord): void {
    this.toEvent(rec);
  }

  toEvent(rec: MyRecord): DwellEvent {
    const key = rec.connId;
    let session: DbSession | undefined;
    if (key) {
      if (rec.kind === 'connect') session = this.sessions.open(key);
      else session = this.sessions.get(key) ?? (rec.user || rec.database || rec.clientHost || rec.clientIp ? this.sessions.open(key) : undefined);
    }
    const client = rec.clientIp || rec.clientHost ? (rec.clientIp ? { ip: rec.clientIp, port: rec.clientPort ?? null, host: rec.clientHost && rec.clientHost !== rec.clientIp ? rec.clientHost : null } : hostAddress(rec.clientHost, rec.clientPort === null || rec.clientPort === undefined ? null : String(rec.clientPort))) : null;
    const failedLogin = rec.kind === 'auth_failed';
    if (session && !failedLogin) {
      if (rec.user) session.user = rec.user;
      if (rec.database) session.database = rec.database;
      if (client) {
        session.clientIp = client.ip;
        session.clientHost = client.host;
        session.clientPort = client.port ?? session.clientPort ?? null;
      }
      if (rec.app) session.app = rec.app;
    }
    const fromSession: string[] = [];
    const pick = <T>(own: T | null | undefined, fromS: T | null | undefined, name: string): T | null => {
      if (own !== null && own !== undefined && own !== '') return own;
      if (fromS !== null && fromS !== undefined) {
        fromSession.push(name);
        return fromS;
      }
      return null;
    };
    const actor = pick(rec.user, failedLogin ? null : session?.user, 'actor');
    // The statement runs in the database the session was in before it (USE changes it after).
    const database = pick(rec.database, failedLogin ? null : session?.database, 'database');
    const srcIp = pick(client?.ip, client ? null : session?.clientIp, 'src_ip');
    const srcPort = pick(client?.port, client ? null : session?.clientPort, 'src_port');
    const clientHost = pick(client?.host, client ? null : session?.clientHost, 'client_host');
    const app = pick(rec.app, session?.app, 'program_name');

    const [klass, baseAction] = ACTIONS[rec.kind];
    let action = baseAction;
    let outcome: Outcome = rec.outcome ?? (rec.kind === 'auth_failed' ? 'failure' : rec.kind === 'connect' || rec.kind === 'disconnect' ? 'success' : 'unknown');
    if ((rec.kind === 'query' || rec.kind === 'prepare') && outcome === 'failure') action = 'db_error';
    const attrs: Record<string, unknown> = {};
    if (key) attrs.connection_id = Number(key);
    if (rec.command) attrs.command = rec.command;
    if (clientHost) attrs.client_host = clientHost;
    if (app) attrs.program_name = app;
    if (rec.durationMs !== null && rec.durationMs !== undefined) attrs.duration_ms = rec.durationMs;
    if (rec.error) attrs.error = rec.error;
    if (rec.attrs) Object.assign(attrs, rec.attrs);
    if (fromSession.length > 0) attrs.from_session = fromSession;

    let target = rec.target ?? null;
    let command: string | null = null;
    const sql = rec.sql;
    if (sql !== undefined && sql !== null && sql.trim() !== '') {
      command = sql;
      const st = describeStatement(this.analyzer, sql, database, session);
      attrs.sql = st.sql;
      target ??= st.target;
      const use = (st.sql.verb === 'USE' && USE_STATEMENT.exec(sql.trim())) || null;
      if (use && session) session.database = use[1]!;
    }
    if (rec.kind === 'use' && session && rec.database) session.database = rec.database;

    let summary = rec.summary ?? this.summaryOf(rec, action, command, actor);
    if (klass === 'datastore_activity') summary = `${actor || database ? who(actor, database) : key ? `connection ${key}` : '?'}${clientText(srcIp, srcPort, clientHost)}: ${summary}`;
    else if (klass === 'authentication' && rec.kind !== 'auth_failed') summary = `${summary}${clientText(srcIp, srcPort, clientHost)}`;
    if (outcome === 'unknown' && rec.kind === 'use') outcome = 'success';

    const ev: DwellEvent = {
      ts: rec.ts,
      time_quality: rec.quality,
      class: klass,
      action,
      outcome,
      host: rec.host ?? null,
      actor,
      src_ip: srcIp,
      src_port: srcPort,
      protocol: 'mysql',
      session: key,
      target,
      database,
      rows: rec.rows ?? null,
      command,
      summary,
      attrs,
      line: rec.line,
      byte_offset: rec.byte_offset,
      byte_length: rec.byte_length,
      raw: rec.raw,
    };
    if (rec.kind === 'disconnect' && key) this.sessions.close(key);
    return ev;
  }

  private summaryOf(rec: MyRecord, action: string, command: string | null, actor: string | null): string {
    switch (rec.kind) {
      case 'connect':
        return `login as ${rec.user ?? '?'}${rec.database ? ` to database ${rec.database}` : ''}`;
      case 'auth_failed':
        return `login failed for ${rec.user ?? '?'}${rec.clientHost || rec.clientIp ? ` from ${rec.clientIp ?? rec.clientHost}` : ''}${rec.error ? `: ${rec.error}` : ''}`;
      case 'disconnect':
        return `${actor ?? 'connection'} disconnected`;
      case 'change_user':
        return `changed user to ${rec.user ?? '?'}`;
      case 'use':
        return `use database ${rec.database ?? '?'}`;
      case 'server_start':
      case 'server_stop':
      case 'other':
        return rec.command ?? action;
      default: {
        const stmt = command ? oneLineSql(command) : rec.command ?? action;
        const extra = [rec.durationMs !== null && rec.durationMs !== undefined ? `${rec.durationMs} ms` : '', rec.rows !== null && rec.rows !== undefined ? `${rec.rows} rows` : '', rec.error ?? ''].filter(Boolean);
        return `${rec.kind === 'command' || rec.kind === 'binlog_dump' ? `${rec.command}${command ? ' ' : ''}` : rec.kind === 'prepare' ? 'prepare ' : ''}${command ? stmt : rec.kind === 'command' ? '' : stmt}${extra.length ? ` (${extra.join(', ')})` : ''}`;
      }
    }
  }
}

/** `root[root] @ localhost [127.0.0.1]` (slow log, Percona audit): user, priv user, host, IP. */
// The host holds no `[` and may be absent: `@\s*(\S*)\s*\[` let the two `\s*` split a run of spaces every way.
const USER_HOST = /^\s*([^[\s]*)\[([^\]]*)\]\s*@\s*(?:([^\s[]+)\s*)?\[([^\]]*)\]/;
export function parseUserHost(text: string): { user: string | null; privUser: string | null; host: string | null; ip: string | null } | null {
  const m = USER_HOST.exec(text);
  if (!m) return null;
  return { user: m[1] || m[2] || null, privUser: m[2] || null, host: m[3] || null, ip: m[4] || null };
}

/** Old MySQL times `051007 21:55:24` / `100211  0:55:24` (server local time). */
const OLD_TIME = /^(\d\d)(\d\d)(\d\d)\s+(\d{1,2}):(\d\d):(\d\d)$/;
export function parseOldMysqlTime(text: string, tz: LocalZone): { us: number; quality: TimeQuality } | null {
  const m = OLD_TIME.exec(text.trim());
  if (!m) return null;
  const yy = Number(m[1]);
  const year = yy < 70 ? 2000 + yy : 1900 + yy;
  const us = tz.toUtcMicros(year, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return Number.isNaN(us) ? null : { us, quality: 'zone_assumed' };
}
