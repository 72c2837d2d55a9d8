/**
 * The vocabulary and shared knowledge as SQL, for rules and links: macros installed on the
 * correlation connection (`is_private_ip(ip)`, `is_cloud_call(action)`, `cloud_identity(actor)`,
 * `credential_file(text)`, `is_host_log(class, action)`, `is_admin_port(port)`) and the `{{vocab.NAME}}` lists rule files may
 * use. Everything is generated from src/core/vocabulary.ts and knowledge.ts, never retyped.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ACTION_GROUPS } from '../core/vocabulary.js';
import { ADMIN_GROUPS, ADMIN_PORTS, CREDENTIAL_FILE_RE, PRIVATE_IP_RE } from './knowledge.js';

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `{{vocab.NAME}}` values: action groups and knowledge lists as SQL list literals. */
export const VOCAB_LISTS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ACTION_GROUPS).map(([k, v]) => [k, `(${v.map(quote).join(', ')})`])),
  admin_groups: `(${ADMIN_GROUPS.map(quote).join(', ')})`,
  admin_ports: `(${ADMIN_PORTS.join(', ')})`,
};

export const SQL_MACROS: readonly string[] = [
  `CREATE OR REPLACE TEMP MACRO is_private_ip(ip) AS coalesce(regexp_matches(ip, ${quote(PRIVATE_IP_RE)}), false)`,
  // Only cloud API calls carry a colon in their action (`service:Operation`); vocabulary.test.ts checks it.
  `CREATE OR REPLACE TEMP MACRO is_cloud_call(a) AS coalesce(contains(a, ':'), false)`,
  // A role session acts for its role: baselines and hit keys are kept per role, not per session.
  `CREATE OR REPLACE TEMP MACRO cloud_identity(actor) AS CASE WHEN actor LIKE 'arn:aws:sts::%:assumed-role/%' THEN regexp_replace(actor, '^arn:aws:sts::(\\d+):assumed-role/([^/]+)/.*$', 'arn:aws:iam::\\1:role/\\2') ELSE actor END`,
  `CREATE OR REPLACE TEMP MACRO credential_file(t) AS coalesce(regexp_matches(t, ${quote(CREDENTIAL_FILE_RE)}), false)`,
  // Records a host wrote about itself (sshd, PAM, sudo, su, accounts, cron): vocabulary.ts isHostLogEvent.
  `CREATE OR REPLACE TEMP MACRO is_host_log(c, a) AS NOT (contains(a, ':') OR starts_with(a, 'db_') OR starts_with(a, 'zeek_') OR starts_with(a, 'suricata_')
     OR a IN ('flow', 'ids_alert', 'dns_query', 'http_request', 'flow_log_nodata', 'flow_log_skipdata') OR c IN ('datastore_activity', 'api_activity'))`,
  `CREATE OR REPLACE TEMP MACRO is_admin_port(p) AS coalesce(p IN ${VOCAB_LISTS.admin_ports}, false)`,
];

export async function installSqlVocabulary(conn: DuckDBConnection): Promise<void> {
  for (const sql of SQL_MACROS) await conn.run(sql);
}
