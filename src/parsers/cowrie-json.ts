/**
 * Cowrie honeypot JSON log (`var/log/cowrie/cowrie.json`, one object per line with `eventid`,
 * `timestamp`, `src_ip`, `session`, as documented in Cowrie's "Output Event Code Reference").
 * What each eventid becomes is cowrie/events.ts, shared with the text log.
 */
import { parseIsoMicros } from '../core/time.js';
import { isIp } from '../core/ip.js';
import { cowrieEvent, Sessions } from './cowrie/events.js';
import { parseJsonObjectLine } from './json-object-line.js';
import { MAX_WARNING_TEXT } from './netflow/common.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '{"eventid":"cowrie.login.success","username":"root","password":"123456","message":"login attempt [root/123456] succeeded","sensor":"hp1","timestamp":"2024-01-10T02:02:07.441556Z","src_ip":"203.0.113.50","session":"8599dd602207"}',
];

export const cowrieJson: LineParser = {
  kind: 'lines',
  name: 'cowrie_json',
  version: '1',
  source: 'cowrie',
  description: 'Cowrie honeypot JSON log: logins as ssh/telnet logins, typed commands, downloads with their URL, every other eventid kept',
  samples: SAMPLES,
  sniff: sniffCowrieJson,
  open: (ctx) => new CowrieJsonHandler(ctx),
};

const EVENTID = /"eventid"\s*:\s*"cowrie\.[a-z0-9_.-]+"/;

function sniffCowrieJson(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let cowrie = 0;
  for (const line of head.lines.slice(0, 40)) {
    const t = line.trim();
    if (t === '') continue;
    considered++;
    if (t.charCodeAt(0) === 123 && EVENTID.test(t) && /"timestamp"\s*:/.test(t)) cowrie++;
  }
  if (cowrie === 0 || cowrie / considered < 0.5) return null;
  return { confidence: Math.round(60 + 35 * (cowrie / considered)), reason: `${cowrie}/${considered} head lines are Cowrie records (eventid cowrie.*, timestamp)` };
}

class CowrieJsonHandler implements LineHandler {
  private readonly sessions = new Sessions();
  private readonly ids = new Map<string, number>();

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const t = text.trim();
    if (t === '') return 'blank';
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    const parsed = parseJsonObjectLine<Record<string, unknown>>(t, 'cowrie.json holds one object per line');
    if ('reason' in parsed) {
      warn(parsed.reason);
      return 'warning';
    }
    const rec = parsed.rec;
    if (typeof rec.eventid !== 'string' || rec.eventid === '') {
      warn('Cowrie record without eventid');
      return 'warning';
    }
    const time = typeof rec.timestamp === 'string' ? parseIsoMicros(rec.timestamp, this.ctx.options.tz) : null;
    if (!time) {
      warn(`timestamp ${JSON.stringify(rec.timestamp)?.slice(0, 40) ?? 'missing'}: not a time`);
      return 'warning';
    }
    this.ids.set(rec.eventid, (this.ids.get(rec.eventid) ?? 0) + 1);
    const src = typeof rec.src_ip === 'string' && isIp(rec.src_ip) ? rec.src_ip : null;
    const fields = { ...rec };
    // An address Cowrie could not give as one (a host name, garbage) stays visible in attrs.
    if (src === null && rec.src_ip !== undefined) fields.src_ip_text = rec.src_ip;
    const event = cowrieEvent(
      {
        eventid: rec.eventid,
        ts: time.us,
        quality: time.zoned ? 'exact' : 'zone_assumed',
        session: typeof rec.session === 'string' && rec.session !== '' ? rec.session : null,
        src_ip: src,
        fields,
        sensor: typeof rec.sensor === 'string' && rec.sensor !== '' ? rec.sensor : null,
      },
      this.sessions,
      { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text },
    );
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {
    this.ctx.setFileInfo('cowrie_eventids', Object.fromEntries([...this.ids].sort((a, b) => b[1] - a[1])));
  }
}
