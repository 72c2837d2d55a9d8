/**
 * IP address text → network-order bytes, without regular expressions or allocations on the hot
 * path (flow sources hold millions of addresses). Used to validate addresses and to build the
 * Community ID hash input.
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

const SCRATCH = new Uint8Array(16);

/** True when `s` is an IPv4 or IPv6 address. */
export function isIp(s: string | null | undefined): s is string {
  return typeof s === 'string' && s.length > 1 && parseIp(s, SCRATCH, 0) !== 0;
}

/** True when `s` is an IPv6 address (for protocol naming: ICMP over IPv6 is `ipv6-icmp`). */
export function isIPv6(s: string | null | undefined): boolean {
  return typeof s === 'string' && s.indexOf(':') >= 0 && parseIPv6(s, SCRATCH, 0);
}
