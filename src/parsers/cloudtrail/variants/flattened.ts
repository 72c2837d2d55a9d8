/**
 * CloudTrail records whose field names were rewritten by the tool that exported them, back to
 * the names CloudTrail writes:
 * - dotted keys (`"userIdentity.arn": …`, Kibana and Splunk table exports, CSV headers);
 * - lower-cased names (CloudTrail Lake and Athena: `eventtime`, `useridentity.arn`,
 *   `sourceipaddress`) and snake_case (`event_time`, `user_identity`);
 * - labels written for people (`Event Name`, `Event DateTime`, `Source IP`, `Request User Agent`,
 *   `User ID` — alert and SIEM tables built on CloudTrail data events);
 * - values that became text: JSON objects written as strings (Athena's `requestparameters`),
 *   structs and maps in Hive's notation (`{type=IAMUser, principalid=AIDA…, arn=…}` — Athena and
 *   CloudTrail Lake results), Python reprs (`{'type': 'AWSAccount', …}` — tables written by Python
 *   tools), `"true"`/`"false"`, and empty cells.
 *
 * Field names are only mapped where CloudTrail defines them (the record, userIdentity and its
 * session context, tlsDetails, resources); request parameters and the like keep the service's
 * own names.
 */
import { parseHiveValue } from './hive.js';
import { parsePythonLiteral } from './python-literal.js';

type Obj = Record<string, unknown>;

/** Names CloudTrail writes, per level of the record. */
const LEVELS: Record<string, string[]> = {
  top: [
    'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage',
    'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'resources', 'eventType', 'apiVersion',
    'managementEvent', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'tlsDetails',
    'sessionCredentialFromConsole', 'serviceEventDetails', 'insightDetails', 'addendum', 'edgeDeviceDetails',
  ],
  userIdentity: ['type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'sessionContext', 'invokedBy', 'identityProvider', 'credentialId', 'onBehalfOf', 'identityStoreArn', 'inScopeOf'],
  sessionContext: ['attributes', 'sessionIssuer', 'webIdFederationData', 'sourceIdentity', 'ec2RoleDelivery', 'ec2IssuedInVPC', 'assumedRoot'],
  attributes: ['creationDate', 'mfaAuthenticated'],
  sessionIssuer: ['type', 'principalId', 'arn', 'accountId', 'userName'],
  webIdFederationData: ['federatedProvider', 'attributes'],
  onBehalfOf: ['userId', 'identityStoreArn'],
  tlsDetails: ['tlsVersion', 'cipherSuite', 'clientProvidedHostHeader'],
  resources: ['ARN', 'accountId', 'type'],
};

/** `event_time`, `eventtime`, `EventTime`, `Event Time` → one spelling. */
export function canonKey(k: string): string {
  return k.toLowerCase().replace(/[_\-\s]/g, '');
}

/**
 * Top-level labels that are not CloudTrail's names but say the same (canonical spelling → name).
 * `User ID` holds the whole userIdentity only when its cell is an object; a plain id stays as it is.
 */
const LABELS = new Map<string, string>([
  ['eventdatetime', 'eventTime'],
  ['sourceip', 'sourceIPAddress'],
  ['requestuseragent', 'userAgent'],
  ['userid', 'userIdentity'],
]);
const OBJECT_ONLY_LABELS = new Set(['userid']);

/** CloudTrail's name for a top-level column (its own name in any spelling, or a label that says the same), or null. */
export function cloudTrailTopName(k: string): string | null {
  const c = canonKey(k);
  return TOP.get(c) ?? LABELS.get(c) ?? null;
}

const CANON: Record<string, Map<string, string>> = {};
for (const [level, names] of Object.entries(LEVELS)) CANON[level] = new Map(names.map((n) => [canonKey(n), n]));

/** The level a field's value is read at (objects CloudTrail defines), or null (kept as written). */
function childLevel(level: string, name: string): string | null {
  if (level === 'top') return name === 'userIdentity' || name === 'tlsDetails' || name === 'resources' ? name : null;
  if (level === 'userIdentity') return name === 'sessionContext' || name === 'onBehalfOf' ? name : null;
  if (level === 'sessionContext') return name === 'attributes' || name === 'sessionIssuer' || name === 'webIdFederationData' ? name : null;
  return null;
}

const TOP = CANON.top!;

/** Whether the object's keys look like a renamed CloudTrail record (dotted, lower-case or snake_case). */
export function looksFlattened(o: Obj): boolean {
  let hits = 0;
  for (const k in o) {
    const dot = k.indexOf('.');
    const head = dot >= 0 ? k.slice(0, dot) : k;
    if (TOP.has(canonKey(head)) || LABELS.has(canonKey(head))) hits++;
    if (hits >= 2) return true;
  }
  return false;
}

const JSONISH = /^\s*[[{]/;
const MAX_SEGMENTS = 32;
const BOOLEAN_FIELDS = new Set(['readOnly', 'managementEvent', 'sessionCredentialFromConsole']);
/** Fields that hold objects, which exports may have written as text. */
const OBJECT_FIELDS = new Set(['userIdentity', 'requestParameters', 'responseElements', 'additionalEventData', 'resources', 'tlsDetails', 'serviceEventDetails', 'insightDetails', 'addendum', 'edgeDeviceDetails']);
/** `2026-03-02 01:05:00.000` — CloudTrail Lake and Athena render eventTime in UTC without a zone. */
const ZONELESS = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?$/;

/**
 * The record with CloudTrail's names back: dotted keys nested, names canonical at the levels
 * CloudTrail defines, text values typed. Returns null when nothing in it is a CloudTrail field.
 */
export function unflattenRecord(o: Obj): Obj | null {
  const rec: Obj = {};
  let known = 0;
  for (const k in o) {
    const v = typed(o[k]);
    if (v === undefined) continue;
    // A key of more segments than any CloudTrail field has is kept whole (and bounds the recursion).
    const path = k.split('.', MAX_SEGMENTS + 1).length > MAX_SEGMENTS ? [k] : k.split('.');
    const head = path[0]!.endsWith('{}') ? path[0]!.slice(0, -2) : path[0]!;
    const label = path.length === 1 ? canonKey(head) : '';
    if (LABELS.has(label) && (!OBJECT_ONLY_LABELS.has(label) || (typeof v === 'object' && v !== null) || (typeof v === 'string' && JSONISH.test(v)))) path[0] = LABELS.get(label)!;
    if (TOP.has(canonKey(path[0]!))) known++;
    assign(rec, 'top', path, 0, v);
  }
  return known > 0 ? rec : null;
}

/**
 * Sets `path[i…]` under `node`. A segment `name{}` (Splunk's notation for the objects of an array,
 * `resources{}.ARN`) spreads a multivalue field over the array's elements.
 */
function assign(node: Obj, level: string | null, path: string[], i: number, v: unknown): void {
  const raw = path[i]!;
  const spread = raw.endsWith('{}') && i < path.length - 1;
  const seg = spread ? raw.slice(0, -2) : raw;
  const name: string = (level && CANON[level]!.get(canonKey(seg))) ?? seg;
  if (i === path.length - 1) {
    node[name] = level ? shapeValue(level, name, v) : v;
    return;
  }
  const child = level ? childLevel(level, name) : null;
  if (spread) {
    const list = Array.isArray(node[name]) ? (node[name] as unknown[]) : (node[name] = []);
    const values = Array.isArray(v) ? v : [v];
    values.forEach((x, j) => {
      const el = list[j] !== null && typeof list[j] === 'object' ? (list[j] as Obj) : (list[j] = {});
      assign(el, child, path, i + 1, x);
    });
    return;
  }
  const next = node[name];
  const into = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Obj) : (node[name] = {});
  assign(into, child, path, i + 1, v);
}

/** A value read from text or a struct: empty, `null` and null fields are absent (Hive lists every struct field). */
function typed(v: unknown): unknown {
  if (v === null) return undefined;
  if (typeof v !== 'string') return v;
  if (v === '' || v === 'null') return undefined;
  return v;
}

function shapeValue(level: string, name: string, v: unknown): unknown {
  if (level === 'top') {
    if (name === 'eventTime' && typeof v === 'string' && ZONELESS.test(v)) return utcText(v);
    if (BOOLEAN_FIELDS.has(name) && (v === 'true' || v === 'false')) return v === 'true';
  }
  // A session's creationDate names it (session = name@creationDate): written as CloudTrail does.
  if (level === 'attributes' && name === 'creationDate' && typeof v === 'string' && ZONELESS.test(v)) return utcText(v);
  let value = v;
  if (typeof v === 'string' && (OBJECT_FIELDS.has(name) || childLevel(level, name)) && JSONISH.test(v)) {
    value = parseText(v);
  }
  const child = childLevel(level, name);
  if (!child || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? renameLevel(child, x as Obj) : x));
  return renameLevel(child, value as Obj);
}

/** `2026-04-14 03:12:09.000` (UTC by definition, without the zone) → `2026-04-14T03:12:09Z`. */
function utcText(v: string): string {
  return v.replace(' ', 'T').replace(/\.0+$/, '') + 'Z';
}

function renameLevel(level: string, o: Obj): Obj {
  const out: Obj = {};
  const names = CANON[level]!;
  for (const k in o) {
    const name = names.get(canonKey(k)) ?? k;
    const v = typed(o[k]);
    if (v === undefined) continue;
    out[name] = shapeValue(level, name, v);
  }
  return out;
}

/** JSON text, or Hive's `{k=v, …}` notation, or a Python repr, or the text itself when it is none of them. */
function parseText(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return parseHiveValue(s) ?? parsePythonLiteral(s) ?? s;
  }
}
