/**
 * Zeek JSON records as platforms and shippers hand them over, brought back to Zeek's own flat
 * record (`id.orig_h`, `ts`, …) plus what the platform added:
 *
 * - Zeek's own JSON (`LogAscii::use_json`): flat, dotted keys, no `_path` (one log per file);
 * - sensor platforms that add fields to the record itself: Corelight / Zeek's logger
 *   (`_path`, `_system_name`, `_write_ts`), exports naming the stream and system `@stream`,
 *   `@system`, `@proc`; shippers that rename dots to underscores (`id_orig_h`) or nest (`id: {…}`);
 * - shippers that wrap the line Zeek wrote: Filebeat / Logstash / Elastic Agent (`message` or
 *   `event.original` holding the record as a JSON string, `log.file.path` naming the file),
 *   Elasticsearch query results (`_source`);
 * - ECS documents (Security Onion, Elastic's Zeek integration): `source.ip`, `destination.port`,
 *   `network.transport`, `event.dataset` (`zeek.conn` / `conn`), `@timestamp`.
 *
 * Native records take one `typeof` check per key more than before (the nested-object test);
 * unwrapping is tried only for records without `ts`.
 */
import { basename } from 'node:path';

export type ZeekJsonVariant = 'native' | 'underscored' | 'nested' | 'platform' | 'wrapped' | 'es_hit' | 'ecs';

export interface ZeekJsonRecord {
  /** Flat fields of the Zeek record: nested objects joined with dots. */
  fields: Record<string, unknown>;
  /** The platform's fields around the record (wrapped records), flattened; null for bare records. */
  envelope: Record<string, unknown> | null;
  /** Which log (`conn`, `ssh`, …) the record or its envelope says it is, if any. */
  path: string | null;
  variant: ZeekJsonVariant;
  /** Set when a wrapper held something that is not a Zeek record (e.g. `message` not JSON). */
  problem?: string;
}

/** Keys that name the log a record belongs to, by platform. */
const PATH_KEYS = ['_path', '@stream'] as const;

/** Flattens nested objects to dotted keys (`id: {orig_h}` → `id.orig_h`); arrays stay values. */
export function flatten(o: Record<string, unknown>, into: Record<string, unknown> = {}, prefix = ''): Record<string, unknown> {
  for (const k in o) {
    const v = o[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, into, prefix + k + '.');
    else into[prefix + k] = v;
  }
  return into;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The inner record of a shipper's wrapper, or null when `rec` is not wrapped. */
function unwrap(rec: Record<string, unknown>): { inner: Record<string, unknown> | null; envelope: Record<string, unknown>; variant: ZeekJsonVariant; problem?: string } | null {
  if (isObject(rec._source)) {
    const { _source, ...envelope } = rec;
    const inner = _source as Record<string, unknown>;
    // An Elasticsearch hit of a wrapped line: unwrap both.
    const deeper = inner.ts === undefined ? unwrap(inner) : null;
    if (deeper && deeper.inner) return { inner: deeper.inner, envelope: { ...envelope, ...deeper.envelope }, variant: 'es_hit' };
    return { inner, envelope, variant: 'es_hit' };
  }
  const event = isObject(rec.event) ? rec.event : null;
  const original = typeof rec.message === 'string' ? 'message' : typeof event?.original === 'string' ? 'event.original' : typeof rec['event.original'] === 'string' ? 'event.original' : null;
  if (original === null) return null;
  const text = (original === 'message' ? rec.message : (event?.original ?? rec['event.original'])) as string;
  const t = text.trim();
  if (t.charCodeAt(0) !== 123) return null;
  const envelope: Record<string, unknown> = {};
  for (const k in rec) if (k !== original && !(k === 'event' && original === 'event.original')) envelope[k] = rec[k];
  if (original === 'event.original' && event) {
    const { original: _o, ...rest } = event;
    void _o;
    if (Object.keys(rest).length > 0) envelope.event = rest;
  }
  try {
    const inner = JSON.parse(t) as unknown;
    if (isObject(inner)) return { inner, envelope, variant: 'wrapped' };
    return { inner: null, envelope, variant: 'wrapped', problem: `${original} holds JSON that is not an object` };
  } catch (err) {
    return { inner: null, envelope, variant: 'wrapped', problem: `${original} is not valid JSON (${(err as Error).message})` };
  }
}

/** The log name a platform's path value stands for (`zeek.conn` → `conn`, `/nsm/zeek/logs/ssh.log` → `ssh`). */
function pathName(v: unknown, fromFile = false): string | null {
  if (typeof v !== 'string' || v.length === 0) return null;
  if (fromFile) {
    const m = /^([a-z_]+?)(?:[._-]\d|\.log|\.json|$)/i.exec(basename(v));
    return m ? m[1]!.toLowerCase() : null;
  }
  const name = v.startsWith('zeek.') ? v.slice(5) : v;
  // Elastic's integration names conn.log's dataset zeek.connection.
  return name === 'connection' ? 'conn' : name;
}

function pathOf(f: Record<string, unknown>, envelope: Record<string, unknown> | null): string | null {
  for (const k of PATH_KEYS) {
    const p = pathName(f[k]);
    if (p) return p;
  }
  for (const src of envelope ? [f, envelope] : [f]) {
    const ds = src['event.dataset'];
    if (typeof ds === 'string' && (ds.startsWith('zeek.') || src['event.module'] === 'zeek')) return pathName(ds);
  }
  if (envelope) {
    for (const k of PATH_KEYS) {
      const p = pathName(envelope[k]);
      if (p) return p;
    }
    const file = envelope['log.file.path'] ?? envelope.source ?? envelope.path;
    if (typeof file === 'string' && /\.(log|json)(\.gz)?$/i.test(file)) return pathName(file, true);
  }
  return null;
}

/** Reads one parsed JSON line as a Zeek record (see the module comment for the shapes). */
export function readZeekJson(rec: Record<string, unknown>): ZeekJsonRecord {
  let variant: ZeekJsonVariant = 'native';
  let envelope: Record<string, unknown> | null = null;
  let problem: string | undefined;
  let body = rec;
  if (rec.ts === undefined) {
    const w = unwrap(rec);
    if (w) {
      variant = w.variant;
      envelope = flatten(w.envelope);
      if (w.inner) body = w.inner;
      else problem = w.problem;
    }
  }
  let nested = false;
  for (const k in body) {
    const v = body[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      nested = true;
      break;
    }
  }
  const fields = nested ? flatten(body) : body;
  const path = pathOf(fields, envelope);
  if (variant === 'native') {
    if ('source.ip' in fields || 'destination.ip' in fields) variant = 'ecs';
    else if ('id_orig_h' in fields || 'id_resp_h' in fields) variant = 'underscored';
    else if (nested && 'id.orig_h' in fields) variant = 'nested';
    else if (path !== null || '_write_ts' in fields || '_system_name' in fields || '@system' in fields || '@timestamp' in fields) variant = 'platform';
  }
  return { fields, envelope, path, variant, problem };
}

/** How `dwell sniff` names each variant. */
export const VARIANT_NAMES: Record<ZeekJsonVariant, string> = {
  native: "Zeek's own JSON (dotted keys)",
  underscored: 'Zeek JSON with underscored keys (id_orig_h)',
  nested: 'Zeek JSON with a nested id object',
  platform: 'Zeek JSON with platform fields (_path/@stream, _system_name/@system, _write_ts)',
  wrapped: "Zeek JSON wrapped by a shipper (message / event.original)",
  es_hit: 'Zeek JSON as Elasticsearch hits (_source)',
  ecs: 'Zeek as ECS documents (source.ip, event.dataset, @timestamp)',
};

/** Whether flattened fields are a Zeek record (not Suricata eve, CloudTrail or any other JSON). */
export function looksLikeZeek(f: Record<string, unknown>, path: string | null, envelope: Record<string, unknown> | null): boolean {
  if ('event_type' in f) return false; // Suricata eve
  const hasTime = f.ts !== undefined || f['@timestamp'] !== undefined;
  if (!hasTime) return false;
  if ('id.orig_h' in f || 'id_orig_h' in f || 'id.resp_h' in f || 'id_resp_h' in f) return true;
  const uid = f.uid ?? f['log.id.uid'] ?? f['zeek.session_id'];
  if (typeof uid === 'string' && /^C[0-9A-Za-z]{8,}$/.test(uid)) return true;
  const ds = f['event.dataset'] ?? envelope?.['event.dataset'];
  if (typeof ds === 'string' && ds.startsWith('zeek.')) return true;
  if (f['event.module'] === 'zeek' || envelope?.['event.module'] === 'zeek') return true;
  return path !== null && f.ts !== undefined && ('_path' in f || '@stream' in f);
}
