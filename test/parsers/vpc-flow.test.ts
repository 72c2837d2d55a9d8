import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { vpcFlow } from '../../src/parsers/vpc-flow.js';
import { runParser } from '../helpers/run-parser.js';
import { expectFixture, fixture } from './netflow-fixtures.js';

const S3_FILE = 'vpc/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/01/02/123456789012_vpcflowlogs_eu-west-1_fl-0c1d2e3f4a5b6c7d8_20260102T0215Z_9f8e7d6c.log.gz';
const V2 = (rest: string) => `2 123456789012 eni-0a1b2c3d4e5f60718 ${rest}`;

describe('vpc_flow on the bundled fixtures', () => {
  it('reads an S3-delivered file (header line, gzip) into the reviewed events', async () => {
    const run = await expectFixture(vpcFlow, S3_FILE);
    expect(run.dispositions).toMatchObject({ meta: 1, record: 12, warning: 0 });
    expect(run.info.s3_layout).toEqual({ account_id: '123456789012', region: 'eu-west-1', date: '2026-01-02' });
  });

  it('reads a CloudWatch export (no header, ingestion time before each record)', async () => {
    const run = await expectFixture(vpcFlow, 'vpc/cloudwatch-export.log');
    expect(run.events[0]!.attrs).toMatchObject({ cloudwatch_ingestion_time: '2026-01-02T02:42:05.000Z' });
  });

  it('reads a custom format from its header (v3–v5 fields, pkt-srcaddr, flow-direction)', async () => {
    const run = await expectFixture(vpcFlow, 'vpc/custom-format.log');
    expect(run.events[1]!.attrs).toMatchObject({ pkt_srcaddr: '198.51.100.99', flow_direction: 'ingress', tcp_flags: 18 });
  });

  it('reads Transit Gateway flow logs in their default format', async () => {
    const run = await expectFixture(vpcFlow, 'vpc/tgw-flows.log');
    expect(run.events[0]).toMatchObject({ host: 'tgw-attach-0a1b2c3d4e5f6071', packets_out: 40, bytes_out: 6144 });
  });
});

describe('vpc_flow normalization', () => {
  it('stores one direction per record: bytes and packets sent by srcaddr', async () => {
    const { events } = await runParser(vpcFlow, V2('10.0.1.25 198.51.100.7 51544 443 6 5210 7340032 1767321600 1767321660 ACCEPT OK\n'));
    expect(events[0]).toMatchObject({
      action: 'flow', outcome: 'success', protocol: 'tcp', bytes_out: 7340032, packets_out: 5210,
      host: 'eni-0a1b2c3d4e5f60718', ts: 1767321600_000_000, ts_end: 1767321660_000_000, time_quality: 'exact',
    });
    expect(events[0]!.bytes_in ?? null).toBeNull();
    expect(events[0]!.community_id).toBe(communityId(6, '198.51.100.7', '10.0.1.25', 443, 51544));
    expect(events[0]!.attrs).toMatchObject({ action: 'ACCEPT', log_status: 'OK', interface_id: 'eni-0a1b2c3d4e5f60718' });
  });

  it('maps REJECT to failure and keeps NODATA / SKIPDATA windows as gap events', async () => {
    const { events } = await runParser(vpcFlow, [
      V2('203.0.113.77 10.0.1.25 39150 3389 6 2 120 1767320100 1767320160 REJECT OK'),
      V2('- - - - - - - 1767322800 1767323400 - NODATA'),
      V2('- - - - - - - 1767322800 1767323400 - SKIPDATA'),
    ].join('\n'));
    expect(events.map((e) => [e.action, e.outcome])).toEqual([['flow', 'failure'], ['flow_log_nodata', 'unknown'], ['flow_log_skipdata', 'unknown']]);
    expect(events[1]).toMatchObject({ ts: 1767322800_000_000, ts_end: 1767323400_000_000, src_ip: null, bytes_out: null, community_id: null });
  });

  it('names protocols by IANA keyword and gives ICMP no Community ID (VPC logs no type/code)', async () => {
    const { events } = await runParser(vpcFlow, [
      V2('203.0.113.12 10.0.1.25 0 0 1 4 336 1767320040 1767320100 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.9 0 0 47 4 336 1767320040 1767320100 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.9 0 0 99 4 336 1767320040 1767320100 ACCEPT OK'),
    ].join('\n'));
    expect(events.map((e) => [e.protocol, e.community_id === null])).toEqual([['icmp', true], ['gre', false], ['99', false]]);
  });
});

describe('vpc_flow bad input', () => {
  it('warns with the line number for a header that does not match its rows, and keeps the raw line', async () => {
    const run = await runParser(vpcFlow, 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id\n' + V2('10.0.1.25 198.51.100.7 1 2 6 1 2 1767320040 1767320100 ACCEPT OK\n'));
    expect(run.events).toHaveLength(0);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 2, reason: expect.stringMatching(/14 fields but the format \(header at line 1\) names 15/) })]);
    expect(run.warnings[0]!.raw).toContain('198.51.100.7');
    expect(run.dispositions).toMatchObject({ meta: 1, warning: 1 });
  });

  it('warns about a truncated line', async () => {
    const run = await runParser(vpcFlow, V2('10.0.1.25 198.51.100.7 1 2 6 1 2 17673200') + '\n' + V2('10.0.1.25 198.51.100.7 1 2 6 1 2 1767320040 1767320100 ACCEPT OK\n'));
    expect(run.events).toHaveLength(1);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 1, reason: expect.stringMatching(/no header line and 11 fields match no default/) })]);
  });

  it('reads IPv6 and mixed-family records', async () => {
    const { events, warnings } = await runParser(vpcFlow, V2('2001:db8:1::25 2001:DB8:FF::7 51600 443 6 10 4200 1767320040 1767320100 ACCEPT OK\n'));
    expect(warnings).toEqual([]);
    expect(events[0]).toMatchObject({ src_ip: '2001:db8:1::25', dst_ip: '2001:DB8:FF::7' });
    expect(events[0]!.community_id).toMatch(/^1:/);
  });

  it('does not store negative, overflowing or non-numeric counters: null, text in attrs, a warning each', async () => {
    const run = await runParser(vpcFlow, [
      V2('10.0.1.25 198.51.100.7 51544 443 6 -5 100 1767320040 1767320100 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.7 51544 443 6 5 99999999999999999999 1767320040 1767320100 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.7 51544 443 6 5 9007199254740993 1767320040 1767320100 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.7 51544 70000 6 x1 100 1767320040 1767320100 ACCEPT OK'),
    ].join('\n'));
    expect(run.events.map((e) => [e.packets_out, e.bytes_out, e.dst_port])).toEqual([[null, 100, 443], [5, null, 443], [5, null, 443], [null, 100, null]]);
    expect(run.events[1]!.attrs).toMatchObject({ bytes: '99999999999999999999' });
    expect(run.warnings.map((w) => [w.line, w.reason.split(';')[0]])).toEqual([
      [1, 'packets "-5": negative counter'],
      [2, 'bytes "99999999999999999999": overflows a 64-bit counter'],
      [3, 'bytes "9007199254740993": larger than 2^53, cannot be stored exactly'],
      [4, 'dstport "70000": port out of range'],
      [4, 'packets "x1": not a number'],
    ]);
  });

  it('reads epoch milliseconds where seconds are expected, warning once for the file and summing up at the end', async () => {
    const run = await runParser(vpcFlow, [
      V2('10.0.1.25 198.51.100.7 1 2 6 1 2 1767320040000 1767320100000 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.7 1 2 6 1 2 1767320040000 1767320100000 ACCEPT OK'),
      V2('10.0.1.25 198.51.100.7 1 2 6 1 2 1767320040000 1767320100000 ACCEPT OK'),
    ].join('\n'));
    expect(run.events.map((e) => e.ts)).toEqual([1767320040_000_000, 1767320040_000_000, 1767320040_000_000]);
    expect(run.events[0]!.attrs).toMatchObject({ start_unit: 'ms', end_unit: 'ms' });
    const reasons = run.warnings.map((w) => `${w.line}: ${w.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^1: start 1767320040000 has 13 digits: read as milliseconds/),
      expect.stringMatching(/^1: end 1767320100000 has 13 digits: read as milliseconds/),
      expect.stringMatching(/^3: the same problem on 3 lines in all \(lines 1–3\)/),
      expect.stringMatching(/^3: the same problem on 3 lines in all \(lines 1–3\)/),
    ]);
  });

  it('keeps a record whose start and end disagree, warning', async () => {
    const run = await runParser(vpcFlow, V2('10.0.1.25 198.51.100.7 1 2 6 1 2 164000066 1640000297 REJECT OK\n'));
    expect(run.events).toHaveLength(1);
    expect(run.warnings[0]!.reason).toMatch(/one of them is wrong; both kept/);
  });

  it('keeps a record without any valid time as a warning', async () => {
    const run = await runParser(vpcFlow, V2('10.0.1.25 198.51.100.7 1 2 6 1 2 soon later ACCEPT OK\n'));
    expect(run.events).toHaveLength(0);
    expect(run.warnings.map((w) => w.reason)).toEqual([
      'start "soon": not a time; kept as text in attrs.start',
      'end "later": not a time; kept as text in attrs.end',
      'flow record without a valid start or end time',
    ]);
    expect(run.dispositions.warning).toBe(1);
  });

  it('reads a header-less custom format given with -O vpc-fields', async () => {
    const run = await runParser(vpcFlow, '10.0.1.25 198.51.100.7 443 1767320040 1767320100 4096 ACCEPT\n', { extra: { 'vpc-fields': '${srcaddr} ${dstaddr} ${dstport} ${start} ${end} ${bytes} ${action}' } });
    expect(run.warnings).toEqual([]);
    expect(run.events[0]).toMatchObject({ src_ip: '10.0.1.25', dst_port: 443, bytes_out: 4096, outcome: 'success', src_port: null });
  });
});

describe('vpc_flow sniffing', () => {
  it('claims VPC flow logs but not a Zeek TSV, a CSV or an auth log', () => {
    const claim = (name: string, text: string) => sniff(makeHead(name, Buffer.from(text))).winner?.parser.name ?? null;
    expect(claim('x.log', fixture('vpc/tgw-flows.log').toString())).toBe('vpc_flow');
    expect(claim('x.log', fixture('vpc/custom-format.log').toString())).toBe('vpc_flow');
    expect(claim('auth.log', 'Jan  2 02:14:09 web-01 sshd[21213]: Invalid user oracle from 203.0.113.77 port 39144\n')).toBe('auth_log');
    expect(vpcFlow.sniff(makeHead('x', Buffer.from('OK 1767320040 1767320100\nhello world\n')))).toBeNull();
  });
});
