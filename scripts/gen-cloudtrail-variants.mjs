/**
 * Writes fixtures/cloudtrail-variants/: the records of native.jsonl as each SIEM, pipeline or query
 * engine hands them over, following each one's public documentation (cited per function). The
 * test (test/parsers/cloudtrail-variants.test.ts) parses the native file and every variant and
 * asserts the same normalized events. Run once; the output is committed and reviewed.
 *
 *   node scripts/gen-cloudtrail-variants.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DIR = fileURLToPath(new URL('../fixtures/cloudtrail-variants/', import.meta.url));
const records = readFileSync(join(DIR, 'native.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const json = (r) => JSON.stringify(r);
const put = (rel, data) => {
  mkdirSync(join(DIR, rel, '..'), { recursive: true });
  writeFileSync(join(DIR, rel), data);
};
const ms = (t) => Date.parse(t);
/** `2026-04-14T03:12:09Z` → `2026-04-14T03:12:09.000Z` (how Elasticsearch's date processor writes it). */
const esDate = (t) => new Date(ms(t)).toISOString();
const id = (i, n = 20) => `${'AQAAAZ'}${String(i).padStart(n - 6, '0')}`;

// --- Elastic ---------------------------------------------------------------------------------

/** Elastic's ingest pipeline drops null and "" values (and objects left empty) before renaming. */
function dropEmpty(v) {
  if (v === null || v === '') return undefined;
  if (Array.isArray(v)) {
    const a = v.map(dropEmpty).filter((x) => x !== undefined);
    return a.length ? a : undefined;
  }
  if (typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      const y = dropEmpty(x);
      if (y !== undefined) o[k] = y;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v;
}

/** Java's Map.toString(), as the pipeline stores aws.cloudtrail.request_parameters. */
function javaString(v) {
  if (Array.isArray(v)) return `[${v.map(javaString).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}=${javaString(x)}`).join(', ')}}`;
  return String(v);
}

/**
 * elastic/integrations packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/default.yml,
 * processor by processor (renames, the flattened copies, tls dissect, resources).
 */
function ecs(r0, { original }) {
  const r = dropEmpty(r0);
  const ui = r.userIdentity ?? {};
  const sc = ui.sessionContext ?? {};
  const ct = { event_version: r.eventVersion, user_identity: {} };
  const uid = ct.user_identity;
  if (ui.type) uid.type = ui.type;
  if (ui.arn) uid.arn = ui.arn;
  if (ui.accessKeyId) uid.access_key_id = ui.accessKeyId;
  if (ui.invokedBy) uid.invoked_by = ui.invokedBy;
  if (sc.attributes || sc.sessionIssuer) {
    uid.session_context = {};
    if (sc.attributes?.mfaAuthenticated) uid.session_context.mfa_authenticated = sc.attributes.mfaAuthenticated;
    if (sc.attributes?.creationDate) uid.session_context.creation_date = esDate(sc.attributes.creationDate);
    if (sc.sessionIssuer) {
      const si = sc.sessionIssuer;
      uid.session_context.session_issuer = { type: si.type, principal_id: si.principalId, arn: si.arn, account_id: si.accountId };
    }
  }
  if (r.eventCategory) ct.event_category = r.eventCategory;
  if (r.errorCode) ct.error_code = r.errorCode;
  if (r.errorMessage) ct.error_message = r.errorMessage;
  ct.flattened = {};
  for (const [from, text, flat] of [['requestParameters', 'request_parameters', 'request_parameters'], ['responseElements', 'response_elements', 'response_elements'], ['additionalEventData', 'additional_eventdata', 'additional_eventdata'], ['serviceEventDetails', 'service_event_details', 'service_event_details']]) {
    if (r[from] !== undefined) {
      ct[text] = javaString(r[from]);
      ct.flattened[flat] = r[from];
    }
  }
  if (r.requestID) ct.request_id = r.requestID;
  if (r.eventType) ct.event_type = r.eventType;
  if (r.apiVersion) ct.api_version = r.apiVersion;
  if (r.managementEvent !== undefined) ct.management_event = r.managementEvent;
  if (r.readOnly !== undefined) ct.read_only = r.readOnly;
  if (r.resources) ct.resources = r.resources.map((x) => ({ ...(x.accountId ? { account_id: x.accountId } : {}), ...(x.ARN ? { arn: x.ARN } : {}), type: x.type }));
  if (r.recipientAccountId) ct.recipient_account_id = r.recipientAccountId;
  // The pipeline renames json.sharedEventId (sic); CloudTrail writes sharedEventID, so it is lost.
  if (r.vpcEndpointId) ct.vpc_endpoint_id = r.vpcEndpointId;
  const doc = { '@timestamp': esDate(r.eventTime), aws: { cloudtrail: ct } };
  doc.cloud = { ...(ui.accountId ? { account: { id: ui.accountId } } : {}), region: r.awsRegion };
  doc.ecs = { version: '8.11.0' };
  doc.event = { action: r.eventName, provider: r.eventSource, id: r.eventID, kind: 'event', outcome: r.errorCode || r.errorMessage ? 'failure' : 'success', type: ['info'], created: '2026-04-14T03:30:00.000Z' };
  if (r.eventName === 'ConsoleLogin' && r.responseElements?.ConsoleLogin) doc.event.outcome = r.responseElements.ConsoleLogin.toLowerCase();
  if (original) doc.event.original = json(r0);
  if (r.sourceIPAddress) doc.source = { address: r.sourceIPAddress, ...(isIP(r.sourceIPAddress) ? { ip: r.sourceIPAddress } : {}) };
  const userName = sc.sessionIssuer?.userName ?? ui.userName;
  if (ui.principalId || userName) doc.user = { ...(ui.principalId ? { id: ui.principalId } : {}), ...(userName ? { name: userName } : {}) };
  if (r.userAgent) doc.user_agent = { original: r.userAgent };
  if (r.tlsDetails) {
    const [protocol, version] = r.tlsDetails.tlsVersion.split('v');
    doc.tls = { version_protocol: protocol.toLowerCase(), version, cipher: r.tlsDetails.cipherSuite, client: { server_name: r.tlsDetails.clientProvidedHostHeader } };
  }
  doc.data_stream = { dataset: 'aws.cloudtrail', namespace: 'default', type: 'logs' };
  doc.tags = original ? ['preserve_original_event', 'forwarded', 'aws-cloudtrail'] : ['forwarded', 'aws-cloudtrail'];
  return doc;
}

/** Every leaf of an object as a dotted key (arrays kept whole), as Kibana's Discover exports documents. */
function flatten(o, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

const index = '.ds-logs-aws.cloudtrail-default-2026.04.14-000001';
put('elastic/elasticdump-original.ndjson', records.map((r, i) => json({ _index: index, _id: id(i), _score: 1, _source: ecs(r, { original: true }) })).join('\n') + '\n');
put(
  'elastic/search-ecs.json',
  JSON.stringify(
    { took: 7, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: records.length, relation: 'eq' }, max_score: 1, hits: records.map((r, i) => ({ _index: index, _id: id(i), _score: 1, _source: ecs(r, { original: false }) })) } },
    null,
    2,
  ) + '\n',
);
put('elastic/kibana-flat.ndjson', records.map((r) => json(flatten(ecs(r, { original: false })))).join('\n') + '\n');

/** Logstash: json codec, a date filter from eventTime into @timestamp that removes eventTime, the json_lines output. */
put(
  'elastic/logstash-no-eventtime.ndjson',
  records
    .map((r) => {
      const { eventTime, ...rest } = r;
      return json({ ...rest, '@timestamp': esDate(eventTime), '@version': '1', tags: ['cloudtrail'], host: { name: 'ls-01' } });
    })
    .join('\n') + '\n',
);

/** Filebeat reading CloudTrail JSON lines: the record as text in `message`, @timestamp = when it was read. */
put(
  'elastic/filebeat-message.ndjson',
  records.map((r, i) => json({ '@timestamp': `2026-04-14T03:40:0${i}.117Z`, message: json(r), log: { file: { path: '/srv/trail/org-trail.jsonl' }, offset: i * 1500 }, input: { type: 'filestream' }, ecs: { version: '8.0.0' }, host: { name: 'fb-01' }, agent: { type: 'filebeat', version: '8.13.2' } })).join('\n') + '\n',
);

// --- Splunk ----------------------------------------------------------------------------------

const splunkTime = (t) => new Date(ms(t)).toISOString().replace('Z', '+00:00');
const splunkMeta = (r, i) => ({
  _bkt: 'main~42~6E5A2C1B-7D3F-4A8E-9B0C-1D2E3F4A5B6C',
  _cd: `42:${1000 + i}`,
  _indextime: String(Math.floor(ms(r.eventTime) / 1000) + 300),
  _serial: String(i),
  _si: ['splunk-idx-01', 'main'],
  _sourcetype: 'aws:cloudtrail',
  _time: splunkTime(r.eventTime),
  host: 'org-trail',
  index: 'main',
  linecount: '1',
  source: 's3://org-trail/AWSLogs/444455556666/CloudTrail/eu-central-1/2026/04/14/444455556666_CloudTrail_eu-central-1_20260414T0320Z_k3N8vQ2mZx7LpR4t.json.gz',
  sourcetype: 'aws:cloudtrail',
  splunk_server: 'splunk-idx-01',
});
/** Splunk REST /services/search/jobs/export?output_mode=json (and the CLI's -output json): one object per result. */
put(
  'splunk/export.json',
  records.map((r, i) => json({ preview: false, offset: i, ...(i === records.length - 1 ? { lastrow: true } : {}), result: { ...splunkMeta(r, i), _raw: json(r) } })).join('\n') + '\n',
);
/** The same search with `| table _time eventName …`: no _raw, the fields Splunk extracted, dotted. */
put(
  'splunk/table-export.json',
  records
    .map((r, i) => {
      const f = { _time: splunkTime(r.eventTime), eventSource: r.eventSource, eventName: r.eventName, awsRegion: r.awsRegion, sourceIPAddress: r.sourceIPAddress, userAgent: r.userAgent, 'userIdentity.type': r.userIdentity.type };
      for (const k of ['arn', 'accessKeyId', 'userName', 'invokedBy']) if (r.userIdentity[k]) f[`userIdentity.${k}`] = r.userIdentity[k];
      const a = r.userIdentity.sessionContext?.attributes;
      if (a) f['userIdentity.sessionContext.attributes.creationDate'] = a.creationDate;
      if (r.errorCode) f.errorCode = r.errorCode;
      if (r.errorMessage) f.errorMessage = r.errorMessage;
      // Splunk's JSON extraction: every leaf a dotted field, values as text, arrays of objects as `name{}.field` multivalues.
      for (const top of ['requestParameters', 'responseElements', 'additionalEventData']) {
        for (const [k, v] of Object.entries(flatten(r[top] ?? {}, top))) if (v !== null && !Array.isArray(v)) f[k] = String(v);
      }
      if (r.resources) for (const k of ['ARN', 'accountId', 'type']) f[`resources{}.${k}`] = r.resources.map((x) => x[k] ?? '');
      f.eventID = r.eventID;
      return json({ preview: false, offset: i, result: f });
    })
    .join('\n') + '\n',
);
const csvCell = (v) => (v === undefined || v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);
/** Splunk Web's Export → CSV: a header, then one row per event with _raw quoted (quotes doubled). */
put('splunk/export.csv', ['"_time","host","source","sourcetype","_raw"', ...records.map((r, i) => { const m = splunkMeta(r, i); return [m._time, m.host, m.source, m.sourcetype, json(r)].map(csvCell).join(','); })].join('\n') + '\n');

// --- Datadog ---------------------------------------------------------------------------------

/** Datadog's CloudTrail pipeline (as in corpus-attacks/stratus-red-team-datadog-export): standard attributes replace some fields. */
function datadog(r) {
  const { sourceIPAddress, userAgent, requestID, ...rest } = r;
  const out = { ...rest, evt: { name: r.eventName }, service: 'cloudtrail' };
  if (sourceIPAddress) out.network = { client: { ip: sourceIPAddress }, ip: { list: [sourceIPAddress] } };
  if (userAgent || requestID) out.http = { ...(requestID ? { request_id: requestID } : {}), ...(userAgent ? { useragent: userAgent, useragent_details: { browser: { family: 'Other' }, os: { family: 'Other' }, device: { family: 'Other', category: 'Other' } } } : {}) };
  out.aws = { s3: { bucket: 'org-trail', key: 'AWSLogs/444455556666/CloudTrail/eu-central-1/2026/04/14/444455556666_CloudTrail_eu-central-1_20260414T0320Z_k3N8vQ2mZx7LpR4t.json.gz' }, invoked_function_arn: 'arn:aws:lambda:eu-central-1:444455556666:function:datadog-forwarder' };
  if (r.userIdentity.type === 'AssumedRole') out.userIdentity = { ...r.userIdentity, session_name: r.userIdentity.arn.split('/').pop(), assumed_role: r.userIdentity.sessionContext.sessionIssuer.userName };
  return out;
}
/** Datadog Logs API v2 (POST /api/v2/logs/events/search): {"data":[{"id","type":"log","attributes":{…,"attributes":{…}}}],"links","meta"}. */
put(
  'datadog/logs-api-v2.json',
  JSON.stringify(
    {
      data: records.map((r, i) => ({ id: id(i, 32), type: 'log', attributes: { service: 'cloudtrail', host: 'org-trail', timestamp: esDate(r.eventTime), status: 'info', tags: ['source:cloudtrail', `region:${r.awsRegion}`, 'env:prod'], attributes: datadog(r) } })),
      links: { next: 'https://api.datadoghq.eu/api/v2/logs/events?page%5Bcursor%5D=eyJhZnRlciI6IkFRQUFBWiJ9' },
      meta: { elapsed: 184, page: { after: 'eyJhZnRlciI6IkFRQUFBWiJ9' }, request_id: 'pddv1ChZrV0FqY3EzNlE', status: 'done' },
    },
  ) + '\n',
);

// --- AWS envelopes ----------------------------------------------------------------------------

/**
 * CloudWatch Logs subscription payloads delivered by Firehose to S3 without decompression: each
 * payload its own gzip member, concatenated; one is a CONTROL_MESSAGE (the destination health check).
 */
const envelope = (recs, first) => ({
  messageType: 'DATA_MESSAGE',
  owner: '444455556666',
  logGroup: 'aws-cloudtrail-logs-444455556666-org',
  logStream: '444455556666_CloudTrail_eu-central-1',
  subscriptionFilters: ['cloudtrail-to-firehose'],
  logEvents: recs.map((r, i) => ({ id: `3795816381235840239147102948167340392849201048571${String(first + i).padStart(5, '0')}`, timestamp: ms(r.eventTime) + 45_000, message: json(r) })),
});
const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: ms('2026-04-14T03:00:00Z'), message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
put('cloudwatch/firehose-20260414-0320.gz', Buffer.concat([gzipSync(json(control)), gzipSync(json(envelope(records.slice(0, 3), 0))), gzipSync(json(envelope(records.slice(3), 3)))]));

const detailType = (r) => (r.eventType === 'AwsConsoleSignIn' ? 'AWS Console Sign In via CloudTrail' : r.eventType === 'AwsServiceEvent' ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail');
/** EventBridge events (rule → Firehose → S3, records concatenated without a delimiter). */
put(
  'eventbridge/firehose-concatenated.json',
  records.map((r, i) => json({ version: '0', id: `7bf73129-1428-4cd3-a780-95db273d1${String(602 + i)}`, 'detail-type': detailType(r), source: `aws.${r.eventSource.split('.')[0]}`, account: r.recipientAccountId, time: r.eventTime.replace(/\.\d+Z$/, 'Z'), region: r.awsRegion, resources: [], detail: r })).join(''),
);

// --- Query engines --------------------------------------------------------------------------

/** Hive's text form of structs and arrays, as Athena and CloudTrail Lake write them in results. */
function hive(v) {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(hive).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}=${hive(x)}`).join(', ')}}`;
  return String(v);
}
/** userIdentity with the lower-case struct fields of the Athena table CloudTrail's console creates (absent ones null). */
function athenaIdentity(ui) {
  const sc = ui.sessionContext;
  return {
    type: ui.type ?? null, principalid: ui.principalId ?? null, arn: ui.arn ?? null, accountid: ui.accountId ?? null, invokedby: ui.invokedBy ?? null, accesskeyid: ui.accessKeyId ?? null, username: ui.userName ?? null,
    sessioncontext: sc ? { attributes: { mfaauthenticated: sc.attributes?.mfaAuthenticated ?? null, creationdate: sc.attributes?.creationDate ?? null }, sessionissuer: sc.sessionIssuer ? { type: sc.sessionIssuer.type, principalid: sc.sessionIssuer.principalId, arn: sc.sessionIssuer.arn, accountid: sc.sessionIssuer.accountId, username: sc.sessionIssuer.userName } : null, ec2roledelivery: null, webidfederationdata: null } : null,
  };
}
const ATHENA_COLUMNS = ['eventversion', 'useridentity', 'eventtime', 'eventsource', 'eventname', 'awsregion', 'sourceipaddress', 'useragent', 'errorcode', 'errormessage', 'requestparameters', 'responseelements', 'additionaleventdata', 'requestid', 'eventid', 'resources', 'eventtype', 'apiversion', 'readonly', 'recipientaccountid', 'serviceeventdetails', 'sharedeventid', 'vpcendpointid', 'managementevent', 'eventcategory', 'tlsdetails'];
function athenaRow(r) {
  const v = {
    eventversion: r.eventVersion, useridentity: hive(athenaIdentity(r.userIdentity)), eventtime: r.eventTime, eventsource: r.eventSource, eventname: r.eventName, awsregion: r.awsRegion, sourceipaddress: r.sourceIPAddress, useragent: r.userAgent,
    errorcode: r.errorCode, errormessage: r.errorMessage,
    // The console's table declares these STRING: the JSON as CloudTrail wrote it.
    requestparameters: r.requestParameters ? json(r.requestParameters) : null, responseelements: r.responseElements ? json(r.responseElements) : null, additionaleventdata: r.additionalEventData ? json(r.additionalEventData) : null,
    requestid: r.requestID, eventid: r.eventID, resources: r.resources ? hive(r.resources.map((x) => ({ arn: x.ARN ?? null, accountid: x.accountId ?? null, type: x.type ?? null }))) : null,
    eventtype: r.eventType, apiversion: r.apiVersion, readonly: r.readOnly === undefined ? null : String(r.readOnly), recipientaccountid: r.recipientAccountId, serviceeventdetails: null, sharedeventid: r.sharedEventID, vpcendpointid: r.vpcEndpointId,
    managementevent: r.managementEvent === undefined ? null : String(r.managementEvent), eventcategory: r.eventCategory, tlsdetails: r.tlsDetails ? hive({ tlsversion: r.tlsDetails.tlsVersion, ciphersuite: r.tlsDetails.cipherSuite, clientprovidedhostheader: r.tlsDetails.clientProvidedHostHeader }) : null,
  };
  return ATHENA_COLUMNS.map((c) => v[c]);
}
/** Athena's result file (s3://…/<query id>.csv): every field quoted, null as an empty field. */
put('athena/query-results.csv', [ATHENA_COLUMNS.map(csvCell).join(','), ...records.map((r) => athenaRow(r).map(csvCell).join(','))].join('\n') + '\n');

/**
 * CloudTrail Lake `aws cloudtrail get-query-results` for `SELECT eventTime, eventSource, …,
 * userIdentity.arn …`: rows of {column: value} pairs, every value a string, timestamps without a zone.
 */
const lakeTime = (t) => new Date(ms(t)).toISOString().replace('T', ' ').replace('Z', '');
put(
  'lake/get-query-results.json',
  JSON.stringify(
    {
      QueryStatus: 'FINISHED',
      QueryStatistics: { ResultsCount: records.length, TotalResultsCount: records.length, BytesScanned: 184320 },
      QueryResultRows: records.map((r) => {
        const cells = [{ eventtime: lakeTime(r.eventTime) }, { eventsource: r.eventSource }, { eventname: r.eventName }, { awsregion: r.awsRegion }, { sourceipaddress: r.sourceIPAddress }, { useragent: r.userAgent }, { 'useridentity.type': r.userIdentity.type }];
        for (const [k, c] of [['arn', 'useridentity.arn'], ['accessKeyId', 'useridentity.accesskeyid'], ['principalId', 'useridentity.principalid'], ['invokedBy', 'useridentity.invokedby']]) if (r.userIdentity[k]) cells.push({ [c]: r.userIdentity[k] });
        const a = r.userIdentity.sessionContext?.attributes;
        if (a) cells.push({ 'useridentity.sessioncontext.attributes.creationdate': lakeTime(a.creationDate) });
        if (r.errorCode) cells.push({ errorcode: r.errorCode });
        // requestParameters, responseElements and additionalEventData are map<string,string> in Lake's
        // schema, rendered {k=v, …}; selected here only where every value is a scalar (nested values
        // would be JSON text inside the map).
        for (const [k, c] of [['requestParameters', 'requestparameters'], ['responseElements', 'responseelements'], ['additionalEventData', 'additionaleventdata']]) {
          const m = r[k];
          if (m && Object.values(m).every((v) => typeof v !== 'object')) cells.push({ [c]: hive(m) });
        }
        if (r.resources) cells.push({ resources: hive(r.resources.map((x) => ({ accountid: x.accountId ?? null, type: x.type, arn: x.ARN }))) });
        cells.push({ eventid: r.eventID }, { readonly: String(r.readOnly) });
        return cells;
      }),
    },
    null,
    4,
  ) + '\n',
);
process.stdout.write(`wrote the variants of ${records.length} records under ${DIR}\n`);
