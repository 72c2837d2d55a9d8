/**
 * NetFlow/IPFIX records exported with `nfdump -r <file> -o csv`: a header line (`ts,te,td,sa,da,
 * sp,dp,pr,flg,…`), one flow per line, then a trailing `Summary` block (`Summary` /
 * `flows,bytes,packets,…` / values) that is not flow data: it is kept as meta lines and its totals
 * are checked against the records read.
 *
 * nfdump writes times without a zone (in the TZ of the machine that ran it): `--tz` applies and
 * the events are `zone_assumed`. A NetFlow record is one direction: its input counters (ibyt, ipkt)
 * were sent by the source address (`bytes_out`, `packets_out`); output counters (obyt, opkt) go to
 * attrs, as they are egress-interface counters in NetFlow v9 and reverse-direction only in NSEL.
 */
import type { DwellEvent } from '../core/event.js';
import { communityId } from './netflow/community-id.js';
import { flowSummary, MAX_WARNING_TEXT, Tally } from './netflow/common.js';
import { isIp, isIPv6 } from '../core/ip.js';
import { normalizeProtocol } from './netflow/protocols.js';
import { problem, readCount, readLocalDateTime, readPort, readSeconds, RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLE = [
  'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr',
  '2024-06-16 09:37:30,2024-06-16 09:37:31,0.512,10.0.1.25,198.51.100.7,52324,443,TCP,...AP.S.,0,0,12,4096,0,0,3,5,0,0,24,0,0,1,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,192.0.2.1,0/0,1,1970-01-01 00:00:00.000',
].join('\n');

export const nfdumpCsv: LineParser = {
  kind: 'lines',
  name: 'nfdump_csv',
  version: '1',
  source: 'nfdump',
  description: 'NetFlow/IPFIX flows exported with nfdump -o csv (zone-less times: --tz applies)',
  samples: [SAMPLE],
  sniff: sniffNfdump,
  open: (ctx) => new NfdumpHandler(ctx),
};

function sniffNfdump(head: SniffHead): SniffMatch | null {
  const first = head.lines.find((l) => l.trim() !== '');
  if (!first) return null;
  if (/^ts,te,td,sa,da,sp,dp,pr(,|$)/.test(first.trim())) return { confidence: 95, reason: 'nfdump CSV header (ts,te,td,sa,da,sp,dp,pr,…)' };
  return null;
}

/** Column roles by nfdump's CSV names (1.6 / 1.7). */
const ROLES: Record<string, string> = {
  ts: 'ts', te: 'te', td: 'td', sa: 'sa', da: 'da', sp: 'sp', dp: 'dp', pr: 'pr', ipkt: 'ipkt', ibyt: 'ibyt', ra: 'ra',
};

/** attrs names for the other columns (nfdump's terse names spelled out). */
const ATTR_NAMES: Record<string, string> = {
  flg: 'tcp_flags', fwd: 'forwarding_status', stos: 'src_tos', dtos: 'dst_tos', opkt: 'out_packets', obyt: 'out_bytes',
  in: 'input_interface', out: 'output_interface', sas: 'src_as', das: 'dst_as', smk: 'src_mask', dmk: 'dst_mask', dir: 'flow_direction',
  nh: 'next_hop', nhb: 'bgp_next_hop', svln: 'src_vlan', dvln: 'dst_vlan', ismc: 'in_src_mac', odmc: 'out_dst_mac',
  idmc: 'in_dst_mac', osmc: 'out_src_mac', cl: 'client_latency_ms', sl: 'server_latency_ms', al: 'app_latency_ms',
  eng: 'engine', exid: 'exporter_id', tr: 'received_at',
};

/** Values that say "not set" in nfdump's CSV: all-zero addresses, MACs, MPLS labels and latencies. */
function isEmptyValue(v: string): boolean {
  return v === '' || v === '0' || v === '0.0.0.0' || v === '::' || v === '00:00:00:00:00:00' || v === '0-0-0' || v === '0.000' || v === '1970-01-01 00:00:00.000';
}

class NfdumpHandler implements LineHandler {
  private cols: string[] | null = null;
  private idx: Record<string, number> = {};
  private extra: Array<[number, string]> = [];
  private headerLine = 0;
  private inSummary = false;
  private summaryHeader: string[] | null = null;
  private records = 0;
  private readonly tally: Tally;

  constructor(private readonly ctx: ParseContext) {
    this.tally = new Tally(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.trim().length === 0) return 'blank';
    const warn = (reason: string) => this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
    if (this.inSummary) return this.summary(text, lineNo, offset);
    if (text === 'Summary' || text.startsWith('Summary,')) {
      this.inSummary = true;
      return 'meta';
    }
    const f = text.split(',');
    if (f[0] === 'ts' && f.includes('sa')) {
      this.cols = f;
      this.headerLine = lineNo;
      this.idx = {};
      this.extra = [];
      f.forEach((name, i) => {
        const role = ROLES[name];
        if (role && this.idx[role] === undefined) this.idx[role] = i;
        else this.extra.push([i, ATTR_NAMES[name] ?? name]);
      });
      return 'meta';
    }
    if (!this.cols) {
      warn('nfdump record before the CSV header line: its columns are unknown');
      return 'warning';
    }
    if (f.length !== this.cols.length) {
      warn(`record has ${f.length} fields but the header at line ${this.headerLine} names ${this.cols.length}: truncated line or a header that does not match its rows`);
      return 'warning';
    }
    const I = this.idx;
    const tz = this.ctx.options.tz;
    const time = (role: string): number => {
      const i = I[role];
      if (i === undefined) return NaN;
      const p = readLocalDateTime(f[i]!.trim());
      if (!p) return NaN;
      return tz.toUtcMicros(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
    };
    let ts = time('ts');
    let tsEnd = time('te');
    if (Number.isNaN(ts)) {
      if (Number.isNaN(tsEnd)) {
        warn(`ts "${I.ts !== undefined ? f[I.ts] : ''}": not a time (YYYY-MM-DD HH:MM:SS[.mmm]); a flow without a time is kept as a warning`);
        return 'warning';
      }
      ts = tsEnd;
    }
    if (Number.isNaN(tsEnd) && I.td !== undefined) {
      const d = readSeconds(f[I.td]!);
      tsEnd = Number.isNaN(d) ? NaN : ts + d;
    }
    const attrs: Record<string, unknown> = {};
    if (ts < RELATIVE_TIME_LIMIT_US) {
      this.tally.note('relative', lineNo, offset, text, `ts ${f[I.ts!]} is in 1970: not a real date (relative time or a zeroed field); kept as written`);
      attrs.relative_time = true;
    }
    for (const [i, key] of this.extra) {
      const v = f[i]!.trim();
      if (key === 'flow_direction') attrs[key] = v === '0' ? 'ingress' : v === '1' ? 'egress' : v;
      else if (!isEmptyValue(v)) attrs[key] = v;
    }
    const ip = (role: string, name: string): string | null => {
      const i = I[role];
      if (i === undefined) return null;
      const v = f[i]!.trim();
      if (isIp(v)) return v;
      if (v !== '') attrs[name] = v;
      return null;
    };
    const srcIp = ip('sa', 'src_addr');
    const dstIp = ip('da', 'dst_addr');
    const proto = I.pr !== undefined ? normalizeProtocol(f[I.pr]!.trim(), isIPv6(srcIp)) : { number: -1, name: null as string | null };
    const num = (role: string, name: string, reader: (s: string) => number): number | null => {
      const i = I[role];
      if (i === undefined) return null;
      const v = f[i]!.trim();
      const n = reader(v);
      if (Number.isNaN(n)) {
        attrs[name] = v;
        warn(`${name} "${v.slice(0, 40)}": ${problem}; kept as text in attrs.${name}`);
        return null;
      }
      return n;
    };
    let srcPort = num('sp', 'sp', readPort);
    let dstPort = num('dp', 'dp', readPort);
    let cidSport = srcPort;
    let cidDport = dstPort;
    if (proto.number === 1 || proto.number === 58) {
      // nfdump keeps ICMP type and code in the destination port: type × 256 + code ("8.0" in some exports).
      const dpText = I.dp !== undefined ? f[I.dp]!.trim() : '';
      const dot = dpText.indexOf('.');
      const type = dot > 0 ? Number(dpText.slice(0, dot)) : dstPort !== null ? dstPort >> 8 : NaN;
      const code = dot > 0 ? Number(dpText.slice(dot + 1)) : dstPort !== null ? dstPort & 255 : NaN;
      if (Number.isInteger(type) && Number.isInteger(code)) {
        attrs.icmp_type = type;
        attrs.icmp_code = code;
        cidSport = type;
        cidDport = code;
      } else cidSport = cidDport = null;
      srcPort = dstPort = null;
    }
    const bytesOut = num('ibyt', 'ibyt', readCount);
    const packetsOut = num('ipkt', 'ipkt', readCount);
    const host = I.ra !== undefined && !isEmptyValue(f[I.ra]!.trim()) ? f[I.ra]!.trim() : null;
    const cid = proto.number >= 0 ? communityId(proto.number, srcIp, dstIp, cidSport, cidDport) : null;
    const event: DwellEvent = {
      ts,
      ts_end: Number.isNaN(tsEnd) ? null : tsEnd,
      time_quality: 'zone_assumed',
      class: 'network_activity',
      action: 'flow',
      outcome: 'unknown',
      host,
      src_ip: srcIp,
      src_port: srcPort,
      dst_ip: dstIp,
      dst_port: dstPort,
      protocol: proto.name,
      bytes_out: bytesOut,
      packets_out: packetsOut,
      community_id: cid,
      summary: flowSummary('flow', proto.name, srcIp, srcPort, dstIp, dstPort, bytesOut, null),
      attrs,
      line: lineNo,
      byte_offset: offset,
      byte_length: byteLength,
      raw: text,
    };
    this.records++;
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {
    this.tally.end();
  }

  /** The trailing Summary block: its header and values are meta; the flow total is checked. */
  private summary(text: string, lineNo: number, offset: number): LineDisposition {
    const f = text.split(',');
    if (!this.summaryHeader) {
      this.summaryHeader = f;
      return 'meta';
    }
    const totals: Record<string, number | string> = {};
    this.summaryHeader.forEach((k, i) => {
      const n = Number(f[i]);
      totals[k] = Number.isFinite(n) ? n : (f[i] ?? '');
    });
    this.ctx.setFileInfo('nfdump_summary', totals);
    if (typeof totals.flows === 'number' && totals.flows !== this.records) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `nfdump's summary counts ${totals.flows} flows but ${this.records} flow records were read` });
    }
    this.summaryHeader = null;
    return 'meta';
  }
}
