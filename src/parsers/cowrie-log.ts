/**
 * Cowrie honeypot text log (`var/log/cowrie/cowrie.log`, Twisted's log format:
 * `2024-01-10T02:02:07.441556Z [HoneyPotSSHTransport,107,203.0.113.50] message`). Lines are read
 * into the JSON log's eventids (cowrie/text-line.ts) and mapped by cowrie/events.ts, so a case
 * holding only the text log still has the logins, commands and downloads. TAB-indented lines
 * (Twisted's multi-line messages, tracebacks) continue the previous record.
 *
 * Cowrie writes this log beside cowrie.json by default: a case with both holds each happening
 * twice, once per log (as Zeek's ssh.log and sshd's auth.log both hold a login). Every event keeps
 * its own file and line; see docs/parsers.md for what correlation counts.
 */
import type { DwellEvent } from '../core/event.js';
import { parseIsoMicros } from '../core/time.js';
import { isIp } from '../core/ip.js';
import { cowrieEvent, Sessions } from './cowrie/events.js';
import { readTextLine, TEXT_LINE } from './cowrie/text-line.js';
import { MAX_WARNING_TEXT } from './netflow/common.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  "2024-01-10T02:02:07.441556Z [HoneyPotSSHTransport,107,203.0.113.50] login attempt [b'root'/b'123456'] succeeded",
];

export const cowrieLog: LineParser = {
  kind: 'lines',
  name: 'cowrie_log',
  version: '1',
  source: 'cowrie',
  description: 'Cowrie honeypot text log (Twisted format): the same logins, commands and downloads as its JSON log',
  samples: SAMPLES,
  sniff: sniffCowrieLog,
  open: (ctx) => new CowrieLogHandler(ctx),
};

function sniffCowrieLog(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let twisted = 0;
  let cowrie = 0;
  for (const line of head.lines.slice(0, 50)) {
    if (line.trim() === '' || line.charCodeAt(0) === 9) continue;
    considered++;
    const m = TEXT_LINE.exec(line);
    if (!m) continue;
    twisted++;
    if (/HoneyPot|Cowrie|cowrie\./.test(m[2]!) || /^(New connection: |login attempt \[|CMD: )/.test(m[3]!)) cowrie++;
  }
  if (cowrie === 0 || twisted / considered < 0.5) return null;
  return { confidence: Math.round(55 + 40 * (twisted / considered)), reason: `${twisted}/${considered} head lines are Twisted log lines (TIME [context] message), ${cowrie} from Cowrie's SSH/telnet transports` };
}

class CowrieLogHandler implements LineHandler {
  private readonly sessions = new Sessions();
  private pending: DwellEvent | null = null;

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.trim() === '') return 'blank';
    if (text.charCodeAt(0) === 9 && this.pending) {
      const e = this.pending;
      e.raw += '\n' + text;
      e.byte_length += 1 + byteLength;
      const attrs = (e.attrs ??= {});
      attrs.continued_lines = ((attrs.continued_lines as number | undefined) ?? 0) + 1;
      if (e.command !== null && e.command !== undefined && e.action === 'shell_command') e.command += '\n' + text.slice(1);
      return 'continuation';
    }
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    const m = TEXT_LINE.exec(text);
    if (!m) {
      warn('not a Cowrie text-log line (TIME [context] message)');
      return 'warning';
    }
    // Twisted's older format writes `2018-01-21 22:35:42+0000`: made ISO before parsing.
    const stamp = m[1]!.replace(' ', 'T').replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
    const time = parseIsoMicros(stamp, this.ctx.options.tz);
    if (!time) {
      warn(`${m[1]}: not a time`);
      return 'warning';
    }
    this.flush();
    const r = readTextLine(m[2]!, m[3]!);
    this.pending = cowrieEvent(
      { eventid: r.eventid, ts: time.us, quality: time.zoned ? 'exact' : 'zone_assumed', session: r.session, stateKey: r.stateKey, src_ip: r.src_ip && isIp(r.src_ip) ? r.src_ip : null, fields: r.fields, sensor: null },
      this.sessions,
      { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text },
    );
    return 'record';
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending) {
      this.ctx.emit(this.pending);
      this.pending = null;
    }
  }
}
