/**
 * Cloud identities → their use. A principal the attacker created (an IAM user) is theirs entirely,
 * with every key it used. A role session the attacker started is theirs entirely; a session whose
 * credentials were taken from its workload (a Lambda's or a container's role keys, leaked) is
 * shared: only calls since the compromise, from outside the addresses the workload used before,
 * are the attacker's. A borrowed principal's own calls are followed through its keys and addresses.
 */
import { cloudEventName, EVENT_FIELDS } from '../classify.js';
import { isPrivateIp } from '../knowledge.js';
import type { Entity } from '../model.js';
import { followCloudCreations } from './cloud-creations.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

export const principalLink: EntityLink = {
  name: 'cloud_principal',
  describe: 'attacker-created principal (IAM user) → all of its calls, the addresses and keys it used, and what it created',
  follows: 'iam_principal',
  expand: expandPrincipal,
};

export const cloudSessionLink: EntityLink = {
  name: 'cloud_session',
  describe: "role session → its calls (all of them when the attacker started it; since the compromise and outside the workload's own addresses when its credentials were stolen) and what they created",
  follows: 'session',
  appliesTo: (e) => e.host === null,
  expand: expandCloudSession,
};

async function expandPrincipal(ctx: LinkContext, p: Entity): Promise<void> {
  const { fp } = ctx;
  if (!p.createdByAttacker) return;
  const rows = await ctx.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE is_cloud_call(action) AND actor = $p ORDER BY ts, event_id`, { p: p.value });
  for (const r of rows) {
    ctx.event(r, p, `activity of attacker-created principal ${p.value}`);
    if (r.src_ip && !isPrivateIp(r.src_ip)) fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created principal ${p.value}`, { eventIds: [r.event_id] });
    if (r.access_key) {
      fp.add('access_key', r.access_key, null, cloudEventName(r) === 'ConsoleLogin' || /^ASIA/.test(r.access_key) ? 'console_session' : 'backdoor', `key of attacker-created principal ${p.value}`, {
        createdByAttacker: true,
        eventIds: [r.event_id],
      });
    }
    followCloudCreations(fp, r, p);
  }
}

async function expandCloudSession(ctx: LinkContext, s: Entity): Promise<void> {
  const { fp } = ctx;
  const rows = await ctx.q(`SELECT ${EVENT_FIELDS} FROM ev WHERE is_cloud_call(action) AND actor = $s ORDER BY ts, event_id`, { s: s.value });
  const borrowed = !s.createdByAttacker;
  const since = borrowed ? s.compromisedAtUs : null;
  // The workload's own addresses: where the session was used before the attacker had it.
  const baseline = new Set(rows.filter((r) => since !== null && r.ts_us < since && r.src_ip).map((r) => r.src_ip!));
  for (const r of rows) {
    if (borrowed && since !== null && r.ts_us < since) continue;
    if (borrowed && r.src_ip && baseline.has(r.src_ip) && !fp.has('ip', r.src_ip)) continue;
    ctx.event(r, s, borrowed ? `call with the stolen credentials of role session ${s.value}` : `call in role session ${s.value}`);
    if (r.access_key && !fp.has('access_key', r.access_key)) {
      if (borrowed) fp.add('access_key', r.access_key, null, 'stolen', `credentials of role session ${s.value}, used by the attacker`, { compromisedAtUs: r.ts_us, eventIds: [r.event_id] });
      else fp.add('access_key', r.access_key, null, 'issued_by_assume_role', `credentials of role session ${s.value}`, { createdByAttacker: true });
    }
    followCloudCreations(fp, r, s);
  }
}
