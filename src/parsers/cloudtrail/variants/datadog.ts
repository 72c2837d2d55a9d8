/**
 * CloudTrail records after Datadog's log pipeline (Datadog's CloudTrail forwarder and integration
 * pipeline, as in the Stratus Red Team export): the record keeps its own fields except those
 * Datadog remapped to its standard attributes — `sourceIPAddress` → `network.client.ip`,
 * `userAgent` → `http.useragent`, `requestID` → `http.request_id`, `eventName` copied to
 * `evt.name` — and gains `service`, `aws.s3` (the CloudTrail object it came from),
 * `aws.invoked_function_arn` (the forwarder) and `userIdentity.session_name`/`assumed_role`.
 *
 * Also Datadog's log search API responses: v2 `{"data":[{"type":"log","attributes":{…,
 * "attributes":{record}}}]}` and v1 `{"logs":[{"content":{…,"attributes":{record}}}]}`.
 */
import { obj, str } from '../identity.js';

type Obj = Record<string, unknown>;

/** Top-level fields Datadog adds around a record (never CloudTrail fields). */
const ADDED = new Set(['aws', 'evt', 'http', 'network', 'service', 'ddsource', 'ddtags', 'usr', 'status', 'host', 'date']);

export function isDatadogRecord(o: Obj): boolean {
  return o.sourceIPAddress === undefined && (obj(o.network) !== null || obj(o.http) !== null || obj(o.evt) !== null);
}

/** The record with CloudTrail's fields back, and what Datadog added (for attrs.wrapper). */
export function recordFromDatadog(o: Obj): { rec: Obj; added: Obj } {
  const rec: Obj = {};
  const added: Obj = {};
  for (const k in o) {
    if (ADDED.has(k)) added[k] = o[k];
    else rec[k] = o[k];
  }
  const network = obj(o.network);
  const http = obj(o.http);
  const ip = str(obj(network?.client)?.ip) ?? firstString(obj(network?.ip)?.list);
  if (ip && rec.sourceIPAddress === undefined) rec.sourceIPAddress = ip;
  if (str(http?.useragent) && rec.userAgent === undefined) rec.userAgent = http!.useragent;
  if (str(http?.request_id) && rec.requestID === undefined) rec.requestID = http!.request_id;
  const evtName = str(obj(o.evt)?.name);
  if (evtName && rec.eventName === undefined) rec.eventName = evtName;
  return { rec, added };
}

function firstString(v: unknown): string | null {
  return Array.isArray(v) ? str(v[0]) : null;
}

/** A log of Datadog's search API: the log's attributes (the record) and the log's own fields. */
export function datadogApiLog(o: Obj): { inner: Obj; outer: Obj; time: string | null } | null {
  // v2: {"id","type":"log","attributes":{"timestamp","service","host","tags","message","attributes":{…}}}
  // v1: {"id","content":{"timestamp","service","host","tags","message","attributes":{…}}}
  const box = o.type === 'log' ? obj(o.attributes) : obj(o.content);
  const inner = obj(box?.attributes);
  if (!box || !inner) return null;
  const outer: Obj = {};
  for (const k in o) if (k !== 'attributes' && k !== 'content') outer[k] = o[k];
  for (const k in box) if (k !== 'attributes') outer[k] = box[k];
  return { inner, outer, time: str(box.timestamp) };
}
