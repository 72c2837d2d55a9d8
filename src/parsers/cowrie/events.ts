/**
 * What a Cowrie honeypot record means in dwell's vocabulary, whichever log carried it: the JSON log
 * (cowrie.json, one object per line with an `eventid`) or the Twisted text log (cowrie.log), whose
 * lines are first turned into the same eventid and fields (cowrie/text-line.ts).
 *
 * Logins are `ssh_login` / `ssh_login_failed` (telnet_* for telnet sessions) with the same fields
 * sshd's and Zeek's carry, so brute-force rules and the address link read them unchanged; what the
 * attacker typed is `shell_command` (a host command, which the command_indicators link reads for
 * payload hosts and call-back addresses); downloads are `file_download` with the URL as target.
 * Every other eventid is `cowrie_<eventid>` with its fields in attrs: nothing is dropped.
 *
 * Cowrie writes the client's port and the honeypot's address only on `cowrie.session.connect`;
 * later records of the session carry the session id. Sessions remembers them per file, so a login
 * has its client port (the key to Zeek's ssh.log) and server address, as an sshd line would.
 */
import type { DwellEvent, EventClass, Outcome, TimeQuality } from '../../core/event.js';
import { isIp } from '../../core/ip.js';
import { endpoint } from '../netflow/common.js';

/** One Cowrie record, from either log. */
export interface CowrieRecord {
  eventid: string;
  ts: number;
  quality: TimeQuality;
  /** Session key: Cowrie's session id (JSON) or `transport:N` (text log, which names the Twisted transport). */
  session: string | null;
  src_ip: string | null;
  /** The record's own fields (JSON keys, or what the text line said). */
  fields: Record<string, unknown>;
  /** The sensor (honeypot host name) when the log names it. */
  sensor: string | null;
  /** Key of the per-session facts when it is not `session` (the text log's Twisted transport number). */
  stateKey?: string | null;
}

interface SessionFacts {
  protocol: string;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  user: string | null;
}

/** What the connect and login records of each open session said (per file). */
export class Sessions {
  private readonly open = new Map<string, SessionFacts>();

  facts(session: string | null): SessionFacts | undefined {
    return session === null ? undefined : this.open.get(session);
  }

  connect(session: string | null, f: SessionFacts): void {
    if (session !== null) this.open.set(session, f);
  }

  login(session: string | null, user: string): void {
    const s = this.facts(session);
    if (s) s.user = user;
    else if (session !== null) this.open.set(session, { protocol: 'ssh', src_port: null, dst_ip: null, dst_port: null, user });
  }

  close(session: string | null): void {
    if (session !== null) this.open.delete(session);
  }
}

export interface Provenance {
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}

/** Fields that become columns; the rest of the record goes to attrs. */
const COLUMN_FIELDS = new Set(['eventid', 'timestamp', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'session', 'sensor', 'message', 'username', 'input', 'url']);

export function cowrieEvent(r: CowrieRecord, sessions: Sessions, p: Provenance): DwellEvent {
  const f = r.fields;
  const id = r.eventid;
  const key = r.stateKey !== undefined ? r.stateKey : r.session;
  const known = sessions.facts(key);
  const protocol = str(f.protocol) ?? known?.protocol ?? 'ssh';
  const telnet = protocol === 'telnet';
  const attrs: Record<string, unknown> = { eventid: id };
  for (const [k, v] of Object.entries(f)) if (!COLUMN_FIELDS.has(k) && v !== '' && v !== null && v !== undefined) attrs[k] = v;
  if (typeof f.message === 'string' && f.message !== '') attrs.message = f.message;

  const srcPort = portOf(f.src_port) ?? known?.src_port ?? null;
  const dstIp = ipOf(f.dst_ip) ?? known?.dst_ip ?? null;
  const dstPort = portOf(f.dst_port) ?? known?.dst_port ?? null;
  let cls: EventClass = 'network_activity';
  let action: string;
  let outcome: Outcome = 'unknown';
  let actor: string | null = known?.user ?? null;
  let target: string | null = null;
  let command: string | null = null;
  let columnsDst = { ip: dstIp, port: dstPort };
  const from = r.src_ip ? `${r.src_ip}${srcPort !== null ? ` port ${srcPort}` : ''}` : '?';
  const where = ` (Cowrie honeypot${r.session ? ` session ${r.session}` : ''})`;
  let summary: string;

  switch (id) {
    case 'cowrie.session.connect':
      action = telnet ? 'telnet_connection' : 'ssh_connection';
      sessions.connect(key, { protocol, src_port: srcPort, dst_ip: dstIp, dst_port: dstPort, user: null });
      actor = null;
      summary = `${telnet ? 'telnet' : 'ssh'} connection from ${endpoint(r.src_ip, srcPort)} to ${endpoint(dstIp, dstPort)}${where}`;
      break;
    case 'cowrie.login.success':
    case 'cowrie.login.failed': {
      const ok = id === 'cowrie.login.success';
      cls = 'authentication';
      action = `${telnet ? 'telnet' : 'ssh'}_login${ok ? '' : '_failed'}`;
      outcome = ok ? 'success' : 'failure';
      actor = str(f.username);
      if (ok && actor !== null) sessions.login(key, actor);
      attrs.method = 'password';
      summary = `${ok ? '' : 'failed '}${telnet ? 'telnet' : 'ssh'} login for ${actor ?? '?'} from ${from} (password)${where}`;
      break;
    }
    case 'cowrie.command.input':
    case 'cowrie.command.failed':
      cls = 'process_activity';
      action = 'shell_command';
      outcome = id === 'cowrie.command.input' ? 'success' : 'failure';
      command = str(f.input) ?? '';
      summary = `${outcome === 'failure' ? 'unknown command' : 'command'} from ${r.src_ip ?? '?'}${actor ? ` as ${actor}` : ''}: ${oneLine(command)}${where}`;
      break;
    case 'cowrie.session.file_download':
    case 'cowrie.session.file_download.failed': {
      action = 'file_download';
      outcome = id.endsWith('.failed') ? 'failure' : 'success';
      target = str(f.url);
      // The honeypot, not the client, fetched it: the URL's server is not put in dst_ip beside the
      // client's address (that would read as a flow between them); it is in target and attrs.
      const server = target ? urlHost(target) : null;
      if (server) attrs.url_host = server.host;
      columnsDst = { ip: null, port: null };
      summary = `${outcome === 'failure' ? 'failed download' : 'download'} of ${target ?? '?'} in a session from ${r.src_ip ?? '?'}${typeof f.shasum === 'string' ? ` (sha256 ${f.shasum})` : ''}${where}`;
      break;
    }
    case 'cowrie.session.file_upload':
      action = 'file_upload';
      outcome = 'success';
      target = str(f.filename);
      summary = `upload of ${target ?? '?'} from ${r.src_ip ?? '?'}${typeof f.shasum === 'string' ? ` (sha256 ${f.shasum})` : ''}${where}`;
      break;
    case 'cowrie.session.closed':
      action = telnet ? 'cowrie_session_closed' : 'ssh_connection_closed';
      sessions.close(key);
      summary = `${telnet ? 'telnet' : 'ssh'} connection from ${endpoint(r.src_ip, srcPort)} closed${typeof f.duration === 'number' ? ` after ${Math.round(f.duration)} s` : ''}${where}`;
      break;
    default: {
      action = 'cowrie_' + id.replace(/^cowrie\./, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
      if (action === 'cowrie_') action = 'cowrie_other';
      if (/^cowrie\.(log|sensor)\./.test(id) || (id.startsWith('cowrie.text.') && r.src_ip === null)) cls = 'system_activity';
      else if (id.startsWith('cowrie.command.')) cls = 'process_activity';
      else if (/^cowrie\.client\.fingerprint/.test(id)) {
        cls = 'authentication';
        actor = str(f.username) ?? actor;
      }
      const msg = typeof f.message === 'string' ? f.message : Array.isArray(f.message) ? f.message.join(' ') : '';
      summary = `cowrie ${id.replace(/^cowrie\./, '')}${msg ? `: ${oneLine(msg)}` : ''} from ${r.src_ip ?? '?'}${where}`;
    }
  }
  return {
    ts: r.ts,
    time_quality: r.quality,
    class: cls,
    action,
    outcome,
    host: r.sensor,
    actor,
    src_ip: r.src_ip,
    src_port: srcPort,
    dst_ip: columnsDst.ip,
    dst_port: columnsDst.port,
    protocol: action === 'file_download' ? (target ? urlHost(target)?.scheme ?? null : null) : protocol,
    session: r.session,
    target,
    command,
    summary,
    attrs,
    line: p.line,
    byte_offset: p.byte_offset,
    byte_length: p.byte_length,
    raw: p.raw,
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function portOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

function ipOf(v: unknown): string | null {
  return typeof v === 'string' && isIp(v) ? v : null;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ');
}

/** Scheme, host and port of a URL as the attacker wrote it, or null when it is not one. */
export function urlHost(url: string): { scheme: string; host: string; port: number | null } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { scheme: u.protocol.replace(/:$/, ''), host, port: u.port === '' ? null : Number(u.port) };
}
