/**
 * STIX 2.1 identifiers. Cyber-observable objects get the deterministic UUIDv5 the specification
 * prescribes (section 2.9): namespace 00abedb4-aa42-466c-9c01-fed23315a9b7, name = the JSON
 * Canonicalization (RFC 8785) of the object's ID-contributing properties — so the same address
 * exported twice, or by another producer, has the same id. Other objects get a UUIDv5 in dwell's
 * own namespace from a stable name (findings run and content), so an export is reproducible.
 */
import { createHash } from 'node:crypto';

export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** dwell's namespace for its SDOs (a fixed random UUID). */
export const DWELL_NAMESPACE = '8e1c7a52-3f0b-4a55-9a6e-2f5d8f1b6c3d';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 version 5 (SHA-1) UUID. */
export function uuidv5(namespace: string, name: string): string {
  const h = createHash('sha1').update(uuidBytes(namespace)).update(Buffer.from(name, 'utf8')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * RFC 8785 canonical JSON for the values STIX id-contributing properties hold here (strings,
 * numbers, booleans, objects, arrays): keys sorted by UTF-16 code units, no whitespace;
 * JSON.stringify already escapes strings as RFC 8785 requires.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** ID-contributing properties of the SCO types dwell writes (STIX 2.1, section 6). */
export const ID_CONTRIBUTING: Record<string, readonly string[]> = {
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
};

export function scoId(type: string, props: Record<string, unknown>): string {
  const keys = ID_CONTRIBUTING[type];
  if (!keys) throw new Error(`no id-contributing properties known for ${type}`);
  const contributing: Record<string, unknown> = {};
  for (const k of keys) if (props[k] !== undefined && props[k] !== null) contributing[k] = props[k];
  return `${type}--${uuidv5(SCO_NAMESPACE, canonicalJson(contributing))}`;
}

export function sdoId(type: string, name: string): string {
  return `${type}--${uuidv5(DWELL_NAMESPACE, `${type}|${name}`)}`;
}

/** A string literal of the STIX patterning language: `'` and `\` escaped. */
export function patternString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
