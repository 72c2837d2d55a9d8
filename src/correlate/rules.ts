/**
 * Detection rules are data: one `.sql` file each under src/correlate/rules/<group>/, with a short
 * header (id, title, phase, ATT&CK tactic and technique, level, entity, params, false positives).
 *
 * Two kinds:
 * - `kind: sql` — the body is a query returning `event_id` and `hit_key` (what the hit is about,
 *   of the header's `entity` kind);
 * - `kind: threshold` — "N events of X per key within T", written as header fields (`where`,
 *   `group_by`, `window`, `min`, optional `count_distinct`, `weight`) and compiled to SQL by one
 *   function, compileThreshold.
 *
 * Every rule returns the same columns so one runner stores them (table `detections`). Rule SQL
 * may use `{{param}}` (values from the header's `params`, checked to be plain numbers or words),
 * `{{vocab.NAME}}` (an action group or knowledge list as an SQL list, sql-vocabulary.ts), the
 * vocabulary macros (`is_private_ip`, `is_cloud_call`, `cloud_identity`, `credential_file`,
 * `is_admin_port`) and the bound parameters `$sensitive_tables` and `$sensitive_buckets`.
 * Rules select on class, action, outcome and attrs — never on the parser (`source`). A rule may
 * name a `scan` (rule-scans.ts): the rows of its source kind, read once for all its rules.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VOCAB_LISTS } from './sql-vocabulary.js';
import { SCAN_NAMES } from './rule-scans.js';

export type Phase = 'recon' | 'access' | 'actions' | 'exfiltration';
export const PHASES: readonly Phase[] = ['recon', 'access', 'actions', 'exfiltration'];
export type EntityKind = 'ip' | 'local_user' | 'iam_principal' | 'access_key' | 'db_role' | 'host' | 'session';

export interface Rule {
  id: string;
  title: string;
  phase: Phase;
  tactic: string;
  technique: string;
  level: 'low' | 'medium' | 'high' | 'critical';
  entity: EntityKind;
  /** Param values the rule runs with (header defaults, --rule-param applied). */
  params: Record<string, string>;
  /** The header's own values. */
  defaults: Record<string, string>;
  falsePositives: string;
  description: string;
  kind: 'sql' | 'threshold';
  /** The SQL returning (event_id, hit_key), params substituted. */
  sql: string;
  file: string;
  /**
   * The time span (seconds) over which the rule relates events, when it declares one: a threshold's
   * `window`, or its `lookback_minutes` / `window_minutes` param. Null when it may look further
   * (a baseline over `days` or `prior_*` history, or no declared span): dwell watch then runs it
   * over the whole case instead of a window around the new events.
   */
  windowSeconds: number | null;
  /**
   * The scan whose rows the rule reads as `events` (header `scan:`, rule-scans.ts): the rows of one
   * source kind, read from the case once for all the rules naming it. Null: the whole case view.
   */
  scan: string | null;
}

export class RuleError extends Error {}

const HEADER = /^--\s*([a-z_]+):\s?(.*)$/;
const SAFE_PARAM = /^[\w.:/ -]+$/;

/**
 * Parses one rule file's text. `overrides` replace header params (`--rule-param`): each must name a
 * param the header declares, and a numeric default takes only a plain number.
 */
export function parseRule(text: string, file: string, overrides: Record<string, string> = {}): Rule {
  const header: Record<string, string> = {};
  const body: string[] = [];
  let inHeader = true;
  for (const line of text.split('\n')) {
    const m = inHeader ? HEADER.exec(line) : null;
    if (m) {
      header[m[1]!] = header[m[1]!] ? `${header[m[1]!]} ${m[2]!.trim()}` : m[2]!.trim();
      continue;
    }
    if (inHeader && line.trim() === '') continue;
    inHeader = false;
    body.push(line);
  }
  const need = (k: string) => {
    const v = header[k];
    if (!v) throw new RuleError(`rule ${file}: header field "${k}" is missing`);
    return v;
  };
  const params: Record<string, string> = {};
  for (const part of (header.params ?? '').split(/[,\s]+/).filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || v === undefined || !SAFE_PARAM.test(v)) throw new RuleError(`rule ${file}: bad param "${part}"`);
    params[k] = v;
  }
  const id = need('id');
  if (!/^[a-z]+\.[a-z0-9_]+$/.test(id)) throw new RuleError(`rule ${file}: id "${id}" must look like phase.snake_case`);
  const defaults = { ...params };
  for (const [k, v] of Object.entries(overrides)) {
    const known = Object.keys(params);
    if (!(k in params)) throw new RuleError(`--rule-param ${id}.${k}: rule ${id} has no param "${k}" (${known.length ? `its params: ${known.join(', ')}` : 'it takes none'})`);
    // Values reach the SQL text, so they are as plain as the header's own: numbers stay numbers.
    const numeric = /^\d+(\.\d+)?$/;
    if (numeric.test(params[k]!) ? !numeric.test(v) : !SAFE_PARAM.test(v)) {
      throw new RuleError(`--rule-param ${id}.${k}=${v}: expected ${numeric.test(params[k]!) ? 'a number ≥ 0' : 'letters, digits, spaces or . : / -'} (default ${params[k]})`);
    }
    params[k] = v;
  }
  if (!/^T\d{4}(\.\d{3})?$/.test(need('technique'))) throw new RuleError(`rule ${file}: technique must be an ATT&CK id like T1110.001`);
  if (!['low', 'medium', 'high', 'critical'].includes(need('level'))) throw new RuleError(`rule ${file}: level must be low, medium, high or critical`);
  const phase = need('phase') as Phase;
  if (!PHASES.includes(phase)) throw new RuleError(`rule ${file}: unknown phase ${phase}`);
  const kind = (header.kind ?? 'sql') as Rule['kind'];
  const scan = header.scan ?? null;
  if (scan !== null && !SCAN_NAMES.includes(scan)) throw new RuleError(`rule ${file}: unknown scan "${scan}" (scans: ${SCAN_NAMES.join(', ')})`);
  let sql: string;
  if (kind === 'threshold') {
    sql = compileThreshold({
      where: need('where'),
      groupBy: need('group_by'),
      window: need('window'),
      min: Number(substitute(need('min'), params, file)),
      countDistinct: header.count_distinct,
      weight: header.weight,
    });
  } else {
    sql = body.join('\n').trim().replace(/;\s*$/, '');
    if (!sql) throw new RuleError(`rule ${file}: no SQL body`);
  }
  return {
    id,
    title: need('title'),
    phase,
    tactic: need('tactic'),
    technique: need('technique'),
    level: need('level') as Rule['level'],
    entity: need('entity') as EntityKind,
    params,
    defaults,
    falsePositives: header.false_positives ?? '',
    description: header.description ?? '',
    kind,
    sql: substitute(sql, params, file),
    file,
    windowSeconds: declaredWindow(kind === 'threshold' ? header.window : undefined, params),
    scan,
  };
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

function declaredWindow(thresholdWindow: string | undefined, params: Record<string, string>): number | null {
  if (Object.keys(params).some((k) => k === 'days' || k.startsWith('prior_'))) return null;
  const m = thresholdWindow ? /^(\d+) (second|minute|hour|day)s?$/.exec(thresholdWindow) : null;
  if (m) return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  const minutes = params.lookback_minutes ?? params.window_minutes;
  return minutes !== undefined && /^\d+(\.\d+)?$/.test(minutes) ? Number(minutes) * 60 : null;
}

function substitute(sql: string, params: Record<string, string>, file: string): string {
  return sql.replace(/\{\{(vocab\.)?(\w+)\}\}/g, (_m, vocab: string | undefined, name: string) => {
    if (vocab) {
      const list = VOCAB_LISTS[name];
      if (list === undefined) throw new RuleError(`rule ${file}: {{vocab.${name}}} is not in the vocabulary (src/core/vocabulary.ts, knowledge.ts)`);
      return list;
    }
    const v = params[name];
    if (v === undefined) throw new RuleError(`rule ${file}: {{${name}}} has no value in params`);
    return v;
  });
}

export interface Threshold {
  /** SQL condition selecting the events counted. */
  where: string;
  /** SQL expression of the key (e.g. src_ip). */
  groupBy: string;
  /** DuckDB interval text, e.g. "10 minutes". */
  window: string;
  min: number;
  /** Count distinct values of this expression instead of events (password spraying: actor). */
  countDistinct?: string;
  /** Weight of an event (e.g. sshd's "message repeated N times"); default 1. */
  weight?: string;
}

/**
 * "N events of X per key within T": every counted event that lies in a window of length T (before
 * or after it) holding at least N events (or N distinct values) of the same key.
 */
export function compileThreshold(t: Threshold): string {
  if (!Number.isFinite(t.min) || t.min < 1) throw new RuleError(`threshold min must be ≥ 1 (got ${t.min})`);
  if (!/^\d+ (second|minute|hour|day)s?$/.test(t.window)) throw new RuleError(`threshold window "${t.window}" must look like "10 minutes"`);
  const value = t.countDistinct ? `CAST(${t.countDistinct} AS VARCHAR)` : t.weight ?? '1';
  const agg = t.countDistinct ? 'count(DISTINCT v)' : 'sum(v)';
  // A window [end − T, end] holding ≥ N is a burst; an event belongs to one when the nearest burst
  // end at or after it is within T (later ends start later still, so the nearest one decides).
  // "At or after it" is a running minimum in descending time (the same rows as `CURRENT ROW AND
  // UNBOUNDED FOLLOWING`, which DuckDB computes per row: minutes on a 10M-event case).
  return `WITH ev AS (
  SELECT event_id, ts, CAST(${t.groupBy} AS VARCHAR) AS k, ${value} AS v FROM events WHERE (${t.where}) AND (${t.groupBy}) IS NOT NULL
), ends AS (
  SELECT event_id, ts, k, ${agg} OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL ${t.window} PRECEDING AND CURRENT ROW) AS n FROM ev
), marked AS (
  SELECT event_id, ts, k, min(CASE WHEN n >= ${t.min} THEN ts END) OVER (PARTITION BY k ORDER BY ts DESC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_end FROM ends
)
SELECT event_id, k AS hit_key FROM marked WHERE next_end IS NOT NULL AND next_end <= ts + INTERVAL ${t.window}`;
}

/** Where the rule files are: src/correlate/rules, from the sources or from the build. */
export function rulesDir(): string {
  const fromSrc = fileURLToPath(new URL('./rules/', import.meta.url));
  if (existsSync(fromSrc) && readdirSync(fromSrc).length > 0) return fromSrc;
  return fileURLToPath(new URL('../../src/correlate/rules/', import.meta.url));
}

/** The rule's file: relative to the package for dwell's own rules, as found for the others. */
export function ruleSource(r: Pick<Rule, 'file'>): string {
  const rel = relative(rulesDir(), r.file);
  return rel.startsWith('..') ? r.file : `src/correlate/rules/${rel.split('\\').join('/')}`;
}

/**
 * Loads every rule of the folders (default: dwell's own), sorted by id; duplicate ids are an
 * error. `overrides` maps a rule id to param values (`--rule-param`, checked by parseRule).
 */
export function loadRules(dirs: string | string[] = rulesDir(), overrides: ReadonlyMap<string, Record<string, string>> = new Map()): Rule[] {
  const rules: Rule[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.name.endsWith('.sql')) {
        const text = readFileSync(p, 'utf8');
        const id = /^--\s*id:\s?(.*)$/m.exec(text)?.[1]?.trim() ?? '';
        rules.push(parseRule(text, p, overrides.get(id)));
      }
    }
  };
  for (const d of typeof dirs === 'string' ? [dirs] : dirs) walk(d);
  const seen = new Map<string, string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new RuleError(`duplicate rule id ${r.id}: ${seen.get(r.id)} and ${r.file}\n help: give the rule of your own a new id (rule ids are unique across --rules folders and dwell's own rules)`);
    seen.set(r.id, r.file);
  }
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
