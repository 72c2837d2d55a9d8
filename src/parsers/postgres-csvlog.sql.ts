/**
 * The PostgreSQL csvlog parser (postgres-csvlog.ts + dbquery/pg-record.ts) as SQL, for the ingest
 * fast path (src/ingest/fast/pg-csvlog.ts runs it): DuckDB reads the file's lines itself, finds the
 * records by quote parity as the JS handler does (a record ends on a line where the running number
 * of `"` is even), splits their fields, and these statements turn them into the same `events`
 * rows, value for value, that the JS parser would stage.
 *
 * Why lines and not `read_csv` with the csvlog's columns: every event keeps the record as written
 * (`raw`) with its first line, byte offset and length, which `read_csv` does not give; reading the
 * lines gives all three, and the fields are then one regular expression over the record. JS would
 * otherwise have to stage the record boundaries (≈ 1 µs per value through the appender).
 *
 * It covers the records the JS parser stores without a word and whose meaning does not depend on
 * state the SQL does not rebuild: any other record makes the statement fail (`error()` naming the
 * reason and the line) and the whole file is read by the JS parser. What is checked, per record:
 * - a well-formed CSV row of 14–26 fields (each quoted with `""` escapes, or bare without quotes),
 *   no header row, at most 1 MB, no control character but TAB and LF, no white space outside
 *   ASCII and no character outside the BMP (JS `\s`, `trim` and cuts in UTF-16 units then agree
 *   with RE2's and DuckDB's), log_time `YYYY-MM-DD HH:MM:SS[.f] ZONE` with a zone of fixed offset;
 * - a message whose meaning the SQL writes: statements (`statement:`, `execute`/`parse`/`bind`,
 *   with or without duration), connection received / authorized (plain) / disconnection,
 *   `duration:` alone, server start / ready / shutdown, incomplete startup packet, ERROR and any
 *   other message (db_error / db_log / db_warning). Declined: FATAL and PANIC (they close a
 *   session, refused logins), pgaudit, replication or encrypted logins, parameter changes,
 *   temporary files, `connection authenticated`;
 * - addresses as canonical IPv4 or `[local]` (the ingest gate rewrites any other), plain numbers
 *   for pid, line number and ports, durations as decimals of at most 15 digits (JSON numbers then
 *   print as written minus zeros);
 * - statements of at most 64 KiB without dollar quotes (the fingerprint is computed in SQL with the
 *   JS regular expressions; RE2 has no back-references) and without `password`/`identified` (the
 *   summary masks those in JS).
 * Session state (dbquery/session.ts): a record never relies on it — a field it lacks that an
 * earlier record of its session key stated declines the file (checked in one GROUP BY) — except
 * the dump flags, which JS computes once per statement shape and per full-read record
 * (src/ingest/fast/pg-csvlog.ts).
 */
import { PLAUSIBLE_FROM_US } from '../ingest/event-sanity.js';
import { quoteCount, splitCsv } from './dbquery/csv.js';
import { OFFSETS } from './dbquery/tz-abbrev.js';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface PgCsvlogFastPlan {
  /** Fields per record (23, 24 or 26 by PostgreSQL version; 14–26 read), from the first record: every record must have as many. */
  columns: number;
}

/**
 * The plan for a file whose first lines are `headLines` (sniff head), or why the SQL path does not
 * take it: no header row (the JS handler then maps columns by name), `-O` options, a first record
 * that is not a complete row of 14 to 26 columns (PostgreSQL writes 23, 24 or 26).
 */
export function planPgCsvlogFast(headLines: string[], extra: Record<string, string>): PgCsvlogFastPlan | string {
  if (Object.keys(extra).length > 0) return 'format options given with -O';
  const at = headLines.findIndex((l) => l !== '');
  if (at < 0) return 'no record in the head';
  if (/log_time|error_severity/i.test(headLines[at]!)) return 'a header row naming the columns';
  // The first record, its lines joined until the quotes pair (the head may cut it).
  let text = headLines[at]!;
  for (let i = at + 1; quoteCount(text) % 2 === 1 && i < headLines.length; i++) text += '\n' + headLines[i];
  const { fields, complete } = splitCsv(text);
  if (!complete || quoteCount(text) % 2 === 1) return 'the first record does not end in the head';
  // The JS handler reads any count from 14 (message) to 26 by position; more go to attrs.extra_fields.
  if (fields.length < 14 || fields.length > 26) return `${fields.length} columns (the SQL path reads 14 to 26)`;
  return { columns: fields.length };
}

/**
 * CREATE TEMP TABLE `table` (rec, c1 … cN): the csvlog's fields as DuckDB's CSV reader splits them
 * (strict: a quote left open, text after a closing quote or another field count fails the read),
 * numbered in file order. Blank lines between records are skipped, as the JS handler skips them.
 */
export function pgFieldsSql(table: string, path: string, compression: 'none' | 'gzip', columns: number, maxRecord: number): string {
  const file = `'${path.replace(/'/g, "''")}'`;
  const cols = Array.from({ length: columns }, (_, i) => `'c${i + 1}': 'VARCHAR'`).join(', ');
  return `CREATE TEMP TABLE ${table} AS
    SELECT row_number() OVER () AS rec, *
    FROM read_csv(${file}, columns = {${cols}}, delim = ',', quote = '"', escape = '"', header = false, auto_detect = false,
                  strict_mode = true, null_padding = false, compression = '${compression}', new_line = '\\n', max_line_size = ${Math.trunc(maxRecord)})`;
}

/** `u[i]` in the statements below is csvlog column i (1-based, PostgreSQL's order): a column of the fields table, or NULL past the file's last column. */
function withColumns(sql: string, columns: number): string {
  return sql.replace(/\bu\[(\d+)\]/g, (_, i: string) => (Number(i) <= columns ? `c${i}` : 'NULL::VARCHAR'));
}

/**
 * CREATE TEMP TABLE `table` (line, text, end_offset, qc, cq, nrec, rn) from the file's lines:
 * `qc` the line's quotes, `cq` the running count, `nrec` the records started up to this line (a
 * record starts on a non-blank line read outside quotes). `rn` numbers the outer level again, so
 * the caller can check that both levels kept the reader's order (`rn = line`).
 */
export function pgLinesSql(table: string, path: string, compression: 'none' | 'gzip', maxLine: number): string {
  const file = `'${path.replace(/'/g, "''")}'`;
  const frame = 'OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
  const quotes = `coalesce(strlen(l) - strlen(replace(l, '"', '')), 0)`;
  return `CREATE TEMP TABLE ${table} AS
    SELECT line, text, end_offset, qc, cq,
           sum(CASE WHEN text IS NOT NULL AND (cq - qc) % 2 = 0 THEN 1 ELSE 0 END) ${frame}::BIGINT AS nrec,
           row_number() OVER () AS rn
    FROM (
      -- Running sums are HUGEINT unless cast: BIGINT arithmetic downstream is cheaper.
      SELECT row_number() OVER () AS line, l AS text, sum(coalesce(strlen(l), 0) + 1) ${frame}::BIGINT AS end_offset,
             ${quotes}::BIGINT AS qc, sum(${quotes}) ${frame}::BIGINT AS cq
      FROM read_csv(${file}, columns = {'l': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false,
                    auto_detect = false, compression = '${compression}', new_line = '\\n', max_line_size = ${Math.trunc(maxLine)})
    )`;
}

// The JS parser's regular expressions (dbquery/pg-record.ts), in RE2 form (`\d` written [0-9]).
const STATEMENT = '^(?:duration: ([0-9.]+) ms\\s+)?(?:(statement)|(execute|parse|bind) (?:fetch from )?(\\S+?)):(?: |$)([\\s\\S]*)$';
const CONN_RECEIVED = '^connection received: host=(\\S+)(?: port=([0-9]+))?(?: user=(\\S+))?(?: database=(\\S+))?';
const CONN_AUTHORIZED = '^connection authorized: user=(\\S+)(?: database=(\\S+))?([\\s\\S]*)$';
const DISCONNECTION = '^disconnection: session time: ([0-9]+:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]+)?) user=(\\S*) database=(\\S*) host=(\\S+)(?: port=([0-9]+))?';
const DURATION_ONLY = '^duration: ([0-9.]+) ms\\s*$';
const SERVER_START = '^starting PostgreSQL (\\S+)';
/** sql/fingerprint.ts PG_LITERALS without the dollar-quote branch (such statements are declined). */
const PG_LITERALS = `("(?:[^"]|"")*(?:"|$))|[eE]'(?:[^'\\\\]|\\\\[\\s\\S]|'')*(?:'|$)|'(?:[^']|'')*(?:'|$)|/\\*[\\s\\S]*?(?:\\*/|$)|--[^\\n]*|\\b[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\\b`;
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;
/** JS `\s` and `trim` beyond ASCII, and characters outside the BMP (JS counts them as two). */
const UNICODE_SPACE_OR_ASTRAL = '[\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}\\x{10000}-\\x{10ffff}]';

/** Zone abbreviation → offset in minutes, as parseZonedTime reads it (the key, or the key in upper case). */
const zoneOffset = (zone: string) =>
  `CASE ${Object.entries(OFFSETS).map(([k, v]) => `WHEN ${zone} = ${q(k)}${k === k.toUpperCase() ? ` OR upper(${zone}) = ${q(k)}` : ''} THEN ${v}`).join(' ')} END`;

/**
 * statement.ts firstLine(): white space runs to one space, trimmed (`msg_line`, computed once per
 * record below), cut at `max` with an ellipsis. Plain expressions, not scalar subqueries: DuckDB
 * turns each of those into a join (measured: 5 of them were 80 % of the insert).
 */
const firstLine = (max: number) => `CASE WHEN length(msg_line) > ${max} THEN left(msg_line, ${max}) || '…' ELSE msg_line END`;
/** statement.ts oneLineSql() for text without passwords, from `sql_line` and `sql_long`. */
const ONE_LINE_SQL = `CASE WHEN length(sql_line) > 300 OR sql_long THEN left(sql_line, 300) || '…' ELSE sql_line END`;
const kv = (key: string, value: string) => `'"${key}":' || (${value})`;
const str = (v: string) => `to_json(${v})::VARCHAR`;
/** JSON.stringify(Number(d)) for a decimal of at most 15 digits: leading and trailing zeros go. */
const decimalNumber = (d: string) => `regexp_replace(regexp_replace(regexp_replace(${d}, '^0+([0-9])', '\\1'), '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '')`;
const clean = (v: string) => `nullif(nullif(${v}, ''), '[unknown]')`;

/**
 * CREATE TEMP TABLE `recs` from the lines table: one row per record with its place (seq, rline,
 * off, blen, raw), its fields and meaning, the statement (`command`) and its fingerprint id, and
 * the session values the checks and the insert need. Fails (error()) on any record not covered.
 */
export function pgRecordsSql(lines: string, fieldsTable: string, recs: string, columns: number): string {
  const fail = (what: string) => `error('line ' || rline || ': ' || ${q(what)})`;
  const U = (i: number) => `u[${i}]`;
  const F = (i: number) => `nullif(${U(i)}, '')`;
  const checks: [string, string][] = [
    ['fields that are not the record\'s text (a quote DuckDB and the JS splitter read differently)', `same_text`],
    ['a record over 1 MB', `strlen(raw) <= 1000000`],
    ['a control character', `NOT regexp_matches(raw, '[\\x00-\\x08\\x0b-\\x1f]')`],
    ['white space outside ASCII or a character outside the BMP', `(strlen(raw) = length(raw) OR NOT regexp_matches(raw, '${UNICODE_SPACE_OR_ASTRAL}'))`],
    ['log_time not YYYY-MM-DD HH:MM:SS[.f] and a fixed-offset zone', `ts_us IS NOT NULL`],
    ['a pid or session line number that is not a plain number', `coalesce(regexp_full_match(${U(4)}, '[0-9]{0,15}'), true) AND coalesce(regexp_full_match(${U(7)}, '[0-9]{0,15}'), true)`],
    ['a client that is not canonical IPv4 or [local]', `client_ok AND coalesce(cli_port <= 65535, true)`],
    ['a duration that is not a plain decimal', `dur IS NULL OR regexp_full_match(dur, '[0-9]{1,9}(\\.[0-9]{1,6})?')`],
    ['a login the SQL path does not read (encryption, application name [unknown])', `kind <> 'auth' OR auth_app_ok`],
    ['a statement over 64 KiB, with dollar quotes or a password', `command IS NULL OR (strlen(command) <= 65536 AND NOT regexp_matches(command, '\\$[A-Za-z_][A-Za-z0-9_]*\\$|\\$\\$|(?i:password|identified)'))`],
    ['a statement whose session the SQL path does not rebuild', `command IS NULL OR ((kind <> 'disc') AND (key IS NULL OR kind = 'recv' OR line_user IS NOT NULL OR line_db IS NOT NULL OR cli_ip IS NOT NULL OR cli_host IS NOT NULL))`],
  ];
  // Only what the insert reads is kept: the table is written once and read back (its width costs more than its expressions).
  const unused = [1, 2, 3, 5, 12, 14, 18, 20, 21, 23].filter((i) => i <= columns).map((i) => `c${i}`);
  return withColumns(`CREATE TEMP TABLE ${recs} AS
SELECT * EXCLUDE (${[...unused, 'st', 'msg', 'tms', 'mhost', 'mport', 'client_ok', 'auth_app_ok', 'same_text', 'nlines'].join(', ')}),
  CASE WHEN kind <> 'stmt' THEN msg END AS msg, st.isst AS st_isst, st.step AS st_step, st.name AS st_name,
  CASE WHEN kind = 'stmt' AND command IS NULL THEN st.stext END AS st_blank,
  CASE WHEN command IS NULL THEN NULL ELSE left(sha1(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            command, ${q(PG_LITERALS)}, '\\1', 'g'), '\\s+', ' ', 'g'), '\\((?: ?,)* ?\\)', '(,)', 'g'), '\\(,?\\)(?: ?, ?\\(,?\\))+', '(,)', 'g'), ' ')), 16) END AS fp_id
FROM (
  SELECT *
  FROM (
    SELECT *,
      CASE kind WHEN 'stmt' THEN CASE WHEN trim(st.stext, ' ' || chr(9) || chr(10)) <> '' THEN st.stext END
                WHEN 'disc' THEN ${F(20)} ELSE CASE WHEN trim(${F(20)}, ' ' || chr(9) || chr(10)) <> '' THEN ${F(20)} END END AS command
    FROM (
      SELECT *,
        coalesce(${clean(`CASE kind WHEN 'recv' THEN rc.usr WHEN 'auth' THEN au.usr WHEN 'disc' THEN ds.usr END`)}, ${clean(U(2))}) AS line_user,
        coalesce(${clean(`CASE kind WHEN 'recv' THEN rc.db WHEN 'auth' THEN au.db WHEN 'disc' THEN ds.db END`)}, ${clean(U(3))}) AS line_db,
        CASE WHEN kind IN ('recv', 'disc') THEN nullif(mhost, '[local]') WHEN ${U(5)} = '[local]' THEN NULL ELSE nullif(split_part(${U(5)}, ':', 1), '') END AS cli_ip,
        CASE WHEN kind IN ('recv', 'disc') THEN CASE WHEN mhost = '[local]' THEN mhost END WHEN ${U(5)} = '[local]' THEN '[local]' END AS cli_host,
        CASE WHEN kind IN ('recv', 'disc') THEN TRY_CAST(nullif(mport, '') AS BIGINT) WHEN ${U(5)} = '[local]' OR nullif(${U(5)}, '') IS NULL THEN NULL
             ELSE TRY_CAST(split_part(${U(5)}, ':', 2) AS BIGINT) END AS cli_port,
        CASE WHEN kind IN ('recv', 'disc') THEN mhost = '[local]' OR regexp_full_match(mhost, '${IPV4}') ELSE true END
          AND (nullif(${U(5)}, '') IS NULL OR ${U(5)} = '[local]' OR regexp_full_match(${U(5)}, '${IPV4}:[0-9]{1,5}')) AS client_ok,
        coalesce(${clean(U(23))}, CASE WHEN kind = 'auth' THEN ${clean('auth_app')} END) AS line_app,
        CASE kind WHEN 'stmt' THEN nullif(st.dur, '') WHEN 'dur' THEN regexp_extract(msg, '${DURATION_ONLY}', 1) END AS dur
      FROM (
        SELECT *,
          CASE kind WHEN 'recv' THEN rc.host WHEN 'disc' THEN ds.host END AS mhost,
          CASE kind WHEN 'recv' THEN rc.port WHEN 'disc' THEN ds.port END AS mport,
          CASE WHEN kind = 'auth' THEN CASE WHEN au.rest = '' THEN NULL WHEN starts_with(au.rest, ' application_name=') THEN substr(au.rest, 19) END END AS auth_app,
          kind = 'auth' AND (au.rest = '' OR (starts_with(au.rest, ' application_name=') AND NOT contains(au.rest, ' GSS ')
            AND NOT (ends_with(au.rest, ')') AND contains(au.rest, ' SSL enabled (')) AND substr(au.rest, 19) <> '[unknown]')) AS auth_app_ok
        FROM (
          SELECT *,
            CASE WHEN kind = 'recv' THEN regexp_extract(msg, '${CONN_RECEIVED}', ['host', 'port', 'usr', 'db']) END AS rc,
            CASE WHEN kind = 'auth' THEN regexp_extract(msg, '${CONN_AUTHORIZED}', ['usr', 'db', 'rest']) END AS au,
            CASE WHEN kind = 'disc' THEN regexp_extract(msg, '${DISCONNECTION}', ['stime', 'usr', 'db', 'host', 'port']) END AS ds
          FROM (
            SELECT *,
              CASE WHEN sev IN ('FATAL', 'PANIC') THEN ${fail('a FATAL or PANIC record (it closes its session; refused logins)')}
                   WHEN sev = 'ERROR' THEN 'error'
                   WHEN st.isst <> '' OR st.step <> '' THEN 'stmt'
                   WHEN regexp_matches(msg, '${CONN_RECEIVED}') THEN 'recv'
                   WHEN regexp_matches(msg, '^replication connection authorized: user=\\S') THEN ${fail('a replication login')}
                   WHEN regexp_matches(msg, '^connection authorized: user=\\S') THEN 'auth'
                   WHEN regexp_matches(msg, '^connection authenticated: identity="(?:[^"]|"")*" method=\\S') THEN ${fail('connection authenticated')}
                   WHEN regexp_matches(msg, '${DISCONNECTION}') THEN 'disc'
                   WHEN regexp_matches(msg, '${DURATION_ONLY}') THEN 'dur'
                   WHEN regexp_matches(msg, '^AUDIT: (SESSION|OBJECT),') THEN ${fail('a pgaudit record')}
                   WHEN regexp_matches(msg, '${SERVER_START}') THEN 'start'
                   WHEN starts_with(msg, 'database system is ready to accept') THEN 'ready'
                   WHEN regexp_matches(msg, '^received (smart|fast|immediate) shutdown request') THEN 'shutreq'
                   WHEN msg = 'database system is shut down' THEN 'stop'
                   WHEN regexp_matches(msg, '(?s)^parameter "[^"]+" changed to ".*"$') THEN ${fail('a parameter change')}
                   WHEN msg = 'incomplete startup packet' THEN 'probe'
                   WHEN regexp_matches(msg, '^temporary file: path "[^"]*", size [0-9]') THEN ${fail('a temporary file record')}
                   ELSE 'log' END AS kind
            FROM (
              SELECT *,
                CASE WHEN sev NOT IN ('ERROR', 'FATAL', 'PANIC') THEN regexp_extract(msg, '${STATEMENT}', ['dur', 'isst', 'step', 'name', 'stext']) END AS st
              FROM (
                SELECT *,
                  coalesce(${F(12)}, 'LOG') AS sev, coalesce(${U(14)}, '') AS msg,
                  coalesce(${clean(U(6))}, ${clean(U(4))}) AS key,
                  CASE WHEN tms.t <> '' AND strftime(TRY_CAST(tms.t AS TIMESTAMP), '%Y-%m-%d %H:%M:%S') = tms.t AND ${zoneOffset('tms.z')} IS NOT NULL
                       THEN epoch_us(TRY_CAST(tms.t AS TIMESTAMP)) + CAST(left(rpad(tms.f, 6, '0'), 6) AS BIGINT) - ${zoneOffset('tms.z')}::BIGINT * 60000000 END AS ts_us
                FROM (
                  SELECT *,
                    regexp_extract(${U(1)}, '^([1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})(?:\\.([0-9]{1,9}))? ([A-Za-z]{1,6})$', ['t', 'f', 'z']) AS tms
                  FROM (
                    SELECT r.*, f.* EXCLUDE (rec),
                      replace(raw, '"', '') = concat(${Array.from({ length: columns }, (_, i) => `replace(coalesce(c${i + 1}, ''), '"', '')`).join(", ',', ")}) AS same_text
                    FROM (
                        SELECT nrec - 1 AS seq, line AS rline, 1 AS nlines, text AS raw, end_offset - strlen(text) - 1 AS off, strlen(text) AS blen
                        FROM ${lines} WHERE text IS NOT NULL AND (cq - qc) % 2 = 0 AND cq % 2 = 0
                        UNION ALL
                        SELECT nrec - 1, min(line), count(*), string_agg(coalesce(text, ''), chr(10) ORDER BY line),
                               min(end_offset - coalesce(strlen(text), 0) - 1), max(end_offset) - 1 - min(end_offset - coalesce(strlen(text), 0) - 1)
                        FROM ${lines} WHERE (cq - qc) % 2 = 1 OR (text IS NOT NULL AND cq % 2 = 1)
                        GROUP BY nrec) r
                    JOIN ${fieldsTable} f ON f.rec = r.seq + 1
                  )
                )
              )
            )
          )
        )
      )
    )
  )
  -- Each check by name, so a declined file says why; NULL counts as failed.
  WHERE CASE ${checks.map(([why, c]) => `WHEN (${c}) IS NOT TRUE THEN ${fail(why)}`).join('\n    ')} ELSE true END
)`, columns);
}

/**
 * `INSERT INTO events …` from the records table, the statement shapes table `fps` (fp_id, target,
 * j00, j10, j01, j11: attrs.sql without / with dump_client / dump_sequence / both) and the records
 * flagged dump_sequence (`dumpseq`: seq). Parameters: $eid, $until (latest plausible time, µs).
 */
export function pgInsertSql(recs: string, fps: string, dumpseq: string, columns: number): string {
  const FIELD = (i: number) => `nullif(u[${i}], '')`;
  const CLEAN = (i: number) => clean(`u[${i}]`);
  const attrs = [
    `CASE WHEN sev <> 'LOG' THEN ${kv('severity', str('sev'))} END`,
    `CASE WHEN ${FIELD(4)} IS NOT NULL THEN ${kv('pid', `CAST(CAST(u[4] AS BIGINT) AS VARCHAR)`)} END`,
    `CASE WHEN ${FIELD(6)} IS NOT NULL AND ${FIELD(6)} IS DISTINCT FROM key THEN ${kv('session_id', str('u[6]'))} END`,
    `CASE WHEN ${FIELD(7)} IS NOT NULL THEN ${kv('line_num', `CAST(CAST(u[7] AS BIGINT) AS VARCHAR)`)} END`,
    `CASE WHEN ${CLEAN(13)} IS NOT NULL AND u[13] <> '00000' THEN ${kv('sqlstate', str('u[13]'))} END`,
    `CASE WHEN line_app IS NOT NULL THEN ${kv('application_name', str(`CASE WHEN kind = 'auth' AND nullif(auth_app, '') IS NOT NULL THEN auth_app ELSE line_app END`))} END`,
    `CASE WHEN cli_host IS NOT NULL THEN ${kv('client_host', str('cli_host'))} END`,
    `CASE WHEN ${CLEAN(8)} IS NOT NULL THEN ${kv('command_tag', str('u[8]'))} END`,
    `CASE WHEN ${CLEAN(10)} IS NOT NULL THEN ${kv('vxid', str('u[10]'))} END`,
    `CASE WHEN ${CLEAN(11)} IS NOT NULL AND u[11] <> '0' THEN ${kv('xid', str('u[11]'))} END`,
    `CASE WHEN ${CLEAN(24)} IS NOT NULL AND u[24] <> 'client backend' THEN ${kv('backend_type', str('u[24]'))} END`,
    `CASE WHEN ${CLEAN(26)} IS NOT NULL AND u[26] <> '0' THEN ${kv('query_id', str('u[26]'))} END`,
    `CASE WHEN ${CLEAN(9)} IS NOT NULL AND ${FIELD(6)} IS NULL THEN ${kv('session_start', str('u[9]'))} END`,
    `CASE WHEN ${CLEAN(25)} IS NOT NULL THEN ${kv('leader_pid', str('u[25]'))} END`,
    // The message's own attrs (Meaning.attrs), in the JS order.
    `CASE WHEN kind = 'error' THEN ${kv('error', str('msg'))} END`,
    `CASE WHEN kind IN ('stmt', 'dur') AND dur IS NOT NULL THEN ${kv('duration_ms', decimalNumber('dur'))} END`,
    `CASE WHEN kind = 'stmt' AND st_name <> '' THEN ${kv('prepared', str('st_name'))} END`,
    `CASE WHEN kind = 'stmt' AND has_params THEN ${kv('parameters', str(`substr(u[15], 13)`))} END`,
    `CASE WHEN kind = 'disc' THEN ${kv('session_time', str('ds.stime'))} END`,
    `CASE WHEN kind = 'start' THEN ${kv('version', str(`regexp_extract(msg, '${SERVER_START}', 1)`))} END`,
    `CASE WHEN ${FIELD(15)} IS NOT NULL AND NOT has_params THEN ${kv('detail', str('u[15]'))} END`,
    `CASE WHEN ${FIELD(16)} IS NOT NULL THEN ${kv('hint', str('u[16]'))} END`,
    `CASE WHEN ${FIELD(19)} IS NOT NULL THEN ${kv('context', str('u[19]'))} END`,
    `CASE WHEN ${FIELD(17)} IS NOT NULL THEN ${kv('internal_query', str('u[17]'))} END`,
    `CASE WHEN ${FIELD(22)} IS NOT NULL THEN ${kv('location', str('u[22]'))} END`,
    `CASE WHEN command IS NOT NULL THEN ${kv('sql', `CASE WHEN dump_client THEN CASE WHEN dump_seq THEN j11 ELSE j10 END ELSE CASE WHEN dump_seq THEN j01 ELSE j00 END END`)} END`,
    `CASE WHEN implausible THEN '"time_quality_parsed":"exact"' END`,
  ];
  const who = `CASE WHEN actor IS NOT NULL AND db IS NOT NULL THEN actor || '@' || db ELSE coalesce(actor, '@' || db, '?') END`;
  const clientText = `CASE WHEN coalesce(cli_ip, cli_host) IS NULL THEN '' ELSE ' from ' || coalesce(cli_ip, cli_host) || coalesce(':' || cli_port, '') END`;
  const base = `CASE kind
      WHEN 'error' THEN sev || ': ' || ${firstLine(200)} || CASE WHEN command IS NOT NULL THEN ' — ' || ${ONE_LINE_SQL} ELSE '' END
      WHEN 'stmt' THEN CASE WHEN st_step <> '' THEN st_step || ' ' ELSE '' END || ${ONE_LINE_SQL} || coalesce(' (' || dur || ' ms)', '')
      WHEN 'recv' THEN 'connection received from ' || rc.host || CASE WHEN rc.port <> '' THEN ':' || rc.port ELSE '' END
      WHEN 'auth' THEN 'login as ' || au.usr || CASE WHEN au.db <> '' THEN ' to database ' || au.db ELSE '' END
                       || CASE WHEN nullif(auth_app, '') IS NOT NULL THEN ' (' || auth_app || ')' ELSE '' END
      WHEN 'disc' THEN coalesce(nullif(ds.usr, ''), '?') || ' disconnected from ' || coalesce(nullif(ds.db, ''), '?') || ' after ' || ds.stime
      WHEN 'dur' THEN 'statement took ' || dur || ' ms'
      WHEN 'start' THEN ${firstLine(300)}
      WHEN 'probe' THEN 'incomplete startup packet (connection opened and closed without a login: a probe or health check)'
      WHEN 'log' THEN sev || ': ' || ${firstLine(200)}
      ELSE msg END`;
  const summary = `CASE WHEN class = 'datastore_activity' AND kind <> 'log' AND (actor IS NOT NULL OR db IS NOT NULL OR cli_ip IS NOT NULL OR cli_host IS NOT NULL)
           THEN ${who} || ${clientText} || ': ' || base
      WHEN kind = 'auth' THEN base || ${clientText}
      ELSE base END`;
  return withColumns(`INSERT INTO events
SELECT $eid::BIGINT * 4294967296 + seq, make_timestamp(ts_us), NULL,
  CASE WHEN implausible THEN 'implausible' ELSE 'exact' END,
  'postgres_csvlog', class, action, outcome, NULL, actor, cli_ip, cli_port, NULL, NULL, 'postgres', key, NULL,
  CASE WHEN command IS NOT NULL THEN target END, db, NULL, NULL, NULL, NULL, NULL, command, NULL, NULL,
  CASE WHEN length(summary) > 1000 THEN left(summary, 1000) || '…' ELSE summary END,
  CASE WHEN attrs_text = '' THEN NULL ELSE ('{' || attrs_text || '}')::JSON END,
  $eid, rline, off, blen, raw
FROM (
  SELECT *, ${summary} AS summary, concat_ws(',', ${attrs.join(',\n    ')}) AS attrs_text
  FROM (
    SELECT *, ${base} AS base
    FROM (
      SELECT r.*, line_user AS actor, line_db AS db,
        CASE kind WHEN 'error' THEN 'datastore_activity' WHEN 'stmt' THEN 'datastore_activity' WHEN 'dur' THEN 'datastore_activity' WHEN 'log' THEN 'datastore_activity'
                  WHEN 'recv' THEN 'network_activity' WHEN 'probe' THEN 'network_activity' WHEN 'auth' THEN 'authentication' WHEN 'disc' THEN 'authentication'
                  ELSE 'system_activity' END AS class,
        CASE kind WHEN 'error' THEN 'db_error'
                  WHEN 'stmt' THEN CASE WHEN st_isst <> '' OR st_step = 'execute' THEN 'db_query' WHEN st_step = 'parse' THEN 'db_parse' ELSE 'db_bind' END
                  WHEN 'recv' THEN 'db_connection_received' WHEN 'auth' THEN 'db_connect' WHEN 'disc' THEN 'db_disconnect' WHEN 'dur' THEN 'db_duration'
                  WHEN 'start' THEN 'db_server_start' WHEN 'ready' THEN 'db_server_ready' WHEN 'shutreq' THEN 'db_server_shutdown_request'
                  WHEN 'stop' THEN 'db_server_stop' WHEN 'probe' THEN 'db_incomplete_startup'
                  ELSE CASE WHEN sev = 'WARNING' THEN 'db_warning' ELSE 'db_log' END END AS action,
        CASE kind WHEN 'error' THEN 'failure' WHEN 'stmt' THEN CASE WHEN dur IS NOT NULL THEN 'success' ELSE 'unknown' END
                  WHEN 'recv' THEN 'unknown' WHEN 'shutreq' THEN 'unknown' WHEN 'probe' THEN 'failure' WHEN 'log' THEN 'unknown'
                  ELSE 'success' END AS outcome,
        kind = 'stmt' AND starts_with(u[15], 'parameters: ') AS has_params,
        ts_us < ${PLAUSIBLE_FROM_US} OR ts_us > $until AS implausible,
        key IS NOT NULL AND command IS NOT NULL AND coalesce(regexp_matches(line_app, '(?i)^(pg_dump|pg_dumpall|pg_basebackup|pg_receivewal|mysqldump|mysqlpump|mydumper|mariadb-dump|xtrabackup|mariabackup)\\b'), false) AS dump_client,
        d.seq IS NOT NULL AS dump_seq,
        trim(regexp_replace(msg, '\\s+', ' ', 'g'), ' ') AS msg_line,
        trim(regexp_replace(left(coalesce(command, st_blank, ''), 4000), '\\s+', ' ', 'g'), ' ') AS sql_line,
        length(coalesce(command, st_blank, '')) > 4000 AS sql_long,
        f.target, f.j00, f.j10, f.j01, f.j11
      FROM ${recs} r LEFT JOIN ${fps} f USING (fp_id) LEFT JOIN ${dumpseq} d ON d.seq = r.seq
    )
  )
)`, columns);
}
