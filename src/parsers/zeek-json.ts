/**
 * Zeek logs written as JSON lines (LogAscii::use_json): keys with dots (`id.orig_h`), underscores
 * (`id_orig_h`, as some shippers rename them) or a nested `id` object; `ts` as epoch seconds or an
 * ISO 8601 string (LogAscii::json_timestamps). conn records (by `_path` or their conn.log fields)
 * become `flow` events; any other record becomes a `zeek_<path>` event.
 */
import { parseJsonObjectLine } from './json-object-line.js';
import type { DwellEvent, TimeQuality } from '../core/event.js';
import { parseIsoMicros, US_PER_SECOND } from '../core/time.js';
import { MAX_WARNING_TEXT, Tally } from './netflow/common.js';
import { isIp } from '../core/ip.js';
import { RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import { attrKey, connEvent, logEvent, relativeReason, timeBase, zeekRole, type ZeekValues } from './netflow/zeek-common.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '{"ts":1718530010.118921,"uid":"Ck3Yxq2Hn3wJ1d2Ae7","id.orig_h":"10.0.1.25","id.orig_p":52114,"id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp","service":"ssl","duration":12.501833,"orig_bytes":4821,"resp_bytes":918223,"conn_state":"SF","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"ShADadFf","orig_pkts":210,"orig_ip_bytes":13241,"resp_pkts":640,"resp_ip_bytes":951519}',
];

export const zeekJson: LineParser = {
  kind: 'lines',
  name: 'zeek_json',
  version: '1',
  source: 'zeek',
  description: 'Zeek logs as JSON lines (dotted or underscore keys, epoch or ISO ts): conn as flows, others as zeek_<path>',
  samples: SAMPLES,
  sniff: sniffZeekJson,
  open: (ctx) => new ZeekJsonHandler(ctx),
};

const ZEEK_KEYS = /"(id\.orig_h|id_orig_h|id\.resp_h|id_resp_h)"\s*:|"id"\s*:\s*\{\s*"orig_h"/;

function sniffZeekJson(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let zeek = 0;
  for (const line of head.lines.slice(0, 40)) {
    const t = line.trim();
    if (t === '') continue;
    considered++;
    // Suricata eve records also carry a uid-less 5-tuple; they have event_type and src_ip instead.
    if (t.startsWith('{') && /"ts"\s*:/.test(t) && (ZEEK_KEYS.test(t) || /"uid"\s*:\s*"C[0-9A-Za-z]{8,}"/.test(t)) && !/"event_type"\s*:/.test(t)) zeek++;
  }
  if (zeek === 0) return null;
  const share = zeek / considered;
  if (share < 0.5) return null;
  return { confidence: Math.round(50 + 40 * share), reason: `${zeek}/${considered} head lines are Zeek JSON records (ts, uid, id.orig_h …)` };
}

/** Keys whose values are read into event columns (their attrs copies are not needed). */
const COLUMN_ROLES = new Set(['orig_h', 'orig_p', 'resp_h', 'resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts', 'conn_state', 'host', 'community_id', 'ts']);

class ZeekJsonHandler implements LineHandler {
  private readonly tally: Tally;
  private readonly base: number | null;

  constructor(private readonly ctx: ParseContext) {
    this.tally = new Tally(ctx);
    this.base = timeBase(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const t = text.trim();
    if (t.length === 0) return 'blank';
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    const parsed = parseJsonObjectLine<Record<string, unknown>>(t, 'Zeek JSON logs hold one object per line');
    if ('reason' in parsed) {
      warn(parsed.reason);
      return 'warning';
    }
    const rec = parsed.rec;

    // Flatten a nested "id" object to the dotted names Zeek uses.
    const id = rec.id;
    if (id && typeof id === 'object' && !Array.isArray(id)) {
      for (const [k, v] of Object.entries(id as Record<string, unknown>)) rec[`id.${k}`] = v;
      delete rec.id;
    }

    const time = this.time(rec.ts, lineNo, offset, text);
    if (!time) return 'warning';

    const byRole: Record<string, unknown> = {};
    const attrs: Record<string, unknown> = {};
    let isConn = false;
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'conn_state' || k === 'orig_bytes' || k === 'orig_pkts') isConn = true;
      const role = zeekRole(k);
      if (role && role !== 'uid' && byRole[role] === undefined) {
        byRole[role] = v;
        if (COLUMN_ROLES.has(role)) continue;
      }
      if (k === 'ts' || k === '_path') continue;
      attrs[attrKey(k)] = v;
    }
    const path = typeof rec._path === 'string' ? rec._path : null;
    if (path === 'conn') isConn = true;
    if (time.relative) {
      attrs.relative_time = true;
      if (this.base !== null) attrs.relative_ts = rec.ts;
    }
    if (typeof rec.ts === 'string') attrs.ts_text = rec.ts;

    const fieldWarn = (name: string, v: unknown, why: string) => {
      attrs[attrKey(name)] = v;
      warn(`${name} ${JSON.stringify(v).slice(0, 40)}: ${why}; kept in attrs.${attrKey(name)}`);
    };
    const num = (role: string, max: number): number | null => {
      const v = byRole[role];
      if (v === undefined || v === null) return null;
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
      const name = Object.keys(rec).find((k) => zeekRole(k) === role) ?? role;
      fieldWarn(name, v, typeof v === 'number' && v < 0 ? 'negative counter' : typeof v === 'number' && v > max ? (max === 65535 ? 'port out of range' : 'larger than 2^53, cannot be stored exactly') : 'not a count');
      return null;
    };
    const addr = (role: string): string | null => {
      const v = byRole[role];
      if (v === undefined || v === null) return null;
      if (typeof v === 'string' && isIp(v)) return v;
      attrs[role === 'orig_h' ? 'id_orig_h' : 'id_resp_h'] = v;
      return null;
    };
    const str = (role: string): string | null => {
      const v = byRole[role];
      return typeof v === 'string' && v.length > 0 ? v : null;
    };
    let durationUs: number | null = null;
    if (typeof byRole.duration === 'number' && byRole.duration >= 0) durationUs = Math.round(byRole.duration * US_PER_SECOND);
    else if (byRole.duration !== undefined && byRole.duration !== null) fieldWarn('duration', byRole.duration, 'not a duration');

    const v: ZeekValues = {
      ts: time.us,
      durationUs,
      srcIp: addr('orig_h'),
      srcPort: num('orig_p', 65535),
      dstIp: addr('resp_h'),
      dstPort: num('resp_p', 65535),
      proto: str('proto'),
      ipProto: typeof byRole.ip_proto === 'number' ? byRole.ip_proto : null,
      origBytes: num('orig_bytes', Number.MAX_SAFE_INTEGER),
      respBytes: num('resp_bytes', Number.MAX_SAFE_INTEGER),
      origPkts: num('orig_pkts', Number.MAX_SAFE_INTEGER),
      respPkts: num('resp_pkts', Number.MAX_SAFE_INTEGER),
      connState: str('conn_state'),
      host: str('host'),
      sourceCommunityId: str('community_id'),
    };
    const p = { line: lineNo, offset, length: byteLength, raw: text };
    let event: DwellEvent;
    if (isConn) {
      const r = connEvent(v, attrs, p);
      event = r.event;
      if (r.cidMismatch) warn(`the log's community_id ${v.sourceCommunityId} differs from the one computed from its 5-tuple (${event.community_id}); both kept`);
    } else {
      event = logEvent(path, v, attrs, p);
    }
    // Seconds since the capture started, with no -O time-base to date them: off the timeline.
    event.time_quality = time.relative && this.base === null ? 'relative' : time.quality;
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {
    this.tally.end();
  }

  private time(ts: unknown, lineNo: number, offset: number, text: string): { us: number; quality: TimeQuality; relative: boolean } | null {
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    if (typeof ts === 'number' && Number.isFinite(ts)) {
      if (ts < 0) {
        warn(`ts ${ts}: negative time; a record without a time is kept as a warning`);
        return null;
      }
      let us = Math.round(ts * US_PER_SECOND);
      if (ts >= 1e11 && Number.isInteger(ts)) {
        const unit = ts >= 1e17 ? 'ns' : ts >= 1e14 ? 'us' : 'ms';
        us = unit === 'ms' ? ts * 1000 : unit === 'us' ? ts : Math.floor(ts / 1000);
        this.tally.note(`unit-${unit}`, lineNo, offset, text, `ts ${ts} read as ${unit} since the epoch (Zeek writes seconds)`);
      }
      const relative = us < RELATIVE_TIME_LIMIT_US;
      if (relative) {
        this.tally.note('relative', lineNo, offset, text, relativeReason('ts', String(ts), this.base));
        if (this.base !== null) us += this.base;
      }
      return { us, quality: 'exact', relative };
    }
    if (typeof ts === 'string') {
      const r = parseIsoMicros(ts.trim(), this.ctx.options.tz);
      if (r) return { us: r.us, quality: r.zoned ? 'exact' : 'zone_assumed', relative: false };
      warn(`ts ${JSON.stringify(ts).slice(0, 40)}: not a time; a record without a time is kept as a warning`);
      return null;
    }
    warn(ts === undefined ? 'record has no ts; kept as a warning' : `ts ${JSON.stringify(ts).slice(0, 40)}: not a time; kept as a warning`);
    return null;
  }
}
