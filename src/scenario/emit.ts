/**
 * The generator's working memory: items bucketed by the hour they are written in, pid and
 * session-number allocators per host, and the expansion of a connection into the VPC flow records
 * of every ENI it crosses and the Zeek record of the egress sensor.
 */
import { HOSTS, hostByIp, isInternal, type HostName } from './estate.js';
import type { AuthItem, Conn, CtItem, Item, PgItem, Tag, VpcItem, ZeekItem } from './model.js';
import { Rng } from './rng.js';
import { HOUR, MIN, SEC } from './time.js';

/** VPC flow log aggregation interval (the default, 10 minutes). */
export const AGGREGATION = 600 * SEC;

/**
 * Linux pids (or logind session numbers) on one host. The counter advances with time (one number per
 * `period`), so numbers increase through the files; the fixed attack script reserves the number the
 * clock gives at its moment (independent of --scale), and the background takes the next free one
 * at or above the clock, never a reserved one.
 */
export class PidSpace {
  private readonly used = new Map<number, number>();
  readonly reserved = new Set<number>();
  constructor(private readonly t0: number, private readonly base: number, private readonly period: number, private readonly max: number) {
  }
  /** The counter's value at time t. */
  around(t: number): number {
    const n = this.base + Math.floor((t - this.t0) / this.period);
    return 300 + ((n - 300) % (this.max - 300));
  }
  reserve(pid: number): number {
    if (pid >= this.max) pid = 300 + (pid - this.max);
    while (this.reserved.has(pid)) pid++;
    this.reserved.add(pid);
    return pid;
  }
  next(t: number, step: number): number {
    // Follow the clock, whatever order the actors ask in; never hand out a number still in use
    // (a pid is free again half a day after it was taken: long before the counter wraps).
    let p = this.around(t) + step - 1;
    for (let tries = 0; ; tries++) {
      if (p >= this.max) p = 300 + (p - this.max);
      const taken = this.used.get(p);
      if (!this.reserved.has(p) && (taken === undefined || Math.abs(t - taken) > HOLD)) break;
      p++;
      if (tries > this.max) throw new Error('pid space exhausted');
    }
    if (this.used.size > 300_000) {
      for (const [k, v] of this.used) if (Math.abs(t - v) > HOLD) this.used.delete(k);
    }
    this.used.set(p, t);
    return p;
  }
}

/** How long a background pid stays taken. */
const HOLD = 12 * HOUR;

export class Emitter {
  private readonly buckets = new Map<number, Item[]>();
  private seq = 0;
  readonly pids: Record<HostName, PidSpace>;
  readonly sessions: Record<HostName, PidSpace>;

  constructor(t0: number) {
    this.pids = {
      // Ubuntu 18.04 (systemd 237): pid_max 32768; the others 4194304.
      'bastion-01': new PidSpace(t0, 11843, 3 * SEC, 32768),
      'web-01': new PidSpace(t0, 201877, 4 * SEC, 4194304),
      'web-02': new PidSpace(t0, 198412, 4 * SEC, 4194304),
      'db-01': new PidSpace(t0, 1184420, 2 * SEC, 4194304),
    };
    this.sessions = {
      'bastion-01': new PidSpace(t0, 5120, 40 * MIN, 1e9),
      'web-01': new PidSpace(t0, 1402, 90 * MIN, 1e9),
      'web-02': new PidSpace(t0, 1388, 120 * MIN, 1e9),
      'db-01': new PidSpace(t0, 611, 180 * MIN, 1e9),
    };
  }

  push(item: Item): void {
    item.seq = this.seq++;
    const h = Math.floor(item.t / HOUR);
    let b = this.buckets.get(h);
    if (!b) this.buckets.set(h, (b = []));
    b.push(item);
  }

  /** Items written in hour `h`, in write order; removed from memory. */
  take(h: number): Item[] {
    const b = this.buckets.get(h);
    if (!b) return [];
    this.buckets.delete(h);
    b.sort((x, y) => x.t - y.t || x.seq! - y.seq!);
    return b;
  }

  /** Hours that still hold items (for the attack-only pass of tests). */
  pendingHours(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  auth(host: HostName, t: number, program: string, pid: number | null, msg: string, tag?: Tag): AuthItem {
    const it: AuthItem = { sink: 'auth', host, t, program, pid, msg, tag: tag && { ...tag } };
    this.push(it);
    return it;
  }

  pg(t: number, pid: number, who: string | null, level: PgItem['level'], msg: string, tag?: Tag): PgItem {
    const it: PgItem = { sink: 'pg', t, pid, who, level, msg, tag: tag && { ...tag } };
    this.push(it);
    return it;
  }

  ct(t: number, region: string, rec: Record<string, unknown>, tag?: Tag): CtItem {
    const it: CtItem = { sink: 'ct', t, region, rec, tag: tag && { ...tag } };
    this.push(it);
    return it;
  }

  nodata(eni: string, start: number, end: number): void {
    const it: VpcItem = { sink: 'vpc', t: start, eni, src: null, dst: null, sport: null, dport: null, proto: null, pkts: null, bytes: null, start, end, action: null, status: 'NODATA' };
    this.push(it);
  }

  /**
   * A connection as every sensor sees it: one VPC record per direction, per ENI of an estate host
   * it touches, per aggregation window; one Zeek record when it crosses the VPC boundary and was
   * admitted. Returns the items so the caller can point the ground truth at them.
   */
  conn(c: Conn, rng: Rng, tag?: Tag): { vpc: VpcItem[]; zeek: ZeekItem | null } {
    // Connections start at some microsecond, not on the second (the script's times are whole seconds).
    if (c.start % SEC === 0) c = { ...c, start: c.start + rng.int(1, 999_999) };
    const action = c.action ?? 'ACCEPT';
    const protoNum = c.proto === 'tcp' ? 6 : c.proto === 'udp' ? 17 : 1;
    const enis: string[] = [];
    const srcHost = hostByIp(c.src);
    const dstHost = hostByIp(c.dst);
    if (srcHost) enis.push(srcHost.eni);
    if (dstHost && dstHost !== srcHost) enis.push(dstHost.eni);
    const vpc: VpcItem[] = [];
    const end = c.start + c.dur;
    const windows = splitWindows(c.start, end);
    for (const eni of enis) {
      const dirs: [string, string, number, number, number, number][] = [[c.src, c.dst, c.sport, c.dport, c.origPkts, c.origIpBytes]];
      if (action === 'ACCEPT' && c.respPkts > 0) dirs.push([c.dst, c.src, c.dport, c.sport, c.respPkts, c.respIpBytes]);
      for (const [s, d, sp, dp, pkts, bytes] of dirs) {
        const parts = distribute(windows, pkts, bytes);
        for (const p of parts) {
          const it: VpcItem = {
            sink: 'vpc', t: p.from, eni, src: s, dst: d, sport: sp, dport: dp, proto: protoNum, pkts: p.pkts, bytes: p.bytes,
            start: p.from, end: p.to, action, status: 'OK', tag: tag && { ...tag },
          };
          this.push(it);
          vpc.push(it);
        }
      }
    }
    let zeek: ZeekItem | null = null;
    if (action === 'ACCEPT' && isInternal(c.src) !== isInternal(c.dst)) {
      const origBytes = payload(c.origIpBytes, c.origPkts, c.proto);
      const respBytes = payload(c.respIpBytes, c.respPkts, c.proto);
      zeek = {
        sink: 'zeek', t: end + rng.int(200_000, 4_000_000), ts: c.start, uid: 'C' + rng.alnum(17),
        orig: c.src, origPort: c.sport, resp: c.dst, respPort: c.dport, proto: c.proto,
        service: c.service ?? null, duration: c.dur, origBytes, respBytes,
        state: c.state ?? (c.respPkts > 0 ? 'SF' : 'S0'),
        localOrig: isInternal(c.src), localResp: isInternal(c.dst),
        history: c.history ?? (c.proto === 'tcp' ? (c.respPkts > 0 ? 'ShADadFf' : 'S') : c.respPkts > 0 ? 'Dd' : 'D'),
        origPkts: c.origPkts, origIpBytes: c.origIpBytes, respPkts: c.respPkts, respIpBytes: c.respIpBytes,
        tag: tag && { ...tag },
      };
      this.push(zeek);
    }
    return { vpc, zeek };
  }
}

/** TCP payload from IP bytes (20-byte IP + 32-byte TCP header with timestamps per packet). */
function payload(ipBytes: number, pkts: number, proto: Conn['proto']): number {
  const hdr = proto === 'tcp' ? 52 : proto === 'udp' ? 28 : 28;
  return Math.max(0, ipBytes - hdr * pkts);
}

interface Window {
  from: number;
  to: number;
  weight: number;
}

/** The aggregation windows a connection overlaps, with record start/end (whole seconds) and weights. */
function splitWindows(start: number, end: number): Window[] {
  const out: Window[] = [];
  let w = Math.floor(start / AGGREGATION) * AGGREGATION;
  for (; w < end || out.length === 0; w += AGGREGATION) {
    const a = Math.max(start, w);
    const b = Math.min(end, w + AGGREGATION);
    if (b < a) break;
    const from = Math.floor(a / SEC) * SEC;
    const to = Math.max(from, Math.floor(b / SEC) * SEC);
    out.push({ from, to, weight: Math.max(1, b - a) });
    if (end <= w + AGGREGATION) break;
  }
  return out;
}

/** Splits packets and bytes over windows by weight; sums are exact and every record has ≥ 1 packet. */
function distribute(windows: Window[], pkts: number, bytes: number): { from: number; to: number; pkts: number; bytes: number }[] {
  if (windows.length === 1) return [{ from: windows[0]!.from, to: windows[0]!.to, pkts, bytes }];
  const total = windows.reduce((s, w) => s + w.weight, 0);
  const usable = windows.filter((w) => w.weight / total > 0.002 || w === windows[0]);
  const n = Math.min(usable.length, Math.max(1, pkts));
  const chosen = usable.slice(0, n);
  const tw = chosen.reduce((s, w) => s + w.weight, 0);
  const out: { from: number; to: number; pkts: number; bytes: number }[] = [];
  let pLeft = pkts;
  let bLeft = bytes;
  chosen.forEach((w, i) => {
    const last = i === chosen.length - 1;
    const restWindows = chosen.length - i - 1;
    let p = last ? pLeft : Math.max(1, Math.round((pkts * w.weight) / tw));
    p = Math.min(p, pLeft - restWindows);
    let b = last ? bLeft : Math.round((bytes * w.weight) / tw);
    b = Math.min(Math.max(b, p * 40), bLeft - restWindows * 40);
    out.push({ from: w.from, to: w.to, pkts: p, bytes: b });
    pLeft -= p;
    bLeft -= b;
  });
  return out;
}

export { HOSTS };
