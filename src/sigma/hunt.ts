/**
 * `dwell hunt`: Sigma rules over a case. Loads the rules, plans them for the case's log sources,
 * runs them in one pass, and records the run in `hunts` with its hits in `detections` under the
 * hunt's number (from findings_id_seq, so it never collides with a correlation's).
 */
import { CaseDb } from '../store/case-db.js';
import { DWELL_VERSION } from '../version.js';
import { loadSigma } from './load.js';
import { planHunt, type PlanOptions } from './plan.js';
import { runPlan, type RuleHits } from './run.js';
import type { SigmaProblem } from './types.js';

export interface HuntOptions extends PlanOptions {
  casePath: string;
  /** Rule files and folders. */
  paths: string[];
  includeRelative?: boolean;
  onStep?: (step: string) => void;
}

export interface HuntResult {
  huntId: number;
  files: number;
  documents: number;
  results: RuleHits[];
  problems: SigmaProblem[];
  untrustedTimes: number;
  timings: Record<string, number>;
}

export class HuntError extends Error {}

export async function hunt(opts: HuntOptions): Promise<HuntResult> {
  const loaded = loadSigma(opts.paths);
  if (loaded.files.length === 0) {
    const why = loaded.problems.map((p) => `\n reason: ${p.file}: ${p.reason}`).join('');
    throw new HuntError(`no Sigma rule files (.yml, .yaml) in ${opts.paths.join(', ')}${why}\n help: point --sigma at a rule file or a folder of rules, e.g. a checkout of SigmaHQ/sigma's rules/cloud/aws`);
  }
  const plan = planHunt(loaded, opts);
  const db = await CaseDb.open(opts.casePath, { create: false, config: { memory_limit: process.env.DWELL_DUCKDB_MEMORY ?? '1GB' } });
  try {
    const conn = await db.connect();
    try {
      const huntId = (await db.one<{ id: number }>(`SELECT nextval('findings_id_seq')::INTEGER AS id`))!.id;
      const started = new Date().toISOString();
      const run = await runPlan(conn, plan, huntId, { includeRelative: opts.includeRelative, onStep: opts.onStep });
      const summary = run.results.map((r) => ({ rule_id: r.ruleId, title: r.doc.title, level: r.doc.level, author: r.doc.author, file: r.doc.file, kind: r.kind, hits: r.hits, reported: r.reported }));
      await db.run(`INSERT INTO hunts VALUES ($id, CAST($started AS TIMESTAMP), now()::TIMESTAMP, $v, $params::JSON, $rules::JSON, $problems::JSON)`, {
        id: huntId,
        started: started.replace('T', ' ').replace('Z', ''),
        v: DWELL_VERSION,
        params: JSON.stringify({ paths: opts.paths, min_level: opts.minLevel ?? null, include_relative: Boolean(opts.includeRelative), placeholders: opts.placeholders ?? {}, disable: opts.disable ?? [] }),
        rules: JSON.stringify(summary),
        problems: JSON.stringify(plan.problems),
      });
      return { huntId, files: loaded.files.length, documents: plan.documents, results: run.results, problems: plan.problems, untrustedTimes: run.untrustedTimes, timings: run.timings };
    } finally {
      conn.closeSync();
    }
  } finally {
    db.close();
  }
}
