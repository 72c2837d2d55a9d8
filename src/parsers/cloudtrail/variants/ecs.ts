/**
 * Elastic's AWS integration (`aws.cloudtrail` data stream, also what Logstash/OpenSearch pipelines
 * modelled on it write): ECS documents built from a CloudTrail record by the integration's ingest
 * pipeline (elastic/integrations, packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/
 * default.yml). When the document kept the record (`event.original`, the `preserve_original_event`
 * tag) the record is read from it; otherwise it is rebuilt from the fields that pipeline renamed,
 * in reverse. eventTime became `@timestamp`, so the time comes from there.
 */
import { obj, str } from '../identity.js';

type Obj = Record<string, unknown>;

export function get(o: Obj, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split('.')) {
    const x = obj(v);
    if (!x) return undefined;
    v = x[k];
  }
  return v;
}

function set(o: Obj, path: string, v: unknown): void {
  if (v === undefined || v === null || v === '') return;
  const keys = path.split('.');
  let node = o;
  for (let i = 0; i < keys.length - 1; i++) node = obj(node[keys[i]!]) ?? (node[keys[i]!] = {});
  node[keys[keys.length - 1]!] = v;
}

/** Is this an ECS document of a CloudTrail record? */
export function isEcsCloudTrail(o: Obj): boolean {
  // Property reads, not get(): this runs on every record of a file that is not plain CloudTrail.
  const aws = o.aws;
  if (aws !== null && typeof aws === 'object' && obj((aws as Obj).cloudtrail)) return true;
  const event = obj(o.event);
  const provider = str(event?.provider);
  return provider !== null && provider.endsWith('.amazonaws.com') && event!.action !== undefined && o['@timestamp'] !== undefined;
}

/** ECS field → CloudTrail field, as the pipeline renamed them. */
const RENAMED: [string, string][] = [
  ['aws.cloudtrail.event_version', 'eventVersion'],
  ['aws.cloudtrail.user_identity.type', 'userIdentity.type'],
  ['user.id', 'userIdentity.principalId'],
  ['aws.cloudtrail.user_identity.arn', 'userIdentity.arn'],
  ['cloud.account.id', 'userIdentity.accountId'],
  ['aws.cloudtrail.user_identity.access_key_id', 'userIdentity.accessKeyId'],
  ['aws.cloudtrail.user_identity.session_context.mfa_authenticated', 'userIdentity.sessionContext.attributes.mfaAuthenticated'],
  ['aws.cloudtrail.user_identity.session_context.session_issuer.type', 'userIdentity.sessionContext.sessionIssuer.type'],
  ['aws.cloudtrail.user_identity.session_context.session_issuer.principal_id', 'userIdentity.sessionContext.sessionIssuer.principalId'],
  ['aws.cloudtrail.user_identity.session_context.session_issuer.arn', 'userIdentity.sessionContext.sessionIssuer.arn'],
  ['aws.cloudtrail.user_identity.session_context.session_issuer.account_id', 'userIdentity.sessionContext.sessionIssuer.accountId'],
  ['aws.cloudtrail.user_identity.invoked_by', 'userIdentity.invokedBy'],
  ['event.provider', 'eventSource'],
  ['event.action', 'eventName'],
  ['aws.cloudtrail.event_category', 'eventCategory'],
  ['cloud.region', 'awsRegion'],
  ['user_agent.original', 'userAgent'],
  ['aws.cloudtrail.error_code', 'errorCode'],
  ['aws.cloudtrail.error_message', 'errorMessage'],
  ['aws.cloudtrail.flattened.request_parameters', 'requestParameters'],
  ['aws.cloudtrail.flattened.response_elements', 'responseElements'],
  ['aws.cloudtrail.flattened.additional_eventdata', 'additionalEventData'],
  ['aws.cloudtrail.flattened.service_event_details', 'serviceEventDetails'],
  ['aws.cloudtrail.flattened.insight_details', 'insightDetails'],
  ['aws.cloudtrail.request_id', 'requestID'],
  ['event.id', 'eventID'],
  ['aws.cloudtrail.event_type', 'eventType'],
  ['aws.cloudtrail.api_version', 'apiVersion'],
  ['aws.cloudtrail.management_event', 'managementEvent'],
  ['aws.cloudtrail.read_only', 'readOnly'],
  ['aws.cloudtrail.recipient_account_id', 'recipientAccountId'],
  ['aws.cloudtrail.shared_event_id', 'sharedEventID'],
  ['aws.cloudtrail.vpc_endpoint_id', 'vpcEndpointId'],
  ['tls.cipher', 'tlsDetails.cipherSuite'],
  ['tls.client.server_name', 'tlsDetails.clientProvidedHostHeader'],
];

/** Top-level ECS fields the pipeline derived from the record (the rest is pipeline metadata). */
const DERIVED = new Set(['event', 'source', 'user', 'user_agent', 'cloud', 'related', 'tls', 'group', 'file', 'message', 'json', 'ecs', 'error']);

/** The document's own fields, not derived from the record: `@timestamp`, tags, data_stream, aws.s3, … */
export function ecsMetadata(o: Obj): Obj | null {
  const out: Obj = {};
  for (const k in o) {
    if (DERIVED.has(k)) continue;
    if (k === 'aws') {
      const rest: Obj = {};
      const aws = obj(o.aws) ?? {};
      for (const a in aws) if (a !== 'cloudtrail') rest[a] = aws[a];
      if (Object.keys(rest).length > 0) out.aws = rest;
      continue;
    }
    out[k] = o[k];
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The CloudTrail record rebuilt from an ECS document without `event.original`. */
export function recordFromEcs(o: Obj): Obj {
  const rec: Obj = {};
  for (const [from, to] of RENAMED) set(rec, to, get(o, from));
  // `source.address` is sourceIPAddress as written (an address or a service name); `source.ip` only when it was an address.
  set(rec, 'sourceIPAddress', get(o, 'source.address') ?? get(o, 'source.ip'));
  // The pipeline dates creationDate (2019-10-02T21:50:54Z → 2019-10-02T21:50:54.000Z); CloudTrail writes whole seconds.
  const created = str(get(o, 'aws.cloudtrail.user_identity.session_context.creation_date'));
  if (created) set(rec, 'userIdentity.sessionContext.attributes.creationDate', created.replace(/\.000Z$/, 'Z'));
  // userName went to user.name — the session issuer's for role sessions, the caller's otherwise.
  const userName = get(o, 'user.name');
  const type = str(get(o, 'aws.cloudtrail.user_identity.type'));
  if (type === 'AssumedRole' && obj(get(rec, 'userIdentity.sessionContext.sessionIssuer'))) set(rec, 'userIdentity.sessionContext.sessionIssuer.userName', userName);
  else if (type !== 'AssumedRole') set(rec, 'userIdentity.userName', userName);
  // tlsDetails.tlsVersion "TLSv1.3" was split into tls.version_protocol "tls" and tls.version "1.3".
  const tlsVersion = str(get(o, 'tls.version'));
  if (tlsVersion) set(rec, 'tlsDetails.tlsVersion', `${(str(get(o, 'tls.version_protocol')) ?? 'tls').toUpperCase()}v${tlsVersion}`);
  const resources = get(o, 'aws.cloudtrail.resources');
  const list = Array.isArray(resources) ? resources : obj(resources) ? [resources] : [];
  if (list.length > 0) {
    rec.resources = list.map((r) => {
      const x = obj(r) ?? {};
      const out: Obj = {};
      if (x.account_id !== undefined) out.accountId = x.account_id;
      if (x.type !== undefined) out.type = x.type;
      if (x.arn !== undefined) out.ARN = x.arn;
      return out;
    });
  }
  // Without the flattened copy (over 32 KB, or an older pipeline), the parameters survive only as
  // Java's Map.toString(): kept as text rather than guessed back into JSON.
  for (const [text, to] of [['aws.cloudtrail.request_parameters', 'requestParameters'], ['aws.cloudtrail.response_elements', 'responseElements'], ['aws.cloudtrail.additional_eventdata', 'additionalEventData']] as const) {
    if (rec[to] === undefined) set(rec, to, get(o, text));
  }
  return rec;
}
