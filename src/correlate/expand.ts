/**
 * Grows the attacker's footprint from the seeds by following links in the evidence, each step with
 * a reason and the events behind it, bounded in time, and guarded against shared infrastructure:
 *
 * - address → its events (scans, failed and successful logins, API calls, DB connections, flows)
 *   → the accounts, sessions, keys and roles it used;
 * - session → its sudo/su commands → files read, accounts and keys created, cron, su targets,
 *   and lateral logins to other hosts while it lasted;
 * - accounts and keys → their later use from addresses that are not the owner's baseline;
 * - compromised hosts → database sessions from them that depart from the role's baseline, and
 *   large egress flows to external addresses.
 *
 * Guards: an address used by many different accounts (an office NAT) is not expanded from an
 * account; a compromised account's logins from its owner's usual addresses stay the owner's;
 * an application role's routine statements stay the application's.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../store/case-db.js';
import { classify, EVENT_FIELDS, parseAttrs, type EventRow } from './classify.js';
import { Footprint, type Entity } from './model.js';
import type { EntityKind, Phase } from './rules.js';

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
const SHARED_ADDRESS_USERS = 3;
/** Bytes sent to one external address that count as exfiltration. */
export const EXFIL_BYTES = 5_000_000;

export function isPrivateIp(ip: string | null): boolean {
  if (!ip) return false;
  if (ip.includes(':')) return /^(fc|fd|fe80|::1$)/i.test(ip);
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

export class Expander {
  readonly fp = new Footprint();
  private firstAccessUs: number | null = null;
  private readonly sharedAddresses = new Set<string>();

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly opts: ExpandOptions,
  ) {}

  private q<T = EventRow>(sql: string, params?: Record<string, string | number | null>): Promise<T[]> {
    return all(this.conn, sql, params as never) as unknown as Promise<T[]>;
  }

  async run(): Promise<Footprint> {
    const shared = await this.q<{ ip: string }>(
      `SELECT src_ip AS ip FROM events WHERE action IN ('ssh_login') AND outcome = 'success' AND src_ip IS NOT NULL
       GROUP BY src_ip HAVING count(DISTINCT actor) >= ${SHARED_ADDRESS_USERS}`,
    );
    for (const r of shared) this.sharedAddresses.add(r.ip);
    for (const s of this.opts.seeds) this.fp.add(s.kind, s.value, s.host, null, 'seed', { compromisedAtUs: null });
    const max = this.opts.maxEntities ?? 400;
    let processed = 0;
    // Drain the queue; egress can add destinations, whose activity is expanded in turn.
    for (let round = 0; round < 5; round++) {
      while (processed < this.fp.queue.length && processed < max) {
        const e = this.fp.queue[processed++]!;
        await this.expand(e);
      }
      const before = this.fp.entities.size;
      await this.egress();
      if (this.fp.entities.size === before && processed >= this.fp.queue.length) break;
    }
    if (processed >= max) this.fp.notes.push(`expansion stopped at ${max} entities (runaway guard)`);
    return this.fp;
  }

  private event(e: EventRow, entity: Entity | undefined, reason: string, phase?: Phase, technique?: string | null): void {
    const det = this.opts.detections.get(e.event_id);
    const c = classify(e, this.firstAccessUs);
    this.fp.addEvent(
      {
        eventId: e.event_id,
        tsUs: e.ts_us,
        phase: det?.phase ?? phase ?? c.phase,
        technique: det?.technique ?? technique ?? c.technique,
        reason,
      },
      entity,
    );
  }

  private noteAccess(tsUs: number): void {
    if (this.firstAccessUs === null || tsUs < this.firstAccessUs) this.firstAccessUs = tsUs;
  }

  private async expand(e: Entity): Promise<void> {
    switch (e.kind) {
      case 'ip':
        return this.expandIp(e);
      case 'local_user':
        return this.expandLocalUser(e);
      case 'session':
        return this.expandSession(e);
      case 'access_key':
        return this.expandAccessKey(e);
      case 'iam_principal':
        return this.expandPrincipal(e);
      case 'db_role':
        return this.expandDbRole(e);
      case 'host':
        return this.expandHost(e);
    }
  }

  // ---- addresses ------------------------------------------------------------------------------

  private async expandIp(ipEntity: Entity): Promise<void> {
    const ip = ipEntity.value;
    const internalHost = this.fp.hostOf(ip);
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE src_ip = $ip OR dst_ip = $ip ORDER BY ts, event_id`,
      { ip },
    );
    // Logins first: they date the initial access, which decides what counts as recon.
    for (const r of rows) if (r.source === 'auth_log' && r.action === 'ssh_login' && r.outcome === 'success' && r.src_ip === ip) this.noteAccess(r.ts_us);
    for (const r of rows) {
      if (internalHost && r.src_ip === ip && r.source !== 'auth_log') continue; // a host's own traffic is expanded from the host
      if (r.source === 'auth_log' && r.src_ip === ip) {
        this.event(r, ipEntity, `from attacker address ${ip}`);
        if (r.action === 'ssh_login' && r.outcome === 'success' && r.actor && r.host) {
          ipEntity.roles.add('login_source');
          const user = this.fp.add('local_user', r.actor, r.host, null, `logged in from ${ip}`, { compromisedAtUs: r.ts_us });
          this.fp.touch(user, r.ts_us, r.event_id);
          if (r.session) this.fp.add('session', r.session, r.host, null, `ssh session of ${r.actor} from ${ip}`, { eventIds: [r.event_id] });
          this.fp.add('host', r.host, null, 'compromised', `attacker logged in as ${r.actor} from ${ip}`, { compromisedAtUs: r.ts_us });
        } else if (/^ssh_|^auth_/.test(r.action) && r.outcome !== 'success') {
          ipEntity.roles.add(r.action === 'ssh_login_failed' ? 'login_source' : 'scanner');
        }
        continue;
      }
      if (r.source === 'cloudtrail' && r.src_ip === ip) {
        this.event(r, ipEntity, `API call from attacker address ${ip}`);
        ipEntity.roles.add('api_caller');
        if (r.access_key) {
          const k = this.fp.add('access_key', r.access_key, null, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us });
          this.fp.touch(k, r.ts_us, r.event_id);
        }
        if (r.actor) this.fp.add('iam_principal', r.actor, null, null, `called the API from attacker address ${ip}`, { compromisedAtUs: r.ts_us });
        continue;
      }
      if ((r.class === 'datastore_activity' || r.action.startsWith('db_')) && r.src_ip === ip) {
        this.event(r, ipEntity, `database activity from attacker address ${ip}`);
        if (r.actor && r.host) this.fp.add('db_role', r.actor, r.host, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us });
        continue;
      }
      if (r.class === 'network_activity' && r.source !== 'auth_log') {
        this.event(r, ipEntity, r.src_ip === ip ? `flow from attacker address ${ip}` : `flow to attacker address ${ip}`);
        if (r.dst_ip === ip && (r.bytes_out ?? 0) >= EXFIL_BYTES) ipEntity.roles.add('exfil_destination');
        else if (r.src_ip === ip && r.outcome === 'failure') ipEntity.roles.add('scanner');
        continue;
      }
      this.event(r, ipEntity, `involves attacker address ${ip}`);
    }
  }

  // ---- local accounts and sessions ---------------------------------------------------------------

  private async expandLocalUser(u: Entity): Promise<void> {
    const host = u.host!;
    const logins = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE source = 'auth_log' AND host = $host AND actor = $user AND action = 'ssh_login' AND outcome = 'success' ORDER BY ts, event_id`,
      { host, user: u.value },
    );
    const since = u.createdByAttacker ? null : u.compromisedAtUs;
    // The owner's usual addresses: used before the compromise.
    const baseline = new Set(logins.filter((l) => since !== null && l.ts_us < since && l.src_ip).map((l) => l.src_ip!));
    for (const l of logins) {
      if (!u.createdByAttacker && (since === null || l.ts_us < since)) continue;
      if (!l.src_ip) continue;
      const attackerIp = this.fp.has('ip', l.src_ip);
      if (!u.createdByAttacker && !attackerIp && (baseline.has(l.src_ip) || this.sharedAddresses.has(l.src_ip))) continue;
      if (!u.createdByAttacker && !attackerIp && isPrivateIp(l.src_ip) && !this.fp.hostOf(l.src_ip)) continue; // internal, not known to be the attacker's
      this.event(l, u, u.createdByAttacker ? `login with attacker-created account ${u.value}@${host}` : `login of compromised account ${u.value}@${host}`);
      if (!isPrivateIp(l.src_ip)) this.fp.add('ip', l.src_ip, null, u.createdByAttacker ? 'backdoor_user' : 'login_source', `logged in as ${u.value}@${host}`, { eventIds: [l.event_id] });
      if (l.session) this.fp.add('session', l.session, host, null, `session of ${u.value}@${host}`, { eventIds: [l.event_id] });
    }
    // Failed attempts on an attacker-created account are the attacker's too (a back door tried).
    if (u.createdByAttacker) {
      const tries = await this.q(
        `SELECT ${EVENT_FIELDS} FROM events WHERE source = 'auth_log' AND host = $host AND actor = $user AND outcome = 'failure' ORDER BY ts, event_id`,
        { host, user: u.value },
      );
      for (const t of tries) {
        this.event(t, u, `attempt with attacker-created account ${u.value}@${host}`);
        if (t.src_ip && !isPrivateIp(t.src_ip)) this.fp.add('ip', t.src_ip, null, 'backdoor_user', `tried attacker-created account ${u.value}@${host}`, { eventIds: [t.event_id] });
      }
    }
  }

  private async expandSession(s: Entity): Promise<void> {
    const host = s.host!;
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM events WHERE host = $host AND session = $s ORDER BY ts, event_id`, { host, s: s.value });
    if (rows.length === 0) return;
    const login = rows.find((r) => r.action === 'ssh_login' && r.outcome === 'success') ?? rows[0]!;
    const user = login.actor;
    const start = rows[0]!.ts_us;
    const closing = rows.filter((r) => /_session_closed$|ssh_disconnected|ssh_disconnect_received|logind_session_removed/.test(r.action));
    // Without a close, the session is taken to last until the user's next login on the host or 24 h.
    let end = closing.length ? closing[closing.length - 1]!.ts_us : start + 24 * 3600e6;
    if (!closing.length && user) {
      const next = await this.q<{ ts_us: number }>(
        `SELECT epoch_us(min(ts)) AS ts_us FROM events WHERE source = 'auth_log' AND host = $host AND actor = $user AND action = 'ssh_login' AND outcome = 'success' AND epoch_us(ts) > $start`,
        { host, user, start },
      );
      if (next[0]?.ts_us) end = Math.min(end, next[0].ts_us);
    }
    for (const r of rows) this.event(r, s, `in attacker session ${s.value}@${host}`);
    if (!user) return;
    this.noteAccess(login.ts_us);

    // What the user did with privileges while the session lasted: sudo/su lines carry no sshd pid.
    const acts = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE source = 'auth_log' AND host = $host AND epoch_us(ts) BETWEEN $start AND $end
         AND ((actor IN ($user, 'root') AND action IN ('sudo', 'sudo_failed', 'su', 'sudo_session_opened', 'sudo_session_closed', 'su_session_opened', 'su_session_closed'))
              OR class = 'account_change')
       ORDER BY ts, event_id`,
      { host, user, start, end },
    );
    let rootShellFrom: number | null = null;
    for (const a of acts) {
      if (a.class === 'account_change') {
        // Account changes carry no actor; during an attacker root shell (or right after their sudo) they are the attacker's.
        if (rootShellFrom === null || a.ts_us < rootShellFrom) continue;
        this.event(a, s, `account change on ${host} during the attacker's root session`);
        if (a.action === 'user_created' && a.outcome === 'success' && a.target) {
          this.fp.add('local_user', a.target, host, 'backdoor', `created by the attacker on ${host}`, { eventIds: [a.event_id], createdByAttacker: true });
        }
        continue;
      }
      // root's own sudo/su count only inside the attacker's root shell.
      if (a.actor === 'root' && user !== 'root' && (rootShellFrom === null || a.ts_us < rootShellFrom)) continue;
      this.event(a, s, a.actor === 'root' && user !== 'root' ? `run as root in the attacker's root shell on ${host}` : `run by ${user} in attacker session on ${host}`);
      if (a.action === 'sudo' || a.action === 'su') rootShellFrom ??= a.ts_us;
      if (a.action === 'su' && a.outcome === 'success' && a.target && a.target !== 'root') {
        this.fp.add('local_user', a.target, host, null, `su from attacker session of ${user}`, { compromisedAtUs: a.ts_us, eventIds: [a.event_id] });
      }
    }
    // Lateral movement: the same account logging in to another host from an internal address while the session lasted.
    const lateral = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE source = 'auth_log' AND action = 'ssh_login' AND outcome = 'success' AND actor = $user
         AND host <> $host AND epoch_us(ts) BETWEEN $start AND $end ORDER BY ts, event_id`,
      { host, user, start, end },
    );
    for (const l of lateral) {
      if (!l.src_ip || !isPrivateIp(l.src_ip) || !l.host) continue;
      this.fp.learnHostAddress(l.src_ip, host, `${user} logged in to ${l.host} from ${l.src_ip} during the attacker's session on ${host}`);
      this.event(l, s, `lateral movement from ${host} to ${l.host}`, 'actions', 'T1021.004');
      this.fp.add('local_user', user, l.host, null, `lateral movement from ${host}`, { compromisedAtUs: l.ts_us, eventIds: [l.event_id] });
      if (l.session) this.fp.add('session', l.session, l.host, null, `lateral session from ${host}`, { eventIds: [l.event_id] });
      this.fp.add('host', l.host, null, 'compromised', `reached from ${host} as ${user}`, { compromisedAtUs: l.ts_us });
    }
    await this.learnAddressesFromFlows(login);
  }

  /** A login's (src_ip, src_port) → the flow that carried it names the host's own address. */
  private async learnAddressesFromFlows(login: EventRow): Promise<void> {
    if (!login.src_ip || login.src_port === null || !login.host) return;
    const flows = await this.q<{ dst_ip: string }>(
      `SELECT DISTINCT dst_ip FROM events WHERE class = 'network_activity' AND source <> 'auth_log' AND src_ip = $ip AND src_port = $port
         AND dst_port = 22 AND epoch_us(ts) BETWEEN $t - 300000000 AND $t + 300000000 AND dst_ip IS NOT NULL`,
      { ip: login.src_ip, port: login.src_port, t: login.ts_us },
    );
    for (const f of flows) this.fp.learnHostAddress(f.dst_ip, login.host, `the flow carrying ${login.actor}'s ssh login from ${login.src_ip}:${login.src_port} went to ${f.dst_ip}:22`);
  }

  // ---- cloud ------------------------------------------------------------------------------------

  private async expandAccessKey(k: Entity): Promise<void> {
    const rows = await this.q(`SELECT ${EVENT_FIELDS} FROM events WHERE access_key = $k ORDER BY ts, event_id`, { k: k.value });
    const since = k.createdByAttacker ? null : k.compromisedAtUs;
    const baseline = new Set(rows.filter((r) => since !== null && r.ts_us < since && r.src_ip).map((r) => r.src_ip!));
    for (const r of rows) {
      if (!k.createdByAttacker && (since === null || r.ts_us < since)) continue;
      if (!k.createdByAttacker && r.src_ip && baseline.has(r.src_ip) && !this.fp.has('ip', r.src_ip)) continue;
      this.event(r, k, `call with ${k.createdByAttacker ? 'attacker-created' : 'stolen'} key ${k.value}`);
      if (r.src_ip && !this.fp.has('ip', r.src_ip) && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'api_caller', `used key ${k.value}`, { eventIds: [r.event_id] });
      if (r.actor) this.fp.add('iam_principal', r.actor, null, null, `identity of key ${k.value}`, { compromisedAtUs: r.ts_us });
      this.followCloudCreations(r, k);
    }
  }

  private async expandPrincipal(p: Entity): Promise<void> {
    if (!p.createdByAttacker) return; // a compromised principal's calls are followed through its keys and addresses
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE source = 'cloudtrail' AND (actor = $p OR actor LIKE '%/' || $name) ORDER BY ts, event_id`,
      { p: p.value, name: p.value.split('/').pop() ?? p.value },
    );
    for (const r of rows) {
      this.event(r, p, `activity of attacker-created principal ${p.value}`);
      if (r.src_ip && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created principal ${p.value}`, { eventIds: [r.event_id] });
      if (r.access_key) this.fp.add('access_key', r.access_key, null, null, `key of attacker-created principal ${p.value}`, { createdByAttacker: true });
      this.followCloudCreations(r, p);
    }
  }

  /** Keys, users, login profiles and role sessions the attacker's calls created. */
  private followCloudCreations(r: EventRow, from: Entity): void {
    if (r.source !== 'cloudtrail' || r.outcome === 'failure') return;
    const a = parseAttrs(r);
    const name = r.action.split(':').pop() ?? r.action;
    const issued = a.issued_access_key as string | undefined;
    if (issued) this.fp.add('access_key', issued, null, name === 'CreateAccessKey' ? 'backdoor' : 'session_key', `issued by ${name} with ${from.value}`, { createdByAttacker: true, eventIds: [r.event_id] });
    const req = (a.requestParameters ?? {}) as Record<string, any>;
    if (name === 'CreateUser' && req.userName) {
      this.fp.add('iam_principal', String(req.userName), null, 'backdoor', `created by the attacker (${from.value})`, { createdByAttacker: true, eventIds: [r.event_id] });
    }
  }

  // ---- databases and hosts ------------------------------------------------------------------------

  private async expandDbRole(role: Entity): Promise<void> {
    if (!role.createdByAttacker) return; // sessions of borrowed roles are found from the hosts and addresses that used them
    const rows = await this.q(
      `SELECT ${EVENT_FIELDS} FROM events WHERE class IN ('datastore_activity', 'authentication') AND actor = $r AND host = $h AND source NOT IN ('auth_log', 'cloudtrail') ORDER BY ts, event_id`,
      { r: role.value, h: role.host },
    );
    for (const r of rows) {
      this.event(r, role, `use of attacker-created database role ${role.value}`);
      if (r.src_ip && !isPrivateIp(r.src_ip)) this.fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created role ${role.value}`, { eventIds: [r.event_id] });
    }
  }

  private async expandHost(h: Entity): Promise<void> {
    void h;
    // Host-level expansion (database sessions from the host, internal scanning) runs once the
    // host's addresses are known: see egress() and the database step.
  }

  /** Large transfers from the attacker's hosts to external addresses. */
  private async egress(): Promise<void> {
    const hostIps = [...this.fp.hostAddresses.keys()];
    if (hostIps.length === 0 || this.firstAccessUs === null) return;
    const list = hostIps.map((ip) => `'${ip.replace(/'/g, "''")}'`).join(',');
    const rows = await this.q<{ dst_ip: string; bytes: number }>(
      `SELECT dst_ip, sum(bytes_out)::DOUBLE AS bytes FROM events
       WHERE class = 'network_activity' AND source <> 'auth_log' AND src_ip IN (${list}) AND epoch_us(ts) >= $t
       GROUP BY dst_ip HAVING sum(bytes_out) >= ${EXFIL_BYTES}`,
      { t: this.firstAccessUs },
    );
    for (const r of rows) {
      if (!r.dst_ip || isPrivateIp(r.dst_ip)) continue;
      const flows = await this.q(
        `SELECT ${EVENT_FIELDS} FROM events WHERE class = 'network_activity' AND source <> 'auth_log' AND src_ip IN (${list}) AND dst_ip = $d AND epoch_us(ts) >= $t ORDER BY ts, event_id`,
        { d: r.dst_ip, t: this.firstAccessUs },
      );
      const ipE = this.fp.add('ip', r.dst_ip, null, 'exfil_destination', `received ${r.bytes} bytes from compromised hosts`);
      for (const f of flows) this.event(f, ipE, `egress from a compromised host to ${r.dst_ip}`, 'exfiltration', 'T1048');
    }
  }
}
