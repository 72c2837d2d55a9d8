/**
 * Times that cannot be right are kept but never pass for exact (issue 18, item 10):
 * `eventTime 0000-01-01T00:00:00Z` was stored as 1900-01-01 and marked exact. Now every parser
 * reads year 0000 as year 0, and the ingest gate marks any time before 1990-01-01 or more than a
 * day after the ingest `implausible` (the parser's quality kept in attrs.time_quality_parsed), with
 * a warning and a count on the evidence row; exports leave such events out unless asked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcMillis } from '../../src/core/time.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { parseThroughGate } from '../helpers/gate.js';

const INGEST_MS = Date.UTC(2026, 5, 30, 12);
const YEAR_0_US = -62_167_219_200_000_000; // 0000-01-01T00:00:00Z, proleptic Gregorian

describe('year 0000', () => {
  it('is year 0, not 1900 (Date.UTC reads years 0-99 as 1900-1999)', () => {
    expect(utcMillis(0, 1, 1, 0, 0, 0) * 1000).toBe(YEAR_0_US);
    expect(new Date(utcMillis(99, 12, 31, 23, 59, 59)).toISOString()).toBe('0099-12-31T23:59:59.000Z');
    expect(new Date(utcMillis(4, 2, 29, 0, 0, 0)).toISOString()).toBe('0004-02-29T00:00:00.000Z');
    expect(utcMillis(2026, 3, 11, 19, 26, 39)).toBe(Date.UTC(2026, 2, 11, 19, 26, 39));
  });

  /** A year-0000 record per parser that reads written years. */
  const RECORDS: Record<string, string> = {
    cloudtrail: '{"eventVersion":"1.09","eventTime":"0000-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","sourceIPAddress":"198.51.100.24"}',
    auth_log: '0000-01-01T00:00:00+00:00 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2',
    postgres_log: '0000-01-01 00:00:00.000 UTC [12389] LOG:  connection authorized: user=app database=shop',
    postgres_jsonlog: '{"timestamp":"0000-01-01 00:00:00.000 UTC","pid":1,"error_severity":"LOG","message":"statement: SELECT 1","backend_type":"client backend"}',
    mysql_general_log: '0000-01-01T00:00:00.000000Z\t    6 Query\tSELECT 1',
    suricata_eve: '{"timestamp":"0000-01-01T00:00:00.000000+0000","event_type":"alert","src_ip":"10.0.1.25","src_port":1,"dest_ip":"198.51.100.7","dest_port":2,"proto":"TCP","alert":{"signature":"x"}}',
    zeek_json: '{"ts":"0000-01-01T00:00:00Z","uid":"C1","id.orig_h":"10.0.1.25","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"tcp"}',
  };
  for (const [format, line] of Object.entries(RECORDS)) {
    it(`${format}: a year-0000 record is kept, dated year 0, implausible`, async () => {
      const run = await parseThroughGate(line + '\n', { format, ingestMs: INGEST_MS });
      expect(run.events).toHaveLength(1);
      const e = run.events[0]!;
      expect(e.ts_us).toBe(YEAR_0_US);
      expect(e.time_quality).toBe('implausible');
      expect((e.attrs as Record<string, unknown>).time_quality_parsed).toBe('exact');
      expect(run.result.info.implausible_times).toBe(1);
      expect(run.warnings.map((w) => w.reason)).toContainEqual(expect.stringMatching(/^1 event\(s\) dated before 1990-01-01 or after 2026-07-01T12:00:00\.000Z \(first: 0000-01-01T00:00:00\.000Z\): kept with time_quality = implausible/));
    });
  }
});

describe('the plausible window', () => {
  const ct = (time: string) => `{"eventVersion":"1.09","eventTime":"${time}","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`;
  it('is 1990-01-01 to a day after the ingest, bounds included', async () => {
    const times = ['1989-12-31T23:59:59Z', '1990-01-01T00:00:00Z', '2026-07-01T12:00:00Z', '2026-07-01T12:00:01Z', '2100-01-01T00:00:00Z'];
    const run = await parseThroughGate(times.map(ct).join('\n') + '\n', { format: 'cloudtrail', ingestMs: INGEST_MS });
    expect(run.events.map((e) => e.time_quality)).toEqual(['implausible', 'exact', 'exact', 'implausible', 'implausible']);
    expect(run.result.info).toMatchObject({ implausible_times: 3, implausible_after: '2026-07-01T12:00:00.000Z' });
    // One warning per file, at the first such event.
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]!.line).toBe(1);
  });

  it('keeps a zone-assumed quality under attrs when it marks one implausible', async () => {
    const run = await parseThroughGate('1970-01-01 00:00:00.000 [1] LOG:  statement: SELECT 1\n', { format: 'postgres_log', ingestMs: INGEST_MS });
    expect(run.events.map((e) => [e.time_quality, (e.attrs as Record<string, unknown>).time_quality_parsed])).toEqual([['implausible', 'zone_assumed']]);
  });

  it('leaves relative times relative (a replayed capture counts from 0), counted apart', async () => {
    const run = await parseThroughGate('{"ts":22.335172,"uid":"C1","id.orig_h":"10.0.2.15","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"udp","conn_state":"S0"}\n', {
      format: 'zeek_json',
      ingestMs: INGEST_MS,
    });
    expect(run.events.map((e) => e.time_quality)).toEqual(['relative']);
    expect(run.result.info).toMatchObject({ relative_times: 1 });
    expect(run.result.info.implausible_times).toBeUndefined();
  });

  it('marks 1970 NetFlow and VPC times (zeroed fields: those exporters have real clocks) implausible', async () => {
    const vpc = await parseThroughGate('2 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.25 198.51.100.7 49152 443 6 20 4249 0 60 ACCEPT OK\n', { format: 'vpc_flow', ingestMs: INGEST_MS });
    expect(vpc.events.map((e) => e.time_quality)).toEqual(['implausible']);
  });

  it('leaves year-less lines year_inferred, and says when the mtime they were dated from is implausible', async () => {
    const line = 'Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2\n';
    const run = await parseThroughGate(line, { format: 'auth_log', ingestMs: INGEST_MS, mtimeMs: Date.UTC(1970, 5, 1) });
    expect(run.events.map((e) => e.time_quality)).toEqual(['year_inferred']);
    expect(run.result.info.implausible_mtime).toBe('1970-06-01T00:00:00.000Z');
    expect(run.warnings.map((w) => w.reason)).toEqual([expect.stringMatching(/inferred from the file's mtime 1970-06-01T00:00:00\.000Z, which is not a plausible date: pass --year/)]);
    const good = await parseThroughGate(line, { format: 'auth_log', ingestMs: INGEST_MS, mtimeMs: Date.UTC(2026, 5, 1) });
    expect(good.warnings).toEqual([]);
  });
});

describe('end to end: a CloudTrail file with a year-0000 record', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let ingest: Awaited<ReturnType<typeof dwell>>;
  beforeAll(async () => {
    const evidence = join(tmp.path, 'trail.json');
    const rec = (time: string, name: string) => `{"eventVersion":"1.09","eventTime":"${time}","eventSource":"iam.amazonaws.com","eventName":"${name}","sourceIPAddress":"198.51.100.24"}`;
    writeFileSync(evidence, `{"Records":[${rec('2026-02-11T09:14:03Z', 'CreateUser')},${rec('0000-01-01T00:00:00Z', 'DeleteTrail')}]}\n`);
    ingest = await dwell(['ingest', '--case', casePath, evidence]);
  });
  afterAll(() => tmp.cleanup());

  it('stores both records, the second implausible and dated year 0, and says so in the summary', async () => {
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/note: 1 event\(s\) with implausible times .*--include-relative shows them/);
    const rows = await query<{ action: string; us: string; time_quality: string }>(casePath, `SELECT action, epoch_us(ts)::VARCHAR AS us, time_quality FROM events ORDER BY event_id`);
    // Year 0 is 1 BC: DuckDB prints it `0001-01-01 (BC)`.
    expect(rows).toEqual([
      { action: 'iam.amazonaws.com:CreateUser', us: String(Date.UTC(2026, 1, 11, 9, 14, 3) * 1000), time_quality: 'exact' },
      { action: 'iam.amazonaws.com:DeleteTrail', us: String(YEAR_0_US), time_quality: 'implausible' },
    ]);
    const [ev] = await query<{ implausible: number }>(casePath, `SELECT (info->>'implausible_times')::INTEGER AS implausible FROM evidence`);
    expect(ev!.implausible).toBe(1);
  });

  it('export leaves it out by default and includes it with --include-relative', async () => {
    const plain = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '--quiet']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['iam.amazonaws.com:CreateUser']);
    const all = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '--include-relative', '--quiet']);
    expect(all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action).sort()).toEqual(['iam.amazonaws.com:CreateUser', 'iam.amazonaws.com:DeleteTrail']);
  });

  it('documents --include-relative in export --help', async () => {
    const help = await dwell(['export', '--help']);
    expect(help.stdout).toMatch(/--include-relative/);
  });
});
