import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { compileThreshold, loadRules, parseRule, RuleError } from '../../src/correlate/rules.js';
import { installSqlVocabulary } from '../../src/correlate/sql-vocabulary.js';
import { ROOT } from '../helpers/cli.js';
import { parseCsv } from '../helpers/corpus.js';

const TECHNIQUES = join(ROOT, '..', 'shared', 'specs', 'attack-techniques', 'enterprise-techniques.csv');

describe('detection rules', () => {
  const rules = loadRules();

  it('load, with unique ids and complete headers', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const r of rules) {
      expect(r.title.length, r.id).toBeGreaterThanOrEqual(10);
      expect(r.falsePositives.length, `${r.id} names its false positives`).toBeGreaterThan(5);
    }
  });

  it.skipIf(!existsSync(TECHNIQUES))('name active ATT&CK v18 techniques under one of their own tactics', () => {
    const rows = parseCsv(readFileSync(TECHNIQUES, 'utf8'));
    const header = rows.shift()!;
    const col = (r: string[], n: string) => r[header.indexOf(n)]!;
    const known = new Map(rows.map((r) => [col(r, 'technique_id'), { tactics: col(r, 'tactics').split('|'), revoked: col(r, 'revoked') === 'true', deprecated: col(r, 'deprecated') === 'true' }]));
    for (const r of rules) {
      const t = known.get(r.technique);
      expect(t, `${r.id}: ${r.technique} exists`).toBeDefined();
      expect(t!.revoked || t!.deprecated, `${r.id}: ${r.technique} is active`).toBe(false);
      expect(t!.tactics, `${r.id}: tactic ${r.tactic}`).toContain(r.tactic);
    }
  });

  it('compile to SQL DuckDB accepts', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const { SCHEMA_SQL } = await import('../../src/store/schema.js');
    for (const sql of SCHEMA_SQL) await c.run(sql);
    await installSqlVocabulary(c);
    for (const r of rules) {
      const sql = r.sql.replaceAll('$sensitive_tables', "['public.customers']").replaceAll('$sensitive_buckets', "['b']");
      await expect(c.run(`SELECT * FROM (\n${sql}\n) LIMIT 0`), r.id).resolves.toBeDefined();
    }
    c.closeSync();
  });

  it('refuse a header without a technique, an unknown phase, and unsafe params', () => {
    const base = '-- id: access.x\n-- title: t\n-- phase: access\n-- tactic: credential-access\n-- technique: T1110\n-- level: low\n-- entity: ip\nSELECT 1 AS event_id, 1 AS hit_key';
    expect(() => parseRule(base.replace('-- technique: T1110\n', ''), 'x.sql')).toThrow(RuleError);
    expect(() => parseRule(base.replace('phase: access', 'phase: lunch'), 'x.sql')).toThrow(/unknown phase/);
    expect(() => parseRule(base + '\n-- params: n=1;DROP', 'x.sql')).not.toThrow(); // a comment line after the body is SQL, not a header
    expect(() => parseRule(base.replace('-- entity: ip', "-- entity: ip\n-- params: n=1';DROP"), 'x.sql')).toThrow(/bad param/);
    expect(() => parseRule(base.replace('SELECT 1', 'SELECT {{vocab.no_such_group}}'), 'x.sql')).toThrow(/not in the vocabulary/);
    expect(parseRule(base.replace('SELECT 1 AS event_id', "SELECT 1 AS event_id WHERE 'ssh_login' IN {{vocab.remote_login}}"), 'x.sql').sql).toContain("IN ('ssh_login', 'telnet_login')");
  });
});

describe('threshold rules', () => {
  it('flag the events inside a window that reaches the count, per key', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`CREATE TABLE events AS SELECT i AS event_id, TIMESTAMP '2026-01-01' + to_seconds(CASE WHEN i < 5 THEN i * 10 ELSE 3600 + i * 600 END) AS ts,
                   CASE WHEN i < 8 THEN '203.0.113.7' ELSE '198.51.100.1' END AS src_ip, 'u' || (i % 3) AS actor FROM range(10) r(i)`);
    const sql = compileThreshold({ where: 'true', groupBy: 'src_ip', window: '1 minute', min: 5 });
    const r = await c.runAndReadAll(`SELECT event_id, hit_key FROM (${sql}) ORDER BY event_id`);
    expect(r.getRowObjectsJS().map((x) => Number(x.event_id))).toEqual([0, 1, 2, 3, 4]);
    const distinct = compileThreshold({ where: 'true', groupBy: 'src_ip', window: '1 minute', min: 3, countDistinct: 'actor' });
    const d = await c.runAndReadAll(`SELECT count(*) AS n FROM (${distinct})`);
    expect(Number(d.getRowObjectsJS()[0]!.n)).toBe(5);
    c.closeSync();
  });

  it('reject windows and counts that are not plain', () => {
    expect(() => compileThreshold({ where: 'true', groupBy: 'x', window: "1 minute'; DROP TABLE events; --", min: 1 })).toThrow(RuleError);
    expect(() => compileThreshold({ where: 'true', groupBy: 'x', window: '1 minute', min: 0 })).toThrow(RuleError);
  });
});
