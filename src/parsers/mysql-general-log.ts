/**
 * MySQL / MariaDB general query log (`general_log_file`): every connection, command and statement
 * the server received.
 *
 * - New format (MySQL 5.7+): `2016-06-07T19:07:02.558338Z\t    3 Connect\troot@localhost on db using Socket`
 *   (UTC with `Z`, or local time with an offset when log_timestamps=SYSTEM): exact times.
 * - Old format (MySQL ≤ 5.6, MariaDB): `051007 21:55:24\t     42 Connect …`; the time is written
 *   only when it changes, lines of the same second start with TABs; local time (`--tz`).
 * - Statements continue on the following lines without any prefix.
 * - The server banner (`mysqld, Version: … started with:` + two lines) repeats after each restart
 *   or log flush.
 */
import { parseIsoMicros } from '../core/time.js';
import type { TimeQuality } from '../core/event.js';
import { hostAddress } from './dbquery/client.js';
import { BANNER_HEADER, BANNER_PORT, bannerVersion, isBannerLine } from './dbquery/mysql-banner.js';
import { MysqlInterpreter, parseOldMysqlTime, type MyKind, type MyRecord } from './dbquery/mysql-record.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead } from './types.js';

const SAMPLES = [
  '2025-08-15T14:04:36.592572Z\t   10 Connect\troot@localhost on  using Socket',
  '2016-06-07T19:07:02.565999Z\t    6 Query\tSELECT 1 FROM (SELECT `GRANTEE`, `IS_GRANTABLE` FROM `INFORMATION_SCHEMA`.`COLUMN_PRIVILEGES`) t WHERE `IS_GRANTABLE` = \'YES\' LIMIT 1',
  '051007 21:55:24\t     42 Connect     root@localhost on db1',
];

const COMMANDS =
  'Sleep|Quit|Init DB|Query|Field List|Create DB|Drop DB|Refresh|Shutdown|Statistics|Processlist|Connect|Kill|Debug|Ping|Time|Delayed insert|Change user|Binlog Dump GTID|Binlog Dump|Table Dump|Connect Out|Register Slave|Register Replica|Prepare|Execute|Long Data|Close stmt|Reset stmt|Set option|Fetch|Daemon|Reset Connection|Error';
// `s`: a CR or U+2028 in a statement is statement text (`.` stops at them otherwise, and the whole
// trailing-space run was re-tried from each space before `(.*)$` gave up).
const NEW_LINE = new RegExp(String.raw`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+(\d+) (${COMMANDS})(?:\t| +|$)(.*)$`, 's');
const OLD_LINE = new RegExp(String.raw`^(\d{6}\s+\d{1,2}:\d\d:\d\d)\s+(\d+) (${COMMANDS})(?:\t| +|$)(.*)$`, 's');
const UNTIMED_LINE = new RegExp(String.raw`^\s+(\d+) (${COMMANDS})(?:\t| +|$)(.*)$`, 's');
// The user part stops at the first @ so the match is linear (`a@a@a@…` cannot make it backtrack);
// matched against trimmed text, so `using (.*?)` ends at `$`, not at a `\s*$` re-tried from every space.
const CONNECT = /^([^@\s]*)@(\S*)(?: as (\S*))? on(?: (\S*))?(?: using (.*?))?$/s;
const ACCESS_DENIED = /^Access denied for user '((?:[^'\\]|\\.)*)'@'([^']*)'(?: to database '([^']*)')?(?: \(using password: (YES|NO)\))?/s;
const MAX_WARNING_TEXT = 512;
const MAX_STATEMENT_CHARS = 8 * 1024 * 1024;

export const mysqlGeneralLog: LineParser = {
  kind: 'lines',
  name: 'mysql_general_log',
  version: '1',
  source: 'mysql_general_log',
  description: 'MySQL / MariaDB general query log (old and 5.7+ formats)',
  samples: SAMPLES,
  sniff: sniffGeneral,
  open: (ctx) => new GeneralLogHandler(ctx),
};

function sniffGeneral(head: SniffHead) {
  let records = 0;
  let banner = 0;
  let considered = 0;
  for (const line of head.lines.slice(0, 50)) {
    if (line.trim() === '') continue;
    considered++;
    if (NEW_LINE.test(line) || OLD_LINE.test(line) || (/^\t/.test(line) && UNTIMED_LINE.test(line))) records++;
    else if (isBannerLine(line) || BANNER_PORT.test(line) || BANNER_HEADER.test(line)) banner++;
  }
  if (records === 0) return null;
  return { confidence: records + banner >= considered / 2 ? 90 : 50, reason: `${records} head lines are general-log commands (id, Connect/Query/…)${banner ? ', server banner' : ''}` };
}

interface Pending {
  rec: MyRecord;
  /** Trailing blank lines, kept in raw but not in the statement unless text follows. */
  blanks: number;
}

class GeneralLogHandler implements LineHandler {
  private readonly interp: MysqlInterpreter;
  private pending: Pending | null = null;
  private lastTime: { us: number; quality: TimeQuality } | null = null;
  private banners = 0;
  private untimed = 0;

  constructor(private readonly ctx: ParseContext) {
    this.interp = new MysqlInterpreter(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    let m = NEW_LINE.exec(text);
    let time: { us: number; quality: TimeQuality } | null = null;
    let id: string;
    let command: string;
    let arg: string;
    if (m) {
      const t = parseIsoMicros(m[1]!, this.ctx.options.tz);
      time = t ? { us: t.us, quality: t.zoned ? 'exact' : 'zone_assumed' } : null;
      [id, command, arg] = [m[2]!, m[3]!, m[4]!];
    } else if ((m = OLD_LINE.exec(text))) {
      time = parseOldMysqlTime(m[1]!, this.ctx.options.tz);
      [id, command, arg] = [m[2]!, m[3]!, m[4]!];
    } else if ((m = UNTIMED_LINE.exec(text))) {
      // Same second as the line before (old format): the time is not repeated.
      [id, command, arg] = [m[1]!, m[2]!, m[3]!];
      time = this.lastTime;
      if (!time) this.untimed++;
    } else if (isBannerLine(text) || BANNER_PORT.test(text) || BANNER_HEADER.test(text)) {
      this.flush();
      if (isBannerLine(text)) {
        this.banners++;
        const v = bannerVersion(text) ?? /, Version: (\S+)/.exec(text)?.[1];
        if (v) this.ctx.setFileInfo('server_version', v);
      }
      return 'meta';
    } else if (this.pending) {
      this.continuation(text, byteLength);
      return 'continuation';
    } else {
      if (text.trim() === '') return 'blank';
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'not a general-log line (no thread id and command) and no statement to continue' });
      return 'warning';
    }
    this.flush();
    if (time) this.lastTime = time;
    this.pending = { rec: this.record(time, id, command, arg, lineNo, offset, byteLength, text), blanks: 0 };
    return 'record';
  }

  end(): void {
    this.flush();
    this.interp.finish();
    if (this.banners > 1) this.ctx.setFileInfo('server_banners', this.banners);
    if (this.untimed > 0) this.ctx.setFileInfo('records_before_first_time', this.untimed);
  }

  private continuation(text: string, byteLength: number): void {
    const p = this.pending!;
    p.rec.raw += '\n' + text;
    p.rec.byte_length += 1 + byteLength;
    if (text.trim() === '') {
      p.blanks++;
      return;
    }
    if (p.rec.sql !== undefined && p.rec.sql !== null && p.rec.sql.length < MAX_STATEMENT_CHARS) {
      p.rec.sql += '\n'.repeat(p.blanks + 1) + text;
    }
    p.blanks = 0;
  }

  private flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (Number.isNaN(p.rec.ts)) {
      // MySQL writes the time only when it changes: a file that starts mid-second has none.
      this.interp.track(p.rec);
      this.ctx.warn({
        line: p.rec.line, byte_offset: p.rec.byte_offset, raw: p.rec.raw.slice(0, MAX_WARNING_TEXT),
        reason: `general-log ${p.rec.command} of connection ${p.rec.connId} before any time in the file (MySQL writes the time only when it changes): kept as a warning, not dated`,
      });
      return;
    }
    this.interp.emit(p.rec);
  }

  private record(time: { us: number; quality: TimeQuality } | null, id: string, command: string, arg: string, line: number, offset: number, byteLength: number, raw: string): MyRecord {
    const base: MyRecord = { ts: time?.us ?? NaN, quality: time?.quality ?? 'zone_assumed', kind: 'command', connId: id, command, line, byte_offset: offset, byte_length: byteLength, raw };
    let kind: MyKind = 'command';
    switch (command) {
      case 'Connect': {
        const denied = ACCESS_DENIED.exec(arg);
        if (denied) {
          const a = hostAddress(denied[2]);
          return { ...base, kind: 'auth_failed', user: denied[1]!.replace(/\\(.)/gs, '$1'), clientIp: a.ip, clientHost: a.host, database: denied[3] ?? null, error: arg.trim(), attrs: denied[4] ? { using_password: denied[4] === 'YES' } : undefined };
        }
        const c = CONNECT.exec(arg.trim());
        if (c) {
          const a = hostAddress(c[2]);
          const attrs: Record<string, unknown> = {};
          if (c[3]) attrs.proxy_user = c[3];
          if (c[5]) attrs.connection_type = c[5];
          return { ...base, kind: 'connect', user: c[1] || null, clientIp: a.ip, clientHost: a.host, database: c[4] || null, attrs };
        }
        return { ...base, kind: 'connect', attrs: { argument: arg } };
      }
      case 'Quit':
        return { ...base, kind: 'disconnect' };
      case 'Init DB':
        return { ...base, kind: 'use', database: arg.trim() || null };
      case 'Query':
      case 'Execute':
        return { ...base, kind: 'query', sql: arg };
      case 'Prepare':
        return { ...base, kind: 'prepare', sql: arg };
      case 'Change user': {
        const c = CONNECT.exec(arg.trim());
        return { ...base, kind: 'change_user', user: c?.[1] || null, database: c?.[4] || null, attrs: c ? undefined : { argument: arg } };
      }
      case 'Binlog Dump':
      case 'Binlog Dump GTID':
        kind = 'binlog_dump';
        break;
      case 'Shutdown':
        return { ...base, kind: 'server_stop', command: 'Shutdown' };
      case 'Field List':
        return { ...base, kind, target: arg.trim() || null, attrs: { argument: arg.trim() } };
      default:
        break;
    }
    return { ...base, kind, attrs: arg.trim() ? { argument: arg.trim() } : undefined };
  }
}
