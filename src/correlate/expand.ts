/**
 * Grows the attacker's footprint from the seeds by following links in the evidence, each step with
 * a reason and the events behind it, bounded in time, and guarded against shared infrastructure:
 *
 * - address → its events (scans, failed and successful logins, API calls, DB connections, flows)
 *   → the accounts, sessions, keys and roles it used;
 * - SSH session → its sudo/su commands → files read, accounts created, cron, authorized keys, and
 *   lateral logins to other hosts while it lasted;
 * - a cloud credentials file read on a compromised host → the long-term keys first used from a new
 *   address after the read (and, backwards, a stolen key → the session that read the file);
 * - access key → its calls from addresses outside its owner's baseline → the keys, users, login
 *   profiles and role sessions it created or assumed → their use;
 * - compromised host (its addresses learned from the flows that carried the attacker's logins) →
 *   database sessions from it that depart from the role's baseline, large egress to new external
 *   addresses, internal scanning — all within the attacker's time on that host.
 *
 * Guards: an address used by many different accounts (an office NAT) is never taken from an
 * account; a compromised account's logins from its owner's usual addresses stay the owner's; a
 * borrowed database role's routine sessions stay the application's; a host's egress outside the
 * attacker's time on it (a nightly backup upload) is not exfiltration.
 */
import { LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { inGroup, isCloudCall, isHostLogEvent } from '../core/vocabulary.js';
import { all } from '../store/case-db.js';
import { classify, cloudEventName, EVENT_FIELDS, parseAttrs, type EventRow } from './classify.js';
import { Footprint, type Entity } from './model.js';
import { CLOUD_CREDENTIAL_FILE, isPrivateIp, THRESHOLDS } from './knowledge.js';
import type { EntityKind, Phase } from './rules.js';
import { VOCAB_LISTS } from './sql-vocabulary.js';

export { isPrivateIp };

export interface Seed {
  kind: EntityKind;
  value: string;
  host: string | null;
}

export interface ExpandOptions {
  seeds: Seed[];
  /** Events detected by rules, by event id (phase/technique used for attacker events). */
  detections: Map<number, { phase: Phase; technique: string; ruleId: string }>;
  /** Max entities before expansion stops (a runaway guard). */
  maxEntities?: number;
}

/** An address used by at least this many different accounts is shared infrastructure (NAT). */
const SHARED_ADDRESS_USERS = THRESHOLDS.sharedAddressAccounts;
/** Bytes sent to one new external address from a compromised host that count as exfiltration. */
export const EXFIL_BYTES = THRESHOLDS.exfilBytes;
/** Margin around the attacker's time on a host for what it caused there (uploads, scans). */
const HOST_WINDOW_MARGIN_US = THRESHOLDS.hostWindowMarginUs;
/** Distinct internal (address, port) targets from one host in 10 minutes that make a sweep. */
const SWEEP_TARGETS = THRESHOLDS.sweepTargets;
const CREDENTIALS_FILE = CLOUD_CREDENTIAL_FILE;
const REMOTE_LOGIN = VOCAB_LISTS.remote_login;

const isSessionArn = (a: string | null) => !!a && /:assumed-role\/|:federated-user\//.test(a);

export interface CredentialRead {
  host: string;
  tsUs: number;
  file: string;
  eventId: number;
  session: Entity;
}

export class Expander {
  readonly fp = new Footprint();
  private firstAccessUs: number | null = null;
  private readonly sharedAddresses = new Set<string>();
  /** The attacker's time on each host: [start, end] intervals in µs. */
  readonly hostWindows = new Map<string, [number, number][]>();
  readonly credentialReads: CredentialRead[] = [];
  /** Statements logged before they ran whose ERROR followed: they did nothing. */
  failedStatements = new Set<number>();
  private readonly expandedHosts = new Map<string, string>();
  readonly networkMapping: { src: string; host: string; targets: Set<string>; ports: Set<number>; firstUs: number; lastUs: number; eventIds: number[] }[] = [];

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly opts: ExpandOptions,
  ) {}

  private q<T = EventRow>(sql: string, params?: Record<string, string | number | null>): Promise<T[]> {
    return all<T>(this.conn, sql, params as never);
  }

  async run(): Promise<Footprint> {
    const shared = await this.q<{ ip: string }>(
      `SELECT src_ip AS ip FROM ev WHERE action IN ${REMOTE_LOGIN} AND outcome = 'success' AND src_ip IS NOT NULL
       GROUP BY src_ip HAVING count(DISTINCT actor) >= ${SHARED_ADDRESS_USERS}`,
    );
    for (const r of shared) this.sharedAddresses.add(r.ip);
    for (const s of this.opts.seeds) this.fp.add(s.kind === 'iam_principal' && isSessionArn(s.value) ? 'session' : s.kind, s.value, s.host, null, 'seed');
    const max = this.opts.maxEntities ?? 500;
    let processed = 0;
    for (let round = 0; round < 8; round++) {
      while (processed < this.fp.queue.length && processed < max) await this.expand(this.fp.queue[processed++]!);
      const before = this.fp.entities.size + this.fp.events.size + this.fp.hostAddresses.size;
      await this.linkStolenKeys();
      await this.cronRuns();
      for (const host of this.hostWindows.keys()) await this.expandHostActivity(host);
      const after = this.fp.entities.size + this.fp.events.size + this.fp.hostAddresses.size;
      if (after === before && processed >= this.fp.queue.length) break;
    }
    if (processed >= max) this.fp.notes.push(`expansion stopped at ${max} entities (runaway guard)`);
    return this.fp;
  }

  private event(e: EventRow, entity: Entity | undefined, reason: string, phase?: Phase, technique?: string | null): void {
    const det = this.opts.detections.get(e.event_id);
    const c = classify(e, this.firstAccessUs);
    this.fp.addEvent({ eventId: e.event_id, tsUs: e.ts_us, phase: phase ?? det?.phase ?? c.phase, technique: technique ?? det?.technique ?? c.technique, reason }, entity);
  }

  private noteAccess(tsUs: number): void {
    if (this.firstAccessUs === null || tsUs < this.firstAccessUs) this.firstAccessUs = tsUs;
  }

  private addWindow(host: string, start: number, end: number): void {
    const list = this.hostWindows.get(host) ?? [];
    if (!list.some(([s, e]) => s === start && e === end)) list.push([start, end]);
    this.hostWindows.set(host, list);
  }

  private hostEntity(host: string, reason: string, e: EventRow): Entity {
    const h = this.fp.add('host', host, null, 'compromised', reason, { compromisedAtUs: e.ts_us });
    this.fp.touch(h, e.ts_us, e.event_id);
    return h;
  }

  private async expand(e: Entity): Promise<void> {
    switch (e.kind) {
      case 'ip':
        return this.expandIp(e);
      case 'local_user':
        return this.expandLocalUser(e);
      case 'session':
        return e.host ? this.expandSshSession(e) : this.expandCloudSession(e);
      case 'access_key':
        return this.expandAccessKey(e);
      case 'iam_principal':
        return this.expandPrincipal(e);
      case 'db_role':
        return this.expandDbRole(e);
      case 'host':
        return this.expandHostSeed(e);
    }
  }

  // ---- addresses ------------------------------------------------------------------------------

  private async expandIp(ipEntity: Entity): Promise<void> {
    const ip = ipEntity.value;
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE src_ip = $ip OR dst_ip = $ip ORDER BY ts, event_id`, { ip });
    // Logins first: they date the initial access, which decides what counts as recon.
    let firstLogin: number | null = null;
    for (const r of rows) if (inGroup('remote_login', r.action) && r.outcome === 'success' && r.src_ip === ip) firstLogin ??= r.ts_us;
    if (firstLogin !== null) this.noteAccess(firstLogin);
    // Guessing one or two passwords per account name is enumeration (recon); hammering one account
    // is a brute force (access). The brute force starts with the first failure of such an account.
    const failures = new Map<string, number>();
    const isFailure = (r: EventRow) => r.src_ip === ip && r.actor !== null && /^(ssh_login_failed|ssh_invalid_user)$/.test(r.action);
    for (const r of rows) if (isFailure(r) && (firstLogin === null || r.ts_us < firstLogin)) failures.set(r.actor!, (failures.get(r.actor!) ?? 0) + (Number(parseAttrs(r).repeated) || 1));
    const hammered = (actor: string | null) => actor !== null && (failures.get(actor) ?? 0) >= 3;
    // The brute force proper: the last burst of failures on a hammered account before the login.
    let bruteFrom: number | null = null;
    const brute = rows.filter((r) => isFailure(r) && hammered(r.actor) && (firstLogin === null || r.ts_us < firstLogin));
    let bruteFirst: EventRow | null = null;
    for (let i = brute.length - 1; i >= 0; i--) {
      if (i < brute.length - 1 && brute[i + 1]!.ts_us - brute[i]!.ts_us > 3 * 3600e6) break;
      bruteFirst = brute[i]!;
    }
    // …and with it the connection that carried that first failure (its flow and PAM lines come first).
    if (bruteFirst) {
      bruteFrom = bruteFirst.ts_us;
      for (const r of rows) if (r.src_port === bruteFirst.src_port && r.src_port !== null && Math.abs(r.ts_us - bruteFirst.ts_us) < 600e6) bruteFrom = Math.min(bruteFrom, r.ts_us);
    }
    const preAccessPhase = (r: EventRow): Phase | undefined => {
      if (firstLogin !== null && r.ts_us >= firstLogin) return undefined;
      if (bruteFrom !== null && r.ts_us >= bruteFrom) return 'access';
      return 'recon';
    };
    for (const r of rows) {
      if (isHostLogEvent(r) && r.src_ip === ip) {
        const failed = r.outcome === 'failure' && r.class === 'authentication';
        this.event(r, ipEntity, `from attacker address ${ip}`, preAccessPhase(r) ?? (failed ? 'access' : undefined), preAccessPhase(r) === 'recon' ? 'T1595' : undefined);
        if (inGroup('remote_login', r.action) && r.outcome === 'success' && r.actor && r.host) {
          ipEntity.roles.add('login_source');
          const user = this.fp.add('local_user', r.actor, r.host, 'compromised', `logged in from ${ip}`, { compromisedAtUs: r.ts_us });
          this.fp.touch(user, r.ts_us, r.event_id);
          if (r.session) this.fp.add('session', r.session, r.host, null, `ssh session of ${r.actor} from ${ip}`, { eventIds: [r.event_id] });
          this.hostEntity(r.host, `attacker logged in as ${r.actor} from ${ip}`, r);
        } else if (r.outcome !== 'success') {
          ipEntity.roles.add(inGroup('password_failure', r.action) ? 'login_source' : 'scanner');
        }
        await this.learnAddressFromFlow(r);
        continue;
      }
      if (isCloudCall(r.action) && r.src_ip === ip) {
        this.event(r, ipEntity, `API call from attacker address ${ip}`);
        ipEntity.roles.add('api_caller');
        if (r.access_key) this.fp.touch(this.fp.add('access_key', r.access_key, null, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us }), r.ts_us, r.event_id);
        this.cloudIdentity(r, `called the API from attacker address ${ip}`);
        continue;
      }
      if ((r.class === 'datastore_activity' || r.action.startsWith('db_')) && r.src_ip === ip) {
        this.event(r, ipEntity, `database activity from attacker address ${ip}`);
        if (r.actor && r.host) this.fp.add('db_role', r.actor, r.host, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us });
        continue;
      }
      if (r.class === 'network_activity') {
        this.event(r, ipEntity, r.src_ip === ip ? `flow from attacker address ${ip}` : `flow to attacker address ${ip}`, preAccessPhase(r));
        if (r.dst_ip === ip && (r.bytes_out ?? 0) >= EXFIL_BYTES) ipEntity.roles.add('exfil_destination');
        else if (r.src_ip === ip && r.outcome === 'failure') ipEntity.roles.add('scanner');
        continue;
      }
      this.event(r, ipEntity, `involves attacker address ${ip}`);
    }
  }

  /** The principal of a CloudTrail call: an IAM user/root, or a role session and its role. */
  private cloudIdentity(r: EventRow, reason: string): void {
    if (!r.actor) return;
    if (isSessionArn(r.actor)) {
      this.fp.touch(this.fp.add('session', r.actor, null, 'assumed', reason), r.ts_us, r.event_id);
      const issuer = parseAttrs(r).issuer_arn as string | undefined;
      if (issuer) this.fp.touch(this.fp.add('iam_principal', issuer, null, 'assumed', `role of session ${r.actor}`), r.ts_us, r.event_id);
    } else {
      this.fp.touch(this.fp.add('iam_principal', r.actor, null, null, reason, { compromisedAtUs: r.ts_us }), r.ts_us, r.event_id);
    }
  }

  // ---- local accounts and SSH sessions -----------------------------------------------------------

  private async expandLocalUser(u: Entity): Promise<void> {
    const host = u.host!;
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND host = $host AND actor = $user
         AND (action IN ${REMOTE_LOGIN} OR (outcome = 'failure' AND class = 'authentication')) ORDER BY ts, event_id`,
      { host, user: u.value },
    );
    const since = u.createdByAttacker ? null : u.compromisedAtUs;
    // The owner's usual addresses: used before the compromise.
    const baseline = new Set(rows.filter((l) => l.action === 'ssh_login' && l.outcome === 'success' && since !== null && l.ts_us < since && l.src_ip).map((l) => l.src_ip!));
    for (const l of rows) {
      const ok = inGroup('remote_login', l.action) && l.outcome === 'success';
      if (!u.createdByAttacker && (!ok || since === null || l.ts_us < since)) continue;
      if (!l.src_ip && !u.createdByAttacker) continue;
      const attackerIp = !!l.src_ip && this.fp.has('ip', l.src_ip);
      if (!u.createdByAttacker && !attackerIp && (baseline.has(l.src_ip!) || this.sharedAddresses.has(l.src_ip!))) continue;
      if (!u.createdByAttacker && !attackerIp && isPrivateIp(l.src_ip) && !this.fp.hostOf(l.src_ip)) continue; // internal, not known to be the attacker's
      this.event(l, u, u.createdByAttacker ? `${ok ? 'login' : 'attempt'} with attacker-created account ${u.value}@${host}` : `login of compromised account ${u.value}@${host}`);
      if (l.src_ip && !isPrivateIp(l.src_ip)) this.fp.add('ip', l.src_ip, null, u.createdByAttacker ? 'backdoor_user' : 'login_source', `${ok ? 'logged in' : 'tried to log in'} as ${u.value}@${host}`, { eventIds: [l.event_id] });
      if (ok && l.session) this.fp.add('session', l.session, host, null, `session of ${u.value}@${host}`, { eventIds: [l.event_id] });
    }
  }

  private async expandSshSession(s: Entity): Promise<void> {
    const host = s.host!;
    const own = await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE host = $host AND session = $s ORDER BY ts, event_id`, { host, s: s.value });
    if (own.length === 0) return;
    const first = own.find((r) => inGroup('remote_login', r.action) && r.outcome === 'success') ?? own[0]!;
    // sshd logs some lines of a connection under another pid (privilege separation, sshd-session):
    // the client's address and port name the same connection.
    const sameConnection = first.src_ip && first.src_port !== null
      ? await this.q(
          `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND host = $host AND src_ip = $ip AND src_port = $port AND session IS DISTINCT FROM $s
             AND epoch_us(ts) BETWEEN $t AND $t + 86400000000 ORDER BY ts, event_id`,
          { host, ip: first.src_ip, port: first.src_port, s: s.value, t: first.ts_us },
        )
      : [];
    const rows = [...own, ...sameConnection].sort((a, b) => a.ts_us - b.ts_us || a.event_id - b.event_id);
    const login = first;
    const user = login.actor;
    const start = rows[0]!.ts_us;
    const closing = rows.filter((r) => r.action.endsWith('_session_closed') || inGroup('session_end', r.action));
    // Without a close the session is taken to last until the user's next login on the host, or 24 h.
    let end = closing.length ? closing[closing.length - 1]!.ts_us : start + 24 * 3600e6;
    if (!closing.length && user) {
      const next = await this.q<{ ts_us: number | null }>(
        `SELECT epoch_us(min(ts)) AS ts_us FROM ev WHERE action IN ${REMOTE_LOGIN} AND host = $host AND actor = $user AND outcome = 'success' AND epoch_us(ts) > $start`,
        { host, user, start },
      );
      if (next[0]?.ts_us) end = Math.min(end, next[0].ts_us);
    }
    for (const r of rows) this.event(r, s, `in attacker session ${s.value}@${host}`);
    this.addWindow(host, start, end);
    if (!user) return;
    this.noteAccess(login.ts_us);
    if (login.src_ip) await this.learnAddressFromFlow(login);

    // What the user did with privileges while the session lasted: sudo/su lines carry no sshd pid.
    const acts = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND host = $host AND epoch_us(ts) BETWEEN $start AND $end
         AND ((actor IN ($user, 'root') AND action IN ${VOCAB_LISTS.privilege_use})
              OR class = 'account_change')
       ORDER BY ts, event_id`,
      { host, user, start, end },
    );
    let privilegedFrom: number | null = null;
    for (const a of acts) {
      if (a.class === 'account_change') {
        // Account changes carry no actor; after the attacker's first sudo in this session they are the attacker's.
        if (privilegedFrom === null || a.ts_us < privilegedFrom) continue;
        this.event(a, s, `account change on ${host} during the attacker's privileged session`);
        if (a.action === 'user_created' && a.outcome === 'success' && a.target) {
          this.fp.add('local_user', a.target, host, 'backdoor', `created by the attacker on ${host}`, { eventIds: [a.event_id], createdByAttacker: true });
        }
        continue;
      }
      // root's own sudo/su count only after the attacker became root in this session.
      if (a.actor === 'root' && user !== 'root' && (privilegedFrom === null || a.ts_us < privilegedFrom)) continue;
      this.event(a, s, a.actor === 'root' && user !== 'root' ? `run as root in the attacker's session on ${host}` : `run by ${user} in attacker session on ${host}`);
      if ((a.action === 'sudo' || a.action === 'su') && a.outcome === 'success') privilegedFrom ??= a.ts_us;
      if (a.action === 'su' && a.outcome === 'success' && a.target && a.target !== 'root') {
        this.fp.add('local_user', a.target, host, 'compromised', `su from attacker session of ${user}`, { compromisedAtUs: a.ts_us, eventIds: [a.event_id] });
      }
      if (a.action === 'sudo' && a.command) this.noteCronWrite(host, a);
      if (a.action === 'sudo' && a.command && CREDENTIALS_FILE.test(a.command)) {
        this.credentialReads.push({ host, tsUs: a.ts_us, file: (a.command.match(/[~\w./-]*(\.aws\/credentials|\.aws\/config|\.boto|\.s3cfg)/) ?? [a.command])[0], eventId: a.event_id, session: s });
      }
    }
    // Lateral movement: the same account reaching another host from an internal address while the session lasted.
    const lateral = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND actor = $user AND host <> $host AND epoch_us(ts) BETWEEN $start AND $end
         AND (action IN ${REMOTE_LOGIN} OR (class IN ('authentication', 'network_activity') AND action LIKE 'ssh_%'))
       ORDER BY ts, event_id`,
      { host, user, start, end },
    );
    for (const l of lateral) {
      if (!l.src_ip || !isPrivateIp(l.src_ip) || !l.host) continue;
      this.fp.learnHostAddress(l.src_ip, host, `${user} reached ${l.host} from ${l.src_ip} during the attacker's session on ${host}`);
      const ok = inGroup('remote_login', l.action) && l.outcome === 'success';
      this.event(l, s, `${ok ? 'lateral movement' : 'lateral movement attempt'} from ${host} to ${l.host}`, 'actions', 'T1021.004');
      await this.learnAddressFromFlow(l);
      if (!ok) continue;
      this.fp.add('local_user', user, l.host, 'compromised', `lateral movement from ${host}`, { compromisedAtUs: l.ts_us, eventIds: [l.event_id] });
      if (l.session) this.fp.add('session', l.session, l.host, null, `lateral session from ${host}`, { eventIds: [l.event_id] });
      this.hostEntity(l.host, `reached from ${host} as ${user}`, l);
    }
  }

  /** Cron files the attacker wrote: `echo 'M H dom mon dow user cmd' > /etc/cron.d/x`. */
  private readonly cronWrites: { host: string; path: string; minute: number | null; hour: number | null; user: string; fromUs: number; eventId: number }[] = [];

  private noteCronWrite(host: string, a: EventRow): void {
    const m = /['"]\s*(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\w+)\s+[^'"]*['"]\s*>>?\s*(\/etc\/cron\S*|\/var\/spool\/cron\S*)/.exec(a.command!);
    if (!m) return;
    const num = (f: string) => (/^\d+$/.test(f) ? Number(f) : null);
    this.cronWrites.push({ host, path: m[4]!, minute: num(m[1]!), hour: num(m[2]!), user: m[3]!, fromUs: a.ts_us, eventId: a.event_id });
  }

  /**
   * Runs of the attacker's cron jobs: cron sessions of the job's user on its host at the job's
   * minute, from when the file was written until someone removed it. auth.log does not name the
   * job, so the host's own jobs at that minute are included too (the reason says so).
   */
  private async cronRuns(): Promise<void> {
    for (const c of this.cronWrites.splice(0)) {
      if (c.minute === null) continue;
      const removed = await this.q<{ ts_us: number | null }>(
        `SELECT epoch_us(min(ts)) AS ts_us FROM ev WHERE action = 'sudo' AND host = $h AND epoch_us(ts) > $t
           AND contains(command, $p) AND regexp_matches(command, '(^|/|\\s)(rm|unlink|shred|truncate)\\s|>\\s*' || $p)`,
        { h: c.host, t: c.fromUs, p: c.path },
      );
      const until = removed[0]?.ts_us ?? Number.MAX_SAFE_INTEGER;
      const runs = await this.q(
        `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${VOCAB_LISTS.cron_run} AND host = $h
           AND target = $u AND minute(ts) = $m AND epoch_us(ts) > $t AND epoch_us(ts) < $until ${c.hour !== null ? 'AND hour(ts) = $hr' : ''} ORDER BY ts, event_id`,
        { h: c.host, u: c.user, m: c.minute, t: c.fromUs, until, ...(c.hour !== null ? { hr: c.hour } : {}) },
      );
      const hostE = this.fp.get('host', c.host);
      for (const r of runs) this.event(r, hostE, `cron run at the minute of the attacker's job ${c.path} (the host's own jobs at that minute are not told apart in auth.log)`, 'actions', 'T1053.003');
    }
  }

  /** An SSH record's (src_ip, src_port) → the flow that carried it names the host's own address. */
  private async learnAddressFromFlow(r: EventRow): Promise<void> {
    if (!r.src_ip || r.src_port === null || !r.host) return;
    const flows = await this.q<{ dst_ip: string }>(
      `SELECT DISTINCT dst_ip FROM ev WHERE action = 'flow' AND src_ip = $ip AND src_port = $port
         AND dst_port = 22 AND epoch_us(ts) BETWEEN $t - 900000000 AND $t + 300000000 AND dst_ip IS NOT NULL`,
      { ip: r.src_ip, port: r.src_port, t: r.ts_us },
    );
    for (const f of flows) {
      if (isPrivateIp(f.dst_ip)) this.fp.learnHostAddress(f.dst_ip, r.host, `the flow carrying ${r.actor ?? 'an'} ssh connection from ${r.src_ip}:${r.src_port} to ${r.host} went to ${f.dst_ip}:22`);
    }
  }

  // ---- cloud ------------------------------------------------------------------------------------

  /**
   * A cloud credentials file read in an attacker session makes every long-term key that is then
   * first used from a new external address the attacker's: the file's content is not in the logs,
   * but a key leaving its owner's baseline right after the file was read is.
   */
  private async linkStolenKeys(): Promise<void> {
    for (const read of this.credentialReads) {
      const rows = await this.q<{ access_key: string; ts_us: number; src_ip: string; event_id: number }>(
        `WITH keyed AS (
           SELECT access_key, src_ip, epoch_us(ts) AS ts_us, event_id FROM ev
           WHERE is_cloud_call(action) AND access_key LIKE 'AKIA%' AND src_ip IS NOT NULL),
         baseline AS (SELECT DISTINCT access_key, src_ip FROM keyed WHERE ts_us < $t)
         SELECT k.access_key, k.ts_us, k.src_ip, k.event_id FROM keyed k
         WHERE k.ts_us >= $t AND k.ts_us <= $t + 30 * 86400000000
           AND k.access_key IN (SELECT access_key FROM baseline)
           AND NOT EXISTS (SELECT 1 FROM baseline b WHERE b.access_key = k.access_key AND b.src_ip = k.src_ip)
         ORDER BY k.ts_us, k.event_id`,
        { t: read.tsUs },
      );
      for (const r of rows) {
        if (isPrivateIp(r.src_ip) || this.sharedAddresses.has(r.src_ip) || this.fp.has('access_key', r.access_key)) continue;
        const k = this.fp.add('access_key', r.access_key, null, 'stolen', `first used from new address ${r.src_ip} after ${read.file} was read in the attacker's session on ${read.host}`, {
          compromisedAtUs: r.ts_us,
          eventIds: [read.eventId],
        });
        this.fp.touch(k, r.ts_us, r.event_id);
      }
    }
  }

  private async expandAccessKey(k: Entity): Promise<void> {
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE access_key = $k ORDER BY ts, event_id`, { k: k.value });
    if (rows.length === 0) return;
    if (!k.createdByAttacker && k.compromisedAtUs === null) {
      // A seed key: compromised at its first use from an address outside its early baseline.
      const firstIp = rows[0]!.src_ip;
      const outside = rows.find((r) => r.src_ip && r.src_ip !== firstIp && !isPrivateIp(r.src_ip) && !this.sharedAddresses.has(r.src_ip));
      k.compromisedAtUs = outside?.ts_us ?? rows[0]!.ts_us;
      k.roles.add('stolen');
    }
    const since = k.createdByAttacker ? null : k.compromisedAtUs;
    const baseline = new Set(rows.filter((r) => since !== null && r.ts_us < since && r.src_ip).map((r) => r.src_ip!));
    let firstAttackerUs: number | null = null;
    for (const r of rows) {
      if (!k.createdByAttacker && (since === null || r.ts_us < since)) continue;
      if (!k.createdByAttacker && r.src_ip && baseline.has(r.src_ip) && !this.fp.has('ip', r.src_ip)) continue;
      const firstUse = firstAttackerUs === null && !k.createdByAttacker;
      firstAttackerUs ??= r.ts_us;
      const name = cloudEventName(r);
      this.event(
        r,
        k,
        firstUse ? `first use of stolen key ${k.value} by the attacker` : `call with ${k.createdByAttacker ? 'attacker-issued' : 'stolen'} key ${k.value}`,
        firstUse ? 'access' : /^(AssumeRole|GetSessionToken|GetFederationToken)$/.test(name) ? 'actions' : undefined,
        firstUse ? 'T1078.004' : undefined,
      );
      if (r.src_ip && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'api_caller', `used key ${k.value}`, { eventIds: [r.event_id] });
      this.cloudIdentity(r, `identity of key ${k.value}`);
      this.followCloudCreations(r, k);
    }
    if (!k.createdByAttacker && firstAttackerUs !== null) await this.traceKeyToHost(k, firstAttackerUs);
  }

  /** Backwards from a stolen key: the attacker session that read a credentials file before its first misuse. */
  private async traceKeyToHost(k: Entity, firstUseUs: number): Promise<void> {
    const reads = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'sudo' AND regexp_matches(command, $cred)
         AND epoch_us(ts) < $t AND epoch_us(ts) >= $t - 30 * 86400000000 ORDER BY ts DESC, event_id LIMIT 5`,
      { t: firstUseUs, cred: CLOUD_CREDENTIAL_FILE.source },
    );
    for (const r of reads) {
      if (!r.host || !r.actor) continue;
      // The SSH session of that user on that host that was open when the file was read.
      const sess = await this.q(
        `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${REMOTE_LOGIN} AND host = $h AND actor = $u AND outcome = 'success'
           AND epoch_us(ts) <= $t ORDER BY ts DESC, event_id DESC LIMIT 1`,
        { h: r.host, u: r.actor, t: r.ts_us },
      );
      const login = sess[0];
      if (!login?.src_ip || this.sharedAddresses.has(login.src_ip) || isPrivateIp(login.src_ip)) continue;
      this.fp.add('ip', login.src_ip, null, 'login_source', `its session on ${r.host} read ${r.command?.slice(0, 80)} before key ${k.value} was misused`, { eventIds: [r.event_id, login.event_id] });
      if (login.session) this.fp.add('session', login.session, r.host, null, `read the credentials file that held key ${k.value}`, { eventIds: [login.event_id, r.event_id] });
    }
  }

  private async expandPrincipal(p: Entity): Promise<void> {
    if (!p.createdByAttacker) return; // a borrowed principal's calls are followed through its keys and addresses
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE is_cloud_call(action) AND actor = $p ORDER BY ts, event_id`, { p: p.value });
    for (const r of rows) {
      this.event(r, p, `activity of attacker-created principal ${p.value}`);
      if (r.src_ip && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created principal ${p.value}`, { eventIds: [r.event_id] });
      if (r.access_key) {
        this.fp.add('access_key', r.access_key, null, cloudEventName(r) === 'ConsoleLogin' || /^ASIA/.test(r.access_key) ? 'console_session' : 'backdoor', `key of attacker-created principal ${p.value}`, {
          createdByAttacker: true,
          eventIds: [r.event_id],
        });
      }
      this.followCloudCreations(r, p);
    }
  }

  private async expandCloudSession(s: Entity): Promise<void> {
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE is_cloud_call(action) AND actor = $s ORDER BY ts, event_id`, { s: s.value });
    for (const r of rows) {
      this.event(r, s, `call in role session ${s.value}`);
      if (r.access_key && !this.fp.has('access_key', r.access_key)) this.fp.add('access_key', r.access_key, null, 'issued_by_assume_role', `credentials of role session ${s.value}`, { createdByAttacker: true });
      this.followCloudCreations(r, s);
    }
  }

  /** Keys, users, login profiles and role sessions the attacker's calls created. */
  private followCloudCreations(r: EventRow, from: Entity): void {
    if (!isCloudCall(r.action) || r.outcome === 'failure') return;
    const a = parseAttrs(r);
    const name = cloudEventName(r);
    const issued = a.issued_access_key as string | undefined;
    if (issued) {
      this.fp.add('access_key', issued, null, name === 'CreateAccessKey' ? 'backdoor' : 'issued_by_assume_role', `issued by ${name} with ${from.value}`, { createdByAttacker: true, eventIds: [r.event_id] });
      const to = a.issued_to as string | undefined;
      if (to && isSessionArn(to)) this.fp.add('session', to, null, 'assumed', `role session started by ${name} with ${from.value}`, { eventIds: [r.event_id] });
    }
    const req = (a.request_parameters ?? {}) as Record<string, unknown>;
    if (name === 'CreateUser' && typeof req.userName === 'string') {
      const account = (a.recipient_account ?? a.account) as string | undefined;
      const arn = account ? `arn:aws:iam::${account}:user/${req.userName}` : req.userName;
      this.fp.add('iam_principal', arn, null, 'backdoor', `created by the attacker (${from.value})`, { createdByAttacker: true, eventIds: [r.event_id] });
    }
  }

  // ---- databases and hosts ------------------------------------------------------------------------

  private async expandDbRole(role: Entity): Promise<void> {
    if (!role.createdByAttacker) return; // sessions of borrowed roles are found from the hosts and addresses that used them
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE actor = $r AND host = $h
         AND (class = 'datastore_activity' OR starts_with(action, 'db_')) ORDER BY ts, event_id`,
      { r: role.value, h: role.host },
    );
    for (const r of rows) {
      this.event(r, role, `use of attacker-created database role ${role.value}`);
      if (r.src_ip && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created role ${role.value}`, { eventIds: [r.event_id] });
    }
  }

  private async expandHostSeed(h: Entity): Promise<void> {
    if (h.reason !== 'seed') return;
    // A host given as a seed: its successful logins from external addresses not shared by many users.
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${REMOTE_LOGIN} AND host = $h AND outcome = 'success' ORDER BY ts, event_id`,
      { h: h.value },
    );
    for (const r of rows) if (r.src_ip && !isPrivateIp(r.src_ip) && !this.sharedAddresses.has(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'login_source', `logged in to seed host ${h.value}`, { eventIds: [r.event_id] });
  }

  private hostIps(host: string): string[] {
    return [...this.fp.hostAddresses.entries()].filter(([, v]) => v.host === host).map(([ip]) => ip).sort();
  }

  /** What a compromised host did while the attacker was on it: database sessions, egress, sweeps. */
  private async expandHostActivity(host: string): Promise<void> {
    const ips = this.hostIps(host);
    const windows = this.hostWindows.get(host) ?? [];
    const key = `${ips.join(',')}|${windows.map((w) => w.join('-')).join(',')}`;
    if (ips.length === 0 || windows.length === 0 || this.expandedHosts.get(host) === key) return;
    this.expandedHosts.set(host, key);
    // The host's addresses come from the evidence: they travel as a bound list, never as SQL text.
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE host_ips AS SELECT unnest($ips) AS ip`, { ips: listValue(ips) }, { ips: LIST(VARCHAR) });
    const ipList = 'SELECT ip FROM host_ips';
    const within = windows.map(([s, e]) => `(epoch_us(ts) BETWEEN ${s - HOST_WINDOW_MARGIN_US} AND ${e + HOST_WINDOW_MARGIN_US})`).join(' OR ');
    await this.databaseSessionsFrom(host, ipList, within);
    await this.egressFrom(host, ipList, within);
    await this.sweepsFrom(host, ipList, within);
  }

  /**
   * Database sessions opened from the host while the attacker was on it, that depart from how
   * their role is normally used: a detection hit (catalog recon, export, privilege change, bulk
   * read) or an application/client pair the role never used before.
   */
  private async databaseSessionsFrom(host: string, ipList: string, within: string): Promise<void> {
    const sessions = await this.q<{ db_host: string | null; session: string; actor: string | null; app: string | null; src_ip: string; first_us: number }>(
      `SELECT host AS db_host, session, any_value(actor) AS actor, any_value(attrs->>'application_name') AS app, any_value(src_ip) AS src_ip, epoch_us(min(ts)) AS first_us
       FROM ev WHERE (class = 'datastore_activity' OR starts_with(action, 'db_')) AND session IS NOT NULL
         AND src_ip IN (${ipList}) AND (${within})
       GROUP BY host, session ORDER BY first_us`,
    );
    for (const s of sessions) {
      const events = await this.q(
        `SELECT ${EVENT_FIELDS} FROM ev WHERE session = $s AND host IS NOT DISTINCT FROM $h AND (class = 'datastore_activity' OR starts_with(action, 'db_'))
           AND epoch_us(ts) >= $t - 86400000000 AND epoch_us(ts) <= $t + 86400000000 ORDER BY ts, event_id`,
        { s: s.session, h: s.db_host, t: s.first_us },
      );
      // Only this connection of a reused backend id: from its first event on, until it disconnects.
      const mine: EventRow[] = [];
      for (const e of events) {
        if (e.ts_us < s.first_us) continue;
        mine.push(e);
        if (e.action === 'db_disconnect') break;
      }
      const anomalous = mine.some((e) => {
        const sql = (parseAttrs(e).sql ?? {}) as Record<string, unknown>;
        return this.opts.detections.has(e.event_id) || sql.catalog_recon || sql.exports || sql.privilege_change || sql.program_exec || sql.credential_read;
      });
      const usual = await this.q<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM ev WHERE actor IS NOT DISTINCT FROM $a AND src_ip = $ip AND (attrs->>'application_name') IS NOT DISTINCT FROM $app
           AND epoch_us(ts) < $t - 86400000000 AND action = 'db_connect'`,
        { a: s.actor, ip: s.src_ip, app: s.app, t: s.first_us },
      );
      if (!anomalous && (usual[0]?.n ?? 0) > 0) continue;
      const dbHost = s.db_host;
      const role = s.actor && dbHost ? this.fp.add('db_role', s.actor, dbHost, 'borrowed', `used from compromised ${host} (${s.src_ip}) outside its usual pattern${s.app ? ` (application ${s.app})` : ''}`, { compromisedAtUs: s.first_us }) : undefined;
      // A statement is logged before it runs: an ERROR with the same statement right after means it failed.
      const failed = new Set<number>();
      mine.forEach((e, i) => {
        if (e.action !== 'db_query' || !e.command) return;
        for (const n of mine.slice(i + 1, i + 4)) if (n.action === 'db_error' && n.command === e.command && n.ts_us - e.ts_us < 5e6) failed.add(e.event_id);
      });
      this.failedStatements = new Set([...this.failedStatements, ...failed]);
      for (const e of mine) {
        this.event(e, role, `database session ${s.session} from compromised ${host}`);
        if (dbHost) this.hostEntity(dbHost, `database session from compromised ${host}`, e);
        const sql = (parseAttrs(e).sql ?? {}) as Record<string, unknown>;
        if (e.action === 'db_query' && e.outcome !== 'failure' && !failed.has(e.event_id) && sql.privilege_change && e.command && dbHost) {
          const created = /\bcreate\s+(?:role|user)\s+(?:if\s+not\s+exists\s+)?["'`]?([\w$-]+)/i.exec(e.command);
          if (created) this.fp.add('db_role', created[1]!, dbHost, 'backdoor', `created by the attacker in session ${s.session}`, { createdByAttacker: true, eventIds: [e.event_id] });
        }
      }
      if (dbHost) {
        this.addWindow(dbHost, mine[0]?.ts_us ?? s.first_us, mine[mine.length - 1]?.ts_us ?? s.first_us);
        // The database server's address: the flows of this connection end there.
        const c = mine.find((e) => e.src_ip && e.src_port !== null);
        if (c) {
          const flows = await this.q<{ dst_ip: string }>(
            `SELECT DISTINCT dst_ip FROM ev WHERE action = 'flow' AND src_ip = $ip AND src_port = $port AND epoch_us(ts) BETWEEN $t - 900000000 AND $t + 300000000 AND dst_ip IS NOT NULL`,
            { ip: c.src_ip, port: c.src_port, t: c.ts_us },
          );
          for (const f of flows) if (isPrivateIp(f.dst_ip)) this.fp.learnHostAddress(f.dst_ip, dbHost, `the flow of database session ${s.session} from ${c.src_ip}:${c.src_port} went to ${f.dst_ip}`);
        }
      }
    }
  }

  /** Large transfers from the host to external addresses it had not talked to before, while the attacker was on it. */
  private async egressFrom(host: string, ipList: string, within: string): Promise<void> {
    const firstUs = Math.min(...(this.hostWindows.get(host) ?? []).map(([s]) => s));
    const rows = await this.q<{ dst_ip: string; bytes: number }>(
      `SELECT dst_ip, sum(bytes_out)::DOUBLE AS bytes FROM ev
       WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within})
         AND dst_ip NOT IN (SELECT DISTINCT dst_ip FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND epoch_us(ts) < $first AND dst_ip IS NOT NULL)
       GROUP BY dst_ip HAVING sum(bytes_out) >= ${EXFIL_BYTES}`,
      { first: firstUs - HOST_WINDOW_MARGIN_US },
    );
    for (const r of rows) {
      if (!r.dst_ip || isPrivateIp(r.dst_ip)) continue;
      const flows = await this.q(
        `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'flow' AND (src_ip IN (${ipList}) AND dst_ip = $d OR src_ip = $d AND dst_ip IN (${ipList})) AND (${within}) ORDER BY ts, event_id`,
        { d: r.dst_ip },
      );
      const ipE = this.fp.add('ip', r.dst_ip, null, 'exfil_destination', `received ${r.bytes} bytes from compromised ${host}, a new destination for it`);
      for (const f of flows) this.event(f, ipE, `egress from compromised ${host} to ${r.dst_ip}`, 'exfiltration', 'T1048');
    }
  }

  /** Internal scanning from the host ("map out the network"). */
  private async sweepsFrom(host: string, ipList: string, within: string): Promise<void> {
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE action = 'flow' AND src_ip IN (${ipList}) AND (${within})
         AND dst_ip IS NOT NULL AND dst_port IS NOT NULL ORDER BY ts, event_id`,
    );
    // Flows the host initiated: from an ephemeral port to a service port (not its replies).
    const internal = rows.filter((r) => isPrivateIp(r.dst_ip) && (r.src_port ?? 0) >= 1024 && (r.dst_port ?? 0) < 10000);
    for (let i = 0; i < internal.length; i++) {
      const start = internal[i]!.ts_us;
      const windowRows = internal.filter((r) => r.ts_us >= start && r.ts_us <= start + 600e6 && r.src_ip === internal[i]!.src_ip);
      const targets = new Set(windowRows.map((r) => `${r.dst_ip}:${r.dst_port}`));
      if (targets.size < SWEEP_TARGETS) continue;
      const entry = { src: internal[i]!.src_ip!, host, targets: new Set(windowRows.map((r) => r.dst_ip!)), ports: new Set(windowRows.map((r) => r.dst_port!)), firstUs: start, lastUs: windowRows[windowRows.length - 1]!.ts_us, eventIds: windowRows.map((r) => r.event_id) };
      this.networkMapping.push(entry);
      const hostE = this.fp.get('host', host);
      for (const r of windowRows) this.event(r, hostE, `internal sweep from compromised ${host}`, 'recon', 'T1046');
      i += windowRows.length - 1;
    }
  }
}
