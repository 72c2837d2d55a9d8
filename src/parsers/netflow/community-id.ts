/**
 * Community ID v1 (corelight/community-id-spec): a hash of the flow's 5-tuple that is the same in
 * both directions and across sensors, so one connection can be matched across VPC flow logs, Zeek
 * and Suricata with a string comparison.
 *
 *   "1:" + base64(SHA1(seed:u16 · saddr · daddr · proto:u8 · 0:u8 · sport:u16 · dport:u16))
 *
 * all big-endian, endpoints ordered so the smaller (address, port) comes first. Ports are hashed
 * for TCP, UDP and SCTP; ICMP and ICMPv6 hash (type, counterpart type) for request/response types
 * and (type, code) for one-way types, which are not reordered; other IP protocols hash no ports.
 *
 * The hash input is at most 40 bytes, built in one preallocated buffer; SHA-1 is node:crypto's
 * one-shot `hash` where available (about 3× cheaper than createHash per call).
 */
import * as crypto from 'node:crypto';
import { isV4Mapped, parseIp } from '../../core/ip.js';

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMP6 = 58;
const SCTP = 132;

/** ICMPv4 request/response pairs (echo, timestamp, info, router solicitation/advert, mask). */
const ICMP4_COUNTERPART = new Int16Array(256).fill(-1);
for (const [a, b] of [[8, 0], [13, 14], [15, 16], [10, 9], [17, 18]] as const) {
  ICMP4_COUNTERPART[a] = b;
  ICMP4_COUNTERPART[b] = a;
}
/** ICMPv6 pairs (echo, router, neighbor, MLD query/report, node information, home agent discovery). */
const ICMP6_COUNTERPART = new Int16Array(256).fill(-1);
for (const [a, b] of [[128, 129], [133, 134], [135, 136], [130, 131], [139, 140], [144, 145]] as const) {
  ICMP6_COUNTERPART[a] = b;
  ICMP6_COUNTERPART[b] = a;
}

const INPUT = Buffer.alloc(40);
const ADDR_A = new Uint8Array(16);
const ADDR_B = new Uint8Array(16);
/** One view of INPUT per input length, so hashing allocates nothing but the result. */
const VIEWS: Buffer[] = Array.from({ length: 41 }, (_, n) => INPUT.subarray(0, n));

function put(src: Uint8Array, len: number, o: number): number {
  for (let i = 0; i < len; i++) INPUT[o + i] = src[i]!;
  return o + len;
}

type HashFn = (data: Buffer) => string;
const oneShot = (crypto as unknown as { hash?: (alg: string, data: Buffer, enc: string) => string }).hash;
const sha1Base64: HashFn = oneShot
  ? (data) => oneShot('sha1', data, 'base64')
  : (data) => crypto.createHash('sha1').update(data).digest('base64');

function compareAddr(la: number, lb: number): number {
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = ADDR_A[i]! - ADDR_B[i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/**
 * The address's bytes in `out`; an IPv4-mapped IPv6 address (`::ffff:198.51.100.7`, as dual-stack
 * software writes IPv4 peers) is the IPv4 address it stands for: such addresses never appear in a
 * packet header, and the case stores them as IPv4 (core/ip.ts), so the flow hashes the same
 * whichever way a source wrote it.
 */
function addressBytes(s: string, out: Uint8Array): 0 | 4 | 16 {
  const len = parseIp(s, out, 0);
  if (len !== 16 || !isV4Mapped(out, 0)) return len;
  out.copyWithin(0, 12, 16);
  return 4;
}

/**
 * The Community ID v1 of a flow, or null when it cannot be computed: an address that is not an IP
 * address, a missing port for TCP/UDP/SCTP, a protocol number outside 0–255, or an ICMP one-way
 * type whose code the source did not record.
 *
 * For ICMP (1) and ICMPv6 (58), `sport` is the ICMP type and `dport` the ICMP code, as Zeek and
 * Suricata record them; `dport` may be null when the type has a counterpart (the code is not hashed).
 */
export function communityId(
  proto: number,
  saddr: string | null | undefined,
  daddr: string | null | undefined,
  sport: number | null | undefined,
  dport: number | null | undefined,
  seed = 0,
): string | null {
  if (!saddr || !daddr || !(proto >= 0 && proto <= 255) || (proto | 0) !== proto) return null;
  const la = addressBytes(saddr, ADDR_A);
  if (la === 0) return null;
  const lb = addressBytes(daddr, ADDR_B);
  if (lb === 0) return null;

  let hasPorts = false;
  let oneWay = false;
  let sp = 0;
  let dp = 0;
  if (proto === TCP || proto === UDP || proto === SCTP) {
    if (sport == null || dport == null || !(sport >= 0 && sport <= 65535) || !(dport >= 0 && dport <= 65535)) return null;
    hasPorts = true;
    sp = sport;
    dp = dport;
  } else if (proto === ICMP || proto === ICMP6) {
    if (sport == null || !(sport >= 0 && sport <= 255)) return null;
    const counterpart = (proto === ICMP ? ICMP4_COUNTERPART : ICMP6_COUNTERPART)[sport]!;
    hasPorts = true;
    sp = sport;
    if (counterpart >= 0) dp = counterpart;
    else {
      if (dport == null || !(dport >= 0 && dport <= 255)) return null;
      dp = dport;
      oneWay = true;
    }
  }

  const c = compareAddr(la, lb);
  const ordered = oneWay || c < 0 || (c === 0 && hasPorts && sp < dp);
  let o = 0;
  INPUT[o++] = (seed >> 8) & 255;
  INPUT[o++] = seed & 255;
  if (ordered) {
    o = put(ADDR_A, la, o);
    o = put(ADDR_B, lb, o);
  } else {
    o = put(ADDR_B, lb, o);
    o = put(ADDR_A, la, o);
  }
  INPUT[o++] = proto;
  INPUT[o++] = 0;
  if (hasPorts) {
    const first = ordered ? sp : dp;
    const second = ordered ? dp : sp;
    INPUT[o++] = first >> 8;
    INPUT[o++] = first & 255;
    INPUT[o++] = second >> 8;
    INPUT[o++] = second & 255;
  }
  return '1:' + sha1Base64(VIEWS[o]!);
}
