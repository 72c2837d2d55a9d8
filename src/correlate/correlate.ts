/**
 * `dwell correlate`: run the detection rules, grow the attacker's footprint from the seeds (given,
 * or proposed from the strongest detections), and store the findings in the case.
 */
import { CaseDb } from '../store/case-db.js';
import { DWELL_VERSION } from '../version.js';
import { createCaseView } from './case-view.js';
import { Expander, type Seed } from './expand.js';
import { buildFindings, type FindingsParams } from './findings.js';
import { HostDirectory } from './hosts/directory.js';
import { learnHosts } from './hosts/learn.js';
import type { Findings } from './findings-types.js';
import { loadRules, type Phase } from './rules.js';
import { runRules, type RuleResult } from './run-rules.js';
import { countSeedMatches, proposeSeeds } from './seeds.js';
import { installSqlVocabulary } from './sql-vocabulary.js';

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
}

export interface CorrelateResult {
  findingsId: number;
  findings: Findings;
  rules: RuleResult[];
}

export class CorrelateError extends Error {}

/** DWELL_TIMING=1 prints how long each step took (to stderr), for tuning on large cases. */
const timing = process.env.DWELL_TIMING === '1';
function lap(label: string, t0: number): number {
  if (timing) process.stderr.write(`timing: ${label} ${Date.now() - t0} ms\n`);
  return Date.now();
}

export async function correlate(opts: CorrelateOptions): Promise<CorrelateResult> {
  let t = Date.now();
  // A memory budget keeps a 10M-event case well under the machine's memory (DWELL_DUCKDB_MEMORY overrides).
  const db = await CaseDb.open(opts.casePath, { create: false, config: { memory_limit: process.env.DWELL_DUCKDB_MEMORY ?? '1GB' } });
  try {
    const conn = await db.connect();
    try {
      const events = await db.one<{ n: number }>('SELECT count(*)::BIGINT AS n FROM events');
      if (!events || events.n === 0) throw new CorrelateError(`case ${opts.casePath} has no events\n help: ingest evidence first: dwell ingest --case ${opts.casePath} EVIDENCE…`);
      const findingsId = (await db.one<{ id: number }>(`SELECT nextval('findings_id_seq')::INTEGER AS id`))!.id;
      const sensitive = opts.sensitive ?? [];
      const rules = loadRules();
      await installSqlVocabulary(conn);
      t = lap('open', t);
      const results = await runRules(conn, findingsId, rules, {
        tables: sensitive.filter((s) => s.startsWith('db:')).map((s) => s.slice(3)),
        buckets: sensitive.filter((s) => s.startsWith('s3:')).map((s) => s.slice(3)),
      });
      t = lap('rules', t);
      let seeds = opts.seeds;
      const seedValue = (s: Seed) => (s.host ? `${s.value}@${s.host}` : s.value);
      const seedsUsed: FindingsParams['seedsUsed'] = seeds.map((s) => ({ kind: s.kind, value: seedValue(s), reason: 'given' }));
      if (opts.auto || seeds.length === 0) {
        const proposed = await proposeSeeds(conn, findingsId);
        for (const p of proposed) {
          if (seeds.some((s) => s.kind === p.kind && s.value === p.value)) continue;
          seeds = [...seeds, p];
          seedsUsed.push({ kind: p.kind, value: seedValue(p), reason: p.reason });
        }
        if (seeds.length === 0) throw new CorrelateError('no seed given and no detection strong enough to propose one\n help: pass what the alert names, e.g. --seed ip:203.0.113.77 or --seed key:AKIA…');
      }
      const detections = new Map<number, { phase: Phase; technique: string; ruleId: string }>();
      const levels = { low: 0, medium: 1, high: 2, critical: 3 } as const;
      const byId = new Map(rules.map((r) => [r.id, r]));
      const hits = await db.all<{ event_id: number; rule_id: string }>(`SELECT event_id, rule_id FROM detections WHERE findings_id = $f ORDER BY rule_id`, { f: findingsId });
      for (const h of hits) {
        const r = byId.get(h.rule_id)!;
        const prior = detections.get(h.event_id);
        if (!prior || levels[r.level] > levels[byId.get(prior.ruleId)!.level]) detections.set(h.event_id, { phase: r.phase, technique: r.technique, ruleId: r.id });
      }
      t = lap('seeds and detections', t);
      const hostHints = await createCaseView(conn, { includeRelative: opts.includeRelative });
      const seedMatches: number[] = [];
      for (const s of seeds) seedMatches.push(await countSeedMatches(conn, s));
      await learnHosts(conn);
      const hosts = await HostDirectory.load(conn);
      t = lap('hosts', t);
      const expander = new Expander(conn, { seeds, detections }, hosts);
      const fp = await expander.run();
      t = lap('footprint', t);
      const byHost = new Map<string, number>();
      for (const h of hostHints) byHost.set(h.host, (byHost.get(h.host) ?? 0) + 1);
      for (const [host, n] of byHost) fp.notes.push(`${n} evidence file(s) whose records name no host were taken to be ${host}'s: their path is under a folder named after that host`);
      const params: FindingsParams = {
        seeds: opts.seeds,
        seedsUsed,
        detectedAtUs: opts.detectedAtUs ?? null,
        containedAtUs: opts.containedAtUs ?? null,
        sensitive,
        includeRelative: opts.includeRelative ?? false,
        seedMatches,
      };
      const findings = await buildFindings(conn, fp, params, results, DWELL_VERSION, expander.networkMapping, expander.failedStatements);
      t = lap('findings', t);
      await storeFindings(db, findingsId, findings, fp.events);
      lap('store', t);
      return { findingsId, findings, rules: results };
    } finally {
      conn.closeSync();
    }
  } finally {
    db.close();
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
