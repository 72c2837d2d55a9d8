/**
 * Every file of the scenario fixture ingests with no warnings through the real CLI, and the ground
 * truth's records, times and values are found in the case. Sources whose parser is not registered
 * yet are skipped (checked at run time), so these tests start running as the parsers are merged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { enumerateEvidence } from '../../src/ingest/evidence-files.js';
import { query } from '../helpers/case.js';
import type { CliResult } from '../helpers/cli.js';
import { sharedScenarioCase } from '../helpers/shared-cases.js';
import { EVIDENCE, expected, FAMILIES, type Family, familyOf, formatMatches, listFiles, parsersPresent } from './helpers.js';

const exp = expected();
const present = parsersPresent();
const skipNote = (f: Family) => (present[f] ? '' : ` (skipped: no ${f} parser registered in src/parsers/registry.ts yet)`);

interface EvidenceRow {
  path: string;
  status: string;
  format: string | null;
  events: number;
  warnings: number;
}

describe('ingesting the scenario fixture', () => {
  let casePath = '';
  let run: CliResult;
  let rows: EvidenceRow[] = [];

  beforeAll(async () => {
    // The run's one ingest of the fixture (the CLI, as documented in expected.json), read only here;
    // test/correlate/scenario.test.ts correlates a copy of it.
    ({ casePath, run } = await sharedScenarioCase());
    rows = await query<EvidenceRow>(casePath, 'SELECT path, status, format, events::INTEGER AS events, warnings::INTEGER AS warnings FROM evidence ORDER BY path');
  }, 600_000);

  it('reads every file of the fixture (exit 0 once every source has its parser)', () => {
    expect(run.stderr).not.toMatch(/^error: (?!cannot ingest)/m);
    expect(rows.length).toBe(listFiles(EVIDENCE).length);
    if (FAMILIES.every((f) => present[f])) expect(run.code).toBe(0);
    else expect([0, 3]).toContain(run.code);
  });

  it('numbers the evidence in enumeration order, whatever order the parse lanes finish in (event ids reproducible)', async () => {
    const { files } = await enumerateEvidence([EVIDENCE]);
    const byId = await query<{ abs_path: string }>(casePath, 'SELECT abs_path FROM evidence ORDER BY evidence_id');
    expect(byId.map((r) => r.abs_path)).toEqual(files.map((f) => f.absPath));
  });

  for (const family of FAMILIES) {
    it.skipIf(!present[family])(`${family}: every file is read by its parser with no warnings${skipNote(family)}`, () => {
      const mine = rows.filter((r) => familyOf(relative(r.path)) === family);
      expect(mine.length).toBeGreaterThan(0);
      const bad = mine.filter((r) => r.status !== 'ingested' || !formatMatches(family, r.format) || r.warnings !== 0 || r.events === 0);
      expect(bad).toEqual([]);
    });

    it.skipIf(!present[family])(`${family}: every key event of the ground truth is a record at its time (and file)${skipNote(family)}`, async () => {
      const keys = exp.key_events.filter((k: { source: string }) => k.source === family);
      expect(keys.length).toBeGreaterThan(0);
      const missing: unknown[] = [];
      for (const k of keys) {
        const found = await query<{ ts: string }>(
          casePath,
          `SELECT strftime(e.ts, '%Y-%m-%dT%H:%M:%S') AS ts FROM events e JOIN evidence v USING (evidence_id)
           WHERE regexp_matches(v.path, $pattern) AND ends_with(v.path, coalesce($file, '')) AND contains(e.raw, $needle)`,
          { pattern: pathPattern(family), file: k.file, needle: k.raw_contains },
        );
        const second = k.ts.slice(0, 19);
        const ok = found.some((f) => f.ts === second);
        if (!ok) missing.push({ key: k, found });
      }
      expect(missing).toEqual([]);
    });
  }

  it('finds every attacker entity and compromised item in the sources the ground truth names', async () => {
    const missing: string[] = [];
    const items = [
      ...exp.entities.filter((e: { kind: string }) => e.kind !== 'host').map((e: { value: string; sources: Family[] }) => ({ value: e.value, sources: e.sources })),
      ...exp.compromised_data.map((d: { value: string; sources: Family[] }) => ({ value: d.value.replace(/^s3:\/\/[^/]+\//, ''), sources: d.sources })),
    ];
    for (const it of items) {
      for (const source of it.sources.filter((s: Family) => present[s])) {
        const [{ n }] = await query<{ n: number }>(
          casePath,
          `SELECT count(*)::INTEGER AS n FROM events e JOIN evidence v USING (evidence_id) WHERE regexp_matches(v.path, $pattern) AND contains(e.raw, $value)`,
          { pattern: pathPattern(source), value: it.value },
        );
        if (n === 0) missing.push(`${source}: ${it.value}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.skipIf(!present.vpc_flow)(`vpc_flow: the exfiltrated bytes per destination add up${skipNote('vpc_flow')}`, async () => {
    for (const x of exp.exfiltration) {
      const [{ bytes }] = await query<{ bytes: number }>(
        casePath,
        `SELECT sum(coalesce(e.bytes_out, 0) + coalesce(e.bytes_in, 0))::BIGINT AS bytes FROM events e JOIN evidence v USING (evidence_id)
         WHERE v.path LIKE '%/vpcflowlogs/%' AND e.dst_ip = $dst AND starts_with(e.src_ip, '10.0.')`,
        { dst: x.dst_ip },
      );
      expect(Number(bytes)).toBe(x.bytes);
    }
  });

  it('dates the year-less auth logs across New Year correctly', async () => {
    const r = await query<{ ts: string }>(
      casePath,
      `SELECT strftime(e.ts, '%Y-%m-%dT%H:%M:%SZ') AS ts FROM events e JOIN evidence v USING (evidence_id)
       WHERE v.path LIKE '%bastion-01/var/log/auth.log' AND contains(e.raw, 'Accepted password for deploy from 203.0.113.77') ORDER BY e.ts LIMIT 1`,
    );
    expect(r[0]?.ts).toBe(exp.answers.initial_access_at);
  });
});

function relative(path: string): string {
  const i = path.indexOf('/evidence/');
  return i >= 0 ? path.slice(i + '/evidence/'.length) : path;
}

function pathPattern(source: Family): string {
  switch (source) {
    case 'auth_log':
      return '/var/log/(auth\\.log|secure)';
    case 'postgresql':
      return '/var/log/postgresql/';
    case 'cloudtrail':
      return '/CloudTrail/';
    case 'vpc_flow':
      return '/vpcflowlogs/';
    case 'zeek_conn':
      return '/zeek/';
  }
}
