/**
 * Firewall logs written with an epoch instead of a syslog date — the DShield sensor's
 * `/var/log/dshield.log` (`1704559287 BigDshield kernel:[10972.923460]  DSHIELDINPUT IN=eth0 …`):
 * epoch seconds, host, program, then the kernel's netfilter LOG message. Each netfilter record is
 * the same `flow` event a kern.log line gives (netfilter/packet-log.ts); any other message of such
 * a file is kept whole as `other`, and a line without the epoch header is a warning with its line.
 */
import type { DwellEvent } from '../core/event.js';
import { MAX_WARNING_TEXT } from './netflow/common.js';
import { parseNetfilterMessage } from './netfilter/packet-log.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '1704559287 BigDshield kernel:[10972.923460]  DSHIELDINPUT IN=eth0 OUT= MAC=06:a6:67:a1:06:97:06:47:24:e8:0b:15:08:00 SRC=203.0.113.50 DST=172.31.5.68 LEN=40 TOS=0x00 PREC=0x00 TTL=235 ID=54321 PROTO=TCP SPT=45139 DPT=2222 WINDOW=65535 RES=0x00 SYN URGP=0 ',
];

/** `EPOCH[.frac] host program[pid]:message`; the program's `:` may be followed directly by the kernel's `[uptime]`. */
const HEADER = /^(\d{9,11})(?:\.(\d{1,6}))? (\S+) ([^\s:[\]]+)(?:\[(\d+)\])?: ?(.*)$/s;

export const dshieldFirewall: LineParser = {
  kind: 'lines',
  name: 'dshield_firewall',
  version: '1',
  source: 'netfilter',
  description: 'Epoch-prefixed firewall logs (DShield sensor dshield.log): netfilter LOG lines as one-packet flows',
  samples: SAMPLES,
  sniff: sniffDshield,
  open: (ctx) => new DshieldHandler(ctx),
};

function sniffDshield(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let epoch = 0;
  let packets = 0;
  for (const line of head.lines.slice(0, 40)) {
    if (line.trim() === '') continue;
    considered++;
    const m = HEADER.exec(line);
    if (!m) continue;
    epoch++;
    if (parseNetfilterMessage(m[6]!)) packets++;
  }
  if (packets === 0 || epoch / considered < 0.5) return null;
  return { confidence: Math.round(60 + 35 * (packets / considered)), reason: `${epoch}/${considered} head lines start with an epoch and a host, ${packets} are netfilter LOG records (IN= SRC= DST=)` };
}

class DshieldHandler implements LineHandler {
  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (text.trim() === '') return 'blank';
    const m = HEADER.exec(text);
    if (!m) {
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason: 'not an epoch-prefixed log line (EPOCH HOST PROGRAM: MESSAGE)' });
      return 'warning';
    }
    const ts = Number(m[1]) * 1e6 + (m[2] ? Number(m[2].padEnd(6, '0')) : 0);
    const host = m[3]!;
    const program = m[4]!;
    const message = m[6]!;
    const p = parseNetfilterMessage(message);
    const base = { ts, time_quality: 'exact' as const, host, line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text };
    let event: DwellEvent;
    if (p) {
      event = {
        ...base, class: 'network_activity', action: 'flow', outcome: 'unknown',
        src_ip: p.src_ip, src_port: p.src_port, dst_ip: p.dst_ip, dst_port: p.dst_port, protocol: p.protocol,
        bytes_out: p.bytes, packets_out: 1, community_id: p.community_id, summary: p.summary,
        attrs: { ...p.attrs, program, ...(m[5] ? { pid: Number(m[5]) } : {}) },
      };
    } else {
      event = { ...base, class: 'other', action: 'other', outcome: 'unknown', summary: `${program}: ${message}`, attrs: { program, ...(m[5] ? { pid: Number(m[5]) } : {}) } };
    }
    this.ctx.emit(event);
    return 'record';
  }

  end(): void {}
}
