/**
 * `dwell hunt` end to end with the built CLI: rules from a folder over a case ingested from the
 * fixtures; hits listed and stored with title, level and author; the TUI's detail and the
 * detections export show them; --min-level and --disable; a malformed rule → exit 1 while the
 * others run; cases made before these columns existed still open.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { DuckDbSource } from '../../src/tui/data/duckdb-source.js';
import { detailLines } from '../../src/tui/components/DetailView.js';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { uid } from './helpers/mini.js';

const TRAIL = `title: CloudTrail trail tampering
id: ${uid(101)}
status: test
level: high
author: Jane Analyst (@jane)
tags:
    - attack.defense-evasion
    - attack.t1562.008
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
            - UpdateTrail
    condition: selection
`;
const DNS = `title: Queries for an exfiltration domain
id: ${uid(102)}
status: test
level: low
author: Joe Hunter
tags:
    - attack.exfiltration
    - attack.t1048
logsource:
    product: zeek
    service: dns
detection:
    selection:
        query|endswith: '.exfil.example'
        answers: ok
    condition: selection
`;
const BROKEN = `title: broken
id: ${uid(103)}
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName|startwith: X
    condition: selection
`;

describe('dwell hunt', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let rules: string;

  beforeAll(async () => {
    tmp = tempDir('dwell-hunt-');
    casePath = join(tmp.path, 'case.duckdb');
    rules = join(tmp.path, 'rules');
    mkdirSync(join(rules, 'cloud'), { recursive: true });
    writeFileSync(join(rules, 'cloud', 'trail.yml'), TRAIL);
    writeFileSync(join(rules, 'dns.yaml'), DNS);
    const r = await dwell(['ingest', '-q', '--case', casePath, join(ROOT, 'fixtures', 'cloudtrail', 'arrays'), join(ROOT, 'fixtures', 'netflow', 'zeek', 'dns.log')]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => tmp?.cleanup());

  it('lists the hits with level, title and author, and stores them as detections', async () => {
    const r = await dwell(['hunt', '--case', casePath, '--sigma', rules]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Hunt #\d+: 2 Sigma document\(s\) in 2 file\(s\); 2 rule\(s\) ran, 2 hit\./);
    expect(r.stdout).toMatch(/high\s+1\s+2026-03-02T01:09:12Z\s+2026-03-02T01:09:12Z\s+CloudTrail trail tampering — Jane Analyst \(@jane\) \[00000000-0000-4000-8000-000000000101\]/);
    expect(r.stdout).toMatch(/low\s+1\s+.*Queries for an exfiltration domain — Joe Hunter/);
    const rows = await query(casePath, `SELECT rule_id, title, level, author, tags, engine, technique, phase, rule_file FROM detections WHERE engine = 'sigma' ORDER BY rule_id`);
    expect(rows).toEqual([
      { rule_id: uid(101), title: 'CloudTrail trail tampering', level: 'high', author: 'Jane Analyst (@jane)', tags: ['attack.defense-evasion', 'attack.t1562.008'], engine: 'sigma', technique: 'T1562.008', phase: 'actions', rule_file: join(rules, 'cloud', 'trail.yml') },
      { rule_id: uid(102), title: 'Queries for an exfiltration domain', level: 'low', author: 'Joe Hunter', tags: ['attack.exfiltration', 'attack.t1048'], engine: 'sigma', technique: 'T1048', phase: 'exfiltration', rule_file: join(rules, 'dns.yaml') },
    ]);
    const hunts = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM hunts`);
    expect(hunts[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('shows the hits in the TUI detail and in the detections export, author included', async () => {
    const [ev] = await query<{ event_id: number }>(casePath, `SELECT event_id FROM detections WHERE rule_id = $r LIMIT 1`, { r: uid(101) });
    const src = await DuckDbSource.open(casePath);
    try {
      const d = (await src.detail(ev!.event_id))!;
      expect(d.detections).toEqual([{ ruleId: uid(101), title: 'CloudTrail trail tampering', level: 'high', author: 'Jane Analyst (@jane)', engine: 'sigma' }]);
      const text = detailLines(d, { state: 'idle' }, null, 160).map((l) => l.text);
      expect(text).toContain('detections');
      expect(text.some((l) => /high\s+CloudTrail trail tampering — Jane Analyst \(@jane\)\s+\[00000000-0000-4000-8000-000000000101, sigma\]/.test(l))).toBe(true);
    } finally {
      src.close();
    }
    const csv = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('run,run_id,engine,rule_id,title,level,author,tags,technique,phase,hit_key,ts,event_id,source,host,action,actor,src_ip,dst_ip,summary,evidence_path,evidence_sha256,line,rule_file');
    expect(lines.filter((l) => l.includes('CloudTrail trail tampering,high,Jane Analyst (@jane),attack.defense-evasion attack.t1562.008,T1562.008'))).toHaveLength(1);
    const jsonl = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'jsonl']);
    const objs = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objs.map((o) => [o.run, o.engine, o.title, o.author, o.evidence_path.split('/').pop()]).sort()).toEqual([
      ['hunt', 'sigma', 'CloudTrail trail tampering', 'Jane Analyst (@jane)', 'delete-trail-denied.json'],
      ['hunt', 'sigma', 'Queries for an exfiltration domain', 'Joe Hunter', 'dns.log'],
    ]);
  });

  it('--min-level and --disable leave rules out, saying so; --json lists them', async () => {
    const r = await dwell(['hunt', '--case', casePath, '--sigma', rules, '--min-level', 'medium', '--disable', uid(101), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rules.filter((x: { reported: boolean }) => x.reported)).toEqual([]);
    expect(j.problems.map((p: { kind: string; rule_id: string; reason: string }) => [p.kind, p.rule_id, p.reason])).toEqual([
      ['skipped', uid(101), 'disabled (--disable)'],
      ['skipped', uid(102), 'level low is below --min-level medium'],
    ]);
    const n = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM detections WHERE findings_id = $h`, { h: j.hunt_id });
    expect(n[0]!.n).toBe(0);
  });

  it('a malformed rule: exit 1, named with its file, id and reason; the others still run', async () => {
    writeFileSync(join(rules, 'broken.yml'), BROKEN);
    try {
      const r = await dwell(['hunt', '--case', casePath, '--sigma', rules]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/2 rule\(s\) ran, 2 hit/);
      expect(r.stdout).toMatch(/Rejected \(malformed; fix the rule\):\n  .*broken\.yml \[00000000-0000-4000-8000-000000000103\]: unknown value modifier "startwith" in "eventName\|startwith"/);
    } finally {
      writeFileSync(join(rules, 'broken.yml'), TRAIL.replace(uid(101), uid(104)));
    }
  });

  it('no rule file, or no case: exit 2 with a hint', async () => {
    const empty = join(tmp.path, 'empty');
    mkdirSync(empty);
    let r = await dwell(['hunt', '--case', casePath, '--sigma', empty]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^error: no Sigma rule files \(\.yml, \.yaml\) in .*\n help: point --sigma at/)]);
    r = await dwell(['hunt', '--case', join(tmp.path, 'nope.duckdb'), '--sigma', rules]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^error: case .*nope\.duckdb does not exist/)]);
    r = await dwell(['hunt', '--help']);
    expect(r.stdout).toMatch(/--sigma <path>[\s\S]*--placeholder <name=values>[\s\S]*--min-level <level>[\s\S]*--disable <rule>/);
  });

  it('a case made before detections had titles opens: read-only readers cope, a write adds the columns', async () => {
    const old = join(tmp.path, 'old.duckdb');
    const r = await dwell(['ingest', '-q', '--case', old, join(ROOT, 'fixtures', 'cloudtrail')]);
    expect(r.code, r.stderr).toBe(0);
    const c = await dwell(['correlate', '--case', old, '--auto']);
    expect(c.code, c.stderr).toBe(0);
    // Back to the schema of before: no title/author/tags/engine/rule_file, no hunts table.
    const db = await CaseDb.open(old);
    for (const col of ['title', 'author', 'tags', 'engine', 'rule_file']) await db.run(`ALTER TABLE detections DROP COLUMN ${col}`);
    await db.run('DROP TABLE hunts');
    db.close();
    const csv = await dwell(['export', '--case', old, '--what', 'detections', '--format', 'jsonl']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    // dwell's own rules: titles from the rule files, engine dwell.
    for (const row of rows) expect([row.engine, typeof row.title, row.author]).toEqual(['dwell', 'string', null]);
    const h = await dwell(['hunt', '--case', old, '--sigma', join(rules, 'cloud')]);
    expect(h.code, h.stderr).toBe(0);
    const cols = await query<{ n: number }>(old, `SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'detections' AND column_name IN ('title', 'author', 'tags', 'engine', 'rule_file')`);
    expect(cols[0]!.n).toBe(5);
    // Ingest, correlate, export and hunt in a row: 25-50 s alone on a loaded machine.
  }, 180_000);
});
