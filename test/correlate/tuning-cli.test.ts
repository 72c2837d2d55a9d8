/**
 * Issue 17's case, end to end with the real CLI: a vertical scan of 44 ports stays under
 * recon.port_scan's default of 50; `--rule-param recon.port_scan.ports=40` finds it. Rules of one's
 * own (`--rules DIR`), `--disable`, `--min-level` on correlate and on the exports, `dwell rules
 * list`, and the report showing the newest Sigma hunt's hits with their author.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { expectValidFindings } from '../helpers/findings-schema.js';

const tmp = tempDir();
const casePath = join(tmp.path, 'case.duckdb');
const SCANNER = '198.51.100.66';
const T0 = 1767320000; // 2026-01-02T02:13:20Z

/** 44 refused probes to 44 ports of one host in 88 s, then an accepted telnet session. */
function conn(): string {
  const lines = [];
  for (let i = 0; i < 44; i++) {
    lines.push({ ts: T0 + i * 2, uid: `Cscan${i}`, 'id.orig_h': SCANNER, 'id.orig_p': 40000 + i, 'id.resp_h': '10.0.1.25', 'id.resp_p': 1000 + i, proto: 'tcp', conn_state: 'REJ', orig_bytes: 0, resp_bytes: 0 });
  }
  lines.push({ ts: T0 + 200, uid: 'Ctelnet', 'id.orig_h': SCANNER, 'id.orig_p': 41000, 'id.resp_h': '10.0.1.25', 'id.resp_p': 23, proto: 'tcp', conn_state: 'SF', orig_bytes: 100, resp_bytes: 100 });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

const TELNET_RULE = `-- id: access.telnet_login
-- title: Telnet session accepted
-- phase: access
-- tactic: lateral-movement
-- technique: T1021
-- level: low
-- entity: ip
-- params: port=23
-- false_positives: lab equipment
SELECT event_id, src_ip AS hit_key FROM events WHERE class = 'network_activity' AND action = 'flow' AND dst_port = {{port}} AND outcome = 'success'
`;

const SIGMA = `title: Telnet to an internal host
id: 5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11
status: test
author: Jane Doe
date: 2026-01-01
tags: [attack.lateral-movement, attack.t1021]
logsource: { product: zeek, service: conn }
detection:
  selection:
    id.resp_p: 23
  condition: selection
level: low
`;

const rulesDir = join(tmp.path, 'my-rules');
const correlate = (...extra: string[]) => dwell(['correlate', '--case', casePath, '--seed', `ip:${SCANNER}`, '--json', ...extra]);
const hitsOf = (f: { detections: { rule_id: string; hits: number }[] }, id: string) => f.detections.find((d) => d.rule_id === id)?.hits;
const findingsCount = async () => Number((await query<{ n: number }>(casePath, 'SELECT count(*) AS n FROM findings'))[0]!.n);

beforeAll(async () => {
  writeFileSync(join(tmp.path, 'conn.json'), conn());
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'telnet.sql'), TELNET_RULE);
  writeFileSync(join(tmp.path, 'telnet.yml'), SIGMA);
  const r = await dwell(['ingest', '--case', casePath, '-q', join(tmp.path, 'conn.json')]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => tmp.cleanup());

describe('dwell correlate with tuned rules', () => {
  it('a 44-port scan: missed at the default threshold of 50, found with --rule-param recon.port_scan.ports=40', async () => {
    const plain = await correlate();
    expect(plain.code, plain.stderr).toBe(0);
    const f0 = JSON.parse(plain.stdout);
    expect(hitsOf(f0, 'recon.port_scan') ?? 0).toBe(0);
    expect(f0.parameters.rules).toBeUndefined();

    const tuned = await correlate('--rule-param', 'recon.port_scan.ports=40');
    expect(tuned.code, tuned.stderr).toBe(0);
    const f = JSON.parse(tuned.stdout);
    expectValidFindings(f);
    expect(hitsOf(f, 'recon.port_scan')).toBeGreaterThanOrEqual(44);
    expect(f.parameters.rules).toEqual({ dirs: [], params: { 'recon.port_scan.ports': '40' }, disabled: [], min_level: null });
    expect(f.phases.find((p: { phase: string }) => p.phase === 'recon')).toBeDefined();
  }, 180_000);

  it('--rules DIR runs rules of one\'s own; their hits carry title, engine and file in the detections export', async () => {
    const r = await correlate('--rules', rulesDir);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expectValidFindings(f);
    expect(f.detections.find((d: { rule_id: string }) => d.rule_id === 'access.telnet_login')).toMatchObject({ title: 'Telnet session accepted', hits: 1, level: 'low' });
    const ex = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'jsonl']);
    expect(ex.code, ex.stderr).toBe(0);
    const rows = ex.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const mine = rows.find((x) => x.rule_id === 'access.telnet_login');
    expect(mine).toMatchObject({ engine: 'dwell', title: 'Telnet session accepted', tags: 'attack.lateral-movement attack.t1021', rule_file: join(rulesDir, 'telnet.sql'), dst_ip: '10.0.1.25' });
    // dwell's own rules: the file relative to the package, not the machine's path.
    const own = await query<{ rule_file: string; title: string }>(casePath, `SELECT rule_file, title FROM detections WHERE rule_id = 'recon.port_scan' LIMIT 1`);
    expect(own[0]).toEqual({ rule_file: 'src/correlate/rules/network/port-scan.sql', title: 'Port scan: many ports or hosts probed from one address, mostly refused' });
  }, 180_000);

  it('--disable and --min-level leave rules out, in the findings and in a note', async () => {
    const r = await correlate('--rule-param', 'recon.port_scan.ports=40', '--disable', 'recon.port_scan', '--min-level', 'medium');
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expectValidFindings(f);
    expect(hitsOf(f, 'recon.port_scan')).toBeUndefined();
    for (const d of f.detections) expect(['medium', 'high', 'critical']).toContain(d.level);
    expect(f.notes.join('\n')).toMatch(/rule\(s\) not run: .*recon\.port_scan \(disabled \(--disable\)\).*recon\.ssh_probe \(level low is below --min-level medium\)/);
    expect(f.parameters.rules).toMatchObject({ disabled: ['recon.port_scan'], min_level: 'medium' });
  }, 180_000);

  it('a typo in a rule id or param: exit 2 naming it, nothing stored', async () => {
    const before = await findingsCount();
    const a = await correlate('--rule-param', 'recon.port_scan.port=40');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/error: --rule-param recon\.port_scan\.port: rule recon\.port_scan has no param "port" \(its params: ports, window_minutes, days\)/);
    const b = await correlate('--disable', 'recon.portscan');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--disable recon\.portscan: no such rule \(did you mean recon\.port_scan/);
    const c = await correlate('--rule-param', "recon.port_scan.ports=1 OR 1=1");
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/expected a number/);
    expect(await findingsCount()).toBe(before);
  }, 180_000);
});

describe('the exports and the report', () => {
  beforeAll(async () => {
    const c = await correlate('--rule-param', 'recon.port_scan.ports=40', '--rules', rulesDir);
    expect(c.code, c.stderr).toBe(0);
    const h = await dwell(['hunt', '--case', casePath, '--sigma', join(tmp.path, 'telnet.yml')]);
    expect(h.code, h.stderr).toBe(0);
  }, 240_000);

  it('--what detections takes --min-level and --disable; other exports refuse them', async () => {
    const all = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'jsonl']);
    const ids = (out: string) => new Set(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).rule_id as string));
    expect(ids(all.stdout)).toEqual(new Set(['recon.port_scan', 'access.telnet_login', '5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11']));
    const medium = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'jsonl', '--min-level', 'medium']);
    expect(ids(medium.stdout)).toEqual(new Set(['recon.port_scan']));
    const disabled = await dwell(['export', '--case', casePath, '--what', 'detections', '--format', 'jsonl', '--disable', 'recon.port_scan', '--disable', '5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11']);
    expect(ids(disabled.stdout)).toEqual(new Set(['access.telnet_login']));
    const refused = await dwell(['export', '--case', casePath, '--what', 'timeline', '--format', 'csv', '--min-level', 'high']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--min-level and --disable apply to --what detections and findings/);
  }, 120_000);

  it('the report lists the Sigma hunt\'s hits with title, level and author; --min-level filters both lists', async () => {
    const md = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/## Hunt #\d+ \([^)]*\): rules that hit/);
    expect(md.stdout).toMatch(/\| 5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11 \| Telnet to an internal host \| low \| Jane Doe \| 1 \|/);
    expect(md.stdout).toMatch(/\| access\.telnet_login \| Telnet session accepted \|/);
    const high = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md', '--min-level', 'medium']);
    expect(high.stdout).not.toMatch(/Jane Doe/);
    expect(high.stdout).not.toMatch(/access\.telnet_login/);
    expect(high.stdout).toMatch(/1 more rule\(s\) hit, left out by --min-level/);
    expect(high.stdout).toMatch(/\| recon\.port_scan \|/);
    const json = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'json', '--disable', 'recon.port_scan']);
    const f = JSON.parse(json.stdout);
    expect(f.detections.map((d: { rule_id: string }) => d.rule_id)).not.toContain('recon.port_scan');
    expect(f.detections.map((d: { rule_id: string }) => d.rule_id)).toContain('access.telnet_login');
  }, 120_000);
});

describe('dwell rules list', () => {
  it('prints every rule with level, ATT&CK, params (tuned beside the default), title and file; marks what would not run', async () => {
    const r = await dwell(['rules', 'list', '--rules', rulesDir, '--rule-param', 'recon.port_scan.ports=40', '--min-level', 'medium']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ recon\.port_scan +medium +T1595\.001 reconnaissance +ports=40 \(default 50\) window_minutes=10 days=3 +Port scan: .*\(src\/correlate\/rules\/network\/port-scan\.sql\)$/m);
    expect(r.stdout).toMatch(/^-access\.telnet_login +low +T1021 lateral-movement +port=23 +Telnet session accepted +\(.*my-rules\/telnet\.sql\)$/m);
    expect(r.stdout).toMatch(/run\. Not run \(-\): .*access\.telnet_login: level low is below --min-level medium/);
    const json = JSON.parse((await dwell(['rules', 'list', '--format', 'json'])).stdout);
    expect(json.find((x: { id: string }) => x.id === 'recon.port_scan')).toMatchObject({ level: 'medium', technique: 'T1595.001', tactic: 'reconnaissance', params: { ports: '50' }, defaults: { ports: '50' }, file: 'src/correlate/rules/network/port-scan.sql', runs: true });
    const md = await dwell(['rules', 'list', '--format', 'markdown']);
    expect(md.stdout).toMatch(/^\| rule \| phase \| ATT&CK \| level \| params \| what \| false positives \|$/m);
    const help = await dwell(['rules', 'list', '--help']);
    expect(help.stdout).toMatch(/--rule-param/);
    const bad = await dwell(['rules', 'list', '--rule-param', 'recon.port_scan.ports=x']);
    expect(bad.code).toBe(2);
  }, 120_000);
});

describe('dwell hunt --rules', () => {
  it('runs the rules of a folder in dwell\'s format beside Sigma rules, tunable; dwell\'s own rules are not tuned there', async () => {
    const r = await dwell(['hunt', '--case', casePath, '--rules', rulesDir, '--sigma', join(tmp.path, 'telnet.yml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1 rule\(s\) of --rules ran, 1 hit\.$/m);
    expect(r.stdout).toMatch(/^low +1 +2026-01-02T02:16:40Z +2026-01-02T02:16:40Z +Telnet session accepted — dwell rule .*telnet\.sql \[access\.telnet_login\]$/m);
    const tuned = JSON.parse((await dwell(['hunt', '--case', casePath, '--rules', rulesDir, '--rule-param', 'access.telnet_login.port=1000', '--json'])).stdout);
    expect(tuned.dwell_rules).toMatchObject([{ rule_id: 'access.telnet_login', params: { port: '1000' }, hits: 0 }]);
    const own = await dwell(['hunt', '--case', casePath, '--rules', rulesDir, '--rule-param', 'recon.port_scan.ports=3']);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/--rule-param recon\.port_scan: not a rule of the --rules folders/);
  }, 120_000);
});

describe('dwell correlate --sigma', () => {
  it('runs Sigma rules beside dwell\'s: hits stored and reported with title, level and author, the footprint unchanged', async () => {
    const plain = JSON.parse((await correlate('--rule-param', 'recon.port_scan.ports=40')).stdout);
    const r = await correlate('--rule-param', 'recon.port_scan.ports=40', '--sigma', join(tmp.path, 'telnet.yml'));
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expectValidFindings(f);
    expect(r.stderr).toMatch(/^Sigma: 1 rule\(s\) ran, 1 hit/m);
    expect(r.stderr).toMatch(/low 1 Telnet to an internal host — Jane Doe \[5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11\]/);
    expect(f.parameters.rules.sigma).toEqual([join(tmp.path, 'telnet.yml')]);
    expect(f.notes.join('\n')).toMatch(/Sigma rule "Telnet to an internal host" \(low, by Jane Doe\) hit 1 event\(s\)/);
    // Reported only: the attacker's timeline is the one dwell's rules give.
    expect(f.timeline.map((t: { event_ids?: number[]; ts: string }) => t.ts)).toEqual(plain.timeline.map((t: { ts: string }) => t.ts));
    const stored = await query<{ engine: string; author: string; n: number }>(
      casePath,
      `SELECT engine, author, count(*)::INTEGER AS n FROM detections WHERE findings_id = (SELECT max(findings_id) FROM findings) AND engine = 'sigma' GROUP BY ALL`,
    );
    expect(stored).toEqual([{ engine: 'sigma', author: 'Jane Doe', n: 1 }]);
    const md = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'md']);
    expect(md.stdout).toMatch(/## Sigma rules run with findings #\d+: rules that hit[\s\S]*\| 5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11 \| Telnet to an internal host \| low \| Jane Doe \| 1 \|/);
    // --disable takes a Sigma rule's id too (and still refuses ids nobody has).
    const off = await correlate('--sigma', join(tmp.path, 'telnet.yml'), '--disable', '5b0c8e32-6f1e-4d7c-9a55-1f0f3c7f2a11');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/^Sigma: 0 rule\(s\) ran/m);
    const typo = await correlate('--sigma', join(tmp.path, 'telnet.yml'), '--disable', '5b0c8e32');
    expect(typo.code).toBe(2);
  }, 240_000);
});
