import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { argusFlow } from '../../src/parsers/argus-flow.js';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { nfdumpCsv } from '../../src/parsers/nfdump-csv.js';
import { runParser } from '../helpers/run-parser.js';
import { expectFixture, fixture } from './netflow-fixtures.js';

describe('nfdump_csv', () => {
  it('reads nfdump -o csv output; the Summary block is meta and its totals are checked', async () => {
    const run = await expectFixture(nfdumpCsv, 'nfdump/flows.csv');
    expect(run.dispositions).toMatchObject({ meta: 4, record: 4, warning: 0 });
    expect(run.info.nfdump_summary).toMatchObject({ flows: 4, bytes: 16710608, packets: 11333 });
  });

  it('applies --tz to its zone-less times and marks them zone_assumed', async () => {
    const run = await runParser(nfdumpCsv, fixture('nfdump/flows.csv'), { tz: 'Europe/Berlin' });
    expect(run.events[0]).toMatchObject({ time_quality: 'zone_assumed', ts: Date.UTC(2026, 0, 2, 1, 14, 2) * 1000 + 118000 });
  });

  it('decodes ICMP type and code from the destination port (type × 256 + code)', async () => {
    const run = await runParser(nfdumpCsv, fixture('nfdump/flows.csv'));
    expect(run.events[3]!.attrs).toMatchObject({ icmp_type: 8, icmp_code: 0 });
    expect(run.events[3]!.community_id).toBe(communityId(1, '203.0.113.77', '10.0.1.25', 8, 0));
  });

  it('warns when the summary does not match the records read, and about rows that do not match the header', async () => {
    const text = fixture('nfdump/flows.csv').toString().replace('\n4,16710608', '\n5,16710608').replace(',TCP,...AP.SF,0,0,10,2732', ',TCP');
    const run = await runParser(nfdumpCsv, text);
    expect(run.warnings.map((w) => [w.line, w.reason])).toEqual([
      [3, expect.stringMatching(/record has \d+ fields but the header at line 1 names 48/)],
      [8, "nfdump's summary counts 5 flows but 3 flow records were read"],
    ]);
  });
});

describe('argus_flow', () => {
  it('reads comma-separated Argus flows: source bytes out, the rest in, ARP kept with its MAC', async () => {
    const run = await expectFixture(argusFlow, 'argus/flows.binetflow');
    expect(run.events[1]).toMatchObject({ bytes_out: 16705328, bytes_in: 221000, packets_out: 11310, packets_in: 2400, time_quality: 'zone_assumed' });
    expect(run.events[3]!.attrs).toMatchObject({ src_addr: '00:16:3e:5a:1b:2c' });
  });

  it('reads TAB-separated Argus flows the same way', async () => {
    const comma = await runParser(argusFlow, fixture('argus/flows.binetflow'));
    const tab = await expectFixture(argusFlow, 'argus/flows-tab.binetflow');
    expect(tab.events.map((e) => [e.src_ip, e.dst_port, e.bytes_out, e.bytes_in, e.ts])).toEqual(comma.events.slice(0, 2).map((e) => [e.src_ip, e.dst_port, e.bytes_out, e.bytes_in, e.ts]));
  });

  it('warns about 1970 times (relative captures) once per file, and about source bytes above the total', async () => {
    const text = 'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,TotPkts,TotBytes,SrcBytes\n' +
      '1970/01/01 01:00:08.140073,0.5,udp,10.0.2.15,68,   ->,10.0.2.2,67,INT,1,344,344\n' +
      '1970/01/01 01:00:09.140073,0.5,udp,10.0.2.15,68,   ->,10.0.2.2,67,INT,1,300,344\n';
    const run = await runParser(argusFlow, text);
    expect(run.events).toHaveLength(2);
    expect(run.events.map((e) => e.time_quality)).toEqual(['relative', 'relative']);
    expect(run.events[1]!.bytes_in).toBeNull();
    expect(run.warnings.map((w) => [w.line, w.reason.slice(0, 40)])).toEqual([
      [2, 'StartTime 1970/01/01 01:00:08.140073 is '],
      [3, 'SrcBytes 344 exceeds TotBytes 300: desti'],
      [3, 'the same problem on 2 lines in all (line'],
    ]);
  });

  it('is sniffed apart from nfdump CSV', () => {
    const claim = (text: string) => sniff(makeHead('x', Buffer.from(text))).winner?.parser.name ?? null;
    expect(claim(fixture('argus/flows-tab.binetflow').toString())).toBe('argus_flow');
    expect(claim(fixture('nfdump/flows.csv').toString())).toBe('nfdump_csv');
  });
});
