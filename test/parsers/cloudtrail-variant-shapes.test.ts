/**
 * The pieces of the CloudTrail variant layer on their own: Hive struct text, renamed field names
 * (lower-case, snake_case, dotted), search-response and Datadog v1 envelopes read whatever the
 * chunk boundaries, and what the sniffer must not claim.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { LocalZone } from '../../src/core/time.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { cloudtrail } from '../../src/parsers/cloudtrail.js';
import { parseHiveValue } from '../../src/parsers/cloudtrail/variants/hive.js';
import type { ParseContext } from '../../src/parsers/types.js';
import { runParser } from '../helpers/run-parser.js';

const NATIVE = {
  eventVersion: '1.09',
  userIdentity: { type: 'AssumedRole', principalId: 'AROA4EXAMPLEOPS00001:ops', arn: 'arn:aws:sts::111122223333:assumed-role/Ops/ops', accountId: '111122223333', accessKeyId: 'ASIA4EXAMPLEOPSKEY01', sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROA4EXAMPLEOPS00001', arn: 'arn:aws:iam::111122223333:role/Ops', accountId: '111122223333', userName: 'Ops' }, attributes: { creationDate: '2026-03-02T00:55:00Z', mfaAuthenticated: 'true' } } },
  eventTime: '2026-03-02T01:00:00Z',
  eventSource: 'secretsmanager.amazonaws.com',
  eventName: 'GetSecretValue',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.30',
  requestParameters: { secretId: 'prod/db/password' },
  responseElements: null,
  requestID: 'r-1',
  eventID: 'e-1',
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
};

function bare(e: DwellEvent): Record<string, unknown> {
  const { line: _l, byte_offset: _o, byte_length: _n, raw: _r, attrs, ...rest } = e;
  const a = { ...(attrs ?? {}) };
  delete a.wrapper;
  delete a.time_field;
  return { ...rest, attrs: a };
}

async function one(text: string): Promise<DwellEvent> {
  const run = await runParser(cloudtrail, text);
  expect(run.warnings).toEqual([]);
  expect(run.events).toHaveLength(1);
  return run.events[0]!;
}

describe('Hive struct text (Athena, CloudTrail Lake)', () => {
  it('reads nested structs, arrays of structs and nulls', () => {
    expect(parseHiveValue('{type=AssumedRole, arn=arn:aws:sts::1:assumed-role/R/s, sessioncontext={attributes={mfaauthenticated=false, creationdate=2026-03-02T00:55:00Z}, sessionissuer=null}, invokedby=null}')).toEqual({
      type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/R/s', sessioncontext: { attributes: { mfaauthenticated: 'false', creationdate: '2026-03-02T00:55:00Z' }, sessionissuer: null }, invokedby: null,
    });
    expect(parseHiveValue('[{arn=arn:aws:s3:::b/k, accountid=null, type=AWS::S3::Object}, {arn=arn:aws:s3:::b, accountid=1, type=AWS::S3::Bucket}]')).toEqual([
      { arn: 'arn:aws:s3:::b/k', accountid: null, type: 'AWS::S3::Object' },
      { arn: 'arn:aws:s3:::b', accountid: '1', type: 'AWS::S3::Bucket' },
    ]);
  });

  it('keeps commas and equals signs that are part of a value', () => {
    expect(parseHiveValue('{useragent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko), token=abc+/==, n=1}')).toEqual({ useragent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)', token: 'abc+/==', n: '1' });
  });

  it('is not fooled by JSON or plain text', () => {
    expect(parseHiveValue('{"a":1}')).toBeNull();
    expect(parseHiveValue('plain text')).toBeNull();
  });
});

describe('renamed CloudTrail fields', () => {
  it('reads snake_case records as the native one', async () => {
    const snake = {
      event_version: '1.09',
      user_identity: { type: 'AssumedRole', principal_id: NATIVE.userIdentity.principalId, arn: NATIVE.userIdentity.arn, account_id: '111122223333', access_key_id: 'ASIA4EXAMPLEOPSKEY01', session_context: { session_issuer: { type: 'Role', principal_id: 'AROA4EXAMPLEOPS00001', arn: 'arn:aws:iam::111122223333:role/Ops', account_id: '111122223333', user_name: 'Ops' }, attributes: { creation_date: '2026-03-02T00:55:00Z', mfa_authenticated: 'true' } } },
      event_time: NATIVE.eventTime, event_source: NATIVE.eventSource, event_name: NATIVE.eventName, aws_region: 'us-east-1', source_ip_address: '198.51.100.7', user_agent: 'aws-cli/2.15.30',
      request_parameters: { secretId: 'prod/db/password' }, request_id: 'r-1', event_id: 'e-1', read_only: true, event_type: 'AwsApiCall', management_event: true, recipient_account_id: '111122223333', event_category: 'Management',
    };
    expect(bare(await one(JSON.stringify(snake) + '\n'))).toEqual(bare(await one(JSON.stringify(NATIVE) + '\n')));
  });

  it('reads lower-cased and dotted records (Athena UNLOAD to JSON) as the native one', async () => {
    const lower: Record<string, unknown> = {
      eventversion: '1.09', 'useridentity.type': 'AssumedRole', 'useridentity.principalid': NATIVE.userIdentity.principalId, 'useridentity.arn': NATIVE.userIdentity.arn, 'useridentity.accountid': '111122223333', 'useridentity.accesskeyid': 'ASIA4EXAMPLEOPSKEY01',
      'useridentity.sessioncontext.sessionissuer': { type: 'Role', principalid: 'AROA4EXAMPLEOPS00001', arn: 'arn:aws:iam::111122223333:role/Ops', accountid: '111122223333', username: 'Ops' },
      'useridentity.sessioncontext.attributes.creationdate': '2026-03-02 00:55:00.000', 'useridentity.sessioncontext.attributes.mfaauthenticated': 'true',
      eventtime: '2026-03-02 01:00:00.000', eventsource: NATIVE.eventSource, eventname: NATIVE.eventName, awsregion: 'us-east-1', sourceipaddress: '198.51.100.7', useragent: 'aws-cli/2.15.30',
      requestparameters: '{"secretId":"prod/db/password"}', responseelements: null, requestid: 'r-1', eventid: 'e-1', readonly: 'true', eventtype: 'AwsApiCall', managementevent: 'true', recipientaccountid: '111122223333', eventcategory: 'Management',
    };
    const e = await one(JSON.stringify(lower) + '\n');
    expect(bare(e)).toEqual(bare(await one(JSON.stringify(NATIVE) + '\n')));
    // The zone-less time is UTC by the definition of those engines, not a --tz guess.
    expect(e.time_quality).toBe('exact');
  });

  it('reads an ECS document exported with dotted keys and event.original', async () => {
    const doc = { '@timestamp': '2026-03-02T01:00:00.000Z', 'event.original': JSON.stringify(NATIVE), 'event.action': 'GetSecretValue', 'event.provider': 'secretsmanager.amazonaws.com', 'aws.cloudtrail.event_version': '1.09', 'data_stream.dataset': 'aws.cloudtrail' };
    const e = await one(JSON.stringify(doc) + '\n');
    expect(bare(e)).toEqual(bare(await one(JSON.stringify(NATIVE) + '\n')));
  });
});

describe('envelopes read whatever the chunk boundaries', () => {
  const run = async (text: string, size: number) => {
    const events: DwellEvent[] = [];
    const warnings: unknown[] = [];
    const ctx: ParseContext = {
      path: 'x.json', mtimeMs: 0, options: { tz: new LocalZone('UTC'), extra: {} },
      emit: (e) => events.push(e), warn: (w) => warnings.push(w), setYearShift: () => undefined, setFileInfo: () => undefined, recordOnly: () => undefined,
    };
    const buf = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
    await cloudtrail.parse(Readable.from(chunks), ctx);
    return { events, warnings };
  };

  it('finds the records of an Elasticsearch _search response in hits.hits', async () => {
    const text = JSON.stringify({ took: 3, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 2, relation: 'eq' }, max_score: 1, hits: [1, 2].map((i) => ({ _index: 'cloudtrail-2026.03', _id: `d${i}`, _score: 1, _source: { ...NATIVE, eventID: `e-${i}` } })) } }, null, 2);
    const whole = await run(text, 1 << 20);
    expect(whole.warnings).toEqual([]);
    expect(whole.events.map((e) => [e.line, e.attrs!.event_id, (e.attrs!.wrapper as { _id: string })._id])).toEqual([[1, 'e-1', 'd1'], [2, 'e-2', 'd2']]);
    for (const size of [1, 7, 100]) expect(await run(text, size)).toEqual(whole);
  });

  it('reads Datadog’s v1 log list ({"logs":[{"content":{"attributes":…}}]})', async () => {
    const { sourceIPAddress, userAgent, ...rest } = NATIVE;
    const text = JSON.stringify({ logs: [{ id: 'AQAAAX', content: { timestamp: '2026-03-02T01:00:00.000Z', service: 'cloudtrail', host: 'trail', tags: ['source:cloudtrail'], attributes: { ...rest, network: { client: { ip: sourceIPAddress } }, http: { useragent: userAgent }, evt: { name: 'GetSecretValue' } } } }], nextLogId: null, status: 'done' });
    const whole = await run(text, 1 << 20);
    expect(whole.warnings).toEqual([]);
    expect(whole.events.map(bare)).toEqual([bare(await one(JSON.stringify(NATIVE) + '\n'))]);
    for (const size of [1, 13]) expect(await run(text, size)).toEqual(whole);
  });
});

describe('what the CloudTrail sniffers leave alone', () => {
  const who = (text: string, name = 'x.json') => sniff(makeHead(name, Buffer.from(text))).winner?.parser.name ?? null;

  it('does not claim other Elastic documents, other CloudWatch Logs deliveries or other CSV', () => {
    expect(who(JSON.stringify({ '@timestamp': '2026-03-02T01:00:00Z', message: '10.0.0.1 - - [02/Mar/2026:01:00:00 +0000] "GET / HTTP/1.1" 200 5', event: { original: '10.0.0.1 - - …', dataset: 'nginx.access' } }) + '\n')).toBeNull();
    expect(who(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'app', logStream: 's', subscriptionFilters: ['f'], logEvents: [{ id: '1', timestamp: 1, message: 'GET /health 200' }] }))).toBeNull();
    // One CloudTrail-like label among others is not a CloudTrail table.
    expect(who('Event Name,Count,Last Seen\nListObjects,3,2022-02-18T17:34:57Z\n', 'alerts.csv')).toBeNull();
    expect(who('ts,uid,id.orig_h,id.orig_p\n1,C1,10.0.0.1,5\n', 'conn.csv')).toBeNull();
  });
});

describe('Kibana CSV of Elastic AWS integration documents', () => {
  it('is claimed by cloudtrail_csv and gives the native record’s columns', async () => {
    const { cloudtrailCsv } = await import('../../src/parsers/cloudtrail-csv.js');
    const header = ['@timestamp', 'event.action', 'event.provider', 'event.id', 'source.address', 'source.ip', 'user_agent.original', 'cloud.account.id', 'cloud.region', 'user.id', 'user.name',
      'aws.cloudtrail.user_identity.type', 'aws.cloudtrail.user_identity.arn', 'aws.cloudtrail.user_identity.access_key_id', 'aws.cloudtrail.user_identity.session_context.creation_date',
      'aws.cloudtrail.user_identity.session_context.mfa_authenticated', 'aws.cloudtrail.user_identity.session_context.session_issuer.arn', 'aws.cloudtrail.user_identity.session_context.session_issuer.type',
      'aws.cloudtrail.flattened.request_parameters.secretId', 'aws.cloudtrail.read_only', 'aws.cloudtrail.event_type', 'aws.cloudtrail.recipient_account_id', 'aws.cloudtrail.request_id'];
    const row = ['2026-03-02T01:00:00.000Z', 'GetSecretValue', 'secretsmanager.amazonaws.com', 'e-1', '198.51.100.7', '198.51.100.7', 'aws-cli/2.15.30', '111122223333', 'us-east-1', NATIVE.userIdentity.principalId, 'Ops',
      'AssumedRole', NATIVE.userIdentity.arn, 'ASIA4EXAMPLEOPSKEY01', '2026-03-02T00:55:00.000Z', 'true', 'arn:aws:iam::111122223333:role/Ops', 'Role', 'prod/db/password', 'true', 'AwsApiCall', '111122223333', 'r-1'];
    const text = [header, row].map((r) => r.map((v) => `"${v}"`).join(',')).join('\n') + '\n';
    expect(sniff(makeHead('discover.csv', Buffer.from(text))).winner?.parser.name).toBe('cloudtrail_csv');
    const run = await runParser(cloudtrailCsv, text);
    expect(run.warnings).toEqual([]);
    const native = await one(JSON.stringify(NATIVE) + '\n');
    const pick = (e: DwellEvent) => ({ ts: e.ts, class: e.class, action: e.action, outcome: e.outcome, actor: e.actor, src_ip: e.src_ip, access_key: e.access_key, session: e.session, target: e.target, user_agent: e.user_agent, summary: e.summary, issuer: e.attrs!.issuer_arn, issuer_name: e.attrs!.issuer_name, mfa: e.attrs!.mfa, read_only: e.attrs!.read_only });
    expect(pick(run.events[0]!)).toEqual(pick(native));
    expect(run.events[0]!.attrs!.time_field).toBe('@timestamp');
  });
});
