/**
 * The VPC flow log parser (vpc-flow.ts) as SQL, for the ingest fast path (src/ingest/fast/): DuckDB
 * reads the file's lines itself and this SELECT turns them into the same `events` rows, value for
 * value, that the JS parser would stage.
 *
 * It covers the lines the JS parser stores without a word: every field well-formed (IPv4 addresses
 * in their canonical form, ports 0–65535, counters of at most 15 digits, start and end in seconds
 * after 1971, end at most a day after start, printable ASCII without quotes or backslashes). Any
 * other line — one the JS parser would warn about, keep partly in attrs, tally, or canonicalize —
 * makes the statement fail (`error()`), and the file is read by the JS parser instead. So the SQL
 * never has to reproduce a warning, and equality is a matter of the common case only
 * (test/ingest/fast/vpc-equality.test.ts compares every column on the corpus and generated files).
 *
 * The layout is decided from the head like the JS handler decides it: the first non-blank line is
 * a header (its fields, in its order) or a record of a header-less default layout. Lines equal to
 * the header are meta lines; a different header later in the file sends the file to JS.
 */
import { type ColumnExprs, insertEventsSelect, ipv4Number, LINE_EVENT_ID, lineProvenance, NOT_FOR_SQL } from './lines-insert-sql.js';
import { PLAUSIBLE_FROM_US } from '../ingest/event-sanity.js';
import { COUNTER, PORT, PROTOCOL, PROTOCOL_NAMES } from './netflow/sql-patterns.js';
import { HEADERLESS_LAYOUTS, NUMERIC_ATTR_FIELDS, TGW_FIELDS } from './netflow/vpc-fields.js';
import { isCloudWatchStamp, isHeader, s3Layout, STORED_AS_COLUMNS, TGW_ORIGIN } from './vpc-flow.js';

export interface VpcFastPlan {
  /** Field names in column order. */
  fields: string[];
  /** The header line's exact text (lines equal to it are meta lines); null for a header-less file. */
  header: string | null;
  /** Header-less Transit Gateway layout: the JS parser takes it only when the 4th field starts with `tgw-`. */
  tgw: boolean;
  /** The evidence row's `info` as the JS parser sets it (same keys, same order). */
  info: Record<string, unknown>;
}

/**
 * The plan for a file whose first lines are `headLines` (from the sniff head: BOM and CR removed),
 * or the reason the SQL path does not take it.
 */
export function planVpcFast(path: string, headLines: string[], extra: Record<string, string>): VpcFastPlan | string {
  if (extra['vpc-fields']) return 'format given with -O vpc-fields';
  const info: Record<string, unknown> = {};
  const s3 = s3Layout(path);
  if (s3) info.s3_layout = s3;
  const at = headLines.findIndex((l) => l !== '');
  if (at < 0) return 'no flow record in the head';
  const first = headLines[at]!;
  if (!/^[!-~]+( [!-~]+)*$/.test(first)) return 'first line is not single-spaced printable ASCII';
  const tokens = first.split(' ');
  if (isCloudWatchStamp(tokens[0]!)) return 'CloudWatch Logs export (ingestion time before each record)';
  const c0 = first.charCodeAt(0);
  if (c0 >= 97 && c0 <= 122 && isHeader(tokens)) {
    if (new Set(tokens).size !== tokens.length) return 'header names a field twice';
    info.vpc_format = { origin: `header at line ${at + 1}`, fields: tokens };
    return { fields: tokens, header: first, tgw: false, info };
  }
  if (tokens.length === TGW_FIELDS.length && tokens[3]!.startsWith('tgw-')) {
    info.vpc_format = { origin: TGW_ORIGIN };
    return { fields: TGW_FIELDS, header: null, tgw: true, info };
  }
  const layout = HEADERLESS_LAYOUTS.get(tokens.length);
  if (!layout) return `${tokens.length} fields match no header-less layout`;
  info.vpc_format = { origin: `no header: ${layout.name}` };
  return { fields: layout.fields, header: null, tgw: false, info };
}

/** 2200-01-01 in seconds: later epoch values are out of range for the JS reader (netflow/values.ts). */
const MAX_SECONDS = Date.UTC(2200, 0, 1) / 1000;
/** Before 1971 a flow time is relative (the JS parser tallies it): not for the SQL path. */
const MIN_SECONDS = 365 * 86400;
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;
/** A field of printable ASCII without `"` and `\`: values go into attrs JSON between quotes as they are. */
const FIELD_TEXT = '[!#-\\[\\]-~]+';
/**
 * The fields a host is taken from, first present wins (as vpc-flow.ts). Each must start with a
 * letter and hold no `:` — a value that could be an address would be canonicalized by the ingest
 * gate. Stricter than the JS path needs (only the chosen one matters); AWS ids always pass.
 */
const HOST_FIELDS = ['instance-id', 'interface-id', 'ecs-container-instance-id', 'tgw-attachment-id', 'tgw-id'];
const HOST_TEXT = '[A-Za-z][!#-9;-\\[\\]-~]*';
/**
 * Numbers in decimal, leading zeros allowed (the JS parser reads `080` as 80, and so does the SQL:
 * summary and attrs write the cast value): ports, protocols and counters as netflow/sql-patterns.ts;
 * times of up to 11 digits.
 */
const SECONDS = '[0-9]{1,11}';

/**
 * `INSERT INTO events …` reading the lines table `lines` (line, text, end_offset, skipped: see
 * ingest/fast/read-lines.ts). Parameters: $eid (evidence id), $until (latest plausible time, µs).
 * `newline` is 1 (LF) or 2 (CRLF): the bytes after each line's text.
 */
export function vpcInsertSql(plan: VpcFastPlan, lines: string, newline: 1 | 2): string {
  const F = plan.fields;
  const idx = (name: string) => F.indexOf(name);
  const tok = (name: string) => (idx(name) >= 0 ? `f[${idx(name) + 1}]` : 'NULL');
  const dashNull = (name: string) => (idx(name) >= 0 ? `nullif(${tok(name)}, '-')` : 'NULL::VARCHAR');
  // One regular expression per line checks its shape (field count, single spaces, each field's
  // characters and the ranges of ports and protocol): one RE2 pass is cheaper than a match or a
  // cast per field. The times' ranges are checked on the numbers, once they are cast.
  const fieldRe = (name: string): string => {
    if (name === 'srcaddr' || name === 'dstaddr') return `(-|${IPV4})`;
    if (name === 'srcport' || name === 'dstport') return `(-|${PORT})`;
    if (name === 'packets' || name === 'bytes' || NUMERIC_ATTR_FIELDS.has(name)) return `(-|${COUNTER})`;
    if (name === 'protocol') return `(-|${PROTOCOL})`;
    if (name === 'start' || name === 'end') return SECONDS;
    if (HOST_FIELDS.includes(name)) return `(-|${HOST_TEXT})`;
    return FIELD_TEXT;
  };
  if (idx('start') < 0 || idx('end') < 0) throw new Error('the SQL path needs start and end fields');
  // No check for a line that looks like a header (lowercase names): start and end must be digits.
  const checks: string[] = [
    `strlen(text) <= 4000`,
    `regexp_full_match(text, '${F.map(fieldRe).join(' ')}')`,
    `NOT (strlen(f[1]) >= 20 AND substr(f[1], 5, 1) = '-' AND substr(f[1], 8, 1) = '-' AND substr(f[1], 11, 1) = 'T' AND right(f[1], 1) = 'Z')`,
  ];
  if (plan.tgw) checks.push(`starts_with(f[4], 'tgw-')`);
  // Checked where the times are used (the ts column), on the values cast once.
  const timeChecks = [
    `ts_us BETWEEN ${MIN_SECONDS * 1e6} AND ${MAX_SECONDS * 1e6}`,
    `te_us BETWEEN ${MIN_SECONDS * 1e6} AND ${MAX_SECONDS * 1e6}`,
    `te_us - ts_us BETWEEN 0 AND ${86400 * 1e6}`,
  ].join(' AND ');
  const extras = F.map((name, i) => [name, i] as const).filter(([name]) => !STORED_AS_COLUMNS.has(name));

  // attrs: the other fields in field order, '-' left out, counters as numbers (JSON.stringify's form).
  const attrParts = extras.map(([name, i]) => {
    const v = `f[${i + 1}]`;
    const value = NUMERIC_ATTR_FIELDS.has(name) ? `CAST(TRY_CAST(${v} AS BIGINT) AS VARCHAR)` : `'"' || ${v} || '"'`;
    return `CASE WHEN ${v} = '-' THEN NULL ELSE '"${name.replace(/-/g, '_')}":' || ${value} END`;
  });
  const host = HOST_FIELDS.map(dashNull);
  const endpoint = (ip: string, port: string) => `coalesce(${ip}, '?'), ':' || ${port}`;
  // One concat() (NULL parts are left out) instead of a chain of ||: one string built, not twelve.
  const flowSummary = `concat(coalesce(action_text, 'flow'), ' ', coalesce(protocol, '?'), ' ', ${endpoint('src_ip', 'src_port')}, ' -> ', ${endpoint('dst_ip', 'dst_port')}, ' ' || bytes || ' B out')`;

  // Community ID v1 (netflow/community-id.ts) of an IPv4 flow: its 16 input bytes — seed 0 (2),
  // addresses (4 + 4), protocol, 0, ports (2 + 2) — are one 128-bit integer, written big-endian by
  // the BIT → BLOB cast; protocols without ports hash its first 12 bytes. Cheaper than hex text
  // through printf + unhex (bench/RESULTS.md, issue 14).
  // (Each shift in parentheses: DuckDB gives `<<` and `|` the same precedence, left to right.)
  const cidInput = `(((CASE WHEN ordered THEN src_n ELSE dst_n END)::UHUGEINT << 80)
           | ((CASE WHEN ordered THEN dst_n ELSE src_n END)::UHUGEINT << 48)
           | (proto_num::UHUGEINT << 40)
           | CASE WHEN proto_num IN (6, 17, 132)
                  THEN ((CASE WHEN ordered THEN src_port ELSE dst_port END)::UHUGEINT << 16) | (CASE WHEN ordered THEN dst_port ELSE src_port END)::UHUGEINT
                  ELSE 0::UHUGEINT END)::BIT::BLOB`;
  const columns: ColumnExprs = [
    ['event_id', LINE_EVENT_ID],
    ['ts', `CASE WHEN ${timeChecks} THEN make_timestamp(ts_us) ELSE ${NOT_FOR_SQL} END`],
    ['ts_end', 'make_timestamp(te_us)'],
    ['time_quality', `CASE WHEN implausible THEN 'implausible' ELSE 'exact' END`],
    ['source', `'vpc_flow'`],
    ['class', `'network_activity'`],
    ['action', 'action'],
    ['outcome', 'outcome'],
    ['host', 'host'],
    ['actor', 'NULL'],
    ['src_ip', 'src_ip'],
    ['src_port', 'src_port'],
    ['dst_ip', 'dst_ip'],
    ['dst_port', 'dst_port'],
    ['protocol', 'protocol'],
    ['session', 'NULL'],
    ['access_key', 'NULL'],
    ['target', 'NULL'],
    ['database', 'NULL'],
    ['bytes_in', 'NULL'],
    ['bytes_out', 'bytes'],
    ['packets_in', 'NULL'],
    ['packets_out', 'packets'],
    ['rows', 'NULL'],
    ['command', 'NULL'],
    ['community_id', `CASE WHEN proto_num IS NULL OR proto_num IN (1, 58) OR src_ip IS NULL OR dst_ip IS NULL THEN NULL
       WHEN proto_num IN (6, 17, 132) AND (src_port IS NULL OR dst_port IS NULL) THEN NULL
       WHEN proto_num IN (6, 17, 132) THEN '1:' || to_base64(unhex(sha1(${cidInput})))
       ELSE '1:' || to_base64(unhex(sha1((${cidInput})[1:12])))
  END`],
    ['user_agent', 'NULL'],
    ['summary', `CASE WHEN strlen(summary) <= 1000 THEN summary ELSE ${NOT_FOR_SQL} END`],
    ['attrs', `CASE WHEN attrs_text = '' THEN NULL ELSE ('{' || attrs_text || '}')::JSON END`],
    ...lineProvenance(newline),
  ];

  // Every column named (AS "name"): bench/vpc-sql-profile.mjs replaces some by NULL to cost them.
  return `${insertEventsSelect(columns, 'vpcInsertSql')}
FROM (
  SELECT *,
    CASE WHEN status = 'NODATA' OR status = 'SKIPDATA'
      THEN status || ': ' || CASE WHEN status = 'NODATA' THEN 'no traffic recorded' ELSE 'records skipped' END || ' on '
           || coalesce(host, 'the interface') || ' for this window' || CASE WHEN src_ip IS NULL THEN '' ELSE ' (' || ${flowSummary} || ')' END
      ELSE ${flowSummary} END AS summary,
    concat_ws(',', ${[...attrParts, `CASE WHEN implausible THEN '"time_quality_parsed":"exact"' END`].join(', ')}) AS attrs_text,
    src_n < dst_n OR (src_n = dst_n AND proto_num IN (6, 17, 132) AND src_port < dst_port) AS ordered
  FROM (
    SELECT *,
      CASE WHEN status = 'NODATA' THEN 'flow_log_nodata' WHEN status = 'SKIPDATA' THEN 'flow_log_skipdata' ELSE 'flow' END AS action,
      CASE action_text WHEN 'ACCEPT' THEN 'success' WHEN 'REJECT' THEN 'failure' ELSE 'unknown' END AS outcome,
      ${PROTOCOL_NAMES}[proto_num + 1] AS protocol,
      ts_us < ${PLAUSIBLE_FROM_US} OR ts_us > $until AS implausible,
      ${ipv4Number('src_ip')} AS src_n, ${ipv4Number('dst_ip')} AS dst_n
    FROM (
      SELECT line, text, end_offset, skipped, f,
        ${dashNull('srcaddr')} AS src_ip, ${dashNull('dstaddr')} AS dst_ip,
        TRY_CAST(${dashNull('srcport')} AS INTEGER) AS src_port, TRY_CAST(${dashNull('dstport')} AS INTEGER) AS dst_port,
        TRY_CAST(${dashNull('protocol')} AS INTEGER) AS proto_num,
        TRY_CAST(${dashNull('bytes')} AS BIGINT) AS bytes, TRY_CAST(${dashNull('packets')} AS BIGINT) AS packets,
        TRY_CAST(${tok('start')} AS BIGINT) * 1000000 AS ts_us, TRY_CAST(${tok('end')} AS BIGINT) * 1000000 AS te_us,
        ${idx('log-status') >= 0 ? tok('log-status') : `'OK'`} AS status,
        ${dashNull('action')} AS action_text,
        coalesce(${host.join(', ')}) AS host
      FROM (SELECT line, text, end_offset, skipped, string_split(text, ' ') AS f FROM ${lines}
            WHERE text IS NOT NULL${plan.header === null ? '' : ` AND text <> $header`})
      WHERE CASE WHEN ${checks.join('\n        AND ')} THEN true ELSE ${NOT_FOR_SQL} END
    )
  )
)`;
}
