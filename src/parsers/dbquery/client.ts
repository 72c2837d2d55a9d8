/** Client addresses as database logs write them: `10.0.0.5(52834)`, `10.0.0.5:52834`, `[local]`, host names. */

export interface ClientAddress {
  ip: string | null;
  port: number | null;
  /** Host name or `[local]` when the client is not an IP address. */
  host: string | null;
}

import { isIp as isIpAddress } from '../../core/ip.js';

/** An IPv4 or IPv6 address (core/ip.ts: a real parse, not a pattern that a run of `:` made quadratic). */
export function isIp(s: string): boolean {
  return isIpAddress(s);
}

export function portNumber(s: string | undefined | null): number | null {
  if (s === undefined || s === null || s === '') return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

/** A host as written: an IP goes to `ip`, anything else (name, [local]) to `host`. */
export function hostAddress(host: string | null | undefined, port?: string | null): ClientAddress {
  if (!host || host === '[unknown]') return { ip: null, port: portNumber(port), host: null };
  const h = host.startsWith('[') && host.endsWith(']') && host !== '[local]' ? host.slice(1, -1) : host;
  return isIp(h) ? { ip: h, port: portNumber(port), host: null } : { ip: null, port: portNumber(port), host: h };
}

/** PostgreSQL `%r` (`host(port)`) or csvlog connection_from (`host:port`, IPv6 included). */
export function pgRemote(text: string | null | undefined): ClientAddress {
  if (!text) return { ip: null, port: null, host: null };
  const paren = /^(.*)\((\d+)\)$/s.exec(text);
  if (paren) return hostAddress(paren[1], paren[2]);
  if (text === '[local]') return { ip: null, port: null, host: '[local]' };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(text.slice(colon + 1))) {
    const host = text.slice(0, colon);
    // A bare IPv6 address ends in a hex group that may be all digits: only split when what
    // remains is still an address or a name.
    if (isIp(host) || !host.includes(':') || host.startsWith('[')) return hostAddress(host, text.slice(colon + 1));
  }
  return hostAddress(text);
}
