/**
 * What Zeek's TSV and JSON logs share: column names (canonical, renamed with Log::field_name_map,
 * or with `_` instead of `.` as some exporters write them), the conn.log → event mapping, and the
 * event for any other Zeek log (`zeek_<path>`).
 *
 * conn.log is written from the originator's side: orig_bytes / orig_pkts were sent by id.orig_h
 * (`bytes_out` / `packets_out`), resp_bytes / resp_pkts by id.resp_h (`bytes_in` / `packets_in`).
 */
import type { DwellEvent } from '../../core/event.js';
import { parseIsoMicros, US_PER_SECOND } from '../../core/time.js';
import type { ParseContext } from '../types.js';
import { communityId } from './community-id.js';
import { connStateOutcome, endpoint, flowSummary } from './common.js';
import { isIPv6 } from '../../core/ip.js';
import { normalizeProtocol, protocolName } from './protocols.js';
import { mapZeekLog, zeekLogOf } from './zeek-logs.js';

/** Role → the column names Zeek and its exporters use for it. */
export const ZEEK_ALIASES: Record<string, readonly string[]> = {
  ts: ['ts'],
  uid: ['uid', 'log.id.uid', 'zeek.session_id'],
  // The ECS names (source.ip, …) are those of Zeek records shipped as ECS documents (Security Onion, Elastic's integration).
  orig_h: ['id.orig_h', 'id_orig_h', 'src', 'orig_h', 'src_ip', 'source.ip'],
  orig_p: ['id.orig_p', 'id_orig_p', 'src_port', 'orig_p', 'srcport', 'source.port'],
  resp_h: ['id.resp_h', 'id_resp_h', 'dst', 'resp_h', 'dst_ip', 'destination.ip'],
  resp_p: ['id.resp_p', 'id_resp_p', 'dst_port', 'resp_p', 'dstport', 'destination.port'],
  proto: ['proto', 'network.transport'],
  ip_proto: ['ip_proto'],
  duration: ['duration'],
  orig_bytes: ['orig_bytes', 'source.bytes'],
  resp_bytes: ['resp_bytes', 'destination.bytes'],
  orig_pkts: ['orig_pkts', 'source.packets'],
  resp_pkts: ['resp_pkts', 'destination.packets'],
  conn_state: ['conn_state', 'connection.state', 'zeek.connection.state'],
  community_id: ['community_id', 'network.community_id'],
  host: ['_system_name', '_node_name', '@system', 'peer_descr', 'peer', 'observer.name', 'observer.hostname'],
};

const ROLE_OF = new Map<string, string>();
for (const [role, names] of Object.entries(ZEEK_ALIASES)) for (const n of names) ROLE_OF.set(n, role);

/** The role of a column name, or undefined for columns kept in attrs. */
export function zeekRole(name: string): string | undefined {
  return ROLE_OF.get(name);
}

/** conn.log (by its columns: any log with conn_state or orig/resp counters is a connection log). */
export function isConnFields(names: Iterable<string>): boolean {
  for (const n of names) if (n === 'conn_state' || n === 'orig_pkts' || n === 'orig_bytes') return true;
  return false;
}

/** attrs key for a Zeek column: dots become underscores (`id.vlan` → `id_vlan`). */
export function attrKey(name: string): string {
  return name.indexOf('.') >= 0 ? name.replace(/\./g, '_') : name;
}

export interface ZeekValues {
  ts: number;
  durationUs: number | null;
  srcIp: string | null;
  srcPort: number | null;
  dstIp: string | null;
  dstPort: number | null;
  proto: string | null;
  ipProto: number | null;
  origBytes: number | null;
  respBytes: number | null;
  origPkts: number | null;
  respPkts: number | null;
  connState: string | null;
  host: string | null;
  sourceCommunityId: string | null;
}

export interface Provenance {
  line: number;
  offset: number;
  length: number;
  raw: string;
}

/** Protocol name and number of a Zeek record (`proto`, refined by `ip_proto` when present). */
export function zeekProtocol(v: ZeekValues): { number: number; name: string | null } {
  if (v.proto === null) return v.ipProto !== null ? { number: v.ipProto, name: protocolName(v.ipProto) } : { number: -1, name: null };
  const p = normalizeProtocol(v.proto, isIPv6(v.srcIp));
  if (p.number < 0 && v.ipProto !== null) return { number: v.ipProto, name: protocolName(v.ipProto) };
  return p;
}

/** A conn.log record → a `flow` event. Returns the event and whether a Community ID the log carried differs from ours. */
export function connEvent(v: ZeekValues, attrs: Record<string, unknown>, p: Provenance): { event: DwellEvent; cidMismatch: boolean } {
  const proto = zeekProtocol(v);
  const cid = proto.number >= 0 ? communityId(proto.number, v.srcIp, v.dstIp, v.srcPort, v.dstPort) : null;
  const event: DwellEvent = {
    ts: v.ts,
    ts_end: v.durationUs !== null ? v.ts + v.durationUs : null,
    time_quality: 'exact',
    class: 'network_activity',
    action: 'flow',
    outcome: connStateOutcome(v.connState, proto.number),
    host: v.host,
    src_ip: v.srcIp,
    src_port: v.srcPort,
    dst_ip: v.dstIp,
    dst_port: v.dstPort,
    protocol: proto.name,
    bytes_out: v.origBytes,
    bytes_in: v.respBytes,
    packets_out: v.origPkts,
    packets_in: v.respPkts,
    community_id: cid,
    summary: flowSummary(v.connState ?? 'conn', proto.name, v.srcIp, v.srcPort, v.dstIp, v.dstPort, v.origBytes, v.respBytes),
    attrs,
    line: p.line,
    byte_offset: p.offset,
    byte_length: p.length,
    raw: p.raw,
  };
  if (v.connState !== null) attrs.conn_state = v.connState;
  if (v.sourceCommunityId !== null) attrs.source_community_id = v.sourceCommunityId;
  return { event, cidMismatch: v.sourceCommunityId !== null && cid !== null && v.sourceCommunityId !== cid };
}

/**
 * Any other Zeek log: ssh, notice, dns and http in dwell's vocabulary (zeek-logs.ts), the rest (ssl,
 * kerberos, …) as `zeek_<path>` events; every field in attrs. `fileName` (the evidence's base name)
 * names the log when neither a path nor the fields do.
 */
export function logEvent(path: string | null, v: ZeekValues, attrs: Record<string, unknown>, p: Provenance, fileName = ''): DwellEvent {
  const proto = zeekProtocol(v);
  const name = path ? 'zeek_' + path.toLowerCase().replace(/[^a-z0-9_]+/g, '_') : 'zeek_log';
  const cid = proto.number >= 0 ? communityId(proto.number, v.srcIp, v.dstIp, v.srcPort, v.dstPort) : null;
  let summary = `zeek ${path ?? 'log'}`;
  if (v.srcIp || v.dstIp) summary += ` ${endpoint(v.srcIp, v.srcPort)} -> ${endpoint(v.dstIp, v.dstPort)}`;
  if (typeof attrs.uid === 'string') summary += ` ${attrs.uid}`;
  const event: DwellEvent = {
    ts: v.ts,
    ts_end: v.durationUs !== null ? v.ts + v.durationUs : null,
    time_quality: 'exact',
    class: 'network_activity',
    action: name,
    outcome: 'unknown',
    host: v.host,
    src_ip: v.srcIp,
    src_port: v.srcPort,
    dst_ip: v.dstIp,
    dst_port: v.dstPort,
    protocol: proto.name,
    community_id: cid,
    summary,
    attrs,
    line: p.line,
    byte_offset: p.offset,
    byte_length: p.length,
    raw: p.raw,
  };
  const kind = zeekLogOf(path, attrs, fileName);
  if (kind) mapZeekLog(kind, event, attrs);
  return event;
}

/** Seconds (Zeek `interval`) → microseconds. */
export function intervalUs(seconds: number): number {
  return Math.round(seconds * US_PER_SECOND);
}

/**
 * `-O time-base=2020-10-06T17:32:56Z`: the capture start for logs whose ts is relative (Zeek run
 * on a pcap with relative times). Returns microseconds, or null when not given; an unreadable
 * value is reported once and ignored.
 */
export function timeBase(ctx: ParseContext): number | null {
  const text = ctx.options.extra['time-base'];
  if (text === undefined) return null;
  const r = parseIsoMicros(text.trim());
  if (r && r.zoned) return r.us;
  ctx.warn({ line: 0, byte_offset: 0, raw: text.slice(0, 100), reason: `-O time-base=${text} is not an ISO 8601 time with a zone (e.g. 2020-10-06T17:32:56Z); relative times are kept as written` });
  return null;
}

export function relativeReason(field: string, value: string, base: number | null): string {
  return base === null
    ? `${field} ${value} is in 1970: a relative time (seconds since the capture started, as when a pcap is replayed); kept as written with time_quality = relative, which the default timeline, exports and answers leave out (--include-relative shows them); -O time-base=<capture start> dates such records`
    : `${field} ${value} is in 1970: read as relative to -O time-base (attrs.relative_time = true, attrs.relative_ts keeps the value written)`;
}
