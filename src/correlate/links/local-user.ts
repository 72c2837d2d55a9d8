/**
 * Compromised account → its later logins. From the moment the attacker had it, a login of the
 * account is the attacker's unless it comes from its owner's usual addresses (used before the
 * compromise), from an address shared by many accounts (a NAT), or from an internal address that
 * is not a host the attacker holds. An account the attacker created is theirs entirely, failed
 * attempts included.
 */
import { inGroup } from '../../core/vocabulary.js';
import { EVENT_FIELDS } from '../classify.js';
import { isPrivateIp } from '../knowledge.js';
import type { Entity } from '../model.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

export const localUserLink: EntityLink = {
  name: 'local_user',
  describe: "compromised account → its logins after the compromise, except from its owner's usual addresses, shared addresses, and internal addresses of hosts the attacker does not hold; an attacker-created account → all of its use",
  follows: 'local_user',
  expand: expandLocalUser,
};

async function expandLocalUser(ctx: LinkContext, u: Entity): Promise<void> {
  const { fp } = ctx;
  const host = u.host!;
  const rows = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE is_host_log(class, action) AND host = $host AND actor = $user
       AND (action IN ${VOCAB_LISTS.remote_login} OR (outcome = 'failure' AND class = 'authentication')) ORDER BY ts, event_id`,
    { host, user: u.value },
  );
  const since = u.createdByAttacker ? null : u.compromisedAtUs;
  // The owner's usual addresses: used before the compromise.
  const baseline = new Set(rows.filter((l) => inGroup('remote_login', l.action) && l.outcome === 'success' && since !== null && l.ts_us < since && l.src_ip).map((l) => l.src_ip!));
  for (const l of rows) {
    const ok = inGroup('remote_login', l.action) && l.outcome === 'success';
    if (!u.createdByAttacker && (!ok || since === null || l.ts_us < since)) continue;
    if (!l.src_ip && !u.createdByAttacker) continue;
    const attackerIp = !!l.src_ip && fp.has('ip', l.src_ip);
    if (!u.createdByAttacker && !attackerIp && (baseline.has(l.src_ip!) || ctx.sharedAddresses.has(l.src_ip!))) continue;
    if (!u.createdByAttacker && !attackerIp && isPrivateIp(l.src_ip) && !fp.attackerHostOf(l.src_ip)) continue;
    ctx.event(l, u, u.createdByAttacker ? `${ok ? 'login' : 'attempt'} with attacker-created account ${u.value}@${host}` : `login of compromised account ${u.value}@${host}`);
    if (l.src_ip && !isPrivateIp(l.src_ip)) fp.add('ip', l.src_ip, null, u.createdByAttacker ? 'backdoor_user' : 'login_source', `${ok ? 'logged in' : 'tried to log in'} as ${u.value}@${host}`, { eventIds: [l.event_id] });
    if (ok && l.session) fp.add('session', l.session, host, null, `session of ${u.value}@${host}`, { eventIds: [l.event_id] });
  }
}
