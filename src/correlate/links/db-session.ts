/**
 * Compromised host → database sessions opened from its addresses while the attacker was on it,
 * that depart from how their role is normally used: a detection hit or a statement doing catalog
 * reconnaissance, export, privilege change, program execution or credential reading, or a
 * client/application pair the role never used before. What those sessions did is the attacker's:
 * roles created become back doors; the database server becomes a compromised host.
 */
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { eventFields, parseAttrs, type EventRow } from '../classify.js';
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
  // Set-based: the sessions, then every session's own events and whether its role's use is usual,
  // each in one statement over all the sessions (a round trip per session, each bringing back all
  // of a busy application session's statements, cost 4-6 s a session on 10M events). The sessions
  // travel in a temp table, never as SQL text.
  await ctx.conn.run(
    `CREATE OR REPLACE TEMP TABLE db_sessions AS
     SELECT host AS db_host, session, any_value(actor) AS actor, any_value(attrs->>'application_name') AS app, any_value(src_ip) AS src_ip, epoch_us(min(ts)) AS first_us
     FROM ev WHERE (class = 'datastore_activity' OR starts_with(action, 'db_')) AND session IS NOT NULL
       AND src_ip IN (${ipList}) AND (${within})
     GROUP BY host, session`,
  );
  const sessions = await ctx.q<DbSession>(
    `SELECT s.*, (SELECT count(*) FROM ev e WHERE e.action = 'db_connect' AND e.actor IS NOT DISTINCT FROM s.actor AND e.src_ip = s.src_ip
                    AND (e.attrs->>'application_name') IS NOT DISTINCT FROM s.app AND e.ts < make_timestamp(s.first_us - ${DAY_US}))::INTEGER AS usual
     FROM db_sessions s ORDER BY first_us, db_host, session`,
  );
  if (sessions.length === 0) return;
  // First narrow: each session's event ids, and the statement facts of the few that have any.
  const key = (h: string | null, s: string) => `${h ?? ''}\u0000${s}`;
  const facts = await ctx.q<{ s_host: string | null; s_session: string; event_id: number; sql: string | null }>(
    sessionEventsSql(sessions, `e.event_id, CASE WHEN ${SQL_FACTS.map((f) => `json_exists(e.attrs, '$.sql.${f}')`).join(' OR ')} THEN CAST(e.attrs->'$.sql' AS VARCHAR) END AS sql`, 'db_sessions'),
  );
  const idsOf = new Map<string, { event_id: number; sql: string | null }[]>();
  for (const f of facts) {
    const list = idsOf.get(key(f.s_host, f.s_session)) ?? [];
    list.push(f);
    idsOf.set(key(f.s_host, f.s_session), list);
  }
  const anomalous = new Set<string>();
  for (const [k, list] of idsOf) if (list.some((e) => ctx.opts.detections.has(e.event_id) || departs(e.sql))) anomalous.add(k);
  // Then the whole rows of the sessions followed: anomalous ones, and those of a usage never seen before.
  const followed = sessions.filter((s) => anomalous.has(key(s.db_host, s.session)) || s.usual === 0);
  if (followed.length === 0) return;
  await ctx.conn.run(
    `CREATE OR REPLACE TEMP TABLE db_sessions_followed AS SELECT s.* FROM db_sessions s
     SEMI JOIN (SELECT unnest($h) AS db_host, unnest($s) AS session) k ON k.db_host IS NOT DISTINCT FROM s.db_host AND k.session = s.session`,
    { h: listValue(followed.map((s) => s.db_host)), s: listValue(followed.map((s) => s.session)) },
    { h: LIST(VARCHAR), s: LIST(VARCHAR) },
  );
  const rows = await ctx.q<EventRow & { s_host: string | null; s_session: string }>(sessionEventsSql(followed, eventFields('e'), 'db_sessions_followed'));
  const bySession = new Map<string, EventRow[]>();
  for (const r of rows) {
    const list = bySession.get(key(r.s_host, r.s_session)) ?? [];
    list.push(r);
    bySession.set(key(r.s_host, r.s_session), list);
  }
  for (const s of followed) {
    const mine = bySession.get(key(s.db_host, s.session)) ?? [];
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

interface DbSession {
  db_host: string | null;
  session: string;
  actor: string | null;
  app: string | null;
  src_ip: string;
  first_us: number;
  /** The role's connections from that address with that application more than a day before. */
  usual: number;
}

/** Statement facts (attrs.sql, parsers/dbquery) that make a session depart from its role's use. */
const SQL_FACTS = ['catalog_recon', 'exports', 'privilege_change', 'program_exec', 'credential_read'] as const;

function departs(sql: string | null): boolean {
  if (sql === null) return false;
  let facts: Record<string, unknown>;
  try {
    facts = (JSON.parse(sql) ?? {}) as Record<string, unknown>;
  } catch {
    return false;
  }
  return SQL_FACTS.some((f) => Boolean(facts[f]));
}

/**
 * Each session's own events (`columns` of `ev e`, then s_host and s_session), in time order: from
 * its first event on, within a day, until the first db_disconnect (a backend id is reused: only
 * this connection). `table` holds the sessions; their overall time range is spliced as numbers so
 * the scan skips the row groups outside it.
 */
function sessionEventsSql(sessions: DbSession[], columns: string, table: string): string {
  const lo = Math.min(...sessions.map((x) => Number(x.first_us)));
  const hi = Math.max(...sessions.map((x) => Number(x.first_us))) + DAY_US;
  return `WITH cand AS (
       SELECT ${columns}, e.action AS s_action, s.db_host AS s_host, s.session AS s_session,
              row_number() OVER (PARTITION BY s.db_host, s.session ORDER BY e.ts, e.event_id) AS s_n
       FROM ev e JOIN ${table} s ON e.session = s.session AND e.host IS NOT DISTINCT FROM s.db_host
       WHERE (e.class = 'datastore_activity' OR starts_with(e.action, 'db_')) AND e.ts BETWEEN make_timestamp(${lo}) AND make_timestamp(${hi})
         AND e.ts >= make_timestamp(s.first_us) AND e.ts <= make_timestamp(s.first_us + ${DAY_US})),
     cut AS (SELECT s_host, s_session, min(s_n) FILTER (WHERE s_action = 'db_disconnect') AS s_cut FROM cand GROUP BY ALL)
     SELECT cand.* EXCLUDE (s_action, s_n) FROM cand JOIN cut ON cand.s_host IS NOT DISTINCT FROM cut.s_host AND cand.s_session = cut.s_session
     WHERE cut.s_cut IS NULL OR cand.s_n <= cut.s_cut ORDER BY cand.s_host, cand.s_session, cand.s_n`;
}
