/**
 * What auth-related syslog messages mean: sshd, PAM, sudo, su, shadow-utils account changes,
 * systemd-logind, cron and login. Each recognizer takes the program and message of one syslog
 * line and returns the normalized fields, or null when it does not know the message.
 *
 * The patterns follow the messages OpenSSH, sudo, shadow-utils and linux-pam actually print
 * (checked against the real samples in ../shared/corpus/auth).
 */
import type { EventClass, Outcome } from '../../core/event.js';
import { isIp } from '../../core/ip.js';
import { parseNetfilterMessage } from '../netfilter/packet-log.js';

export interface AuthFields {
  class: EventClass;
  action: string;
  outcome: Outcome;
  actor?: string | null;
  src_ip?: string | null;
  src_port?: number | null;
  dst_ip?: string | null;
  dst_port?: number | null;
  protocol?: string | null;
  target?: string | null;
  command?: string | null;
  /** Session id other than the program's pid (logind session number). */
  session?: string | null;
  /** A kernel firewall (netfilter LOG) line: the logged packet as a one-packet flow. */
  bytes_out?: number | null;
  packets_out?: number | null;
  community_id?: string | null;
  summary: string;
  attrs?: Record<string, unknown>;
}

// Every pattern here runs on attacker-written text and must stay linear in it: no `.` without the
// `s` flag (a CR or U+2028 inside a line would stop it), no lazy group before `\s*$` (sshd()
// matches trailing-space-trimmed text against `$` instead), no two quantifiers that can split the
// same run of characters between them. test/hostile/parsers-linear.test.ts holds them to it.

/** An address or host name as sshd prints it: one token (addr() tells them apart). */
const IP = String.raw`(\S+)`;

// ---- sshd -----------------------------------------------------------------------------------

const SSH_ACCEPTED = new RegExp(
  String.raw`^(Accepted|Failed|Postponed|Partial) (\S+) for (invalid user )?(.*?) from ${IP} port (\d+)(?:\s+(ssh\d?))?(?:: (\S+) (\S+))?(?: \[preauth\])?$`,
  's',
);
const SSH_INVALID_USER = new RegExp(String.raw`^[Ii]nvalid user (.*?) from ${IP}(?: port (\d+))?$`, 's');
const SSH_CLOSED = new RegExp(
  String.raw`^Connection (closed|reset) by (?:(invalid|authenticating) user (.*?) )?${IP}(?: port (\d+))?(?: \[preauth\])?$`,
  's',
);
const SSH_DISCONNECTED = new RegExp(
  String.raw`^Disconnected from (?:(invalid|authenticating) )?(?:user (.*?) )?${IP}(?: port (\d+))?(?: \[preauth\])?$`,
  's',
);
const SSH_RECEIVED_DISCONNECT = new RegExp(
  String.raw`^(?:error: )?Received disconnect from ${IP}(?: port (\d+))?: ?(\d+): ?(.*?)(?: \[preauth\])?$`,
  's',
);
const SSH_NO_IDENT = new RegExp(String.raw`^Did not receive identification string from ${IP}(?: port (\d+))?$`, 's');
const SSH_MAX_AUTH = new RegExp(
  String.raw`^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(.*?) from ${IP} port (\d+)(?: ssh\d?)?(?: \[preauth\])?$`,
  's',
);
// The tail is checked with includes(): `[hex]+.*POSSIBLE` re-scanned the line from every split of a long hex run.
const SSH_BREAKIN = /^(?:reverse mapping checking getaddrinfo for|Address) (\S+) \[?([0-9A-Fa-f:.]+)\]?/;
const SSH_CONNECTION_FROM = new RegExp(String.raw`^Connection from ${IP} port (\d+)(?: on ${IP} port (\d+))?`, 's');
const SSH_BAD_PROTOCOL = new RegExp(String.raw`^Bad protocol version identification '(.*)' from ${IP}(?: port (\d+))?$`, 's');
const SSH_TOO_MANY = /^Disconnecting(?: (?:invalid|authenticating) user (\S+) ([0-9A-Fa-f:.]+) port (\d+))?: Too many authentication failures/;
const SSH_STARTING_SESSION = new RegExp(String.raw`^Starting session: (.*?) for (\S+) from ${IP} port (\d+)(?: id (\d+))?`, 's');
const SSH_USERAUTH_INVALID = /^input_userauth_request: invalid user (.*?)(?: \[preauth\])?$/s;
const SSH_LISTENING = /^Server listening on (\S+) port (\d+)/;
const SSH_SUBSYSTEM = /^subsystem request for (\S+) by user (\S+)/;
const MESSAGE_REPEATED = /^message repeated (\d+) times: \[ ?(.*)\]\s*$/s;
const LAST_REPEATED = /^-*\s*last message repeated (\d+) times?/;

function port(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

/** An address as sshd printed it; hostnames (UseDNS) stay in attrs, not in src_ip. */
function addr(s: string | undefined): { ip: string | null; name?: string } {
  if (!s) return { ip: null };
  if (isIp(s)) return { ip: s };
  return { ip: null, name: s };
}

function sshd(msg: string): AuthFields | null {
  // The patterns end in `$` rather than `\s*$`: trailing space is trimmed once here.
  const text = msg.trimEnd();
  let m = SSH_ACCEPTED.exec(text);
  if (m) {
    const [, verdict, method, invalid, user, host, p, proto, keyType, fingerprint] = m;
    const a = addr(host);
    const ok = verdict === 'Accepted';
    const action = ok ? 'ssh_login' : verdict === 'Failed' ? 'ssh_login_failed' : 'ssh_login_partial';
    return {
      class: 'authentication',
      action,
      outcome: ok ? 'success' : verdict === 'Failed' ? 'failure' : 'unknown',
      actor: user || null,
      src_ip: a.ip,
      src_port: port(p),
      protocol: 'ssh',
      summary: `${ok ? 'ssh login' : verdict === 'Failed' ? 'failed ssh login' : `ssh ${verdict!.toLowerCase()} auth`} for ${invalid ? 'invalid user ' : ''}${user} from ${host} port ${p} (${method}${keyType ? ` ${keyType}` : ''})`,
      attrs: compact({ method, invalid_user: invalid ? true : undefined, ssh_protocol: proto, key_type: keyType, key_fingerprint: fingerprint, src_host: a.name, preauth: msg.includes('[preauth]') || undefined }),
    };
  }
  m = SSH_INVALID_USER.exec(text);
  if (m) {
    const a = addr(m[2]);
    return {
      class: 'authentication', action: 'ssh_invalid_user', outcome: 'failure', actor: m[1] || null, src_ip: a.ip, src_port: port(m[3]), protocol: 'ssh',
      summary: `ssh attempt for invalid user ${m[1]} from ${m[2]}`, attrs: compact({ invalid_user: true, src_host: a.name }),
    };
  }
  m = SSH_CLOSED.exec(text);
  if (m) {
    const a = addr(m[4]);
    const verb = m[1] === 'closed' ? 'closed' : 'reset';
    return {
      class: 'network_activity', action: `ssh_connection_${verb}`, outcome: 'unknown', actor: m[3] ?? null, src_ip: a.ip, src_port: port(m[5]), protocol: 'ssh',
      summary: `ssh connection ${verb} by ${m[2] ? `${m[2]} user ${m[3]} ` : ''}${m[4]}${msg.includes('[preauth]') ? ' before authentication' : ''}`,
      attrs: compact({ user_state: m[2], invalid_user: m[2] === 'invalid' || undefined, preauth: msg.includes('[preauth]') || undefined, src_host: a.name }),
    };
  }
  m = SSH_DISCONNECTED.exec(text);
  if (m) {
    const a = addr(m[3]);
    return {
      class: 'network_activity', action: 'ssh_disconnected', outcome: 'unknown', actor: m[2] ?? null, src_ip: a.ip, src_port: port(m[4]), protocol: 'ssh',
      summary: `ssh disconnected from ${m[2] ? `user ${m[2]} ` : ''}${m[3]}`,
      attrs: compact({ user_state: m[1], preauth: msg.includes('[preauth]') || undefined, src_host: a.name }),
    };
  }
  m = SSH_RECEIVED_DISCONNECT.exec(text);
  if (m) {
    const a = addr(m[1]);
    return {
      class: 'network_activity', action: 'ssh_disconnect_received', outcome: 'unknown', src_ip: a.ip, src_port: port(m[2]), protocol: 'ssh',
      summary: `ssh client ${m[1]} disconnected (${m[3]}: ${m[4] || 'no reason'})`,
      attrs: compact({ reason_code: Number(m[3]), reason: m[4] || undefined, preauth: msg.includes('[preauth]') || undefined, src_host: a.name }),
    };
  }
  m = SSH_MAX_AUTH.exec(text);
  if (m) {
    const a = addr(m[3]);
    return {
      class: 'authentication', action: 'ssh_max_auth_exceeded', outcome: 'failure', actor: m[2] || null, src_ip: a.ip, src_port: port(m[4]), protocol: 'ssh',
      summary: `ssh maximum authentication attempts exceeded for ${m[1] ? 'invalid user ' : ''}${m[2]} from ${m[3]}`,
      attrs: compact({ invalid_user: m[1] ? true : undefined, src_host: a.name }),
    };
  }
  m = SSH_NO_IDENT.exec(text);
  if (m) {
    const a = addr(m[1]);
    return {
      class: 'network_activity', action: 'ssh_no_identification', outcome: 'failure', src_ip: a.ip, src_port: port(m[2]), protocol: 'ssh',
      summary: `ssh connection from ${m[1]} sent no identification (scanner or probe)`, attrs: compact({ src_host: a.name }),
    };
  }
  m = msg.includes('POSSIBLE BREAK-IN ATTEMPT') ? SSH_BREAKIN.exec(msg) : null;
  if (m) {
    return {
      class: 'authentication', action: 'ssh_break_in_attempt', outcome: 'unknown', src_ip: m[2] ?? null, protocol: 'ssh',
      summary: `ssh reverse DNS mismatch for ${m[2]} (${m[1]}): POSSIBLE BREAK-IN ATTEMPT`, attrs: { reverse_name: m[1] },
    };
  }
  m = SSH_CONNECTION_FROM.exec(text);
  if (m) {
    const a = addr(m[1]);
    return {
      class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', src_ip: a.ip, src_port: port(m[2]), dst_ip: addr(m[3]).ip, dst_port: port(m[4]), protocol: 'ssh',
      summary: `ssh connection from ${m[1]} port ${m[2]}${m[3] ? ` to ${m[3]} port ${m[4]}` : ''}`, attrs: compact({ src_host: a.name }),
    };
  }
  m = SSH_BAD_PROTOCOL.exec(text);
  if (m) {
    const a = addr(m[2]);
    return {
      class: 'network_activity', action: 'ssh_bad_protocol', outcome: 'failure', src_ip: a.ip, src_port: port(m[3]), protocol: 'ssh',
      summary: `non-ssh client ${m[2]} sent '${m[1]}'`, attrs: compact({ banner: m[1], src_host: a.name }),
    };
  }
  m = SSH_TOO_MANY.exec(text);
  if (m) {
    return {
      class: 'authentication', action: 'ssh_too_many_auth_failures', outcome: 'failure', actor: m[1] ?? null, src_ip: m[2] ?? null, src_port: port(m[3]), protocol: 'ssh',
      summary: 'ssh disconnecting: too many authentication failures',
    };
  }
  m = SSH_STARTING_SESSION.exec(text);
  if (m) {
    return {
      class: 'authentication', action: 'ssh_session_started', outcome: 'success', actor: m[2], src_ip: addr(m[3]).ip, src_port: port(m[4]), protocol: 'ssh',
      summary: `ssh ${m[1]} session for ${m[2]} from ${m[3]}`, attrs: compact({ session_kind: m[1], channel: m[5] }),
    };
  }
  m = SSH_USERAUTH_INVALID.exec(text);
  if (m) {
    return {
      class: 'authentication', action: 'ssh_invalid_user', outcome: 'failure', actor: m[1] || null, protocol: 'ssh',
      summary: `ssh auth request for invalid user ${m[1]}`, attrs: { invalid_user: true, preauth: true },
    };
  }
  m = SSH_LISTENING.exec(text);
  if (m) {
    return { class: 'system_activity', action: 'ssh_server_listening', outcome: 'success', dst_ip: addr(m[1]).ip, dst_port: port(m[2]), protocol: 'ssh', summary: `sshd listening on ${m[1]} port ${m[2]}` };
  }
  m = SSH_SUBSYSTEM.exec(text);
  if (m) {
    return { class: 'process_activity', action: 'ssh_subsystem', outcome: 'success', actor: m[2], target: m[1], protocol: 'ssh', summary: `ssh ${m[1]} subsystem for ${m[2]}` };
  }
  if (/^Received signal 15; terminating/.test(msg)) {
    return { class: 'system_activity', action: 'ssh_server_stopped', outcome: 'success', protocol: 'ssh', summary: 'sshd terminating (signal 15)' };
  }
  m = SSH_NEGOTIATION.exec(msg);
  if (m) {
    return {
      class: 'network_activity', action: 'ssh_negotiation_failed', outcome: 'failure', src_ip: addr(m[1]).ip, src_port: port(m[2]), protocol: 'ssh',
      summary: `ssh key exchange with ${m[1]} failed: ${m[3]}`, attrs: { reason: m[3] },
    };
  }
  // Any other sshd message that names a peer still says who was there.
  m = sshPeer(msg);
  if (m) {
    const a = addr(m[1]);
    if (a.ip) {
      return {
        class: 'network_activity', action: 'ssh_other', outcome: /error|fatal|fail|invalid|denied|refused/i.test(msg) ? 'failure' : 'unknown',
        src_ip: a.ip, src_port: port(m[2]), protocol: 'ssh', summary: `sshd: ${msg}`,
      };
    }
  }
  return null;
}

const SSH_NEGOTIATION = /Unable to negotiate with ([0-9A-Fa-f:.]+) port (\d+): (.*?)(?: \[preauth\])?$/s;
/** `from|with|by|for <address> port N`; the address must hold a `.` or `:` (sshPeer checks). */
const SSH_PEER = /(?:from|with|by|for) ([0-9A-Fa-f:.]+) port (\d+)/g;

/** The first peer named in an sshd message. One pass: a hex run is scanned once, not once per split. */
function sshPeer(msg: string): RegExpExecArray | null {
  SSH_PEER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SSH_PEER.exec(msg)) !== null) if (m[1]!.includes('.') || m[1]!.includes(':')) return m;
  return null;
}

// ---- PAM ------------------------------------------------------------------------------------

const PAM = /^(pam_\w+)\(([^:)]+):(\w+)\): (.*)$/s;
const PAM_SESSION = /^session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by (\S*?)(?:\(uid=(\d+)\))?)?\s*$/;
const PAM_AUTH_FAILURE = /^authentication failure; (.*)$/s;
// `\b`: a key starts a word; without it a long word not followed by `=` was re-read from each of its characters.
const PAM_KV = /\b(\w+)=(\S*)/g;
const PAM_MORE_FAILURES = /^PAM (\d+) more authentication failures?; (.*)$/s;
const PAM_PASSWORD_CHANGED = /^password changed for (\S+)/;

function pamFields(rest: string): Record<string, string> {
  const kv: Record<string, string> = {};
  PAM_KV.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PAM_KV.exec(rest)) !== null) if (m[2] !== '') kv[m[1]!] = m[2]!;
  return kv;
}

/** PAM services whose sessions get their own action names (ssh_session_opened, sudo_session_opened, …). */
const SESSION_PREFIX: Record<string, string> = { sshd: 'ssh', su: 'su', 'su-l': 'su', sudo: 'sudo', 'sudo-i': 'sudo', cron: 'cron', crond: 'cron', login: 'login' };

function pam(program: string, msg: string): AuthFields | null {
  let m = PAM.exec(msg);
  let module: string;
  let service: string;
  let facility: string;
  let body: string;
  if (m) {
    [, module, service, facility, body] = m as unknown as [string, string, string, string, string];
  } else {
    // Old style: the program is `sshd(pam_unix)`, the message has no prefix.
    const old = /^(\w[\w-]*)\((pam_\w+)\)$/.exec(program);
    if (!old) return null;
    module = old[2]!;
    service = old[1]!;
    facility = /^session/.test(msg) ? 'session' : 'auth';
    body = msg;
  }
  const svc = service.toLowerCase();
  m = PAM_SESSION.exec(body);
  if (m) {
    const opened = m[1] === 'opened';
    const by = m[3] || null;
    const prefix = SESSION_PREFIX[svc] ?? null;
    if (prefix === null) {
      return {
        class: 'authentication', action: `session_${m[1]}`, outcome: 'success', actor: by ?? m[2], target: m[2],
        summary: `${svc} session ${m[1]} for user ${m[2]}${by ? ` by ${by}` : ''}`,
        attrs: compact({ pam_module: module, pam_service: svc, by_uid: m[4] === undefined ? undefined : Number(m[4]), opened }),
      };
    }
    return {
      class: 'authentication',
      action: `${prefix}_session_${m[1]}`,
      outcome: 'success',
      actor: by ?? m[2],
      target: m[2],
      summary: `${svc} session ${m[1]} for user ${m[2]}${by ? ` by ${by}` : ''}`,
      attrs: compact({ pam_module: module, pam_service: svc, by_uid: m[4] === undefined ? undefined : Number(m[4]), opened }),
    };
  }
  m = PAM_AUTH_FAILURE.exec(body);
  if (m) {
    const kv = pamFields(m[1]!);
    const rhost = kv.rhost;
    const a = addr(rhost);
    return {
      class: 'authentication',
      action: svc === 'sshd' ? 'ssh_auth_failure' : svc === 'sudo' ? 'sudo_auth_failure' : svc === 'su' ? 'su_auth_failure' : 'auth_failure',
      outcome: 'failure',
      actor: kv.user ?? kv.logname ?? null,
      src_ip: a.ip,
      protocol: svc === 'sshd' ? 'ssh' : null,
      summary: `${svc} authentication failure${kv.user ? ` for ${kv.user}` : ''}${rhost ? ` from ${rhost}` : ''}`,
      attrs: compact({ pam_module: module, pam_service: svc, ...kv, src_host: a.name }),
    };
  }
  m = PAM_PASSWORD_CHANGED.exec(body);
  if (m) {
    return {
      class: 'account_change', action: 'password_changed', outcome: 'success', actor: m[1], target: m[1],
      summary: `password changed for ${m[1]} (${svc})`, attrs: { pam_module: module, pam_service: svc },
    };
  }
  const notMet = /^requirement "(.*)" not met by user "([^"]+)"/s.exec(body);
  if (notMet) {
    return { class: 'authentication', action: 'auth_requirement_not_met', outcome: 'failure', actor: notMet[2], protocol: svc === 'sshd' ? 'ssh' : null, summary: `${svc}: ${notMet[2]} does not meet "${notMet[1]}"`, attrs: { pam_module: module, pam_service: svc, requirement: notMet[1] } };
  }
  if (/^check pass; user unknown/.test(body)) {
    return { class: 'authentication', action: 'auth_user_unknown', outcome: 'failure', protocol: svc === 'sshd' ? 'ssh' : null, summary: `${svc}: login attempt for an unknown user`, attrs: { pam_module: module, pam_service: svc } };
  }
  const missing = /^user "?([^"\s]+)"? does not exist/.exec(body);
  if (missing) {
    return { class: 'account_change', action: 'password_change_failed', outcome: 'failure', target: missing[1], summary: `${svc}: user ${missing[1]} does not exist`, attrs: { pam_module: module, pam_service: svc } };
  }
  if (/^new password not acceptable|^password change failed|^authentication token manipulation error/i.test(body)) {
    return { class: 'account_change', action: 'password_change_failed', outcome: 'failure', summary: `${svc}: ${body}`, attrs: { pam_module: module, pam_service: svc } };
  }
  // A PAM line we do not model: keep it as a PAM event of its service.
  return {
    class: 'authentication', action: 'pam_other', outcome: 'unknown', summary: `${svc} ${module}(${facility}): ${body}`,
    attrs: { pam_module: module, pam_service: svc, pam_facility: facility },
  };
}

function pamMoreFailures(msg: string): AuthFields | null {
  const m = PAM_MORE_FAILURES.exec(msg);
  if (!m) return null;
  const kv = pamFields(m[2]!);
  const a = addr(kv.rhost);
  return {
    class: 'authentication', action: 'auth_failures_more', outcome: 'failure', actor: kv.user ?? null, src_ip: a.ip,
    summary: `${m[1]} more authentication failures${kv.user ? ` for ${kv.user}` : ''}${kv.rhost ? ` from ${kv.rhost}` : ''}`,
    attrs: compact({ more_failures: Number(m[1]), ...kv, src_host: a.name }),
  };
}

// ---- sudo / su --------------------------------------------------------------------------------

// Each free-text field runs to the first ` ; NEXT=` (a tempered `(?:(?! ; X=).)*`): with lazy `.*?`
// fields a line of repeated ` ; USER=… ; ENV=…` pieces was tried in every combination (cubic).
const SUDO = /^\s*(\S+) : (?:((?:(?! ; TTY=).)*) ; )?TTY=(\S*) ; PWD=((?:(?! ; USER=).)*) ; USER=(\S+) ;(?: GROUP=(\S+) ;)?(?: TSID=\S+ ;)?(?: ENV=((?:(?! ; COMMAND=).)*) ;)? COMMAND=(.*)$/s;
const SUDO_FAILURE_ONLY = /^\s*(\S+) : ((?:(?! ; TTY=).)*) ; TTY=(\S*) ; PWD=((?:(?! ; USER=).)*) ; USER=(\S+)/s;

/** sudo writes newlines and tabs in long commands as #012 / #011. */
export function unescapeSyslog(text: string): string {
  return text.includes('#0') ? text.replace(/#012/g, '\n').replace(/#011/g, '\t') : text;
}

function sudo(msg: string): AuthFields | null {
  const m = SUDO.exec(msg) ?? SUDO_FAILURE_ONLY.exec(msg);
  if (!m) return null;
  const [, user, problem, tty, pwd, runas] = m;
  const group = m.length > 6 ? m[6] : undefined;
  const command = m.length > 8 ? unescapeSyslog(m[8] ?? '') : null;
  if (problem) {
    return {
      class: 'authentication', action: 'sudo_failed', outcome: 'failure', actor: user, target: runas, command,
      summary: `sudo by ${user} as ${runas} refused: ${problem}${command ? `: ${oneLine(command)}` : ''}`,
      attrs: compact({ reason: problem, tty, pwd, runas_group: group }),
    };
  }
  return {
    class: 'process_activity', action: 'sudo', outcome: 'success', actor: user, target: runas, command,
    summary: `sudo ${user} → ${runas}: ${oneLine(command ?? '')}`,
    attrs: compact({ tty, pwd, runas_group: group, env: m[7] }),
  };
}

const SU_OK = /^(?:\(to (\S+)\) (\S+) on (\S+)|Successful su for (\S+) by (\S+))\s*$/;
const SU_FAIL = /^(?:FAILED SU \(to (\S+)\) (\S+) on (\S+)|FAILED su for (\S+) by (\S+))\s*$/;
// `from:to`: user names hold no `:` (it separates /etc/passwd fields), so the split is the first `:`.
const SU_TTY = /^([+-]) (\S+) ([^\s:]+):(\S+)\s*$/;

function su(msg: string): AuthFields | null {
  let m = SU_OK.exec(msg);
  if (m) {
    const to = m[1] ?? m[4];
    const by = m[2] ?? m[5];
    return { class: 'authentication', action: 'su', outcome: 'success', actor: by, target: to, summary: `su ${by} → ${to}`, attrs: compact({ tty: m[3] }) };
  }
  m = SU_FAIL.exec(msg);
  if (m) {
    const to = m[1] ?? m[4];
    const by = m[2] ?? m[5];
    return { class: 'authentication', action: 'su', outcome: 'failure', actor: by, target: to, summary: `failed su ${by} → ${to}`, attrs: compact({ tty: m[3] }) };
  }
  m = SU_TTY.exec(msg);
  if (m) {
    const ok = m[1] === '+';
    return { class: 'authentication', action: 'su', outcome: ok ? 'success' : 'failure', actor: m[3], target: m[4], summary: `${ok ? '' : 'failed '}su ${m[3]} → ${m[4]} on ${m[2]}`, attrs: { tty: m[2] } };
  }
  return null;
}

// ---- shadow-utils account changes -------------------------------------------------------------

// shadow-utils 4.6+ appends `, from=/dev/pts/1` (the terminal useradd ran on).
const NEW_USER = /^new user: name=([^,]+), UID=(\d+), GID=(\d+), home=([^,]*), shell=([^,\s]*)(?:, from=(\S+))?/;
const NEW_GROUP = /^(?:new group: name=([^,\s]+)(?:, GID=(\d+))?|group added to (\S+): name=([^,\s]+)(?:, GID=(\d+))?)/;
const ADD_TO_GROUP = /^add '([^']+)' to (shadow )?group '([^']+)'/;
const DELETE_USER = /^delete user '([^']+)'/;
const REMOVED_GROUP = /^(?:removed group '([^']+)'|group '([^']+)' removed)/;
const FAILED_ADDING = /^failed adding user '([^']+)'(?:, (.*))?/s;
const CHANGE_USER = /^change user '([^']+)' (.*)$/s;
const CHANGE_USER_NAME = /^change user name '([^']+)' to '([^']+)'/;
const LOCK_USER = /^(lock|unlock) user '([^']+)' password/;
const PASSWORD_CHANGED_BY = /^password for '([^']+)' changed by '([^']+)'/;
const GPASSWD_ADDED = /^user (\S+) added by (\S+) to group (\S+)/;
const GPASSWD_REMOVED = /^user (\S+) removed by (\S+) from group (\S+)/;
const GPASSWD_SET = /^members of group (\S+) set by (\S+) to (.*)/s;
const CHAGE = /^changed password expiry for (\S+)/;
const CHFN = /^changed user '([^']+)' information/;
const GROUPMOD = /^group changed in (\S+) \(group (\S+)(?:\/(\d+))?, new name: (\S+)\)/;

function accounts(program: string, msg: string): AuthFields | null {
  let m = NEW_USER.exec(msg);
  if (m) return ac('user_created', 'success', m[1]!, `user ${m[1]} created (uid ${m[2]}, shell ${m[5]}, home ${m[4]})`, compact({ uid: Number(m[2]), gid: Number(m[3]), home: m[4], shell: m[5], from: m[6] }));
  m = NEW_GROUP.exec(msg);
  if (m) {
    const name = m[1] ?? m[4]!;
    const gid = m[2] ?? m[5];
    return ac('group_created', 'success', name, `group ${name} created${gid ? ` (gid ${gid})` : ''}${m[3] ? ` in ${m[3]}` : ''}`, compact({ gid: gid === undefined ? undefined : Number(gid), file: m[3] }));
  }
  m = ADD_TO_GROUP.exec(msg);
  if (m) return ac('group_member_added', 'success', m[1]!, `${m[1]} added to ${m[2] ? 'shadow ' : ''}group ${m[3]}`, { group: m[3], shadow: Boolean(m[2]) });
  m = DELETE_USER.exec(msg);
  if (m) return ac('user_deleted', 'success', m[1]!, `user ${m[1]} deleted`);
  m = REMOVED_GROUP.exec(msg);
  if (m) return ac('group_deleted', 'success', (m[1] ?? m[2])!, `group ${m[1] ?? m[2]} removed`);
  m = FAILED_ADDING.exec(msg);
  if (m) return ac('user_created', 'failure', m[1]!, `adding user ${m[1]} failed${m[2] ? `: ${m[2]}` : ''}`, compact({ reason: m[2] }));
  m = CHANGE_USER_NAME.exec(msg);
  if (m) return ac('user_renamed', 'success', m[1]!, `user ${m[1]} renamed to ${m[2]}`, { new_name: m[2] });
  m = CHANGE_USER.exec(msg);
  if (m) {
    const what = m[2]!;
    const action = /^password/.test(what) ? 'password_changed' : 'user_modified';
    return ac(action, 'success', m[1]!, `user ${m[1]}: change ${what}`, { change: what });
  }
  m = LOCK_USER.exec(msg);
  if (m) return ac(`user_${m[1]}ed`, 'success', m[2]!, `user ${m[2]} password ${m[1]}ed`);
  m = PASSWORD_CHANGED_BY.exec(msg);
  if (m) return { ...ac('password_changed', 'success', m[1]!, `password for ${m[1]} changed by ${m[2]}`), actor: m[2] };
  m = GPASSWD_ADDED.exec(msg);
  if (m) return { ...ac('group_member_added', 'success', m[1]!, `${m[1]} added to group ${m[3]} by ${m[2]}`, { group: m[3] }), actor: m[2] };
  m = GPASSWD_REMOVED.exec(msg);
  if (m) return { ...ac('group_member_removed', 'success', m[1]!, `${m[1]} removed from group ${m[3]} by ${m[2]}`, { group: m[3] }), actor: m[2] };
  m = GPASSWD_SET.exec(msg);
  if (m) return { ...ac('group_members_set', 'success', m[1]!, `members of group ${m[1]} set to ${m[3]} by ${m[2]}`, { members: m[3] }), actor: m[2] };
  m = CHAGE.exec(msg);
  if (m) return ac('password_expiry_changed', 'success', m[1]!, `password expiry changed for ${m[1]}`);
  m = CHFN.exec(msg);
  if (m) return ac('user_modified', 'success', m[1]!, `user ${m[1]} information changed (${program})`);
  m = GROUPMOD.exec(msg);
  if (m) return ac('group_modified', 'success', m[2]!, `group ${m[2]} changed, new name ${m[4]}`, { new_name: m[4] });
  if (program === 'passwd' || program === 'chpasswd' || program === 'useradd' || program === 'usermod' || program === 'userdel' || program === 'groupadd') {
    return ac('account_other', 'unknown', null, `${program}: ${msg}`);
  }
  return null;
}

function ac(action: string, outcome: Outcome, target: string | null, summary: string, attrs?: Record<string, unknown>): AuthFields {
  return { class: 'account_change', action, outcome, target, summary, attrs };
}

// ---- logind, cron, login ------------------------------------------------------------------------

const LOGIND_NEW = /^New session (\S+) of user (\S+?)\.?$/;
const LOGIND_REMOVED = /^Removed session (\S+?)\.?$/;
const CRON_CMD = /^\((\S+)\) CMD \((.*)\)\s*$/s;
const CRONTAB = /^\((\S+)\) (REPLACE|BEGIN EDIT|END EDIT|LIST|DELETE|RELOAD) \((\S+)\)/;
const LOGIN_FAILED = /^FAILED LOGIN (?:\(\d+\) |\d+ )?(?:on|FROM) '?(\S+?)'? (?:FROM '?(\S*?)'? )?FOR '?(\S+?)'?, (.*)$/s;
const ROOT_LOGIN = /^ROOT LOGIN\s+on '?(\S+?)'?(?: FROM (\S+))?$/i;
/** systemd naming the unit it started (v249+: `Started x.service - Description.`); bare descriptions name no unit. */
const UNIT_STARTED = /^Started ([\w@:.\\-]+\.(?:service|timer|socket|path|mount))(?: - (.*?))?\.?$/s;

function other(program: string, msg: string): AuthFields | null {
  // login(1) identifies itself as `-- user` on some systems.
  const prog = program.startsWith('-- ') ? 'login' : program.toLowerCase();
  if (prog === 'systemd-logind') {
    let m = LOGIND_NEW.exec(msg);
    if (m) return { class: 'authentication', action: 'logind_session_new', outcome: 'success', actor: m[2], session: `logind:${m[1]}`, summary: `login session ${m[1]} of user ${m[2]}` };
    m = LOGIND_REMOVED.exec(msg);
    if (m) return { class: 'authentication', action: 'logind_session_removed', outcome: 'success', session: `logind:${m[1]}`, summary: `login session ${m[1]} removed` };
    return null;
  }
  if (prog === 'systemd') {
    const m = UNIT_STARTED.exec(msg);
    if (m) return { class: 'system_activity', action: 'service_started', outcome: 'success', target: m[1], summary: `systemd started ${m[1]}${m[2] ? ` (${oneLine(m[2])})` : ''}` };
    return null;
  }
  if (prog === 'cron' || prog === 'crond' || prog === 'crontab') {
    let m = CRON_CMD.exec(msg);
    if (m) return { class: 'process_activity', action: 'cron_command', outcome: 'success', actor: m[1], command: m[2], summary: `cron ran as ${m[1]}: ${oneLine(m[2]!)}` };
    m = CRONTAB.exec(msg);
    if (m) {
      const verb = m[2]!.toLowerCase().replace(' ', '_');
      const change = verb === 'replace' || verb === 'delete' || verb === 'end_edit';
      return {
        class: change ? 'account_change' : 'process_activity', action: `crontab_${verb}`, outcome: 'success', actor: m[1], target: `crontab:${m[3]}`,
        summary: `crontab of ${m[3]}: ${m[2]} by ${m[1]}`,
      };
    }
    return null;
  }
  const authFailed = /^Authentication failed from ([0-9A-Fa-f:.]+)/.exec(msg);
  if (authFailed) {
    return { class: 'authentication', action: 'auth_failure', outcome: 'failure', src_ip: authFailed[1], summary: `${prog}: authentication failed from ${authFailed[1]}`, attrs: { service: prog } };
  }
  if (prog === 'login') {
    let m = LOGIN_FAILED.exec(msg);
    if (m) return { class: 'authentication', action: 'login_failed', outcome: 'failure', actor: m[3], src_ip: addr(m[2]).ip, summary: `failed console login for ${m[3]} on ${m[1]}: ${m[4]}`, attrs: compact({ tty: m[1], reason: m[4] }) };
    m = ROOT_LOGIN.exec(msg);
    if (m) return { class: 'authentication', action: 'login', outcome: 'success', actor: 'root', src_ip: addr(m[2]).ip, summary: `root login on ${m[1]}`, attrs: { tty: m[1] } };
  }
  return null;
}

/** A kernel line that is a netfilter LOG record (iptables, nftables, ufw): the same flow event as a DShield firewall log gives. */
function netfilter(msg: string): AuthFields | null {
  const p = parseNetfilterMessage(msg);
  if (!p) return null;
  return {
    class: 'network_activity', action: 'flow', outcome: 'unknown', src_ip: p.src_ip, src_port: p.src_port, dst_ip: p.dst_ip, dst_port: p.dst_port,
    protocol: p.protocol, bytes_out: p.bytes, packets_out: 1, community_id: p.community_id, summary: p.summary, attrs: p.attrs,
  };
}

// ---- dispatch ---------------------------------------------------------------------------------

/** Programs whose lines are auth-relevant (used by the sniffer and for class defaults). */
export const AUTH_PROGRAMS = /^(sshd|sshd-session|sshd\(pam_unix\)|sudo|su|su\(pam_unix\)|login|useradd|userdel|usermod|groupadd|groupdel|groupmod|passwd|chpasswd|gpasswd|chage|chfn|chsh|systemd-logind|cron|crond|crontab|polkitd|unix_chkpwd|newusers|pkexec|dbus-daemon|systemd)$/i;

/** Recognizes an auth message; `program` is the syslog tag without pid. */
export function recognize(program: string | null, rawMessage: string, depth = 0): AuthFields | null {
  if (program === null) return null;
  const message = maybeSpace(rawMessage.charCodeAt(0)) ? rawMessage.trimStart() : rawMessage;
  const lower = programKey(program);
  // The wrappers below are tried only on messages whose first character can start them (m, -, l,
  // p, P): most lines go straight to their program's recognizer, with no regex tried before it.
  const c = message.charCodeAt(0);
  // "message repeated N times: [ … ]" wraps any message; the inner one is what happened.
  // One level of wrapping is what syslog daemons write; deeper nesting is crafted (and was read
  // once per level: quadratic in the line).
  const rep = depth === 0 && c === 109 /* m */ ? MESSAGE_REPEATED.exec(message) : null;
  if (rep) {
    const inner = recognize(program, rep[2]!, depth + 1);
    if (inner) {
      const n = Number(rep[1]);
      return { ...inner, summary: `${inner.summary} (repeated ${n} times)`, attrs: { ...inner.attrs, repeated: n } };
    }
    return null;
  }
  const last = c === 45 /* - */ || c === 108 /* l */ ? LAST_REPEATED.exec(message) : null;
  if (last) {
    const n = Number(last[1]);
    return { class: 'other', action: 'last_message_repeated', outcome: 'unknown', summary: `previous message repeated ${n} times`, attrs: { repeated: n } };
  }
  if (message.startsWith('pam_') || program.includes('(pam_')) {
    const p = pam(program, message);
    if (p) return p;
  }
  if (c === 80 /* P */ && message.startsWith('PAM ')) {
    const p = pamMoreFailures(message);
    if (p) return { ...p, protocol: lower === 'sshd' ? 'ssh' : null };
    if (message.startsWith('PAM service(')) {
      return { class: 'authentication', action: 'auth_max_retries', outcome: 'failure', summary: message };
    }
  }
  switch (lower) {
    case 'sshd':
    case 'sshd-session':
      return sshd(message);
    case 'sudo':
      return sudo(message);
    case 'su':
      return su(message);
    case 'useradd':
    case 'userdel':
    case 'usermod':
    case 'groupadd':
    case 'groupdel':
    case 'groupmod':
    case 'passwd':
    case 'chpasswd':
    case 'gpasswd':
    case 'chage':
    case 'chfn':
    case 'chsh':
    case 'newusers':
      return accounts(lower, message);
    case 'kernel':
      return netfilter(message);
    default:
      return other(lower, message);
  }
}

/** Lower-case program name without a `(pam_unix)` suffix; the common all-lower-case names are not copied. */
const KEYS = new Map<string, string>();
function programKey(program: string): string {
  const known = KEYS.get(program);
  if (known !== undefined) return known;
  const key = program.replace(/\(pam_unix\)$/, '').toLowerCase();
  // A small cache of the names seen (a log has a handful of programs; bounded against crafted ones).
  if (KEYS.size < 256) KEYS.set(program, key);
  return key;
}

/** A superset of the code units `trimStart` removes (ASCII controls and space, NBSP, U+1680 and above, BOM). */
function maybeSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c >= 0x1680;
}

/** `(command continued) …`: sudo's continuation of a long command on the next line. */
export const SUDO_CONTINUED = /^\s*(\S+) : \(command continued\) (.*)$/s;

function oneLine(s: string): string {
  return s.replace(/[\n\t]/g, ' ');
}

/**
 * attrs are serialized with JSON.stringify, which already leaves out undefined values, so unset
 * optional fields cost nothing; only empty strings are dropped here (cheaply, in place).
 */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  for (const k in o) if (o[k] === '' || o[k] === null) delete o[k];
  return o;
}
