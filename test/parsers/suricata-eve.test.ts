import { describe, expect, it } from 'vitest';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { suricataEve } from '../../src/parsers/suricata-eve.js';
import { runParser } from '../helpers/run-parser.js';
import { expectFixture } from './netflow-fixtures.js';

describe('suricata_eve', () => {
  it('reads the bundled eve.json: flows, netflow, alerts, dns, stats, and a truncated line as a warning', async () => {
    const run = await expectFixture(suricataEve, 'suricata/eve.json');
    expect(run.events.map((e) => e.action)).toEqual(['ids_alert', 'flow', 'flow', 'flow', 'suricata_dns', 'flow', 'ids_alert', 'suricata_stats']);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 7, reason: expect.stringMatching(/^invalid JSON/) })]);
    expect(run.info.eve_event_types).toEqual({ flow: 3, alert: 2, netflow: 1, dns: 1, stats: 1 });
  });

  it('times a flow by flow.start / flow.end (offsets like +0100 applied) and stores to-server counters as the client’s bytes_out', async () => {
    const run = await expectFixture(suricataEve, 'suricata/eve.json');
    const exfil = run.events[2]!;
    expect(exfil).toMatchObject({
      ts: Date.UTC(2026, 0, 2, 2, 40, 1) * 1000 + 4400, ts_end: Date.UTC(2026, 0, 2, 2, 41, 59) * 1000 + 734402,
      src_ip: '10.0.1.25', bytes_out: 16252928, bytes_in: 125000, packets_out: 11310, packets_in: 2400, host: 'ids-01', time_quality: 'exact',
      community_id: communityId(6, '10.0.1.25', '198.51.100.7', 51544, 443),
    });
    expect(exfil.attrs).toMatchObject({ logged_at: '2026-01-02T03:42:30.000000+0100' });
  });

  it('uses icmp_type / icmp_code for ICMP Community IDs and keeps Suricata’s own community_id beside ours', async () => {
    const run = await expectFixture(suricataEve, 'suricata/eve.json');
    expect(run.events[5]!.community_id).toBe(communityId(1, '203.0.113.77', '10.0.1.25', 8, 0));
    const ftp = run.events[6]!;
    expect(ftp.attrs).toMatchObject({ source_community_id: '1:bkIDx3KQer9KeG3bmkm8RH0TuCI=' });
    expect(ftp.community_id).toBe('1:bkIDx3KQer9KeG3bmkm8RH0TuCI=');
  });

  it('warns when Suricata’s community_id differs from the computed one, and about bad counters', async () => {
    const run = await runParser(suricataEve, '{"timestamp":"2026-01-02T03:16:00.000000+0100","event_type":"flow","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":2,"proto":"TCP","community_id":"1:AAAA","flow":{"pkts_toserver":-1,"pkts_toclient":1,"bytes_toserver":1,"bytes_toclient":1,"start":"2026-01-02T03:15:00.000000+0100","end":"2026-01-02T03:15:01.000000+0100"}}\n');
    expect(run.events[0]!.packets_out).toBeNull();
    expect(run.warnings.map((w) => w.reason)).toEqual([
      expect.stringMatching(/community_id 1:AAAA differs/),
      'flow.pkts_toserver -1: negative counter; the raw record keeps it',
    ]);
  });

  it('keeps a record without event_type or with a bad timestamp as a warning', async () => {
    const run = await runParser(suricataEve, '{"timestamp":"2026-01-02T03:16:00+0100"}\n{"timestamp":"yesterday","event_type":"dns"}\n');
    expect(run.events).toHaveLength(0);
    expect(run.warnings.map((w) => w.line)).toEqual([1, 2]);
  });
});
