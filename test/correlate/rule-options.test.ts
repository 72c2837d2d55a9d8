/**
 * Tuning dwell's rules (issue 17): --rule-param reaches the rule's SQL and its threshold, typos and
 * unsafe values are refused with the rule and param named, --rules folders add rules (never
 * silently replace one), --disable and --min-level leave rules out and say why. The rule table of
 * docs/correlation.md is the one the rule headers give.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRuleParams, selectRules } from '../../src/correlate/rule-options.js';
import { ruleTable, spliceRuleTable, TABLE_BEGIN, TABLE_END } from '../../src/correlate/rule-table.js';
import { loadRules, RuleError } from '../../src/correlate/rules.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function ruleDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const TELNET = `-- id: access.telnet_login
-- title: Telnet session accepted
-- phase: access
-- tactic: initial-access
-- technique: T1021
-- level: low
-- entity: ip
-- params: port=23
-- false_positives: lab equipment
SELECT event_id, src_ip AS hit_key FROM events WHERE dst_port = {{port}}
`;

describe('--rule-param', () => {
  it('parses RULE.PARAM=VALUE and refuses anything else', () => {
    expect(parseRuleParams(['recon.port_scan.ports=40', 'recon.port_scan.days=2', 'access.ssh_bruteforce.failures=3'])).toEqual(
      new Map([
        ['recon.port_scan', { ports: '40', days: '2' }],
        ['access.ssh_bruteforce', { failures: '3' }],
      ]),
    );
    for (const bad of ['ports=40', 'recon.port_scan=40', 'recon.port_scan.ports', '=40', 'recon.port_scan.=40']) expect(() => parseRuleParams([bad]), bad).toThrow(/write RULE\.PARAM=VALUE/);
  });

  it('reaches the SQL of a rule and the threshold of a threshold rule; the default stays recorded', () => {
    const base = new Map(selectRules().rules.map((r) => [r.id, r]));
    const tuned = new Map(selectRules({ params: ['recon.port_scan.ports=40', 'access.ssh_bruteforce.failures=3'] }).rules.map((r) => [r.id, r]));
    const scan = tuned.get('recon.port_scan')!;
    expect(scan.params.ports).toBe('40');
    expect(scan.defaults.ports).toBe('50');
    expect(base.get('recon.port_scan')!.sql).toMatch(/count\(DISTINCT target\) >= 50/);
    expect(scan.sql).toMatch(/count\(DISTINCT target\) >= 40/);
    expect(scan.sql).not.toMatch(/>= 50/);
    // A threshold rule: `min: {{failures}}` is compiled into the window query.
    expect(tuned.get('access.ssh_bruteforce')!.kind).toBe('threshold');
    expect(base.get('access.ssh_bruteforce')!.sql).toMatch(/n >= 10\b/);
    expect(tuned.get('access.ssh_bruteforce')!.sql).toMatch(/n >= 3\b/);
    // Untouched rules are as before.
    expect(tuned.get('recon.ssh_probe')!.sql).toBe(base.get('recon.ssh_probe')!.sql);
  });

  it('refuses an unknown rule, an unknown param and a value that is not a plain number, naming them', () => {
    expect(() => selectRules({ params: ['recon.portscan.ports=40'] })).toThrow(/--rule-param recon\.portscan: no such rule \(did you mean recon\.port_scan/);
    expect(() => selectRules({ params: ['recon.port_scan.port=40'] })).toThrow(/rule recon\.port_scan has no param "port" \(its params: ports, window_minutes, days\)/);
    for (const v of ["40'; DROP TABLE events; --", '40 OR 1=1', '-1', '4e1', '', '40)']) {
      expect(() => selectRules({ params: [`recon.port_scan.ports=${v}`] }), v).toThrow(/expected a number ≥ 0 \(default 50\)/);
    }
  });
});

describe('--disable, --min-level, --rules', () => {
  it('leave rules out and say why; the choice is recorded', () => {
    const s = selectRules({ disable: ['recon.port_scan'], minLevel: 'high' });
    expect(s.rules.map((r) => r.id)).not.toContain('recon.port_scan');
    expect(s.rules.length).toBeGreaterThan(0);
    for (const r of s.rules) expect(['high', 'critical']).toContain(r.level);
    expect(s.left.find((l) => l.rule.id === 'recon.port_scan')!.reason).toBe('disabled (--disable)');
    expect(s.left.find((l) => l.rule.id === 'recon.ssh_probe')!.reason).toBe('level low is below --min-level high');
    expect(s.rules.length + s.left.length).toBe(s.all.length);
    expect(s.recorded).toEqual({ dirs: [], params: {}, disabled: ['recon.port_scan'], min_level: 'high' });
    expect(() => selectRules({ disable: ['recon.no_such_rule'] })).toThrow(/--disable recon\.no_such_rule: no such rule/);
  });

  it('--rules adds the rules of a folder, tunable like dwell\'s own; an id already taken is refused with both files', () => {
    const dir = ruleDir('mine', { 'telnet.sql': TELNET });
    const s = selectRules({ dirs: [dir], params: ['access.telnet_login.port=2323'] });
    const telnet = s.rules.find((r) => r.id === 'access.telnet_login')!;
    expect(telnet.file).toBe(join(dir, 'telnet.sql'));
    expect(telnet.sql).toMatch(/dst_port = 2323/);
    expect(s.all.length).toBe(loadRules().length + 1);
    const clash = ruleDir('clash', { 'scan.sql': TELNET.replace('access.telnet_login', 'recon.port_scan') });
    expect(() => selectRules({ dirs: [clash] })).toThrow(/duplicate rule id recon\.port_scan: .*port-scan\.sql and .*clash\/scan\.sql/);
    expect(() => selectRules({ dirs: [join(tmp.path, 'nowhere')] })).toThrow(/--rules .*nowhere: not a folder/);
    const broken = ruleDir('broken', { 'x.sql': TELNET.replace('-- level: low', '-- level: severe') });
    expect(() => selectRules({ dirs: [broken] })).toThrow(/rule .*broken\/x\.sql: level must be low, medium, high or critical/);
  });
});

describe('the rule table of docs/correlation.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'correlation.md'), 'utf8');

  it('is the one the rule headers give (npm run docs:rules rewrites it)', () => {
    const inDoc = doc.slice(doc.indexOf(TABLE_BEGIN) + TABLE_BEGIN.length, doc.indexOf(TABLE_END)).trim();
    expect(inDoc, 'docs/correlation.md is stale: run npm run docs:rules').toBe(ruleTable(loadRules()));
  });

  it('a changed header makes it stale', () => {
    const rules = loadRules();
    const changed = rules.map((r) => (r.id === 'recon.port_scan' ? { ...r, params: { ...r.params, ports: '44' } } : r));
    expect(spliceRuleTable(doc, ruleTable(changed))).not.toBe(doc);
    expect(spliceRuleTable(doc, ruleTable(rules))).toBe(doc);
    expect(ruleTable(changed)).toMatch(/`ports=44`/);
  });
});

describe('a rule file of one\'s own cannot break the table', () => {
  it('pipes in a title are escaped', () => {
    const dir = ruleDir('pipes', { 't.sql': TELNET.replace('Telnet session accepted', 'Telnet | session') });
    const t = ruleTable(selectRules({ dirs: [dir] }).all.filter((r) => r.id === 'access.telnet_login'));
    expect(t.split('\n')[2]!.split(/(?<!\\)\|/).length).toBe(9);
  });
});

it('RuleError is what the commands catch', () => {
  expect(() => selectRules({ params: ['x.y.z=1'] })).toThrow(RuleError);
});
