/**
 * Netfilter LOG lines (iptables/nftables/ufw), written from the kernel's LOG target format: the
 * DShield sensor's epoch-prefixed firewall log and an ordinary kern.log give the same one-packet
 * flow event (fixtures/honeypot/firewall).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { authLog } from '../../src/parsers/auth-log.js';
import { dshieldFirewall } from '../../src/parsers/dshield-firewall.js';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { parseNetfilterMessage } from '../../src/parsers/netfilter/packet-log.js';
import { runParser } from '../helpers/run-parser.js';

const FIX = new URL('../../fixtures/honeypot/firewall/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIX));

describe('dshield_firewall', () => {
  it('reads TCP, ICMP and UDP packets as one-packet flows timed by the epoch, keeps another program’s line whole and warns about a foreign line', async () => {
    const run = await runParser(dshieldFirewall, read('dshield.log'));
    expect(run.events.map((e) => `${e.action} ${e.protocol ?? '-'}`)).toEqual(['flow tcp', 'flow icmp', 'flow udp', 'other -']);
    expect(run.events[0]).toMatchObject({
      ts: 1741082400 * 1e6, time_quality: 'exact', class: 'network_activity', outcome: 'unknown', host: 'hp-01',
      src_ip: '203.0.113.50', src_port: 51022, dst_ip: '10.0.0.5', dst_port: 2222, bytes_out: 60, packets_out: 1,
      community_id: communityId(6, '203.0.113.50', '10.0.0.5', 51022, 2222),
    });
    expect(run.events[0]!.attrs).toMatchObject({ packet_log: true, log_prefix: 'DSHIELDINPUT', in_iface: 'eth0', tcp_flags: 'SYN', ip_flags: 'DF', ttl: '50', kernel_uptime_s: 10972.92346 });
    expect(run.events[0]!.summary).toBe('firewall logged DSHIELDINPUT in eth0: tcp 203.0.113.50:51022 -> 10.0.0.5:2222 SYN');
    // ICMP: no ports; type and code hashed into the Community ID. UDP: its own LEN kept apart from the IP length.
    expect(run.events[1]).toMatchObject({ src_port: null, dst_port: null, community_id: communityId(1, '198.51.100.9', '10.0.0.5', 8, 0) });
    expect(run.events[1]!.attrs).toMatchObject({ type: '8', code: '0', id: '0', proto_id: '4242' });
    expect(run.events[2]).toMatchObject({ bytes_out: 61, dst_port: 53, attrs: expect.objectContaining({ proto_len: '41' }) });
    expect(run.events[3]).toMatchObject({ summary: 'dshieldpy: submitted 3 lines to isc.sans.edu', attrs: { program: 'dshieldpy', pid: 812 } });
    expect(run.warnings).toEqual([expect.objectContaining({ line: 5, reason: expect.stringMatching(/not an epoch-prefixed log line/) })]);
  });

  it('is claimed by dshield_firewall alone; a kern.log of the same packets stays auth_log’s (syslog)', () => {
    const d = sniff(makeHead('dshield.log', read('dshield.log')));
    expect(d.winner?.parser.name).toBe('dshield_firewall');
    expect(d.candidates.filter((c) => c.match.confidence >= 20).map((c) => c.parser.name)).toEqual(['dshield_firewall']);
    expect(sniff(makeHead('kern.log', read('kern.log'))).winner?.parser.name).toBe('auth_log');
  });
});

describe('netfilter lines in syslog (auth_log)', () => {
  it('gives a kernel LOG line the same flow event as the DShield log, IPv6 and ufw prefixes included; other kernel lines stay other', async () => {
    const [k, d] = [await runParser(authLog, read('kern.log'), { year: 2025 }), await runParser(dshieldFirewall, read('dshield.log'))];
    const pick = (e: any) => ({ class: e.class, action: e.action, src_ip: e.src_ip, src_port: e.src_port, dst_ip: e.dst_ip, dst_port: e.dst_port, protocol: e.protocol, bytes_out: e.bytes_out, packets_out: e.packets_out, community_id: e.community_id, host: e.host, ts: e.ts });
    expect(pick(k.events[0])).toEqual(pick(d.events[0]));
    expect(k.events[0]!.attrs).toMatchObject({ log_prefix: 'DSHIELDINPUT', tcp_flags: 'SYN', program: 'kernel' });
    expect(k.events[1]).toMatchObject({ action: 'flow', src_ip: '2001:db8::10', dst_port: 22, protocol: 'tcp', attrs: expect.objectContaining({ log_prefix: '[UFW BLOCK]', hoplimit: '57' }) });
    expect(k.events[2]).toMatchObject({ action: 'other', class: 'other' });
    expect(k.warnings).toEqual([]);
  });

  it('refuses messages that only look like it (no IN= token, an address that is not one)', () => {
    expect(parseNetfilterMessage('LINK IN=eth0 SRC=1.2.3.4')).toBeNull();
    expect(parseNetfilterMessage('xIN=eth0 SRC=1.2.3.4 DST=5.6.7.8')).toBeNull();
    expect(parseNetfilterMessage('IN=eth0 OUT= SRC=evil.example DST=5.6.7.8 PROTO=TCP')).toBeNull();
    expect(parseNetfilterMessage('IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=99999 DPT=22')).toMatchObject({ src_port: null, dst_port: 22 });
  });
});
