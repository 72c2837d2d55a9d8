/**
 * Seeds name addresses the way the case stores them: IPv4-mapped IPv6 (`::ffff:203.0.113.77`) as
 * IPv4, IPv6 compressed and lower case (RFC 5952), IPv4 without leading zeros. Anything that is not
 * an address is returned unchanged.
 *
 * The project's one implementation is `canonicalIp` in src/core/ip.ts (helper t-addr, applied at
 * ingest); until it is merged, correlation uses this equivalent — only here, so swapping it is one
 * import.
 */
import { isIP } from 'node:net';

export function canonicalIp(text: string): string {
  const s = text.trim();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? parts.join('.') : s;
  }
  const [bare, zone] = s.replace(/^\[|\]$/g, '').split('%', 2) as [string, string | undefined];
  if (isIP(bare) !== 6) return s;
  // The WHATWG URL serializer writes IPv6 hosts in RFC 5952 form; a zone id (%eth0) is kept as written.
  let host: string;
  try {
    host = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return s;
  }
  if (zone !== undefined) return `${host}%${zone}`;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return host;
}
