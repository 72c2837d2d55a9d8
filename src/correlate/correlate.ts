/**
 * `dwell correlate`: run the detection rules, grow the attacker's footprint from the seeds (given,
 * or proposed from the strongest detections), and store the findings in the case.
 */
import { CaseDb } from '../store/case-db.js';
import { QueryStopper } from '../store/query-stopper.js';
import { DWELL_VERSION } from '../version.js';
import { countTwins, createCaseView } from './case-view.js';
import { isoFromMicros } from '../core/time.js';
import { Expander } from './expand.js';
import type { Footprint, Seed } from './model.js';
import { buildFindings, type FindingsParams } from './findings.js';
import { HostDirectory } from './hosts/directory.js';
import { learnHosts } from './hosts/learn.js';
import type { Findings } from './findings-types.js';
import type { Phase } from './rules.js';
import { isDefaultChoice, selectRules, type RuleChoice } from './rule-options.js';
import { runRules, type RuleResult } from './run-rules.js';
import { countSeedMatches, formatSeed, proposeSeeds, seedHint, type SetAside } from './seeds.js';
import { installSqlVocabulary } from './sql-vocabulary.js';
import { memoryStep, startMemoryProfile } from './memory-profile.js';
import { loadSigma } from '../sigma/load.js';
import { planHunt, sigmaRuleId, type HuntPlan } from '../sigma/plan.js';
import { runPlan, type RuleHits } from '../sigma/run.js';
import type { SigmaProblem } from '../sigma/types.js';

export interface CorrelateOptions {
  casePath: string;
  seeds: Seed[];
  auto?: boolean;
  detectedAtUs?: number | null;
  containedAtUs?: number | null;
  /** `db:schema.table` and `s3:bucket` values. */
  sensitive?: string[];
  /** Keep events with relative or implausible times in the correlation. */
  includeRelative?: boolean;
  /** Which rules run with which params (--rules, --rule-param, --disable, --min-level). */
  rules?: RuleChoice;
  /**
   * Sigma rules run beside dwell's (--sigma): their hits are stored as detections of this run and
   * reported; they neither propose seeds nor grow the footprint (community rules know nothing of
   * this evidence's baseline).
   */
  sigma?: { paths: string[]; placeholders?: Record<string, string[]>; anyStatus?: boolean };
  /** Told of each step (a terminal shows it). */
  onProgress?: (p: CorrelateProgress) => void;
  /** "Now", for refusing detection and containment times in the future (tests pin it). */
  nowUs?: number;
  /**
   * Stops the run (Ctrl-C): its queries are interrupted and it throws at its next step; nothing of
   * it is kept (its detections are removed, no findings are stored). A signal once the findings
   * are being stored lets them be stored whole (a fraction of a second).
   */
  signal?: AbortSignal;
}

export type CorrelateProgress =
  | { step: 'rules'; done: number; total: number; rule: string }
  | { step: 'seeds'; used: CorrelateResult['seeds']; setAside: SetAside[] }
  | { step: 'hosts' }
  | { step: 'footprint'; entities: number; events: number }
  | { step: 'findings' }
  | { step: 'store' };

export interface CorrelateResult {
  findingsId: number;
  findings: Findings;
  rules: RuleResult[];
  /** The seeds used (given or proposed) with why and how many events each matched. */
  seeds: { seed: Seed; reason: string; matched: number }[];
  /** Proposals --auto did not use, and why. */
  setAside: SetAside[];
  /** With --sigma: each Sigma rule run and its hits, and every document left out with why. */
  sigma?: { results: RuleHits[]; problems: SigmaProblem[] };
}

export class CorrelateError extends Error {}

/** DWELL_TIMING=1 prints how long each step took (to stderr), for tuning on large cases. */
const timing = process.env.DWELL_TIMING === '1';
function lap(label: string, t0: number): number {
  memoryStep(`after ${label}`);
  if (timing) process.stderr.write(`timing: ${label} ${Date.now() - t0} ms\n`);
  return Date.now();
}

/**
 * DuckDB's settings for a correlation (issue 14: peak RSS under 1 GB on a 10M-event case). Measured
 * with DWELL_MEMORY=1: DuckDB fills its whole budget with cached blocks of the events table, and
 * its allocator keeps up to 128 MiB per thread after a task; the process's peak was DuckDB's budget
 * plus ~0.5 GB. The rules and links read columns that the operating system's page cache holds
 * anyway, so a smaller budget costs little: 384 MB against 512 MB, side by side on the 10M-event
 * case (bench/RESULTS.md, 2026-12-07 corrscan), peaked at 893–952 MB against 943–1,048 MB, for
 * the same CPU time within the load's noise. 256 MB (2026-12-08 corrmem): with V8's old generation
 * capped (src/watch/v8-heap.ts) the peak is DuckDB's cached blocks plus ~0.45 GB it does not track
 * (allocator, code); 256 MB took the peak from 758–933 MiB (384 MB) to 639–739 MiB, for ~2 s more CPU (of ~40 s).
 * DWELL_DUCKDB_MEMORY overrides it.
 */
export function correlateDuckdbConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { memory_limit: env.DWELL_DUCKDB_MEMORY ?? '256MB', allocator_flush_threshold: '16MB' };
}

const iso = (us: number) => isoFromMicros(us).replace(/\.000Z$/, 'Z');

export async function correlate(opts: CorrelateOptions): Promise<CorrelateResult> {
  let t = Date.now();
  let stopper: QueryStopper | null = null;
  // Each step is where a stop (opts.signal) takes effect.
  const progress = (p: CorrelateProgress) => {
    stopper?.check();
    memoryStep(p.step === 'rules' ? `rule ${p.rule}` : p.step);
    opts.onProgress?.(p);
  };
  // Rule options are checked before the case is opened: a typo is refused without touching it.
  let sigmaPlan: HuntPlan | null = null;
  if (opts.sigma && opts.sigma.paths.length > 0) {
    const loaded = loadSigma(opts.sigma.paths);
    if (loaded.files.length === 0) throw new CorrelateError(`no Sigma rule files (.yml, .yaml) in ${opts.sigma.paths.join(', ')}\n help: point --sigma at a rule file or a folder of rules`);
    sigmaPlan = planHunt(loaded, { placeholders: opts.sigma.placeholders, anyStatus: opts.sigma.anyStatus, minLevel: opts.rules?.minLevel ?? null, disable: opts.rules?.disable });
    const sigmaIds = new Set(loaded.documents.flatMap((d) => [sigmaRuleId(d), ...(d.name ? [d.name] : [])]));
    opts = { ...opts, rules: { ...opts.rules, otherIds: sigmaIds } };
  }
  const selection = selectRules(opts.rules);
  const db = await CaseDb.open(opts.casePath, { create: false, config: correlateDuckdbConfig() });
  let findingsId: number | null = null;
  const stopProfile = await startMemoryProfile(db.instance);
  try {
    const conn = await db.connect();
    stopper = new QueryStopper(opts.signal, [db.conn, conn]);
    try {
      const events = await db.one<{ n: number }>('SELECT count(*)::BIGINT AS n FROM events');
      if (!events || events.n === 0) throw new CorrelateError(`case ${opts.casePath} has no events\n help: ingest evidence first: dwell ingest --case ${opts.casePath} EVIDENCE…`);
      checkFuture(opts);
      findingsId = (await db.one<{ id: number }>(`SELECT nextval('findings_id_seq')::INTEGER AS id`))!.id;
      const sensitive = opts.sensitive ?? [];
      const rules = selection.rules;
      await installSqlVocabulary(conn);
      t = lap('open', t);
      // The rules read the case as the rest of the correlation does (`ev`): a Cowrie JSON log and its
      // text twin would otherwise count every login and command twice.
      const hostHints = await createCaseView(conn, { includeRelative: opts.includeRelative });
      t = lap('case view', t);
      const results = await runRules(
        conn,
        findingsId,
        rules,
        { tables: sensitive.filter((s) => s.startsWith('db:')).map((s) => s.slice(3)), buckets: sensitive.filter((s) => s.startsWith('s3:')).map((s) => s.slice(3)) },
        { view: 'ev', onRule: (done, total, rule) => progress({ step: 'rules', done, total, rule: rule.id }) },
      );
      t = lap('rules', t);
      let sigma: CorrelateResult['sigma'];
      if (sigmaPlan) {
        progress({ step: 'rules', done: rules.length, total: rules.length, rule: 'Sigma rules' });
        const run = await runPlan(conn, sigmaPlan, findingsId, { includeRelative: opts.includeRelative, onStep: () => stopper?.check() });
        sigma = { results: run.results, problems: sigmaPlan.problems };
        t = lap('sigma', t);
      }

      // Seeds: each given one must match something; proposals are checked against baselines.
      const used: CorrelateResult['seeds'] = [];
      for (const s of opts.seeds) {
        const matched = await countSeedMatches(conn, s);
        if (matched === 0) throw new CorrelateError(`seed ${formatSeed(s)} matches no event of the case: nothing to correlate from it\n help: ${await seedHint(conn, s)}`);
        used.push({ seed: s, reason: 'given', matched });
      }
      let setAside: SetAside[] = [];
      if (opts.auto || opts.seeds.length === 0) {
        const p = await proposeSeeds(conn, findingsId);
        setAside = p.setAside;
        for (const s of p.proposed) {
          if (used.some((u) => u.seed.kind === s.kind && u.seed.value === s.value)) continue;
          const matched = await countSeedMatches(conn, s);
          if (matched === 0) setAside.push({ seed: s, reason: `${s.reason}, but all its events have a relative or implausible time` });
          else used.push({ seed: s, reason: s.reason, matched });
        }
        if (used.length === 0) {
          const aside = setAside.map((a) => `\n help: ${formatSeed(a.seed)} was set aside: ${a.reason}`).join('');
          throw new CorrelateError(`no seed given and no detection strong enough to propose one${aside}\n help: pass what the alert names, e.g. --seed ip:203.0.113.77 or --seed key:AKIA…`);
        }
      }
      progress({ step: 'seeds', used, setAside });
      const seeds = used.map((u) => u.seed);
      const detections = new Map<number, { phase: Phase; technique: string; ruleId: string }>();
      const levels = { low: 0, medium: 1, high: 2, critical: 3 } as const;
      const byId = new Map(rules.map((r) => [r.id, r]));
      // dwell's rules only: Sigma hits (engine 'sigma') are reported, not used to grow the footprint.
      const hits = await db.all<{ event_id: number; rule_id: string }>(`SELECT event_id, rule_id FROM detections WHERE findings_id = $f AND coalesce(engine, 'dwell') = 'dwell' ORDER BY rule_id`, { f: findingsId });
      for (const h of hits) {
        const r = byId.get(h.rule_id)!;
        const prior = detections.get(h.event_id);
        if (!prior || levels[r.level] > levels[byId.get(prior.ruleId)!.level]) detections.set(h.event_id, { phase: r.phase, technique: r.technique, ruleId: r.id });
      }
      t = lap('seeds and detections', t);
      progress({ step: 'hosts' });
      await learnHosts(conn);
      const hosts = await HostDirectory.load(conn);
      t = lap('hosts', t);
      const expander = new Expander(conn, { seeds, detections }, hosts);
      expander.onProgress = (entities, evs) => progress({ step: 'footprint', entities, events: evs });
      const fp = await expander.run();
      t = lap('footprint', t);
      checkAgainstAttack(opts, fp);
      const byHost = new Map<string, number>();
      for (const h of hostHints) byHost.set(h.host, (byHost.get(h.host) ?? 0) + 1);
      for (const [host, n] of byHost) fp.notes.push(`${n} evidence file(s) whose records name no host were taken to be ${host}'s: their path is under a folder named after that host`);
      const twins = await countTwins(conn);
      if (twins > 0) fp.notes.push(`${twins} event(s) left out of the correlation as twins: the same record (time, action, address, account, command) written by the same source in another format, e.g. Cowrie's cowrie.json and cowrie.log; both stay in the case`);
      for (const a of setAside) fp.notes.push(`--auto did not use ${formatSeed(a.seed)}: ${a.reason}`);
      for (const h of (sigma?.results ?? []).filter((x) => x.reported && x.hits > 0)) {
        fp.notes.push(`Sigma rule "${h.doc.title}" (${h.doc.level ?? 'no level'}, by ${h.doc.author ?? 'author unknown'}) hit ${h.hits} event(s) [${h.ruleId}]; reported only, not used to grow the footprint`);
      }
      if (selection.left.length > 0) fp.notes.push(`${selection.left.length} rule(s) not run: ${selection.left.map((l) => `${l.rule.id} (${l.reason})`).join(', ')}`);
      const seedValue = (s: Seed) => (s.host ? `${s.value}@${s.host}` : s.value);
      const params: FindingsParams = {
        seeds: opts.seeds,
        seedsUsed: used.map((u) => ({ kind: u.seed.kind, value: seedValue(u.seed), reason: u.reason })),
        detectedAtUs: opts.detectedAtUs ?? null,
        containedAtUs: opts.containedAtUs ?? null,
        sensitive,
        includeRelative: opts.includeRelative ?? false,
        ...(isDefaultChoice(selection.recorded) && !sigmaPlan ? {} : { rules: { ...selection.recorded, ...(opts.sigma?.paths.length ? { sigma: opts.sigma.paths } : {}) } }),
        seedMatches: used.map((u) => u.matched),
      };
      progress({ step: 'findings' });
      const findings = await buildFindings(conn, fp, params, results, DWELL_VERSION, expander.networkMapping, expander.failedStatements, expander.ctx.persistence);
      t = lap('findings', t);
      progress({ step: 'store' });
      stopper.hold();
      await storeFindings(db, findingsId, findings, fp.events);
      lap('store', t);
      return { findingsId, findings, rules: results, seeds: used, setAside, ...(sigma ? { sigma } : {}) };
    } catch (err) {
      // A refused or interrupted run leaves nothing behind: no findings, no detections under its number.
      stopper.hold();
      if (findingsId !== null) await db.run('DELETE FROM detections WHERE findings_id = $f', { f: findingsId }).catch(() => {});
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

/** Detection and containment cannot be in the future. */
function checkFuture(opts: CorrelateOptions): void {
  const now = opts.nowUs ?? Date.now() * 1000;
  for (const [flag, us] of [['--detected-at', opts.detectedAtUs], ['--contained-at', opts.containedAtUs]] as const) {
    if (us !== null && us !== undefined && us > now) throw new CorrelateError(`${flag} ${iso(us)} is in the future (now ${iso(now)})\n help: give the time the incident was ${flag === '--detected-at' ? 'detected' : 'contained'}, with its zone, e.g. 2026-01-02T09:15:00Z`);
  }
  if (opts.detectedAtUs != null && opts.containedAtUs != null && opts.containedAtUs < opts.detectedAtUs) {
    throw new CorrelateError(`--contained-at ${iso(opts.containedAtUs)} is before --detected-at ${iso(opts.detectedAtUs)}\n help: containment follows detection; check both times and their zones`);
  }
}

/** Detection and containment cannot precede the attack: the dwell time would be negative. */
function checkAgainstAttack(opts: CorrelateOptions, fp: Footprint): void {
  let first: number | null = null;
  for (const e of fp.events.values()) if (first === null || e.tsUs < first) first = e.tsUs;
  if (first === null) return;
  for (const [flag, us] of [['--detected-at', opts.detectedAtUs], ['--contained-at', opts.containedAtUs]] as const) {
    if (us !== null && us !== undefined && us < first) {
      throw new CorrelateError(`${flag} ${iso(us)} is before the attacker's first activity in the evidence (${iso(first)})\n help: check the time and its zone (an ISO 8601 time without a zone is refused); a ${flag === '--detected-at' ? 'detection' : 'containment'} before the attack would make the dwell time negative`);
    }
  }
}

async function storeFindings(db: CaseDb, findingsId: number, findings: Findings, events: Map<number, { eventId: number; tsUs: number; phase: string; technique: string | null; reason: string }>): Promise<void> {
  await db.run('BEGIN TRANSACTION');
  try {
    await db.run(`INSERT INTO findings VALUES ($id, now()::TIMESTAMP, $v, $p::JSON, $b::JSON)`, {
      id: findingsId,
      v: DWELL_VERSION,
      p: JSON.stringify(findings.parameters),
      b: JSON.stringify(findings),
    });
    const rows = [...events.values()].sort((a, b) => a.tsUs - b.tsUs || a.eventId - b.eventId);
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const values = chunk.map((_, j) => `($id, $e${j}, make_timestamp($t${j}::BIGINT), $p${j}, $q${j}, $r${j})`).join(',');
      const params: Record<string, string | number | null> = { id: findingsId };
      chunk.forEach((r, j) => {
        params[`e${j}`] = r.eventId;
        params[`t${j}`] = r.tsUs;
        params[`p${j}`] = r.phase;
        params[`q${j}`] = r.technique;
        params[`r${j}`] = r.reason;
      });
      await db.run(`INSERT INTO attack_events VALUES ${values}`, params);
    }
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK');
    throw err;
  }
}
