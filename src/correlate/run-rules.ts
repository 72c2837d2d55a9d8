/** Runs every rule over the case and stores the hits in `detections` for one findings run. */
import { LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { ruleSource, type Rule } from './rules.js';
import { RULE_SCANS, scanSql, scanTable } from './rule-scans.js';

export interface RuleResult {
  rule: Rule;
  hits: number;
  keys: number;
  first: string | null;
  last: string | null;
  error?: string;
}

export interface Sensitive {
  tables: string[];
  buckets: string[];
}

type Value = ReturnType<typeof listValue> | string;

/** Rule SQL sees $sensitive_tables / $sensitive_buckets (VARCHAR[]) only when it names them. */
function paramsFor(sql: string, s: Sensitive): { values: Record<string, Value>; types: Record<string, DuckDBType> } {
  const values: Record<string, Value> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, list] of [['sensitive_tables', s.tables], ['sensitive_buckets', s.buckets]] as const) {
    if (!sql.includes('$' + name)) continue;
    values[name] = listValue(list);
    types[name] = LIST(VARCHAR);
  }
  return { values, types };
}

/** DWELL_TIMING=1: each rule's time on standard error (where a 10M-event correlate spends its rules step). */
const timing = process.env.DWELL_TIMING === '1';

export interface RunRulesOptions {
  /**
   * What the rules read as `events`: the case view `ev` (dwell correlate: twins and untrusted times
   * left out, hosts from evidence paths, as the rest of the correlation sees the case), or the
   * events table itself (the default: dwell hunt, which makes no case view).
   */
  view?: 'ev' | 'events';
  onRule?: (done: number, total: number, rule: Rule) => void;
}

/**
 * Runs the rules and stores their hits. Rules naming a scan (rule-scans.ts) run together after their
 * scan's table is filled, and the table is dropped after its last rule (the results keep the
 * rules' order).
 */
export async function runRules(conn: DuckDBConnection, findingsId: number, rules: Rule[], sensitive: Sensitive, opts: RunRulesOptions = {}): Promise<RuleResult[]> {
  const view = opts.view ?? 'events';
  const results = new Map<Rule, RuleResult>();
  let done = 0;
  const groups: [string | null, Rule[]][] = [...RULE_SCANS.map((s): [string, Rule[]] => [s.name, rules.filter((r) => r.scan === s.name)]), [null, rules.filter((r) => r.scan === null)]];
  for (const [scanName, group] of groups) {
    if (group.length === 0) continue;
    let source: string = view;
    let scanError: string | null = null;
    if (scanName !== null) {
      const t0 = Date.now();
      try {
        await conn.run(scanSql(RULE_SCANS.find((s) => s.name === scanName)!, view));
      } catch (err) {
        scanError = `scan ${scanName}: ${(err as Error).message.split('\n')[0]}`;
      }
      if (timing) process.stderr.write(`timing: scan ${scanName} ${Date.now() - t0} ms\n`);
      source = scanTable(scanName);
    }
    try {
      for (const rule of group) {
        opts.onRule?.(done++, rules.length, rule);
        results.set(rule, scanError ? { rule, hits: 0, keys: 0, first: null, last: null, error: scanError } : await runRule(conn, findingsId, rule, sensitive, source));
      }
    } finally {
      if (scanName !== null) await conn.run(`DROP TABLE IF EXISTS ${scanTable(scanName)}`);
    }
  }
  return rules.map((r) => results.get(r)!);
}

/** One rule over `source` (a scan's table, `ev` or `events`), seen by the rule's SQL as `events`. */
async function runRule(conn: DuckDBConnection, findingsId: number, rule: Rule, sensitive: Sensitive, source: string): Promise<RuleResult> {
    try {
      // The title and file are stored with each hit, so the TUI and the exports show rules from
      // --rules folders too; they are free text from a rule file, hence bound, not spliced.
      const { values, types } = paramsFor(rule.sql, sensitive);
      values.dwell_rule_title = rule.title;
      values.dwell_rule_file = ruleSource(rule);
      values.dwell_rule_tactic = `attack.${rule.tactic}`;
      values.dwell_rule_technique = `attack.${rule.technique.toLowerCase()}`;
      // The rule's own fields come from rule files (--rules folders too): bound like the rest.
      values.dwell_rule_id = rule.id;
      values.dwell_rule_phase = rule.phase;
      values.dwell_rule_technique_id = rule.technique;
      values.dwell_rule_level = rule.level;
      const t0 = Date.now();
      // `events` in the rule's SQL is `source` (a CTE of that name; `main.events` stays the table).
      // The hits' times come from the scan's small table when there is one (a join with the events
      // table reads its 8M ids and times once per rule).
      const shadow = source === 'events' ? '' : `WITH events AS NOT MATERIALIZED (SELECT * FROM ${source})\n`;
      const times = source.startsWith('rule_scan_') ? source : 'main.events';
      await conn.run(
        `INSERT INTO detections (findings_id, rule_id, phase, technique, level, hit_key, event_id, ts, title, tags, engine, rule_file)
         SELECT ${findingsId}, $dwell_rule_id, $dwell_rule_phase, $dwell_rule_technique_id, $dwell_rule_level, h.hit_key, h.event_id, e.ts,
                $dwell_rule_title, [$dwell_rule_tactic, $dwell_rule_technique], 'dwell', $dwell_rule_file
         FROM (${shadow}SELECT DISTINCT event_id::BIGINT AS event_id, CAST(hit_key AS VARCHAR) AS hit_key FROM (
${rule.sql}
)) h
         JOIN ${times} e USING (event_id)`,
        values,
        types,
      );
      if (timing) process.stderr.write(`timing: rule ${rule.id} ${Date.now() - t0} ms\n`);
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS hits, count(DISTINCT hit_key)::INTEGER AS keys, strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS last
         FROM detections WHERE findings_id = ${findingsId} AND rule_id = $rule_id`,
        { rule_id: rule.id },
      );
      const row = r.getRowObjectsJS()[0] as { hits: number; keys: number; first: string | null; last: string | null };
      return { rule, ...row };
    } catch (err) {
      return { rule, hits: 0, keys: 0, first: null, last: null, error: (err as Error).message.split('\n')[0] };
    }
}
