/**
 * The events as correlation sees them: a temporary view `ev` over `events` in which records that
 * name no host (PostgreSQL stderr logs, for one, never say which server wrote them) take the host
 * their evidence path names — a folder called after a host whose own logs are in the case
 * (`…/db-01/var/log/postgresql/…` → db-01). The events themselves are not changed; each hint is
 * returned with its reason so the findings can say where a host came from. A host's own name is
 * what its own logs (the host-log vocabulary: sshd, PAM, sudo, accounts) call it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../store/case-db.js';

export interface HostHint {
  evidence_id: number;
  path: string;
  host: string;
}

export async function createCaseView(conn: DuckDBConnection): Promise<HostHint[]> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE evidence_host AS
    WITH named AS (SELECT DISTINCT host FROM events WHERE host IS NOT NULL AND is_host_log(class, action) AND length(host) >= 3),
         files AS (SELECT evidence_id, path FROM evidence WHERE status IN ('ingested', 'partial')),
         matches AS (
           SELECT f.evidence_id, f.path, n.host, strpos('/' || f.path || '/', '/' || n.host || '/') AS pos
           FROM files f JOIN named n ON strpos('/' || f.path || '/', '/' || n.host || '/') > 0)
    SELECT evidence_id, arg_max(path, pos) AS path, arg_max(host, pos) AS host FROM matches GROUP BY evidence_id`);
  await conn.run(`CREATE OR REPLACE TEMP VIEW ev AS
    SELECT e.* REPLACE (coalesce(e.host, h.host) AS host) FROM events e LEFT JOIN evidence_host h USING (evidence_id)`);
  return all<HostHint>(
    conn,
    `SELECT h.evidence_id, h.path, h.host FROM evidence_host h
     WHERE EXISTS (SELECT 1 FROM events e WHERE e.evidence_id = h.evidence_id AND e.host IS NULL) ORDER BY h.evidence_id`,
  );
}
