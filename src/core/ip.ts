/**
 * IP addresses: text → network-order bytes, and the one canonical text every address has in the
 * case, so that an address is one string whatever the source wrote (`::ffff:203.0.113.77` and
 * `203.0.113.77`, `2001:DB8:0:0::66` and `2001:db8::66` are the same host to a seed, a filter or a
 * join).
 *
 * Parsing uses no regular expressions and no allocations on the hot path: flow sources hold
 * millions of addresses. The bytes also feed the Community ID hash (parsers/netflow/community-id.ts).
 */

/** Parses dotted-quad IPv4 into `out[off..off+3]`. Returns false when `s` is not an IPv4 address. */
export function parseIPv4(s: string, out: Uint8Array, off: number): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[off + part++] = value;
      value = 0;
      digits = 0;
    } else return false;
  }
  if (digits === 0 || part !== 3) return false;
  out[off + 3] = value;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const V4_TAIL = new Uint8Array(4);

/**
 * Parses IPv6 text (compressed `::`, full form, embedded IPv4 tail, `%zone` suffix ignored) into
 * `out[off..off+15]`. Returns false when `s` is not an IPv6 address.
 */
export function parseIPv6(s: string, out: Uint8Array, off: number): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  if (end < 2 || end > 45) return false;
  // Groups before and after "::" are collected separately, then the gap is zero-filled.
  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gapAt = 0;
    i = 2;
  }
  while (i < end) {
    // An embedded IPv4 tail (::ffff:192.0.2.1).
    let dot = -1;
    let j = i;
    let value = 0;
    let digits = 0;
    for (; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c === 58) break;
      if (c === 46) {
        dot = j;
        break;
      }
      const h = hexValue(c);
      if (h < 0 || ++digits > 4) return false;
      value = (value << 4) | h;
    }
    if (dot >= 0) {
      if (!parseIPv4(s.slice(i, end), V4_TAIL, 0)) return false;
      groups.push((V4_TAIL[0]! << 8) | V4_TAIL[1]!, (V4_TAIL[2]! << 8) | V4_TAIL[3]!);
      i = end;
      break;
    }
    if (digits === 0) return false;
    groups.push(value);
    if (j === end) {
      i = end;
      break;
    }
    // j is at ':'
    if (s.charCodeAt(j + 1) === 58) {
      if (gapAt >= 0) return false;
      gapAt = groups.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false; // trailing single ':'
    }
  }
  if (gapAt < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const fill = 8 - groups.length;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v: number;
    if (gapAt >= 0 && k >= gapAt && k < gapAt + fill) v = 0;
    else v = groups[g++]!;
    out[off + 2 * k] = v >> 8;
    out[off + 2 * k + 1] = v & 255;
  }
  return true;
}

/**
 * Writes the address into `out` at `off` and returns its length (4 or 16), or 0 when `s` is not an
 * IP address (host names, MAC addresses, `-`).
 */
export function parseIp(s: string, out: Uint8Array, off: number): 0 | 4 | 16 {
  if (s.indexOf(':') >= 0) return parseIPv6(s, out, off) ? 16 : 0;
  return parseIPv4(s, out, off) ? 4 : 0;
}

/** True when the 16 bytes at `off` are an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2). */
export function isV4Mapped(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

const SCRATCH = new Uint8Array(16);

/** True when `s` is an IPv4 or IPv6 address. */
export function isIp(s: string | null | undefined): s is string {
  return typeof s === 'string' && s.length > 1 && parseIp(s, SCRATCH, 0) !== 0;
}

/** True when `s` is an IPv6 address (for protocol naming: ICMP over IPv6 is `ipv6-icmp`). */
export function isIPv6(s: string | null | undefined): boolean {
  return typeof s === 'string' && s.indexOf(':') >= 0 && parseIPv6(s, SCRATCH, 0);
}

/** Zone ids as operating systems name interfaces (`eth0`, `enp0s3`, Windows' `12`). */
function isZoneId(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  for (let i = 0; i < zone.length; i++) {
    const c = zone.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
    if (!ok) return false;
  }
  return true;
}

function formatIPv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952: lower case, no leading zeros, `::` for the longest run of two or more zero groups (the first of equal runs). */
function formatIPv6(b: Uint8Array): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (b[2 * k] === 0 && b[2 * k + 1] === 0) {
      let e = k;
      while (e < 8 && b[2 * e] === 0 && b[2 * e + 1] === 0) e++;
      if (e - k > bestLen) {
        bestAt = k;
        bestLen = e - k;
      }
      k = e;
    } else k++;
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestAt) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += ((b[2 * k]! << 8) | b[2 * k + 1]!).toString(16);
  }
  return out;
}

/**
 * The canonical text of an IP address, as the case stores it:
 * - IPv4 as a dotted quad without leading zeros (`010.000.001.005` → `10.0.1.5`: zero-padded
 *   exports mean decimal, not octal);
 * - IPv4-mapped IPv6 (`::ffff:203.0.113.77`, as dual-stack servers log IPv4 clients) as the IPv4
 *   address it is: the packets on the wire carried IPv4;
 * - every other IPv6 address in RFC 5952 form (`2001:DB8:0:0::66` → `2001:db8::66`; embedded IPv4
 *   written in hex, `64:ff9b::c000:201`);
 * - a zone id (`fe80::1%eth0`) is kept as written after the canonical address: it names the
 *   interface the link-local address belongs to, which the address alone does not say;
 * - anything that is not an address (host names, `[::1]:22`, `-`, text with spaces) is returned
 *   unchanged.
 * Canonical input comes back as the same string, so the common case allocates nothing.
 */
export function canonicalIp(s: string): string {
  const n = s.length;
  if (n < 2 || n > 45 + 65) return s;
  if (s.indexOf(':') < 0) {
    if (!parseIPv4(s, SCRATCH, 0)) return s;
    // Canonical unless a part has a leading zero ("01", "001"): the only other way to write it.
    for (let i = 0; i < n - 1; i++) {
      if (s.charCodeAt(i) === 48 && (i === 0 || s.charCodeAt(i - 1) === 46) && s.charCodeAt(i + 1) !== 46) return formatIPv4(SCRATCH, 0);
    }
    return s;
  }
  const pct = s.indexOf('%');
  const zone = pct < 0 ? '' : s.slice(pct + 1);
  if (pct >= 0 && !isZoneId(zone)) return s;
  if (!parseIPv6(s, SCRATCH, 0)) return s;
  if (isV4Mapped(SCRATCH, 0)) return pct < 0 ? formatIPv4(SCRATCH, 12) : s;
  const text = pct < 0 ? formatIPv6(SCRATCH) : `${formatIPv6(SCRATCH)}%${zone}`;
  return text === s ? s : text;
}
