/**
 * The kernel's netfilter LOG / NFLOG text (iptables `-j LOG`, nftables `log`, ufw, firewalld,
 * DShield sensors): `[PREFIX ]IN=eth0 OUT= MAC=… SRC=a DST=b LEN=40 … PROTO=TCP SPT=1 DPT=2 … SYN`.
 *
 * One function reads the message wherever it is carried — a kern.log / syslog line (auth_log), a
 * journald entry, a DShield firewall log (epoch-prefixed) — so each gives the same `flow` event:
 * one logged packet (attrs.packet_log), src = sender, bytes_out = the IP packet length. Whether the
 * rule then dropped or accepted it is not in the line (the prefix usually says, and is kept).
 *
 * The message is attacker-influenced (addresses, and any text a crafted packet puts in a prefix):
 * it is split on spaces, never matched with backtracking patterns.
 */
import { isIp, isIPv6 } from '../../core/ip.js';
import { communityId } from '../netflow/community-id.js';
import { flowSummary } from '../netflow/common.js';
import { normalizeProtocol } from '../netflow/protocols.js';

export interface NetfilterPacket {
  /** The rule's log prefix (`DSHIELDINPUT`, `[UFW BLOCK]`), or null. */
  prefix: string | null;
  /** Kernel uptime stamp `[10972.923460]` when the message carried one (seconds since boot). */
  uptime: number | null;
  src_ip: string;
  dst_ip: string;
  src_port: number | null;
  dst_port: number | null;
  protocol: string | null;
  /** IP packet length (LEN= before PROTO=). */
  bytes: number | null;
  community_id: string | null;
  summary: string;
  /** Every KEY=VALUE of the line (lower-cased keys; transport-layer duplicates as `proto_<key>`) and the flags. */
  attrs: Record<string, unknown>;
}

const UPTIME = /^\[\s*(\d{1,12}\.\d{1,9})\]\s*/;
const IP_FLAGS = new Set(['DF', 'MF', 'CE']);

/** The packet a netfilter LOG message describes, or null when the message is not one. */
export function parseNetfilterMessage(message: string): NetfilterPacket | null {
  let text = message;
  let uptime: number | null = null;
  const up = UPTIME.exec(text);
  if (up) {
    uptime = Number(up[1]);
    text = text.slice(up[0].length);
  }
  // The rule's prefix is free text up to the first `IN=` token.
  let at = -1;
  if (text.startsWith('IN=')) at = 0;
  else {
    const i = text.indexOf(' IN=');
    if (i >= 0) at = i + 1;
  }
  if (at < 0) return null;
  const prefix = text.slice(0, at).trim() || null;
  const fields: Record<string, string> = {};
  const ipFlags: string[] = [];
  const l4Flags: string[] = [];
  let afterProto = false;
  for (const tok of text.slice(at).split(' ')) {
    if (tok === '') continue;
    const eq = tok.indexOf('=');
    if (eq <= 0) {
      (afterProto || !IP_FLAGS.has(tok) ? l4Flags : ipFlags).push(tok);
      continue;
    }
    const key = tok.slice(0, eq).toLowerCase();
    const value = tok.slice(eq + 1);
    if (key === 'proto') afterProto = true;
    // UDP and ICMP repeat LEN= and ID= for their own header: kept apart from the IP header's.
    fields[key in fields ? `proto_${key}` : key] = value;
  }
  const src = fields.src;
  const dst = fields.dst;
  if (!isIp(src) || !isIp(dst)) return null;
  const v6 = isIPv6(src);
  let protoNum = -1;
  let protocol: string | null = null;
  if (fields.proto) {
    const p = normalizeProtocol(fields.proto, v6);
    protoNum = p.number;
    protocol = p.name;
  }
  const icmp = protoNum === 1 || protoNum === 58;
  const srcPort = icmp ? null : port(fields.spt);
  const dstPort = icmp ? null : port(fields.dpt);
  const bytes = count(fields.len);
  const cid = protoNum >= 0 ? communityId(protoNum, src, dst, icmp ? port(fields.type) : srcPort, icmp ? port(fields.code) : dstPort) : null;
  const attrs: Record<string, unknown> = { packet_log: true };
  if (prefix) attrs.log_prefix = prefix;
  if (uptime !== null) attrs.kernel_uptime_s = uptime;
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'src' || k === 'dst' || k === 'spt' || k === 'dpt') continue;
    if (v === '') continue;
    attrs[k === 'in' ? 'in_iface' : k === 'out' ? 'out_iface' : k] = v;
  }
  if (ipFlags.length) attrs.ip_flags = ipFlags.join(' ');
  if (l4Flags.length) attrs[protoNum === 6 ? 'tcp_flags' : 'flags'] = l4Flags.join(' ');
  const where = fields.in ? ` in ${fields.in}` : fields.out ? ` out ${fields.out}` : '';
  const flags = protoNum === 6 && l4Flags.length ? ` ${l4Flags.filter((f) => /^(SYN|ACK|FIN|RST|PSH|URG)$/.test(f)).join(',')}` : '';
  const summary = `${flowSummary(`firewall logged${prefix ? ` ${prefix}` : ''}${where}:`, protocol, src, srcPort, dst, dstPort, null, null)}${flags}`;
  return { prefix, uptime, src_ip: src, dst_ip: dst, src_port: srcPort, dst_port: dstPort, protocol, bytes, community_id: cid, summary, attrs };
}

function port(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

function count(s: string | undefined): number | null {
  return s !== undefined && /^\d{1,9}$/.test(s) ? Number(s) : null;
}
