/**
 * dwell info end to end on a small case: every number equals the tables' (counted here with SQL
 * of the test's own), the screen fits, and what changes the case (findings, notes, the addresses
 * dwell correlate learns into the hosts table, a later ingest without the index) shows up.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseInfo } from '../../src/case-tools/info.js';
import { CaseDb } from '../../src/store/case-db.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { CONN_LOG, fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

async function info(casePath: string): Promise<CaseInfo> {
  const r = await dwell(['info', '--case', casePath, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CaseInfo;
}

describe('dwell info', () => {
  const tmp = tempDir('dwell-info-');
  const casePath = join(tmp.path, 'case.duckdb');
  beforeAll(() => fixtureCase(casePath));
  afterAll(() => tmp.cleanup());

  it('--json: every number equals the tables', async () => {
    const i = await info(casePath);
    const [events] = await query<{ n: number; first: string; last: string }>(
      casePath,
      `SELECT count(*) AS n, strftime(min(ts) FILTER (WHERE time_quality NOT IN ('relative', 'implausible')), '%Y-%m-%dT%H:%M:%S.%fZ') AS first,
              strftime(max(ts) FILTER (WHERE time_quality NOT IN ('relative', 'implausible')), '%Y-%m-%dT%H:%M:%S.%fZ') AS last FROM events`,
    );
    expect(i.events.total).toBe(events!.n);
    expect(i.events.total).toBe(22);
    expect([i.events.first, i.events.last]).toEqual([events!.first, events!.last]);
    const q = await query<{ q: string; n: number }>(casePath, `SELECT time_quality AS q, count(*) AS n FROM events GROUP BY ALL`);
    expect(i.events.time_quality).toEqual(Object.fromEntries(q.map((r) => [r.q, r.n])));
    expect(i.events.untrusted_times).toBe(2);

    const files = await query<{ files: number; bytes: number; warnings: number; pw: number }>(
      casePath,
      `SELECT count(*) AS files, sum(size) AS bytes, sum(warnings) AS warnings, (SELECT count(*) FROM parse_warnings) AS pw FROM evidence`,
    );
    expect(i.evidence.files).toBe(files[0]!.files);
    expect(i.evidence.bytes).toBe(files[0]!.bytes);
    expect(i.evidence.warnings).toBe(files[0]!.warnings);
    expect(i.evidence.warnings).toBe(files[0]!.pw);
    expect(i.evidence.by_status).toEqual({ ingested: 3 });

    const perSource = await query<{ source: string; files: number; bytes: number; events: number }>(
      casePath,
      `SELECT v.format AS source, count(DISTINCT v.evidence_id) AS files, (SELECT sum(size) FROM evidence w WHERE w.format = v.format) AS bytes, count(e.event_id) AS events
       FROM evidence v LEFT JOIN events e ON e.evidence_id = v.evidence_id GROUP BY ALL ORDER BY source`,
    );
    expect(i.evidence.by_source.map((s) => ({ source: s.source, files: s.files, bytes: s.bytes, events: s.events })).sort((a, b) => a.source.localeCompare(b.source))).toEqual(perSource);
    const zeek = i.evidence.by_source.find((s) => s.source === 'zeek_tsv')!;
    expect(zeek.time_quality).toEqual({ exact: 1, relative: 2 });
    // The relative times (1970) are counted, not used as the source's first time.
    expect(zeek.first).toBe('2026-01-02T02:18:02.250000Z');

    const hosts = await query<{ host: string | null; n: number }>(casePath, `SELECT host, count(*) AS n FROM events GROUP BY ALL`);
    expect(i.hosts.map((h) => [h.host, h.events]).sort()).toEqual(hosts.map((h) => [h.host, h.n]).sort());
    const bySource = await query<{ source: string; n: number }>(casePath, `SELECT source, count(*) AS n FROM events GROUP BY ALL`);
    expect(i.events.by_source).toEqual(Object.fromEntries(bySource.map((r) => [r.source, r.n])));
    expect(i.hosts.find((h) => h.host === 'web-01')!.sources).toEqual({ auth_log: 14 });

    const runs = await query<{ run_id: number; status: string; events: number }>(casePath, `SELECT run_id, status, events FROM ingest_runs`);
    expect(i.ingest_runs.map((r) => ({ run_id: r.run_id, status: r.status, events: r.events }))).toEqual(runs);
    expect(i.ingest_runs[0]!.year).toBe(2026);
    expect(i.ingest_runs[0]!.argv).toEqual(expect.arrayContaining(['--year', '2026']));
    expect(i.timeline_index).toMatchObject({ state: 'fresh', indexedEvents: 22, events: 22 });
    expect(i.findings).toEqual([]);
    // The hosts table is in every case; dwell correlate fills it.
    expect(i.hosts_learned).toBe(0);
    expect(i.hosts.every((h) => h.addresses.length === 0)).toBe(true);
    expect(i.annotations).toMatchObject({ total: 0, marks: 0, notes: 0, waiting: 0 });
  });

  it('the screen: one part per line, fits 40 lines and the terminal, says what is left out', async () => {
    const r = await dwell(['info', '--case', casePath]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toMatch(/^case {6}.*case\.duckdb .* schema 1 · created \d{4}-/);
    expect(r.stdout).toMatch(/^ingest {4}1 run: #1 .* completed .* tz UTC year 2026 · 3 files, 22 events, 1 warnings$/m);
    expect(r.stdout).toMatch(/^events {4}22, 2026-01-02 02:14:07 → 2026-03-03 08:12:00 UTC · 2 with relative\/implausible times/m);
    expect(r.stdout).toMatch(/^zeek_tsv +1 +\S+ B +3 +1 +2026-01-02 02:18:02 +2026-01-02 02:18:02 +exact 1 · relative 2$/m);
    expect(r.stdout).toMatch(/^web-01 +14 +auth_log 14$/m);
    expect(r.stdout).toMatch(/^findings  none yet/m);
    expect(r.stdout).toMatch(/^index +fresh: 22 events/m);
  });

  it('findings, notes (saved and waiting), learned addresses and a stale index show up', async () => {
    const c = join(tmp.path, 'worked.duckdb');
    copyFileSync(casePath, c);
    // A flow sensor saw the attacker's login (auth.log line 9, port 39188) arrive: dwell correlate
    // learns web-01's address from it (hosts table, how = inbound_flow).
    const flows = join(tmp.path, 'flows');
    mkdirSync(join(flows, 'sensor-2'), { recursive: true });
    const conn = readFileSync(CONN_LOG, 'utf8').split('\n');
    const header = conn.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
    writeFileSync(join(flows, 'sensor-2', 'conn.log'), [...header, ['1767320199.500000', 'Cf0f1f2f3f4f5f6f7', '203.0.113.77', '39188', '10.0.1.25', '22', 'tcp', 'ssh', '30.0', '2100', '3300', 'SF', 'F', 'T', '0', 'ShAdDaFf', '20', '3140', '18', '4236', '(empty)'].join('\t'), ''].join('\n'));
    const more = await dwell(['ingest', '--year', '2026', '-q', '--case', c, flows]);
    expect(more.code, more.stderr).toBe(0);
    const cor = await dwell(['correlate', '--case', c, '--seed', 'ip:203.0.113.77', '--detected-at', '2026-01-02T06:00:00Z']);
    expect(cor.code, cor.stderr).toBe(0);
    const db = await CaseDb.open(c);
    try {
      await db.run(`INSERT INTO annotations VALUES (1, 8589934600, 'mark', NULL, 'alice', now()), (2, 8589934602, 'note', 'stage 2', 'bob', now())`);
    } finally {
      db.close();
    }
    writeFileSync(`${c}.annotations-pending.jsonl`, JSON.stringify({ eventId: 8589934601, kind: 'mark', text: null, author: 'carol', createdAt: '2026-01-03T00:00:00.000Z' }) + '\n');
    // A later ingest without the index: the index no longer covers every event.
    const extra = join(tmp.path, 'secure');
    writeFileSync(extra, 'Jan  2 03:00:00 db-01 sshd[1]: Accepted password for deploy from 203.0.113.77 port 40000 ssh2\n');
    const ing = await dwell(['ingest', '--year', '2026', '-q', '--no-index', '--case', c, extra]);
    expect(ing.code, ing.stderr).toBe(0);

    const i = await info(c);
    const [attack] = await query<{ id: number; n: number }>(c, `SELECT max(findings_id) AS id, count(*) FILTER (WHERE findings_id = (SELECT max(findings_id) FROM findings)) AS n FROM attack_events`);
    expect(i.findings).toHaveLength(1);
    expect(i.findings[0]!.findings_id).toBe(attack!.id);
    expect(i.findings[0]!.attack_events).toBe(attack!.n);
    expect(i.findings[0]!.answers).toMatchObject({ initial_access_at: expect.stringMatching(/^2026-01-02T02:16:40/) });
    expect(i.findings[0]!.seeds).toEqual([{ kind: 'ip', value: '203.0.113.77' }]);
    expect(i.annotations).toMatchObject({ total: 2, marks: 1, notes: 1, authors: 2, waiting: 1 });
    // Every row of the hosts table, as the table has it.
    const learned = await query<{ host: string; address: string | null; how: string; reason: string; events: number; ambiguous: boolean; first_seen: string; last_seen: string }>(
      c,
      `SELECT host, address, how, reason, events, ambiguous, strftime(first_seen, '%Y-%m-%dT%H:%M:%S.%fZ') AS first_seen, strftime(last_seen, '%Y-%m-%dT%H:%M:%S.%fZ') AS last_seen FROM hosts`,
    );
    expect(i.hosts_learned).toBe(learned.length);
    const key = (r: { address: string | null; how: string | null }) => `${r.address}|${r.how}`;
    expect(i.hosts.flatMap((h) => h.addresses.map((a) => ({ host: h.host, ...a }))).sort((a, b) => key(a).localeCompare(key(b)) || String(a.host).localeCompare(String(b.host)))).toEqual(
      learned.sort((a, b) => key(a).localeCompare(key(b)) || a.host.localeCompare(b.host)).map((r) => ({ host: r.host, address: r.address, how: r.how, reason: r.reason, first_seen: r.first_seen, last_seen: r.last_seen, events: r.events, ambiguous: r.ambiguous })),
    );
    expect(i.hosts.find((h) => h.host === 'web-01')!.addresses).toContainEqual(expect.objectContaining({ address: '10.0.1.25', how: 'inbound_flow', ambiguous: false }));
    expect(i.ingest_runs).toHaveLength(3);
    expect(i.timeline_index).toMatchObject({ state: 'stale', indexedEvents: 23, events: 24 });

    const r = await dwell(['info', '--case', c]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^findings  1 run · newest #\d+, .*: seeds ip:203\.0\.113\.77 · \d+ attacker events$/m);
    expect(r.stdout).toMatch(/initial access 2026-01-02 02:16:40/);
    expect(r.stdout).toMatch(/^notes +2 annotations \(1 marks, 1 notes\) by 2 author\(s\) · 1 waiting in .*worked\.duckdb\.annotations-pending\.jsonl$/m);
    expect(r.stdout).toMatch(/^web-01 +14 +auth_log 14 +10\.0\.1\.25 \(inbound_flow\)$/m);
    expect(r.stdout).toMatch(/^index +stale: built over 23 of 24 events/m);
  });

  it('a case made before the hosts table: no learned addresses (null), the rest as before', async () => {
    const c = join(tmp.path, 'old.duckdb');
    copyFileSync(casePath, c);
    const db = await CaseDb.open(c);
    try {
      await db.run('DROP TABLE hosts');
    } finally {
      db.close();
    }
    const i = await info(c);
    expect(i.hosts_learned).toBeNull();
    expect(i.events.total).toBe(22);
    const r = await dwell(['info', '--case', c]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('addresses');
  });

  it('a missing case is an error naming it, exit 2', async () => {
    const r = await dwell(['info', '--case', join(tmp.path, 'nope.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: case .*nope\.duckdb does not exist/);
  });
});
