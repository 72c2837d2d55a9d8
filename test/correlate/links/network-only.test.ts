/**
 * Network-only evidence on a hand-made case (flows only, no host logs): the victims of an attacker
 * address, the attacker's second address, lateral movement on admin ports, exfiltration measured,
 * and the look-alikes each guard is for (a refused probe, a banner grab, a broadcast, a resolver,
 * a file server every host uses, a routine admin path, the browser's many 443 destinations).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../../src/correlate/links/context.js';
import { HOST_LINKS, ROUND_LINKS } from '../../../src/correlate/links/index.js';
import { c2PeersLink } from '../../../src/correlate/links/network-c2.js';
import { lateralLink } from '../../../src/correlate/links/network-lateral.js';
import { networkVictimsLink } from '../../../src/correlate/links/network-victims.js';
import { entityKeys, expandFrom, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const C2 = '198.51.100.9';
const C2B = '198.51.100.10';
const at = (min: number, s = 0) => `2026-05-04T10:${String(min).padStart(2, '0')}:${String(s).padStart(2, '0')}Z`;
const flow = (ts: string, src: string, sport: number, dst: string, dport: number, label: string, o: Partial<MiniEvent> = {}): MiniEvent => ({
  ts,
  class: 'network_activity',
  action: 'flow',
  outcome: 'success',
  protocol: 'tcp',
  src_ip: src,
  src_port: sport,
  dst_ip: dst,
  dst_port: dport,
  bytes_out: 0,
  bytes_in: 0,
  attrs: { label },
  ...o,
});
const s0 = (ts: string, src: string, dst: string, label: string) => flow(ts, src, 49000, dst, 1177, label, { outcome: 'failure' });

/** The case: a RAT on 10.3.0.5, a session into 10.3.0.7, probes and services that are not victims. */
function events(): MiniEvent[] {
  return [
    // 10.3.0.5 keeps trying its controller (unanswered), and a second one the same way.
    ...[0, 1, 2, 3, 4].map((i) => s0(at(1, i * 10), '10.3.0.5', C2, `beacon${i}`)),
    ...[0, 1, 2].map((i) => s0(at(2, i * 10), '10.3.0.5', C2B, `second${i}`)),
    // …and its own partner on that port, which it used the day before: not the attacker's.
    flow('2026-05-03T09:00:00Z', '10.3.0.5', 49500, '198.51.100.20', 1177, 'partner-before', { bytes_out: 500, bytes_in: 500 }),
    flow(at(2, 40), '10.3.0.5', 49501, '198.51.100.20', 1177, 'partner', { bytes_out: 500, bytes_in: 500 }),
    // …and browses: many 443 destinations, so 443 says nothing about who else is the attacker's.
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => flow(at(3, i), '10.3.0.5', 50000 + i, `203.0.113.${i}`, 443, `web${i}`, { bytes_out: 900, bytes_in: 40_000 })),
    flow(at(3, 30), '10.3.0.5', 50100, C2, 443, 'c2-443', { bytes_out: 500, bytes_in: 500 }),
    // A payload fetched from the attacker on 80, and the host's update mirror on 80: the port says nothing.
    flow(at(3, 40), '10.3.0.5', 50101, C2, 80, 'c2-80', { bytes_out: 400, bytes_in: 90_000 }),
    flow(at(3, 50), '10.3.0.5', 50102, '203.0.113.200', 80, 'mirror-80', { bytes_out: 400, bytes_in: 900_000 }),
    // The attacker probes 10.3.0.6 (refused) and grabs a banner from 10.3.0.8; a broadcast and the resolver.
    flow(at(5), C2, 40001, '10.3.0.6', 445, 'probe', { outcome: 'failure' }),
    flow(at(5, 5), C2, 40002, '10.3.0.8', 22, 'banner', { bytes_out: 40, bytes_in: 60 }),
    flow(at(5, 10), C2, 40003, '10.3.0.255', 137, 'broadcast', { protocol: 'udp', bytes_out: 50 }),
    flow(at(5, 20), C2, 40004, '10.3.0.53', 53, 'resolver', { protocol: 'udp', bytes_out: 60, bytes_in: 9000 }),
    // A session into 10.3.0.7 (RDP, data both ways), then 5 MB out from it to the attacker.
    flow(at(6), C2, 40005, '10.3.0.7', 3389, 'session', { bytes_out: 30_000, bytes_in: 200_000 }),
    flow(at(20), '10.3.0.7', 51000, C2, 8443, 'exfil', { bytes_out: 5_000_000, bytes_in: 2000 }),
    // From 10.3.0.7: SMB to a new peer (lateral), to the file server everyone uses, SSH on its routine path.
    flow(at(10), '10.3.0.7', 51001, '10.3.0.20', 445, 'lateral', { bytes_out: 60_000, bytes_in: 8000 }),
    flow(at(11), '10.3.0.7', 51002, '10.3.0.30', 445, 'fileserver', { bytes_out: 60_000, bytes_in: 8000 }),
    ...['10.3.0.41', '10.3.0.42', '10.3.0.43'].map((c, i) => flow(at(0, i), c, 52000 + i, '10.3.0.30', 445, `fs-client${i}`, { bytes_out: 9000, bytes_in: 90_000 })),
    flow('2026-05-03T09:00:00Z', '10.3.0.7', 51003, '10.3.0.40', 22, 'routine-before', { bytes_out: 9000, bytes_in: 9000 }),
    flow(at(12), '10.3.0.7', 51004, '10.3.0.40', 22, 'routine', { bytes_out: 9000, bytes_in: 9000 }),
    flow(at(13), '10.3.0.7', 51005, '10.3.0.50', 445, 'refused-lateral', { outcome: 'failure' }),
  ];
}

const hostsOf = (keys: string[]) => keys.filter((k) => k.startsWith('host ')).sort();

describe('network_victims link', () => {
  it('names the hosts that reached out to the attacker or held a session with it, not the probed, the banner, the broadcast or the resolver', async () => {
    mini = await MiniCase.create();
    await mini.file('zeek', 'conn.log', events());
    const ctx = await linkContext(mini);
    await networkVictimsLink.expand(ctx, ctx.fp.add('ip', C2, null, null, 'seed'));
    expect(hostsOf(entityKeys(ctx.fp))).toEqual(['host 10.3.0.5', 'host 10.3.0.7']);
    // First contact dates the compromise; the contacts bound the attacker's time.
    expect(ctx.fp.get('host', '10.3.0.5')!.compromisedAtUs).toBe(Date.parse(at(1)) * 1000);
    expect(ctx.hostWindows.get('10.3.0.7')).toEqual([[Date.parse(at(6)) * 1000, Date.parse(at(20)) * 1000]]);
    // Bytes the victims sent to the address: exfiltration.
    expect([...ctx.fp.get('ip', C2)!.roles]).toEqual(['exfil_destination']);
    expect(['probe', 'banner', 'broadcast', 'resolver'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual([]);
  });

  it('needs repeated attempts: one unanswered connection to the address is not a compromise', async () => {
    mini = await MiniCase.create();
    await mini.file('zeek', 'conn.log', [s0(at(1), '10.3.0.5', C2, 'once'), s0(at(1, 10), '10.3.0.5', C2, 'twice')]);
    const ctx = await linkContext(mini);
    await networkVictimsLink.expand(ctx, ctx.fp.add('ip', C2, null, null, 'seed'));
    expect(hostsOf(entityKeys(ctx.fp))).toEqual([]);
  });

  it('reads a flow log that writes each direction apart: the reply to a probe is not the host reaching out; a reply carrying a session is', async () => {
    mini = await MiniCase.create();
    const vpc = (ts: string, src: string, sport: number, dst: string, dport: number, bytes: number, label: string) => flow(ts, src, sport, dst, dport, label, { bytes_out: bytes, bytes_in: null });
    await mini.file('vpc_flow', 'vpc/flows.log', [
      vpc(at(1), C2, 40010, '10.3.0.11', 22, 60, 'probe-out'),
      vpc(at(1), '10.3.0.11', 22, C2, 40010, 40, 'probe-reply'),
      vpc(at(2), C2, 40011, '10.3.0.12', 22, 30_000, 'session-out'),
      vpc(at(2), '10.3.0.12', 22, C2, 40011, 200_000, 'session-reply'),
    ]);
    const ctx = await linkContext(mini);
    await networkVictimsLink.expand(ctx, ctx.fp.add('ip', C2, null, null, 'seed'));
    expect(hostsOf(entityKeys(ctx.fp))).toEqual(['host 10.3.0.12']);
  });

  it('takes an internal address with C2 detections from it as the infected host itself', async () => {
    mini = await MiniCase.create();
    const req = (i: number): MiniEvent => ({ ts: at(1, i), class: 'network_activity', action: 'http_request', outcome: 'failure', src_ip: '10.3.0.9', src_port: 50000 + i, dst_ip: `203.0.113.${i + 1}`, dst_port: 80, target: `http://dga${i}.com/login.php`, attrs: { label: `poll${i}` } });
    const ids = await mini.file('zeek', 'http.log', [0, 1, 2].map(req));
    const detections = new Map<number, Detection>(ids.map((id) => [id, { phase: 'actions', technique: 'T1071.001', ruleId: 'actions.http_c2_polling' }]));
    const ctx = await linkContext(mini, detections);
    await networkVictimsLink.expand(ctx, ctx.fp.add('ip', '10.3.0.9', null, null, 'seed'));
    expect(hostsOf(entityKeys(ctx.fp))).toEqual(['host 10.3.0.9']);
    // The host's C2 peers: the other end of each detected request.
    await ROUND_LINKS.find((l) => l.name === 'host_activity')!.run(ctx);
    expect(entityKeys(ctx.fp).filter((k) => k.startsWith('ip 203.'))).toEqual(['ip 203.0.113.1', 'ip 203.0.113.2', 'ip 203.0.113.3']);
    expect([...ctx.fp.get('ip', '203.0.113.2')!.roles]).toEqual(['c2']);
  });
});

describe('network host links, through the whole expansion', () => {
  it('follows the second address talked to the same way (not the host’s own partner), lateral movement to a new admin peer, and nothing the guards are for', async () => {
    mini = await MiniCase.create();
    await mini.file('zeek', 'conn.log', events());
    const x = await expandFrom(mini, [{ kind: 'ip', value: C2, host: null }]);
    const keys = entityKeys(x.fp);
    expect(hostsOf(keys)).toEqual(['host 10.3.0.20', 'host 10.3.0.5', 'host 10.3.0.7']);
    expect(keys.filter((k) => k.startsWith('ip '))).toEqual([`ip ${C2B}`, `ip ${C2}`]);
    expect([...x.fp.get('ip', C2B)!.roles]).toEqual(['c2']);
    expect(x.fp.events.get(mini.id('lateral'))).toMatchObject({ phase: 'actions', technique: 'T1021' });
    const none = ['mirror-80', 'partner', 'partner-before', 'web1', 'web7', 'fileserver', 'fs-client0', 'routine', 'routine-before', 'refused-lateral'];
    expect(none.filter((l) => x.fp.events.has(mini.id(l)))).toEqual([]);
    expect(HOST_LINKS).toEqual(expect.arrayContaining([c2PeersLink, lateralLink]));
  });
});
