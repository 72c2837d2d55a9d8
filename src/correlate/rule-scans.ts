/**
 * Rule scans (issue 14): the rows of one source kind that several rules read, copied once per run
 * into a small temporary table with the columns those rules use, so that each rule reads that
 * table instead of the whole case (as `dwell hunt` reads each source once for all Sigma rules).
 *
 * A rule says which scan it reads with its header's `scan:` field; its SQL does not change: it
 * still reads `events`, which the runner points at the scan's table (a CTE named `events`, as
 * `dwell watch` does for its time window). A scan must therefore keep every row its rules read and
 * every column they name, under the column's own name; test/correlate/rule-scans.test.ts checks
 * each scanned rule against the same rule over the whole case view. A rule without `scan:` (rules
 * of --rules folders, unless they name one) reads the whole case view.
 *
 * Why these scans: on a 10M-event case the rules that read `attrs` (JSON: 1.7 kB per CloudTrail
 * call, 0.3 kB per database statement) paid for reading and parsing it once each; the auth rules
 * each read the whole table to find 0.6M sshd, sudo and account records. Network flow rules are
 * window computations over 2.8M flows: copying the flows would cost memory (the DuckDB budget is
 * 384 MB) and save little, so they read the case view directly.
 */
import { ACTION_GROUPS } from '../core/vocabulary.js';

export interface RuleScan {
  name: string;
  /**
   * Conditions on the case view, one UNION ALL branch each. An equality on a column is evaluated
   * inside DuckDB's table scan, so the wide columns are read only where it holds; an IN list or an
   * OR is evaluated after the scan, on every row's projected columns (attrs and command included):
   * 0.6M auth records cost 4 s of CPU with `action IN (…)`, a fraction of that as equalities.
   */
  branches: string[];
  /** The columns kept, named as in `events` so that rule SQL runs unchanged. */
  columns: string;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Actions the auth rules (src/correlate/rules/auth/) select on. */
const AUTH_ACTIONS = [
  'ssh_login_failed', 'ssh_invalid_user', 'ssh_no_identification', 'ssh_bad_protocol', 'ssh_negotiation_failed', 'ssh_connection',
  'sudo', 'sudo_failed', 'su', 'cron_command', 'user_created', 'group_member_added',
  ...ACTION_GROUPS.remote_login!, ...ACTION_GROUPS.crontab_write!,
];

/**
 * S3 object reads and writes: most of a CloudTrail trail with data events (692k of 737k calls in
 * the 10M-event scenario). No rule reads their attributes when they succeeded (the bulk-download
 * rule reads bytes_out, a column), so the cloud scan leaves `attrs` out for them.
 */
const S3_OBJECT_CALLS = ['GetObject', 'PutObject', 'UploadPart', 'HeadObject'].map((op) => `s3.amazonaws.com:${op}`);

/** Keys of a statement's attrs.sql that the database rules select on; absent when false or empty. */
const DB_SQL_FLAGS = ['catalog_recon', 'privilege_change', 'unfiltered_read', 'exports'];

export const RULE_SCANS: readonly RuleScan[] = [
  {
    name: 'auth',
    branches: [...new Set(AUTH_ACTIONS)].map((a) => `action = ${quote(a)}`),
    columns: 'event_id, ts, class, action, outcome, host, actor, target, src_ip, src_port, dst_ip, dst_port, session, command, attrs',
  },
  {
    name: 'cloud',
    // Only cloud calls carry a colon in their action: a narrow column, read for every row once.
    branches: [`is_cloud_call(action)`],
    columns: `event_id, ts, class, action, outcome, host, actor, target, src_ip, access_key, bytes_in, bytes_out,
      CASE WHEN coalesce(outcome, '') <> 'success' OR action NOT IN (${S3_OBJECT_CALLS.map(quote).join(', ')}) THEN attrs END AS attrs`,
  },
  {
    name: 'db',
    branches: [
      `action = 'db_connect'`,
      `action = 'db_auth_failed'`,
      // A statement matters to the rules only when its analysis flagged it: the flags are found in
      // the JSON text (a superset: the rules test the JSON paths themselves on these few rows).
      `class = 'datastore_activity' AND action NOT IN ('db_connect', 'db_auth_failed')
        AND regexp_matches(CAST(attrs AS VARCHAR), '"(${DB_SQL_FLAGS.join('|')})"')`,
    ],
    columns: 'event_id, ts, class, action, outcome, host, actor, target, src_ip, session, command, attrs',
  },
];

export const SCAN_NAMES: readonly string[] = RULE_SCANS.map((s) => s.name);

/** The temporary table of a scan. */
export const scanTable = (name: string) => `rule_scan_${name}`;

/** The statement filling a scan's table from `source` (the case view `ev`, or `events`). */
export function scanSql(scan: RuleScan, source: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${scanTable(scan.name)} AS\n${scan.branches.map((b) => `SELECT ${scan.columns} FROM ${source} WHERE ${b}`).join('\nUNION ALL\n')}`;
}
