/**
 * From whatever carried a CloudTrail record to the record itself, in CloudTrail's own field
 * names: envelopes are peeled (lookup-events `CloudTrailEvent`, CloudWatch Logs `message`,
 * Splunk `result`/`_raw`, EventBridge `detail`, Elasticsearch `_source`, Elastic `event.original`,
 * Beats/Logstash `message`, Datadog's API logs), then the record's shape is mapped back (Elastic
 * ECS fields, Datadog's standard attributes, dotted / lower-cased / snake_case names, a time
 * field renamed by the pipeline).
 *
 * What the envelopes and pipelines added is returned as `wrapper` (attrs.wrapper); the record's
 * own fields end in the event exactly as for a record read from CloudTrail's S3 files, so every
 * variant gives the same normalized event as the native record.
 */
import { obj, str } from '../identity.js';
import { datadogApiLog, isDatadogRecord, recordFromDatadog } from './datadog.js';
import { ecsMetadata, isEcsCloudTrail, recordFromEcs } from './ecs.js';
import { looksFlattened, unflattenRecord } from './flattened.js';

type Obj = Record<string, unknown>;

export interface Resolved {
  rec: Obj;
  /** Fields of the envelopes around the record and of the pipelines that rewrote it (attrs.wrapper). */
  wrapper: Obj | null;
  /** The time to use when the record has no eventTime, and the field it was read from. */
  fallbackTime: string | null;
  timeField: string | null;
  /** How the record was reached, outermost first (`splunk`, `splunk_raw`, `eventbridge`…); empty for a plain record. */
  layers: string[];
  /** The JSON text the record was decoded from, when an envelope held it as a string. */
  decodedFrom: string | null;
}

export type Resolution = Resolved | { problem: string } | { control: string };

export interface ResolveContext {
  /** The record array's wrapper key (`Records`, `logEvents`…), null for top-level values. */
  container: string | null;
  /** The wrapper's fields before the array (the CloudWatch Logs subscription envelope). */
  head: Obj | null;
}

interface Peeled {
  layer: string;
  inner: Obj;
  outer: Obj | null;
  time?: { text: string; field: string } | null;
  decodedFrom?: string;
}

type Peel = Peeled | { problem: string } | { control: string } | null;

const MAX_LAYERS = 6;

export function resolveRecord(o: Obj, rc: ResolveContext): Resolution {
  const out: Resolved = { rec: o, wrapper: null, fallbackTime: null, timeField: null, layers: [], decodedFrom: null };
  let cur = o;
  let container = rc.container;
  for (let n = 0; n < MAX_LAYERS; n++) {
    const p = peel(cur, container, n === 0 ? rc.head : null);
    if (p === null) break;
    if (!('layer' in p)) return p;
    out.layers.push(p.layer);
    out.wrapper = merge(out.wrapper, p.outer, p.layer);
    if (p.time) [out.fallbackTime, out.timeField] = [p.time.text, p.time.field];
    if (p.decodedFrom !== undefined) out.decodedFrom = p.decodedFrom;
    cur = p.inner;
    container = null;
  }
  out.rec = mapShape(cur, out);
  return out;
}

/** One envelope off, or null when `o` is not one. */
function peel(o: Obj, container: string | null, head: Obj | null): Peel {
  if (o.CloudTrailEvent !== undefined) {
    // aws cloudtrail lookup-events: the record double-encoded in CloudTrailEvent.
    return decode(o, 'CloudTrailEvent', 'lookup_events', { field: 'EventTime', text: str(o.EventTime) });
  }
  if (typeof o.message === 'string') {
    if (o.logStreamName !== undefined || o.ingestionTime !== undefined || container === 'events' || container === 'logEvents') {
      // CloudWatch Logs: filter-log-events output, or a subscription / Firehose delivery.
      if (o.message.startsWith('CWL CONTROL MESSAGE') || head?.messageType === 'CONTROL_MESSAGE') return { control: o.message.slice(0, 120) };
      const ms = typeof o.timestamp === 'number' && Number.isFinite(o.timestamp) ? new Date(o.timestamp).toISOString() : null;
      const p = decode(o, 'message', container === 'logEvents' ? 'cloudwatch_subscription' : 'cloudwatch', { field: 'timestamp', text: ms });
      if (p && 'layer' in p && head) p.outer = { ...head, ...p.outer };
      return p;
    }
    if (o['@timestamp'] !== undefined && /^\s*\{/.test(o.message)) {
      // Filebeat / Logstash: the record as read, in `message`.
      return decode(o, 'message', 'beats_message', { field: '@timestamp', text: str(o['@timestamp']) });
    }
  }
  const result = obj(o.result);
  if (result && (o.preview !== undefined || o.lastrow !== undefined || typeof result._raw === 'string')) {
    // Splunk export (REST/CLI `output_mode=json`): {"preview":false,"offset":0,"result":{…}}.
    const outer: Obj = {};
    for (const k in o) if (k !== 'result') outer[k] = o[k];
    return { layer: 'splunk', inner: result, outer };
  }
  if (typeof o._raw === 'string') {
    // A Splunk event: the record in _raw, Splunk's fields (_time, host, source, sourcetype…) around it.
    const outer: Obj = {};
    for (const k in o) if (k !== '_raw' && (k.startsWith('_') || SPLUNK_META.has(k))) outer[k] = o[k];
    const p = decode(o, '_raw', 'splunk_raw', { field: '_time', text: str(o._time) });
    if (p && 'layer' in p) p.outer = outer;
    return p;
  }
  if (typeof o['detail-type'] === 'string' && obj(o.detail)) {
    // EventBridge: {"detail-type":"AWS API Call via CloudTrail","time":…,"detail":{record}}.
    return { layer: 'eventbridge', inner: o.detail as Obj, outer: without(o, 'detail'), time: { field: 'time', text: str(o.time) ?? '' } };
  }
  if (obj(o._source) && (o._index !== undefined || o._id !== undefined)) {
    // Elasticsearch / OpenSearch hit (a _search response, elasticdump).
    return { layer: 'elasticsearch_hit', inner: o._source as Obj, outer: without(o, '_source') };
  }
  const dd = datadogApiLog(o);
  if (dd) return { layer: 'datadog_api', inner: dd.inner, outer: dd.outer, time: dd.time ? { field: 'timestamp', text: dd.time } : null };
  const original = obj(o.event)?.original ?? o['event.original'];
  if (typeof original === 'string' && /^\s*\{/.test(original)) {
    // Elastic kept the record (preserve_original_event, Logstash 8's event.original).
    let inner: unknown;
    try {
      inner = JSON.parse(original);
    } catch {
      return null; // rebuilt from the ECS fields instead
    }
    const rec = obj(inner);
    if (!rec) return null;
    const ts = str(o['@timestamp']);
    return { layer: 'elastic_original', inner: rec, outer: ecsMetadata(o), time: ts ? { field: '@timestamp', text: ts } : null, decodedFrom: original };
  }
  return null;
}

const SPLUNK_META = new Set(['host', 'source', 'sourcetype', 'index', 'splunk_server', 'linecount', 'punct', 'eventtype', 'tag', 'timestamp']);

function decode(o: Obj, key: string, layer: string, time: { field: string; text: string | null }): Peel {
  const v = o[key];
  if (obj(v)) return { layer, inner: v as Obj, outer: without(o, key), time: time.text ? { field: time.field, text: time.text } : null };
  if (typeof v !== 'string') return { problem: `${key} is neither a JSON object nor a string holding one` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (err) {
    return { problem: `${key} is not valid JSON: ${(err as Error).message}` };
  }
  const inner = obj(parsed);
  if (!inner) return { problem: `${key} is not a JSON object` };
  return { layer, inner, outer: without(o, key), time: time.text ? { field: time.field, text: time.text } : null, decodedFrom: v };
}

/** The record's own shape back to CloudTrail's names. */
function mapShape(o: Obj, out: Resolved): Obj {
  let cur = o;
  const dotted = hasDottedKey(cur);
  if (dotted) {
    const nested = nestDots(cur);
    if (isEcsCloudTrail(nested)) cur = nested;
  }
  if (isEcsCloudTrail(cur)) {
    out.layers.push('ecs');
    out.wrapper = merge(out.wrapper, ecsMetadata(cur), 'ecs');
    const ts = str(cur['@timestamp']);
    if (ts) [out.fallbackTime, out.timeField] = [ts, '@timestamp'];
    return recordFromEcs(cur);
  }
  if (isDatadogRecord(cur)) {
    const { rec, added } = recordFromDatadog(cur);
    out.layers.push('datadog');
    out.wrapper = merge(out.wrapper, added, 'datadog');
    cur = rec;
  }
  // Dotted keys (`userIdentity.arn`), or no CloudTrail name as CloudTrail spells it (`eventname`, `event_name`).
  if ((dotted || (cur.eventSource === undefined && cur.eventName === undefined && cur.eventTime === undefined)) && looksFlattened(cur)) {
    const rec = unflattenRecord(cur);
    if (rec) {
      out.layers.push('renamed_fields');
      cur = rec;
    }
  }
  return pipelineFields(cur, out);
}

/** Fields a pipeline put beside the record (`@timestamp`, `@version`, tags…) go to the wrapper; a renamed eventTime is found. */
function pipelineFields(rec: Obj, out: Resolved): Obj {
  let piped = false;
  for (const k in rec) {
    if (k.charCodeAt(0) === 64 /* @ */) {
      piped = true;
      break;
    }
  }
  let result = rec;
  if (piped) {
    result = {};
    const moved: Obj = {};
    for (const k in rec) {
      if (CLOUDTRAIL_TOP.has(k)) result[k] = rec[k];
      else moved[k] = rec[k];
    }
    out.layers.push('pipeline_fields');
    out.wrapper = merge(out.wrapper, moved, 'pipeline');
  }
  if (result.eventTime === undefined) {
    for (const k of TIME_FIELDS) {
      const v = str(rec[k]);
      if (v) {
        [out.fallbackTime, out.timeField] = [v, k];
        break;
      }
    }
  }
  return result;
}

/** Where pipelines put the time once eventTime is gone. */
const TIME_FIELDS = ['@timestamp', 'timestamp', '_time', 'time'];

const CLOUDTRAIL_TOP = new Set([
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage',
  'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'resources', 'eventType', 'apiVersion',
  'managementEvent', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'tlsDetails',
  'sessionCredentialFromConsole', 'serviceEventDetails', 'insightDetails', 'addendum', 'edgeDeviceDetails',
]);

function hasDottedKey(o: Obj): boolean {
  for (const k in o) if (k.includes('.')) return true;
  return false;
}

/** `{"a.b": 1}` → `{"a": {"b": 1}}`, names unchanged (for ECS documents exported flat). */
function nestDots(o: Obj): Obj {
  const out: Obj = {};
  for (const k in o) {
    const path = k.split('.', 65);
    if (path.length > 64) {
      out[k] = o[k];
      continue;
    }
    let node = out;
    for (let i = 0; i < path.length - 1; i++) node = obj(node[path[i]!]) ?? (node[path[i]!] = {});
    const last = path[path.length - 1]!;
    const v = o[k];
    const existing = obj(node[last]);
    if (existing && obj(v)) Object.assign(existing, v);
    else node[last] = v;
  }
  return out;
}

function without(o: Obj, key: string): Obj {
  const out: Obj = {};
  for (const k in o) if (k !== key) out[k] = o[k];
  return out;
}

/** Wrapper fields of one more layer; a name already taken is kept under `layer.name`. */
function merge(wrapper: Obj | null, add: Obj | null, layer: string): Obj | null {
  if (!add) return wrapper;
  let w = wrapper;
  for (const k in add) {
    w ??= {};
    if (k in w) w[`${layer}.${k}`] = add[k];
    else w[k] = add[k];
  }
  return w;
}
