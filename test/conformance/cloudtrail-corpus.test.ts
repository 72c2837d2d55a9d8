/**
 * Conformance over every real sample in ../shared/corpus/cloudtrail, through the built CLI: no
 * crash; CloudTrail files ingested (the honey-bucket alert table too: S3 data events re-exported
 * by a Python tool), the digest recorded, the corpus documents reported unrecognized; every record accounted for (counted independently here);
 * and where an origin publishes its own parsed output, the same time, outcome, principal, key,
 * address and region.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { corpusDir, isCorpusMeta, listFiles } from '../helpers/corpus.js';

const dir = corpusDir('cloudtrail');

interface EventRow {
  line: number;
  ts: string;
  action: string;
  outcome: string;
  actor: string | null;
  src_ip: string | null;
  access_key: string | null;
  session: string | null;
  target: string | null;
  bytes_out: number | null;
  attrs: string;
}

/** Records in a CloudTrail file, counted without dwell: JSON lines, arrays or a Records/Events wrapper. */
function countRecords(path: string): number {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).length;
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (Array.isArray(doc.Records)) return doc.Records.length;
    if (Array.isArray(doc.Events)) return doc.Events.length;
    return 1;
  } catch {
    return text.split('\n').filter((l) => l.trim() !== '').length;
  }
}

describe.skipIf(!dir)('cloudtrail corpus conformance', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'corpus.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  const events = async (file: string) =>
    query<EventRow>(
      casePath,
      `SELECT e.line::INTEGER AS line, strftime(e.ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, e.action, e.outcome, e.actor, e.src_ip, e.access_key, e.session, e.target,
              e.bytes_out::INTEGER AS bytes_out, e.attrs::VARCHAR AS attrs
       FROM events e JOIN evidence v USING (evidence_id) WHERE v.path LIKE '%' || $f ORDER BY e.event_id`,
      { f: file },
    );

  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--case', casePath, dir!]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every CloudTrail sample, records the digest, and reports the rest unrecognized', async () => {
    expect(result.stderr).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
    const rows = await query<{ path: string; status: string; format: string | null; message: string | null }>(casePath, 'SELECT path, status, format, message FROM evidence ORDER BY path');
    expect(rows).toHaveLength(listFiles(dir!).length);
    for (const r of rows) {
      const name = basename(r.path);
      if (isCorpusMeta(name)) expect(r.status, r.path).toBe('unrecognized');
      else if (name.endsWith('.csv')) expect([r.status, r.format], r.path).toEqual(['ingested', 'cloudtrail_csv']);
      else if (name.includes('digest')) expect([r.status, r.format], r.path).toEqual(['recorded', 'cloudtrail']);
      else expect([r.status, r.format], r.path).toEqual(['ingested', 'cloudtrail']);
    }
    expect(result.code).toBe(3);
  });

  it('accounts for every record of every sample', async () => {
    const rows = await query<{ path: string; status: string; events: number; warnings: number; info: string }>(
      casePath,
      `SELECT path, status, events::INTEGER AS events, warnings::INTEGER AS warnings, info::VARCHAR AS info FROM evidence WHERE format = 'cloudtrail'`,
    );
    expect(rows.length).toBe(11);
    for (const r of rows) {
      const info = JSON.parse(r.info) as { records: number; record_warnings: number };
      expect(info.records, r.path).toBe(countRecords(r.path));
      const recorded = r.status === 'recorded' ? 1 : 0;
      expect(r.events + info.record_warnings + recorded, r.path).toBe(info.records);
      expect(r.warnings, r.path).toBe(0);
    }
    const [{ n }] = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM events`);
    const [{ s }] = await query<{ s: number }>(casePath, `SELECT sum(events)::INTEGER AS s FROM evidence`);
    expect(n).toBe(s);
    expect(n).toBe(45 + 301); // the CloudTrail files, and the honey-bucket table (read on its own below)
  });

  // The honey-bucket table: labels for people (`Event Name`, `Source IP`…), userIdentity and
  // requestParameters as Python reprs, no eventSource. Every row is an event with the row's own
  // values, read here with fast-csv; the service comes from the request's S3 host, and says so.
  it('reads the honey-bucket alert table row for row', async () => {
    const path = join(dir!, 'otrf-security-datasets', 'AWS_S3_HoneyBucketLogs.csv');
    const csvRows: Record<string, string>[] = [];
    await new Promise<void>((done, fail) => {
      parseString(readFileSync(path, 'utf8'), { headers: true })
        .on('data', (r: Record<string, string>) => csvRows.push(r))
        .on('error', fail)
        .on('end', () => done());
    });
    const rows = await events('AWS_S3_HoneyBucketLogs.csv');
    expect(csvRows.length).toBe(301);
    expect(rows).toHaveLength(csvRows.length);
    rows.forEach((e, i) => {
      const r = csvRows[i]!;
      expect([e.ts, e.action, e.src_ip], `row ${i + 1}`).toEqual([r['Event DateTime'], `s3.amazonaws.com:${r['Event Name']}`, r['Source IP']]);
      const a = JSON.parse(e.attrs);
      expect([a.event_id, a.request_id, a.event_source_from], `row ${i + 1}`).toEqual([r['Event ID'], r['Request ID'], 'requestParameters.Host']);
      expect(a.request_parameters.bucketName).toBe('microsoft-devtest');
    });
    // The anonymous callers: `{'type': 'AWSAccount', …, 'accountId': 'ANONYMOUS_PRINCIPAL'}`.
    expect(rows.filter((e) => e.actor === 'ANONYMOUS_PRINCIPAL').length).toBe(csvRows.filter((r) => r['User ID']!.includes("'ANONYMOUS_PRINCIPAL'")).length);
    // The bucket, or the object of a PutObject (the scanners' write tests: hello.txt, writeable_bucket.txt).
    for (const [e, r] of rows.map((e, i) => [e, csvRows[i]!] as const)) {
      const key = /'key': '([^']+)'/.exec(r['Request Parameters']!)?.[1];
      expect(e.target).toBe(key ? `s3://microsoft-devtest/${key}` : 's3://microsoft-devtest');
    }
  });

  // Elastic's expected output for test-console-login-json.log (elastic/integrations@59f3e175,
  // packages/aws/data_stream/cloudtrail/_dev/test/pipeline/test-console-login-json.log-expected.json).
  it('matches Elastic’s expected output for the console logins', async () => {
    const rows = await events('test-console-login-json.log');
    expect(rows.map((e) => [e.ts, e.outcome, e.src_ip])).toEqual([
      ['2014-07-16T15:49:27Z', 'success', '89.160.20.156'],
      ['2014-07-08T17:35:27Z', 'failure', '89.160.20.156'],
      ['2014-07-08T17:35:27Z', 'failure', '89.160.20.156'],
    ]);
    // user.name JohnDoe / JaneDoe (IAM users), the assumed-role ARN and its session issuer.
    expect(rows.map((e) => e.actor)).toEqual(['arn:aws:iam::111122223333:user/JohnDoe', 'arn:aws:iam::111122223333:user/JaneDoe', 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName']);
    const a = rows.map((e) => JSON.parse(e.attrs));
    expect(a.map((x) => [x.account, x.region, x.mfa])).toEqual([['111122223333', 'us-east-2', false], ['111122223333', 'us-east-2', false], ['123456789012', 'us-east-2', false]]);
    expect(rows[2]!.access_key).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(a[2].issuer_arn).toBe('arn:aws:iam::123456789012:role/RoleToBeAssumed');
    // creationDate written in basic ISO form (20131102T010628Z) is normalized.
    expect(a[2].session_created).toBe('2013-11-02T01:06:28Z');
  });

  // elastic/integrations@e82e9f6e, test-assume-role-json.log-expected.json (first record).
  it('matches Elastic’s expected output for AssumeRole, and names the issued key', async () => {
    const rows = await events('test-assume-role-json.log');
    expect(rows).toHaveLength(2);
    for (const e of rows) {
      expect(e).toMatchObject({ ts: '2019-10-02T22:12:29Z', outcome: 'success', src_ip: '81.2.69.144', access_key: 'AKIAI44QH8DHBEXAMPLE', actor: 'arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1', action: 'sts.amazonaws.com:AssumeRole' });
      const a = JSON.parse(e.attrs);
      expect(a).toMatchObject({ issuer_arn: 'arn:aws:iam::111111111111:role/JohnRole1', session_created: '2019-10-02T21:50:54Z', mfa: false, region: 'us-east-2', recipient_account: '111111111111', issued_access_key: 'ASIAWHOJDLGPOEXAMPLE' });
    }
    const chain = await query<{ issued_key: string; parent_key: string }>(casePath, `SELECT DISTINCT issued_key, parent_key FROM cloud_key_chain WHERE parent_key = 'AKIAI44QH8DHBEXAMPLE'`);
    expect(chain).toEqual([{ issued_key: 'ASIAWHOJDLGPOEXAMPLE', parent_key: 'AKIAI44QH8DHBEXAMPLE' }]);
  });

  // elastic/integrations@d52e2022, test-copy-object-json.log-expected.json.
  it('matches Elastic’s expected output for the S3 CopyObject data event', async () => {
    const [e] = await events('test-copy-object-json.log');
    expect(e).toMatchObject({ ts: '2024-10-08T12:24:16Z', outcome: 'success', src_ip: '216.160.83.56', access_key: 'ACCESSKEYID', actor: 'arn:aws:iam::000000000:user/test@elastic.co', bytes_out: 224, target: 's3://elastic-cspm-cloudtrail-test-bucket/test-copy-object/README-copy.md' });
    const a = JSON.parse(e!.attrs);
    expect(a).toMatchObject({ category: 'Data', region: 'us-east-1', account: '000000000' });
    expect(a.tls_details).toEqual({ tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'elastic-cspm-cloudtrail-test-bucket.s3.us-east-1.amazonaws.com' });
    expect([...a.targets].sort()).toEqual([
      'arn:aws:s3:::elastic-cspm-cloudtrail-test-bucket',
      'arn:aws:s3:::elastic-cspm-cloudtrail-test-bucket/test-copy-object/README-copy.md',
      'arn:aws:s3:::elastic-cspm-cloudtrail-test-bucket/test-copy-object/README.md',
      's3://elastic-cspm-cloudtrail-test-bucket/test-copy-object/README-copy.md',
      's3://elastic-cspm-cloudtrail-test-bucket/test-copy-object/README.md',
    ]);
  });

  // plaso@36e23d2a, tests/parsers/jsonl_plugins/aws_cloudtrail_log.py: 6 events, no warnings,
  // the first one's values.
  it('matches plaso’s expected values for the lookup-events lines', async () => {
    const rows = await events('aws_cloudtrail.jsonl');
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ line: 1, action: 'ec2.amazonaws.com:DescribeInstances', access_key: '0123456789ABCDEFGHIJ', src_ip: '1.2.3.4', actor: 'arn:aws:iam::012345678901:user/fakeusername' });
    // recorded_time 2022-02-08T09:23:37+11:00 is 2022-02-07T22:23:37Z.
    expect(rows[0]!.ts).toBe('2022-02-07T22:23:37Z');
    expect(JSON.parse(rows[0]!.attrs)).toMatchObject({ user_name: 'fakeusername', wrapper: { EventId: '0828c0d2-3589-4390-b954-c78b4a7df44b', EventTime: '2022-02-08 09:23:37+11:00' } });
    // The service event has no address: ec2.amazonaws.com stays out of src_ip.
    const svc = rows.find((e) => e.action.endsWith('SharedSnapshotVolumeCreated'))!;
    expect(svc).toMatchObject({ src_ip: null, actor: 'ec2.amazonaws.com' });
    expect(JSON.parse(svc.attrs).source).toBe('ec2.amazonaws.com');
  });

  it('reads the suzaku samples: a pretty Records file, bare arrays, an empty array', async () => {
    const records = await events('suzaku/test.json');
    expect(records).toHaveLength(29);
    expect(records.map((e) => e.line)).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
    expect(new Set(records.map((e) => e.src_ip ?? JSON.parse(e.attrs).source))).toEqual(new Set(['59.147.205.157', 'guardduty.amazonaws.com']));
    const roots = records.filter((e) => e.actor === 'arn:aws:iam::015043439996:root');
    expect(roots.every((e) => e.session === 'root@2021-07-05T12:34:59Z')).toBe(true);
    for (const [file, action] of [['DeleteTrail.json', 'cloudtrail.amazonaws.com:DeleteTrail'], ['StopLogging.json', 'cloudtrail.amazonaws.com:StopLogging'], ['UpdateTrail.json', 'cloudtrail.amazonaws.com:UpdateTrail']] as const) {
      const [e] = await events(file);
      expect(e).toMatchObject({ action, outcome: 'failure', actor: 'arn:aws:iam::192374575148:user/TrailDiscover', access_key: 'AKIASZSTLCAWF4CPBKMF' });
      expect(JSON.parse(e!.attrs).error_code).toBe('AccessDenied');
    }
    expect(await events('PutEventSelectors.json')).toEqual([]);
  });

  it('records the digest with its log-file hashes', async () => {
    const [d] = await query<{ message: string; info: string }>(casePath, `SELECT message, info::VARCHAR AS info FROM evidence WHERE status = 'recorded'`);
    expect(d!.message).toMatch(/^CloudTrail digest file \(account 123456789123, 2020-09-11T18:36:49Z – 2020-09-11T19:36:49Z, 3 log file hashes\)/);
    const info = JSON.parse(d!.info);
    expect(info.digest_log_files.map((f: { hash_value: string }) => f.hash_value)).toEqual([
      '420784a5bbc12e9ac442451e8ec1356744fdeabf4fee0d2222508db6d448139c',
      '4e1eb2a8b41d032cbb16e5449fc8f3eac304e7d43017a391b37c788c77336196',
      '2695aeb3b4c1f021fe76e0b36f5ac15e557c41c58af6eef282d77ef056210d70',
    ]);
  });
});

// ../shared/corpus-attacks: real attacks with a NARRATIVE.md (flaws2 native .json.gz, the Stratus Red Team
// detonations exported from Datadog). Every record must become an event with the narrative's facts.
const ATTACKS = resolve(ROOT, '..', 'shared', 'corpus-attacks');
const attackDir = (name: string) => {
  const d = join(ATTACKS, name);
  if (!existsSync(d)) console.warn(`conformance: ${d} is absent; its tests are skipped`);
  return existsSync(d) ? d : null;
};
const flaws2 = attackDir('flaws2-defender-cloudtrail');
const stratus = attackDir('stratus-red-team-datadog-export');

describe.skipIf(!flaws2 || !stratus)('cloudtrail attack cases (corpus-attacks)', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'attacks.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  const q = <T,>(sql: string, params: Record<string, string | number | null> = {}) => query<T>(casePath, sql, params);
  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--case', casePath, flaws2!, stratus!]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every record of every CloudTrail file, with no record-level warning', async () => {
    expect(result.stderr).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
    const rows = await q<{ path: string; status: string; format: string | null; events: number; info: string }>(
      `SELECT path, status, format, events::INTEGER AS events, info::VARCHAR AS info FROM evidence ORDER BY path`,
    );
    const data = rows.filter((r) => !isCorpusMeta(basename(r.path)) && !r.path.endsWith('.md'));
    expect(data.map((r) => [basename(r.path), r.status, r.format])).toEqual(
      data.map((r) => [basename(r.path), 'ingested', 'cloudtrail']),
    );
    for (const r of data) {
      // Counted without dwell: every record starts with its own "eventVersion" key.
      const text = r.path.endsWith('.gz') ? gunzipSync(readFileSync(r.path)).toString('utf8') : readFileSync(r.path, 'utf8');
      const expected = text.match(/"eventVersion"\s*:/g)!.length;
      expect(r.events, r.path).toBe(expected);
      expect(JSON.parse(r.info).record_warnings, r.path).toBe(0);
    }
    expect(data.reduce((n, r) => n + r.events, 0)).toBe(37 + 15);
    // The only warnings: the commas missing between records of the Datadog ec2-user-data file.
    const warnings = await q<{ path: string; line: number; reason: string }>(
      `SELECT v.path, w.line::INTEGER AS line, w.reason FROM parse_warnings w JOIN evidence v USING (evidence_id) ORDER BY v.path, w.line`,
    );
    expect(warnings.map((w) => [basename(w.path), w.line])).toEqual([
      ['aws.execution.ec2-user-data.json', 112],
      ['aws.execution.ec2-user-data.json', 201],
    ]);
    expect(warnings[0]!.reason).toBe('line 112, byte 3327: no comma between records 1 and 2 of the "Records" array: the file is not valid JSON; both records are read');
  });

  it('flaws2: the stolen Lambda and ECS role keys used from the attacker address (NARRATIVE.md)', async () => {
    const outside = await q<{ ts: string; action: string; access_key: string; actor: string }>(
      `SELECT strftime(ts, '%H:%M:%S') AS ts, action, access_key, actor FROM events
       WHERE src_ip = '104.102.221.250' AND access_key IS NOT NULL ORDER BY ts, action`,
    );
    expect(outside.map((e) => [e.ts, e.action.split(':')[1], e.access_key])).toEqual([
      ['23:04:54', 'ListObjects', 'ASIAZQNB3KHGIGYQXVVG'],
      ['23:05:53', 'ListImages', 'ASIAZQNB3KHGIGYQXVVG'],
      ['23:06:17', 'BatchGetImage', 'ASIAZQNB3KHGIGYQXVVG'],
      ['23:06:33', 'GetDownloadUrlForLayer', 'ASIAZQNB3KHGIGYQXVVG'],
      ['23:09:28', 'ListBuckets', 'ASIAZQNB3KHGNXWXBSJS'],
    ]);
    const [{ n }] = await q<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events WHERE src_ip = '104.102.221.250'`);
    expect(n).toBe(27);
    // The level1 key also used from the Lambda's own AWS address.
    const from = await q<{ src_ip: string }>(`SELECT DISTINCT src_ip FROM events WHERE access_key = 'ASIAZQNB3KHGIGYQXVVG' ORDER BY 1`);
    expect(from.map((r) => r.src_ip)).toEqual(['104.102.221.250', '34.234.236.212']);
  });

  it('stratus (Datadog export): one address, one session name, three keys, the detonations in order (NARRATIVE.md)', async () => {
    const rows = await q<{ ts: string; action: string; src_ip: string | null; user_agent: string | null; access_key: string; actor: string; target: string | null }>(
      `SELECT strftime(e.ts, '%H:%M:%S') AS ts, e.action, e.src_ip, e.user_agent, e.access_key, e.actor, e.target
       FROM events e JOIN evidence v USING (evidence_id) WHERE v.path LIKE '%stratus-red-team-datadog-export%' ORDER BY e.ts, e.event_id`,
    );
    expect(rows).toHaveLength(15);
    // Datadog moved sourceIPAddress to network.client.ip and userAgent to http.useragent: both are back.
    expect(new Set(rows.map((e) => e.src_ip))).toEqual(new Set(['62.167.105.104']));
    expect(rows.every((e) => /^stratus-red-team_[0-9a-f-]{36}$/.test(e.user_agent ?? ''))).toBe(true);
    expect(new Set(rows.map((e) => e.actor))).toEqual(new Set(['arn:aws:sts::677301038893:assumed-role/account-admin/christophe.tafanidereeper']));
    expect(new Set(rows.map((e) => e.access_key))).toEqual(new Set(['ASIAZ3MSJV4W3HFKBOMH', 'ASIAZ3MSJV4WY7WYVLEU', 'ASIAZ3MSJV4WRUQMZ2VP']));
    expect(rows.map((e) => e.action.split(':')[1])).toEqual([
      'DeleteTrail', ...Array(10).fill('GetSecretValue'), 'StopInstances', 'ModifyInstanceAttribute', 'StartInstances', 'ModifySnapshotAttribute',
    ]);
    expect(rows[0]).toMatchObject({ ts: '20:53:54', target: 'my-cloudtrail-trail-2' });
    expect(new Set(rows.slice(1, 11).map((e) => e.target)).size).toBe(10);
    expect(rows.slice(11, 14).map((e) => e.ts)).toEqual(['21:00:00', '21:00:38', '21:00:39']);
    expect(rows[14]).toMatchObject({ ts: '21:06:11', target: 'snap-00f54cf7277498559' });
  });
});
