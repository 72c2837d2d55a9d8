/**
 * Zeek (Bro) logs in Zeek's ASCII format: `#separator`, `#set_separator`, `#empty_field`,
 * `#unset_field`, `#path`, `#fields`, `#types` headers, then one record per line. conn.log records
 * become `flow` events; records of any other log become `zeek_<path>` events with their fields in
 * attrs, so nothing a sensor wrote is dropped.
 *
 * Handled: separator variants (`\x09`, `,`, escaped or literal), custom unset/empty markers, extra
 * columns (`_write_ts`, `_system_name` → host), renamed columns (field_name_map: `src`, `dst_port`),
 * the time column anywhere, logs concatenated with repeated headers, a plain (non-#) header line as
 * zeek-cut writes with `-c`-less TSV exports, and `#close` trailers.
 */
import { basename } from 'node:path';
import type { DwellEvent } from '../core/event.js';
import { MAX_WARNING_TEXT, RelativeTimes, Tally } from './netflow/common.js';
import { isIp } from '../core/ip.js';
import { epochUnit, problem, readCount, readEpoch, readPort, readSeconds, RELATIVE_TIME_LIMIT_US } from './netflow/values.js';
import { attrKey, connEvent, isConnFields, logEvent, relativeReason, timeBase, zeekRole, type ZeekValues } from './netflow/zeek-common.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLE = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
  '1718530010.118921\tCk3Yxq2Hn3wJ1d2Ae7\t10.0.1.25\t52114\t198.51.100.7\t443\ttcp\tssl\t12.501833\t4821\t918223\tSF\tT\tF\t0\tShADadFf\t210\t13241\t640\t951519\t-',
].join('\n');

export const zeekTsv: LineParser = {
  kind: 'lines',
  name: 'zeek_tsv',
  version: '2',
  source: 'zeek',
  description: 'Zeek/Bro ASCII (TSV) logs: conn.log as flows, ssh/notice/dns/http in the vocabulary, any other log as zeek_<path> events',
  samples: [SAMPLE],
  sniff: sniffZeekTsv,
  open: (ctx) => new ZeekTsvHandler(ctx),
};

export const DIRECTIVES = ['#separator', '#set_separator', '#empty_field', '#unset_field', '#path', '#open', '#close', '#fields', '#types'];

function sniffZeekTsv(head: SniffHead): SniffMatch | null {
  let directives = 0;
  let fields = false;
  let plainHeader = false;
  for (const raw of head.lines.slice(0, 20)) {
    const line = raw.trimStart();
    if (line.startsWith('#separator ')) directives += 2;
    else if (DIRECTIVES.some((d) => line.startsWith(d) && /^#[a-z_]+[\t,\s]/.test(line))) directives++;
    if (/^#fields\s/.test(line)) fields = true;
    if (!line.startsWith('#') && !fields && line.includes('\t') && /(^|\t)id\.orig_h(\t|$)/.test(line) && /(^|\t)ts(\t|$)/.test(line)) plainHeader = true;
  }
  if (directives >= 3 || (fields && directives >= 1)) return { confidence: 95, reason: `Zeek log header (${fields ? '#fields, ' : ''}${directives} directive line(s))` };
  if (directives >= 1) return { confidence: 60, reason: 'Zeek log directive lines (#separator, #fields…)' };
  if (plainHeader) return { confidence: 80, reason: 'TSV header line with Zeek conn.log columns (ts, id.orig_h …)' };
  return null;
}

/** Column indices of one #fields layout. */
export interface Layout {
  names: string[];
  types: string[] | null;
  n: number;
  isConn: boolean;
  ts: number;
  tsName: string;
  role: Record<string, number>;
  /** [column, attrs key, kind] for columns kept in attrs. */
  extra: Array<[number, string, ValueKind]>;
}

export type ValueKind = 'string' | 'number' | 'bool' | 'set' | 'numset' | 'time';

function kindOf(type: string | undefined, name: string): ValueKind {
  if (!type) return NUMERIC_NAMES.has(name) ? 'number' : name === 'local_orig' || name === 'local_resp' ? 'bool' : name === 'tunnel_parents' ? 'set' : 'string';
  if (type === 'count' || type === 'int' || type === 'port' || type === 'double' || type === 'interval') return 'number';
  if (type === 'bool') return 'bool';
  if (type === 'time') return 'time';
  if (type.startsWith('set[') || type.startsWith('vector[')) return /\[(count|int|port|double|interval)\]$/.test(type) ? 'numset' : 'set';
  return 'string';
}

const NUMERIC_NAMES = new Set(['missed_bytes', 'orig_ip_bytes', 'resp_ip_bytes', 'ip_proto']);

/** The layout of `names` (with `types` when #types matches them); zeek-tsv.sql.ts plans with it too. */
export function compile(names: string[], types: string[] | null): Layout {
  const role: Record<string, number> = {};
  const extra: Array<[number, string, ValueKind]> = [];
  let ts = names.indexOf('ts');
  let tsName = 'ts';
  if (ts < 0 && types) {
    ts = types.indexOf('time');
    if (ts >= 0) tsName = names[ts]!;
  }
  names.forEach((name, i) => {
    if (i === ts) return;
    const r = zeekRole(name);
    if (r && r !== 'uid' && role[r] === undefined) role[r] = i;
    else extra.push([i, attrKey(name), kindOf(types?.[i], name)]);
  });
  return { names, types, n: names.length, isConn: isConnFields(names), ts, tsName, role, extra };
}

/** `\x09` → TAB; other text as written. */
export function unescapeSeparator(v: string): string {
  return v.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

class ZeekTsvHandler implements LineHandler {
  private sep = '\t';
  private setSep = ',';
  private empty = '(empty)';
  private unset = '-';
  private path: string | null = null;
  private names: string[] | null = null;
  private types: string[] | null = null;
  private layout: Layout | null = null;
  private fieldsLine = 0;
  private readonly tally: Tally;
  private readonly relative: RelativeTimes;
  private headers = 0;
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
    if (text.length === 0) return 'blank';
    let c = text.charCodeAt(0);
    let t = text;
    if (c === 9 || c === 32) {
      t = text.trimStart();
      if (t.length === 0) return 'blank';
      c = t.charCodeAt(0);
      if (c !== 35) t = text; // a record whose first field is empty keeps its leading separator
    }
    if (c === 35) return this.directive(t, lineNo, offset);
    if (!this.layout) {
      const plain = text.split('\t');
      if (plain.includes('id.orig_h') || (plain.includes('ts') && plain.includes('uid'))) {
        this.sep = '\t';
        this.setLayout(plain, null, lineNo);
        return 'meta';
      }
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'Zeek record before any #fields header: its columns are unknown' });
      return 'warning';
    }
    return this.record(text, lineNo, offset, byteLength);
  }

  end(): void {
    this.tally.end();
    this.relative.end();
    this.ctx.setFileInfo('zeek_headers', this.headers);
  }

  private directive(t: string, lineNo: number, offset: number): LineDisposition {
    if (t.startsWith('#separator')) {
      const value = unescapeSeparator(t.slice(11));
      if (t.charCodeAt(10) !== 32 || value.length !== 1) {
        this.ctx.warn({ line: lineNo, byte_offset: offset, raw: t.slice(0, MAX_WARNING_TEXT), reason: `#separator must give one character; "${t.slice(11)}" does not (the separator stays ${JSON.stringify(this.sep)})` });
        return 'warning';
      }
      this.sep = value;
      this.headers++;
      return 'meta';
    }
    const cut = t.indexOf(this.sep);
    const name = cut < 0 ? t : t.slice(0, cut);
    const isDirective = DIRECTIVES.includes(name);
    if (!isDirective) {
      // #open / #close only date the log file; btest baselines write them with a space.
      if (/^#(open|close)\s/.test(t)) return 'meta';
      if (DIRECTIVES.some((d) => t.startsWith(d))) {
        this.ctx.warn({ line: lineNo, byte_offset: offset, raw: t.slice(0, MAX_WARNING_TEXT), reason: `Zeek header line does not use the declared separator ${JSON.stringify(this.sep)}` });
        return 'warning';
      }
      return 'meta'; // a comment (e.g. btest's "### BTest baseline data")
    }
    const value = cut < 0 ? '' : t.slice(cut + 1);
    switch (name) {
      case '#set_separator':
        this.setSep = unescapeSeparator(value);
        break;
      case '#empty_field':
        this.empty = value;
        break;
      case '#unset_field':
        this.unset = value;
        break;
      case '#path':
        this.path = value;
        break;
      case '#fields':
        this.setLayout(value.split(this.sep), null, lineNo);
        break;
      case '#types':
        this.types = value.split(this.sep);
        if (this.names) this.layout = compile(this.names, this.types.length === this.names.length ? this.types : null);
        break;
    }
    this.headers++;
    return 'meta';
  }

  private setLayout(names: string[], types: string[] | null, lineNo: number): void {
    this.names = names;
    this.types = types;
    this.fieldsLine = lineNo;
    this.layout = compile(names, types);
  }

  private record(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const L = this.layout!;
    const f = text.split(this.sep);
    if (f.length !== L.n) {
      this.ctx.warn({
        line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT),
        reason: `record has ${f.length} fields but #fields at line ${this.fieldsLine} names ${L.n}: truncated line or a header that does not match its rows`,
      });
      return 'warning';
    }
    if (L.ts < 0) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `this ${this.path ?? 'Zeek'} log has no time column: record kept as a warning` });
      return 'warning';
    }
    const tsText = f[L.ts]!;
    let ts = tsText === this.unset ? NaN : readEpoch(tsText);
    if (Number.isNaN(ts)) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `${L.tsName} "${tsText.slice(0, 40)}": ${tsText === this.unset ? 'unset' : problem}; a record without a time is kept as a warning` });
      return 'warning';
    }
    const attrs: Record<string, unknown> = {};
    let relativeTs = false;
    if (epochUnit !== 's') {
      this.tally.note(`unit-${epochUnit}`, lineNo, offset, text, `${L.tsName} ${tsText} read as ${epochUnit} since the epoch (Zeek writes seconds)`);
      attrs.ts_unit = epochUnit;
    } else if (ts < RELATIVE_TIME_LIMIT_US) {
      this.relative.note(lineNo, offset, text, relativeReason(L.tsName, tsText, this.base));
      attrs.relative_time = true;
      if (this.base !== null) {
        attrs.relative_ts = tsText;
        ts += this.base;
      } else relativeTs = true;
    }
    if (L.tsName !== 'ts') attrs.time_field = L.tsName;

    const unset = this.unset;
    const get = (role: string): string | null => {
      const i = L.role[role];
      if (i === undefined) return null;
      const v = f[i]!;
      return v === unset || v.length === 0 ? null : v;
    };
    const warnField = (name: string, v: string, why: string) =>
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `${name} "${v.slice(0, 40)}": ${why}; kept as text in attrs.${attrKey(name)}` });
    const port = (role: string): number | null => {
      const v = get(role);
      if (v === null) return null;
      const p = readPort(v);
      if (Number.isNaN(p)) {
        const name = L.names[L.role[role]!]!;
        attrs[attrKey(name)] = v;
        warnField(name, v, problem);
        return null;
      }
      return p;
    };
    const count = (role: string): number | null => {
      const v = get(role);
      if (v === null) return null;
      const n = readCount(v);
      if (Number.isNaN(n)) {
        const name = L.names[L.role[role]!]!;
        attrs[attrKey(name)] = v;
        warnField(name, v, problem);
        return null;
      }
      return n;
    };
    const addr = (role: string): string | null => {
      const v = get(role);
      if (v === null || isIp(v)) return v;
      attrs[attrKey(L.names[L.role[role]!]!)] = v;
      return null;
    };

    for (let k = 0; k < L.extra.length; k++) {
      const [i, key, kind] = L.extra[k]!;
      const v = f[i]!;
      if (v === unset) continue;
      attrs[key] = this.value(v, kind);
    }

    let durationUs: number | null = null;
    const dur = get('duration');
    if (dur !== null) {
      durationUs = readSeconds(dur);
      if (Number.isNaN(durationUs)) {
        attrs.duration = dur;
        warnField('duration', dur, 'not a duration');
        durationUs = null;
      }
    }
    const ipProtoText = get('ip_proto');
    const v: ZeekValues = {
      ts,
      durationUs,
      srcIp: addr('orig_h'),
      srcPort: port('orig_p'),
      dstIp: addr('resp_h'),
      dstPort: port('resp_p'),
      proto: get('proto'),
      ipProto: ipProtoText !== null && !Number.isNaN(readCount(ipProtoText)) ? readCount(ipProtoText) : null,
      origBytes: count('orig_bytes'),
      respBytes: count('resp_bytes'),
      origPkts: count('orig_pkts'),
      respPkts: count('resp_pkts'),
      connState: get('conn_state'),
      host: get('host'),
      sourceCommunityId: get('community_id'),
    };
    if (v.ipProto !== null) attrs.ip_proto = v.ipProto;
    const p = { line: lineNo, offset, length: byteLength, raw: text };
    let event: DwellEvent;
    if (L.isConn) {
      const r = connEvent(v, attrs, p);
      event = r.event;
      if (r.cidMismatch) this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: `the log's community_id ${v.sourceCommunityId} differs from the one computed from its 5-tuple (${event.community_id}); both kept` });
    } else {
      event = logEvent(this.path, v, attrs, p, this.fileName);
    }
    if (relativeTs) event.time_quality = 'relative';
    this.ctx.emit(event);
    return 'record';
  }

  private value(v: string, kind: ValueKind): unknown {
    switch (kind) {
      case 'number': {
        const n = Number(v);
        return Number.isFinite(n) ? n : v;
      }
      case 'bool':
        return v === 'T' ? true : v === 'F' ? false : v;
      case 'set':
        return v === this.empty ? [] : v.split(this.setSep);
      case 'numset':
        return v === this.empty ? [] : v.split(this.setSep).map((x) => (Number.isFinite(Number(x)) ? Number(x) : x));
      default:
        return v === this.empty ? '' : v;
    }
  }
}
