/**
 * Keys planted in an account's authorized_keys whose writing left no line (the account's own file,
 * written without sudo): an attacker login with a key that account had never logged in with on
 * that host before the attacker's first access, whose very first use is the attacker's. The key is
 * a back door (`ssh_authorized_key`); its first use is the latest time it can have been written.
 * When the attacker's command writing that account's authorized_keys is in the footprint, that
 * command is the back door already and the key is not listed twice.
 */
import { eventFields, type EventRow } from '../classify.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

export const plantedKeysLink: RoundLink = {
  name: 'planted_keys',
  describe: "attacker login with a key the account never used on that host before the attacker came, first used by the attacker → a key planted in that account's authorized_keys (a back door), unless the attacker's command writing that file is already one",
  run: plantedKeys,
};

async function plantedKeys(ctx: LinkContext): Promise<void> {
  const ids = [...ctx.fp.events.keys()];
  if (ids.length === 0 || ctx.firstAccessUs === null) return;
  const rows = await ctx.q<EventRow & { fp: string; key_type: string | null }>(
    `WITH mine AS (
       SELECT ${eventFields()}, attrs->>'key_fingerprint' AS fp, attrs->>'key_type' AS key_type FROM ev
       WHERE event_id IN (SELECT unnest($ids::BIGINT[])) AND action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success'
         AND host IS NOT NULL AND actor IS NOT NULL AND (attrs->>'key_fingerprint') IS NOT NULL),
     firsts AS (
       SELECT e.host, e.actor, k.fp, arg_min(e.event_id, e.ts) AS first_id, epoch_us(min(e.ts)) AS first_us FROM ev e
       JOIN (SELECT DISTINCT host, actor, fp FROM mine) k ON e.host = k.host AND e.actor = k.actor AND (e.attrs->>'key_fingerprint') = k.fp
       WHERE e.action IN ${VOCAB_LISTS.remote_login} AND e.outcome = 'success'
       GROUP BY ALL)
     SELECT m.* FROM mine m JOIN firsts f ON f.host = m.host AND f.actor = m.actor AND f.fp = m.fp AND f.first_id = m.event_id
     WHERE f.first_us >= $before ORDER BY m.ts_us, m.event_id`,
    { ids: `[${ids.join(',')}]`, before: ctx.firstAccessUs },
  );
  for (const r of rows) {
    const value = `${r.key_type ? r.key_type + ' ' : ''}${r.fp} in ${r.actor}'s authorized_keys`;
    if (ctx.persistence.some((p) => p.kind === 'ssh_authorized_key' && p.host === r.host && (p.value === value || p.owner === r.actor))) continue;
    const written = await ctx.q<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ev WHERE event_id IN (SELECT unnest($ids::BIGINT[])) AND host = $h AND action IN ${VOCAB_LISTS.host_command}
         AND contains(command, 'authorized_keys') AND contains(command, $u) AND epoch_us(ts) <= $t`,
      { ids: `[${ids.join(',')}]`, h: r.host, u: r.actor, t: r.ts_us },
    );
    if ((written[0]?.n ?? 0) > 0) continue;
    ctx.persistence.push({ kind: 'ssh_authorized_key', value, owner: r.actor, minute: null, hour: null, host: r.host, eventId: r.event_id, tsUs: r.ts_us, actor: r.actor });
  }
}
