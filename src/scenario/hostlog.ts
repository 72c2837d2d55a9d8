/**
 * Auth-log message shapes as the estate's hosts print them: OpenSSH 7.6 / PAM 1.1.8 on the
 * Ubuntu 18.04 bastion, OpenSSH 9.2 / PAM 1.5 on Debian 12 (web tier), OpenSSH 8.7 / PAM 1.5 on
 * RHEL 9 (db-01); sudo, cron, systemd-logind and shadow-utils. Every SSH login also produces the
 * connection's flows (VPC records, and a Zeek record when it crosses the VPC boundary).
 */
import type { Emitter } from './emit.js';
import { HOSTS, type HostName } from './estate.js';
import type { AuthItem, Tag } from './model.js';
import type { Rng } from './rng.js';
import { MIN, SEC } from './time.js';

export interface Ctx {
  E: Emitter;
  rng: Rng;
  /** Attack tag copied onto every item (undefined for background). */
  tag?: Tag;
}

const LOGIND_PID: Record<HostName, number> = { 'bastion-01': 874, 'web-01': 412, 'web-02': 409, 'db-01': 745 };

function modern(host: HostName): boolean {
  return HOSTS[host].os !== 'ubuntu1804';
}

/** `/bin/cat` on the non-merged-/usr Ubuntu 18.04, `/usr/bin/cat` elsewhere. */
export function bin(host: HostName, name: string): string {
  const sbin = ['useradd', 'userdel', 'usermod', 'groupadd', 'visudo', 'service', 'reboot', 'iptables'];
  const usrBin = ['tee', 'crontab', 'passwd', 'apt', 'apt-get', 'journalctl', 'systemctl', 'tail', 'less', 'find', 'du', 'last', 'lsof', 'vim', 'docker', 'psql', 'dnf', 'pg_dump'];
  if (modern(host)) return sbin.includes(name) ? `/usr/sbin/${name}` : `/usr/bin/${name}`;
  if (sbin.includes(name)) return `/usr/sbin/${name}`;
  if (usrBin.includes(name)) return `/usr/bin/${name}`;
  return `/bin/${name}`;
}

export function sshdPid(c: Ctx, host: HostName, t: number): number {
  return c.tag ? c.E.pids[host].reserve(c.E.pids[host].around(t) + c.rng.int(0, 2)) : c.E.pids[host].next(t, c.rng.int(1, 6));
}

function sessionNo(c: Ctx, host: HostName, t: number): number {
  return c.tag ? c.E.sessions[host].reserve(c.E.sessions[host].around(t)) : c.E.sessions[host].next(t, 1);
}

/** Script times are whole seconds; a connection starts at some microsecond of its second. */
function jitter(c: Ctx, t: number): number {
  return t % SEC === 0 ? t + c.rng.int(1, 999_999) : t;
}

export function ephemeralPort(rng: Rng): number {
  return rng.int(32768, 60999);
}

function sshd(c: Ctx, host: HostName, t: number, pid: number, msg: string): AuthItem {
  return c.E.auth(host, t, 'sshd', pid, msg, c.tag);
}

function sessionOpened(host: HostName, user: string, uid: number, by: string | null, byUid: number): string {
  if (modern(host)) return `session opened for user ${user}(uid=${uid}) by ${by ?? ''}(uid=${byUid})`;
  return `session opened for user ${user} by ${by ?? ''}(uid=${byUid})`;
}

export interface LoginOpts {
  host: HostName;
  user: string;
  uid: number;
  method: 'password' | 'publickey';
  /** `ED25519 SHA256:…` for publickey. */
  key?: string;
  src: string;
  /** Connection start. */
  start: number;
  /** Session end (logout). */
  end: number;
  /** Failed password attempts in the same connection before success (a typo). */
  typos?: number;
  /** Extra bytes each way (file transfers, long output). */
  extraUp?: number;
  extraDown?: number;
  /** The destination address the client used (the bastion's EIP maps to its private address on the ENI). */
  dstIp?: string;
}

export interface Login {
  pid: number;
  sessionPid: number;
  session: number;
  sport: number;
  accepted: AuthItem;
  authAt: number;
  /** Times at which commands may run in the session: [authAt + a few s, end - a few s]. */
  from: number;
  to: number;
}

/** A successful SSH login with its whole life cycle and its flows. */
export function sshLogin(c: Ctx, o0: LoginOpts): Login {
  const o = { ...o0, start: jitter(c, o0.start) };
  const { host, user } = o;
  const pid = sshdPid(c, host, o.start);
  const sport = ephemeralPort(c.rng);
  const ip = o.src;
  let t = o.start + c.rng.int(300_000, 900_000);
  const typos = o.typos ?? 0;
  if (typos > 0) {
    t += c.rng.int(2, 5) * SEC;
    sshd(c, host, t, pid, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`);
    t += c.rng.int(1_000_000, 2_500_000);
    sshd(c, host, t, pid, `Failed password for ${user} from ${ip} port ${sport} ssh2`);
    t += c.rng.int(3, 7) * SEC;
  } else if (o.method === 'password') {
    t += c.rng.int(1_500_000, 4_000_000);
  }
  const authAt = t;
  const accepted = sshd(
    c, host, t, pid,
    o.method === 'password' ? `Accepted password for ${user} from ${ip} port ${sport} ssh2` : `Accepted publickey for ${user} from ${ip} port ${sport} ssh2: ${o.key}`,
  );
  t += c.rng.int(2_000, 20_000);
  sshd(c, host, t, pid, `pam_unix(sshd:session): ${sessionOpened(host, user, o.uid, null, 0)}`);
  const session = sessionNo(c, host, t);
  t += c.rng.int(5_000, 40_000);
  c.E.auth(host, t, 'systemd-logind', LOGIND_PID[host], `New session ${session} of user ${user}.`, c.tag);
  const sessionPid = c.tag ? c.E.pids[host].reserve(pid + 1) : c.E.pids[host].next(t, 1);
  if (typos > 1) {
    // The typo count is folded into PAM's summary at login.
  }
  // Logout.
  let e = Math.max(o.end, t + 5 * SEC);
  sshd(c, host, e, sessionPid, `Received disconnect from ${ip} port ${sport}:11: disconnected by user`);
  e += c.rng.int(100, 2_000);
  sshd(c, host, e, sessionPid, `Disconnected from user ${user} ${ip} port ${sport}`);
  e += c.rng.int(1_000, 20_000);
  sshd(c, host, e, pid, `pam_unix(sshd:session): session closed for user ${user}`);
  e += c.rng.int(2_000, 30_000);
  if (modern(host)) {
    c.E.auth(host, e, 'systemd-logind', LOGIND_PID[host], `Session ${session} logged out. Waiting for processes to exit.`, c.tag);
    e += c.rng.int(10_000, 90_000);
  }
  c.E.auth(host, e, 'systemd-logind', LOGIND_PID[host], `Removed session ${session}.`, c.tag);
  // The connection itself.
  const minutes = (o.end - o.start) / MIN;
  const upPkts = 28 + Math.round(minutes * c.rng.int(8, 30)) + Math.ceil((o.extraUp ?? 0) / 1400);
  const downPkts = 24 + Math.round(minutes * c.rng.int(8, 30)) + Math.ceil((o.extraDown ?? 0) / 1400);
  c.E.conn(
    {
      start: o.start, dur: e - o.start + c.rng.int(1_000, 50_000), src: ip, sport, dst: o.dstIp ?? HOSTS[host].privateIp, dport: 22, proto: 'tcp',
      origPkts: upPkts, origIpBytes: upPkts * 52 + 3_100 + Math.round(minutes * c.rng.int(600, 2_400)) + (o.extraUp ?? 0),
      respPkts: downPkts, respIpBytes: downPkts * 52 + 4_300 + Math.round(minutes * c.rng.int(1_500, 9_000)) + (o.extraDown ?? 0),
      service: 'ssh', history: 'ShAdDaFf', state: 'SF',
    },
    c.rng, c.tag,
  );
  return { pid, sessionPid, session, sport, accepted, authAt, from: authAt + 4 * SEC, to: o.end - 3 * SEC };
}

export interface FailOpts {
  host: HostName;
  user: string;
  /** The account does not exist. */
  invalid: boolean;
  src: string;
  start: number;
  /** Password attempts on this connection (1-6; 6 hits MaxAuthTries). */
  attempts: number;
  /** How the client left: `close` (Connection closed), `bye` (Received disconnect: Bye Bye). */
  leave?: 'close' | 'bye';
}

/** A connection whose password attempts all fail; returns the first and last items. */
export function sshFailed(c: Ctx, o0: FailOpts): { first: AuthItem; last: AuthItem; lines: AuthItem[]; end: number } {
  const o = { ...o0, start: jitter(c, o0.start) };
  const { host, user, src: ip } = o;
  const pid = sshdPid(c, host, o.start);
  const sport = ephemeralPort(c.rng);
  let t = o.start + c.rng.int(200_000, 700_000);
  const lines: AuthItem[] = [];
  const say = (msg: string) => lines.push(sshd(c, host, t, pid, msg));
  const who = o.invalid ? `invalid user ${user}` : user;
  if (o.invalid) {
    say(`Invalid user ${user} from ${ip} port ${sport}`);
    if (!modern(host)) {
      t += c.rng.int(100, 3_000);
      say(`input_userauth_request: invalid user ${user} [preauth]`);
    }
    t += c.rng.int(500_000, 2_000_000);
    say('pam_unix(sshd:auth): check pass; user unknown');
    t += c.rng.int(100, 3_000);
    say(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`);
  } else {
    t += c.rng.int(500_000, 2_000_000);
    say(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`);
  }
  t += c.rng.int(1_200_000, 2_600_000);
  const failed = `Failed password for ${who} from ${ip} port ${sport} ssh2`;
  say(failed);
  const n = Math.max(1, Math.min(6, o.attempts));
  if (n > 1) {
    // Identical consecutive lines: rsyslog's repeated-message reduction (Ubuntu) folds them.
    t += (n - 1) * c.rng.int(1_800_000, 3_200_000);
    if (modern(host)) {
      for (let i = 1; i < n; i++) say(failed);
    } else {
      say(`message repeated ${n - 1} times: [ ${failed}]`);
    }
  }
  t += c.rng.int(50_000, 600_000);
  if (n >= 6) {
    say(`error: maximum authentication attempts exceeded for ${who} from ${ip} port ${sport} ssh2 [preauth]`);
    t += c.rng.int(100, 2_000);
    say('Disconnecting: Too many authentication failures [preauth]');
  } else if ((o.leave ?? 'close') === 'bye') {
    say(`Received disconnect from ${ip} port ${sport}:11: Bye Bye [preauth]`);
    t += c.rng.int(100, 2_000);
    say(modern(host) ? `Disconnected from ${o.invalid ? 'invalid' : 'authenticating'} user ${user} ${ip} port ${sport} [preauth]` : `Disconnected from ${ip} port ${sport} [preauth]`);
  } else {
    say(modern(host) ? `Connection closed by ${o.invalid ? 'invalid' : 'authenticating'} user ${user} ${ip} port ${sport} [preauth]` : `Connection closed by ${ip} port ${sport} [preauth]`);
  }
  if (n > 1) {
    t += c.rng.int(100, 3_000);
    say(`PAM ${n - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${o.invalid ? '' : `  user=${user}`}`);
    if (n > 3) {
      t += c.rng.int(100, 2_000);
      say(`PAM service(sshd) ignoring max retries; ${n} > 3`);
    }
  }
  const end = t + c.rng.int(10_000, 200_000);
  const pk = 14 + n * 4;
  c.E.conn(
    {
      start: o.start, dur: end - o.start, src: ip, sport, dst: HOSTS[host].privateIp, dport: 22, proto: 'tcp',
      origPkts: pk, origIpBytes: pk * 52 + 1_500 + n * 180, respPkts: pk - 2, respIpBytes: (pk - 2) * 52 + 2_700 + n * 90,
      service: 'ssh', history: 'ShAdDaFf', state: 'SF',
    },
    c.rng, c.tag,
  );
  return { first: lines[0]!, last: lines[lines.length - 1]!, lines, end };
}

/** A TCP connection to sshd that never sends an identification string (port scanners, banner grabs). */
export function sshNoIdent(c: Ctx, host: HostName, src: string, start0: number): AuthItem {
  const start = jitter(c, start0);
  const pid = sshdPid(c, host, start);
  const sport = ephemeralPort(c.rng);
  const dur = c.rng.int(1, 12) * SEC + c.rng.int(0, 999_999);
  const item = sshd(c, host, start + dur, pid, `Did not receive identification string from ${src} port ${sport}`);
  c.E.conn(
    { start, dur: dur + c.rng.int(1_000, 9_000), src, sport, dst: HOSTS[host].privateIp, dport: 22, proto: 'tcp', origPkts: 4, origIpBytes: 208, respPkts: 3, respIpBytes: 51 * 3 + 41, service: 'ssh', history: 'ShAdFf', state: 'SF' },
    c.rng, c.tag,
  );
  return item;
}

/** A client that speaks something else to sshd (an HTTP probe from a scanner). */
export function sshBadProtocol(c: Ctx, host: HostName, src: string, start0: number, banner: string): AuthItem {
  const start = jitter(c, start0);
  const pid = sshdPid(c, host, start);
  const sport = ephemeralPort(c.rng);
  const dur = c.rng.int(20_000, 400_000);
  const item = sshd(c, host, start + dur, pid, `Bad protocol version identification '${banner}' from ${src} port ${sport}`);
  c.E.conn(
    { start, dur: dur + 2_000, src, sport, dst: HOSTS[host].privateIp, dport: 22, proto: 'tcp', origPkts: 5, origIpBytes: 5 * 52 + banner.length + 2, respPkts: 4, respIpBytes: 4 * 52 + 41, service: null, history: 'ShADadFf', state: 'SF' },
    c.rng, c.tag,
  );
  return item;
}

/** A public key the server does not accept (RHEL 9 logs only the close). */
export function sshKeyRejected(c: Ctx, host: HostName, user: string, src: string, start0: number): AuthItem {
  const start = jitter(c, start0);
  const pid = sshdPid(c, host, start);
  const sport = ephemeralPort(c.rng);
  const t = start + c.rng.int(150_000, 600_000);
  const item = sshd(c, host, t, pid, `Connection closed by authenticating user ${user} ${src} port ${sport} [preauth]`);
  c.E.conn(
    { start, dur: t - start + 3_000, src, sport, dst: HOSTS[host].privateIp, dport: 22, proto: 'tcp', origPkts: 14, origIpBytes: 14 * 52 + 2_400, respPkts: 12, respIpBytes: 12 * 52 + 2_900 },
    c.rng, c.tag,
  );
  return item;
}

export interface SudoOpts {
  host: HostName;
  user: string;
  uid: number;
  tty: string;
  pwd: string;
  /** The command as sudo logs it (absolute path first). */
  command: string;
  runas?: string;
  /** Seconds until the PAM session closes (0 for immediate commands). */
  duration?: number;
}

/** A sudo command: the COMMAND line and its PAM session. Returns the COMMAND item. */
export function sudo(c: Ctx, t: number, o: SudoOpts): AuthItem {
  const runas = o.runas ?? 'root';
  const runUid = runas === 'root' ? 0 : 1000;
  const item = c.E.auth(o.host, t, 'sudo', null, `${o.user.padStart(8)} : TTY=${o.tty} ; PWD=${o.pwd} ; USER=${runas} ; COMMAND=${o.command}`, c.tag);
  const byUid = modern(o.host) ? o.uid : 0;
  c.E.auth(o.host, t + c.rng.int(1_000, 9_000), 'sudo', null, `pam_unix(sudo:session): ${sessionOpened(o.host, runas, runUid, o.user, byUid)}`, c.tag);
  c.E.auth(o.host, t + (o.duration ?? 0) * SEC + c.rng.int(20_000, 300_000), 'sudo', null, `pam_unix(sudo:session): session closed for user ${runas}`, c.tag);
  return item;
}

/** A cron job's PAM session (the CMD line goes to syslog/cron, not the auth log). */
export function cronSession(c: Ctx, host: HostName, t: number, user: string, uid: number, seconds: number): AuthItem {
  const pid = c.tag ? c.E.pids[host].reserve(c.E.pids[host].around(t) + c.rng.int(0, 2)) : c.E.pids[host].next(t, c.rng.int(1, 4));
  const prog = HOSTS[host].os === 'rhel9' ? 'crond' : 'CRON';
  const svc = HOSTS[host].os === 'rhel9' ? 'crond' : 'cron';
  const open = t + c.rng.int(3_000, 600_000);
  const first = c.E.auth(host, open, prog, pid, `pam_unix(${svc}:session): ${sessionOpened(host, user, uid, null, 0)}`, c.tag);
  c.E.auth(host, open + seconds * SEC + c.rng.int(1_000, 900_000), prog, pid, `pam_unix(${svc}:session): session closed for user ${user}`, c.tag);
  return first;
}

/** `useradd -m -s SHELL -G GROUP NAME` as shadow-utils logs it. */
export function useradd(c: Ctx, host: HostName, t: number, name: string, uid: number, shell: string, groups: string[]): AuthItem[] {
  const pid = c.tag ? c.E.pids[host].reserve(c.E.pids[host].around(t) + c.rng.int(0, 2)) : c.E.pids[host].next(t, 2);
  const out: AuthItem[] = [];
  let u = t;
  const say = (msg: string) => {
    out.push(c.E.auth(host, u, 'useradd', pid, msg, c.tag));
    u += c.rng.int(200, 3_000);
  };
  say(`new group: name=${name}, GID=${uid}`);
  say(`new user: name=${name}, UID=${uid}, GID=${uid}, home=/home/${name}, shell=${shell}`);
  for (const g of groups) {
    say(`add '${name}' to group '${g}'`);
    say(`add '${name}' to shadow group '${g}'`);
  }
  return out;
}

/** `passwd NAME` run by root. */
export function passwd(c: Ctx, host: HostName, t: number, name: string): AuthItem {
  const pid = c.tag ? c.E.pids[host].reserve(c.E.pids[host].around(t) + c.rng.int(0, 2)) : c.E.pids[host].next(t, 2);
  return c.E.auth(host, t, 'passwd', pid, `pam_unix(passwd:chauthtok): password changed for ${name}`, c.tag);
}

export { LOGIND_PID };
