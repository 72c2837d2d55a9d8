/**
 * Parquet: the export reads back with DuckDB as one hive-partitioned table per folder
 * (`read_parquet('DIR/events/**' + '/*.parquet', hive_partitioning = true)`), with the same rows,
 * columns and values as the case, partitioned source=…/date=…; the findings tables come along; the
 * filters apply; an existing export is not overwritten without --overwrite.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../../src/core/event.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { caseWithFindings } from './helpers.js';

async function duck<T = Record<string, any>>(sql: string): Promise<T[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

describe('parquet export', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let out: string;

  beforeAll(async () => {
    tmp = tempDir('dwell-parquet-');
    casePath = await caseWithFindings(tmp.path);
    out = join(tmp.path, 'lake');
    const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => tmp?.cleanup());

  const table = (name: string) => `read_parquet(${lit(join(out, name, '**', '*.parquet'))}, hive_partitioning = true)`;
  const caseTable = (name: string) => `(SELECT * FROM db.${name})`;
  const attach = () => `ATTACH ${lit(casePath)} AS db (READ_ONLY);`;

  it('writes source=…/date=… partitions that DuckDB reads as one table with every event, column and value', async () => {
    const sources = readdirSync(join(out, 'events'));
    expect(sources).toEqual(['source=auth_log']);
    expect(readdirSync(join(out, 'events', sources[0]!)).every((d) => /^date=\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    const cols = await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${table('events')}`);
    const names = cols.map((c) => c.column_name);
    expect(names.sort()).toEqual([...EVENT_COLUMNS.map(([n]) => n), 'date'].sort());
    expect(cols.find((c) => c.column_name === 'date')!.column_type).toBe('DATE');
    expect(cols.find((c) => c.column_name === 'ts')!.column_type).toBe('TIMESTAMP');
    const [counts] = await duck(`${attach()} SELECT (SELECT count(*) FROM ${table('events')}) AS lake, (SELECT count(*) FROM db.events) AS cased`);
    expect(Number(counts!.lake)).toBe(Number(counts!.cased));
    // Same rows, value for value (attrs compared as text), both ways.
    const sel = EVENT_COLUMNS.map(([n, t]) => (t === 'JSON' ? `CAST("${n}" AS VARCHAR) AS "${n}"` : `"${n}"`)).join(', ');
    const [diff] = await duck(
      `${attach()} SELECT (SELECT count(*) FROM (SELECT ${sel} FROM ${table('events')} EXCEPT ALL SELECT ${sel} FROM db.events)) AS a,
                        (SELECT count(*) FROM (SELECT ${sel} FROM db.events EXCEPT ALL SELECT ${sel} FROM ${table('events')})) AS b,
                        (SELECT count(*) FROM ${table('events')} WHERE "date" <> CAST(ts AS DATE)) AS bad_dates`,
    );
    expect(diff).toEqual({ a: 0n, b: 0n, bad_dates: 0n });
  });

  it('brings the findings: attack_events and detections partitioned the same way, findings and evidence whole', async () => {
    for (const t of ['attack_events', 'detections']) {
      const [r] = await duck(`${attach()} SELECT (SELECT count(*) FROM ${table(t)}) AS lake, (SELECT count(*) FROM ${caseTable(t)}) AS cased`);
      expect(Number(r!.lake), t).toBe(Number(r!.cased));
      expect(Number(r!.lake), t).toBeGreaterThan(0);
    }
    const [f] = await duck(`SELECT findings_id, json_extract_string(body, '$.schema') AS schema FROM read_parquet(${lit(join(out, 'findings', 'findings.parquet'))})`);
    expect(f).toEqual({ findings_id: 1, schema: 'dwell.findings/v1' });
    const ev = await duck(`SELECT path, sha256 FROM read_parquet(${lit(join(out, 'evidence', 'evidence.parquet'))}) WHERE status = 'ingested'`);
    expect(ev.length).toBe(4);
    // The correlation query runs on the lake: the attacker's events joined back to the events table.
    const [j] = await duck(`SELECT count(*) AS n FROM ${table('attack_events')} a JOIN ${table('events')} e USING (event_id, source, "date") WHERE a.phase = 'access' AND e.src_ip = '203.0.113.77'`);
    expect(Number(j!.n)).toBeGreaterThan(0);
  });

  it('applies the filters, and --what attack writes the attacker’s events with phase and technique', async () => {
    const f = join(tmp.path, 'filtered');
    let r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', f, '--host', 'web-01', '--from', '2026-01-02']);
    expect(r.code, r.stderr).toBe(0);
    const [c] = await duck(`${attach()} SELECT (SELECT count(*) FROM read_parquet(${lit(join(f, 'events', '**', '*.parquet'))}, hive_partitioning = true)) AS lake,
      (SELECT count(*) FROM db.events WHERE host = 'web-01' AND ts >= TIMESTAMP '2026-01-02') AS cased`);
    expect(Number(c!.lake)).toBe(Number(c!.cased));
    const a = join(tmp.path, 'attack');
    r = await dwell(['export', '--case', casePath, '--what', 'attack', '--format', 'parquet', '-o', a]);
    expect(r.code, r.stderr).toBe(0);
    const [x] = await duck(`${attach()} SELECT (SELECT count(*) FROM read_parquet(${lit(join(a, 'attack', '**', '*.parquet'))}, hive_partitioning = true) WHERE phase IS NOT NULL) AS lake,
      (SELECT count(*) FROM db.attack_events WHERE findings_id = 1) AS cased`);
    expect(Number(x!.lake)).toBe(Number(x!.cased));
  });

  it('does not overwrite an export without --overwrite, and --overwrite touches only its own folders', async () => {
    const d = join(tmp.path, 'again');
    expect((await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', d])).code).toBe(0);
    writeFileSync(join(d, 'README.txt'), 'notes of the analyst');
    let r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds an export .*--overwrite/s);
    r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', d, '--overwrite', '--source', 'nothing']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(d, 'README.txt'))).toBe(true);
    expect(existsSync(join(d, 'events', 'source=auth_log'))).toBe(false);
  });
});
