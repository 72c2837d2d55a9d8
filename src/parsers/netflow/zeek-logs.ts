/**
 * Zeek application logs in dwell's event vocabulary, so other sources' rules and links read them
 * without knowing Zeek:
 *
 * - ssh.log: `auth_success` T → `ssh_login` (success), F → `ssh_login_failed` (failure), the same
 *   class and actions as auth_log's sshd events. Unset (Zeek's heuristic could not tell, e.g. the
 *   client gave up before authenticating) → `ssh_connection` with outcome unknown: a connection to
 *   sshd was seen, nothing is claimed about a login. Zeek never sees the user name (SSH encrypts it):
 *   actor stays empty and `attrs.user_visible = false` says why.
 * - notice.log: `ids_alert` (as Suricata's alerts), the notice type in `attrs.note`.
 * - dns.log: `dns_query`, the name in `target`; NOERROR → success, any other answer code → failure,
 *   no answer → unknown.
 * - http.log: `http_request`, `http://host[:port]uri` in `target`, the user agent in `user_agent`;
 *   status 1xx–3xx → success, 4xx–5xx → failure.
 *
 * Every field stays in attrs as Zeek wrote it; this only fills the columns and the verb.
 */
import type { DwellEvent, Outcome } from '../../core/event.js';
import { endpoint } from './common.js';
import { isIp } from '../../core/ip.js';

/** Zeek logs mapped here, by `_path` / `#path`. */
export type ZeekLog = 'ssh' | 'notice' | 'dns' | 'http';

/**
 * Which of the mapped logs a record belongs to: its path when written (`#path`, `_path`,
 * `@stream`), else its fields (Zeek's own JSON files carry no `_path`), else the file name.
 */
export function zeekLogOf(path: string | null, attrs: Record<string, unknown>, fileName: string): ZeekLog | null {
  if (path !== null) {
    const p = path.toLowerCase();
    return p === 'ssh' || p === 'notice' || p === 'dns' || p === 'http' ? p : null;
  }
  if ('auth_success' in attrs || 'zeek_ssh_auth_success' in attrs || ('auth_attempts' in attrs && 'client' in attrs && 'server' in attrs)) return 'ssh';
  if ('note' in attrs && 'msg' in attrs) return 'notice';
  if ('qtype_name' in attrs || ('query' in attrs && ('rcode' in attrs || 'trans_id' in attrs))) return 'dns';
  if ('method' in attrs && 'uri' in attrs) return 'http';
  const m = /^(ssh|notice|dns|http)[._]/.exec(fileName);
  return m ? (m[1] as ZeekLog) : null;
}

/**
 * Fills the event's verb, outcome and columns from the log's fields (in place). `protocol` becomes
 * the application protocol (ssh, dns, http, as auth_log writes ssh); the transport Zeek wrote stays
 * in `attrs.transport`.
 */
export function mapZeekLog(kind: ZeekLog, e: DwellEvent, attrs: Record<string, unknown>): void {
  if (kind !== 'notice' && e.protocol) attrs.transport = e.protocol;
  switch (kind) {
    case 'ssh':
      return ssh(e, attrs);
    case 'notice':
      return notice(e, attrs);
    case 'dns':
      return dns(e, attrs);
    case 'http':
      return http(e, attrs);
  }
}

/** Zeek bools arrive typed (TSV with #types, JSON) or as T/F text (TSV without #types). */
function bool(v: unknown): boolean | null {
  if (v === true || v === 'T' || v === 'true') return true;
  if (v === false || v === 'F' || v === 'false') return false;
  return null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
}

function ssh(e: DwellEvent, attrs: Record<string, unknown>): void {
  const ok = bool(attrs.auth_success ?? attrs.zeek_ssh_auth_success);
  const from = endpoint(e.src_ip, e.src_port);
  const to = endpoint(e.dst_ip, e.dst_port);
  const client = text(attrs.client);
  e.protocol = 'ssh';
  attrs.user_visible = false;
  // The server is dst_ip; the record's host is the sensor that saw it, not the machine logged into
  // (a login "on" the sensor would make it look compromised).
  if (e.host) attrs.sensor = e.host;
  e.host = null;
  const tail = `${client ? `, client ${client}` : ''}; Zeek cannot see the user`;
  if (ok === null) {
    e.class = 'network_activity';
    e.action = 'ssh_connection';
    e.outcome = 'unknown';
    e.summary = `ssh connection from ${from} to ${to} (Zeek could not tell whether authentication succeeded${tail})`;
    return;
  }
  e.class = 'authentication';
  e.action = ok ? 'ssh_login' : 'ssh_login_failed';
  e.outcome = ok ? 'success' : 'failure';
  const n = attrs.auth_attempts ?? attrs.zeek_ssh_auth_attempts;
  const attempts = typeof n === 'number' ? `, ${n} attempt(s)` : '';
  // Several guesses in one connection weigh as several failures, as sshd's "message repeated N times" does.
  if (!ok && typeof n === 'number' && n > 1) attrs.repeated = n;
  e.summary = `${ok ? 'ssh login' : 'failed ssh login'} from ${from} to ${to} (Zeek auth_success ${ok ? 'T' : 'F'}${attempts}${tail})`;
}

function notice(e: DwellEvent, attrs: Record<string, unknown>): void {
  const note = text(attrs.note) ?? 'notice';
  const msg = text(attrs.msg);
  e.action = 'ids_alert';
  // Notices about a host rather than a connection (scans, password guessing) leave id.* unset and name it in src/dst/p.
  if (!e.src_ip && typeof attrs.src === 'string' && isIp(attrs.src)) e.src_ip = attrs.src;
  if (!e.dst_ip && typeof attrs.dst === 'string' && isIp(attrs.dst)) e.dst_ip = attrs.dst;
  if ((e.dst_port === null || e.dst_port === undefined) && typeof attrs.p === 'number') e.dst_port = attrs.p;
  e.summary = `zeek notice ${note}${msg ? `: ${msg}` : ''}`;
}

function dns(e: DwellEvent, attrs: Record<string, unknown>): void {
  // Zeek's names, then ECS's (Elastic's integration, Security Onion).
  const query = text(attrs.query) ?? text(attrs.dns_question_name);
  const rcode = text(attrs.rcode_name) ?? text(attrs.rcode) ?? text(attrs.dns_response_code);
  e.action = 'dns_query';
  e.protocol = 'dns';
  e.target = query;
  e.outcome = rcode === null ? 'unknown' : rcode === 'NOERROR' || rcode === '0' ? 'success' : 'failure';
  const qtype = text(attrs.qtype_name) ?? text(attrs.qtype) ?? text(attrs.dns_question_type);
  e.summary = `dns ${qtype ? `${qtype} ` : ''}${query ?? '?'} from ${endpoint(e.src_ip, e.src_port)} to ${endpoint(e.dst_ip, e.dst_port)}: ${rcode ?? 'no answer'}`;
}

function http(e: DwellEvent, attrs: Record<string, unknown>): void {
  const method = text(attrs.method) ?? text(attrs.http_request_method);
  const host = text(attrs.host) ?? text(attrs.url_domain);
  const uri = text(attrs.uri) ?? text(attrs.url_original);
  const code = attrs.status_code ?? attrs.http_response_status_code;
  const status = typeof code === 'number' ? code : Number(code);
  e.action = 'http_request';
  e.protocol = 'http';
  if (host !== null || uri !== null) {
    const port = e.dst_port !== null && e.dst_port !== undefined && e.dst_port !== 80 ? `:${e.dst_port}` : '';
    e.target = host !== null ? `http://${host.includes(':') ? host : host + port}${uri ?? ''}` : uri;
  }
  const ua = text(attrs.user_agent) ?? text(attrs.user_agent_original);
  if (ua !== null) e.user_agent = ua;
  let outcome: Outcome = 'unknown';
  if (Number.isInteger(status) && status >= 100 && status < 400) outcome = 'success';
  else if (Number.isInteger(status) && status >= 400 && status < 600) outcome = 'failure';
  e.outcome = outcome;
  e.summary = `http ${method ?? '?'} ${e.target ?? '?'} from ${endpoint(e.src_ip, e.src_port)}: ${Number.isInteger(status) ? status : 'no reply'}`;
}
