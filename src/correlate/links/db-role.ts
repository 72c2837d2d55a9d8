/**
 * Attacker-created database role → all of its use (and the external addresses it came from).
 * Sessions of a borrowed role (an application's own) are found from the hosts and addresses that
 * used it (db-session.ts), never from the role itself: its routine use stays the application's.
 */
import { EVENT_FIELDS } from '../classify.js';
import { isPrivateIp } from '../knowledge.js';
import type { Entity } from '../model.js';
import type { LinkContext } from './context.js';
import type { EntityLink } from './types.js';

export const dbRoleLink: EntityLink = {
  name: 'db_role',
  describe: 'attacker-created database role → all of its sessions and statements, and the external addresses they came from',
  follows: 'db_role',
  expand: expandDbRole,
};

async function expandDbRole(ctx: LinkContext, role: Entity): Promise<void> {
  if (!role.createdByAttacker) return;
  const rows = await ctx.q(
    `SELECT ${EVENT_FIELDS} FROM ev WHERE actor = $r AND host = $h AND (class = 'datastore_activity' OR starts_with(action, 'db_')) ORDER BY ts, event_id`,
    { r: role.value, h: role.host },
  );
  for (const r of rows) {
    ctx.event(r, role, `use of attacker-created database role ${role.value}`);
    if (r.src_ip && !isPrivateIp(r.src_ip)) ctx.fp.add('ip', r.src_ip, null, 'backdoor_user', `used attacker-created role ${role.value}`, { eventIds: [r.event_id] });
  }
}
