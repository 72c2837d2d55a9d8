/**
 * What a flow record says was carried out of the estate: the bytes that count as exfiltration, and
 * the records that carry them (their phase). One notion for the egress link, the network victims
 * link and the findings' exfiltration table, so the volume and the phase agree.
 *
 * A connection carries data out when
 * - the inside host opened it and sent more than it received (an upload: `scp`, `curl -T`, an
 *   exfiltration tool) — a request that fetches something (a beacon asking for its next command,
 *   a payload download) sends less than it gets back, and is command and control, not exfiltration;
 * - or the outside opened it and took, in that one connection, at least `exfilBytes` (a pull: `scp`
 *   from the attacker's machine, a web shell serving a dump). The replies of an interactive session
 *   the attacker opened (a shell's output, banners, a brute force's prompts) stay below that, however
 *   many such sessions there were: summing them is not a transfer.
 *
 * Flow logs that write each direction as its own record (VPC) are paired back into one connection
 * by its two endpoints; a sensor that writes one record per connection (Zeek, nfdump) gives both
 * directions' bytes in it. Each sensor is counted apart (the same connection seen twice is not twice
 * the data): callers take the largest sensor's count.
 */
import type { EventRow } from './classify.js';
import { THRESHOLDS } from './knowledge.js';

/**
 * Who opened a connection, from one record: a client leaves from a port above the service's (an
 * ephemeral port). A record from the service port is the reply, not the peer opening a connection.
 */
export function openedBySource(r: Pick<EventRow, 'src_port' | 'dst_port'>): boolean {
  return r.src_port === null || r.dst_port === null || r.dst_port <= r.src_port;
}

interface Connection {
  outside: string;
  source: string;
  insideOpened: boolean;
  sent: number;
  received: number;
  /** The records carrying the inside's bytes out. */
  carriers: EventRow[];
}

export interface TransferOut {
  /** The outside end. */
  dst_ip: string;
  /** Bytes carried out, per sensor (source). */
  bySource: Map<string, number>;
  /** The records that carried them. */
  events: EventRow[];
}

/**
 * The data carried out to each outside address, from flow records (other rows are ignored).
 * `isInside` says which end is the estate's (a compromised host's addresses, or internal ranges).
 */
export function transfersOut(rows: readonly EventRow[], isInside: (ip: string | null) => boolean): TransferOut[] {
  const conns = new Map<string, Connection>();
  for (const r of rows) {
    if (r.action !== 'flow' || !r.src_ip || !r.dst_ip) continue;
    const srcIn = isInside(r.src_ip);
    if (srcIn === isInside(r.dst_ip)) continue;
    const opened = openedBySource(r);
    const [inIp, inPort, outIp, outPort] = srcIn ? [r.src_ip, r.src_port, r.dst_ip, r.dst_port] : [r.dst_ip, r.dst_port, r.src_ip, r.src_port];
    const key = `${r.source}|${inIp}|${inPort}|${outIp}|${outPort}`;
    const c: Connection = conns.get(key) ?? { outside: outIp, source: r.source, insideOpened: srcIn === opened, sent: 0, received: 0, carriers: [] };
    const sent = srcIn ? (r.bytes_out ?? 0) : (r.bytes_in ?? 0);
    const received = srcIn ? (r.bytes_in ?? 0) : (r.bytes_out ?? 0);
    c.sent += sent;
    c.received += received;
    if (sent > 0) c.carriers.push(r);
    conns.set(key, c);
  }
  const out = new Map<string, TransferOut>();
  for (const c of conns.values()) {
    const carriesOut = c.insideOpened ? c.sent > c.received : c.sent >= THRESHOLDS.exfilBytes;
    if (!carriesOut) continue;
    const t: TransferOut = out.get(c.outside) ?? { dst_ip: c.outside, bySource: new Map(), events: [] };
    t.bySource.set(c.source, (t.bySource.get(c.source) ?? 0) + c.sent);
    t.events.push(...c.carriers);
    out.set(c.outside, t);
  }
  return [...out.values()].map((t) => ({ ...t, events: t.events.sort((a, b) => a.ts_us - b.ts_us || a.event_id - b.event_id) }));
}

/** The estimate of what went out to one address: the largest sensor's count, not the sum. */
export function transferBytes(t: TransferOut): number {
  return Math.max(0, ...t.bySource.values());
}
