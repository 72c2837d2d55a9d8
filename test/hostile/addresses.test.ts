/**
 * One address, one string (issue 18, item 10): `::ffff:203.0.113.77` is 203.0.113.77 and
 * `2001:DB8:0:0::66` is 2001:db8::66 to every parser, seed and filter, so a seed or `--ip` cannot
 * be evaded by the way a source (or an attacker's client) writes an address.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalIp } from '../../src/core/ip.js';
import { parseFilterOptions } from '../../src/export/filters.js';
import { parseSeed } from '../../src/correlate/seeds.js';
import { communityId } from '../../src/parsers/netflow/community-id.js';
import { PARSERS } from '../../src/parsers/registry.js';
import { parseFilters } from '../../src/tui/state/filters.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { parseThroughGate } from '../helpers/gate.js';

describe('canonicalIp', () => {
  it.each([
    ['::ffff:203.0.113.77', '203.0.113.77'],
    ['::FFFF:203.0.113.77', '203.0.113.77'],
    ['0:0:0:0:0:ffff:cb00:714d', '203.0.113.77'],
    ['2001:DB8:0:0::66', '2001:db8::66'],
    ['2001:0db8:0000:0000:0000:0000:0000:0066', '2001:db8::66'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal zero runs
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // the longest run, not the first
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::', '::'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'], // NAT64: IPv6 on the wire, written in hex
    ['FE80::1%eth0', 'fe80::1%eth0'], // the zone id is kept
    ['010.000.001.005', '10.0.1.5'],
    ['10.0.1.5', '10.0.1.5'],
    ['0.0.0.0', '0.0.0.0'],
  ])('%s → %s', (written, canonical) => {
    expect(canonicalIp(written)).toBe(canonical);
  });

  it.each(['web-01', '[::1]:22', '203.0.113.77:22', '256.1.1.1', '1.2.3', '::ffff:1.2.3.4.5', 'fe80::1%eth0;rm', '-', '', 'ec2.amazonaws.com', '2001:db8::1 '])(
    'leaves %j unchanged: not an address',
    (s) => {
      expect(canonicalIp(s)).toBe(s);
    },
  );

  it('returns canonical text as the same string (no copy on the hot path)', () => {
    const s = ['203.0.113.', '77'].join('');
    expect(canonicalIp(s)).toBe(s);
  });
});

describe('Community ID of a flow written with an IPv4-mapped address', () => {
  it('is the IPv4 flow’s: mapped addresses never appear in a packet header', () => {
    expect(communityId(6, '::ffff:198.51.100.7', '::ffff:10.0.1.25', 443, 52114)).toBe(communityId(6, '198.51.100.7', '10.0.1.25', 443, 52114));
    expect(communityId(6, '2001:DB8::1', '2001:db8::2', 1, 2)).toBe(communityId(6, '2001:db8::1', '2001:db8::2', 1, 2));
  });
});

describe('seeds and filters read addresses the way the case stores them', () => {
  it('--seed ip:', () => {
    expect(parseSeed('ip:::ffff:203.0.113.77')).toEqual({ kind: 'ip', value: '203.0.113.77', host: null });
    expect(parseSeed('ip:2001:DB8:0:0::66').value).toBe('2001:db8::66');
    expect(() => parseSeed('ip:203.0.113')).toThrow(/not an IP address/);
  });

  it('export --ip (globs stay as typed)', () => {
    expect(parseFilterOptions({ ip: ['::ffff:203.0.113.77,2001:DB8::66', '10.0.*'] }).ip).toEqual({ values: ['203.0.113.77', '2001:db8::66', '10.0.*'], negate: false });
  });

  it('the TUI filter ip=', () => {
    const r = parseFilters('ip!=::ffff:203.0.113.77 host=::ffff:1.2.3.4', 0);
    expect(r).toEqual({
      ok: true,
      filters: [
        { kind: 'value', field: 'ip', negate: true, values: ['203.0.113.77'] },
        { kind: 'value', field: 'host', negate: false, values: ['::ffff:1.2.3.4'] },
      ],
    });
  });
});

/** Lines with addresses for parsers whose samples carry none. */
const EXTRA_LINES: Record<string, string[]> = {
  postgres_log: ['2025-08-13 01:46:10.568 PDT [12389] LOG:  connection received: host=203.0.113.77 port=54022'],
  postgres_jsonlog: [
    '{"timestamp":"2024-06-27 00:00:07.369 CEST","user":"app","dbname":"shop","pid":58151,"remote_host":"203.0.113.77","remote_port":54022,"session_id":"667c8f67.e327","line_num":1,"error_severity":"LOG","message":"connection authorized: user=app database=shop","backend_type":"client backend"}',
  ],
  mysql_general_log: ['2025-08-15T14:04:36.592572Z\t   10 Connect\troot@203.0.113.77 on shop using TCP/IP'],
  mysql_slow_log: [
    '# Time: 2019-03-24T14:01:47.811234Z\n# User@Host: root[root] @  [203.0.113.77]  Id:    14\n# Query_time: 2.475469  Lock_time: 0.000287 Rows_sent: 10  Rows_examined: 3145718\nSET timestamp=1553436105;\nSELECT 1;',
  ],
};

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

describe('every parser stores canonical addresses, however the source wrote them', () => {
  for (const parser of PARSERS) {
    it(`${parser.name}: mapped IPv4 and uncompressed upper-case IPv6`, async () => {
      const text = [...parser.samples, ...(EXTRA_LINES[parser.name] ?? [])].join('\n') + '\n';
      const addressesOf = (events: Record<string, unknown>[]) => events.map((e) => [e.src_ip, e.dst_ip]);
      const plain = await parseThroughGate(text, { format: parser.name });
      const plainAddresses = addressesOf(plain.events);
      expect(plainAddresses.flat().filter(Boolean).length, 'the lines carry addresses').toBeGreaterThan(0);

      // ::ffff:a.b.c.d is a.b.c.d: every stored address is exactly the plain run's.
      const mapped = await parseThroughGate(text.replace(IPV4, (a) => `::ffff:${a}`), { format: parser.name });
      expect(addressesOf(mapped.events)).toEqual(plainAddresses);
      const written = mapped.events.map((e) => JSON.parse(JSON.stringify(e.attrs ?? {})) as Record<string, unknown>).find((a) => a.src_ip_as_written ?? a.dst_ip_as_written);
      expect(written, 'the source’s own text is kept in attrs').toBeDefined();

      // Each IPv4 address replaced by a distinct IPv6 one written in full and upper case.
      const v6 = new Map<string, number>();
      const full = (n: number) => `2001:0DB8:0000:0000:0000:0000:0000:${n.toString(16).toUpperCase().padStart(4, '0')}`;
      const upper = await parseThroughGate(
        text.replace(IPV4, (a) => full(v6.get(a) ?? (v6.set(a, v6.size + 0xa), v6.get(a)!))),
        { format: parser.name },
      );
      const expected = plainAddresses.map((pair) => pair.map((a) => (typeof a === 'string' && v6.has(a) ? `2001:db8::${v6.get(a)!.toString(16)}` : a)));
      expect(addressesOf(upper.events)).toEqual(expected);
    });
  }
});

describe('an sshd login from ::ffff:203.0.113.77 is the attacker at 203.0.113.77 (end to end)', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  const failures = Array.from({ length: 12 }, (_, i) => `Mar 11 19:2${Math.floor(i / 6)}:${String(10 + i).padStart(2, '0')} web-01 sshd[${200 + i}]: Failed password for root from 203.0.113.77 port ${40000 + i} ssh2`);
  const log = [
    ...failures,
    'Mar 11 19:26:39 web-01 sshd[312]: Accepted password for deploy from ::ffff:203.0.113.77 port 50115 ssh2',
    'Mar 11 19:27:01 web-01 sshd[313]: Accepted publickey for backup from 2001:DB8:0:0::66 port 50116 ssh2',
  ].join('\n');

  beforeAll(async () => {
    const evidence = join(tmp.path, 'auth.log');
    writeFileSync(evidence, log + '\n');
    const r = await dwell(['ingest', '--case', casePath, '--year', '2026', '--quiet', evidence]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('stores the canonical address and keeps the written one in attrs', async () => {
    const rows = await query<{ src_ip: string; written: string | null }>(
      casePath,
      `SELECT src_ip, attrs->>'src_ip_as_written' AS written FROM events WHERE action = 'ssh_login' ORDER BY ts`,
    );
    expect(rows).toEqual([
      { src_ip: '203.0.113.77', written: '::ffff:203.0.113.77' },
      { src_ip: '2001:db8::66', written: '2001:DB8:0:0::66' },
    ]);
  });

  it('export --ip finds the login whichever way the address is typed', async () => {
    for (const ip of ['::ffff:203.0.113.77', '203.0.113.77']) {
      const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '--ip', ip, '--action', 'ssh_login', '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { src_ip: string }).src_ip)).toEqual(['203.0.113.77']);
    }
    const v6 = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '--ip', '2001:db8:0::66', '--quiet']);
    expect(v6.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--seed ip:203.0.113.77 dates the initial access at the mapped-address login', async () => {
    const r = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const findings = JSON.parse(r.stdout) as { answers: { initial_access_at: string | null } };
    expect(findings.answers.initial_access_at).toBe('2026-03-11T19:26:39Z');
    const attack = await query<{ src_ip: string }>(
      casePath,
      `SELECT e.src_ip FROM attack_events a JOIN events e USING (event_id) WHERE a.findings_id = (SELECT max(findings_id) FROM findings) AND e.action = 'ssh_login'`,
    );
    expect(attack).toEqual([{ src_ip: '203.0.113.77' }]);
  });
});
