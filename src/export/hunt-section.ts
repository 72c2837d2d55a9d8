/**
 * The newest `dwell hunt` (Sigma rules) as the Markdown report shows it: each rule that hit, with
 * its title, level and author (a Sigma rule's licence asks for its author with every hit). Read
 * from the run's summary in `hunts`; cases without hunts (or made before the table) have none.
 */
import type { CaseDb } from '../store/case-db.js';
import { ruleShown, type ExportOptions } from './types.js';

export interface HuntSummary {
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
  return { huntId: row.hunt_id, finishedAt: row.finished, rules, leftOut: all.length - rules.length };
}
