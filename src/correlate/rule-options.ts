/**
 * Which of dwell's rules run, and with which params: `--rules DIR` (rule files of your own, same
 * format), `--rule-param rule.id.param=value`, `--disable rule.id`, `--min-level LEVEL`. Shared by
 * correlate, `dwell rules list` and the exports, so a typo in a rule id is refused the same way
 * everywhere instead of silently tuning nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadRules, rulesDir, RuleError, type Rule } from './rules.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type MinLevel = (typeof LEVELS)[number];

export function levelRank(level: string | null | undefined): number {
  return LEVELS.indexOf((level ?? 'informational') as MinLevel);
}

export interface RuleChoice {
  /** Extra folders of rule files (`--rules`). */
  dirs?: string[];
  /** `rule.id.param=value` (`--rule-param`). */
  params?: string[];
  /** Rule ids not to run (`--disable`). */
  disable?: string[];
  /** Leave out rules below this level (`--min-level`). */
  minLevel?: MinLevel | null;
  /** Ids `--disable` may also name (Sigma rules run beside dwell's by correlate --sigma). */
  otherIds?: ReadonlySet<string>;
}

export interface RuleSelection {
  /** The rules that run, sorted by id. */
  rules: Rule[];
  /** Every rule loaded, those left out included. */
  all: Rule[];
  /** Rules left out, with why (disabled, below the minimum level). */
  left: { rule: Rule; reason: string }[];
  /** The choice as recorded in the findings' parameters. */
  recorded: RecordedChoice;
}

export interface RecordedChoice {
  dirs: string[];
  params: Record<string, string>;
  disabled: string[];
  min_level: MinLevel | null;
}

/** `recon.port_scan.ports=40` → rule `recon.port_scan`, param `ports`, value `40`. */
export function parseRuleParams(list: string[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    const dot = key.lastIndexOf('.');
    // Rule ids are phase.snake_case (rules.ts), so a key has exactly two dots.
    if (!/^[a-z]+\.[a-z0-9_]+\.\w+$/.test(key)) throw new RuleError(`--rule-param ${item}: write RULE.PARAM=VALUE, e.g. --rule-param recon.port_scan.ports=40 (dwell rules list shows every param)`);
    const id = key.slice(0, dot);
    out.set(id, { ...(out.get(id) ?? {}), [key.slice(dot + 1)]: item.slice(eq + 1) });
  }
  return out;
}

/** Loads dwell's rules and the `--rules` folders, applies params, leaves out disabled and low rules. */
export function selectRules(choice: RuleChoice = {}): RuleSelection {
  const dirs = (choice.dirs ?? []).map((d) => resolve(d));
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new RuleError(`--rules ${d}: not a folder\n help: give a folder of rule files (.sql with a dwell rule header, docs/correlation.md)`);
  }
  const overrides = parseRuleParams(choice.params ?? []);
  const all = loadRules([rulesDir(), ...dirs], overrides);
  const ids = new Set(all.map((r) => r.id));
  const unknown = (id: string, flag: string) => {
    if (ids.has(id) || (flag === '--disable' && choice.otherIds?.has(id))) return;
    const plain = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const near = all.filter((r) => plain(r.id).includes(plain(id)) || plain(id).includes(plain(r.id.split('.')[1]!))).map((r) => r.id);
    throw new RuleError(`${flag} ${id}: no such rule${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}\n help: dwell rules list shows every rule id`);
  };
  for (const id of overrides.keys()) unknown(id, '--rule-param');
  for (const id of choice.disable ?? []) unknown(id, '--disable');
  const minLevel = choice.minLevel ?? null;
  if (minLevel !== null && !LEVELS.includes(minLevel)) throw new RuleError(`--min-level ${minLevel}: use one of ${LEVELS.join(', ')}`);
  const disabled = new Set(choice.disable ?? []);
  const rules: Rule[] = [];
  const left: RuleSelection['left'] = [];
  const dwellDisabled = [...disabled].filter((id) => ids.has(id));
  for (const r of all) {
    if (disabled.has(r.id)) left.push({ rule: r, reason: 'disabled (--disable)' });
    else if (minLevel !== null && levelRank(r.level) < levelRank(minLevel)) left.push({ rule: r, reason: `level ${r.level} is below --min-level ${minLevel}` });
    else rules.push(r);
  }
  const params: Record<string, string> = {};
  for (const [id, ps] of [...overrides].sort(([a], [b]) => (a < b ? -1 : 1))) for (const [k, v] of Object.entries(ps)) params[`${id}.${k}`] = v;
  return { rules, all, left, recorded: { dirs, params, disabled: dwellDisabled.sort(), min_level: minLevel } };
}

/** True when the choice changes nothing (dwell's own rules with their defaults). */
export function isDefaultChoice(c: RecordedChoice): boolean {
  return c.dirs.length === 0 && Object.keys(c.params).length === 0 && c.disabled.length === 0 && c.min_level === null;
}
