/**
 * ATT&CK Navigator layer (format 4.5, Navigator 5.x, ATT&CK 18, enterprise-attack): open it with
 * "Open Existing Layer → Upload from local" in the Navigator.
 *
 * - `--what attack`: the techniques of the attacker's events (attack_events of the newest findings
 *   run), each under the tactic its phase implies, scored by the number of events, commented with
 *   the first and last time and the hosts.
 * - `--what findings`: the techniques of the detection rules that fired (attacker or not), under
 *   the rule's tactic, scored by the highest rule level (1 low … 4 critical), commented with the
 *   rules, their hits and first times.
 */
import { loadRules } from '../correlate/rules.js';
import { CaseError } from '../store/case-db.js';
import { DWELL_VERSION } from '../version.js';
import { tacticFor } from './attack-tactics.js';
import { latestFindings } from './latest-findings.js';
import { withSink } from './line-export.js';
import { ruleShown, type ExportContext, type ExportFormat } from './types.js';

type Obj = Record<string, unknown>;

export const LAYER_VERSIONS = { attack: '18', navigator: '5.1.0', layer: '4.5' } as const;

interface Cell {
  techniqueID: string;
  tactic: string | null;
  score: number;
  comment: string[];
  first: string;
  last: string;
  metadata: { name: string; value: string }[];
}

function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

function short(iso: string): string {
  return iso.replace(/\.0+Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

function layer(name: string, description: string, cells: Cell[], legend: { label: string; color: string }[], gradientMax: number, metadata: { name: string; value: string }[]): Obj {
  const techniques = cells
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.techniqueID < b.techniqueID ? -1 : 1))
    .map((c) => {
      const t: Obj = { techniqueID: c.techniqueID };
      if (c.tactic) t.tactic = c.tactic;
      t.score = c.score;
      t.comment = c.comment.join('; ');
      t.enabled = true;
      t.metadata = c.metadata;
      t.links = [{ label: `ATT&CK ${c.techniqueID}`, url: techniqueUrl(c.techniqueID) }];
      t.showSubtechniques = false;
      return t;
    });
  return {
    name,
    versions: { ...LAYER_VERSIONS },
    domain: 'enterprise-attack',
    description,
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, showAggregateScores: false, countUnscored: false, aggregateFunction: 'max', expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#fff3e0', '#fb8c00', '#b71c1c'], minValue: 0, maxValue: Math.max(gradientMax, 1) },
    legendItems: legend,
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata,
  };
}

async function attackLayer(ctx: ExportContext): Promise<{ layer: Obj; count: number }> {
  const { findingsId, body } = await latestFindings(ctx.db);
  const rows = await ctx.db.all<{ technique: string; phase: string; n: number; first: string; last: string; hosts: string[] }>(
    `SELECT a.technique, a.phase, count(*) AS n,
            strftime(min(a.ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS first, strftime(max(a.ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS last,
            list(DISTINCT e.host ORDER BY e.host) FILTER (WHERE e.host IS NOT NULL) AS hosts
     FROM attack_events a LEFT JOIN events e ON e.event_id = a.event_id
     WHERE a.findings_id = $f AND a.technique IS NOT NULL
     GROUP BY a.technique, a.phase`,
    { f: findingsId },
  );
  const cells = new Map<string, Cell & { phases: Set<string>; hosts: Set<string> }>();
  for (const r of rows) {
    const tactic = tacticFor(r.technique, r.phase);
    const key = `${r.technique}|${tactic ?? ''}`;
    let c = cells.get(key);
    if (!c) {
      c = { techniqueID: r.technique, tactic, score: 0, comment: [], first: r.first, last: r.last, metadata: [], phases: new Set(), hosts: new Set() };
      cells.set(key, c);
    }
    c.score += Number(r.n);
    if (r.first < c.first) c.first = r.first;
    if (r.last > c.last) c.last = r.last;
    c.phases.add(r.phase);
    for (const h of r.hosts ?? []) c.hosts.add(h);
  }
  let max = 1;
  for (const c of cells.values()) {
    max = Math.max(max, c.score);
    c.comment = [`${c.score} attacker event(s)`, `first ${short(c.first)}`, `last ${short(c.last)}`, `phase ${[...c.phases].sort().join(', ')}`];
    if (c.hosts.size) c.comment.push(`hosts ${[...c.hosts].join(', ')}`);
    c.metadata = [
      { name: 'first seen', value: short(c.first) },
      { name: 'last seen', value: short(c.last) },
      { name: 'events', value: String(c.score) },
    ];
  }
  const a: Partial<typeof body.answers> = body.answers ?? {};
  const l = layer(
    `dwell attack — findings #${findingsId}`,
    `Techniques of the attacker's events reconstructed by dwell ${DWELL_VERSION} (findings #${findingsId}); score = number of events. Initial access ${a.initial_access_at ?? '?'}${a.initial_access_vector ? ` (${a.initial_access_vector})` : ''}, last activity ${a.last_attacker_activity_at ?? '?'}.`,
    [...cells.values()],
    [{ label: 'attacker events (score)', color: '#fb8c00' }],
    max,
    [
      { name: 'generated by', value: `dwell ${DWELL_VERSION}` },
      { name: 'findings', value: `#${findingsId} (${String(body.generated_at ?? '')})` },
      { name: 'initial access', value: String(a.initial_access_at ?? '—') },
      { name: 'last attacker activity', value: String(a.last_attacker_activity_at ?? '—') },
    ],
  );
  return { layer: l, count: cells.size };
}

const LEVEL_SCORE: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

async function findingsLayer(ctx: ExportContext): Promise<{ layer: Obj; count: number }> {
  const { findingsId, body } = await latestFindings(ctx.db);
  const ruleTactic = new Map(loadRules().map((r) => [r.id, r.tactic]));
  const cells = new Map<string, Cell>();
  for (const d of body.detections ?? []) {
    // --min-level / --disable narrow the rules shown, as in every other findings format.
    if (!ruleShown(ctx.options, String(d.rule_id), d.level as string | null)) continue;
    const technique = String(d.technique ?? '');
    if (!/^T\d{4}(\.\d{3})?$/.test(technique)) continue;
    const tactic = tacticFor(technique, String(d.phase ?? ''), ruleTactic.get(String(d.rule_id)) ?? null);
    const key = `${technique}|${tactic ?? ''}`;
    const first = String(d.first ?? '');
    const last = String(d.last ?? first);
    let c = cells.get(key);
    if (!c) {
      c = { techniqueID: technique, tactic, score: 0, comment: [], first, last, metadata: [] };
      cells.set(key, c);
    }
    c.score = Math.max(c.score, LEVEL_SCORE[String(d.level)] ?? 1);
    if (first && first < c.first) c.first = first;
    if (last > c.last) c.last = last;
    c.comment.push(`${d.rule_id} (${d.level}, ${d.hits} hit(s), first ${short(first)})`);
    c.metadata.push({ name: String(d.rule_id), value: `${d.title ?? ''} — ${d.level}, ${d.hits} hit(s), ${short(first)} … ${short(last)}` });
  }
  const l = layer(
    `dwell detections — findings #${findingsId}`,
    `Techniques of the detection rules that fired (attacker or not), dwell ${DWELL_VERSION}, findings #${findingsId}; score = highest rule level (1 low, 2 medium, 3 high, 4 critical).`,
    [...cells.values()],
    [
      { label: 'low', color: '#fff3e0' },
      { label: 'medium', color: '#ffb74d' },
      { label: 'high', color: '#f4511e' },
      { label: 'critical', color: '#b71c1c' },
    ],
    4,
    [
      { name: 'generated by', value: `dwell ${DWELL_VERSION}` },
      { name: 'findings', value: `#${findingsId} (${String(body.generated_at ?? '')})` },
    ],
  );
  return { layer: l, count: cells.size };
}

export const navigator: ExportFormat = {
  name: 'navigator',
  whats: ['attack', 'findings'],
  description: 'ATT&CK Navigator layer 4.5 (techniques scored and commented with first times)',
  target: 'file',
  filtered: false,
  async run(ctx) {
    if (ctx.what !== 'attack' && ctx.what !== 'findings') throw new CaseError(`navigator layers are made for --what attack or findings`);
    const { layer: l, count } = ctx.what === 'attack' ? await attackLayer(ctx) : await findingsLayer(ctx);
    await withSink(ctx, (sink) => sink.write(JSON.stringify(l, null, 2) + '\n'));
    return { count, unit: 'techniques' };
  },
};
