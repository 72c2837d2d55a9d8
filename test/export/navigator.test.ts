/**
 * ATT&CK Navigator: layers are checked against the v4.5 layer format (validators/navigator.ts,
 * from the spec's tables; the validator is first held to the spec's own examples and to the old
 * 3.0 samples it must refuse), and every technique/tactic pair against ATT&CK Enterprise v18.1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/case.js';
import { parseCsv } from '../helpers/corpus.js';
import { caseWithFindings, specsDir } from './helpers.js';
import { validateLayerFile } from './validators/navigator.js';

const NAV = specsDir('attack-navigator');
const ATTACK = specsDir('attack-techniques');

type Obj = Record<string, any>;

function attackTable(): Map<string, { tactics: string[]; active: boolean }> {
  const rows = parseCsv(readFileSync(join(ATTACK!, 'enterprise-techniques.csv'), 'utf8'));
  const h = rows[0]!;
  const col = (n: string) => h.indexOf(n);
  const out = new Map<string, { tactics: string[]; active: boolean }>();
  for (const r of rows.slice(1)) {
    if (r.length < h.length) continue;
    out.set(r[col('technique_id')]!, { tactics: r[col('tactics')]!.split('|'), active: r[col('revoked')] === 'false' && r[col('deprecated')] === 'false' });
  }
  return out;
}

describe.skipIf(!NAV || !ATTACK)('ATT&CK Navigator layers', () => {
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let techniques: ReturnType<typeof attackTable>;
  let tacticNames: Set<string>;

  beforeAll(async () => {
    tmp = tempDir('dwell-nav-');
    casePath = await caseWithFindings(tmp.path);
    techniques = attackTable();
    tacticNames = new Set(parseCsv(readFileSync(join(ATTACK!, 'enterprise-tactics.csv'), 'utf8')).slice(1).filter((r) => r.length > 2).map((r) => r[2]!));
  });
  afterAll(() => tmp?.cleanup());

  const attackProblems = (layer: Obj): string[] =>
    (layer.techniques as Obj[]).flatMap((t) => {
      const ref = techniques.get(t.techniqueID);
      if (!ref) return [`${t.techniqueID}: not an ATT&CK v18.1 technique`];
      if (!ref.active) return [`${t.techniqueID}: revoked or deprecated`];
      if (t.tactic !== undefined && !ref.tactics.includes(t.tactic)) return [`${t.techniqueID}: tactic ${t.tactic} is not one of ${ref.tactics.join(', ')}`];
      if (t.tactic !== undefined && !tacticNames.has(t.tactic)) return [`${t.tactic}: not a tactic shortname`];
      return [];
    });

  it('the layer validator accepts the v4.5 spec examples and refuses the 3.0 samples and broken layers', () => {
    const spec = join(NAV!, 'layers', 'spec', 'v4.5', 'examples');
    for (const f of readdirSync(spec)) expect(validateLayerFile(JSON.parse(readFileSync(join(spec, f), 'utf8'))), f).toEqual([]);
    for (const f of ['Bear_APT.json', 'heatmap_layer.json']) {
      const errors = validateLayerFile(JSON.parse(readFileSync(join(NAV!, 'layers', 'samples', f), 'utf8')));
      expect(errors.join('\n'), f).toMatch(/domain: must be one of|versions/);
    }
    const good = JSON.parse(readFileSync(join(spec, 'example_1.json'), 'utf8')) as Obj;
    const broken = (change: (l: Obj) => void) => {
      const l = structuredClone(good);
      change(l);
      return validateLayerFile(l).join('\n');
    };
    expect(broken((l) => (l.versions.layer = '4.4'))).toMatch(/versions.layer: must be "4.5"/);
    expect(broken((l) => (l.versions.navigator = '4.8.2'))).toMatch(/at least "4.9.0"/);
    expect(broken((l) => (l.techniques[0].techniqueID = 'T110'))).toMatch(/techniqueID/);
    expect(broken((l) => (l.gradient.maxValue = -1))).toMatch(/maxValue must be > minValue/);
    expect(broken((l) => (l.techniques[1].links[0].url = 'github.com/x'))).toMatch(/protocol/);
    expect(broken((l) => (l.techniques[0].scor = 3))).toMatch(/scor: not a property/);
    expect(broken((l) => (l.layout.layout = 'grid'))).toMatch(/side, flat or mini/);
  });

  it('--what attack --format navigator: valid 4.5 layer, ATT&CK 18 techniques under their tactics, scored by events, first times in comments', async () => {
    const out = join(tmp.path, 'attack-layer.json');
    const r = await dwell(['export', '--case', casePath, '--what', 'attack', '--format', 'navigator', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const layer = JSON.parse(readFileSync(out, 'utf8')) as Obj;
    expect(validateLayerFile(layer)).toEqual([]);
    expect(layer.versions).toEqual({ attack: '18', navigator: '5.1.0', layer: '4.5' });
    expect(layer.domain).toBe('enterprise-attack');
    expect(attackProblems(layer)).toEqual([]);
    const expected = await query(
      casePath,
      `SELECT technique, count(*) AS n, strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first FROM attack_events
       WHERE findings_id = (SELECT max(findings_id) FROM findings) AND technique IS NOT NULL GROUP BY technique`,
    );
    const byTech = new Map<string, { score: number; comments: string[] }>();
    for (const t of layer.techniques as Obj[]) {
      const e = byTech.get(t.techniqueID) ?? { score: 0, comments: [] };
      e.score += t.score;
      e.comments.push(t.comment);
      byTech.set(t.techniqueID, e);
      expect(t.tactic, t.techniqueID).toBeTypeOf('string');
    }
    expect([...byTech.keys()].sort()).toEqual(expected.map((x) => x.technique).sort());
    for (const x of expected) {
      expect(byTech.get(x.technique as string)!.score).toBe(Number(x.n));
      expect(byTech.get(x.technique as string)!.comments.join(' ')).toContain(`first ${x.first}`);
    }
    expect(layer.techniques.find((t: Obj) => t.techniqueID === 'T1110.001')).toMatchObject({ tactic: 'credential-access' });
    expect(layer.techniques.find((t: Obj) => t.techniqueID === 'T1595')).toMatchObject({ tactic: 'reconnaissance' });
    expect(layer.gradient.maxValue).toBe(Math.max(...(layer.techniques as Obj[]).map((t) => t.score)));
  });

  it('--what findings --format navigator: the rules that fired, under the rule’s tactic, scored by level', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'navigator']);
    expect(r.code, r.stderr).toBe(0);
    const layer = JSON.parse(r.stdout) as Obj;
    expect(validateLayerFile(layer)).toEqual([]);
    expect(attackProblems(layer)).toEqual([]);
    const bf = (layer.techniques as Obj[]).find((t) => t.techniqueID === 'T1110.001')!;
    expect(bf).toMatchObject({ tactic: 'credential-access', score: 3 });
    expect(bf.comment).toMatch(/access\.ssh_success_after_bruteforce \(high, \d+ hit\(s\), first 2026-01-02T02:14:09Z\)/);
    for (const t of layer.techniques as Obj[]) expect([1, 2, 3, 4]).toContain(t.score);
  });

  it('--what findings --format navigator honours --min-level and --disable like the other findings formats', async () => {
    const all = JSON.parse((await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'navigator'])).stdout) as Obj;
    const rulesIn = (l: Obj) => new Set((l.techniques as Obj[]).flatMap((t) => (t.metadata as Obj[]).map((m) => m.name as string)));
    expect(rulesIn(all)).toContain('access.ssh_success_after_bruteforce');
    const r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'navigator', '--min-level', 'critical', '--disable', 'access.ssh_success_after_bruteforce']);
    expect(r.code, r.stderr).toBe(0);
    const narrowed = JSON.parse(r.stdout) as Obj;
    expect(validateLayerFile(narrowed)).toEqual([]);
    expect(rulesIn(narrowed)).not.toContain('access.ssh_success_after_bruteforce');
    for (const t of narrowed.techniques as Obj[]) expect(t.score).toBe(4);
    expect(rulesIn(narrowed).size).toBeLessThan(rulesIn(all).size);
  });
});
