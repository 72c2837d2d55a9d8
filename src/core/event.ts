/**
 * The normalized event: one row of the case's `events` table, written by every parser.
 *
 * Field names are the SQL column names (snake_case) so a parser's output, the store and the
 * documentation (docs/schema.md) use one vocabulary. Every field but the provenance ones is
 * optional: a parser sets what its source says and nothing it would have to guess.
 */

/** OCSF-inspired event classes (OCSF class names, snake_case). */
export type EventClass =
  | 'authentication'
  | 'account_change'
  | 'api_activity'
  | 'datastore_activity'
  | 'network_activity'
  | 'process_activity'
  | 'system_activity'
  | 'other';

/**
 * How far `ts` can be trusted.
 * - `exact`: the source wrote the full date and its zone (or UTC).
 * - `year_inferred`: the source wrote no year (traditional syslog); it was inferred from the file's
 *   mtime and December→January roll-overs. Such sources carry no zone either: the zone is assumed too.
 * - `zone_assumed`: the source wrote no zone; `--tz` (default UTC) was applied.
 * - `relative`: the source's clock counts from an unknown start (a Zeek or Argus run on a replayed
 *   capture writes seconds since the capture began, dated 1970); the parser says so.
 * - `implausible`: before 1990-01-01 or more than a day after the ingest, and not known to be
 *   relative (a zeroed field, `0000-01-01T00:00:00Z`, a clock never set); marked at ingest, the
 *   parser's own quality kept in `attrs.time_quality_parsed`.
 * `relative` and `implausible` events stay in the case but are left out of default views,
 * runbook answers and exports unless asked for (`--include-relative`).
 */
export type TimeQuality = 'exact' | 'year_inferred' | 'zone_assumed' | 'relative' | 'implausible';

/** Time qualities whose `ts` does not place the event on the timeline (hidden by default). */
export const OFF_TIMELINE_QUALITIES: readonly TimeQuality[] = ['relative', 'implausible'];

export type Outcome = 'success' | 'failure' | 'unknown';

export interface DwellEvent {
  /** Event time, microseconds since the Unix epoch, UTC. */
  ts: number;
  /** End of the event (flows, sessions), microseconds since the epoch, UTC. */
  ts_end?: number | null;
  time_quality: TimeQuality;
  /** Event class (see EventClass). */
  class: EventClass;
  /** Normalized verb: ssh_login, ssh_login_failed, sudo, user_created, db_query, … */
  action: string;
  outcome: Outcome;
  /** The host that wrote the record (syslog host, DB server, sensor, …). */
  host?: string | null;
  /** Who acted: local user, IAM principal, database role. */
  actor?: string | null;
  src_ip?: string | null;
  src_port?: number | null;
  dst_ip?: string | null;
  dst_port?: number | null;
  /** Protocol by name: ssh, tcp, udp, icmp, https, postgres, … */
  protocol?: string | null;
  /** Session key: sshd pid on its host, DB backend / connection id, AWS role session, … */
  session?: string | null;
  /** Cloud access key id used (AKIA… / ASIA…). */
  access_key?: string | null;
  /** What was acted on: target user, file, table, ARN, s3://bucket/key, … */
  target?: string | null;
  /** Database name (datastore events). */
  database?: string | null;
  /** Bytes sent by the destination to the source (received by src). */
  bytes_in?: number | null;
  /** Bytes sent by the source to the destination. */
  bytes_out?: number | null;
  packets_in?: number | null;
  packets_out?: number | null;
  /** Rows returned or affected (database events). */
  rows?: number | null;
  /** The command line or SQL statement, as written by the source. */
  command?: string | null;
  /** Community ID v1 of the flow (network events). */
  community_id?: string | null;
  /** User agent (CloudTrail, HTTP). */
  user_agent?: string | null;
  /** One readable line; never contains secrets the parser can recognise (passwords are masked). */
  summary: string;
  /** Everything else the source said, as a JSON-able object. */
  attrs?: Record<string, unknown> | null;
  /** Provenance: 1-based line number where the record starts (record index for JSON sources). */
  line: number;
  /** Provenance: byte offset of the record in the (decompressed) evidence stream. */
  byte_offset: number;
  /** Provenance: length of the record in bytes (-1 when unknown). */
  byte_length: number;
  /** The record's text as read (lines longer than the read limit are cut; offset+length lead back). */
  raw: string;
}

/** Column order and DuckDB types of the `events` table; the store and the batch writer follow it. */
export const EVENT_COLUMNS = [
  ['event_id', 'BIGINT'],
  ['ts', 'TIMESTAMP'],
  ['ts_end', 'TIMESTAMP'],
  ['time_quality', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['class', 'VARCHAR'],
  ['action', 'VARCHAR'],
  ['outcome', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['actor', 'VARCHAR'],
  ['src_ip', 'VARCHAR'],
  ['src_port', 'INTEGER'],
  ['dst_ip', 'VARCHAR'],
  ['dst_port', 'INTEGER'],
  ['protocol', 'VARCHAR'],
  ['session', 'VARCHAR'],
  ['access_key', 'VARCHAR'],
  ['target', 'VARCHAR'],
  ['database', 'VARCHAR'],
  ['bytes_in', 'BIGINT'],
  ['bytes_out', 'BIGINT'],
  ['packets_in', 'BIGINT'],
  ['packets_out', 'BIGINT'],
  ['rows', 'BIGINT'],
  ['command', 'VARCHAR'],
  ['community_id', 'VARCHAR'],
  ['user_agent', 'VARCHAR'],
  ['summary', 'VARCHAR'],
  ['attrs', 'JSON'],
  ['evidence_id', 'INTEGER'],
  ['line', 'BIGINT'],
  ['byte_offset', 'BIGINT'],
  ['byte_length', 'INTEGER'],
  ['raw', 'VARCHAR'],
] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number][0];
