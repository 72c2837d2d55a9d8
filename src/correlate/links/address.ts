/**
 * Address → everything it touched: scans, probes, failed and successful logins, API calls,
 * database connections, flows. A successful login names the account, session and host it opened
 * (a host known only by its address — a network sensor's view — is named by that address); an API
 * call names the key and principal; a database connection the role.
 *
 * Phase before the first login: guessing one or two passwords per account name is enumeration
 * (recon); hammering one account is a brute force (access), from the first failure of its last
 * burst — and the connection that carried it.
 */
import { inGroup, isCloudCall, isDbAction, isHostLogEvent } from '../../core/vocabulary.js';
import { EVENT_FIELDS, parseAttrs, type EventRow } from '../classify.js';
import { THRESHOLDS } from '../knowledge.js';
import type { Entity } from '../model.js';
import type { Phase } from '../rules.js';
import { addCloudIdentity } from './cloud-identity.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

/**
 * The events an address `$ip` is either end of, as EventRow columns. Two branches, not `src_ip = $ip
 * OR dst_ip = $ip`: DuckDB pushes an equality into the scan and reads the wide columns (attrs,
 * command) only where it holds, but not a disjunction — the OR read all 8M rows' attrs (6-12 s for
 * one address on the 10M benchmark, 0.4 s as two branches). The second branch leaves out what the
 * first has. `where` narrows both (SQL over the event's own columns, no values spliced in).
 */
export function eventsOfAddress(where = ''): string {
  const and = where ? ` AND (${where})` : '';
  return `SELECT ${EVENT_FIELDS} FROM ev WHERE src_ip = $ip${and}
     UNION ALL SELECT ${EVENT_FIELDS} FROM ev WHERE dst_ip = $ip AND src_ip IS DISTINCT FROM $ip${and}`;
}

/** Burst gap: failures further apart than this belong to an earlier attempt. */
const BURST_GAP_US = 3 * 3600e6;

export const addressLink: EntityLink = {
  name: 'address',
  describe: 'address → its events (scans, probes, failed and successful logins, API calls, database connections, flows) → the accounts, sessions, hosts, keys, principals and roles it used',
  follows: 'ip',
  expand: expandAddress,
};

async function expandAddress(ctx: LinkContext, ipEntity: Entity): Promise<void> {
  const { fp } = ctx;
  const ip = ipEntity.value;
  const rows = await ctx.q(`${eventsOfAddress()} ORDER BY ts_us, event_id`, { ip });
  ctx.addressEvents = { ip, rows };
  // Logins first: they date the initial access, which decides what counts as recon.
  let firstLogin: number | null = null;
  for (const r of rows) if (inGroup('remote_login', r.action) && r.outcome === 'success' && r.src_ip === ip) firstLogin ??= r.ts_us;
  if (firstLogin !== null) ctx.noteAccess(firstLogin);
  const failures = new Map<string, number>();
  const isFailure = (r: EventRow) => r.src_ip === ip && r.actor !== null && /^(ssh_login_failed|ssh_invalid_user)$/.test(r.action);
  for (const r of rows) if (isFailure(r) && (firstLogin === null || r.ts_us < firstLogin)) failures.set(r.actor!, (failures.get(r.actor!) ?? 0) + (Number(parseAttrs(r).repeated) || 1));
  const hammered = (actor: string | null) => actor !== null && (failures.get(actor) ?? 0) >= THRESHOLDS.bruteForceAttempts;
  const brute = rows.filter((r) => isFailure(r) && hammered(r.actor) && (firstLogin === null || r.ts_us < firstLogin));
  let bruteFirst: EventRow | null = null;
  for (let i = brute.length - 1; i >= 0; i--) {
    if (i < brute.length - 1 && brute[i + 1]!.ts_us - brute[i]!.ts_us > BURST_GAP_US) break;
    bruteFirst = brute[i]!;
  }
  let bruteFrom: number | null = null;
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
      ctx.event(r, ipEntity, `from attacker address ${ip}`, preAccessPhase(r) ?? (failed ? 'access' : undefined), preAccessPhase(r) === 'recon' ? 'T1595' : undefined);
      if (inGroup('remote_login', r.action) && r.outcome === 'success') {
        ipEntity.roles.add('login_source');
        // The server: named in its own log, else by the hosts the evidence shows, else by its address.
        const host = r.host ?? fp.hosts.hostOf(r.dst_ip) ?? r.dst_ip;
        if (r.actor && host) {
          const user = fp.add('local_user', r.actor, host, 'compromised', `logged in from ${ip}`, { compromisedAtUs: r.ts_us });
          fp.touch(user, r.ts_us, r.event_id);
          if (r.session) fp.add('session', r.session, host, null, `ssh session of ${r.actor} from ${ip}`, { eventIds: [r.event_id] });
        }
        if (host) {
          ctx.hostEntity(host, r.actor ? `attacker logged in as ${r.actor} from ${ip}` : `attacker logged in from ${ip} (account not visible to the source)`, r);
          // Without a session line the login itself is the attacker's time on the host.
          if (!r.session) ctx.addWindow(host, r.ts_us, r.ts_us);
        }
      } else if (r.outcome !== 'success') {
        ipEntity.roles.add(inGroup('password_failure', r.action) ? 'login_source' : 'scanner');
      }
      continue;
    }
    if (isCloudCall(r.action) && r.src_ip === ip) {
      ctx.event(r, ipEntity, `API call from attacker address ${ip}`);
      ipEntity.roles.add('api_caller');
      if (r.access_key) fp.touch(fp.add('access_key', r.access_key, null, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us }), r.ts_us, r.event_id);
      addCloudIdentity(fp, r, `called the API from attacker address ${ip}`);
      continue;
    }
    if ((r.class === 'datastore_activity' || isDbAction(r.action)) && r.src_ip === ip) {
      ctx.event(r, ipEntity, `database activity from attacker address ${ip}`);
      if (r.actor && r.host) fp.add('db_role', r.actor, r.host, null, `used from attacker address ${ip}`, { compromisedAtUs: r.ts_us });
      continue;
    }
    if (r.class === 'network_activity') {
      ctx.event(r, ipEntity, r.src_ip === ip ? `flow from attacker address ${ip}` : `flow to attacker address ${ip}`, preAccessPhase(r));
      if (r.dst_ip === ip && (r.bytes_out ?? 0) >= THRESHOLDS.exfilBytes) ipEntity.roles.add('exfil_destination');
      else if (r.src_ip === ip && r.outcome === 'failure') ipEntity.roles.add('scanner');
      continue;
    }
    ctx.event(r, ipEntity, `involves attacker address ${ip}`);
  }
}
