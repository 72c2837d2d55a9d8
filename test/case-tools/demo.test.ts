/**
 * Issue 19's end-to-end checks on the demo case (`dwell demo --scale 0.1`, ≈12k events, the only
 * slow step here): `dwell info`'s numbers equal the tables', `dwell search` finds the scenario's key
 * lines (from its own ground truth, expected.json) with their evidence file and line — checked
 * against the file itself —, and `dwell sql` answers, refuses a write and leaves the case as it was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseInfo } from '../../src/case-tools/info.js';
import { query } from '../helpers/case.js';
import { dwell } from '../helpers/cli.js';
import { sharedDemo } from '../helpers/shared-cases.js';
import { fileState } from './helpers.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

interface KeyEvent {
  ts: string;
  host: string | null;
  file: string | null;
  raw_contains: string;
}

describe('dwell info, search and sql on the demo case', () => {
  // The run's one demo, shared with test/report/demo.test.ts: only read here (info, search and sql
  // open the case read-only; the sql test checks the file is unchanged).
  let dir = '';
  let casePath = '';
  let demoOut = '';
  beforeAll(async () => {
    const demo = await sharedDemo();
    expect(demo.run.code, demo.run.stderr).toBe(0);
    dir = demo.dir;
    casePath = join(dir, 'demo.duckdb');
    demoOut = demo.run.stdout;
  });

  it('the demo points at the three commands', () => {
    expect(demoOut).toContain(`what it holds:  npx dwell info --case ${casePath}`);
    expect(demoOut).toContain(`npx dwell sql --case ${casePath}`);
    const seed = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { seed: { value: string } }).seed.value;
    expect(demoOut).toContain(`npx dwell search --case ${casePath} ${seed} `);
  });

  it('info: every number equals the tables, on one screen', async () => {
    const r = await dwell(['info', '--case', casePath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const i = JSON.parse(r.stdout) as CaseInfo;
    const [t] = await query<{ events: number; files: number; bytes: number; hosts: number; learned: number; attack: number; findings: number }>(
      casePath,
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM evidence) AS files, (SELECT sum(size) FROM evidence) AS bytes,
              (SELECT count(DISTINCT coalesce(host, '')) FROM events) AS hosts, (SELECT count(*) FROM hosts) AS learned,
              (SELECT count(*) FROM attack_events WHERE findings_id = (SELECT max(findings_id) FROM findings)) AS attack, (SELECT count(*) FROM findings) AS findings`,
    );
    expect(i.events.total).toBe(t!.events);
    expect(i.evidence.files).toBe(t!.files);
    expect(i.evidence.bytes).toBe(t!.bytes);
    expect(i.hosts.filter((h) => h.events > 0)).toHaveLength(t!.hosts);
    expect(i.hosts_learned).toBe(t!.learned);
    expect(t!.learned).toBeGreaterThan(0);
    expect(i.findings).toHaveLength(t!.findings);
    expect(i.findings[i.findings.length - 1]!.attack_events).toBe(t!.attack);
    const perSource = await query<{ source: string; n: number }>(casePath, 'SELECT source, count(*) AS n FROM events GROUP BY ALL');
    expect(i.events.by_source).toEqual(Object.fromEntries(perSource.map((s) => [s.source, s.n])));
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { answers: { initial_access_at: string } };
    expect(i.findings[0]!.answers).toMatchObject({ initial_access_at: expect.stringMatching(new RegExp(`^${expected.answers.initial_access_at.slice(0, 19)}`)) });

    const screen = await dwell(['info', '--case', casePath]);
    expect(screen.code).toBe(0);
    expect(screen.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(40);
    expect(screen.stdout).toMatch(new RegExp(`^events {4}${t!.events.toLocaleString('en-US')}, `, 'm'));
    // A learned address, on the host's line.
    expect(screen.stdout).toMatch(/^bastion-01 +[\d,]+ +auth_log [\d,]+ +10\.0\.0\.10 \(inbound_flow\)/m);
  });

  it('search finds the key lines of the scenario with their file:line, which hold them', async () => {
    const truth = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { key_events: KeyEvent[] };
    const inFiles = truth.key_events.filter((k) => k.file !== null).slice(0, 6);
    expect(inFiles.length).toBeGreaterThan(2);
    for (const k of inFiles) {
      const r = await dwell(['search', '--case', casePath, '--json', '--case-sensitive', k.raw_contains]);
      expect(r.code, `${k.raw_contains}: ${r.stderr}`).toBe(0);
      const hits = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { evidence_file: string; line: number; ts: string; raw: string; host: string });
      const hit = hits.find((h) => h.evidence_file.endsWith(`/${k.file}`));
      expect(hit, `${k.raw_contains} in ${k.file}`).toBeDefined();
      expect(hit!.raw).toContain(k.raw_contains);
      expect(hit!.host).toBe(k.host);
      // The file's own line holds it (evidence as written: a line number dwell did not invent).
      expect(readFileSync(hit!.evidence_file, 'utf8').split('\n')[hit!.line - 1]).toContain(k.raw_contains);
    }
  });

  it('sql answers, refuses a write, and the case is unchanged', async () => {
    const before = fileState(casePath);
    const r = await dwell(['sql', '--case', casePath, '--json', "SELECT count(*) AS n FROM view WHERE src_ip = '203.0.113.77'"]);
    expect(r.code, r.stderr).toBe(0);
    const [t] = await query<{ n: number }>(casePath, `SELECT count(*) AS n FROM events WHERE src_ip = '203.0.113.77' AND time_quality NOT IN ('relative', 'implausible')`);
    expect(JSON.parse(r.stdout)).toEqual({ n: t!.n });
    const w = await dwell(['sql', '--case', casePath, 'DELETE FROM events']);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^error: the case is read-only here: DELETE is not run, and the case is unchanged/);
    expect(fileState(casePath)).toEqual(before);
  });
});
