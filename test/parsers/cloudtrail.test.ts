/**
 * CloudTrail parser: every delivery format on our own fixtures (fixtures/cloudtrail, an intrusion
 * told across them: a CI user's key AKIA…6Q from 203.0.113.77 → AssumeRole OrgAdmin → ASIA…5R →
 * S3 reads, a backdoor user and key, StopLogging, an AssumeRole into a member account), with
 * reviewed expected output; normalization details; bad input; and the built CLI end to end.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { LocalZone } from '../../src/core/time.js';
import { hasUnsafe } from '../../src/core/sanitize.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { cloudtrail } from '../../src/parsers/cloudtrail.js';
import type { ParseContext, ParseWarning } from '../../src/parsers/types.js';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { listFiles } from '../helpers/corpus.js';
import { compareExpected } from '../helpers/expected.js';
import { essentials, runParser } from '../helpers/run-parser.js';

const FIX = join(ROOT, 'fixtures', 'cloudtrail');
const EXPECTED = join(ROOT, 'fixtures', 'expected', 'cloudtrail');

function content(path: string): Buffer {
  const buf = readFileSync(path);
  return buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

const ATTRS_PINNED = [
  'identity_type', 'account', 'recipient_account', 'region', 'category', 'read_only', 'error_code', 'source', 'invoked_by',
  'issuer_arn', 'mfa', 'session_created', 'issued_access_key', 'issued_to', 'vpc_endpoint_id', 'shared_event_id', 'targets',
];

/** What the expected files pin down: the columns, provenance, summary and the main attrs. */
function pinned(e: DwellEvent): Record<string, unknown> {
  const out = essentials(e);
  out.byte_offset = e.byte_offset;
  out.byte_length = e.byte_length;
  if (e.user_agent) out.user_agent = e.user_agent;
  out.summary = e.summary;
  const attrs: Record<string, unknown> = {};
  for (const k of ATTRS_PINNED) if (e.attrs?.[k] !== undefined) attrs[k] = e.attrs[k];
  out.attrs = attrs;
  return out;
}

/** Runs the parser over `input` cut into chunks of `size` bytes (chunk boundaries everywhere). */
async function runChunked(input: Buffer, size: number, path = 'test.json') {
  const events: DwellEvent[] = [];
  const warnings: ParseWarning[] = [];
  const info: Record<string, unknown> = {};
  const ctx: ParseContext = {
    path,
    mtimeMs: 0,
    options: { tz: new LocalZone('UTC'), extra: {} },
    emit: (e) => events.push(e),
    warn: (w) => warnings.push(w),
    setYearShift: () => undefined,
    setFileInfo: (k, v) => (info[k] = v),
    recordOnly: (r) => (info.record_only = r),
  };
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
  const stats = await cloudtrail.parse(Readable.from(chunks), ctx);
  return { events, warnings, info, records: stats.records };
}

const fixtureFiles = listFiles(FIX).filter((p) => !p.includes('CloudTrail-Digest'));

describe('cloudtrail parser on the bundled fixtures', () => {
  for (const path of fixtureFiles) {
    const rel = relative(FIX, path);
    it(`parses ${rel} into the reviewed expected events`, async () => {
      const run = await runParser(cloudtrail, content(path), { path });
      expect(run.warnings).toEqual([]);
      const actual = run.events.map(pinned);
      const expected = compareExpected(join(EXPECTED, rel.replace(/\//g, '__') + '.jsonl'), actual);
      expect(actual).toEqual(expected);
      // Every record is accounted for.
      expect(run.info.records).toBe(run.events.length);
    });

    it(`reads ${rel} the same whatever the chunk boundaries, and each raw is its record's bytes`, async () => {
      const buf = content(path);
      const whole = await runChunked(buf, 1 << 20, path);
      for (const size of [1, 7, 4096]) {
        const split = await runChunked(buf, size, path);
        expect(split.events).toEqual(whole.events);
        expect(split.warnings).toEqual(whole.warnings);
      }
      for (const e of whole.events) expect(buf.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
    });
  }

  it('records a digest file without events, with its list of log-file hashes', async () => {
    const path = listFiles(FIX).find((p) => p.includes('CloudTrail-Digest'))!;
    const run = await runParser(cloudtrail, content(path), { path });
    expect(run.events).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.info.record_only).toMatch(/^CloudTrail digest file \(account 111122223333, 2026-03-02T01:00:00Z – 2026-03-02T02:00:00Z, 2 log file hashes\)/);
    expect(run.info.digest).toMatchObject({ account: '111122223333', log_files: 2, signature_algorithm: 'SHA256withRSA' });
    const files = run.info.digest_log_files as { s3_object: string; hash_value: string }[];
    // The digest's hashes are those of the uncompressed log files next to it.
    for (const f of files) {
      const log = join(FIX, 's3', f.s3_object);
      expect(createHash('sha256').update(content(log)).digest('hex')).toBe(f.hash_value);
    }
  });
});

describe('cloudtrail normalization', () => {
  const s3 = (name: string) => listFiles(join(FIX, 's3')).find((p) => p.includes(name))!;
  let f1: DwellEvent[];
  let f2: DwellEvent[];
  let lines: DwellEvent[];
  beforeAll(async () => {
    f1 = (await runParser(cloudtrail, content(s3('0105Z')))).events;
    f2 = (await runParser(cloudtrail, content(s3('0110Z')))).events;
    lines = (await runParser(cloudtrail, content(join(FIX, 'lines', 'lake-export.jsonl')))).events;
  });

  it('names the issued session key of an AssumeRole, its issuer and the role session', async () => {
    const e = f1.find((x) => x.action === 'sts.amazonaws.com:AssumeRole')!;
    expect(e).toMatchObject({ class: 'authentication', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/deploy-ci', access_key: 'AKIA4EXAMPLEDEPLOY6Q', target: 'arn:aws:iam::111122223333:role/OrgAdmin', src_ip: '203.0.113.77' });
    expect(e.attrs).toMatchObject({ issued_access_key: 'ASIA4EXAMPLECISESS5R', issued_to: 'arn:aws:sts::111122223333:assumed-role/OrgAdmin/ci-session', issued_key_expiration: 'Mar 2, 2026, 2:04:05 AM' });
    // requestParameters / responseElements kept whole.
    expect(e.attrs!.request_parameters).toEqual({ roleArn: 'arn:aws:iam::111122223333:role/OrgAdmin', roleSessionName: 'ci-session', durationSeconds: 3600 });
    expect((e.attrs!.response_elements as any).credentials.accessKeyId).toBe('ASIA4EXAMPLECISESS5R');
  });

  it('gives role-session calls the session ARN as actor, the role they came from, and a session key', () => {
    const e = f2.find((x) => x.action === 's3.amazonaws.com:ListBuckets')!;
    expect(e).toMatchObject({ actor: 'arn:aws:sts::111122223333:assumed-role/OrgAdmin/ci-session', access_key: 'ASIA4EXAMPLECISESS5R', session: 'assumed-role/OrgAdmin/ci-session@2026-03-02T01:04:05Z' });
    expect(e.attrs).toMatchObject({ identity_type: 'AssumedRole', issuer_arn: 'arn:aws:iam::111122223333:role/OrgAdmin', issuer_name: 'OrgAdmin', issuer_type: 'Role', mfa: false });
  });

  it('reads S3 data events: s3://bucket/key target, bytes out, category Data, tlsDetails whole', () => {
    const e = f2.find((x) => x.action === 's3.amazonaws.com:GetObject')!;
    expect(e).toMatchObject({ class: 'api_activity', target: 's3://acme-finance/reports/2026/q1-payroll.xlsx', bytes_out: 5242880, bytes_in: 0 });
    expect(e.attrs).toMatchObject({ category: 'Data', read_only: true, tls_details: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'acme-finance.s3.us-east-1.amazonaws.com' } });
    expect((e.attrs!.additional_event_data as any).bytesTransferredOut).toBe(5242880);
    expect(e.attrs!.targets).toEqual(['s3://acme-finance/reports/2026/q1-payroll.xlsx', 'arn:aws:s3:::acme-finance/reports/2026/q1-payroll.xlsx', 'arn:aws:s3:::acme-finance']);
  });

  it('classes IAM and Identity Center writes as account changes, with the account acted on as target', () => {
    const byName = (n: string) => f2.find((x) => x.action.endsWith(':' + n))!;
    expect(byName('CreateUser')).toMatchObject({ class: 'account_change', target: 'svc-backup2' });
    expect(byName('AttachUserPolicy')).toMatchObject({ class: 'account_change', target: 'svc-backup2' });
    expect(byName('AttachUserPolicy').attrs!.targets).toEqual(['svc-backup2', 'arn:aws:iam::aws:policy/AdministratorAccess']);
    const key = byName('CreateAccessKey');
    expect(key).toMatchObject({ class: 'account_change', target: 'svc-backup2' });
    expect(key.attrs).toMatchObject({ issued_access_key: 'AKIA4EXAMPLEBKUP2SVC', issued_to: 'svc-backup2' });
    const sso = lines.find((x) => x.action === 'sso.amazonaws.com:CreateAccountAssignment')!;
    expect(sso).toMatchObject({ class: 'account_change', actor: '94482488-3041-7026-18f3-be45837cd0e4', session: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE' });
    expect(sso.attrs).toMatchObject({ identity_type: 'IdentityCenterUser', account: '111122223333' });
  });

  it('takes the outcome from errorCode and from the ConsoleLogin response', () => {
    const login = f1.find((x) => x.action === 'signin.amazonaws.com:ConsoleLogin')!;
    expect(login).toMatchObject({ class: 'authentication', outcome: 'failure', actor: 'arn:aws:iam::111122223333:user/admin' });
    expect(login.attrs).toMatchObject({ mfa: false, error_message: 'Failed authentication', event_type: 'AwsConsoleSignIn' });
    const denied = f1.find((x) => x.action === 'iam.amazonaws.com:ListUsers')!;
    expect(denied).toMatchObject({ outcome: 'failure', class: 'api_activity' });
    expect(denied.attrs!.error_code).toBe('AccessDenied');
    expect(denied.summary).toMatch(/ListUsers \(iam\) by arn:aws:iam::111122223333:user\/deploy-ci from 203\.0\.113\.77 failed: AccessDenied/);
  });

  it('keeps service names out of src_ip, and reads IPv6 and private addresses', () => {
    const svc = f1.find((x) => x.attrs?.identity_type === 'AWSService')!;
    expect(svc).toMatchObject({ actor: 'cloudtrail.amazonaws.com', src_ip: null });
    expect(svc.attrs).toMatchObject({ source: 'cloudtrail.amazonaws.com', invoked_by: 'cloudtrail.amazonaws.com' });
    expect(lines.find((x) => x.action.endsWith('GetSessionToken'))!.src_ip).toBe('2001:db8:85a3::8a2e:370:7334');
    const vpce = f2.find((x) => x.action.endsWith('DescribeInstances'))!;
    expect(vpce.src_ip).toBe('10.0.4.17');
    expect(vpce.attrs!.vpc_endpoint_id).toBe('vpce-0a1b2c3d4e5f60789');
  });

  it('reads federated, SAML, anonymous and GetSessionToken identities', () => {
    const fed = lines.find((x) => x.attrs?.identity_type === 'FederatedUser')!;
    expect(fed).toMatchObject({ actor: 'arn:aws:sts::111122223333:federated-user/contractor', session: 'federated-user/contractor@2026-03-03T08:00:00Z', target: 'customers' });
    expect(fed.attrs!.issuer_arn).toBe('arn:aws:iam::111122223333:user/broker');
    const saml = lines.find((x) => x.attrs?.identity_type === 'SAMLUser')!;
    expect(saml).toMatchObject({ class: 'authentication', actor: 'jdoe@example.com', target: 'arn:aws:iam::111122223333:role/SSO-Developers' });
    expect(saml.attrs).toMatchObject({ identity_provider: 'EXAMPLEPROVIDERID', issued_access_key: 'ASIA4EXAMPLESAMLJDOE' });
    const anon = lines.find((x) => x.attrs?.identity_type === 'AWSAccount')!;
    expect(anon).toMatchObject({ actor: 'ANONYMOUS_PRINCIPAL', outcome: 'failure', target: 's3://acme-public-assets', bytes_out: 243, ts: Date.UTC(2026, 2, 3, 8, 12, 0, 512) * 1000 });
    const gst = lines.find((x) => x.action.endsWith('GetSessionToken'))!;
    expect(gst.attrs).toMatchObject({ issued_access_key: 'ASIA4EXAMPLEGSTOKEN4', issued_to: 'arn:aws:iam::111122223333:user/deploy-ci' });
  });

  it('reads root console sessions with MFA from a pretty-printed file', async () => {
    const run = await runParser(cloudtrail, content(join(FIX, 'pretty', 'console-root.json')));
    const [deactivate, login] = run.events;
    expect(login).toMatchObject({ action: 'signin.amazonaws.com:ConsoleLogin', outcome: 'success', actor: 'arn:aws:iam::111122223333:root', line: 2 });
    expect(login!.attrs!.mfa).toBe(true);
    expect(deactivate).toMatchObject({ class: 'account_change', session: 'root@2026-03-01T22:40:00Z', target: 'admin', line: 1 });
    expect(deactivate!.raw.startsWith('{\n      "eventVersion": "1.09"')).toBe(true);
  });

  it('decodes lookup-events CloudTrailEvent strings and keeps the outer fields', async () => {
    const run = await runParser(cloudtrail, content(join(FIX, 'lookup', 'lookup-events.json')));
    expect(run.events.map((e) => [e.line, e.action])).toEqual([[1, 'sts.amazonaws.com:GetCallerIdentity'], [2, 'cloudtrail.amazonaws.com:StopLogging']]);
    expect(run.events[1]!.attrs!.wrapper).toMatchObject({ EventName: 'StopLogging', Username: 'ci-session', EventTime: '2026-03-02 01:08:02+00:00' });
    expect(run.info.unwrapped_records).toBe(2);
    expect(run.info.layout).toBe('Events');
  });

  it('skips the timestamp of CloudWatch Logs export lines and points at the JSON', async () => {
    const buf = content(join(FIX, 'cloudwatch', '000000.txt'));
    const run = await runParser(cloudtrail, buf);
    expect(run.events.map((e) => [e.line, e.byte_offset])).toEqual([[1, 25], [2, buf.indexOf('\n') + 26]]);
    expect(run.info.cloudwatch_prefixes).toBe(2);
  });

  it('records the S3 layout of a file and the SHA-256 of its content', async () => {
    const path = s3('0105Z');
    const run = await runParser(cloudtrail, content(path), { path });
    expect(run.info.s3_layout).toEqual({ key: path.slice(path.indexOf('AWSLogs/')), organization: null, account: '111122223333', prefix: 'CloudTrail', region: 'us-east-1', date: '2026-03-02' });
    expect(run.info.content_sha256).toBe(createHash('sha256').update(content(path)).digest('hex'));
    const org = s3('222233334444_CloudTrail');
    expect((await runParser(cloudtrail, content(org), { path: org })).info.s3_layout).toMatchObject({ organization: 'o-a1b2c3d4e5', account: '222233334444' });
  });
});

describe('cloudtrail sniffing', () => {
  const who = (text: string, name = 'x.json') => sniff(makeHead(name, Buffer.from(text))).winner?.parser.name ?? null;

  it('claims every delivery format', () => {
    for (const p of listFiles(FIX)) expect(who(content(p).subarray(0, 65536).toString('utf8'), p), p).toBe('cloudtrail');
  });

  it('does not claim other JSON or text; a CSV alert table of CloudTrail events goes to the CSV parser', () => {
    // Labels for people and Python reprs (the honey-bucket export): CloudTrail rows, read by cloudtrail_csv.
    expect(who('Event Type,Event Name,Request ID,User ID,Request Parameters,Alert,Event ID,Event DateTime\nAwsApiCall,ListObjects,E2E9,"{\'type\': \'AWSAccount\'}","{\'bucketName\': \'b\'}", 1-2022-02-18T17:34:57Z,2837,2022-02-18T17:34:57Z\n', 'alerts.csv')).toBe('cloudtrail_csv');
    expect(who('{"level":"info","msg":"started","time":"2026-03-02T01:00:00Z"}\n')).toBeNull();
    expect(who('{"Records":"not an array"}')).toBeNull();
    expect(who('this is not json\n')).toBeNull();
    expect(who('Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2\n', 'auth.log')).toBe('auth_log');
  });

  it('claims an empty array only weakly', () => {
    const r = sniff(makeHead('x.json', Buffer.from('[]')));
    expect(r.winner?.parser.name).toBe('cloudtrail');
    expect(r.winner?.match.confidence).toBeLessThan(50);
  });
});

const REC = (i: number, extra = '') =>
  `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u${i}","accountId":"111122223333","userName":"u${i}"},"eventTime":"2026-03-02T01:00:${String(i % 60).padStart(2, '0')}Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeRegions","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.${i % 250}","userAgent":"test","requestParameters":null,"responseElements":null,"eventID":"e${i}"${extra}}`;

describe('cloudtrail shapes seen in the field', () => {
  it('finds the record array after other keys ({"NextToken":…,"Events":[…]})', async () => {
    const run = await runParser(cloudtrail, `{"NextToken":"abc","Events":[{"EventId":"e1","CloudTrailEvent":${JSON.stringify(REC(1))}}]}`);
    expect(run.events.map((e) => [e.line, e.action])).toEqual([[1, 'ec2.amazonaws.com:DescribeRegions']]);
  });

  it('reads concatenated S3 files (zcat *.json.gz) and restarts the index per array', async () => {
    const text = `{"Records":[${REC(1)},${REC(2)}]}{"Records":[${REC(3)}]}\n{"Records":[]}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => [e.line, e.attrs!.event_id])).toEqual([[1, 'e1'], [2, 'e2'], [1, 'e3']]);
    expect(run.warnings).toEqual([]);
  });

  it('reads pretty-printed records one after another (jq . output) with their start lines', async () => {
    const text = [REC(1), REC(2)].map((r) => JSON.stringify(JSON.parse(r), null, 2)).join('\n') + '\n';
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1, text.split('\n').findIndex((l, i) => i > 0 && l === '{') + 1]);
    expect(run.events.map((e) => e.raw)).toEqual([REC(1), REC(2)].map((r) => JSON.stringify(JSON.parse(r), null, 2)));
  });

  it('reads CloudWatch Logs filter-log-events output (records in "message")', async () => {
    const text = JSON.stringify({ events: [{ logStreamName: '111122223333_CloudTrail_us-east-1', timestamp: 1772413200000, message: REC(1), ingestionTime: 1772413260000, eventId: '3870' }], searchedLogStreams: [] });
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => [e.line, e.action])).toEqual([[1, 'ec2.amazonaws.com:DescribeRegions']]);
    expect(run.events[0]!.attrs!.wrapper).toMatchObject({ logStreamName: '111122223333_CloudTrail_us-east-1', eventId: '3870' });
    expect(sniff(makeHead('x.json', Buffer.from(text))).winner?.parser.name).toBe('cloudtrail');
  });

  it('skips a UTF-8 byte order mark and keeps offsets in bytes', async () => {
    const text = '\uFEFF' + `[${REC(1).replace('"userAgent":"test"', '"userAgent":"tést ☃"')}]`;
    const buf = Buffer.from(text, 'utf8');
    const run = await runParser(cloudtrail, buf);
    expect(run.events[0]!.byte_offset).toBe(4);
    expect(buf.subarray(4, 4 + run.events[0]!.byte_length).toString('utf8')).toBe(run.events[0]!.raw);
    expect(run.events[0]!.user_agent).toBe('tést ☃');
  });
});

describe('cloudtrail bad input', () => {
  it('keeps the other records of a Records array when one in the middle is malformed, naming its index and where the damage is', async () => {
    const text = `{"Records":[${REC(1)},{"eventTime": 2026-03-02, "eventName": oops},${REC(3)}]}`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1, 3]);
    expect(run.warnings).toHaveLength(1);
    // The warning sits at the record's line and byte; its reason names the record and the damage.
    expect(run.warnings[0]).toMatchObject({ line: 1, byte_offset: text.indexOf('{"eventTime": 2026'), raw: '{"eventTime": 2026-03-02, "eventName": oops}' });
    const damage = text.indexOf('{"eventTime": 2026') + '{"eventTime": 2026'.length;
    expect(run.warnings[0]!.reason).toBe(`record 2 of the "Records" array: not valid JSON at line 1, byte ${damage}: "," or "}" expected after a value, found "-"`);
    expect(run.info.records).toBe(3);
  });

  it('names the line and byte of the damage inside a pretty-printed record', async () => {
    const good = (i: number) => JSON.stringify(JSON.parse(REC(i)), null, 2);
    const broken = good(2).replace('"eventName": "DescribeRegions"', '"eventName": "DescribeRegions" "oops": 1');
    const text = `{"Records": [\n${[good(1), broken, good(3)].join(',\n')}\n]}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1, 3]);
    const at = text.indexOf('"oops"');
    const line = text.slice(0, at).split('\n').length;
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: text.slice(0, text.indexOf(broken)).split('\n').length, byte_offset: Buffer.byteLength(text.slice(0, text.indexOf(broken))) });
    expect(run.warnings[0]!.reason).toBe(`record 2 of the "Records" array: not valid JSON at line ${line}, byte ${at}: "," or "}" expected after a value, found "\\""`);
  });

  it('survives unbalanced brackets inside a record without crashing', async () => {
    const text = `{"Records":[${REC(1)},{"eventName":"x",{"a":1}],"more":1}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1]);
    expect(run.warnings.find((w) => w.reason.startsWith('record 2 of'))!.reason).toMatch(/not valid JSON at line 1, byte \d+/);
  });

  it('resumes at the next line after a cut line in a one-record-per-line file', async () => {
    const text = `${REC(1)}\n${REC(2).slice(0, 90)}\n${REC(3)}\n${REC(4).slice(0, 40)}\n${REC(5)}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([1, 3, 5]);
    expect(run.warnings.map((w) => [w.line, /cut or damaged line/.test(w.reason)])).toEqual([[2, true], [4, true]]);
  });

  it('resumes after a cut first line too', async () => {
    const text = `${REC(1).slice(0, 50)}\n${REC(2)}\n${REC(3)}\n`;
    const run = await runParser(cloudtrail, text);
    expect(run.events.map((e) => e.line)).toEqual([2, 3]);
    expect(run.warnings.map((w) => w.line)).toEqual([1]);
  });

  it('turns a .json that is not JSON into warnings with line numbers, and no events', async () => {
    const run = await runParser(cloudtrail, 'this is not JSON\nneither is this: {"a"\n');
    expect(run.events).toEqual([]);
    expect(run.warnings.map((w) => w.line)).toEqual([1, 2]);
    expect(run.warnings[0]!.reason).toMatch(/line 1: not JSON \(16 bytes\)/);
  });

  it('warns about a record without eventTime, naming it', async () => {
    const text = `[${REC(1)},{"eventName":"GetObject","eventSource":"s3.amazonaws.com","eventID":"abc"}]`;
    const run = await runParser(cloudtrail, text);
    expect(run.events).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: 1, reason: 'record 2 of the array: record has no eventTime (nor @timestamp, _time, timestamp or time) (eventName GetObject, eventID abc)' });
  });

  it('warns about array elements that are not objects', async () => {
    const run = await runParser(cloudtrail, `{"Records":[${REC(1)}, 42, "text", [1,2], null]}`);
    expect(run.events).toHaveLength(1);
    expect(run.warnings.map((w) => [w.line, w.raw, w.reason])).toEqual([
      [1, '42', 'record 2 of the "Records" array: not a JSON object (a scalar)'],
      [1, '"text"', 'record 3 of the "Records" array: not a JSON object (a string)'],
      [1, '[1,2]', 'record 4 of the "Records" array: not a JSON object (an array)'],
      [1, 'null', 'record 5 of the "Records" array: not a JSON object (a scalar)'],
    ]);
  });

  it('handles JSON nested 10,000 deep: in a record (attrs cut, raw whole) and as a record', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const inRecord = await runParser(cloudtrail, `{"Records":[${REC(1, `,"additionalEventData":${deep}`)}]}`);
    expect(inRecord.events).toHaveLength(1);
    const e = inRecord.events[0]!;
    expect(e.attrs!.attrs_cut_at_depth).toBe(64);
    expect(JSON.stringify(e.attrs)).toContain('nested deeper than 64 levels');
    expect(e.raw.length).toBeGreaterThan(50_000);
    expect(inRecord.warnings[0]!.reason).toMatch(/nested 10001 levels deep/);
    const asRecord = await runParser(cloudtrail, `{"Records":[${'['.repeat(10_000)}${']'.repeat(10_000)},${REC(2)}]}`);
    expect(asRecord.events.map((x) => x.line)).toEqual([2]);
    expect(asRecord.warnings[0]!.reason).toMatch(/record 1 .*not a JSON object \(an array\)/);
    const bare = await runParser(cloudtrail, '['.repeat(10_000) + ']'.repeat(10_000));
    expect(bare.events).toEqual([]);
    expect(bare.warnings).toHaveLength(1);
  });

  it('reads a record with 5,000 fields, keeping them in attrs', async () => {
    const fields = Array.from({ length: 5000 }, (_, i) => `"f${i}":${i}`).join(',');
    const run = await runParser(cloudtrail, REC(1, ',' + fields) + '\n');
    expect(run.warnings).toEqual([]);
    expect(Object.keys(run.events[0]!.attrs!.unmapped as object)).toHaveLength(5000);
  });

  it('keeps control characters out of summaries', async () => {
    const run = await runParser(cloudtrail, REC(1).replace('"eventName":"DescribeRegions"', '"eventName":"Describe\\u001b[2J\\u001b]0;pwned\\u0007"') + '\n');
    expect(run.events[0]!.action).toContain('\u001b');
    expect(hasUnsafe(run.events[0]!.summary)).toBe(false);
    expect(run.events[0]!.summary).toContain('\\x1b[2J');
  });

  it('reports the record a failing stream cut, then fails with the stream', async () => {
    async function* broken() {
      yield Buffer.from(`{"Records":[${REC(1)},${REC(2).slice(0, 60)}`);
      throw new Error('unexpected end of file');
    }
    const warnings: ParseWarning[] = [];
    const events: DwellEvent[] = [];
    const ctx: ParseContext = {
      path: 'x.json.gz', mtimeMs: 0, options: { tz: new LocalZone('UTC'), extra: {} },
      emit: (e) => events.push(e), warn: (w) => warnings.push(w), setYearShift: () => undefined, setFileInfo: () => undefined, recordOnly: () => undefined,
    };
    await expect(cloudtrail.parse(Readable.from(broken()), ctx)).rejects.toThrow(/unexpected end of file/);
    expect(events.map((e) => e.line)).toEqual([1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toMatch(/^record 2 of the "Records" array: not valid JSON at line 1, byte \d+: the data ends here: unexpected end of file \(a string is not closed/);
  });

  it('streams a 200 MB single-line file in bounded memory', async () => {
    // One line: a Records array whose second record carries a 200 MB string, between two good ones.
    const MB = 1 << 20;
    const filler = Buffer.alloc(MB, 'x');
    async function* big() {
      yield Buffer.from(`{"Records":[${REC(1)},{"eventTime":"2026-03-02T01:00:00Z","requestParameters":{"blob":"`);
      for (let i = 0; i < 200; i++) yield filler;
      yield Buffer.from(`"}},${REC(3)}]}`);
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const warnings: ParseWarning[] = [];
    const events: DwellEvent[] = [];
    const ctx: ParseContext = {
      path: 'big.json', mtimeMs: 0, options: { tz: new LocalZone('UTC'), extra: {} },
      emit: (e) => events.push(e), warn: (w) => warnings.push(w), setYearShift: () => undefined, setFileInfo: () => undefined, recordOnly: () => undefined,
    };
    const stats = await cloudtrail.parse(Readable.from(big()), ctx);
    clearInterval(timer);
    expect(stats.records).toBe(3);
    expect(events.map((e) => e.line)).toEqual([1, 3]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toMatch(/record 2 of the "Records" array: 2097\d+ bytes, more than the 32 MiB one record may take; not parsed \(its bytes stay in the evidence at byte \d+\)/);
    expect(peak - before).toBeLessThan(150 * MB);
  });
});

describe('cloudtrail end to end: dwell ingest of the fixtures', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--case', casePath, FIX]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every fixture, records the digest, and exits 0', async () => {
    expect(result.stderr).not.toMatch(/error|Error/);
    expect(result.code).toBe(0);
    const rows = await query<{ path: string; status: string; format: string; message: string | null }>(casePath, 'SELECT path, status, format, message FROM evidence ORDER BY path');
    expect(rows).toHaveLength(listFiles(FIX).length);
    for (const r of rows) {
      expect(r.format).toBe('cloudtrail');
      expect(r.status, r.path).toBe(r.path.includes('CloudTrail-Digest') ? 'recorded' : 'ingested');
    }
    expect(rows.find((r) => r.status === 'recorded')!.message).toMatch(/^CloudTrail digest file/);
  });

  it('makes the chain AKIA… → AssumeRole → ASIA… → AssumeRole → ASIA… one query', async () => {
    const chain = await query<{ issued_key: string; parent_key: string; issued_by_call: string; issued_to: string }>(
      casePath,
      `SELECT issued_key, parent_key, issued_by_call, issued_to FROM cloud_key_chain WHERE parent_key IS NOT NULL ORDER BY issued_at`,
    );
    expect(chain).toEqual([
      { issued_key: 'ASIA4EXAMPLECISESS5R', parent_key: 'AKIA4EXAMPLEDEPLOY6Q', issued_by_call: 'AssumeRole', issued_to: 'arn:aws:sts::111122223333:assumed-role/OrgAdmin/ci-session' },
      { issued_key: 'AKIA4EXAMPLEBKUP2SVC', parent_key: 'ASIA4EXAMPLECISESS5R', issued_by_call: 'CreateAccessKey', issued_to: 'svc-backup2' },
      { issued_key: 'ASIA7EXAMPLEORGADM3K', parent_key: 'ASIA4EXAMPLECISESS5R', issued_by_call: 'AssumeRole', issued_to: 'arn:aws:sts::222233334444:assumed-role/OrganizationAccountAccessRole/pivot' },
      { issued_key: 'ASIA4EXAMPLEGSTOKEN4', parent_key: 'AKIA4EXAMPLEDEPLOY6Q', issued_by_call: 'GetSessionToken', issued_to: 'arn:aws:iam::111122223333:user/deploy-ci' },
    ]);
    // Every call made with a key descended from the stolen one, across accounts (docs/schema.md).
    const calls = await query<{ depth: number; action: string; account: string }>(
      casePath,
      `WITH RECURSIVE chain(key, depth) AS (
         SELECT 'AKIA4EXAMPLEDEPLOY6Q', 0
         UNION SELECT k.issued_key, c.depth + 1 FROM cloud_key_chain k JOIN chain c ON k.parent_key = c.key WHERE c.depth < 10)
       SELECT DISTINCT c.depth::INTEGER AS depth, e.action, json_extract_string(e.attrs, '$.recipient_account') AS account
       FROM events e JOIN chain c ON e.access_key = c.key ORDER BY depth, action`,
    );
    expect(calls.filter((c) => c.depth === 2)).toEqual([
      { depth: 2, action: 'ec2.amazonaws.com:CreateSnapshot', account: '222233334444' },
      { depth: 2, action: 'ec2.amazonaws.com:ModifySnapshotAttribute', account: '222233334444' },
    ]);
    expect(calls.filter((c) => c.depth === 1).map((c) => c.action)).toContain('s3.amazonaws.com:GetObject');
  });

  it('leads every event of an uncompressed file back to its bytes', async () => {
    const rows = await query<{ abs_path: string; byte_offset: number; byte_length: number; raw: string }>(
      casePath,
      `SELECT v.abs_path, e.byte_offset, e.byte_length, e.raw FROM events e JOIN evidence v USING (evidence_id) WHERE v.compression = 'none'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(readFileSync(r.abs_path).subarray(Number(r.byte_offset), Number(r.byte_offset) + r.byte_length).toString('utf8')).toBe(r.raw);
  });

  it('checks log files against the digest with one query', async () => {
    const rows = await query<{ s3_object: string; ok: boolean }>(
      casePath,
      `WITH listed AS (
         SELECT unnest(from_json(info->'digest_log_files', '[{"s3_object":"VARCHAR","hash_value":"VARCHAR"}]')) AS f FROM evidence WHERE status = 'recorded')
       SELECT f.s3_object AS s3_object, (v.info->>'content_sha256') = f.hash_value AS ok
       FROM listed LEFT JOIN evidence v ON (v.info->'s3_layout'->>'key') = f.s3_object ORDER BY 1`,
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.ok)).toBe(true);
  });

  it('marks a truncated .json.gz partial and keeps the records before the cut', async () => {
    const t = tempDir();
    try {
      const recs = Array.from({ length: 400 }, (_, i) => REC(i + 1, `,"padding":"${createHash('sha256').update(String(i)).digest('hex').repeat(8)}"`));
      const gz = gzipSync(`{"Records":[${recs.join(',')}]}`);
      const file = join(t.path, 'AWSLogs', 'cut.json.gz');
      (await import('node:fs')).mkdirSync(join(t.path, 'AWSLogs'));
      writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
      const c = join(t.path, 'case.duckdb');
      const r = await dwell(['ingest', '-q', '--case', c, file]);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      const [ev] = await query<{ status: string; message: string; events: number; warnings: number }>(c, 'SELECT status, message, events, warnings FROM evidence');
      expect(ev!.status).toBe('partial');
      expect(ev!.message).toMatch(/truncated gzip/);
      expect(ev!.events).toBeGreaterThan(10);
      expect(ev!.events).toBeLessThan(400);
      expect(ev!.warnings).toBe(1);
      const [w] = await query<{ line: number; reason: string }>(c, 'SELECT line, reason FROM parse_warnings');
      expect(Number(w!.line)).toBe(1);
      expect(w!.reason).toMatch(new RegExp(`^record ${ev!.events + 1} of the "Records" array: not valid JSON at line 1, byte \\d+: the data ends here`));
    } finally {
      t.cleanup();
    }
  });
});
