/**
 * MySQL / MariaDB / Percona Server slow query log: one entry per statement that ran longer than
 * long_query_time (or every statement when it is 0).
 *
 *     # Time: 2019-03-24T14:01:47.811234Z            (optional; old format 071015 21:43:52)
 *     # User@Host: root[root] @ localhost [127.0.0.1]  Id:    14
 *     # Thread_id: 5  Schema: db  QC_hit: No          (MariaDB / Percona)
 *     # Query_time: 2.47  Lock_time: 0.0003 Rows_sent: 10  Rows_examined: 3145718 [8.0 log_slow_extra …]
 *     # more `# Key: value` lines (Percona, MariaDB)
 *     use employees;                                 (the logger's, when the database changed)
 *     SET timestamp=1553436105;                      (the statement's start, epoch seconds)
 *     SELECT …;                                      (possibly many lines)
 *
 * Entries without `# Time:` inherit the previous one (MySQL writes it only when it changes);
 * `SET timestamp=` is preferred when the `# Time:` is local (old format) because it is UTC.
 */
import { parseIsoMicros } from '../core/time.js';
import type { TimeQuality } from '../core/event.js';
import { MysqlInterpreter, parseOldMysqlTime, parseUserHost, type MyRecord } from './dbquery/mysql-record.js';
import { isIp, hostAddress } from './dbquery/client.js';
import { BANNER_HEADER, BANNER_PORT, bannerVersion, isBannerLine } from './dbquery/mysql-banner.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  // A slow-log entry is several lines; this is one entry as MySQL 8.0 writes it.
  '# Time: 2019-03-24T14:01:47.811234Z\n# User@Host: root[root] @ localhost []  Id:    14\n# Query_time: 2.475469  Lock_time: 0.000287 Rows_sent: 10  Rows_examined: 3145718\nuse employees;\nSET timestamp=1553436105;\nSELECT last_name, MAX(salary) AS salary FROM employees INNER JOIN salaries ON employees.emp_no = salaries.emp_no GROUP BY last_name ORDER BY salary DESC LIMIT 10;',
];

const USER_HOST_LINE = /^# User@Host: (.*)$/s;
const SET_TIMESTAMP = /^SET (?:(?:insert_id|last_insert_id)=\d+,\s*)*timestamp=(\d+)(?:,\s*(?:insert_id|last_insert_id)=\d+)*;\s*$/i;
const USE_LINE = /^use `?([^`;]+)`?;\s*$/i;
const MAX_WARNING_TEXT = 512;
const MAX_STATEMENT_CHARS = 8 * 1024 * 1024;
/** `# Key: value` fields kept per entry (real entries have about 30); the raw entry keeps the rest. */
const MAX_HEADER_FIELDS = 200;

export const mysqlSlowLog: LineParser = {
  kind: 'lines',
  name: 'mysql_slow_log',
  version: '1',
  source: 'mysql_slow_log',
  description: 'MySQL / MariaDB / Percona slow query log (# Time, # User@Host, # Query_time, extended fields)',
  samples: SAMPLES,
  sniff: sniffSlow,
  open: (ctx) => new SlowLogHandler(ctx),
};

function sniffSlow(head: SniffHead) {
  let userHost = 0;
  let queryTime = 0;
  let time = 0;
  for (const line of head.lines.slice(0, 50)) {
    if (line.startsWith('# User@Host:') || /^# Time: .* # User@Host:/s.test(line)) userHost++;
    if (line.startsWith('# Query_time:')) queryTime++;
    if (line.startsWith('# Time:')) time++;
  }
  if (queryTime === 0 && userHost === 0) return null;
  return { confidence: queryTime > 0 ? 92 : 60, reason: `slow-log headers in the head: ${time} # Time, ${userHost} # User@Host, ${queryTime} # Query_time` };
}

/**
 * `# Time: X` and the old `# Time: X # User@Host: Y` on one line, without a regular expression
 * (a lazy group before `\s*$` is quadratic on a long run of spaces).
 */
function timeLine(text: string): string[] | null {
  if (!text.startsWith('# Time: ')) return null;
  const rest = text.slice(8);
  const at = rest.indexOf(' # User@Host: ');
  return at < 0 ? [text, rest.trim()] : [text, rest.slice(0, at).trim(), rest.slice(at + 14)];
}

function adminLine(text: string): string[] | null {
  if (!text.startsWith('# administrator command: ')) return null;
  return [text, text.slice(25).trim().replace(/;$/, '')];
}

interface Entry {
  rec: MyRecord;
  timeText?: string;
  /** `# Time:` of this entry (exact or local). */
  time?: { us: number; quality: TimeQuality } | null;
  setTimestamp?: number;
  hasUserHost: boolean;
  hasQueryTime: boolean;
  useSeen: boolean;
  statement: string[];
  /** Characters in `statement` joined with newlines: kept as a count, not re-joined per line. */
  statementChars: number;
  blanks: number;
  admin?: string;
  slow: Record<string, string>;
  /** Header fields in `slow`, and those beyond MAX_HEADER_FIELDS (counted, kept only in raw). */
  fields: number;
  fieldsDropped: number;
}

class SlowLogHandler implements LineHandler {
  private readonly interp: MysqlInterpreter;
  private entry: Entry | null = null;
  private lastTime: { us: number; quality: TimeQuality } | null = null;
  private inherited = 0;
  private offsetHinted = false;

  constructor(private readonly ctx: ParseContext) {
    this.interp = new MysqlInterpreter(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const e = this.entry;
    const hasBody = e !== null && (e.statement.length > 0 || e.admin !== undefined);
    if (text.startsWith('# ')) {
      let m = timeLine(text);
      if (m) {
        let used: LineDisposition = 'continuation';
        if (!e || hasBody) {
          this.finish();
          used = this.start(lineNo, offset, byteLength, text);
        } else this.extend(text, byteLength);
        const cur = this.entry!;
        cur.timeText = m[1];
        cur.time = this.parseTime(m[1]!, lineNo, offset, text);
        if (m[2] !== undefined) this.userHost(cur, m[2]);
        return used;
      }
      if ((m = USER_HOST_LINE.exec(text))) {
        let used: LineDisposition = 'continuation';
        if (!e || hasBody) {
          this.finish();
          used = this.start(lineNo, offset, byteLength, text);
        } else this.extend(text, byteLength);
        this.userHost(this.entry!, m[1]!);
        return used;
      }
      if ((m = adminLine(text))) {
        let used: LineDisposition = 'continuation';
        if (!e || hasBody) {
          this.finish();
          used = this.start(lineNo, offset, byteLength, text);
        } else this.extend(text, byteLength);
        this.entry!.admin = m[1]!;
        return used;
      }
      // `# Query_time: …`, `# Thread_id: … Schema: …`, Percona/MariaDB extras: a header of the
      // current entry, or the first line of the next one when the current has its statement.
      let used: LineDisposition = 'continuation';
      if (!e || (hasBody && /^# (Query_time|Thread_id|Schema):/.test(text))) {
        this.finish();
        used = this.start(lineNo, offset, byteLength, text);
      } else if (hasBody) {
        // A comment line after the statement (rare): part of the statement text.
        this.statementLine(text, byteLength);
        return 'continuation';
      } else this.extend(text, byteLength);
      this.header(this.entry!, text);
      return used;
    }
    if (isBannerLine(text) || BANNER_PORT.test(text) || BANNER_HEADER.test(text)) {
      this.finish();
      const v = bannerVersion(text);
      if (v) this.ctx.setFileInfo('server_version', v);
      return 'meta';
    }
    if (!e) {
      if (text.trim() === '') return 'blank';
      // A statement with no header (the file starts inside an entry).
      const used = this.start(lineNo, offset, byteLength, text);
      this.body(this.entry!, text);
      return used;
    }
    if (text.trim() === '') {
      if (e.statement.length === 0) {
        this.extend(text, byteLength);
        return 'continuation';
      }
      this.extend(text, byteLength);
      e.blanks++;
      return 'continuation';
    }
    this.extend(text, byteLength);
    this.body(e, text);
    return 'continuation';
  }

  end(): void {
    this.finish();
    this.interp.finish();
    if (this.inherited > 0) this.ctx.setFileInfo('entries_with_inherited_time', this.inherited);
  }

  private start(lineNo: number, offset: number, byteLength: number, raw: string): LineDisposition {
    this.entry = {
      rec: { ts: NaN, quality: 'exact', kind: 'query', connId: null, line: lineNo, byte_offset: offset, byte_length: byteLength, raw },
      hasUserHost: false, hasQueryTime: false, useSeen: false, statement: [], statementChars: 0, blanks: 0, slow: {}, fields: 0, fieldsDropped: 0,
    };
    return 'record';
  }

  private extend(text: string, byteLength: number): void {
    const r = this.entry!.rec;
    if (r.raw.length < MAX_STATEMENT_CHARS) r.raw += '\n' + text;
    r.byte_length += 1 + byteLength;
  }

  private statementLine(text: string, byteLength: number): void {
    this.extend(text, byteLength);
    this.body(this.entry!, text);
  }

  /** A non-header line: the logger's `use` / `SET timestamp`, or statement text. */
  private body(e: Entry, text: string): void {
    if (e.statement.length === 0) {
      const ts = SET_TIMESTAMP.exec(text);
      if (ts) {
        e.setTimestamp = Number(ts[1]);
        return;
      }
      const use = USE_LINE.exec(text);
      if (use && !e.useSeen) {
        e.useSeen = true;
        e.rec.database = use[1]!;
        e.slow.use = use[1]!;
        return;
      }
    }
    // A running count, not `statement.join('\n').length` per line: that made one statement over
    // 80,000 comment lines run for minutes (issue 18).
    if (e.statementChars < MAX_STATEMENT_CHARS) {
      for (let i = 0; i < e.blanks; i++) e.statement.push('');
      e.statement.push(text);
      e.statementChars += (e.statement.length > 1 ? 1 : 0) + e.blanks + text.length;
    }
    e.blanks = 0;
  }

  private userHost(e: Entry, text: string): void {
    e.hasUserHost = true;
    const u = parseUserHost(text);
    if (!u) {
      e.slow.user_host = text;
      return;
    }
    e.rec.user = u.user;
    if (u.privUser && u.privUser !== u.user) e.slow.priv_user = u.privUser;
    if (u.ip) {
      e.rec.clientIp = isIp(u.ip) ? u.ip : null;
      e.rec.clientHost = u.host && u.host !== u.ip ? u.host : isIp(u.ip) ? null : u.ip;
    } else if (u.host) {
      const a = hostAddress(u.host);
      e.rec.clientIp = a.ip;
      e.rec.clientHost = a.host;
    }
    const id = /\bId:\s*(\d+)/.exec(text);
    if (id) e.rec.connId = id[1]!;
  }

  /** `# Key: value  Key2: value2` (a key may have no value: `Schema:   QC_hit: No`). */
  private header(e: Entry, text: string): void {
    if (text.startsWith('# Query_time:')) e.hasQueryTime = true;
    const words = text.slice(2).trim().split(/\s+/);
    let found = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (!/^[A-Za-z_]+:$/.test(w)) continue;
      found = true;
      const next = words[i + 1];
      const hasValue = next !== undefined && !/^[A-Za-z_]+:$/.test(next);
      this.setField(e, w.slice(0, -1), hasValue ? next : '');
      if (hasValue) i++;
    }
    if (!found) this.setField(e, `note_${e.fields}`, text.slice(2));
  }

  /** Bounded: an entry of 100,000 comment lines keeps its first fields, counts the rest (raw keeps all). */
  private setField(e: Entry, key: string, value: string): void {
    if (!Object.prototype.hasOwnProperty.call(e.slow, key)) {
      if (e.fields >= MAX_HEADER_FIELDS) {
        e.fieldsDropped++;
        return;
      }
      e.fields++;
    }
    e.slow[key] = value;
  }

  /**
   * An old-format `# Time:` (server local time) next to `SET timestamp=` (UTC) shows the server's
   * offset: said once, so the reader can pass --tz. Nothing is re-dated from it.
   */
  private offsetHint(e: Entry, localAsTzUs: number): void {
    if (this.offsetHinted) return;
    const qt = Number(e.slow.Query_time ?? 0);
    const diff = (localAsTzUs - e.setTimestamp! * 1_000_000) / 1e6 - (Number.isFinite(qt) ? qt : 0);
    const quarter = Math.round(diff / 900) * 900;
    if (Math.abs(diff - quarter) > 60 || quarter === 0) return;
    this.offsetHinted = true;
    const sign = quarter < 0 ? '-' : '+';
    const abs = Math.abs(quarter);
    const hhmm = `${sign}${String(Math.floor(abs / 3600)).padStart(2, '0')}:${String((abs % 3600) / 60).padStart(2, '0')}`;
    const r = e.rec;
    this.ctx.setFileInfo('time_offset_hint', hhmm);
    this.ctx.warn({
      line: r.line, byte_offset: r.byte_offset, raw: r.raw.slice(0, MAX_WARNING_TEXT),
      reason: `# Time: values are local time about ${hhmm} from --tz ${this.ctx.options.tz.zone} (compared with SET timestamp= of the same entry): entries dated by # Time: alone are zone_assumed; pass --tz with the server's zone`,
    });
  }

  private parseTime(text: string, lineNo: number, offset: number, raw: string): { us: number; quality: TimeQuality } | null {
    const iso = parseIsoMicros(text.trim(), this.ctx.options.tz);
    if (iso) return { us: iso.us, quality: iso.zoned ? 'exact' : 'zone_assumed' };
    const old = parseOldMysqlTime(text, this.ctx.options.tz);
    if (old) return old;
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: `unreadable # Time: ${JSON.stringify(text)}; the entry is dated by SET timestamp= or the previous # Time when there is one` });
    return null;
  }

  private finish(): void {
    const e = this.entry;
    if (!e) return;
    this.entry = null;
    const r = e.rec;
    const s = e.slow;
    // Time: an exact # Time, else SET timestamp= (UTC epoch), else a local # Time, else the previous one.
    let inherited = false;
    if (e.time && e.time.quality === 'exact') [r.ts, r.quality] = [e.time.us, 'exact'];
    else if (e.setTimestamp !== undefined) [r.ts, r.quality] = [e.setTimestamp * 1_000_000, 'exact'];
    else if (e.time) [r.ts, r.quality] = [e.time.us, e.time.quality];
    else if (this.lastTime) {
      [r.ts, r.quality] = [this.lastTime.us, this.lastTime.quality];
      inherited = true;
    }
    if (e.time) this.lastTime = e.time;
    if (e.time && e.time.quality !== 'exact' && e.setTimestamp !== undefined) this.offsetHint(e, e.time.us);
    const num = (k: string) => (s[k] !== undefined && s[k] !== '' && Number.isFinite(Number(s[k])) ? Number(s[k]) : null);
    r.connId ??= s.Thread_id ?? null;
    r.database ??= s.Schema || null;
    const qt = num('Query_time');
    if (qt !== null) r.durationMs = Math.round(qt * 1e9) / 1e6;
    r.rows = num('Rows_sent');
    const errno = num('Errno') ?? num('Last_errno');
    if (errno !== null) {
      r.outcome = errno === 0 ? 'success' : 'failure';
      if (errno !== 0) r.error = `errno ${errno}`;
    }
    const attrs: Record<string, unknown> = {};
    const lock = num('Lock_time');
    if (lock !== null) attrs.lock_time_ms = Math.round(lock * 1e9) / 1e6;
    for (const [k, attr] of [['Rows_examined', 'rows_examined'], ['Rows_affected', 'rows_affected'], ['Bytes_sent', 'bytes_sent'], ['Bytes_received', 'bytes_received']] as const) {
      const v = num(k);
      if (v !== null) attrs[attr] = v;
    }
    if (e.setTimestamp !== undefined) attrs.set_timestamp = e.setTimestamp;
    if (e.timeText !== undefined) attrs.logged_at = e.timeText;
    if (inherited) {
      attrs.time_inherited = true;
      this.inherited++;
    }
    attrs.slow_log = s;
    if (e.fieldsDropped > 0) attrs.slow_log_fields_not_kept = e.fieldsDropped;
    r.attrs = attrs;
    const statement = e.statement.join('\n');
    if (e.admin !== undefined && statement.trim() === '') {
      r.kind = /^quit$/i.test(e.admin) ? 'disconnect' : e.admin === 'Binlog Dump' || e.admin === 'Binlog Dump GTID' ? 'binlog_dump' : 'command';
      r.command = e.admin;
      if (r.kind === 'disconnect') r.outcome = 'success';
    } else if (statement.trim() === '' && e.useSeen) {
      // The entry's statement was the USE itself.
      r.sql = `use ${s.use};`;
      r.command = 'Query';
    } else {
      r.sql = statement;
      r.command = 'Query';
      if (e.admin !== undefined) attrs.administrator_command = e.admin;
    }
    if (Number.isNaN(r.ts)) {
      this.interp.track(r);
      this.ctx.warn({ line: r.line, byte_offset: r.byte_offset, raw: r.raw.slice(0, MAX_WARNING_TEXT), reason: 'slow-log entry with no time (no # Time: in or before it, no SET timestamp=): kept as a warning, not dated' });
      return;
    }
    this.interp.emit(r);
  }
}
