/**
 * Runs a hunt plan over a case, one pass over the events for all rules, and stores the hits in
 * `detections` (engine `sigma`, with title, author, tags and rule file).
 *
 * 1. Each rule's condition is first evaluated on the case's distinct (source, class, action,
 *    dst_port) values with everything else unknown: the rules an event can possibly match follow
 *    from those four columns alone (a CloudTrail rule naming eventName and eventSource is narrowed
 *    to a handful of actions before any record is read).
 * 2. One SELECT per source reads each event once and evaluates only the rules it is a candidate
 *    for, with keyword prefilters shared by the source's rules (match.ts): one scan per source,
 *    not one per rule.
 * 3. Correlation rules run over the matches (correlation.ts), references first.
 *
 * Rules whose SQL does not bind or whose regular expression RE2 refuses are set aside with the
 * reason before the pass; the others run.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../store/case-db.js';
import { phaseOf, techniquesOf } from './attack-tags.js';
import { render } from './compile.js';
import { correlationSql, type CompiledCorrelation } from './correlation.js';
import { DICT_COLUMNS } from './fields.js';
import { problem } from './load.js';
import { matchOnePass, matchRuleByRule } from './match.js';
import { sigmaRuleId, type HuntPlan } from './plan.js';
import { SQL_MACROS } from './sql.js';
import { SigmaError, type SigmaDocument } from './types.js';

export interface RunOptions {
  /** Search events whose time is relative or implausible too (left out by default, as everywhere). */
  includeRelative?: boolean;
  onStep?: (step: string) => void;
  /** Run each rule as its own query over all events (the reference the one-pass SQL is tested against). */
  ruleByRule?: boolean;
}

export interface RuleHits {
  ruleId: string;
  doc: SigmaDocument;
  kind: 'detection' | 'correlation';
  hits: number;
  keys: number;
  first: string | null;
  last: string | null;
  /** False when the rule only feeds a correlation (its own hits are not stored). */
  reported: boolean;
}

export interface RunResult {
  results: RuleHits[];
  /** Events left out because their time is relative or implausible. */
  untrustedTimes: number;
  timings: Record<string, number>;
}

const UNTRUSTED = `time_quality IN ('relative', 'implausible')`;

export async function runPlan(conn: DuckDBConnection, plan: HuntPlan, findingsId: number, opts: RunOptions = {}): Promise<RunResult> {
  const step = opts.onStep ?? (() => {});
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - t;
    t = Date.now();
  };
  for (const m of SQL_MACROS) await conn.run(m);
  const p = plan.params;

  // Set aside rules RE2 or the binder refuses (the others must still run).
  step('checking rules');
  const usable: number[] = [];
  for (let i = 0; i < plan.rules.length; i++) {
    const r = plan.rules[i]!;
    try {
      for (const re of r.regexes) {
        try {
          await conn.run(`SELECT regexp_matches('', $re)`, { re });
        } catch (err) {
          throw new SigmaError(`|re value ${JSON.stringify(re.slice(0, 120))} refused by RE2: ${(err as Error).message.split('\n')[0]!.replace(/^Invalid Input Error: /, '')}`);
        }
      }
      const sql = `SELECT event_id FROM events WHERE ${render(r.cond, 'full')} LIMIT 0`;
      try {
        await conn.run(sql, p.for(sql));
      } catch (err) {
        throw new SigmaError(`does not compile to SQL dwell can run: ${(err as Error).message.split('\n')[0]}`, 'unsupported');
      }
      usable.push(i);
    } catch (err) {
      if (!(err instanceof SigmaError)) throw err;
      plan.problems.push(problem(err.kind, r.rule.file, r.rule.doc, r.rule.id, r.rule.title, err.message));
    }
  }
  const usableSet = new Set(usable);
  lap('check');

  const untrusted = opts.includeRelative ? 0 : ((await all<{ n: number }>(conn, `SELECT count(*)::BIGINT AS n FROM events WHERE ${UNTRUSTED}`))[0]?.n ?? 0);
  const trusted = opts.includeRelative ? 'true' : `NOT coalesce(e.${UNTRUSTED}, false)`;

  await conn.run(`CREATE OR REPLACE TEMP TABLE sigma_hits (idx INTEGER, event_id BIGINT, ts TIMESTAMP)`);
  if (usable.length > 0) {
    // 1. Candidates from the distinct dictionary values.
    step('narrowing rules on the case');
    const cols = DICT_COLUMNS.join(', ');
    await conn.run(`CREATE OR REPLACE TEMP TABLE sigma_dict AS SELECT DISTINCT ${cols} FROM events`);
    const renamed = DICT_COLUMNS.map((c) => `${c} AS c_${c}`).join(', ');
    const candSql = usable.map((i) => `SELECT ${renamed}, ${i} AS idx FROM sigma_dict WHERE (${render(plan.rules[i]!.cond, 'dict')}) IS NOT FALSE`).join('\nUNION ALL\n');
    await conn.run(`CREATE OR REPLACE TEMP TABLE sigma_cand AS ${candSql}`, p.for(candSql));
    lap('narrow');

    // 2. One pass per source: each event against the rules it is a candidate for (match.ts).
    step('matching events');
    let bySource: Record<string, number> = {};
    if (opts.ruleByRule) await matchRuleByRule(conn, plan, usable, trusted);
    else bySource = await matchOnePass(conn, plan, usable, trusted);
    lap('match');
    // Which source's pass took the time (bench/sigma.mjs shows them).
    for (const [source, ms] of Object.entries(bySource)) timings[`match ${source}`] = ms;
  }

  // 3. Correlations, references first (plan order).
  await conn.run(`CREATE OR REPLACE TEMP TABLE sigma_corr_hits (cidx INTEGER, event_id BIGINT, ts TIMESTAMP, base INTEGER, hit_key VARCHAR)`);
  const corrOk = new Set<number>();
  const baseCache = new Map<number, number[]>();
  const baseOf = (ref: CompiledCorrelation['refs'][number]): number[] => {
    if (ref.kind === 'rule') return [ref.index];
    const cached = baseCache.get(ref.index);
    if (cached) return cached;
    const out = [...new Set(plan.correlations[ref.index]!.refs.flatMap(baseOf))];
    baseCache.set(ref.index, out);
    return out;
  };
  for (let ci = 0; ci < plan.correlations.length; ci++) {
    const cc = plan.correlations[ci]!;
    step(`correlation ${cc.corr.title}`);
    try {
      for (const r of cc.refs) {
        if (r.kind === 'rule' && !usableSet.has(r.index)) throw new SigmaError(`refers to rule ${r.name}, which was set aside`, 'unsupported');
        if (r.kind === 'correlation' && !corrOk.has(r.index)) throw new SigmaError(`refers to correlation ${r.name}, which could not run`, 'unsupported');
      }
      const source = (r: CompiledCorrelation['refs'][number]) =>
        r.kind === 'rule' ? `SELECT event_id, ts, idx AS base FROM sigma_hits WHERE idx = ${r.index}` : `SELECT event_id, ts, base FROM sigma_corr_hits WHERE cidx = ${r.index}`;
      const sql = correlationSql(cc, plan.rules, baseOf, source, p);
      const insert = `INSERT INTO sigma_corr_hits SELECT ${ci}, event_id, ts, base, hit_key FROM (${sql})`;
      await conn.run(insert, p.for(insert));
      corrOk.add(ci);
    } catch (err) {
      const c = cc.corr;
      if (err instanceof SigmaError) plan.problems.push(problem(err.kind, c.file, c.doc, c.id, c.title, err.message));
      else plan.problems.push(problem('unsupported', c.file, c.doc, c.id, c.title, `does not compile to SQL dwell can run: ${(err as Error).message.split('\n')[0]}`));
    }
  }
  lap('correlations');

  // 4. Store what is reported.
  step('storing detections');
  await conn.run(`CREATE OR REPLACE TEMP TABLE sigma_rules (idx INTEGER, kind VARCHAR, rule_id VARCHAR, title VARCHAR, phase VARCHAR, technique VARCHAR, level VARCHAR, author VARCHAR, tags VARCHAR[], rule_file VARCHAR)`);
  const meta: Array<{ idx: number; kind: 'rule' | 'corr'; doc: SigmaDocument }> = [];
  for (const i of usable) if (plan.reported.has(i)) meta.push({ idx: i, kind: 'rule', doc: plan.rules[i]!.rule });
  for (const ci of corrOk) if (plan.reportedCorrelations.has(ci)) meta.push({ idx: ci, kind: 'corr', doc: plan.correlations[ci]!.corr });
  for (let i = 0; i < meta.length; i += 200) {
    const chunk = meta.slice(i, i + 200);
    const values: string[] = [];
    const params: Record<string, string | number | null> = {};
    chunk.forEach((m, j) => {
      const d = m.doc;
      values.push(`($i${j}, $k${j}, $r${j}, $t${j}, $p${j}, $q${j}, $l${j}, $a${j}, CAST($g${j} AS JSON)::VARCHAR[], $f${j})`);
      Object.assign(params, {
        [`i${j}`]: m.idx, [`k${j}`]: m.kind, [`r${j}`]: sigmaRuleId(d), [`t${j}`]: d.title, [`p${j}`]: phaseOf(d.tags), [`q${j}`]: techniquesOf(d.tags)[0] ?? null,
        [`l${j}`]: d.level, [`a${j}`]: d.author, [`g${j}`]: JSON.stringify(d.tags), [`f${j}`]: d.file,
      });
    });
    await conn.run(`INSERT INTO sigma_rules VALUES ${values.join(', ')}`, params);
  }
  // sigma_hits holds each (rule, event) once: a rule is in one query per source (match.ts) and an
  // event in one source, so no DISTINCT over what may be millions of hits.
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`INSERT INTO detections (findings_id, rule_id, phase, technique, level, hit_key, event_id, ts, title, author, tags, engine, rule_file)
      SELECT ${Number(findingsId)}, r.rule_id, r.phase, r.technique, r.level, NULL, h.event_id, h.ts, r.title, r.author, r.tags, 'sigma', r.rule_file
      FROM sigma_hits h JOIN sigma_rules r ON r.kind = 'rule' AND r.idx = h.idx`);
    await conn.run(`INSERT INTO detections (findings_id, rule_id, phase, technique, level, hit_key, event_id, ts, title, author, tags, engine, rule_file)
      SELECT ${Number(findingsId)}, r.rule_id, r.phase, r.technique, r.level, h.hit_key, h.event_id, h.ts, r.title, r.author, r.tags, 'sigma', r.rule_file
      FROM (SELECT DISTINCT cidx, event_id, ts, hit_key FROM sigma_corr_hits) h JOIN sigma_rules r ON r.kind = 'corr' AND r.idx = h.cidx`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
  lap('store');

  // Per-rule counts (all usable rules and correlations, reported or not).
  const counts = await all<{ kind: string; idx: number; hits: number; keys: number; first: string | null; last: string | null }>(
    conn,
    `SELECT 'rule' AS kind, idx, count(*)::INTEGER AS hits, 0 AS keys, strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS last FROM sigma_hits GROUP BY idx
     UNION ALL
     SELECT 'corr', cidx, count(DISTINCT event_id)::INTEGER, count(DISTINCT hit_key)::INTEGER, strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ'), strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') FROM sigma_corr_hits GROUP BY cidx`,
  );
  const byKey = new Map(counts.map((c) => [`${c.kind}:${c.idx}`, c]));
  const results: RuleHits[] = [];
  for (const i of usable) {
    const c = byKey.get(`rule:${i}`);
    const doc = plan.rules[i]!.rule;
    results.push({ ruleId: sigmaRuleId(doc), doc, kind: 'detection', hits: c?.hits ?? 0, keys: 0, first: c?.first ?? null, last: c?.last ?? null, reported: plan.reported.has(i) });
  }
  for (const ci of corrOk) {
    const c = byKey.get(`corr:${ci}`);
    const doc = plan.correlations[ci]!.corr;
    results.push({ ruleId: sigmaRuleId(doc), doc, kind: 'correlation', hits: c?.hits ?? 0, keys: c?.keys ?? 0, first: c?.first ?? null, last: c?.last ?? null, reported: plan.reportedCorrelations.has(ci) });
  }
  for (const tmp of ['sigma_hits', 'sigma_corr_hits', 'sigma_dict', 'sigma_cand', 'sigma_rules']) await conn.run(`DROP TABLE IF EXISTS ${tmp}`);
  return { results, untrustedTimes: untrusted, timings };
}
