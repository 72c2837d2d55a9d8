/**
 * Compromised host → database sessions opened from its addresses while the attacker was on it,
 * that depart from how their role is normally used: a detection hit or a statement doing catalog
 * reconnaissance, export, privilege change, program execution or credential reading, or a
 * client/application pair the role never used before. What those sessions did is the attacker's:
 * roles created become back doors; the database server becomes a compromised host.
 */
import { EVENT_FIELDS, parseAttrs, type EventRow } from '../classify.js';
import type { LinkContext } from './context.js';
import type { HostLink, HostScope } from './types.js';

const DAY_US = 86400e6;

export const dbSessionLink: HostLink = {
  name: 'db_sessions',
  describe: "compromised host → database sessions from its addresses during the attacker's time on it that depart from the role's baseline (a detection, recon/export/privilege statements, or a new client/application pair) → their statements and the roles they created",
  run: databaseSessionsFrom,
};

async function databaseSessionsFrom(ctx: LinkContext, { host, ipList, within }: HostScope): Promise<void> {
  const { fp } = ctx;
  const sessions = await ctx.q<{ db_host: string | null; session: string; actor: string | null; app: string | null; src_ip: string; first_us: number }>(
    `SELECT host AS db_host, session, any_value(actor) AS actor, any_value(attrs->>'application_name') AS app, any_value(src_ip) AS src_ip, epoch_us(min(ts)) AS first_us
     FROM ev WHERE (class = 'datastore_activity' OR starts_with(action, 'db_')) AND session IS NOT NULL
       AND src_ip IN (${ipList}) AND (${within})
     GROUP BY host, session ORDER BY first_us`,
  );
  for (const s of sessions) {
    const events = await ctx.q(
      `SELECT ${EVENT_FIELDS} FROM ev WHERE session = $s AND host IS NOT DISTINCT FROM $h AND (class = 'datastore_activity' OR starts_with(action, 'db_'))
         AND epoch_us(ts) >= $t - ${DAY_US} AND epoch_us(ts) <= $t + ${DAY_US} ORDER BY ts, event_id`,
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
      return ctx.opts.detections.has(e.event_id) || sql.catalog_recon || sql.exports || sql.privilege_change || sql.program_exec || sql.credential_read;
    });
    const usual = await ctx.q<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ev WHERE actor IS NOT DISTINCT FROM $a AND src_ip = $ip AND (attrs->>'application_name') IS NOT DISTINCT FROM $app
         AND epoch_us(ts) < $t - ${DAY_US} AND action = 'db_connect'`,
      { a: s.actor, ip: s.src_ip, app: s.app, t: s.first_us },
    );
    if (!anomalous && (usual[0]?.n ?? 0) > 0) continue;
    const dbHost = s.db_host;
    const role = s.actor && dbHost ? fp.add('db_role', s.actor, dbHost, 'borrowed', `used from compromised ${host} (${s.src_ip}) outside its usual pattern${s.app ? ` (application ${s.app})` : ''}`, { compromisedAtUs: s.first_us }) : undefined;
    // A statement is logged before it runs: an ERROR with the same statement right after means it failed.
    const failed = new Set<number>();
    mine.forEach((e, i) => {
      if (e.action !== 'db_query' || !e.command) return;
      for (const n of mine.slice(i + 1, i + 4)) if (n.action === 'db_error' && n.command === e.command && n.ts_us - e.ts_us < 5e6) failed.add(e.event_id);
    });
    for (const id of failed) ctx.failedStatements.add(id);
    for (const e of mine) {
      ctx.event(e, role, `database session ${s.session} from compromised ${host}`);
      if (dbHost) ctx.hostEntity(dbHost, `database session from compromised ${host}`, e);
      const sql = (parseAttrs(e).sql ?? {}) as Record<string, unknown>;
      if (e.action === 'db_query' && e.outcome !== 'failure' && !failed.has(e.event_id) && sql.privilege_change && e.command && dbHost) {
        const created = /\bcreate\s+(?:role|user)\s+(?:if\s+not\s+exists\s+)?["'`]?([\w$-]+)/i.exec(e.command);
        if (created) fp.add('db_role', created[1]!, dbHost, 'backdoor', `created by the attacker in session ${s.session}`, { createdByAttacker: true, eventIds: [e.event_id] });
      }
    }
    if (dbHost) ctx.addWindow(dbHost, mine[0]?.ts_us ?? s.first_us, mine[mine.length - 1]?.ts_us ?? s.first_us);
  }
}
