/**
 * Sigma correlation rules (specification v2.1) → SQL over the hunt's matches.
 *
 * The events of a correlation are the matches of the rules it names (detection rules, or other
 * correlations' hits). They are grouped by `group-by` (each name resolved in the log source of
 * the rule an event matched, through `aliases` when given; an event lacking a group field is not
 * counted, as SIEMs' `stats … by` drop it), and a window of `timespan` ending at each event is
 * measured: event_count counts events, value_count distinct values of `field`, value_sum/value_avg
 * sum/average it, temporal counts the distinct rules seen (all of them unless a condition says
 * otherwise), temporal_ordered needs them in the order listed. Every event inside a window that
 * meets the condition is a hit, keyed by its group.
 *
 * value_percentile is not run (the specification does not define over which population the
 * percentile is taken) and is reported as such.
 */
import type { CompiledRule } from './compile.js';
import type { Params } from './sql.js';
import { SigmaError, type CountOp, type SigmaCorrelation } from './types.js';

/** A correlation ready to run: what it refers to, resolved. */
export interface CompiledCorrelation {
  corr: SigmaCorrelation;
  /** Per entry of corr.rules: a detection rule (its index in the hunt) or a correlation (its index). */
  refs: Array<{ kind: 'rule'; index: number; name: string } | { kind: 'correlation'; index: number; name: string }>;
}

const OPS: Record<CountOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '<>' };

/** `n >= 10 AND n < 20` for the condition (numbers only, checked when loaded). */
export function conditionSql(expr: string, cond: SigmaCorrelation['condition']): string {
  return cond.map((c) => `${expr} ${OPS[c.op]} ${Number(c.value)}`).join(' AND ');
}

/**
 * SQL giving (event_id, ts, base, hit_key) for a correlation's hits. `source(ref)` is the SQL
 * relation of a referenced item's events with columns (event_id, ts, base): base is the index of
 * the detection rule the event matched, whose log source resolves the group-by fields.
 */
export function correlationSql(cc: CompiledCorrelation, rules: CompiledRule[], baseOf: (ref: CompiledCorrelation['refs'][number]) => number[], source: (ref: CompiledCorrelation['refs'][number]) => string, p: Params): string {
  const c = cc.corr;
  if (c.type === 'value_percentile') throw new SigmaError('value_percentile correlations are not run: the specification does not say over which values the percentile is taken', 'unsupported');
  if (c.type === 'temporal_ordered' && c.condition.length > 0) throw new SigmaError('a temporal_ordered correlation with a condition: dwell requires every rule, in order', 'unsupported');
  // Field expressions per (ref, base rule): the group-by fields, then the aggregated field.
  const fieldSql = (name: string, refIdx: number, base: number): string => {
    const ref = cc.refs[refIdx]!;
    const alias = c.aliases[name];
    const actual = alias ? alias[ref.name] : name;
    if (alias && actual === undefined) throw new SigmaError(`correlation alias ${name} names no field for rule ${ref.name}`);
    const rule = rules[base]!;
    const f = rule.target.field(actual!, p);
    if (!f) throw new SigmaError(`correlation field "${actual}" is not in ${rule.target.label} events (rule ${rule.rule.id ?? rule.rule.title})`, 'unsupported');
    return f.list ? `array_to_string(list_sort(list_distinct(${f.text})), ',')` : `CAST(${f.text} AS VARCHAR)`;
  };
  const pairs: Array<{ ref: number; base: number }> = [];
  cc.refs.forEach((r, i) => {
    for (const b of baseOf(r)) pairs.push({ ref: i, base: b });
  });
  const caseOf = (name: string) => {
    const whens = pairs.map(({ ref, base }) => `WHEN m.ref = ${ref} AND m.base = ${base} THEN ${fieldSql(name, ref, base)}`);
    return `CASE ${whens.join(' ')} END`;
  };
  const keyParts = c.groupBy.map((g) => `${p.add(g + '=')} || coalesce(${caseOf(g)}, chr(0))`);
  const key = keyParts.length > 0 ? keyParts.join(` || ', ' || `) : 'NULL';
  const keyPresent = c.groupBy.length > 0 ? c.groupBy.map((g) => `(${caseOf(g)}) IS NOT NULL`).join(' AND ') : 'true';
  const value = c.field ? caseOf(c.field) : 'NULL';
  const unions = cc.refs.map((r, i) => `SELECT event_id, base, ${i} AS ref FROM (${source(r)})`).join('\n  UNION ALL\n  ');
  const span = `INTERVAL ${Math.round(c.timespan)} SECOND`;
  // The group and value fields are read from the events themselves (unqualified columns are the event's).
  const matched = `matched AS (
  SELECT event_id, e.ts AS ts, m.base, m.ref, ${key} AS k, ${value} AS v FROM (
  ${unions}
  ) m JOIN events e USING (event_id) WHERE ${keyPresent}
)`;
  if (c.type === 'temporal_ordered') return orderedSql(matched, cc.refs.length, span);
  // The aggregate each window counts; temporal rules count the distinct rules seen (all of them by default).
  const AGG: Record<string, string> = {
    event_count: 'count(DISTINCT event_id)',
    value_count: 'count(DISTINCT v)',
    value_sum: 'sum(TRY_CAST(v AS DOUBLE))',
    value_avg: 'avg(TRY_CAST(v AS DOUBLE))',
  };
  const counted = Object.hasOwn(AGG, c.type);
  const agg = counted ? AGG[c.type]! : 'count(DISTINCT ref)';
  const cond = counted || c.condition.length > 0 ? conditionSql('n', c.condition) : `n >= ${cc.refs.length}`;
  return `WITH ${matched},
${windowHitsSql('matched', agg, cond, span)}`;
}

/**
 * The hits of a windowed aggregate over `from` (event_id, ts, base, ref, k, v): a window
 * [end − T, end] whose `agg` meets `cond` ends at an event; an event is a hit when the nearest such
 * end at or after it is within T (later ends start later still, so the nearest decides). "At or
 * after it" is a running minimum in descending time: the same rows as `RANGE BETWEEN CURRENT ROW
 * AND UNBOUNDED FOLLOWING`, which DuckDB computes per row (src/correlate/rules.ts compileThreshold).
 * Continues a WITH clause.
 */
export function windowHitsSql(from: string, agg: string, cond: string, span: string): string {
  return `ends AS (
  SELECT *, ${agg} OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN ${span} PRECEDING AND CURRENT ROW) AS n FROM ${from}
),
marked AS (
  SELECT *, min(CASE WHEN ${cond} THEN ts END) OVER (PARTITION BY k ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
)
SELECT DISTINCT event_id, ts, base, k AS hit_key FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + ${span}`;
}

/**
 * temporal_ordered: a chain ref 0 → ref 1 → … → ref n−1 within T in one group. For each event of
 * ref j, the latest start of a chain of refs 0..j−1 ending before it (the latest start leaves the
 * most room); a chain is complete when an event of the last ref has a start within T before it.
 * The hits are the group's matched events in the window of T ending with each complete chain, as
 * for the other types (a burst of failed logins is all of it, not its last event).
 */
function orderedSql(matched: string, n: number, span: string): string {
  const steps: string[] = [`s0 AS (SELECT *, CASE WHEN ref = 0 THEN ts END AS start FROM matched)`];
  for (let j = 1; j < n; j++) {
    steps.push(`s${j} AS (
  SELECT event_id, ts, base, ref, k, v,
    CASE WHEN ref = ${j} THEN max(CASE WHEN ref = ${j - 1} THEN start END) OVER (PARTITION BY k ORDER BY ts, ref ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
         ELSE start END AS start
  FROM s${j - 1}
)`);
  }
  return `WITH ${matched},
${steps.join(',\n')},
done AS (SELECT k, start, ts AS finish FROM s${n - 1} WHERE ref = ${n - 1} AND start IS NOT NULL AND start >= ts - ${span})
SELECT DISTINCT m.event_id, m.ts, m.base, m.k AS hit_key FROM matched m JOIN done d ON m.k = d.k AND m.ts BETWEEN d.finish - ${span} AND d.finish`;
}
