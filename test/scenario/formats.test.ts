/**
 * The fixture's files have the structure the real tools write (checked here without dwell's
 * parsers, which are written in parallel), and the sources agree with each other: the same
 * connection has the same bytes in VPC and Zeek, an sshd login has its flow.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVIDENCE, expected, familyOf, listFiles, readText } from './helpers.js';

const files = listFiles(EVIDENCE);
const byFamily = (f: string) => files.filter((rel) => familyOf(rel) === f);
const exp = expected();

describe('fixture formats', () => {
  it('auth logs: traditional syslog (Debian/Ubuntu) and RFC 3339 (RHEL), one record per line', () => {
    const trad = /^(Jan|Dec) [ \d]\d \d\d:\d\d:\d\d (bastion-01|web-01) [\w()-]+(\[\d+\])?: ./;
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+01:00 db-01 [\w()-]+(\[\d+\])?: ./;
    for (const rel of byFamily('auth_log')) {
      const re = rel.startsWith('db-01') ? iso : trad;
      const bad = readText(join(EVIDENCE, rel)).split('\n').filter((l) => l !== '' && !re.test(l));
      expect(bad, rel).toEqual([]);
    }
    // The year boundary falls inside bastion-01's current auth.log.
    const cur = readText(join(EVIDENCE, 'bastion-01/var/log/auth.log'));
    expect(cur.startsWith('Dec 31')).toBe(true);
    expect(cur).toMatch(/^Jan {2}1 /m);
  });

  it('PostgreSQL: Debian prefix "%m [%p] %q%u@%d " with CET, TAB-continued multi-line messages', () => {
    const line = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} CET \[\d+\] (\S+@\S+ )?(LOG|DETAIL|ERROR|STATEMENT|FATAL|HINT|WARNING): {2}\S/;
    let continued = 0;
    for (const rel of byFamily('postgresql')) {
      for (const l of readText(join(EVIDENCE, rel)).split('\n')) {
        if (l === '') continue;
        if (l.startsWith('\t')) continued++;
        else expect(line.test(l), `${rel}: ${l.slice(0, 120)}`).toBe(true);
      }
    }
    expect(continued).toBeGreaterThan(10);
  });

  it('CloudTrail: S3 layout, {"Records":[…]} of complete records, nothing while the trail was stopped', () => {
    const name = /^aws\/AWSLogs\/111122223333\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\/111122223333_CloudTrail_\1_\2\3\4T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
    const gap = exp.gaps[0];
    let n = 0;
    for (const rel of byFamily('cloudtrail')) {
      const m = name.exec(rel);
      expect(m, rel).not.toBeNull();
      const doc = JSON.parse(readText(join(EVIDENCE, rel))) as { Records: Record<string, unknown>[] };
      expect(Object.keys(doc)).toEqual(['Records']);
      for (const r of doc.Records) {
        n++;
        for (const k of ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory']) {
          expect(r, `${rel} ${String(r.eventID)} ${k}`).toHaveProperty(k);
        }
        expect(r.awsRegion).toBe(m![1]);
        expect(String(r.eventTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(String(r.eventID)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(String(r.eventTime) <= gap.from || String(r.eventTime) >= gap.to).toBe(true);
        if (r.eventCategory === 'Data') {
          expect(r.resources, String(r.eventID)).toBeDefined();
          expect((r.additionalEventData as Record<string, unknown>).bytesTransferredOut).toBeTypeOf('number');
        }
        const id = r.userIdentity as Record<string, unknown>;
        if (typeof id.accessKeyId === 'string') expect(id.accessKeyId).toMatch(/^(AKIA|ASIA)[A-Z2-7]{16}$/);
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  it('VPC flow logs: default v2 format with its header, one direction per record, NODATA rows', () => {
    const name = /^aws\/AWSLogs\/111122223333\/vpcflowlogs\/eu-central-1\/\d{4}\/\d\d\/\d\d\/111122223333_vpcflowlogs_eu-central-1_fl-[0-9a-f]{17}_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$/;
    const rec = /^2 111122223333 eni-[0-9a-f]{17} (\S+ \S+ \d+ \d+ \d+ \d+ \d+ (\d+) (\d+) (ACCEPT|REJECT) OK|- - - - - - - (\d+) (\d+) - NODATA)$/;
    let nodata = 0;
    for (const rel of byFamily('vpc_flow')) {
      expect(rel).toMatch(name);
      const [header, ...lines] = readText(join(EVIDENCE, rel)).trimEnd().split('\n');
      expect(header).toBe('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
      for (const l of lines) {
        const m = rec.exec(l);
        expect(m, `${rel}: ${l}`).not.toBeNull();
        const [start, end] = m![2] ? [Number(m![2]), Number(m![3])] : [Number(m![5]), Number(m![6])];
        expect(start).toBeLessThanOrEqual(end);
        if (l.endsWith('NODATA')) nodata++;
      }
    }
    expect(nodata).toBeGreaterThan(0);
  });

  it('Zeek conn.log: standard TSV headers, as many columns as #fields, #close on rotated files', () => {
    for (const rel of byFamily('zeek_conn')) {
      const lines = readText(join(EVIDENCE, rel)).trimEnd().split('\n');
      expect(lines[0]).toBe('#separator \\x09');
      const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
      const types = lines.find((l) => l.startsWith('#types\t'))!.split('\t').slice(1);
      expect(types.length).toBe(fields.length);
      for (const l of lines.filter((x) => !x.startsWith('#'))) expect(l.split('\t').length, l).toBe(fields.length);
      expect(lines[lines.length - 1]!.startsWith('#close\t')).toBe(rel.endsWith('.gz'));
    }
  });
});

describe('the sources agree', () => {
  // Every Zeek connection has VPC records for the same 5-tuple whose bytes add up to Zeek's IP bytes.
  const vpc = new Map<string, { bytes: number; start: number }[]>();
  for (const rel of byFamily('vpc_flow')) {
    for (const l of readText(join(EVIDENCE, rel)).trimEnd().split('\n').slice(1)) {
      const f = l.split(' ');
      if (f[13] !== 'OK') continue;
      const k = `${f[3]} ${f[5]} ${f[4]} ${f[6]}`;
      const list = vpc.get(k) ?? [];
      list.push({ bytes: Number(f[9]), start: Number(f[10]) });
      vpc.set(k, list);
    }
  }
  const zeek: string[][] = byFamily('zeek_conn').flatMap((rel) => readText(join(EVIDENCE, rel)).trimEnd().split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split('\t')));

  it('Zeek and VPC see the same connections with the same bytes and times', () => {
    const bad: string[] = [];
    let inWindow = 0;
    for (const z of zeek) {
      const [ts, , oh, op, rh, rp] = z;
      const k = `${oh} ${op} ${rh} ${rp}`;
      const recs = vpc.get(k);
      // Connections that started before the flow logs' window have only part of their records.
      if (Number(ts) < Date.parse('2025-12-29T00:00:00Z') / 1000 + 3600) continue;
      inWindow++;
      if (!recs) {
        bad.push(`no VPC record for ${k}`);
        continue;
      }
      const bytes = recs.reduce((s, r) => s + r.bytes, 0);
      const first = Math.min(...recs.map((r) => r.start));
      if (bytes !== Number(z[17]) || Math.abs(first - Number(ts)) > 2) bad.push(`${k}: vpc ${bytes} bytes from ${first}, zeek ${z[17]} from ${ts}`);
    }
    expect(inWindow).toBeGreaterThan(300);
    expect(bad).toEqual([]);
  });

  it('every sshd login from outside has its Zeek connection (same port, within seconds)', () => {
    const conns = new Map(zeek.map((z) => [`${z[2]} ${z[3]}`, Number(z[0])]));
    const text = readText(join(EVIDENCE, 'bastion-01/var/log/auth.log'));
    const bad: string[] = [];
    for (const m of text.matchAll(/^(Dec|Jan) +(\d+) (\d\d):(\d\d):(\d\d) \S+ sshd\[\d+\]: Accepted \S+ for \S+ from (\S+) port (\d+)/gm)) {
      const [, mon, d, h, mi, s, ip, port] = m;
      const local = Date.UTC(mon === 'Dec' ? 2025 : 2026, mon === 'Dec' ? 11 : 0, Number(d), Number(h), Number(mi), Number(s)) / 1000 - 3600;
      const z = conns.get(`${ip} ${port}`);
      if (z === undefined || local - Math.floor(z) < 0 || local - z > 60) bad.push(`${m[0]} (zeek ${z})`);
    }
    expect(bad).toEqual([]);
  });
});
