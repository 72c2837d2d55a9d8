/**
 * The match step of a hunt: every usable rule over the events, into `sigma_hits (idx, event_id, ts)`.
 *
 * One scan per source (`events.source`), not one per rule nor one joined row per (event, rule):
 * each event of the source is read once, joined to a bit mask of the rules it is a candidate for
 * (from the dictionary narrowing, `sigma_cand`), and one SELECT computes one CASE per rule, the
 * numbers of the rules that hold collected in a list and unnested into hits. A CASE's condition is
 * evaluated as a filter, so its AND and OR stop early: a rule's expensive leaves (JSON, regular
 * expressions) run only on the events whose mask bit and cheap leaves let them through.
 *
 * Keyword searches are the costliest part (Linux and database rules are mostly regular
 * expressions over the raw line, one RE2 pass per rule). The regexes a rule cannot match without
 * (a required leaf `regexp_matches(raw, R)`) are folded, per source, into a few alternations
 * `(?:R1)|(?:R2)|…` computed once per event: an event none of them matches skips all those rules'
 * own regexes. That is a prefilter only; each rule's own condition still decides.
 *
 * `matchRuleByRule` is the plain reference (one query per rule over all events), kept to test
 * that the one-pass SQL gives the same hits.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../store/case-db.js';
import { render, type Node } from './compile.js';
import { DICT_COLUMNS } from './fields.js';
import type { HuntPlan } from './plan.js';

/** Rules per prefilter alternation: RE2 builds one automaton per alternation, and a larger one may not fit its memory budget. */
const PREFILTER_RULES = 24;

/** The text keyword prefilters read (keyword searches over the raw line). */
const PREFILTER_TEXT = 'raw';

/**
 * RE2 patterns (parameter names) one of which must match `text` for the node to be true, or null
 * when the node has no such requirement (a NOT, a leaf on another field, an OR with a branch
 * without one).
 */
export function requiredRegexes(n: Node, text: string): string[] | null {
  switch (n.t) {
    case 'leaf':
      return n.re && n.re.text === text ? [n.re.param] : null;
    case 'not':
      return null;
    case 'and': {
      // Any child's requirement is the whole's; the one with fewest alternatives filters best.
      let best: string[] | null = null;
      for (const a of n.args) {
        const r = requiredRegexes(a, text);
        if (r && (!best || r.length < best.length)) best = r;
      }
      return best;
    }
    case 'or': {
      const out: string[] = [];
      for (const a of n.args) {
        const r = requiredRegexes(a, text);
        if (!r) return null;
        out.push(...r);
      }
      return [...new Set(out)];
    }
  }
}

/** Runs the match; returns the milliseconds each source's pass took. */
export async function matchOnePass(conn: DuckDBConnection, plan: HuntPlan, usable: number[], trusted: string): Promise<Record<string, number>> {
  const took: Record<string, number> = {};
  const p = plan.params;
  const usableSet = new Set(usable);
  const cands = await all<{ source: string | null; idx: number }>(conn, `SELECT DISTINCT c_source AS source, idx FROM sigma_cand ORDER BY source, idx`);
  const bySource = new Map<string | null, number[]>();
  for (const c of cands) {
    if (!usableSet.has(c.idx)) continue;
    const list = bySource.get(c.source) ?? [];
    list.push(c.idx);
    bySource.set(c.source, list);
  }
  const rest = DICT_COLUMNS.filter((c) => c !== 'source');
  for (const [source, rules] of bySource) {
    const t0 = Date.now();
    // The candidate rules of each dictionary tuple of this source, as bits (bit j: rules[j]).
    const pos = `list_position([${rules.join(', ')}], idx) - 1`;
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE sigma_mask AS SELECT ${rest.map((c) => `c_${c}`).join(', ')}, bitstring_agg(${pos}, 0, ${rules.length - 1}) AS sigma_bits
       FROM sigma_cand WHERE c_source IS NOT DISTINCT FROM $source GROUP BY ALL`,
      { source },
    );

    // Keyword prefilters: the required regexes of up to PREFILTER_RULES rules per alternation.
    const required = new Map<number, string[]>();
    for (const i of rules) {
      const r = requiredRegexes(plan.rules[i]!.cond, PREFILTER_TEXT);
      if (r) required.set(i, r);
    }
    const prefilterOf = new Map<number, string>();
    const prefilterCols: string[] = [];
    const withReq = [...required.keys()];
    for (let c = 0; c < withReq.length; c += PREFILTER_RULES) {
      const chunk = withReq.slice(c, c + PREFILTER_RULES);
      const alts = [...new Set(chunk.flatMap((i) => required.get(i)!))].map((name) => `(?:${p.values[name.slice(1)]})`);
      const union = p.add(alts.join('|'));
      try {
        // RE2 may refuse an alternation too large for it: those rules then run without a prefilter.
        await conn.run(`SELECT regexp_matches('', ${union})`, p.for(union));
      } catch {
        continue;
      }
      const col = `sigma_pf${prefilterCols.length}`;
      prefilterCols.push(`coalesce(regexp_matches(${PREFILTER_TEXT}, ${union}), false) AS ${col}`);
      for (const i of chunk) prefilterOf.set(i, col);
    }

    const cases = rules.map((i, j) => {
      const pf = prefilterOf.get(i);
      return `CASE WHEN get_bit(sigma_bits, ${j}) = 1${pf ? ` AND ${pf}` : ''} AND ${render(plan.rules[i]!.cond, 'full')} THEN ${i} END`;
    });
    const join = rest.map((c) => `e.${c} IS NOT DISTINCT FROM m.c_${c}`).join(' AND ');
    // An event without a source (no parser leaves one, but the column allows it) is still matched.
    const bySrc = source === null ? 'e.source IS NULL' : 'e.source = $src';
    const scan = `SELECT e.*, m.sigma_bits FROM events e JOIN sigma_mask m ON ${join} WHERE ${bySrc} AND ${trusted}`;
    const sql = `INSERT INTO sigma_hits
      SELECT idx, event_id, ts FROM (
        SELECT event_id, ts, unnest(list_filter([
          ${cases.join(',\n          ')}
        ], lambda _h: _h IS NOT NULL)) AS idx
        FROM (SELECT *${prefilterCols.map((c) => `, ${c}`).join('')} FROM (${scan}))
      )`;
    await conn.run(sql, { ...p.for(sql), ...(source === null ? {} : { src: source }) });
    took[source ?? '(none)'] = Date.now() - t0;
  }
  await conn.run(`DROP TABLE IF EXISTS sigma_mask`);
  return took;
}

/** The reference: one query per rule over all events (no narrowing, no prefilter). */
export async function matchRuleByRule(conn: DuckDBConnection, plan: HuntPlan, usable: number[], trusted: string): Promise<void> {
  for (const i of usable) {
    const sql = `INSERT INTO sigma_hits SELECT ${i}, event_id, ts FROM events e WHERE ${trusted} AND ${render(plan.rules[i]!.cond, 'full')}`;
    await conn.run(sql, plan.params.for(sql));
  }
}
