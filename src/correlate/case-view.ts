/**
 * The events as correlation sees them: a temporary view `ev` over `events` in which records that
 * name no host (PostgreSQL stderr logs, for one, never say which server wrote them) take the host
 * their evidence path names — a folder called after a host whose own logs are in the case
 * (`…/db-01/var/log/postgresql/…` → db-01). The events themselves are not changed; each hint is
 * returned with its reason so the findings can say where a host came from. A host's own name is
 * what its own logs (the host-log vocabulary: sshd, PAM, sudo, accounts) call it. Events whose time
 * cannot be trusted (relative, implausible) are left out of the view unless asked for: they stay
 * in the case and the findings count them (`uncertainty.time`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../store/case-db.js';

export interface HostHint {
  evidence_id: number;
  path: string;
  host: string;
}

/**
 * Times correlation does not trust: `relative` (the source's clock counts from an arbitrary start)
 * and `implausible` (marked at ingest). Times before 1990 count as implausible even in cases
 * ingested before those values existed (a 1970 date is a zeroed or relative clock).
 */
export const PLAUSIBLE_FROM_US = Date.UTC(1990, 0, 1) * 1000;
export const UNTRUSTED_TIME_SQL = `(time_quality IN ('relative', 'implausible') OR ts < TIMESTAMP '1990-01-01')`;

export interface CaseViewOptions {
  /** Keep events with relative or implausible times (`--include-relative`). */
  includeRelative?: boolean;
}

/**
 * Twins: one program writing the same record in two formats (Cowrie's cowrie.json and cowrie.log
 * hold every login and command twice, to the microsecond). Within a source, an event whose time,
 * action, client address, account, command and target equal those of an event in a file of
 * another format is a twin; correlation keeps one (the one naming its session, then the earliest
 * file) so nothing is counted or listed twice. Both stay in the case. Same-format files are never
 * twins of each other (two sensors may see the same flow). Returns how many were set aside.
 */
async function findTwins(conn: DuckDBConnection): Promise<number> {
  // The files that may hold twins come first, into a table of their own: as a subquery (`IN (SELECT
  // … FROM paired)`) DuckDB built its semi join's hash table on the events side — all 8M events of
  // a 10M-event case, ten columns, 0.9 GB and 13 s of CPU — even when no file was paired.
  await conn.run(`CREATE OR REPLACE TEMP TABLE twin_files AS
    WITH fmt AS (SELECT DISTINCT e.evidence_id, e.source, v.format FROM events e JOIN evidence v USING (evidence_id))
    SELECT DISTINCT a.evidence_id FROM fmt a JOIN fmt b ON a.source = b.source AND a.format <> b.format`);
  const [paired] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM twin_files`);
  if (!paired?.n) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE twin_events (event_id BIGINT)`);
    return 0;
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE twin_events AS
    WITH keyed AS (
           SELECT e.event_id, v.format,
                  first_value(v.format) OVER (PARTITION BY e.source, e.ts, e.action, e.src_ip, e.actor, e.command, e.target
                                              ORDER BY e.session IS NULL, e.evidence_id, e.event_id) AS kept_format
           FROM twin_files p JOIN events e USING (evidence_id) JOIN evidence v USING (evidence_id))
    SELECT event_id FROM keyed WHERE format <> kept_format`);
  const [row] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM twin_events`);
  return row?.n ?? 0;
}

/** How many twins createCaseView set aside (0 before it ran). */
export async function countTwins(conn: DuckDBConnection): Promise<number> {
  try {
    const [row] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM twin_events`);
    return row?.n ?? 0;
  } catch {
    return 0;
  }
}

export async function createCaseView(conn: DuckDBConnection, opts: CaseViewOptions = {}): Promise<HostHint[]> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE evidence_host AS
    WITH named AS (SELECT DISTINCT host FROM events WHERE host IS NOT NULL AND is_host_log(class, action) AND length(host) >= 3),
         files AS (SELECT evidence_id, path FROM evidence WHERE status IN ('ingested', 'partial')),
         matches AS (
           SELECT f.evidence_id, f.path, n.host, strpos('/' || f.path || '/', '/' || n.host || '/') AS pos
           FROM files f JOIN named n ON strpos('/' || f.path || '/', '/' || n.host || '/') > 0)
    SELECT evidence_id, arg_max(path, pos) AS path, arg_max(host, pos) AS host FROM matches GROUP BY evidence_id`);
  const twins = await findTwins(conn);
  const where = [
    ...(opts.includeRelative ? [] : [`NOT ${UNTRUSTED_TIME_SQL.replace(/\b(time_quality|ts)\b/g, 'e.$1')}`]),
    ...(twins > 0 ? ['e.event_id NOT IN (SELECT event_id FROM twin_events)'] : []),
  ];
  await conn.run(`CREATE OR REPLACE TEMP VIEW ev AS
    SELECT e.* REPLACE (coalesce(e.host, h.host) AS host) FROM events e LEFT JOIN evidence_host h USING (evidence_id)
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`);
  return all<HostHint>(
    conn,
    `SELECT h.evidence_id, h.path, h.host FROM evidence_host h
     WHERE EXISTS (SELECT 1 FROM events e WHERE e.evidence_id = h.evidence_id AND e.host IS NULL) ORDER BY h.evidence_id`,
  );
}
