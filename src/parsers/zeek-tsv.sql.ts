/**
 * The Zeek TSV parser (zeek-tsv.ts) as SQL, for the ingest fast path (src/ingest/fast/): DuckDB
 * reads the log's lines and this SELECT turns its conn.log records into the same `events` rows,
 * value for value, that the JS parser would stage (test/ingest/fast/zeek-equality.test.ts).
 *
 * Covered: connection logs (a layout isConnFields() calls conn, as the JS parser does) with Zeek's
 * default markers (`#separator \x09`, `#set_separator ,`, `#empty_field (empty)`,
 * `#unset_field -`), one header block at the top, `#open`/`#close` lines and comments anywhere,
 * and records the JS parser stores without a word: IPv4 addresses in canonical form, ports and
 * counters in range, a time in seconds after 1971, values of printable ASCII without `"` or `\`
 * (Zeek writes odd bytes as `\xNN`: those lines are the JS parser's), the proto Zeek writes
 * (tcp, udp, icmp, unknown_transport).
 *
 * Declined from the head (the reason goes to `fastDeclined`): other log types (dns, http, ssl…: their
 * vocabulary mapping is JS), other markers or separators, a plain header line without `#fields`,
 * `-O time-base`, a layout whose attrs keys could collide with keys the JS parser adds. Declined by
 * the statement (`error()`, the file then goes to JS): any record outside the above, IPv6, a
 * relative (1970) time, a second header block (concatenated logs change the layout mid-file), a
 * `community_id` that differs from ours (the JS parser warns).
 */
import { type ColumnExprs, insertEventsSelect, ipv4Number, LINE_EVENT_ID, lineProvenance, NOT_FOR_SQL } from './lines-insert-sql.js';
import { PLAUSIBLE_FROM_US } from '../ingest/event-sanity.js';
import { COUNTER, PORT, PROTOCOL, PROTOCOL_NAMES } from './netflow/sql-patterns.js';
import { canonicalIp, isIp } from '../core/ip.js';
import { compile, DIRECTIVES, type Layout, type ValueKind } from './zeek-tsv.js';

export interface ZeekFastPlan {
  layout: Layout;
  /** Line number of the first record: every `#` line after it must leave the layout as it is. */
  firstRecordLine: number;
}

/** Keys the JS parser or the ingest gate may add to attrs after the extra columns: a column of that name would collide. */
const RESERVED_KEYS = new Set(['conn_state', 'source_community_id', 'ip_proto', 'time_quality_parsed', 'duration', 'relative_time', 'relative_ts', 'ts_unit', 'time_field', '__proto__']);
/** Roles the SQL computes; a conn layout with any other role (none today) is declined. */
const SQL_ROLES = new Set(['orig_h', 'orig_p', 'resp_h', 'resp_p', 'proto', 'ip_proto', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts', 'conn_state', 'community_id', 'host']);

/**
 * The plan for a file whose first lines are `headLines` (sniff head: CR removed), or the reason the
 * SQL path does not take it. Replays the JS handler's directive handling up to the first record.
 */
export function planZeekTsvFast(headLines: string[], extra: Record<string, string>): ZeekFastPlan | string {
  if (extra['time-base'] !== undefined) return 'given -O time-base (relative times are the JS parser\'s)';
  let names: string[] | null = null;
  let types: string[] | null = null;
  let layout: Layout | null = null;
  let sawSeparator = false;
  // The last head line may be cut by the head's size: only lines before it are trusted.
  for (let i = 0; i < headLines.length - 1; i++) {
    const t = headLines[i]!;
    if (t === '') continue;
    const c = t.charCodeAt(0);
    if (c === 9 || c === 32) return `line ${i + 1} starts with white space`;
    if (c !== 35) {
      if (!layout || !sawSeparator) return 'no #separator / #fields header before the first record';
      if (!layout.isConn) return 'not a conn log (only conn.log records have a SQL path)';
      if (layout.ts < 0 || layout.tsName !== 'ts') return 'no ts column';
      for (const r of Object.keys(layout.role)) if (!SQL_ROLES.has(r)) return `column role ${r} has no SQL`;
      const keys = new Set<string>();
      for (const [, key] of layout.extra) {
        if (keys.has(key) || RESERVED_KEYS.has(key) || key.endsWith('_as_written') || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return `column ${key} would not be stored as the JS parser stores it`;
        keys.add(key);
      }
      return { layout, firstRecordLine: i + 1 };
    }
    if (t.startsWith('#separator')) {
      if (t !== '#separator \\x09') return 'a separator other than \\x09';
      sawSeparator = true;
      continue;
    }
    const cut = t.indexOf('\t');
    const name = cut < 0 ? t : t.slice(0, cut);
    const value = cut < 0 ? '' : t.slice(cut + 1);
    if (!DIRECTIVES.includes(name)) {
      if (/^#(open|close)\s/.test(t) || !DIRECTIVES.some((d) => t.startsWith(d))) continue; // dated or a comment
      return `line ${i + 1}: a Zeek header line the JS parser warns about`;
    }
    if (name === '#set_separator' && value !== ',') return 'a set separator other than ","';
    if (name === '#empty_field' && value !== '(empty)') return 'an empty-field marker other than (empty)';
    if (name === '#unset_field' && value !== '-') return 'an unset-field marker other than -';
    if (name === '#fields') {
      names = value.split('\t');
      types = null;
      layout = compile(names, null);
    } else if (name === '#types') {
      types = value.split('\t');
      if (names) layout = compile(names, types.length === names.length ? types : null);
    }
  }
  return 'no record in the head';
}

const MAX_SECONDS = Date.UTC(2200, 0, 1) / 1000;
/** Before 1971 a Zeek time is relative (the JS parser marks and warns): not for the SQL path. */
const RELATIVE_LIMIT_US = 365 * 86400 * 1e6;
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;
/**
 * IPv6 as Zeek writes it: lower-case hex groups and colons, no embedded IPv4. That each one is an
 * address in its canonical form (RFC 5952, what the ingest gate would store) is checked in JS on
 * the distinct addresses after the insert (ingest/fast/fast-path.ts): any other declines the file.
 */
const IPV6_SHAPE = '[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}';
/** Text JSON.stringify writes as it is: printable ASCII and space, no `"` or `\` (and never TAB: the separator). */
const TEXT = '[ !#-\\[\\]-~]';
/** A set element: TEXT without the set separator. */
const ITEM = '[ !#-+\\--\\[\\]-~]';
/** JSON.stringify(Number(x)) is x itself only for integers written without leading zeros. */
const CANON_INT = '(0|[1-9][0-9]{0,14})';

function extraRe(kind: ValueKind): string {
  switch (kind) {
    case 'number':
      return `(-|${CANON_INT})`;
    case 'bool':
      return '(-|T|F)';
    case 'set':
      return `(-|\\(empty\\)|${ITEM}*(,${ITEM}*)*)`;
    case 'numset':
      return `(-|\\(empty\\)|${CANON_INT}(,${CANON_INT})*)`;
    default:
      return `${TEXT}*`;
  }
}

function extraJson(kind: ValueKind, v: string): string {
  switch (kind) {
    case 'number':
      return v;
    case 'bool':
      return `CASE WHEN ${v} = 'T' THEN 'true' ELSE 'false' END`;
    case 'set':
      return `CASE WHEN ${v} = '(empty)' THEN '[]' ELSE '["' || replace(${v}, ',', '","') || '"]' END`;
    case 'numset':
      return `CASE WHEN ${v} = '(empty)' THEN '[]' ELSE '[' || ${v} || ']' END`;
    default:
      return `'"' || CASE WHEN ${v} = '(empty)' THEN '' ELSE ${v} END || '"'`;
  }
}

/**
 * `INSERT INTO events …` reading the lines table `lines` (line, text, end_offset, skipped: see
 * ingest/fast/read-lines.ts, with `#` lines counted as skipped). Parameters: $eid (evidence id),
 * $until (latest plausible time, µs). `newline` is 1 (LF) or 2 (CRLF).
 */
export function zeekTsvInsertSql(plan: ZeekFastPlan, lines: string, newline: 1 | 2): string {
  const L = plan.layout;
  const roleOf = new Map<number, string>(Object.entries(L.role).map(([r, i]) => [i, r]));
  const extraKind = new Map<number, ValueKind>(L.extra.map(([i, , k]) => [i, k]));
  const roleRe = (role: string): string => {
    switch (role) {
      case 'orig_h':
      case 'resp_h':
        return `(-|${IPV4}|${IPV6_SHAPE})`;
      case 'orig_p':
      case 'resp_p':
        return `(-|${PORT})`;
      case 'orig_bytes':
      case 'resp_bytes':
      case 'orig_pkts':
      case 'resp_pkts':
        return `(-|${COUNTER})`;
      case 'proto':
        return '(-|tcp|udp|icmp|unknown_transport)';
      case 'ip_proto':
        return `(-|${PROTOCOL})`;
      case 'duration':
        return '(-|[0-9]{1,9}(\\.[0-9]*)?)';
      case 'conn_state':
        return `(-|[A-Za-z0-9_]+)`;
      case 'community_id':
        return `(-|[A-Za-z0-9+/=:]+)`;
      case 'host':
        // Starts with a letter, no `:`: never an address the ingest gate would rewrite.
        return `(-|[A-Za-z][ !#-9;-\\[\\]-~]*)`;
      default:
        throw new Error(`zeekTsvInsertSql: role ${role}`);
    }
  };
  const fieldRe = L.names.map((_, i) => (i === L.ts ? '[0-9]{1,11}(\\.[0-9]*)?' : roleOf.has(i) ? roleRe(roleOf.get(i)!) : extraRe(extraKind.get(i)!)));
  const col = (role: string) => (L.role[role] === undefined ? null : `f[${L.role[role]! + 1}]`);
  const dashNull = (role: string, cast = '') => {
    const c = col(role);
    if (c === null) return cast ? `NULL::${cast}` : 'NULL::VARCHAR';
    return cast ? `TRY_CAST(nullif(${c}, '-') AS ${cast})` : `nullif(${c}, '-')`;
  };
  const micros = (v: string) => `(split_part(${v}, '.', 1)::BIGINT * 1000000 + rpad(left(split_part(${v}, '.', 2), 6), 6, '0')::BIGINT)`;
  const tsText = `f[${L.ts + 1}]`;
  const dur = col('duration');

  // attrs in the JS order: extra columns in column order (unset left out), ip_proto, conn_state,
  // source_community_id, then the gate's time_quality_parsed.
  const attrParts = L.extra.map(([i, key, kind]) => `CASE WHEN f[${i + 1}] = '-' THEN NULL ELSE '"${key}":' || ${extraJson(kind, `f[${i + 1}]`)} END`);
  attrParts.push(`'"ip_proto":' || ip_proto`);
  attrParts.push(`'"conn_state":"' || conn_state || '"'`);
  attrParts.push(`'"source_community_id":"' || source_cid || '"'`);
  attrParts.push(`CASE WHEN implausible THEN '"time_quality_parsed":"exact"' END`);

  const endpoint = (ip: string, port: string) => `CASE WHEN contains(${ip}, ':') AND ${port} IS NOT NULL THEN '[' || ${ip} || ']' ELSE coalesce(${ip}, '?') END, ':' || ${port}`;
  const summary = `concat(coalesce(conn_state, 'conn'), ' ', coalesce(protocol, '?'), ' ', ${endpoint('src_ip', 'src_port')}, ' -> ', ${endpoint('dst_ip', 'dst_port')}, ' ' || bytes_out || ' B out', ' ' || bytes_in || ' B in')`;

  // Community ID v1 (netflow/community-id.ts) of an IPv4 flow, as in vpc-flow.sql.ts: 16 input
  // bytes as one 128-bit integer written big-endian by the BIT → BLOB cast; protocols without
  // ports hash the first 12. ICMP hashes (type, counterpart type), or (type, code) one-way.
  const cidInput = `(((CASE WHEN ordered THEN src_n ELSE dst_n END)::UHUGEINT << 80)
           | ((CASE WHEN ordered THEN dst_n ELSE src_n END)::UHUGEINT << 48)
           | (proto_num::UHUGEINT << 40)
           | CASE WHEN has_ports
                  THEN ((CASE WHEN ordered THEN cid_sp ELSE cid_dp END)::UHUGEINT << 16) | (CASE WHEN ordered THEN cid_dp ELSE cid_sp END)::UHUGEINT
                  ELSE 0::UHUGEINT END)::BIT::BLOB`;
  // IPv6: seed, the two 16-byte addresses (unhex of the expanded groups), proto, 0 and the ports.
  // (Each shift in parentheses: DuckDB gives `<<` and `|` the same precedence, left to right.)
  const tail6 = `(((proto_num::UBIGINT << 40) | ((CASE WHEN ordered THEN cid_sp ELSE cid_dp END)::UBIGINT << 16) | (CASE WHEN ordered THEN cid_dp ELSE cid_sp END)::UBIGINT)::BIT::BLOB)`;
  const cidInput6 = `('\\x00\\x00'::BLOB || CASE WHEN ordered THEN src_b ELSE dst_b END || CASE WHEN ordered THEN dst_b ELSE src_b END || CASE WHEN has_ports THEN ${tail6}[3:8] ELSE ${tail6}[3:4] END)`;
  const cid = `CASE WHEN NOT cid_ok THEN NULL
       WHEN v6 THEN '1:' || to_base64(unhex(sha1(${cidInput6})))
       WHEN has_ports THEN '1:' || to_base64(unhex(sha1(${cidInput})))
       ELSE '1:' || to_base64(unhex(sha1((${cidInput})[1:12])))
  END`;
  /** The 16 bytes of an IPv6 address written as hex groups with at most one `::`. */
  const v6Bytes = (ip: string) => {
    const groups = (part: string) => `CASE WHEN ${part} = '' THEN []::VARCHAR[] ELSE string_split(${part}, ':') END`;
    const left = groups(`string_split(${ip}, '::')[1]`);
    const right = groups(`coalesce(string_split(${ip}, '::')[2], '')`);
    return `unhex(array_to_string(list_transform(CASE WHEN contains(${ip}, '::')
        THEN list_concat(${left}, list_transform(range(8 - len(${left}) - len(${right})), x -> '0'), ${right})
        ELSE string_split(${ip}, ':') END, g -> lpad(g, 4, '0')), ''))`;
  };
  const fail = NOT_FOR_SQL;

  const columns: ColumnExprs = [
    ['event_id', LINE_EVENT_ID],
    ['ts', `CASE WHEN ts_us BETWEEN ${RELATIVE_LIMIT_US} AND ${MAX_SECONDS * 1e6 + 999999} AND split_part(${tsText}, '.', 1)::BIGINT <= ${MAX_SECONDS} THEN make_timestamp(ts_us) ELSE ${fail} END`],
    ['ts_end', 'make_timestamp(ts_us + dur_us)'],
    ['time_quality', `CASE WHEN implausible THEN 'implausible' ELSE 'exact' END`],
    ['source', `'zeek'`],
    ['class', `'network_activity'`],
    ['action', `'flow'`],
    ['outcome', `CASE WHEN conn_state IN ('SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR') THEN 'success' WHEN conn_state = 'REJ' THEN 'failure' WHEN conn_state = 'S0' AND proto_num IS NOT DISTINCT FROM 6 THEN 'failure' ELSE 'unknown' END`],
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
    ['bytes_in', 'bytes_in'],
    ['bytes_out', 'bytes_out'],
    ['packets_in', 'packets_in'],
    ['packets_out', 'packets_out'],
    ['rows', 'NULL'],
    ['command', 'NULL'],
    ['community_id', `CASE WHEN source_cid IS NOT NULL AND computed_cid IS NOT NULL AND source_cid <> computed_cid THEN ${fail} ELSE computed_cid END`],
    ['user_agent', 'NULL'],
    ['summary', `CASE WHEN strlen(summary) <= 1000 THEN summary ELSE ${fail} END`],
    ['attrs', `CASE WHEN attrs_text = '' THEN NULL ELSE ('{' || attrs_text || '}')::JSON END`],
    ...lineProvenance(newline),
  ];

  return `${insertEventsSelect(columns, 'zeekTsvInsertSql')}
FROM (
  SELECT *,
    ${summary} AS summary,
    concat_ws(',', ${attrParts.join(', ')}) AS attrs_text,
    ${cid} AS computed_cid
  FROM (
    SELECT *,
      CASE WHEN v6 THEN one_way OR src_b < dst_b OR (src_b = dst_b AND has_ports AND cid_sp < cid_dp)
           ELSE one_way OR src_n < dst_n OR (src_n = dst_n AND has_ports AND cid_sp < cid_dp) END AS ordered
    FROM (
      SELECT *,
        CASE WHEN proto_num IS NOT NULL THEN ${PROTOCOL_NAMES}[proto_num + 1] ELSE proto END AS protocol,
        ts_us < ${PLAUSIBLE_FROM_US} OR ts_us > $until AS implausible,
        CASE WHEN v6 THEN NULL ELSE ${ipv4Number('src_ip')} END AS src_n, CASE WHEN v6 THEN NULL ELSE ${ipv4Number('dst_ip')} END AS dst_n,
        CASE WHEN v6 THEN ${v6Bytes('src_ip')} END AS src_b, CASE WHEN v6 THEN ${v6Bytes('dst_ip')} END AS dst_b,
        proto_num IN (6, 17, 132, 1, 58) AS has_ports,
        proto_num IN (1, 58) AND icmp_pair IS NULL AS one_way,
        src_port AS cid_sp,
        CASE WHEN proto_num IN (1, 58) THEN coalesce(icmp_pair, dst_port) ELSE dst_port END AS cid_dp,
        coalesce(src_ip IS NOT NULL AND dst_ip IS NOT NULL AND proto_num IS NOT NULL AND CASE
          WHEN proto_num IN (6, 17, 132) THEN src_port IS NOT NULL AND dst_port IS NOT NULL
          WHEN proto_num IN (1, 58) THEN src_port <= 255 AND (icmp_pair IS NOT NULL OR dst_port <= 255)
          ELSE true END, false) AS cid_ok
      FROM (
        SELECT *,
          CASE proto_num WHEN 1 THEN
            CASE src_port WHEN 8 THEN 0 WHEN 0 THEN 8 WHEN 13 THEN 14 WHEN 14 THEN 13 WHEN 15 THEN 16 WHEN 16 THEN 15
                          WHEN 10 THEN 9 WHEN 9 THEN 10 WHEN 17 THEN 18 WHEN 18 THEN 17 END
          WHEN 58 THEN
            CASE src_port WHEN 128 THEN 129 WHEN 129 THEN 128 WHEN 133 THEN 134 WHEN 134 THEN 133 WHEN 135 THEN 136 WHEN 136 THEN 135
                          WHEN 130 THEN 131 WHEN 131 THEN 130 WHEN 139 THEN 140 WHEN 140 THEN 139 WHEN 144 THEN 145 WHEN 145 THEN 144 END END AS icmp_pair
        FROM (
        SELECT *,
          -- ICMP between IPv6 addresses is ICMPv6 (normalizeProtocol looks at the source address).
          CASE WHEN proto IS NULL THEN ip_proto WHEN proto = 'tcp' THEN 6 WHEN proto = 'udp' THEN 17
               WHEN proto = 'icmp' THEN CASE WHEN coalesce(contains(src_ip, ':'), false) THEN 58 ELSE 1 END ELSE ip_proto END AS proto_num,
          CASE WHEN coalesce(contains(src_ip, ':'), false) OR coalesce(contains(dst_ip, ':'), false) THEN
            CASE WHEN src_ip IS NOT NULL AND dst_ip IS NOT NULL AND contains(src_ip, ':') <> contains(dst_ip, ':') THEN ${fail} ELSE true END
            ELSE false END AS v6
        FROM (
          SELECT line, text, end_offset, skipped, f,
            ${dashNull('orig_h')} AS src_ip, ${dashNull('resp_h')} AS dst_ip,
            ${dashNull('orig_p', 'INTEGER')} AS src_port, ${dashNull('resp_p', 'INTEGER')} AS dst_port,
            ${dashNull('proto')} AS proto, ${dashNull('ip_proto', 'INTEGER')} AS ip_proto,
            ${dashNull('orig_bytes', 'BIGINT')} AS bytes_out, ${dashNull('resp_bytes', 'BIGINT')} AS bytes_in,
            ${dashNull('orig_pkts', 'BIGINT')} AS packets_out, ${dashNull('resp_pkts', 'BIGINT')} AS packets_in,
            ${dashNull('conn_state')} AS conn_state, ${dashNull('community_id')} AS source_cid, ${dashNull('host')} AS host,
            ${micros(tsText)} AS ts_us,
            ${dur === null ? 'NULL::BIGINT' : `CASE WHEN ${dur} = '-' THEN NULL ELSE ${micros(dur)} END`} AS dur_us
          FROM (SELECT line, text, end_offset, skipped, string_split(text, chr(9)) AS f FROM ${lines}
                WHERE text IS NOT NULL AND NOT starts_with(text, '#'))
          WHERE CASE WHEN strlen(text) <= 4000 AND regexp_full_match(text, '${fieldRe.join('\\t')}') THEN true ELSE ${fail} END
        )
        )
      )
    )
  )
)`;
}

/**
 * How many lines the JS parser counts as Zeek headers (`info.zeek_headers`), and how many `#` lines
 * after the head's header block could change what it does — a second #fields/#types/#path…, a
 * malformed directive: the caller declines the file when there is any.
 */
export function zeekTsvHeaderSql(plan: ZeekFastPlan, lines: string): string {
  const list = `[${DIRECTIVES.map((d) => `'${d}'`).join(', ')}]`;
  const prefixes = DIRECTIVES.map((d) => `starts_with(text, '${d}')`).join(' OR ');
  return `SELECT count(*) FILTER (WHERE starts_with(text, '#separator') OR list_contains(${list}, split_part(text, chr(9), 1)))::BIGINT AS headers,
    count(*) FILTER (WHERE line > ${plan.firstRecordLine} AND (${prefixes}) AND NOT regexp_full_match(text, '#(open|close)([\\t ].*)?'))::BIGINT AS later
  FROM ${lines} WHERE starts_with(text, '#')`;
}

/** The distinct IPv6-shaped addresses the insert stored for evidence $eid. */
export const ZEEK_V6_ADDRESSES_SQL = `SELECT DISTINCT ip FROM (
    SELECT src_ip AS ip FROM events WHERE evidence_id = $eid AND contains(src_ip, ':')
    UNION ALL SELECT dst_ip FROM events WHERE evidence_id = $eid AND contains(dst_ip, ':'))`;

/**
 * The first of `addresses` the JS parser and the ingest gate would not store as written (not an
 * address, or not in its canonical form: the gate rewrites it and keeps `*_as_written`), or null.
 */
export function nonCanonicalAddress(addresses: string[]): string | null {
  for (const a of addresses) if (!isIp(a) || canonicalIp(a) !== a) return a;
  return null;
}
