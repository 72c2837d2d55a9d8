/**
 * Zeek logs as JSON lines, as Zeek writes them (LogAscii::use_json: dotted keys, `ts` as epoch
 * seconds or ISO 8601) and as sensor platforms and shippers hand them over: underscored keys
 * (`id_orig_h`), a nested `id`, platform fields (`_path`, `_system_name`, `_write_ts`, `@stream`,
 * `@system`, `@proc`), lines wrapped in a shipper's `message` / `event.original`, Elasticsearch hits
 * (`_source`) and ECS documents (netflow/zeek-envelope.ts). conn records become `flow` events;
 * ssh, notice, dns and http records dwell's vocabulary (netflow/zeek-logs.ts); any other
 * `zeek_<path>`.
 */
import { basename } from 'node:path';
import { parseJsonObjectLine } from './json-object-line.js';
import type { DwellEvent, TimeQuality } from '../core/event.js';
import { parseIsoMicros, US_PER_SECOND } from '../core/time.js';
import { MAX_WARNING_TEXT, RelativeTimes, Tally } from './netflow/common.js';
import { isIp } from '../core/ip.js';
import { RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import { readZeekJson, VARIANT_NAMES, looksLikeZeek, type ZeekJsonVariant } from './netflow/zeek-envelope.js';
import { attrKey, connEvent, logEvent, relativeReason, timeBase, zeekRole, type ZeekValues } from './netflow/zeek-common.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '{"ts":1718530010.118921,"uid":"Ck3Yxq2Hn3wJ1d2Ae7","id.orig_h":"10.0.1.25","id.orig_p":52114,"id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp","service":"ssl","duration":12.501833,"orig_bytes":4821,"resp_bytes":918223,"conn_state":"SF","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"ShADadFf","orig_pkts":210,"orig_ip_bytes":13241,"resp_pkts":640,"resp_ip_bytes":951519}',
];

export const zeekJson: LineParser = {
  kind: 'lines',
  name: 'zeek_json',
  version: '2',
  source: 'zeek',
  description: 'Zeek logs as JSON lines (native, platform fields, shipper wrappers, ECS; epoch or ISO ts): conn as flows, ssh/notice/dns/http in the vocabulary, others as zeek_<path>',
  samples: SAMPLES,
  sniff: sniffZeekJson,
  open: (ctx) => new ZeekJsonHandler(ctx),
};

function sniffZeekJson(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let zeek = 0;
  const variants = new Map<ZeekJsonVariant, number>();
  // The head's last line may be cut at the sniff limit: it is not held against the file.
  const lines = head.text.length >= 65536 ? head.lines.slice(0, -1) : head.lines;
  for (const line of lines.slice(0, 40)) {
    const t = line.trim();
    if (t === '') continue;
    considered++;
    if (t.charCodeAt(0) !== 123) continue;
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch {
      continue;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) continue;
    const z = readZeekJson(o as Record<string, unknown>);
    if (z.problem || !looksLikeZeek(z.fields, z.path, z.envelope)) continue;
    zeek++;
    variants.set(z.variant, (variants.get(z.variant) ?? 0) + 1);
  }
  if (zeek === 0) return null;
  const share = zeek / considered;
  if (share < 0.5) return null;
  const kinds = [...variants].sort((a, b) => b[1] - a[1]).map(([v]) => VARIANT_NAMES[v]).join('; ');
  return { confidence: Math.round(50 + 40 * share), reason: `${zeek}/${considered} head lines are Zeek JSON records: ${kinds}` };
}

/** Keys whose values are read into event columns (their attrs copies are not needed). */
const COLUMN_ROLES = new Set(['orig_h', 'orig_p', 'resp_h', 'resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts', 'conn_state', 'host', 'community_id', 'ts']);

class ZeekJsonHandler implements LineHandler {
  private readonly tally: Tally;
  private readonly relative: RelativeTimes;
  private readonly variants = new Map<ZeekJsonVariant, number>();
  private readonly base: number | null;
  /** The evidence's base name: names the log when its records do not (ssh.log, dns.json…). */
  private readonly fileName: string;

  constructor(private readonly ctx: ParseContext) {
    this.tally = new Tally(ctx);
    this.relative = new RelativeTimes(ctx);
    this.base = timeBase(ctx);
    this.fileName = basename(ctx.path).toLowerCase();
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
    const z = readZeekJson(parsed.rec);
    this.variants.set(z.variant, (this.variants.get(z.variant) ?? 0) + 1);
    if (z.problem) {
      warn(`${z.problem}: a shipper's record that does not hold a Zeek record; kept as a warning`);
      return 'warning';
    }
    const rec = z.fields;

    const tsField = rec.ts !== undefined ? 'ts' : rec['@timestamp'] !== undefined ? '@timestamp' : 'ts';
    const time = this.time(rec[tsField], tsField, lineNo, offset, text);
    if (!time) return 'warning';

    const byRole: Record<string, unknown> = {};
    const attrs: Record<string, unknown> = {};
    let isConn = false;
    for (const k in rec) {
      const v = rec[k];
      const role = zeekRole(k);
      if (role === 'conn_state' || role === 'orig_bytes' || role === 'orig_pkts') isConn = true;
      if (role === 'uid') {
        if (attrs.uid === undefined) attrs.uid = v;
        if (k !== 'uid') continue;
      } else if (role && byRole[role] === undefined) {
        byRole[role] = v;
        if (COLUMN_ROLES.has(role)) continue;
      }
      if (k === tsField || k === '_path' || k === '@stream') continue;
      attrs[attrKey(k)] = v;
    }
    const path = z.path;
    if (path === 'conn') isConn = true;
    if (z.envelope) {
      attrs.envelope = z.envelope;
      if (byRole.host === undefined) byRole.host = z.envelope['host.name'] ?? z.envelope['agent.hostname'] ?? z.envelope['@system'] ?? z.envelope['_system_name'];
    }
    if (tsField !== 'ts') attrs.time_field = tsField;
    if (time.relative) {
      attrs.relative_time = true;
      if (this.base !== null) attrs.relative_ts = rec[tsField];
    }
    if (typeof rec[tsField] === 'string') attrs.ts_text = rec[tsField];

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
    // ECS writes the duration in nanoseconds.
    else if (byRole.duration === undefined && typeof rec['event.duration'] === 'number' && rec['event.duration'] >= 0) durationUs = Math.round(rec['event.duration'] / 1000);
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
      event = logEvent(path, v, attrs, p, this.fileName);
    }
    // Seconds since the capture started, with no -O time-base to date them: off the timeline.
    event.time_quality = time.relative && this.base === null ? 'relative' : time.quality;
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {
    this.tally.end();
    this.relative.end();
    if (this.variants.size > 0) this.ctx.setFileInfo('zeek_json_variants', Object.fromEntries(this.variants));
  }

  private time(ts: unknown, field: string, lineNo: number, offset: number, text: string): { us: number; quality: TimeQuality; relative: boolean } | null {
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    let us: number;
    let quality: TimeQuality = 'exact';
    if (typeof ts === 'number' && Number.isFinite(ts)) {
      if (ts < 0) {
        warn(`${field} ${ts}: negative time; a record without a time is kept as a warning`);
        return null;
      }
      us = Math.round(ts * US_PER_SECOND);
      if (ts >= 1e11 && Number.isInteger(ts)) {
        const unit = ts >= 1e17 ? 'ns' : ts >= 1e14 ? 'us' : 'ms';
        us = unit === 'ms' ? ts * 1000 : unit === 'us' ? ts : Math.floor(ts / 1000);
        this.tally.note(`unit-${unit}`, lineNo, offset, text, `${field} ${ts} read as ${unit} since the epoch (Zeek writes seconds)`);
      }
    } else if (typeof ts === 'string') {
      const r = parseIsoMicros(ts.trim(), this.ctx.options.tz);
      if (!r) {
        warn(`${field} ${JSON.stringify(ts).slice(0, 40)}: not a time; a record without a time is kept as a warning`);
        return null;
      }
      us = r.us;
      if (!r.zoned) quality = 'zone_assumed';
    } else {
      warn(ts === undefined ? 'record has no ts (nor @timestamp); kept as a warning' : `${field} ${JSON.stringify(ts).slice(0, 40)}: not a time; kept as a warning`);
      return null;
    }
    // ISO times of a relative capture are in 1970 too (json_timestamps = JSON::TS_ISO8601).
    const relative = us >= 0 && us < RELATIVE_TIME_LIMIT_US;
    if (relative) {
      this.relative.note(lineNo, offset, text, relativeReason(field, typeof ts === 'string' ? ts : String(ts), this.base));
      if (this.base !== null) us += this.base;
      else quality = 'relative';
    }
    return { us, quality, relative };
  }
}
