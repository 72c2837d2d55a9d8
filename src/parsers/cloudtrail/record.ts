/**
 * One CloudTrail record (already parsed JSON) → one normalized event.
 *
 * ts = eventTime; action = `eventSource:eventName`; class authentication (sign-in, STS sessions,
 * Identity Center sign-in), account_change (IAM / Identity Center writes) or api_activity;
 * outcome from errorCode or the sign-in response; actor, key, session and MFA from userIdentity;
 * src_ip only when sourceIPAddress is an address; target from request parameters and resources;
 * every other field of the record kept in attrs (request/response/additional data whole).
 */
import { isIP } from 'node:net';
import type { DwellEvent, EventClass, Outcome } from '../../core/event.js';
import { safeText } from '../../core/sanitize.js';
import { parseIsoMicros, utcMillis, type LocalZone } from '../../core/time.js';
import { obj, readFlag, readIdentity, str } from './identity.js';
import { findTargets } from './targets.js';

type Obj = Record<string, unknown>;

export interface Provenance {
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}

export type Normalized = { event: DwellEvent; note?: string } | { problem: string };

/** Record fields kept in attrs under these names (the rest go to `attrs.unmapped`). */
export const ATTR_NAMES: Record<string, string> = {
  eventVersion: 'event_version',
  awsRegion: 'region',
  errorCode: 'error_code',
  errorMessage: 'error_message',
  requestParameters: 'request_parameters',
  responseElements: 'response_elements',
  additionalEventData: 'additional_event_data',
  requestID: 'request_id',
  eventID: 'event_id',
  readOnly: 'read_only',
  resources: 'resources',
  eventType: 'event_type',
  apiVersion: 'api_version',
  managementEvent: 'management_event',
  recipientAccountId: 'recipient_account',
  sharedEventID: 'shared_event_id',
  vpcEndpointId: 'vpc_endpoint_id',
  vpcEndpointAccountId: 'vpc_endpoint_account',
  eventCategory: 'category',
  tlsDetails: 'tls_details',
  sessionCredentialFromConsole: 'session_credential_from_console',
  serviceEventDetails: 'service_event_details',
  insightDetails: 'insight_details',
  addendum: 'addendum',
  edgeDeviceDetails: 'edge_device_details',
};
/** Fields that become columns (or the time) rather than attrs. */
const COLUMN_FIELDS = new Set(['userIdentity', 'eventTime', 'eventSource', 'eventName', 'sourceIPAddress', 'userAgent']);

/** attrs deeper than this are cut (JSON.stringify recurses; the raw record keeps everything). */
export const ATTR_MAX_DEPTH = 64;

const AUTH_STS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken']);
const AUTH_SSO = new Set(['Authenticate', 'Federate', 'GetRoleCredentials', 'CreateToken', 'UserAuthentication', 'CredentialChallenge', 'CredentialVerification', 'Logout']);
const SSO_SOURCES = new Set(['sso.amazonaws.com', 'portal.sso.amazonaws.com', 'sso-oidc.amazonaws.com', 'signin.aws', 'signin.aws.amazon.com']);
const ACCOUNT_SOURCES = new Set(['iam.amazonaws.com', 'sso.amazonaws.com', 'sso-directory.amazonaws.com', 'identitystore.amazonaws.com']);
const ACCOUNT_VERBS = /^(Create|Delete|Update|Attach|Detach|Put|Add|Remove|Change|Enable|Disable|Deactivate|Resync|Upload|Set|Tag|Untag|Reset|Provision|Associate|Disassociate|Activate)/;
/** Responses that carry a new key: STS sessions, IAM access keys. */
const KEY_ISSUERS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken', 'CreateAccessKey']);

export function classify(source: string | null, name: string | null): EventClass {
  if (!source || !name) return 'other';
  if (source === 'signin.amazonaws.com') return 'authentication';
  if (source === 'sts.amazonaws.com' && AUTH_STS.has(name)) return 'authentication';
  if (SSO_SOURCES.has(source) && AUTH_SSO.has(name)) return 'authentication';
  if (ACCOUNT_SOURCES.has(source) && ACCOUNT_VERBS.test(name)) return 'account_change';
  return 'api_activity';
}

function outcomeOf(rec: Obj, name: string | null, re: Obj | null): Outcome {
  if (rec.eventType === 'AwsCloudTrailInsight') return 'unknown';
  if (str(rec.errorCode)) return 'failure';
  // Sign-in events answer in their response: {"ConsoleLogin": "Success" | "Failure"}, CheckMfa, SwitchRole…
  if (re && name) {
    const v = re[name];
    if (v === 'Success') return 'success';
    if (v === 'Failure') return 'failure';
  }
  return 'success';
}

export interface NormalizeOptions {
  tz: LocalZone;
  /** Nesting depth of the record as seen by the scanner (attrs are cut beyond ATTR_MAX_DEPTH). */
  depth: number;
  /** Outer fields of a lookup-events / CloudWatch wrapper around the record. */
  wrapper?: Obj | null;
  /** Time to use when the record has no eventTime (lookup-events `EventTime`, Elastic `@timestamp`, Splunk `_time`…). */
  fallbackTime?: string | null;
  /** The field `fallbackTime` was read from; kept in attrs.time_field when it gives the time. */
  timeField?: string | null;
}

export function normalizeRecord(rec: Obj, prov: Provenance, o: NormalizeOptions): Normalized {
  const eventTime = str(rec.eventTime);
  const timeText = eventTime ?? o.fallbackTime ?? null;
  const name = str(rec.eventName);
  const inferredSource = str(rec.eventSource) === null ? serviceFromHost(rec) : null;
  const source = str(rec.eventSource) ?? inferredSource?.source ?? null;
  const timeName = eventTime === null && o.timeField ? o.timeField : 'eventTime';
  if (!timeText) {
    const what = naming(rec, name);
    return { problem: rec.eventTime === undefined ? `record has no eventTime (nor @timestamp, _time, timestamp or time)${what ? ` (${what})` : ''}` : `eventTime is not a time: ${JSON.stringify(rec.eventTime).slice(0, 80)}` };
  }
  const t = fastUtcMicros(timeText) ?? parseIsoMicros(timeText, o.tz);
  if (!t) {
    const what = naming(rec, name);
    return { problem: `${timeName} is not a time: ${JSON.stringify(timeText).slice(0, 80)}${what ? ` (${what})` : ''}` };
  }

  const ident = readIdentity(obj(rec.userIdentity));
  const attrs: Obj = ident.attrs;
  let unmapped: Obj | null = null;
  for (const k in rec) {
    if (COLUMN_FIELDS.has(k)) continue;
    const v = rec[k];
    const a = ATTR_NAMES[k];
    if (a) {
      if (v !== null && v !== undefined) attrs[a] = a === 'read_only' ? (readFlag(v) ?? v) : v;
    } else {
      (unmapped ??= {})[k] = v;
    }
  }
  if (unmapped) attrs.unmapped = unmapped;
  if (o.wrapper) attrs.wrapper = o.wrapper;
  // A table that dropped eventSource: the service named by the request's host, and said so.
  if (inferredSource) attrs.event_source_from = inferredSource.field;
  // Say which field gave the time when it was not eventTime (an export renamed or dropped it).
  if (timeName !== 'eventTime') attrs.time_field = timeName;

  const rp = obj(rec.requestParameters);
  const re = obj(rec.responseElements);
  const aed = obj(rec.additionalEventData);

  const sourceIp = str(rec.sourceIPAddress);
  let srcIp: string | null = null;
  if (sourceIp) {
    if (isIP(sourceIp)) srcIp = sourceIp;
    else attrs.source = sourceIp; // a service name (ec2.amazonaws.com), "AWS Internal", …
  }
  // Sign-in says whether MFA was used in its additional data.
  if (aed && aed.MFAUsed !== undefined) {
    const m = readFlag(aed.MFAUsed);
    if (m !== null) attrs.mfa = m;
  }

  // Key chains: the key a session or CreateAccessKey call issued, and to whom.
  if (re && name && KEY_ISSUERS.has(name)) {
    const creds = obj(re.credentials);
    const ak = obj(re.accessKey);
    const issued = str(creds?.accessKeyId) ?? str(ak?.accessKeyId);
    if (issued) {
      attrs.issued_access_key = issued;
      const to = str(obj(re.assumedRoleUser)?.arn) ?? str(obj(re.federatedUser)?.arn) ?? str(ak?.userName) ?? (name === 'GetSessionToken' ? ident.actor : null);
      if (to) attrs.issued_to = to;
      const exp = str(creds?.expiration);
      if (exp) attrs.issued_key_expiration = exp;
    }
  }

  const targets = findTargets(source, rp, re, rec.resources);
  if (targets.all) attrs.targets = targets.all;

  let bytesOut: number | null = null;
  let bytesIn: number | null = null;
  if (aed) {
    bytesOut = count(aed.bytesTransferredOut);
    bytesIn = count(aed.bytesTransferredIn);
  }

  const cls = classify(source, name);
  const outcome = outcomeOf(rec, name, re);
  const action = source || name ? `${source ?? 'unknown'}:${name ?? 'unknown'}` : 'other';
  let note: string | undefined;
  if (o.depth > ATTR_MAX_DEPTH) {
    capDepth(attrs, ATTR_MAX_DEPTH);
    attrs.attrs_cut_at_depth = ATTR_MAX_DEPTH;
    note = `record nested ${o.depth} levels deep: attrs keep ${ATTR_MAX_DEPTH} levels, the raw record keeps all`;
  }

  const event: DwellEvent = {
    ts: t.us,
    time_quality: t.zoned ? 'exact' : 'zone_assumed',
    class: cls,
    action,
    outcome,
    actor: ident.actor,
    src_ip: srcIp,
    session: ident.session,
    access_key: ident.accessKey,
    target: targets.target,
    bytes_in: bytesIn,
    bytes_out: bytesOut,
    user_agent: str(rec.userAgent),
    summary: summarize(name ?? action, source, ident.actor, srcIp ?? sourceIp, targets.target, outcome, str(rec.errorCode), attrs.issued_access_key as string | undefined),
    attrs,
    line: prov.line,
    byte_offset: prov.byte_offset,
    byte_length: prov.byte_length,
    raw: prov.raw,
  };
  return note ? { event, note } : { event };
}

/** How a record that gives no event is named in its warning; built only then (not on every record). */
function naming(rec: Obj, name: string | null): string {
  return [name ? `eventName ${name}` : null, str(rec.eventID) ? `eventID ${rec.eventID}` : null].filter(Boolean).join(', ');
}

/** S3 endpoints: `bucket.s3.eu-west-1.amazonaws.com`, `bucket.s3-eu-west-1.amazonaws.com`, `s3.amazonaws.com`. */
const S3_HOST = /(?:^|\.)s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/i;

/**
 * The service of a record without eventSource, from the host the request was sent to (S3 data
 * events carry it in requestParameters.Host; tlsDetails has it for every service that logs TLS).
 * Only S3's endpoints are read: other services' host names do not map one-to-one to eventSource.
 */
function serviceFromHost(rec: Obj): { source: string; field: string } | null {
  const candidates: [unknown, string][] = [
    [obj(rec.requestParameters)?.Host, 'requestParameters.Host'],
    [obj(rec.tlsDetails)?.clientProvidedHostHeader, 'tlsDetails.clientProvidedHostHeader'],
  ];
  for (const [v, field] of candidates) if (typeof v === 'string' && S3_HOST.test(v)) return { source: 's3.amazonaws.com', field };
  return null;
}

/**
 * `2024-10-08T12:24:16Z` / `2024-10-08T12:24:16.123Z`, the form CloudTrail writes, without a
 * regular expression (it is on every record); anything else goes to the general parser.
 */
function fastUtcMicros(s: string): { us: number; zoned: boolean } | null {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */ || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const d = (i: number) => s.charCodeAt(i) - 48;
  for (const i of DIGITS) if (d(i) < 0 || d(i) > 9) return null;
  let micros = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || n > 30) return null;
    let scale = 100000;
    for (let i = 20; i < n - 1; i++) {
      const x = d(i);
      if (x < 0 || x > 9) return null;
      micros += x * scale;
      scale = Math.floor(scale / 10);
    }
  }
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  if (mo < 1 || mo > 12 || day < 1 || h > 23 || mi > 59 || sec > 60) return null;
  const ms = utcMillis(y, mo, day, h, mi, sec);
  if (new Date(ms).getUTCDate() !== day) return null;
  return { us: ms * 1000 + micros, zoned: true };
}
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** A byte count: a number, or the digits CloudTrail Lake's map<string,string> columns turn it into. */
function count(v: unknown): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

function cut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function summarize(
  name: string,
  source: string | null,
  actor: string | null,
  from: string | null,
  target: string | null,
  outcome: Outcome,
  errorCode: string | null,
  issued: string | undefined,
): string {
  let s = cut(name, 120);
  if (source) s += ` (${cut(source.replace(/\.amazonaws\.com$/, ''), 60)})`;
  if (actor) s += ` by ${cut(actor, 160)}`;
  if (from) s += ` from ${cut(from, 80)}`;
  if (target) s += ` on ${cut(target, 200)}`;
  if (outcome === 'failure') s += errorCode ? ` failed: ${cut(errorCode, 80)}` : ' failed';
  if (issued) s += `, issued key ${cut(issued, 40)}`;
  return safeText(s);
}

/** Replaces values nested deeper than `max` levels by a note (in place). */
function capDepth(o: Obj | unknown[], max: number): void {
  const visit = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (depth >= max) return `[nested deeper than ${max} levels: see raw]`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = visit(v[i], depth + 1);
    } else {
      const r = v as Obj;
      for (const k in r) r[k] = visit(r[k], depth + 1);
    }
    return v;
  };
  visit(o, 0);
}
