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

  it('reads a dns.log with a comma separator as dns_query events', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/dns.log');
    expect(run.events[0]).toMatchObject({ action: 'dns_query', src_ip: '10.0.1.25', dst_port: 53, protocol: 'dns', target: 'aGVsbG8.x.exfil.example', outcome: 'success' });
    expect(run.events[0]!.attrs).toMatchObject({ transport: 'udp' });
    expect(run.events[0]!.attrs).toMatchObject({ query: 'aGVsbG8.x.exfil.example', answers: ['ok', 'ok'], TTLs: [60, 60] });
  });
});

describe('Zeek application logs in the event vocabulary', () => {
  it('reads ssh.log auth_success as the ssh_login / ssh_login_failed events auth_log writes, and unset as a connection', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/ssh.log');
    expect(run.events.map((e) => [e.class, e.action, e.outcome])).toEqual([
      ['authentication', 'ssh_login_failed', 'failure'],
      ['network_activity', 'ssh_connection', 'unknown'],
      ['authentication', 'ssh_login', 'success'],
      ['authentication', 'ssh_login', 'success'],
    ]);
    expect(run.events[2]).toMatchObject({ src_ip: '203.0.113.77', src_port: 40110, dst_ip: '10.0.1.25', dst_port: 22, protocol: 'ssh' });
    expect(run.events[2]!.actor ?? null).toBeNull();
    expect(run.events[2]!.attrs).toMatchObject({ user_visible: false, auth_attempts: 1 });
    expect(run.events[3]!.dst_port).toBe(2222);
  });

  it('reads Zeek JSON ssh records without _path by their fields, the same way', async () => {
    const run = await expectFixture(zeekJson, 'zeek/ssh.json');
    expect(run.events.map((e) => e.action)).toEqual(['ssh_login_failed', 'ssh_connection', 'ssh_login']);
    const tsv = await runParser(zeekTsv, fixture('zeek/ssh.log'));
    for (const k of ['class', 'action', 'outcome', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'protocol', 'ts'] as const) {
      expect(run.events.map((e) => e[k])).toEqual(tsv.events.slice(0, 3).map((e) => e[k]));
    }
  });

  it('reads notice.log as ids_alert events, taking src/dst when the notice is about a host', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/notice.log');
    expect(run.events[0]).toMatchObject({ action: 'ids_alert', src_ip: '203.0.113.77', dst_ip: null });
    expect(run.events[0]!.attrs).toMatchObject({ note: 'SSH::Password_Guessing', n: 30 });
    expect(run.events[1]).toMatchObject({ action: 'ids_alert', src_ip: '203.0.113.77', dst_ip: '10.0.1.25', dst_port: 22 });
  });

  it('reads http.log as http_request events with the URL, user agent and status as outcome', async () => {
    const run = await expectFixture(zeekTsv, 'zeek/http.log');
    expect(run.events.map((e) => [e.target, e.outcome, e.user_agent ?? null])).toEqual([
      ['http://update.example.net/login.php?id=7', 'failure', 'Mozilla/4.0 (compatible; MSIE 2.0; Windows NT 5.0)'],
      ['http://198.51.100.8:8080/upload', 'success', 'curl/8.5.0'],
      ['/', 'unknown', null],
    ]);
    expect(run.events.every((e) => e.action === 'http_request' && e.protocol === 'http')).toBe(true);
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

  it('keeps relative-time records (replayed pcaps) dated 1970, marked relative, with one warning per file counting them, or anchors them with -O time-base', async () => {
    const text = HEAD + '\n' + row('22.335172', 'C1', '10.0.2.15', '1', '10.0.0.1', '2', 'tcp', '1', '1', '1', 'SF', '1', '1') + '\n' + row('30.5', 'C2', '10.0.2.15', '1', '10.0.0.1', '2', 'tcp', '1', '1', '1', 'SF', '1', '1') + '\n';
    const plain = await runParser(zeekTsv, text);
    expect(plain.events.map((e) => e.ts)).toEqual([22335172, 30500000]);
    expect(plain.events.map((e) => e.time_quality)).toEqual(['relative', 'relative']);
    expect(plain.events[0]!.attrs).toMatchObject({ relative_time: true });
    expect(plain.warnings.map((w) => w.line)).toEqual([7]);
    expect(plain.warnings[0]!.reason).toMatch(/^2 record\(s\) with a relative time \(lines 7–8\); .*time_quality = relative.* -O time-base/);
    expect(plain.info.relative_time_records).toBe(2);
    const anchored = await runParser(zeekTsv, text, { extra: { 'time-base': '2020-10-06T17:32:56Z' } });
    expect(anchored.events[0]!.ts).toBe(Date.UTC(2020, 9, 6, 17, 32, 56) * 1000 + 22335172);
    expect(anchored.events[0]!.time_quality).toBe('exact');
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

  it('reads platform fields: _path/_system_name/_write_ts (Corelight, Zeek logger) and @stream/@system/@proc, several logs in one stream', async () => {
    const run = await expectFixture(zeekJson, 'zeek/platform.json');
    // An ssh login's host is the server logged into, not the sensor that saw it: the sensor is in attrs.
    expect(run.events.map((e) => [e.action, e.host ?? e.attrs?.sensor])).toEqual([
      ['flow', 'sensor-dmz'], ['ssh_login_failed', 'sensor-dmz'], ['ssh_login', 'sensor-core'], ['dns_query', 'sensor-core'],
    ]);
    expect(run.events[1]!.host).toBeNull();
    expect(run.events[0]!.ts).toBe(Date.UTC(2026, 0, 2, 2, 20, 0) * 1000 + 118201);
    expect(run.events[0]!.attrs).toMatchObject({ _write_ts: '2026-01-02T02:21:05.000000Z' });
    expect(run.events[2]!.attrs).toMatchObject({ '@proc': 'zeek' });
    expect(run.events[3]).toMatchObject({ target: 'aGVsbG8.x.exfil.example', outcome: 'failure' });
    expect(run.warnings).toEqual([]);
    expect(run.info.zeek_json_variants).toEqual({ platform: 4 });
  });

  it('unwraps lines a shipper put in message / event.original, names the log from log.file.path or event.dataset, and warns for a message that is not JSON', async () => {
    const run = await expectFixture(zeekJson, 'zeek/shipped.json');
    expect(run.events.map((e) => [e.line, e.action, e.attrs?.sensor, e.src_port])).toEqual([
      [1, 'ssh_login', 'so-sensor-01', 40110],
      [2, 'ssh_login_failed', 'so-sensor-01', 40022],
    ]);
    // The time is Zeek's ts, not the shipper's @timestamp.
    expect(run.events[0]!.ts).toBe(1767320461004400);
    expect(run.events[0]!.attrs!.envelope).toMatchObject({ 'log.file.path': '/nsm/zeek/logs/current/ssh.log', 'agent.type': 'filebeat' });
    expect(run.warnings).toEqual([expect.objectContaining({ line: 3, byte_offset: expect.any(Number), reason: expect.stringMatching(/^message is not valid JSON .*kept as a warning/) })]);
    expect(run.warnings[0]!.byte_offset).toBe(fixture('zeek/shipped.json').toString().split('\n').slice(0, 2).join('\n').length + 1);
  });

  it('reads Elasticsearch hits of ECS documents: endpoints, counters, @timestamp, event.dataset, nanosecond durations', async () => {
    const run = await expectFixture(zeekJson, 'zeek/es-hits.json');
    expect(run.events[0]).toMatchObject({
      action: 'flow', outcome: 'success', host: 'sensor-dmz', src_ip: '203.0.113.77', src_port: 40022, dst_ip: '10.0.1.25', dst_port: 22,
      bytes_out: 1200, bytes_in: 2100, packets_out: 14, packets_in: 12, protocol: 'tcp', ts: Date.UTC(2026, 0, 2, 2, 20, 0, 118) * 1000, ts_end: Date.UTC(2026, 0, 2, 2, 20, 3, 318) * 1000,
    });
    expect(run.events[0]!.attrs).toMatchObject({ uid: 'CsSh1aBcDeFgHiJk1', conn_state: 'SF', time_field: '@timestamp' });
    expect(run.events[1]).toMatchObject({ action: 'dns_query', target: 'aGVsbG8.x.exfil.example', outcome: 'failure' });
  });

  it('keeps relative ts dated 1970, marked relative, with a file warning', async () => {
    const run = await runParser(zeekJson, '{"ts":22.335172,"uid":"C1","id.orig_h":"10.0.2.15","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"udp","conn_state":"S0"}\n');
    expect(run.events[0]!.ts).toBe(22335172);
    expect(run.events[0]!.time_quality).toBe('relative');
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]!.reason).toMatch(/^1 record\(s\) with a relative time \(line 1\)/);
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

  it('claims every Zeek JSON variant and says which one', () => {
    const why = (name: string) => sniff(makeHead(name, fixture(`zeek/${name}`))).winner?.match.reason ?? '';
    expect(why('platform.json')).toMatch(/platform fields/);
    expect(why('shipped.json')).toMatch(/wrapped by a shipper/);
    expect(why('es-hits.json')).toMatch(/Elasticsearch hits/);
    expect(why('ssh.json')).toMatch(/Zeek's own JSON/);
    expect(why('conn.json')).toMatch(/underscored keys/);
  });

  it('leaves JSON that only shares ECS address fields or a time with Zeek to other parsers', () => {
    const ecsCloudTrail = '{"@timestamp":"2026-01-02T02:20:00Z","source":{"ip":"203.0.113.77"},"event":{"dataset":"aws.cloudtrail","action":"GetObject"}}\n'.repeat(3);
    expect(sniff(makeHead('x.json', Buffer.from(ecsCloudTrail))).candidates.find((c) => c.parser.name === 'zeek_json')).toBeUndefined();
    const wrappedOther = '{"@timestamp":"2026-01-02T02:20:00Z","message":"{\\"level\\":\\"info\\",\\"ts\\":1767320400}"}\n'.repeat(3);
    expect(sniff(makeHead('x.json', Buffer.from(wrappedOther))).candidates.find((c) => c.parser.name === 'zeek_json')).toBeUndefined();
  });
});
