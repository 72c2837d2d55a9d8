/**
 * AWS VPC flow logs (format versions 2–8) and Transit Gateway flow logs, as delivered to S3
 * (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/*.log.gz`, header line first) or exported
 * from CloudWatch Logs (no header; optionally each line prefixed with the ingestion time).
 *
 * One record = traffic in one direction between two endpoints during an aggregation window: the
 * record's bytes and packets were sent by `srcaddr`, so they are `bytes_out` / `packets_out`.
 * NODATA and SKIPDATA records say that nothing was logged for the window; they are kept as
 * `flow_log_nodata` / `flow_log_skipdata` events with the window as ts / ts_end, because a report
 * must be able to say when the logs are silent.
 */
import type { DwellEvent, Outcome } from '../core/event.js';
import { US_PER_SECOND } from '../core/time.js';
import { communityId } from './netflow/community-id.js';
import { acceptOutcome, flowSummary, MAX_WARNING_TEXT, Tally } from './netflow/common.js';
import { isIp } from '../core/ip.js';
import { protocolName, protocolNumber } from './netflow/protocols.js';
import { epochUnit, problem, readCount, readEpoch, readPort, RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import { HEADERLESS_LAYOUTS, KNOWN_FIELDS, NUMERIC_ATTR_FIELDS, parseFieldList, TGW_FIELDS } from './netflow/vpc-fields.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '2 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.25 198.51.100.7 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK',
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 123456789010 eni-0a1b2c3d4e5f60718 203.0.113.12 10.0.1.25 0 0 1 4 336 1718530027 1718530042 REJECT OK',
];

export const vpcFlow: LineParser = {
  kind: 'lines',
  name: 'vpc_flow',
  version: '1',
  source: 'vpc_flow',
  description: 'AWS VPC flow logs (v2–v8, default or custom format, with or without header) and Transit Gateway flow logs',
  samples: SAMPLES,
  sniff: sniffVpc,
  open: (ctx) => new VpcHandler(ctx),
};

/** A layout compiled to column indices (-1 = absent) and the fields kept in attrs. */
interface Layout {
  n: number;
  origin: string;
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: number;
  status: number;
  instance: number;
  iface: number;
  ecsInstance: number;
  tgwAttachment: number;
  tgw: number;
  /** [column, attrs key, numeric] for every other field. */
  extra: Array<[number, string, boolean]>;
  tgwFormat: boolean;
}

/** Fields that become columns; every other field goes to attrs (under its name with `_`). */
export const STORED_AS_COLUMNS = new Set(['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end']);

function compile(fields: string[], origin: string): Layout {
  const at = (name: string) => fields.indexOf(name);
  const extra: Array<[number, string, boolean]> = [];
  fields.forEach((f, i) => {
    if (!STORED_AS_COLUMNS.has(f)) extra.push([i, f.replace(/-/g, '_'), NUMERIC_ATTR_FIELDS.has(f)]);
  });
  return {
    n: fields.length,
    origin,
    src: at('srcaddr'),
    dst: at('dstaddr'),
    sport: at('srcport'),
    dport: at('dstport'),
    proto: at('protocol'),
    packets: at('packets'),
    bytes: at('bytes'),
    start: at('start'),
    end: at('end'),
    action: at('action'),
    status: at('log-status'),
    instance: at('instance-id'),
    iface: at('interface-id'),
    ecsInstance: at('ecs-container-instance-id'),
    tgwAttachment: at('tgw-attachment-id'),
    tgw: at('tgw-id'),
    extra,
    tgwFormat: fields.includes('tgw-id') || fields.includes('tgw-attachment-id'),
  };
}

const HEADERLESS = new Map<number, Layout>([...HEADERLESS_LAYOUTS].map(([n, l]) => [n, compile(l.fields, `no header: ${l.name}`)]));
/** How the evidence row names the header-less Transit Gateway layout (`info.vpc_format.origin`). */
export const TGW_ORIGIN = 'no header: Transit Gateway default format (36 fields)';
const TGW_LAYOUT = compile(TGW_FIELDS, TGW_ORIGIN);

/** A header line: field names only, at least three of them known VPC/TGW fields. */
export function isHeader(tokens: string[]): boolean {
  let known = 0;
  for (const t of tokens) {
    const c = t.charCodeAt(0);
    if (c < 97 || c > 122) return false;
    for (let i = 1; i < t.length; i++) {
      const d = t.charCodeAt(i);
      if (!((d >= 97 && d <= 122) || (d >= 48 && d <= 57) || d === 45)) return false;
    }
    if (KNOWN_FIELDS.has(t)) known++;
  }
  return known >= 3;
}

/** CloudWatch Logs exports prefix each line with the ingestion time: `2019-08-26T19:47:55.000Z `. */
export function isCloudWatchStamp(t: string): boolean {
  return t.length >= 20 && t.charCodeAt(4) === 45 && t.charCodeAt(7) === 45 && t.charCodeAt(10) === 84 && t.charCodeAt(t.length - 1) === 90;
}

const LOG_STATUS = new Set(['OK', 'NODATA', 'SKIPDATA']);

function looksLikeRecord(line: string): boolean {
  let tokens = line.split(' ');
  if (tokens.length > 0 && isCloudWatchStamp(tokens[0]!)) tokens = tokens.slice(1);
  if (tokens.length < 6) return false;
  let status = false;
  let epochs = 0;
  let aws = false;
  for (const t of tokens) {
    if (LOG_STATUS.has(t)) status = true;
    else if (t.length === 10 && t.charCodeAt(0) === 49 && /^\d{10}$/.test(t)) epochs++;
    else if (/^(eni|tgw|vpc|subnet|i)-[0-9a-z]+/.test(t) || /^\d{12}$/.test(t)) aws = true;
  }
  return status && epochs >= 1 && (aws || epochs >= 2);
}

function sniffVpc(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let headers = 0;
  let records = 0;
  for (const line of head.lines.slice(0, 40)) {
    if (line.trim() === '') continue;
    considered++;
    if (isHeader(line.split(' '))) headers++;
    else if (looksLikeRecord(line)) records++;
  }
  if (considered === 0 || records + headers === 0) return null;
  const share = (records + headers) / considered;
  if (share < 0.5) return null;
  const s3Name = /_vpcflowlogs_|vpcflowlogs|flowlog|flow-log|tgw/i.test(head.path);
  const confidence = Math.round(50 + 40 * share + (s3Name ? 5 : 0));
  return {
    confidence: Math.min(confidence, 95),
    reason: `${records} VPC flow records${headers ? ` and ${headers} header line(s)` : ''} in ${considered} head lines${s3Name ? ', flow log file name' : ''}`,
  };
}

class VpcHandler implements LineHandler {
  private layout: Layout | null = null;
  private headerText = '';
  private headerLine = 0;
  private readonly forced: Layout | null;
  private readonly tally: Tally;
  private headerlessNoted = false;

  constructor(private readonly ctx: ParseContext) {
    this.tally = new Tally(ctx);
    const opt = ctx.options.extra['vpc-fields'];
    this.forced = opt ? compile(parseFieldList(opt), '-O vpc-fields') : null;
    if (this.forced) ctx.setFileInfo('vpc_format', { origin: '-O vpc-fields', fields: parseFieldList(opt!) });
    const s3 = s3Layout(ctx.path);
    if (s3) ctx.setFileInfo('s3_layout', s3);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.length === 0) return 'blank';
    let tokens = text.split(' ');
    if (tokens.indexOf('') >= 0) {
      const t = text.trim();
      if (t.length === 0) return 'blank';
      tokens = t.split(/\s+/);
    }
    let cloudWatchTs: string | null = null;
    if (isCloudWatchStamp(tokens[0]!)) {
      cloudWatchTs = tokens[0]!;
      tokens = tokens.slice(1);
      if (tokens.length === 0) {
        this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'CloudWatch ingestion time without a flow record' });
        return 'warning';
      }
    }
    const c0 = tokens[0]!.charCodeAt(0);
    if (c0 >= 97 && c0 <= 122 && isHeader(tokens)) return this.header(text, tokens, lineNo);

    const layout = this.forced ?? this.layout ?? this.headerless(tokens);
    if (!layout) {
      this.ctx.warn({
        line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
        reason: `no header line and ${tokens.length} fields match no default VPC or Transit Gateway flow log format; give the format with -O vpc-fields="version account-id …"`,
      });
      return 'warning';
    }
    if (tokens.length !== layout.n) {
      this.ctx.warn({
        line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
        reason: `record has ${tokens.length} fields but the format (${layout.origin === 'header' ? `header at line ${this.headerLine}` : layout.origin}) names ${layout.n}: truncated line or a header that does not match its rows`,
      });
      return 'warning';
    }
    return this.record(text, tokens, layout, cloudWatchTs, lineNo, offset, byteLength);
  }

  end(): void {
    this.tally.end();
  }

  private header(text: string, tokens: string[], lineNo: number): LineDisposition {
    // S3 files repeat the same header; some tools repeat it before every row.
    if (text !== this.headerText) {
      this.headerText = text;
      this.headerLine = lineNo;
      this.layout = compile(tokens, 'header');
      if (!this.forced) this.ctx.setFileInfo('vpc_format', { origin: `header at line ${lineNo}`, fields: tokens });
    }
    return 'meta';
  }

  private headerless(tokens: string[]): Layout | null {
    let layout = HEADERLESS.get(tokens.length) ?? null;
    if (tokens.length === TGW_LAYOUT.n && tokens[3]!.startsWith('tgw-')) layout = TGW_LAYOUT;
    if (layout && !this.headerlessNoted) {
      this.headerlessNoted = true;
      this.ctx.setFileInfo('vpc_format', { origin: layout.origin });
    }
    return layout;
  }

  private record(text: string, f: string[], L: Layout, cloudWatchTs: string | null, lineNo: number, offset: number, byteLength: number): LineDisposition {
    let attrs: Record<string, unknown> = {};
    for (let k = 0; k < L.extra.length; k++) {
      const [i, key, numeric] = L.extra[k]!;
      const v = f[i]!;
      if (v === '-') continue;
      attrs[key] = numeric ? numberOrText(v) : v;
    }
    if (cloudWatchTs) attrs.cloudwatch_ingestion_time = cloudWatchTs;

    const srcIp = L.src >= 0 ? ipOrAttr(f[L.src]!, 'srcaddr', attrs) : null;
    const dstIp = L.dst >= 0 ? ipOrAttr(f[L.dst]!, 'dstaddr', attrs) : null;
    const srcPort = L.sport >= 0 ? this.port(f[L.sport]!, 'srcport', attrs, text, lineNo, offset) : null;
    const dstPort = L.dport >= 0 ? this.port(f[L.dport]!, 'dstport', attrs, text, lineNo, offset) : null;
    let protoNum = -1;
    let protocol: string | null = null;
    if (L.proto >= 0 && f[L.proto] !== '-') {
      protoNum = protocolNumber(f[L.proto]!);
      protocol = protoNum >= 0 ? protocolName(protoNum) : f[L.proto]!;
      if (protoNum < 0) attrs.protocol = f[L.proto]!;
    }
    const bytes = L.bytes >= 0 ? this.count(f[L.bytes]!, 'bytes', attrs, text, lineNo, offset) : null;
    const packets = L.packets >= 0 ? this.count(f[L.packets]!, 'packets', attrs, text, lineNo, offset) : null;

    let start = L.start >= 0 ? this.time(f[L.start]!, 'start', attrs, text, lineNo, offset) : NaN;
    let end = L.end >= 0 ? this.time(f[L.end]!, 'end', attrs, text, lineNo, offset) : NaN;
    if (Number.isNaN(start) && Number.isNaN(end)) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'flow record without a valid start or end time' });
      return 'warning';
    }
    if (Number.isNaN(start)) start = end;
    if (Number.isNaN(end)) end = start;
    else if (end - start > 86400 * US_PER_SECOND || start - end > 0) {
      this.ctx.warn({
        line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
        reason: `start ${f[L.start]} and end ${f[L.end]} are ${Math.round((end - start) / US_PER_SECOND)} s apart (a flow log window is at most 10 minutes): one of them is wrong; both kept as written`,
      });
    }

    const status = L.status >= 0 ? f[L.status]! : 'OK';
    const actionText = L.action >= 0 && f[L.action] !== '-' ? f[L.action]! : null;
    const outcome: Outcome = acceptOutcome(actionText);
    let action = 'flow';
    if (status === 'NODATA') action = 'flow_log_nodata';
    else if (status === 'SKIPDATA') action = 'flow_log_skipdata';

    const host = pick(f, L.instance) ?? pick(f, L.iface) ?? pick(f, L.ecsInstance) ?? pick(f, L.tgwAttachment) ?? pick(f, L.tgw);
    // VPC records carry no ICMP type/code (ports are 0), so ICMP flows get no Community ID.
    const cid = protoNum >= 0 && protoNum !== 1 && protoNum !== 58 && srcIp && dstIp ? communityId(protoNum, srcIp, dstIp, srcPort, dstPort) : null;

    let summary: string;
    if (action === 'flow') summary = flowSummary(actionText ?? 'flow', protocol, srcIp, srcPort, dstIp, dstPort, bytes, null);
    else summary = `${status}: ${status === 'NODATA' ? 'no traffic recorded' : 'records skipped'} on ${host ?? 'the interface'} for this window${srcIp ? ` (${flowSummary(actionText ?? 'flow', protocol, srcIp, srcPort, dstIp, dstPort, bytes, null)})` : ''}`;

    const event: DwellEvent = {
      ts: start,
      ts_end: end,
      time_quality: 'exact',
      class: 'network_activity',
      action,
      outcome,
      host,
      src_ip: srcIp,
      src_port: srcPort,
      dst_ip: dstIp,
      dst_port: dstPort,
      protocol,
      bytes_out: bytes,
      packets_out: packets,
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

  private port(v: string, name: string, attrs: Record<string, unknown>, text: string, lineNo: number, offset: number): number | null {
    if (v === '-') return null;
    const p = readPort(v);
    if (!Number.isNaN(p)) return p;
    attrs[name] = v;
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `${name} "${v.slice(0, 40)}": ${problem}; kept as text in attrs.${name}` });
    return null;
  }

  private count(v: string, name: string, attrs: Record<string, unknown>, text: string, lineNo: number, offset: number): number | null {
    if (v === '-') return null;
    const n = readCount(v);
    if (!Number.isNaN(n)) return n;
    attrs[name] = v;
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `${name} "${v.slice(0, 40)}": ${problem}; not stored as a number, kept as text in attrs.${name}` });
    return null;
  }

  private time(v: string, name: string, attrs: Record<string, unknown>, text: string, lineNo: number, offset: number): number {
    if (v === '-') return NaN;
    const us = readEpoch(v);
    if (Number.isNaN(us)) {
      attrs[name] = v;
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `${name} "${v.slice(0, 40)}": ${problem}; kept as text in attrs.${name}` });
      return NaN;
    }
    if (epochUnit !== 's') {
      this.tally.note(`unit-${name}-${epochUnit}`, lineNo, offset, text, `${name} ${v} has ${v.length} digits: read as ${UNIT_NAMES[epochUnit]} since the epoch (VPC flow logs write seconds)`);
      attrs[`${name}_unit`] = epochUnit;
    } else if (us < RELATIVE_TIME_LIMIT_US) {
      this.tally.note(`relative-${name}`, lineNo, offset, text, `${name} ${v} is in 1970: not a real date (relative time or a zeroed field); kept as written`);
    }
    return us;
  }
}

/** Account, region and date from an S3 delivery path (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/`), or null. */
export function s3Layout(path: string): { account_id: string; region: string; date: string } | null {
  const s3 = /AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\//.exec(path.replace(/\\/g, '/'));
  return s3 ? { account_id: s3[1]!, region: s3[2]!, date: `${s3[3]}-${s3[4]}-${s3[5]}` } : null;
}

const UNIT_NAMES = { s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' } as const;

function pick(f: string[], i: number): string | null {
  if (i < 0) return null;
  const v = f[i]!;
  return v === '-' ? null : v;
}

function numberOrText(v: string): number | string {
  const n = readCount(v);
  return Number.isNaN(n) ? v : n;
}

/** An address column: the IP, or null with the text kept in attrs when it is not an IP address. */
function ipOrAttr(v: string, name: string, attrs: Record<string, unknown>): string | null {
  if (v === '-') return null;
  if (isIp(v)) return v;
  attrs[name] = v;
  return null;
}
