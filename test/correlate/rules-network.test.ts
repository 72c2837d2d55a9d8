/**
 * The network C2 and IDS rules on events written for them: each fires on the attack and stays
 * silent on its look-alike (a time server, a browser, a shared service, a backup, a vendor's
 * lookups, reverse DNS, a browser fetching `/` from many sites).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/correlate/rules.js';
import { MiniCase, type MiniEvent } from '../helpers/mini-case.js';

const rules = new Map(loadRules().map((r) => [r.id, r]));
let mini: MiniCase;
afterEach(() => mini?.close());

async function hits(ruleId: string, events: MiniEvent[]): Promise<string[]> {
  mini = await MiniCase.create();
  await mini.file('sensor', 'sensor/log', events);
  const rows = await mini.rows<{ k: string }>(`SELECT DISTINCT CAST(hit_key AS VARCHAR) AS k FROM (\n${rules.get(ruleId)!.sql}\n) ORDER BY k`);
  return rows.map((r) => r.k);
}

const T0 = Date.parse('2026-06-01T08:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const flow = (ms: number, src: string, dst: string, port: number, o: Partial<MiniEvent> = {}): MiniEvent => ({
  ts: iso(ms),
  class: 'network_activity',
  action: 'flow',
  outcome: 'success',
  protocol: 'tcp',
  src_ip: src,
  src_port: 50000 + (ms % 9000),
  dst_ip: dst,
  dst_port: port,
  bytes_out: 300,
  bytes_in: 200,
  ...o,
});
/** A deterministic ±jitter around a period (no Math.random: the test must give the same answer). */
const jittered = (n: number, periodMs: number, jitter: number) => Array.from({ length: n }, (_, i) => i * periodMs + Math.round(periodMs * jitter * Math.sin(i * 1.7)));

describe('actions.c2_beacon', () => {
  it('fires on one host calling one external address:port at a jittered period, unanswered or small', async () => {
    const beacon = jittered(30, 60_000, 0.15).map((t) => flow(t, '10.9.0.5', '198.51.100.7', 1177, { outcome: 'failure', bytes_out: 0, bytes_in: 0 }));
    const https = jittered(20, 300_000, 0.2).map((t) => flow(t + 5, '10.9.0.6', '198.51.100.8', 443));
    expect(await hits('actions.c2_beacon', [...beacon, ...https])).toEqual(['198.51.100.7', '198.51.100.8']);
  });

  it('is silent on a time server, a browser, a service several hosts poll, a periodic backup and a short series', async () => {
    const ntp = jittered(30, 64_000, 0.01).map((t) => flow(t, '10.9.0.5', '203.0.113.123', 123, { protocol: 'udp' }));
    // Browsing: bursts and long pauses (gaps from a second to an hour).
    const gaps = [1, 2, 1, 900, 3, 1, 3600, 2, 5, 1, 1200, 4, 1, 2, 600, 1, 1, 3];
    let t = 0;
    const browser = gaps.map((g) => flow((t += g * 1000), '10.9.0.5', '203.0.113.80', 443, { bytes_in: 5000 }));
    const shared = ['10.9.0.11', '10.9.0.12', '10.9.0.13'].flatMap((h, k) => jittered(20, 60_000, 0.05).map((x) => flow(x + k * 7, h, '192.0.2.50', 443)));
    const backup = jittered(20, 60_000, 0.05).map((x) => flow(x, '10.9.0.7', '203.0.113.99', 873, { bytes_out: 5_000_000 }));
    const short = jittered(6, 60_000, 0.05).map((x) => flow(x, '10.9.0.8', '203.0.113.66', 8080));
    expect(await hits('actions.c2_beacon', [...ntp, ...browser, ...shared, ...backup, ...short])).toEqual([]);
  });
});

const dns = (ms: number, src: string, name: string, outcome: MiniEvent['outcome'] = 'failure'): MiniEvent => ({ ts: iso(ms), class: 'network_activity', action: 'dns_query', outcome, src_ip: src, dst_ip: '10.9.0.53', dst_port: 53, target: name });
const dga = (i: number) => `${'qwrtypsdfgh'[i % 11]}y${'bcdfghjklmn'[(i * 7) % 11]}${'aeiou'[i % 5]}${'zxcvb'[(i * 3) % 5]}${i}t.com`;

describe('actions.dga_dns', () => {
  it('fires on one host asking for many different domains that do not exist, within minutes', async () => {
    const hitsFor = await hits('actions.dga_dns', [...Array.from({ length: 25 }, (_, i) => dns(i * 5000, '10.9.0.5', dga(i))), dns(0, '10.9.0.6', 'www.example.com', 'success')]);
    expect(hitsFor).toEqual(['10.9.0.5']);
  });

  it('is silent on one vendor domain’s lookups, reverse lookups, single-label and local names, and names that resolve', async () => {
    const vendor = Array.from({ length: 40 }, (_, i) => dns(i * 1000, '10.9.0.5', `h${i}x9f.avqs.vendor-av.com`));
    const ptr = Array.from({ length: 40 }, (_, i) => dns(i * 1000, '10.9.0.6', `${i}.2.0.192.in-addr.arpa`));
    const single = Array.from({ length: 40 }, (_, i) => dns(i * 1000, '10.9.0.7', `printer${i}`));
    const local = Array.from({ length: 40 }, (_, i) => dns(i * 1000, '10.9.0.7', `host${i}.corp.local`));
    const ok = Array.from({ length: 40 }, (_, i) => dns(i * 1000, '10.9.0.8', `site${i}.com`, 'success'));
    expect(await hits('actions.dga_dns', [...vendor, ...ptr, ...single, ...local, ...ok])).toEqual([]);
  });
});

const http = (ms: number, src: string, url: string, dst: string): MiniEvent => ({ ts: iso(ms), class: 'network_activity', action: 'http_request', outcome: 'failure', src_ip: src, dst_ip: dst, dst_port: 80, target: url });

describe('actions.http_c2_polling', () => {
  it('fires on one client asking many hosts for the same path', async () => {
    const poll = Array.from({ length: 25 }, (_, i) => http(i * 20_000, '10.9.0.5', `http://${dga(i)}/login.php?id=${i}`, `203.0.113.${i % 4}`));
    expect(await hits('actions.http_c2_polling', poll)).toEqual(['10.9.0.5']);
  });

  it('is silent on a browser fetching / and /favicon.ico from many sites, and on polling one host', async () => {
    const browse = Array.from({ length: 30 }, (_, i) => [http(i * 10_000, '10.9.0.6', `http://site${i}.example/`, '203.0.113.9'), http(i * 10_000 + 5, '10.9.0.6', `http://site${i}.example/favicon.ico`, '203.0.113.9')]).flat();
    const one = Array.from({ length: 30 }, (_, i) => http(i * 10_000, '10.9.0.7', 'http://api.example/status.php', '203.0.113.10'));
    expect(await hits('actions.http_c2_polling', [...browse, ...one])).toEqual([]);
  });
});

const alert = (src: string, dst: string, a: Record<string, unknown>): MiniEvent => ({ ts: iso(0), class: 'network_activity', action: 'ids_alert', src_ip: src, dst_ip: dst, src_port: 80, dst_port: 47592, attrs: a });

describe('IDS alerts: every alert reaches one detection, named by the attacker’s end', () => {
  const evs = [
    alert('175.16.199.1', '10.31.64.240', { alert: { signature: 'GPL ATTACK_RESPONSE id check returned root', category: 'Potentially Bad Traffic', severity: 2 } }),
    alert('10.31.64.9', '198.51.100.3', { alert: { signature: 'ET TROJAN Something CnC Beacon', category: 'A Network Trojan was detected', severity: 1 } }),
    alert('112.249.236.129', '192.168.1.129', { alert: { signature: 'ET WEB_SERVER WGET Command Specifying Output in HTTP Headers', category: 'Attempted Administrator Privilege Gain', severity: 1 } }),
    alert('203.0.113.50', '10.31.64.7', { note: 'SSH::Password_Guessing', msg: '203.0.113.50 appears to be guessing SSH passwords' }),
    alert('78.36.196.213', '192.168.1.129', { alert: { signature: 'ET CINS Active Threat Intelligence Poor Reputation IP group 89', category: 'Misc Attack', severity: 2 } }),
    alert('203.0.113.60', '10.31.64.8', { note: 'Scan::Port_Scan', msg: 'scanned 20 ports' }),
  ];

  it('actions.ids_compromise_alert: a command’s output coming back, a trojan talking to its controller', async () => {
    expect(await hits('actions.ids_compromise_alert', evs)).toEqual(['175.16.199.1', '198.51.100.3']);
  });

  it('access.ids_access_alert: an exploit attempt, password guessing', async () => {
    expect(await hits('access.ids_access_alert', evs)).toEqual(['112.249.236.129', '203.0.113.50']);
  });

  it('recon.ids_alert: the rest (reputation lists, scans)', async () => {
    expect(await hits('recon.ids_alert', evs)).toEqual(['203.0.113.60', '78.36.196.213']);
  });
});
