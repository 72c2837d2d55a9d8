import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { zeekJson } from '../../src/parsers/zeek-json.js';
import { zeekTsv } from '../../src/parsers/zeek-tsv.js';
import { runParser } from '../helpers/run-parser.js';
import { expectFixture, fixture } from './netflow-fixtures.js';

const HEAD = [
  '#separator \\x09',
  '#unset_field\t-',
  '#empty_field\t(empty)',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tstring\tcount\tcount',
].join('\n');
const row = (...f: string[]) => f.join('\t');

describe('zeek_tsv on the bundled fixtures', () => {
  it('reads two concatenated conn logs with repeated headers, an extra leading column and ip_proto', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/conn.log');
    expect(run.events).toHaveLength(8);
    expect(run.events.filter((e) => e.host === 'sensor-dmz')).toHaveLength(2);
  });

  it('reads a non-conn log with a comma separator as zeek_<path> events', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/dns.log');
    expect(run.events[0]).toMatchObject({ action: 'zeek_dns', src_ip: '10.0.1.25', dst_port: 53, protocol: 'udp' });
    expect(run.events[0]!.attrs).toMatchObject({ query: 'aGVsbG8.x.exfil.example', answers: ['ok', 'ok'], TTLs: [60, 60] });
  });
});

describe('zeek_tsv normalization', () => {
  it('stores orig counters as bytes_out/packets_out and resp counters as bytes_in/packets_in, ts_end from duration', async () => {
    const { events } = await runParser(zeekTsv, HEAD + '\n' + row('1767321601.004400', 'C1', '10.0.1.25', '51544', '198.51.100.7', '443', 'tcp', '118.730002', '16252928', '125000', 'SF', '11310', '2400') + '\n');
    expect(events[0]).toMatchObject({
      action: 'flow', outcome: 'success', src_ip: '10.0.1.25', dst_ip: '198.51.100.7', bytes_out: 16252928, bytes_in: 125000,
      packets_out: 11310, packets_in: 2400, ts: 1767321601004400, ts_end: 1767321601004400 + 118730002, protocol: 'tcp',
      community_id: communityId(6, '10.0.1.25', '198.51.100.7', 51544, 443),
    });
    expect(events[0]!.attrs).toMatchObject({ uid: 'C1', conn_state: 'SF' });
  });

  it('maps conn_state to outcome: REJ and TCP S0 failed, OTH and UDP S0 unknown', async () => {
    const { events } = await runParser(zeekTsv, HEAD + '\n' + [
      row('1767320101.5', 'C1', '203.0.113.77', '39150', '10.0.1.25', '3389', 'tcp', '-', '-', '-', 'REJ', '1', '1'),
      row('1767320101.6', 'C2', '203.0.113.77', '39151', '10.0.1.25', '8080', 'tcp', '-', '-', '-', 'S0', '1', '0'),
      row('1767320101.7', 'C3', '10.0.1.25', '5353', '224.0.0.251', '5353', 'udp', '-', '-', '-', 'S0', '1', '0'),
      row('1767320101.8', 'C4', '10.0.1.25', '1', '10.0.0.1', '2', 'tcp', '-', '-', '-', 'OTH', '1', '0'),
    ].join('\n'));
    expect(events.map((e) => e.outcome)).toEqual(['failure', 'failure', 'unknown', 'unknown']);
  });

  it('uses the ICMP type and code Zeek writes as ports for the Community ID', async () => {
    const { events } = await runParser(zeekTsv, HEAD + '\n' + row('1767320101.5', 'C1', '203.0.113.77', '8', '10.0.1.25', '0', 'icmp', '0.1', '56', '56', 'OTH', '1', '1') + '\n' +
      row('1767320101.5', 'C2', '2001:db8::1', '128', '2001:db8::2', '129', 'icmp', '0.1', '56', '56', 'OTH', '1', '1'));
    expect(events[0]!.community_id).toBe(communityId(1, '203.0.113.77', '10.0.1.25', 8, 0));
    expect(events[1]!.protocol).toBe('ipv6-icmp');
    expect(events[1]!.community_id).toBe(communityId(58, '2001:db8::1', '2001:db8::2', 128, 129));
  });

  it('reads renamed columns (Log::field_name_map) and a custom unset marker', async () => {
    const text = ['#separator \\x09', '#unset_field\t(unset)', '#fields\tts\tsrc\tsrc_port\tdst\tdst_port\tproto\torig_bytes\tresp_bytes\tconn_state', '#types\ttime\taddr\tport\taddr\tport\tenum\tcount\tcount\tstring',
      row('1767320101.5', '10.0.1.25', '1', '10.0.0.1', '2', 'tcp', '(unset)', '7', 'SF')].join('\n');
    const { events, warnings } = await runParser(zeekTsv, text);
    expect(warnings).toEqual([]);
    expect(events[0]).toMatchObject({ src_ip: '10.0.1.25', src_port: 1, dst_ip: '10.0.0.1', dst_port: 2, bytes_out: null, bytes_in: 7 });
  });

  it('reads a plain header line without # metadata (TSV exports)', async () => {
    const text = 'ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tconn_state\n' + row('1767320101.5', 'C1', '10.0.1.25', '1', '10.0.0.1', '2', 'tcp', '5', 'SF') + '\n';
    const run = await runParser(zeekTsv, text);
    expect(run.dispositions).toMatchObject({ meta: 1, record: 1 });
    expect(run.events[0]).toMatchObject({ bytes_out: 5, action: 'flow' });
  });
});

describe('zeek_tsv bad input', () => {
  it('warns with the line number for a record that does not match #fields, and for a missing #fields', async () => {
    const run = await runParser(zeekTsv, '1767320101.5\tC0\n' + HEAD + '\n' + row('1767320101.5', 'C1', '10.0.1.25', '1') + '\n');
    expect(run.warnings.map((w) => [w.line, w.reason])).toEqual([
      [1, 'Zeek record before any #fields header: its columns are unknown'],
      [8, 'record has 4 fields but #fields at line 6 names 13: truncated line or a header that does not match its rows'],
    ]);
    expect(run.events).toHaveLength(0);
  });

  it('keeps relative-time records (replayed pcaps) dated 1970 with one warning per file, or anchors them with -O time-base', async () => {
    const text = HEAD + '\n' + row('22.335172', 'C1', '10.0.2.15', '1', '10.0.0.1', '2', 'tcp', '1', '1', '1', 'SF', '1', '1') + '\n' + row('30.5', 'C2', '10.0.2.15', '1', '10.0.0.1', '2', 'tcp', '1', '1', '1', 'SF', '1', '1') + '\n';
    const plain = await runParser(zeekTsv, text);
    expect(plain.events.map((e) => e.ts)).toEqual([22335172, 30500000]);
    expect(plain.events[0]!.attrs).toMatchObject({ relative_time: true });
    expect(plain.events.map((e) => e.time_quality)).toEqual(['relative', 'relative']);
    expect(plain.warnings.map((w) => w.line)).toEqual([7, 8]);
    expect(plain.warnings[0]!.reason).toMatch(/relative time .* -O time-base/);
    const anchored = await runParser(zeekTsv, text, { extra: { 'time-base': '2020-10-06T17:32:56Z' } });
    expect(anchored.events[0]!.ts).toBe(Date.UTC(2020, 9, 6, 17, 32, 56) * 1000 + 22335172);
    expect(anchored.events[0]!.attrs).toMatchObject({ relative_time: true, relative_ts: '22.335172' });
    expect(anchored.events[0]!.time_quality).toBe('exact');
  });

  it('does not store negative or overflowing counters and warns', async () => {
    const run = await runParser(zeekTsv, HEAD + '\n' + row('1767320101.5', 'C1', '10.0.1.25', '1', '10.0.0.1', '2', 'tcp', '1', '-7', '18446744073709551616', 'SF', '1', '1') + '\n');
    expect(run.events[0]).toMatchObject({ bytes_out: null, bytes_in: null });
    expect(run.events[0]!.attrs).toMatchObject({ orig_bytes: '-7', resp_bytes: '18446744073709551616' });
    expect(run.warnings.map((w) => w.reason.split(';')[0])).toEqual(['orig_bytes "-7": negative counter', 'resp_bytes "18446744073709551616": overflows a 64-bit counter']);
  });

  it('reads epoch milliseconds in ts with a warning', async () => {
    const run = await runParser(zeekTsv, HEAD + '\n' + row('1767320101500', 'C1', '10.0.1.25', '1', '10.0.0.1', '2', 'tcp', '1', '1', '1', 'SF', '1', '1') + '\n');
    expect(run.events[0]!.ts).toBe(1767320101500000);
    expect(run.warnings[0]!.reason).toMatch(/read as ms since the epoch/);
  });
});

describe('zeek_json', () => {
  it('reads the bundled JSON fixture: dotted, underscore and nested keys, epoch and ISO ts, other paths', async () => {
    const run = await expectFixture(zeekJson, 'zeek/conn.json');
    expect(run.events.map((e) => e.action)).toEqual(['flow', 'flow', 'flow', 'zeek_ssl']);
    expect(run.events[1]).toMatchObject({ host: 'sensor-core', src_ip: '10.0.1.25', bytes_out: 16252928, ts: Date.UTC(2026, 0, 2, 2, 40, 1) * 1000 + 4400 });
    expect(run.warnings.map((w) => [w.line, w.reason])).toEqual([[2, expect.stringMatching(/community_id 1:0000.* differs from the one computed/)]]);
  });

  it('warns about a truncated JSON line with its number and goes on', async () => {
    const good = fixture('zeek/conn.json').toString().split('\n')[0]!;
    const run = await runParser(zeekJson, `${good}\n${good.slice(0, 60)}\n${good}\n`);
    expect(run.events).toHaveLength(2);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 2, reason: expect.stringMatching(/^invalid JSON/) })]);
  });

  it('keeps relative ts dated 1970 with a file warning', async () => {
    const run = await runParser(zeekJson, '{"ts":22.335172,"uid":"C1","id.orig_h":"10.0.2.15","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"udp","conn_state":"S0"}\n');
    expect(run.events[0]!.ts).toBe(22335172);
    expect(run.events[0]!.time_quality).toBe('relative');
    expect(run.warnings).toHaveLength(1);
  });
});

describe('zeek sniffing', () => {
  const claim = (text: string) => sniff(makeHead('x.log', Buffer.from(text))).winner?.parser.name ?? null;
  it('tells Zeek TSV, Zeek JSON and Suricata eve apart', () => {
    expect(claim(fixture('zeek/conn.log').toString())).toBe('zeek_tsv');
    expect(claim(fixture('zeek/dns.log').toString())).toBe('zeek_tsv');
    expect(claim(fixture('zeek/conn.json').toString())).toBe('zeek_json');
    expect(claim(fixture('suricata/eve.json').toString())).toBe('suricata_eve');
  });
});
