/**
 * SSH session → what the attacker did in it: the lines of the same connection logged under another
 * sshd pid (matched by client address and port), the account's sudo and su while the session lasted
 * (sudo lines carry no sshd pid), account changes after the first privileged command, cloud
 * credential files read (what the commands installed is the persistence link's), and the same account logging in to other hosts from an
 * internal address meanwhile (lateral movement) — which also tells that address is this host's.
 */
import { inGroup } from '../../core/vocabulary.js';
import { EVENT_FIELDS, type EventRow } from '../classify.js';
import { CLOUD_CREDENTIAL_FILE, isPrivateIp } from '../knowledge.js';
import type { Entity } from '../model.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

/** Without a close a session is taken to last until the user's next login on the host, or this long. */
const OPEN_SESSION_US = 24 * 3600e6;

export const sshSessionLink: EntityLink = {
  name: 'ssh_session',
  describe: "SSH session → its own lines, the account's sudo/su while it lasted, account changes after the first sudo, cloud credential files read, and lateral logins to other hosts from an internal address (which is then this host's)",
  follows: 'session',
  appliesTo: (e) => e.host !== null,
  expand: expandSshSession,
};

async function expandSshSession(ctx: LinkContext, s: Entity): Promise<void> {
  const { fp } = ctx;
  const host = s.host!;
  const own = await ctx.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE host = $host AND session = $s ORDER BY ts, event_id`, { host, s: s.value });
  if (own.length === 0) return;
  const first = own.find((r) => inGroup('remote_login', r.action) && r.outcome === 'success') ?? own[0]!;
  // sshd logs some lines of a connection under another pid (privilege separation, sshd-session):
  // the client's address and port name the same connection.
  const sameConnection =
    first.src_ip && first.src_port !== null
      ? await ctx.q(
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
  let end = closing.length ? closing[closing.length - 1]!.ts_us : start + OPEN_SESSION_US;
  if (!closing.length && user) {
    const next = await ctx.q<{ ts_us: number | null }>(
      `SELECT epoch_us(min(ts)) AS ts_us FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND host = $host AND actor = $user AND outcome = 'success' AND epoch_us(ts) > $start`,
      { host, user, start },
    );
    if (next[0]?.ts_us) end = Math.min(end, next[0].ts_us);
  }
  for (const r of rows) ctx.event(r, s, `in attacker session ${s.value}@${host}`);
  ctx.addWindow(host, start, end);
  if (!user) return;
  ctx.noteAccess(login.ts_us);
  await traceUpstream(ctx, s, login);

  // What the user did with privileges while the session lasted: sudo/su lines carry no sshd pid.
  const acts = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND host = $host AND epoch_us(ts) BETWEEN $start AND $end
       AND ((actor IN ($user, 'root') AND action IN ${VOCAB_LISTS.privilege_use}) OR class = 'account_change')
     ORDER BY ts, event_id`,
    { host, user, start, end },
  );
  let privilegedFrom: number | null = null;
  for (const a of acts) {
    if (a.class === 'account_change') {
      // Account changes carry no actor; after the attacker's first sudo in this session they are the attacker's.
      if (privilegedFrom === null || a.ts_us < privilegedFrom) continue;
      ctx.event(a, s, `account change on ${host} during the attacker's privileged session`);
      if (a.action === 'user_created' && a.outcome === 'success' && a.target) {
        fp.add('local_user', a.target, host, 'backdoor', `created by the attacker on ${host}`, { eventIds: [a.event_id], createdByAttacker: true });
      }
      continue;
    }
    // root's own sudo/su count only after the attacker became root in this session.
    if (a.actor === 'root' && user !== 'root' && (privilegedFrom === null || a.ts_us < privilegedFrom)) continue;
    ctx.event(a, s, a.actor === 'root' && user !== 'root' ? `run as root in the attacker's session on ${host}` : `run by ${user} in attacker session on ${host}`);
    if ((a.action === 'sudo' || a.action === 'su') && a.outcome === 'success') privilegedFrom ??= a.ts_us;
    if (a.action === 'su' && a.outcome === 'success' && a.target && a.target !== 'root') {
      fp.add('local_user', a.target, host, 'compromised', `su from attacker session of ${user}`, { compromisedAtUs: a.ts_us, eventIds: [a.event_id] });
    }
    if (a.action === 'sudo' && a.command && CLOUD_CREDENTIAL_FILE.test(a.command)) {
      ctx.credentialReads.push({ host, tsUs: a.ts_us, file: (a.command.match(CLOUD_CREDENTIAL_FILE) ?? [a.command])[0], eventId: a.event_id, session: s });
    }
  }
  // Lateral movement: the same account reaching another host from an internal address while the session lasted.
  const lateral = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND actor = $user AND host <> $host AND epoch_us(ts) BETWEEN $start AND $end
       AND (action IN ${VOCAB_LISTS.remote_login} OR (class IN ('authentication', 'network_activity') AND action LIKE 'ssh_%'))
     ORDER BY ts, event_id`,
    { host, user, start, end },
  );
  for (const l of lateral) {
    if (!l.src_ip || !isPrivateIp(l.src_ip) || !l.host) continue;
    fp.hosts.infer(l.src_ip, host, `${user} reached ${l.host} from ${l.src_ip} during the attacker's session on ${host}`, l.ts_us);
    const ok = inGroup('remote_login', l.action) && l.outcome === 'success';
    ctx.event(l, s, `${ok ? 'lateral movement' : 'lateral movement attempt'} from ${host} to ${l.host}`, 'actions', 'T1021.004');
    if (!ok) continue;
    fp.add('local_user', user, l.host, 'compromised', `lateral movement from ${host}`, { compromisedAtUs: l.ts_us, eventIds: [l.event_id] });
    if (l.session) fp.add('session', l.session, l.host, null, `lateral session from ${host}`, { eventIds: [l.event_id] });
    ctx.hostEntity(l.host, `reached from ${host} as ${user}`, l);
  }
  await otherAccountsFrom(ctx, s, user, start, end);
}

/**
 * An attacker session that came from an internal address of another host came through that host:
 * the same account's session there, open when the hop was made, is the attacker's too — and its
 * own source, when external and not shared, is the attacker's address.
 */
async function traceUpstream(ctx: LinkContext, s: Entity, login: EventRow): Promise<void> {
  const { fp } = ctx;
  const up = login.src_ip && isPrivateIp(login.src_ip) ? fp.hosts.hostOf(login.src_ip) : null;
  if (!up || up === s.host || !login.actor) return;
  const [prev] = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success' AND host = $up AND actor = $u
       AND epoch_us(ts) <= $t AND epoch_us(ts) >= $t - ${OPEN_SESSION_US} ORDER BY ts DESC, event_id DESC LIMIT 1`,
    { up, u: login.actor, t: login.ts_us },
  );
  if (!prev?.session) return;
  // Still open when the hop was made: no close of that session before it.
  const [closed] = await ctx.q<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM ev WHERE host = $up AND session = $s AND epoch_us(ts) > $from AND epoch_us(ts) < $t
       AND (ends_with(action, '_session_closed') OR action IN ${VOCAB_LISTS.session_end})`,
    { up, s: prev.session, from: prev.ts_us, t: login.ts_us },
  );
  if ((closed?.n ?? 0) > 0) return;
  const why = `${login.actor} hopped from ${up} (${login.src_ip}) to ${s.host} in the attacker's session ${s.value}`;
  fp.add('session', prev.session, up, null, `the session on ${up} that ${why.slice(login.actor.length + 1)}`, { eventIds: [prev.event_id, login.event_id] });
  fp.touch(fp.add('local_user', login.actor, up, 'compromised', why, { compromisedAtUs: prev.ts_us }), prev.ts_us, prev.event_id);
  ctx.hostEntity(up, why, prev);
  if (prev.src_ip && !isPrivateIp(prev.src_ip) && !ctx.sharedAddresses.has(prev.src_ip)) {
    fp.add('ip', prev.src_ip, null, 'login_source', `logged in to ${up} as ${login.actor} in the session ${why.slice(login.actor.length + 1)}`, { eventIds: [prev.event_id] });
  }
}

/**
 * Lateral movement under another account: while the attacker held this host, a login to another
 * host from this host's own address by an account that had never logged in there before (a back
 * door used through the pivot). Accounts that routinely hop from here (a bastion's users) are theirs.
 */
async function otherAccountsFrom(ctx: LinkContext, s: Entity, user: string, start: number, end: number): Promise<void> {
  const { fp } = ctx;
  const host = s.host!;
  const before = Math.min(start, ctx.firstAccessUs ?? start);
  for (const { ip } of fp.hosts.addressesOf(host)) {
    const rows = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev e WHERE action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success' AND src_ip = $ip AND host IS NOT NULL AND host <> $host
         AND actor IS NOT NULL AND actor <> $user AND epoch_us(ts) BETWEEN $start AND $end
         AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.action IN ${VOCAB_LISTS.remote_login} AND b.outcome = 'success' AND b.host = e.host AND b.actor = e.actor AND epoch_us(b.ts) < $before)
       ORDER BY ts, event_id`,
      { ip, host, user, start, end, before },
    );
    for (const l of rows) {
      ctx.event(l, s, `lateral movement from ${host} to ${l.host} as ${l.actor}, an account that never logged in there before`, 'actions', 'T1021.004');
      fp.add('local_user', l.actor!, l.host, 'compromised', `logged in from ${host} (${ip}) as ${l.actor} during the attacker's session of ${user}`, { compromisedAtUs: l.ts_us, eventIds: [l.event_id] });
      if (l.session) fp.add('session', l.session, l.host, null, `lateral session from ${host} as ${l.actor}`, { eventIds: [l.event_id] });
      ctx.hostEntity(l.host!, `reached from ${host} as ${l.actor}`, l);
    }
  }
}

