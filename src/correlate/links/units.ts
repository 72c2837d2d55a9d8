/**
 * Units started right after the attacker's privileged commands → back doors. A script run through
 * sudo (`curl … | bash`) installs and starts a service without naming it on the command line: only
 * systemd's own line (`Started x.service`) names it. A unit the host never started before the
 * attacker's first access (in the evidence), started on that host within minutes after one of the
 * attacker's sudo/su commands, is the attacker's. Services every boot starts were started before.
 */
import { eventFields, type EventRow } from '../classify.js';
import { VOCAB_LISTS } from '../sql-vocabulary.js';
import type { LinkContext } from './context.js';
import type { RoundLink } from './types.js';

/** How long after the attacker's privileged command a unit start is taken as its doing (µs). */
const AFTER_PRIVILEGED_US = 5 * 60e6;

export const unitsStartedLink: RoundLink = {
  name: 'units_started',
  describe: "attacker's privileged command → a unit systemd started on that host minutes later that it never started before the attacker came (a service a script installed): a back door",
  run: unitsStarted,
};

async function unitsStarted(ctx: LinkContext): Promise<void> {
  const ids = [...ctx.fp.events.keys()];
  if (ids.length === 0) return;
  const rows = await ctx.q<EventRow & { by_actor: string | null }>(
    `WITH priv AS (
       SELECT host, actor, epoch_us(ts) AS t FROM ev
       WHERE event_id IN (SELECT unnest($ids::BIGINT[])) AND action IN ${VOCAB_LISTS.privilege_use} AND outcome = 'success' AND host IS NOT NULL)
     SELECT ${eventFields('s')}, p.actor AS by_actor FROM ev s
     JOIN priv p ON p.host = s.host AND epoch_us(s.ts) BETWEEN p.t AND p.t + ${AFTER_PRIVILEGED_US}
     WHERE s.action = 'service_started' AND s.target IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.action = 'service_started' AND b.host = s.host AND b.target = s.target AND epoch_us(b.ts) < least($before, epoch_us(s.ts)))
     QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY p.t DESC) = 1
     ORDER BY s.ts, s.event_id`,
    { ids: `[${ids.join(',')}]`, before: ctx.firstAccessUs ?? Number.MAX_SAFE_INTEGER },
  );
  for (const r of rows) {
    if (ctx.persistence.some((p) => p.eventId === r.event_id || (p.kind === 'systemd_unit' && p.value === r.target && p.host === r.host))) continue;
    const hostE = r.host ? ctx.fp.get('host', r.host) : undefined;
    ctx.event(r, hostE, `unit ${r.target} started on ${r.host} right after the attacker's privileged command, never started there before`, 'actions', 'T1543.002');
    ctx.persistence.push({ kind: 'systemd_unit', value: r.target!, owner: null, minute: null, hour: null, host: r.host, eventId: r.event_id, tsUs: r.ts_us, actor: r.by_actor });
  }
}
