/**
 * `dwell hunt`: Sigma rules over a case. Loads the rules, plans them for the case's log sources,
 * runs them in one pass, and records the run in `hunts` with its hits in `detections` under the
 * hunt's number (from findings_id_seq, so it never collides with a correlation's).
 */
import { parseRuleParams, selectRules } from '../correlate/rule-options.js';
import { ruleSource, type Rule } from '../correlate/rules.js';
import { runRules, type RuleResult } from '../correlate/run-rules.js';
import { installSqlVocabulary } from '../correlate/sql-vocabulary.js';
import { CaseDb } from '../store/case-db.js';
import { QueryStopper } from '../store/query-stopper.js';
import { readDuckdbConfig } from '../store/read-budget.js';
import { memoryStep, startMemoryProfile } from '../correlate/memory-profile.js';
import { DWELL_VERSION } from '../version.js';
import { loadSigma, type LoadResult } from './load.js';
import { planHunt, sigmaRuleId, type HuntPlan, type PlanOptions } from './plan.js';
import { runPlan, type RuleHits } from './run.js';
import type { SigmaProblem } from './types.js';

export interface HuntOptions extends PlanOptions {
  casePath: string;
  /** Rule files and folders. */
  paths: string[];
  /** Folders of rules in dwell's own format to run too (`--rules`), and their params (`--rule-param`). */
  dwellRules?: { dirs: string[]; params?: string[] };
  includeRelative?: boolean;
  onStep?: (step: string) => void;
  /**
   * Stops the hunt (Ctrl-C): its queries are interrupted and it throws at its next step; nothing
   * of it is kept (no hunt recorded, its detections removed).
   */
  signal?: AbortSignal;
}

export interface HuntResult {
  huntId: number;
  files: number;
  documents: number;
  results: RuleHits[];
  /** Rules of the --rules folders that ran, with their hits. */
  dwellResults: RuleResult[];
  problems: SigmaProblem[];
  untrustedTimes: number;
  timings: Record<string, number>;
}

export class HuntError extends Error {}

/**
 * DuckDB's settings for a hunt (issue 14: peak RSS under 1 GB). The hunt scans each source once;
 * DuckDB keeps the blocks it read cached up to `memory_limit` (at 1 GB, 921 MB of the events table
 * stayed cached on the 10M-event case and the process peaked at 1.23 GB), though a scan never reads
 * a block twice and the operating system's page cache holds the file anyway. The allocator's
 * per-thread caches go back to the system within a second (as correlate and watch do). The same
 * settings as the commands that only read a case (src/store/read-budget.ts); DWELL_DUCKDB_MEMORY
 * overrides the budget.
 */
export function huntDuckdbConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return readDuckdbConfig(env);
}

export async function hunt(opts: HuntOptions): Promise<HuntResult> {
  let loaded: LoadResult | null = null;
  if (opts.paths.length > 0) {
    loaded = loadSigma(opts.paths);
    if (loaded.files.length === 0) {
      const why = loaded.problems.map((p) => `\n reason: ${p.file}: ${p.reason}`).join('');
      throw new HuntError(`no Sigma rule files (.yml, .yaml) in ${opts.paths.join(', ')}${why}\n help: point --sigma at a rule file or a folder of rules, e.g. a checkout of SigmaHQ/sigma's rules/cloud/aws`);
    }
  }
  const plan: HuntPlan = planHunt(loaded ?? { files: [], documents: [], problems: [] }, opts);
  // dwell-format rules of the --rules folders only (dwell's own run with dwell correlate).
  let dwellRules: Rule[] = [];
  if (opts.dwellRules?.params?.length && !opts.dwellRules.dirs.length) throw new HuntError('--rule-param needs --rules DIR on dwell hunt (dwell\'s own rules are tuned on dwell correlate)');
  if (opts.dwellRules && opts.dwellRules.dirs.length > 0) {
    const otherIds = new Set((loaded?.documents ?? []).flatMap((d) => [sigmaRuleId(d), ...(d.name ? [d.name] : [])]));
    const sel = selectRules({ dirs: opts.dwellRules.dirs, params: opts.dwellRules.params, disable: opts.disable, minLevel: opts.minLevel ?? null, otherIds });
    dwellRules = sel.rules.filter((r) => ruleSource(r) === r.file);
    const mine = new Set(sel.all.filter((r) => ruleSource(r) === r.file).map((r) => r.id));
    for (const id of parseRuleParams(opts.dwellRules.params ?? []).keys()) {
      if (!mine.has(id)) throw new HuntError(`--rule-param ${id}: not a rule of the --rules folders (dwell hunt runs only those; dwell's own rules are tuned on dwell correlate)`);
    }
  }
  const db = await CaseDb.open(opts.casePath, { create: false, config: huntDuckdbConfig() });
  // DWELL_MEMORY=1: VmRSS beside duckdb_memory() every half second, with the step.
  const stopProfile = await startMemoryProfile(db.instance);
  try {
    const conn = await db.connect();
    const stopper = new QueryStopper(opts.signal, [db.conn, conn]);
    let huntId: number | null = null;
    try {
      huntId = (await db.one<{ id: number }>(`SELECT nextval('findings_id_seq')::INTEGER AS id`))!.id;
      const started = new Date().toISOString();
      // Each step is where a stop (opts.signal) takes effect.
      const onStep = (step: string) => {
        stopper.check();
        memoryStep(step);
        opts.onStep?.(step);
      };
      const run = await runPlan(conn, plan, huntId, { includeRelative: opts.includeRelative, onStep });
      let dwellResults: RuleResult[] = [];
      if (dwellRules.length > 0) {
        opts.onStep?.('dwell rules');
        stopper.check();
        await installSqlVocabulary(conn);
        dwellResults = await runRules(conn, huntId, dwellRules, { tables: [], buckets: [] }, { onRule: () => stopper.check() });
      }
      // The run's row makes its detections visible (readers take the newest hunt): written last, whole.
      stopper.check();
      stopper.hold();
      const summary = [
        ...run.results.map((r) => ({ rule_id: r.ruleId, title: r.doc.title, level: r.doc.level, author: r.doc.author, file: r.doc.file, kind: r.kind, hits: r.hits, reported: r.reported })),
        ...dwellResults.map((r) => ({ rule_id: r.rule.id, title: r.rule.title, level: r.rule.level, author: null, file: r.rule.file, kind: 'dwell', hits: r.hits, reported: true, ...(r.error ? { error: r.error } : {}) })),
      ];
      await db.run(`INSERT INTO hunts VALUES ($id, CAST($started AS TIMESTAMP), now()::TIMESTAMP, $v, $params::JSON, $rules::JSON, $problems::JSON)`, {
        id: huntId,
        started: started.replace('T', ' ').replace('Z', ''),
        v: DWELL_VERSION,
        params: JSON.stringify({
          paths: opts.paths,
          min_level: opts.minLevel ?? null,
          include_relative: Boolean(opts.includeRelative),
          placeholders: opts.placeholders ?? {},
          disable: opts.disable ?? [],
          ...(opts.dwellRules?.dirs.length ? { rules: opts.dwellRules.dirs, rule_params: opts.dwellRules.params ?? [] } : {}),
        }),
        rules: JSON.stringify(summary),
        problems: JSON.stringify(plan.problems),
      });
      return { huntId, files: loaded?.files.length ?? 0, documents: plan.documents, results: run.results, dwellResults, problems: plan.problems, untrustedTimes: run.untrustedTimes, timings: run.timings };
    } catch (err) {
      // A failed or interrupted hunt leaves no detections under its number (none is recorded).
      stopper.hold();
      if (huntId !== null) await db.run('DELETE FROM detections WHERE findings_id = $f', { f: huntId }).catch(() => {});
      throw err;
    } finally {
      stopper.hold();
      conn.closeSync();
    }
  } finally {
    await stopProfile();
    db.close();
  }
}
