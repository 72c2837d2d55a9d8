/**
 * Suricata eve.json (one JSON object per line). `flow` records (bidirectional: to-server counters
 * were sent by src_ip, the client) and `netflow` records (one direction each) become `flow` events
 * timed by flow.start / flow.end; alerts become `ids_alert` events; every other event type (dns,
 * http, tls, fileinfo, anomaly, stats, …) becomes a `suricata_<type>` event with its payload in
 * attrs, so nothing the sensor wrote is dropped. Timestamps carry offsets (`+0200`).
 */
import { parseJsonObjectLine } from './json-object-line.js';
import type { DwellEvent, EventClass } from '../core/event.js';
import { parseIsoMicros } from '../core/time.js';
import { communityId } from './netflow/community-id.js';
import { flowSummary, MAX_WARNING_TEXT } from './netflow/common.js';
import { isIp, isIPv6 } from '../core/ip.js';
import { normalizeProtocol } from './netflow/protocols.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '{"timestamp":"2024-06-16T11:47:20.399556+0200","flow_id":1548007570151262,"in_iface":"ens4","event_type":"flow","src_ip":"10.0.1.25","src_port":56984,"dest_ip":"198.51.100.7","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":74,"pkts_toclient":56,"bytes_toserver":7626,"bytes_toclient":10780,"start":"2024-06-16T11:42:20.399198+0200","end":"2024-06-16T11:46:20.399556+0200","age":240,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1f","tcp_flags_ts":"1f","tcp_flags_tc":"1b","syn":true,"fin":true,"rst":true,"psh":true,"ack":true,"state":"closed"}}',
];

export const suricataEve: LineParser = {
  kind: 'lines',
  name: 'suricata_eve',
  version: '1',
  source: 'suricata',
  description: 'Suricata eve.json: flow and netflow records as flows, alerts as ids_alert, every other event type kept',
  samples: SAMPLES,
  sniff: sniffEve,
  open: (ctx) => new EveHandler(ctx),
};

function sniffEve(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let eve = 0;
  for (const line of head.lines.slice(0, 40)) {
    const t = line.trim();
    if (t === '') continue;
    considered++;
    if (t.startsWith('{') && /"event_type"\s*:\s*"[a-z0-9_-]+"/.test(t) && /"timestamp"\s*:\s*"\d{4}-/.test(t) && /"(src_ip|flow_id|stats)"\s*:/.test(t)) eve++;
  }
  if (eve === 0) return null;
  const share = eve / considered;
  if (share < 0.5) return null;
  return { confidence: Math.round(55 + 40 * share), reason: `${eve}/${considered} head lines are Suricata eve records (timestamp, event_type, src_ip/flow_id)` };
}

/** Payload keys that are the record's envelope, stored in columns rather than attrs. */
const ENVELOPE = new Set(['timestamp', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'host', 'community_id']);

class EveHandler implements LineHandler {
  private readonly types = new Map<string, number>();

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const t = text.trim();
    if (t.length === 0) return 'blank';
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    const parsed = parseJsonObjectLine<Record<string, any>>(t, 'eve.json holds one object per line');
    if ('reason' in parsed) {
      warn(parsed.reason);
      return 'warning';
    }
    const rec = parsed.rec;
    const type = typeof rec.event_type === 'string' ? rec.event_type : null;
    if (!type) {
      warn('eve record without event_type; kept as a warning');
      return 'warning';
    }
    this.types.set(type, (this.types.get(type) ?? 0) + 1);
    const stamp = this.time(rec.timestamp, 'timestamp', warn);
    if (!stamp) return 'warning';

    const attrs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) if (!ENVELOPE.has(k)) attrs[k] = v;

    const srcIp = addr(rec.src_ip, 'src_ip', attrs);
    const dstIp = addr(rec.dest_ip, 'dest_ip', attrs);
    const srcPort = port(rec.src_port, 'src_port', attrs, warn);
    const dstPort = port(rec.dest_port, 'dest_port', attrs, warn);
    let protoNum = -1;
    let protocol: string | null = null;
    if (typeof rec.proto === 'string' || typeof rec.proto === 'number') {
      const p = normalizeProtocol(String(rec.proto), isIPv6(srcIp));
      protoNum = p.number;
      protocol = p.name;
    }
    // ICMP: the type and code are in icmp_type / icmp_code (src/dest ports are absent).
    const cidSport = protoNum === 1 || protoNum === 58 ? intOrNull(rec.icmp_type) : srcPort;
    const cidDport = protoNum === 1 || protoNum === 58 ? intOrNull(rec.icmp_code) : dstPort;
    const cid = protoNum >= 0 ? communityId(protoNum, srcIp, dstIp, cidSport, cidDport) : null;
    if (typeof rec.community_id === 'string') {
      attrs.source_community_id = rec.community_id;
      if (cid !== null && rec.community_id !== cid) warn(`Suricata's community_id ${rec.community_id} differs from the one computed from the 5-tuple (${cid}); both kept`);
    }

    let ts = stamp.us;
    let tsEnd: number | null = null;
    let action: string;
    let cls: EventClass = 'network_activity';
    let bytesOut: number | null = null;
    let bytesIn: number | null = null;
    let packetsOut: number | null = null;
    let packetsIn: number | null = null;
    let summary: string;
    const flow = rec.flow && typeof rec.flow === 'object' ? (rec.flow as Record<string, unknown>) : null;
    if (type === 'flow' || type === 'netflow') {
      action = 'flow';
      const body = type === 'flow' ? flow : rec.netflow && typeof rec.netflow === 'object' ? (rec.netflow as Record<string, unknown>) : null;
      if (body) {
        const start = body.start !== undefined ? this.time(body.start, `${type}.start`, warn) : null;
        const end = body.end !== undefined ? this.time(body.end, `${type}.end`, warn) : null;
        if (start) ts = start.us;
        if (end) tsEnd = end.us;
        if (type === 'flow') {
          bytesOut = count(body.bytes_toserver, 'flow.bytes_toserver', warn);
          bytesIn = count(body.bytes_toclient, 'flow.bytes_toclient', warn);
          packetsOut = count(body.pkts_toserver, 'flow.pkts_toserver', warn);
          packetsIn = count(body.pkts_toclient, 'flow.pkts_toclient', warn);
        } else {
          bytesOut = count(body.bytes, 'netflow.bytes', warn);
          packetsOut = count(body.pkts, 'netflow.pkts', warn);
        }
      } else warn(`${type} record without its "${type}" object: counters and times unknown`);
      attrs.logged_at = rec.timestamp;
      summary = flowSummary(typeof body?.state === 'string' ? `${type} ${body.state}` : type, protocol, srcIp, srcPort, dstIp, dstPort, bytesOut, bytesIn);
    } else if (type === 'alert') {
      action = 'ids_alert';
      const a = (rec.alert ?? {}) as Record<string, unknown>;
      summary = `alert: ${String(a.signature ?? '?')} (sid ${String(a.signature_id ?? '?')}, severity ${String(a.severity ?? '?')}) ${flowSummary('', protocol, srcIp, srcPort, dstIp, dstPort, null, null).trimStart()}`;
    } else {
      action = 'suricata_' + type.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
      if (type === 'stats') cls = 'system_activity';
      summary = `suricata ${type}` + (srcIp || dstIp ? ` ${flowSummary('', protocol, srcIp, srcPort, dstIp, dstPort, null, null).trimStart()}` : '');
    }

    const event: DwellEvent = {
      ts,
      ts_end: tsEnd,
      time_quality: stamp.quality,
      class: cls,
      action,
      outcome: 'unknown',
      host: typeof rec.host === 'string' && rec.host.length > 0 ? rec.host : null,
      src_ip: srcIp,
      src_port: srcPort,
      dst_ip: dstIp,
      dst_port: dstPort,
      protocol,
      bytes_out: bytesOut,
      bytes_in: bytesIn,
      packets_out: packetsOut,
      packets_in: packetsIn,
      community_id: cid,
      summary,
      attrs,
      line: lineNo,
      byte_offset: offset,
      byte_length: byteLength,
      raw: text,
    };
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {
    this.ctx.setFileInfo('eve_event_types', Object.fromEntries([...this.types].sort((a, b) => b[1] - a[1])));
  }

  private time(v: unknown, name: string, warn: (r: string) => void): { us: number; quality: 'exact' | 'zone_assumed' } | null {
    if (typeof v === 'string') {
      const r = parseIsoMicros(v, this.ctx.options.tz);
      if (r) return { us: r.us, quality: r.zoned ? 'exact' : 'zone_assumed' };
    }
    warn(`${name} ${JSON.stringify(v)?.slice(0, 40) ?? 'missing'}: not a time`);
    return null;
  }
}

function intOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function addr(v: unknown, name: string, attrs: Record<string, unknown>): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && isIp(v)) return v;
  attrs[name] = v;
  return null;
}

function port(v: unknown, name: string, attrs: Record<string, unknown>, warn: (r: string) => void): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535) return v;
  attrs[name] = v;
  warn(`${name} ${JSON.stringify(v).slice(0, 40)}: not a port number; kept in attrs.${name}`);
  return null;
}

function count(v: unknown, name: string, warn: (r: string) => void): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v;
  warn(`${name} ${JSON.stringify(v).slice(0, 40)}: ${typeof v === 'number' && v < 0 ? 'negative counter' : typeof v === 'number' ? 'larger than 2^53, cannot be stored exactly' : 'not a count'}; the raw record keeps it`);
  return null;
}
