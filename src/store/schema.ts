/**
 * The case file's tables. One DuckDB file per investigation; docs/schema.md documents every column.
 * Later features add their tables here (detections, findings, annotations) so one place creates a case.
 */
import { EVENT_COLUMNS } from '../core/event.js';

/**
 * The wide text columns are stored FSST-compressed outright. Left to choose, DuckDB analyses every
 * compression method for them at each checkpoint, and on kilobyte-long unique strings (CloudTrail
 * records) that analysis takes hundreds of MB outside its memory limit: 424k S3 data events peaked at
 * 1.16 GB loading, 0.90 GB with this, the same file size, 15 % faster (bench/RESULTS.md).
 */
const FSST_COLUMNS = new Set(['raw', 'attrs']);

export const SCHEMA_VERSION = '1';

export const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS case_meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1`,
  `CREATE SEQUENCE IF NOT EXISTS evidence_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS ingest_runs (
     run_id INTEGER PRIMARY KEY,
     started_at TIMESTAMP NOT NULL,
     finished_at TIMESTAMP,
     dwell_version VARCHAR NOT NULL,
     argv JSON,
     tz VARCHAR NOT NULL,
     year INTEGER,
     forced_format VARCHAR,
     status VARCHAR NOT NULL,
     files INTEGER,
     events BIGINT,
     warnings BIGINT,
     failed INTEGER,
     operator VARCHAR,
     hostname VARCHAR
   )`,
  `CREATE TABLE IF NOT EXISTS evidence (
     evidence_id INTEGER PRIMARY KEY,
     run_id INTEGER NOT NULL,
     path VARCHAR NOT NULL,
     abs_path VARCHAR NOT NULL,
     size BIGINT,
     mtime TIMESTAMP,
     sha256 VARCHAR,
     compression VARCHAR,
     format VARCHAR,
     parser_version VARCHAR,
     sniff_reason VARCHAR,
     status VARCHAR NOT NULL,
     message VARCHAR,
     lines BIGINT,
     record_lines BIGINT,
     continuation_lines BIGINT,
     meta_lines BIGINT,
     blank_lines BIGINT,
     warning_lines BIGINT,
     events BIGINT NOT NULL DEFAULT 0,
     warnings BIGINT NOT NULL DEFAULT 0,
     first_ts TIMESTAMP,
     last_ts TIMESTAMP,
     year_shift INTEGER,
     duplicate_of INTEGER,
     info JSON,
     ingested_at TIMESTAMP NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS parse_warnings (
     evidence_id INTEGER NOT NULL,
     line BIGINT,
     byte_offset BIGINT,
     raw VARCHAR,
     reason VARCHAR NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS events (${EVENT_COLUMNS.map(([n, t]) => `"${n}" ${t}${FSST_COLUMNS.has(n) ? ' USING COMPRESSION fsst' : ''}`).join(', ')})`,
  // Correlation (docs/findings.md): detection hits, each findings run, and the attacker's events.
  `CREATE SEQUENCE IF NOT EXISTS findings_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS detections (
     findings_id INTEGER NOT NULL,
     rule_id VARCHAR NOT NULL,
     phase VARCHAR,
     technique VARCHAR,
     level VARCHAR,
     hit_key VARCHAR,
     event_id BIGINT NOT NULL,
     ts TIMESTAMP
   )`,
  // What a hit shows beside the rule id (docs/sigma.md): the rule's title, author (a Sigma rule's
  // licence asks for it with every hit), ATT&CK tags, which engine ran it (dwell, sigma) and the
  // rule's file. Added by ALTER so cases made before open unchanged; rows from then have NULLs.
  `ALTER TABLE detections ADD COLUMN IF NOT EXISTS title VARCHAR`,
  `ALTER TABLE detections ADD COLUMN IF NOT EXISTS author VARCHAR`,
  `ALTER TABLE detections ADD COLUMN IF NOT EXISTS tags VARCHAR[]`,
  `ALTER TABLE detections ADD COLUMN IF NOT EXISTS engine VARCHAR`,
  `ALTER TABLE detections ADD COLUMN IF NOT EXISTS rule_file VARCHAR`,
  // Sigma hunts (dwell hunt): one row per run; its detections carry findings_id = hunt_id (both
  // numbered from findings_id_seq, so a hunt and a correlation never share a number).
  `CREATE TABLE IF NOT EXISTS hunts (
     hunt_id INTEGER PRIMARY KEY,
     started_at TIMESTAMP NOT NULL,
     finished_at TIMESTAMP,
     dwell_version VARCHAR NOT NULL,
     parameters JSON,
     rules JSON,
     problems JSON
   )`,
  `CREATE TABLE IF NOT EXISTS findings (
     findings_id INTEGER PRIMARY KEY,
     generated_at TIMESTAMP NOT NULL,
     dwell_version VARCHAR NOT NULL,
     parameters JSON,
     body JSON NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS attack_events (
     findings_id INTEGER NOT NULL,
     event_id BIGINT NOT NULL,
     ts TIMESTAMP NOT NULL,
     phase VARCHAR NOT NULL,
     technique VARCHAR,
     reason VARCHAR
   )`,
  // Hosts and their addresses as the evidence shows them (docs/schema.md#hosts), rebuilt by every
  // dwell correlate: which name had which address, from when to when, how that was learned and the
  // events behind it. An address two names claim at the same time is marked ambiguous (a NAT, a
  // load balancer) and links do not follow it.
  `CREATE TABLE IF NOT EXISTS hosts (
     host VARCHAR NOT NULL,
     address VARCHAR,
     first_seen TIMESTAMP,
     last_seen TIMESTAMP,
     how VARCHAR NOT NULL,
     reason VARCHAR NOT NULL,
     events BIGINT NOT NULL,
     event_ids BIGINT[],
     ambiguous BOOLEAN NOT NULL DEFAULT false
   )`,
  // CloudTrail key chains (docs/schema.md): every temporary or new access key a CloudTrail call
  // issued (AssumeRole*, GetSessionToken, GetFederationToken, CreateAccessKey), with the key and
  // principal that asked for it, so AKIA… → AssumeRole → ASIA… is one join.
  `CREATE OR REPLACE VIEW cloud_key_chain AS
     SELECT json_extract_string(attrs, '$.issued_access_key') AS issued_key,
            ts AS issued_at,
            split_part(action, ':', 2) AS issued_by_call,
            access_key AS parent_key,
            actor AS parent_actor,
            json_extract_string(attrs, '$.issued_to') AS issued_to,
            json_extract_string(attrs, '$.issued_key_expiration') AS expiration,
            src_ip,
            json_extract_string(attrs, '$.recipient_account') AS account,
            event_id,
            evidence_id
     FROM events
     WHERE source = 'cloudtrail'
       AND action IN ('sts.amazonaws.com:AssumeRole', 'sts.amazonaws.com:AssumeRoleWithSAML', 'sts.amazonaws.com:AssumeRoleWithWebIdentity',
                      'sts.amazonaws.com:AssumeRoot', 'sts.amazonaws.com:GetSessionToken', 'sts.amazonaws.com:GetFederationToken',
                      'iam.amazonaws.com:CreateAccessKey')
       AND json_extract_string(attrs, '$.issued_access_key') IS NOT NULL`,
  // Analyst annotations (the TUI's only write): marks and notes on events, append-only.
  `CREATE SEQUENCE IF NOT EXISTS annotation_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS annotations (
     annotation_id INTEGER PRIMARY KEY,
     event_id BIGINT NOT NULL,
     kind VARCHAR NOT NULL,
     text VARCHAR,
     author VARCHAR NOT NULL,
     created_at TIMESTAMP NOT NULL
   )`,
  // dwell watch (docs/watch.md): the byte ranges read from followed (growing) files, each with the
  // SHA-256 of its bytes, so verify proves every event of a file that kept growing after it was read.
  `CREATE TABLE IF NOT EXISTS evidence_extents (
     evidence_id INTEGER NOT NULL,
     extent_no INTEGER NOT NULL,
     start_offset BIGINT NOT NULL,
     end_offset BIGINT NOT NULL,
     sha256 VARCHAR NOT NULL,
     first_line BIGINT NOT NULL,
     lines BIGINT NOT NULL,
     first_seq BIGINT NOT NULL,
     events BIGINT NOT NULL,
     run_id INTEGER NOT NULL,
     read_at TIMESTAMP NOT NULL,
     rules_matched BOOLEAN NOT NULL DEFAULT false
   )`,
  // What dwell watch looks for: entries from a findings run or added by an analyst; removal is a
  // mark with its author and time, never a delete (the list's history is part of the case).
  `CREATE SEQUENCE IF NOT EXISTS watch_entry_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS watchlist (
     entry_id INTEGER PRIMARY KEY,
     kind VARCHAR NOT NULL,
     value VARCHAR NOT NULL,
     host VARCHAR,
     severity VARCHAR NOT NULL,
     origin VARCHAR NOT NULL,
     findings_id INTEGER,
     reason VARCHAR,
     added_by VARCHAR NOT NULL,
     added_at TIMESTAMP NOT NULL,
     removed_by VARCHAR,
     removed_at TIMESTAMP
   )`,
  `CREATE TABLE IF NOT EXISTS alerts (
     alert_id BIGINT PRIMARY KEY,
     alerted_at TIMESTAMP NOT NULL,
     run_id INTEGER,
     event_id BIGINT NOT NULL,
     ts TIMESTAMP,
     severity VARCHAR NOT NULL,
     entry_id INTEGER,
     kind VARCHAR NOT NULL,
     value VARCHAR NOT NULL,
     matched VARCHAR NOT NULL,
     outcome VARCHAR,
     after_containment BOOLEAN,
     evidence_id INTEGER,
     line BIGINT,
     notified_at TIMESTAMP
   )`,
];

/** Evidence statuses: what happened to each file presented for ingest. */
export type EvidenceStatus =
  | 'ingested' // parsed; events (and possibly warnings) stored
  | 'partial' // read up to an error (e.g. truncated gzip); what was read is stored
  | 'unrecognized' // no parser claims it; recorded and hashed, no events
  | 'recorded' // recognized evidence that carries no events by design (e.g. CloudTrail digest)
  | 'skipped' // not read on purpose: a container dwell does not open (zip; recorded and hashed), or a pipe, socket, device, symlink loop or link out of the evidence (no hash)
  | 'duplicate' // same SHA-256 as evidence already in the case; no events added
  | 'failed'; // could not be read at all (missing, unreadable)
