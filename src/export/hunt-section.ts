/**
 * The newest `dwell hunt` (Sigma rules) as the Markdown report shows it: each rule that hit, with
 * its title, level and author (a Sigma rule's licence asks for its author with every hit). Read
 * from the run's summary in `hunts`; cases without hunts (or made before the table) have none.
 */
import type { CaseDb } from '../store/case-db.js';
import { ruleShown, type ExportOptions } from './types.js';

export interface HuntSummary {
  /** The section's heading, e.g. "Sigma hunt #3 (…)". */
  label: string;
  huntId: number;
  finishedAt: string | null;
  rules: { rule_id: string; title: string | null; level: string | null; author: string | null; kind: string; hits: number }[];
  /** Rules that hit but were left out by --min-level / --disable. */
  leftOut: number;
}

export async function huntSection(db: CaseDb, options: Pick<ExportOptions, 'minLevel' | 'disable'>): Promise<HuntSummary | null> {
  const table = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'hunts'`);
  if (!table || table.n === 0) return null;
  const row = await db.one<{ hunt_id: number; finished: string | null; rules: string | null }>(
    `SELECT hunt_id, strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') AS finished, CAST(rules AS VARCHAR) AS rules FROM hunts ORDER BY hunt_id DESC LIMIT 1`,
  );
  if (!row) return null;
  const all = (JSON.parse(row.rules ?? '[]') as (HuntSummary['rules'][number] & { reported?: boolean })[]).filter((r) => r.hits > 0 && r.reported !== false);
  const order = ['critical', 'high', 'medium', 'low', 'informational'];
  const rules = all
    .filter((r) => ruleShown(options, r.rule_id, r.level))
    .sort((a, b) => order.indexOf(a.level ?? 'informational') - order.indexOf(b.level ?? 'informational') || b.hits - a.hits || (a.rule_id < b.rule_id ? -1 : 1));
  return { label: `Hunt #${row.hunt_id} (${row.finished ?? 'unfinished'})`, huntId: row.hunt_id, finishedAt: row.finished, rules, leftOut: all.length - rules.length };
}

/** Sigma rules run with a correlation (`correlate --sigma`): their hits stored under its number. */
export async function correlateSigmaSection(db: CaseDb, findingsId: number, options: Pick<ExportOptions, 'minLevel' | 'disable'>): Promise<HuntSummary | null> {
  const cols = await db.all<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'detections' AND column_name IN ('engine', 'title', 'author')`);
  if (cols.length < 3) return null;
  const rows = await db.all<{ rule_id: string; title: string | null; level: string | null; author: string | null; hits: number }>(
    `SELECT rule_id, any_value(title) AS title, any_value(level) AS level, any_value(author) AS author, count(DISTINCT event_id)::INTEGER AS hits
     FROM detections WHERE findings_id = $f AND engine = 'sigma' GROUP BY rule_id`,
    { f: findingsId },
  );
  if (rows.length === 0) return null;
  const order = ['critical', 'high', 'medium', 'low', 'informational'];
  const rules = rows
    .filter((r) => ruleShown(options, r.rule_id, r.level))
    .map((r) => ({ ...r, kind: 'detection' }))
    .sort((a, b) => order.indexOf(a.level ?? 'informational') - order.indexOf(b.level ?? 'informational') || b.hits - a.hits || (a.rule_id < b.rule_id ? -1 : 1));
  return { label: `Sigma rules run with findings #${findingsId}`, huntId: findingsId, finishedAt: null, rules, leftOut: rows.length - rules.length };
}
