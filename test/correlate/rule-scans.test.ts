/**
 * Rule scans (rule-scans.ts) keep every row and column their rules read: each rule naming a scan
 * returns the same hits over the scan's table as over the whole case, on the demo scenario (auth,
 * CloudTrail, PostgreSQL and network evidence, with hits for most rules). A scan that dropped rows
 * or a column a rule needs fails here (see the last test).
 */
import { join } from 'node:path';
import { DuckDBInstance, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, type Rule } from '../../src/correlate/rules.js';
import { RULE_SCANS, scanSql, scanTable, type RuleScan } from '../../src/correlate/rule-scans.js';
import { installSqlVocabulary } from '../../src/correlate/sql-vocabulary.js';
import { tempDir } from '../helpers/cli.js';
import { sharedScenarioCase } from '../helpers/shared-cases.js';
import { copySharedCase } from '../helpers/shared-fixture.js';

const tmp = tempDir();
let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  const shared = await sharedScenarioCase();
  expect(shared.run.code, shared.run.stderr).toBe(0);
  const casePath = join(tmp.path, 'scenario.duckdb');
  copySharedCase(shared.casePath, casePath);
  db = await DuckDBInstance.create(casePath);
  conn = await db.connect();
  await installSqlVocabulary(conn);
}, 600_000);
afterAll(() => {
  conn?.closeSync();
  db?.closeSync();
  tmp.cleanup();
});

/** The rule's (event_id, hit_key) pairs, sorted, with `events` read from `source`. */
async function hits(rule: Rule, source: string): Promise<string[]> {
  const shadow = source === 'main.events' ? '' : `WITH events AS NOT MATERIALIZED (SELECT * FROM ${source})\n`;
  const r = await conn.runAndReadAll(
    `${shadow}SELECT DISTINCT event_id::BIGINT AS e, CAST(hit_key AS VARCHAR) AS k FROM (\n${rule.sql}\n) ORDER BY e, k`,
    rule.sql.includes('$sensitive_tables') ? { sensitive_tables: listValue(['public.customers']) } : {},
    rule.sql.includes('$sensitive_tables') ? { sensitive_tables: LIST(VARCHAR) } : {},
  );
  return r.getRows().map(([e, k]) => `${e}\t${k}`);
}

async function compareScan(scan: RuleScan): Promise<{ rule: string; whole: number; scanned: number; same: boolean }[]> {
  await conn.run(scanSql(scan, 'main.events'));
  const out = [];
  for (const rule of loadRules().filter((r) => r.scan === scan.name)) {
    const whole = await hits(rule, 'main.events');
    const scanned = await hits(rule, scanTable(scan.name));
    out.push({ rule: rule.id, whole: whole.length, scanned: scanned.length, same: JSON.stringify(whole) === JSON.stringify(scanned) });
  }
  return out;
}

describe('rule scans', { timeout: 300_000 }, () => {
  it('every rule of the auth, cloud and db groups names its scan', () => {
    for (const r of loadRules()) {
      const group = /rules\/(auth|cloud|db|network)\//.exec(r.file.split('\\').join('/'))?.[1];
      expect(r.scan, r.id).toBe(group === 'network' ? null : group);
    }
  });

  it('auth: every action an auth rule selects on is kept by the scan (a rule on a new action must extend it)', () => {
    // The scenario exercises most rules, not every action: this catches a rule added on an action
    // the scan leaves out before any evidence does (its hits would be silently empty).
    const auth = RULE_SCANS.find((s) => s.name === 'auth')!;
    const kept = new Set(auth.branches.map((b) => /^action = '([^']*)'$/.exec(b)?.[1]));
    const rules = loadRules().filter((r) => r.scan === 'auth');
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) {
      const sql = r.sql.replace(/--[^\n]*/g, '');
      const comparisons = [...sql.matchAll(/\baction\s*(=|<>|!=|\bNOT\s+IN\b|\bIN\b|\bLIKE\b|\bILIKE\b|~)\s*(\([^)]*\)|'[^']*')?/gi)];
      expect(comparisons.length, r.id).toBeGreaterThan(0);
      for (const m of comparisons) {
        // Only equalities and IN lists of literals say which rows a rule needs.
        expect(['=', 'IN'], `${r.id}: ${m[0]}`).toContain(m[1]!.toUpperCase());
        expect(m[2], `${r.id}: ${m[0]}`).toBeDefined();
        for (const [, action] of m[2]!.matchAll(/'([^']*)'/g)) expect(kept.has(action), `${r.id} selects on ${action}`).toBe(true);
      }
    }
  });

  for (const scan of RULE_SCANS) {
    it(`${scan.name}: each of its rules hits the same events with the same keys over the scan as over the whole case`, async () => {
      const results = await compareScan(scan);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.same)).toEqual([]);
      // The comparison means something only where rules fire.
      expect(results.filter((r) => r.whole > 0).length, JSON.stringify(results)).toBeGreaterThanOrEqual(2);
    });
  }

  it('a scan that leaves out rows its rules read is caught by the comparison', async () => {
    const auth = RULE_SCANS.find((s) => s.name === 'auth')!;
    const results = await compareScan({ ...auth, branches: auth.branches.filter((b) => !b.includes(`'ssh_login_failed'`)) });
    expect(results.filter((r) => !r.same).map((r) => r.rule)).toContain('access.ssh_bruteforce');
  });
});
