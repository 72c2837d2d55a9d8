/**
 * `dwell rules list`: every dwell rule with its id, level, ATT&CK, params (tuned values beside their
 * defaults), title and source file. Given the tuning options of `dwell correlate`, it shows what a
 * correlate with them would run, so a threshold can be checked before a long run.
 */
import { safeMultiline, safeText } from '../../core/sanitize.js';
import { selectRules, type MinLevel } from '../../correlate/rule-options.js';
import { paramsText, ruleSource, ruleTable } from '../../correlate/rule-table.js';
import { RuleError } from '../../correlate/rules.js';
import { table } from '../format.js';

export interface RulesListOptions {
  rules?: string[];
  ruleParam?: string[];
  disable?: string[];
  minLevel?: MinLevel;
  format?: 'text' | 'json' | 'markdown';
}

export async function runRulesList(opts: RulesListOptions): Promise<number> {
  let sel;
  try {
    sel = selectRules({ dirs: opts.rules, params: opts.ruleParam, disable: opts.disable, minLevel: opts.minLevel ?? null });
  } catch (err) {
    if (err instanceof RuleError) {
      process.stderr.write(`error: ${safeMultiline(err.message)}\n`);
      return 2;
    }
    throw err;
  }
  const left = new Map(sel.left.map((l) => [l.rule.id, l.reason]));
  if (opts.format === 'markdown') {
    process.stdout.write(ruleTable(sel.all) + '\n');
  } else if (opts.format === 'json') {
    const out = sel.all.map((r) => ({
      id: r.id,
      title: r.title,
      phase: r.phase,
      tactic: r.tactic,
      technique: r.technique,
      level: r.level,
      entity: r.entity,
      kind: r.kind,
      params: r.params,
      defaults: r.defaults,
      false_positives: r.falsePositives,
      file: ruleSource(r),
      runs: !left.has(r.id),
      ...(left.has(r.id) ? { not_run: left.get(r.id) } : {}),
    }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const rows = sel.all.map((r) => [
      (left.has(r.id) ? '-' : ' ') + r.id,
      r.level,
      `${r.technique} ${r.tactic}`,
      paramsText(r, true) || '-',
      `${safeText(r.title)}  (${safeText(ruleSource(r))})`,
    ]);
    process.stdout.write(table([' RULE', 'LEVEL', 'ATT&CK', 'PARAMS', 'TITLE (FILE)'], rows) + '\n');
    process.stdout.write(`\n${sel.rules.length} of ${sel.all.length} rule(s) run.`);
    if (sel.left.length > 0) process.stdout.write(` Not run (-): ${sel.left.map((l) => `${l.rule.id}: ${l.reason}`).join('; ')}.`);
    process.stdout.write('\nTune with dwell correlate --rule-param RULE.PARAM=VALUE, --disable RULE, --min-level LEVEL, --rules DIR (docs/correlation.md).\n');
  }
  return 0;
}
