/**
 * Argus bidirectional flows as exported by `ra -c , -s …` (the CTU/Stratosphere `.binetflow`
 * files): a header line (`StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,…`), comma-
 * or TAB-separated. Times carry no zone (`--tz` applies, events are `zone_assumed`).
 *
 * Argus counts both directions: SrcBytes / SrcPkts were sent by the source (`bytes_out`,
 * `packets_out`); the destination's share is TotBytes − SrcBytes (`bytes_in`), stored only when
 * both are present. Rows of non-IP traffic (ARP, LLC, Argus management records) keep their
 * addresses (MACs) in attrs.
 */
import type { DwellEvent } from '../core/event.js';
import { communityId } from './netflow/community-id.js';
import { flowSummary, MAX_WARNING_TEXT, Tally } from './netflow/common.js';
import { isIp, isIPv6 } from '../core/ip.js';
import { normalizeProtocol } from './netflow/protocols.js';
import { problem, readCount, readLocalDateTime, readPort, readSeconds, RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLE = [
  'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,Label',
  '2024/06/16 09:37:30.075359,0.699716,tcp,10.0.1.25,52798,   ->,198.51.100.7,443,FSPA_FSPA,0,0,14,9120,1350,6,',
].join('\n');

export const argusFlow: LineParser = {
  kind: 'lines',
  name: 'argus_flow',
  version: '1',
  source: 'argus',
  description: 'Argus bidirectional flows (ra CSV / .binetflow, comma or TAB): zone-less times, --tz applies',
  samples: [SAMPLE],
  sniff: sniffArgus,
  open: (ctx) => new ArgusHandler(ctx),
};

function headerColumns(line: string): string[] | null {
  const sep = line.includes('\t') ? '\t' : ',';
  const cols = line.split(sep).map((c) => c.trim());
  const lower = cols.map((c) => c.toLowerCase());
  return lower.includes('starttime') && lower.includes('srcaddr') && lower.includes('dstaddr') && lower.includes('proto') ? cols : null;
}

function sniffArgus(head: SniffHead): SniffMatch | null {
  const first = head.lines.find((l) => l.trim() !== '');
  if (!first || !headerColumns(first)) return null;
  return { confidence: 90, reason: `Argus flow header (StartTime, Proto, SrcAddr, DstAddr …), ${first.includes('\t') ? 'TAB' : 'comma'}-separated` };
}

const ROLES: Record<string, string> = {
  starttime: 'start', lasttime: 'last', dur: 'dur', proto: 'proto', srcaddr: 'src', sport: 'sport', dir: 'dir', dstaddr: 'dst',
  dport: 'dport', state: 'state', totpkts: 'totpkts', totbytes: 'totbytes', srcbytes: 'srcbytes', srcpkts: 'srcpkts',
  dstbytes: 'dstbytes', dstpkts: 'dstpkts', label: 'label',
};

class ArgusHandler implements LineHandler {
  private sep = ',';
  private cols: string[] | null = null;
  private idx: Record<string, number> = {};
  private extra: Array<[number, string]> = [];
  private headerLine = 0;
  private readonly tally: Tally;

  constructor(private readonly ctx: ParseContext) {
    this.tally = new Tally(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.trim().length === 0) return 'blank';
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    if (!this.cols || text.startsWith('StartTime') || text.startsWith('Start')) {
      const header = headerColumns(text);
      if (header) {
        this.sep = text.includes('\t') ? '\t' : ',';
        this.cols = header;
        this.headerLine = lineNo;
        this.idx = {};
        this.extra = [];
        header.forEach((name, i) => {
          const role = ROLES[name.toLowerCase()];
          if (role && this.idx[role] === undefined) this.idx[role] = i;
          else this.extra.push([i, name.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()]);
        });
        this.ctx.setFileInfo('argus_separator', this.sep === '\t' ? 'TAB' : 'comma');
        return 'meta';
      }
      if (!this.cols) {
        warn('Argus record before the header line: its columns are unknown');
        return 'warning';
      }
    }
    const f = text.split(this.sep);
    if (f.length !== this.cols.length) {
      warn(`record has ${f.length} fields but the header at line ${this.headerLine} names ${this.cols.length}: truncated line or a header that does not match its rows`);
      return 'warning';
    }
    const I = this.idx;
    const get = (role: string): string | null => {
      const i = I[role];
      if (i === undefined) return null;
      const v = f[i]!.trim();
      return v.length === 0 ? null : v;
    };
    const attrs: Record<string, unknown> = {};
    const startText = get('start');
    const parts = startText ? readLocalDateTime(startText) : null;
    const ts = parts ? this.ctx.options.tz.toUtcMicros(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]) : NaN;
    if (Number.isNaN(ts)) {
      warn(`StartTime "${(startText ?? '').slice(0, 40)}": not a time (YYYY/MM/DD HH:MM:SS.ffffff); a flow without a time is kept as a warning`);
      return 'warning';
    }
    if (ts < RELATIVE_TIME_LIMIT_US) {
      this.tally.note('relative', lineNo, offset, text, `StartTime ${startText} is in 1970: a relative time (capture replayed from its start) or a zeroed field; kept as written`);
      attrs.relative_time = true;
    }
    const num = (role: string, reader: (s: string) => number): number | null => {
      const v = get(role);
      if (v === null) return null;
      const n = reader(v);
      if (Number.isNaN(n)) {
        const name = this.cols![I[role]!]!;
        attrs[name] = v;
        warn(`${name} "${v.slice(0, 40)}": ${problem}; kept as text in attrs.${name}`);
        return null;
      }
      return n;
    };
    let tsEnd: number | null = null;
    const lastText = get('last');
    const lastParts = lastText ? readLocalDateTime(lastText) : null;
    if (lastParts) tsEnd = this.ctx.options.tz.toUtcMicros(lastParts[0], lastParts[1], lastParts[2], lastParts[3], lastParts[4], lastParts[5], lastParts[6]);
    else {
      const dur = num('dur', readSeconds);
      if (dur !== null) tsEnd = ts + dur;
    }

    const srcText = get('src');
    const dstText = get('dst');
    const srcIp = srcText !== null && isIp(srcText) ? srcText : null;
    const dstIp = dstText !== null && isIp(dstText) ? dstText : null;
    if (srcText !== null && srcIp === null) attrs.src_addr = srcText;
    if (dstText !== null && dstIp === null) attrs.dst_addr = dstText;
    const protoText = get('proto');
    const proto = protoText ? normalizeProtocol(protoText, isIPv6(srcIp)) : { number: -1, name: null as string | null };
    const isIcmp = proto.number === 1 || proto.number === 58;
    let srcPort: number | null = null;
    let dstPort: number | null = null;
    let cid: string | null = null;
    if (isIcmp) {
      // Argus writes the ICMP type in Sport (hex, 0x0008); Dport is not the code for ICMPv4.
      const sp = get('sport');
      const dp = get('dport');
      if (sp !== null) attrs.sport = sp;
      if (dp !== null) attrs.dport = dp;
      const type = sp !== null ? readPort(sp) : NaN;
      if (!Number.isNaN(type) && type <= 255) {
        attrs.icmp_type = type;
        cid = communityId(proto.number, srcIp, dstIp, type, null);
      }
    } else {
      srcPort = num('sport', readPort);
      dstPort = num('dport', readPort);
      if (proto.number >= 0) cid = communityId(proto.number, srcIp, dstIp, srcPort, dstPort);
    }

    const totBytes = num('totbytes', readCount);
    const totPkts = num('totpkts', readCount);
    const bytesOut = num('srcbytes', readCount);
    const packetsOut = num('srcpkts', readCount);
    let bytesIn = num('dstbytes', readCount);
    let packetsIn = num('dstpkts', readCount);
    if (bytesIn === null && totBytes !== null && bytesOut !== null) bytesIn = totBytes - bytesOut;
    if (packetsIn === null && totPkts !== null && packetsOut !== null) packetsIn = totPkts - packetsOut;
    if (bytesIn !== null && bytesIn < 0) {
      warn(`SrcBytes ${bytesOut} exceeds TotBytes ${totBytes}: destination bytes not stored`);
      bytesIn = null;
    }
    if (packetsIn !== null && packetsIn < 0) {
      warn(`SrcPkts ${packetsOut} exceeds TotPkts ${totPkts}: destination packets not stored`);
      packetsIn = null;
    }
    if (totBytes !== null) attrs.total_bytes = totBytes;
    if (totPkts !== null) attrs.total_packets = totPkts;
    const dir = get('dir');
    if (dir !== null) attrs.flow_direction = dir;
    const state = get('state');
    if (state !== null) attrs.state = state;
    const label = get('label');
    if (label !== null) attrs.label = label;
    for (const [i, key] of this.extra) {
      const v = f[i]!.trim();
      if (v.length > 0) attrs[key] = v;
    }

    const event: DwellEvent = {
      ts,
      ts_end: tsEnd,
      // A replayed capture's clock starts at 0: off the timeline (NetFlow and VPC exporters have
      // real clocks, so their 1970 times are zeroed fields, found implausible at ingest).
      time_quality: attrs.relative_time === true ? 'relative' : 'zone_assumed',
      class: 'network_activity',
      action: 'flow',
      outcome: 'unknown',
      host: null,
      src_ip: srcIp,
      src_port: srcPort,
      dst_ip: dstIp,
      dst_port: dstPort,
      protocol: proto.name,
      bytes_out: bytesOut,
      bytes_in: bytesIn,
      packets_out: packetsOut,
      packets_in: packetsIn,
      community_id: cid,
      summary: flowSummary(state ?? 'flow', proto.name, srcIp ?? srcText, srcPort, dstIp ?? dstText, dstPort, bytesOut, bytesIn),
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
    this.tally.end();
  }
}
