/**
 * Hosts and their addresses, learned from the evidence: fills the case's `hosts` table (one row per
 * host name and address, with when, how, why and the events behind it). No host's address is
 * assumed — an independently built estate names its hosts only in its own logs, and links from a
 * compromised host to what came from it (database sessions, egress, scans) need its addresses.
 *
 * Each learner is one SQL statement over the correlation view `ev`:
 * - own_log: a host's own log names the address a connection arrived on (sshd's "on ADDR port 22");
 * - inbound_flow: a connection a host logged (sshd's `from IP port P`, PostgreSQL's
 *   `connection received: host=IP port=P`) was carried by a flow from IP:P — its destination is the
 *   host's address (flow logs aggregate, so the flow may start up to 15 min before);
 * - flow_interface: a flow sensor that names its interface (a VPC ENI) sees its own address in every
 *   record it writes;
 * - cloud_instance: EC2 responses in CloudTrail (RunInstances, DescribeInstances) give instance ids,
 *   interface ids, private addresses and the Name tag;
 * - dhcp / dns: Zeek dhcp.log leases (host_name → assigned_addr), dns.log answers for internal
 *   addresses (name → address);
 * - self_named / evidence_path: names without an address — a host's own logs, a folder of the
 *   evidence named after a host.
 *
 * An address claimed by two different names at overlapping times (a NAT, a load balancer, a
 * reused lease) is marked ambiguous; links do not follow ambiguous addresses.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { THRESHOLDS } from '../knowledge.js';
import { timed } from '../timing.js';
import { all } from '../../store/case-db.js';

const BEFORE = `INTERVAL ${THRESHOLDS.flowBeforeUs / 1e6} SECOND`;
const AFTER = `INTERVAL ${THRESHOLDS.flowAfterUs / 1e6} SECOND`;

/** How an address (or a name) was learned; naming learners name machines, the others give aliases. */
export const NAMING = ['own_log', 'inbound_flow', 'dhcp', 'dns', 'cloud_name_tag'] as const;

const LEARNERS: readonly { how: string; sql: string }[] = [
  {
    how: 'own_log',
    sql: `SELECT host, dst_ip AS address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('%s''s own log says %d connection(s) arrived on %s (%s)', host, count(*), dst_ip, any_value(action)) AS reason,
            count(*) AS events, list(event_id ORDER BY ts, event_id)[1:5] AS event_ids
          FROM ev WHERE is_host_log(class, action) AND host IS NOT NULL AND dst_ip IS NOT NULL AND dst_ip NOT IN ('0.0.0.0', '::')
          GROUP BY host, dst_ip`,
  },
  {
    how: 'inbound_flow',
    sql: `WITH rec AS (
            SELECT event_id, ts, host, src_ip, src_port, action FROM ev
            WHERE host IS NOT NULL AND src_ip IS NOT NULL AND src_port IS NOT NULL AND class IN ('authentication', 'network_activity')
              AND action <> 'flow' AND NOT is_cloud_call(action) AND NOT starts_with(action, 'zeek_') AND NOT starts_with(action, 'suricata_')),
          flows AS (
            SELECT event_id, ts, src_ip, src_port, dst_ip FROM ev
            WHERE action = 'flow' AND src_port IS NOT NULL AND dst_ip IS NOT NULL AND src_ip IN (SELECT DISTINCT src_ip FROM rec)),
          pairs AS (
            SELECT r.host, f.dst_ip AS address, r.event_id AS rid, f.event_id AS fid, r.ts, r.src_ip, r.src_port, r.action FROM rec r
            JOIN flows f ON f.src_ip = r.src_ip AND f.src_port = r.src_port AND f.ts BETWEEN r.ts - ${BEFORE} AND r.ts + ${AFTER})
          SELECT host, address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('the flow carrying a connection %s logged (%s from %s:%d) went to %s; %d connection(s) agree',
                   host, arg_min(action, ts), arg_min(src_ip, ts), arg_min(src_port, ts), address, count(DISTINCT rid)) AS reason,
            count(DISTINCT rid) AS events, list(DISTINCT rid ORDER BY rid)[1:3] || list(DISTINCT fid ORDER BY fid)[1:2] AS event_ids
          FROM pairs GROUP BY host, address`,
  },
  {
    how: 'flow_interface',
    sql: `WITH f AS (SELECT host, src_ip, dst_ip, ts, event_id FROM ev WHERE action = 'flow' AND host IS NOT NULL),
          tot AS (SELECT host, count(*) AS n FROM f GROUP BY host HAVING count(*) >= 10),
          addr AS (
            SELECT host, a AS address, count(*) AS n, min(ts) AS first_seen, max(ts) AS last_seen, min(event_id) AS eid FROM (
              SELECT host, src_ip AS a, ts, event_id FROM f UNION ALL SELECT host, dst_ip AS a, ts, event_id FROM f WHERE dst_ip IS DISTINCT FROM src_ip)
            WHERE a IS NOT NULL GROUP BY host, a)
          SELECT a.host, a.address, a.first_seen, a.last_seen,
            printf('%s is in %d of the %d flow records interface %s wrote: its own address', a.address, a.n, t.n, a.host) AS reason,
            a.n AS events, [a.eid] AS event_ids
          FROM addr a JOIN tot t USING (host) WHERE a.n >= 0.95 * t.n`,
  },
  {
    how: 'cloud_instance',
    sql: `WITH calls AS (SELECT * FROM host_learn_calls),
          inst AS (
            SELECT event_id, ts, action, unnest(CAST(re->'$.instancesSet.items' AS JSON[])) AS i FROM calls WHERE (re->'$.instancesSet.items') IS NOT NULL
            UNION ALL
            SELECT event_id, ts, action, unnest(CAST(r->'$.instancesSet.items' AS JSON[])) AS i FROM (
              SELECT event_id, ts, action, unnest(CAST(re->'$.reservationSet.items' AS JSON[])) AS r FROM calls WHERE (re->'$.reservationSet.items') IS NOT NULL)),
          names AS (
            SELECT event_id, ts, action, i->>'instanceId' AS host, i->>'privateIpAddress' AS address FROM inst
            UNION ALL
            SELECT event_id, ts, action, n->>'networkInterfaceId', n->>'privateIpAddress' FROM (
              SELECT event_id, ts, action, unnest(CAST(i->'$.networkInterfaceSet.items' AS JSON[])) AS n FROM inst WHERE (i->'$.networkInterfaceSet.items') IS NOT NULL))
          SELECT host, address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('%s response: %s has private address %s', arg_min(split_part(action, ':', 2), ts), host, address) AS reason,
            count(*) AS events, list(event_id ORDER BY ts, event_id)[1:5] AS event_ids
          FROM names WHERE host IS NOT NULL AND address IS NOT NULL GROUP BY host, address`,
  },
  {
    how: 'cloud_name_tag',
    sql: `WITH calls AS (SELECT * FROM host_learn_calls),
          inst AS (
            SELECT event_id, ts, unnest(CAST(re->'$.instancesSet.items' AS JSON[])) AS i FROM calls WHERE (re->'$.instancesSet.items') IS NOT NULL),
          tags AS (SELECT event_id, ts, i->>'instanceId' AS id, i->>'privateIpAddress' AS address, unnest(CAST(i->'$.tagSet.items' AS JSON[])) AS t FROM inst WHERE (i->'$.tagSet.items') IS NOT NULL)
          SELECT t->>'value' AS host, address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('instance %s is tagged Name=%s and has private address %s', any_value(id), t->>'value', address) AS reason,
            count(*) AS events, list(event_id ORDER BY ts, event_id)[1:5] AS event_ids
          FROM tags WHERE (t->>'key') = 'Name' AND address IS NOT NULL AND (t->>'value') IS NOT NULL GROUP BY t->>'value', address`,
  },
  {
    how: 'dhcp',
    sql: `SELECT attrs->>'host_name' AS host, attrs->>'assigned_addr' AS address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('DHCP leased %s to %s (%d lease record(s))', attrs->>'assigned_addr', attrs->>'host_name', count(*)) AS reason,
            count(*) AS events, list(event_id ORDER BY ts, event_id)[1:5] AS event_ids
          FROM ev WHERE action = 'zeek_dhcp' AND (attrs->>'host_name') IS NOT NULL AND (attrs->>'assigned_addr') IS NOT NULL
          GROUP BY attrs->>'host_name', attrs->>'assigned_addr'`,
  },
  {
    how: 'dns',
    sql: `WITH a AS (
            SELECT event_id, ts, lower(attrs->>'query') AS host, unnest(CAST(attrs->'$.answers' AS VARCHAR[])) AS address FROM ev
            WHERE action = 'dns_query' AND (attrs->>'qtype_name') IN ('A', 'AAAA') AND (attrs->>'query') IS NOT NULL AND json_type(attrs->'$.answers') = 'ARRAY')
          SELECT host, address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('DNS answered %s for %s (%d answer(s))', address, host, count(*)) AS reason, count(*) AS events, list(event_id ORDER BY ts, event_id)[1:5] AS event_ids
          FROM a WHERE is_private_ip(address) GROUP BY host, address`,
  },
  {
    how: 'self_named',
    sql: `SELECT host, NULL AS address, min(ts) AS first_seen, max(ts) AS last_seen,
            printf('%s names itself in %d record(s) of its own logs', host, count(*)) AS reason, count(*) AS events, [min(event_id)] AS event_ids
          FROM events WHERE host IS NOT NULL AND is_host_log(class, action) GROUP BY host`,
  },
  {
    how: 'evidence_path',
    sql: `SELECT h.host, NULL AS address, NULL::TIMESTAMP AS first_seen, NULL::TIMESTAMP AS last_seen,
            printf('%d evidence file(s) lie under a folder named %s (e.g. %s); their records that name no host are taken to be its', count(*), h.host, min(h.path)) AS reason,
            count(*) AS events, []::BIGINT[] AS event_ids
          FROM evidence_host h GROUP BY h.host`,
  },
];

/**
 * Rebuilds the `hosts` table from the evidence (needs the view `ev` and the table `evidence_host`
 * of case-view.ts). Deterministic: same case, same rows.
 */
export async function learnHosts(conn: DuckDBConnection): Promise<void> {
  await timed('hosts learner cloud calls', () => instanceCalls(conn));
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM hosts');
    for (const l of LEARNERS) {
      await timed(`hosts learner ${l.how}`, () =>
        conn.run(
          `INSERT INTO hosts (host, address, first_seen, last_seen, how, reason, events, event_ids)
           SELECT host, address, first_seen, last_seen, '${l.how}', reason, events, event_ids FROM (${l.sql}) WHERE host IS NOT NULL AND host <> ''`,
        ),
      );
    }
    // Two machine names on one address at overlapping times: shared infrastructure, not a host. A
    // name and its fully qualified form (web-01, web-01.corp.example) are one machine.
    const naming = NAMING.map((n) => `'${n}'`).join(', ');
    await conn.run(`UPDATE hosts SET ambiguous = true WHERE address IS NOT NULL AND how IN (${naming}) AND EXISTS (
        SELECT 1 FROM hosts o WHERE o.address = hosts.address AND lower(split_part(o.host, '.', 1)) <> lower(split_part(hosts.host, '.', 1)) AND o.how IN (${naming})
          AND o.first_seen <= hosts.last_seen AND hosts.first_seen <= o.last_seen)`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

/**
 * The EC2 calls whose responses name instances (RunInstances, DescribeInstances), with their
 * response, for the cloud_instance and cloud_name_tag learners: the actions first from the narrow
 * action column, then one equality branch per action, which DuckDB pushes into the scan — the
 * regexp filter was not, and read every one of 8M events' attrs to keep a few (10 s on 10M events).
 */
async function instanceCalls(conn: DuckDBConnection): Promise<void> {
  const actions = (await all<{ action: string }>(conn, `SELECT DISTINCT action FROM ev WHERE is_cloud_call(action) AND regexp_matches(action, ':(RunInstances|DescribeInstances)$') ORDER BY action`)).map((r) => r.action);
  const branch = (i: number) => `SELECT event_id, ts, action, attrs->'$.response_elements' AS re FROM ev WHERE action = $a${i} AND outcome <> 'failure'`;
  const sql = actions.length > 0 ? actions.map((_, i) => branch(i)).join(' UNION ALL ') : `${branch(0)} AND false`;
  const params = Object.fromEntries((actions.length > 0 ? actions : ['']).map((a, i) => [`a${i}`, a]));
  await conn.run(`CREATE OR REPLACE TEMP TABLE host_learn_calls AS ${sql}`, params);
}
