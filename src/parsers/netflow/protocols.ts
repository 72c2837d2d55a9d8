/**
 * IP protocols by name. Events carry the IANA keyword in lower case (`tcp`, `udp`, `icmp`,
 * `ipv6-icmp`, `gre`, …) so one filter works across sources; numbers without a well-known keyword
 * stay numbers (`"99"`), never a guessed name.
 */

const NAMES: Record<number, string> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 3: 'ggp', 4: 'ipv4', 6: 'tcp', 8: 'egp', 9: 'igp', 17: 'udp', 27: 'rdp',
  33: 'dccp', 41: 'ipv6', 43: 'ipv6-route', 44: 'ipv6-frag', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah',
  58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts', 88: 'eigrp', 89: 'ospf', 94: 'ipip', 97: 'etherip',
  98: 'encap', 103: 'pim', 108: 'ipcomp', 112: 'vrrp', 113: 'pgm', 115: 'l2tp', 132: 'sctp',
  135: 'mobility-header', 136: 'udplite', 137: 'mpls-in-ip', 143: 'ethernet',
};

const BY_NAME = new Map<string, number>();
for (const [n, name] of Object.entries(NAMES)) BY_NAME.set(name, Number(n));
// Spellings used by Zeek, Suricata, nfdump and Argus.
for (const [alias, n] of [
  ['icmp6', 58], ['icmpv6', 58], ['ipv6icmp', 58], ['ipv6_icmp', 58], ['ospfigp', 89], ['ip-in-ip', 4], ['ipencap', 4],
] as const) BY_NAME.set(alias, n);

const NUMBER_NAMES: string[] = Array.from({ length: 256 }, (_, n) => NAMES[n] ?? String(n));

/** The protocol's name for an IANA number: its keyword, or the number as text. */
export function protocolName(n: number): string {
  return n >= 0 && n <= 255 && (n | 0) === n ? NUMBER_NAMES[n]! : String(n);
}

/**
 * The IANA number of a protocol written by name or number (`TCP`, `udp`, `IPv6-ICMP`, `6`, `047`),
 * or -1 when unknown (e.g. Zeek's `unknown_transport`, Argus's `arp`).
 */
export function protocolNumber(text: string): number {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n <= 255 ? n : -1;
  }
  const lower = text.toLowerCase();
  const n = BY_NAME.get(lower);
  return n === undefined ? -1 : n;
}

/**
 * Normalizes a protocol as a source wrote it. ICMP seen between IPv6 addresses is ICMPv6 (Zeek
 * writes `icmp` for both). Returns the number (-1 when unknown) and the name to store.
 */
export function normalizeProtocol(text: string, ipv6: boolean): { number: number; name: string } {
  let n = protocolNumber(text);
  if (n === 1 && ipv6) n = 58;
  return { number: n, name: n >= 0 ? protocolName(n) : text.toLowerCase() };
}
