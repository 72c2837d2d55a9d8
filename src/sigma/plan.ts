/**
 * From loaded Sigma documents to what a hunt runs: detection rules compiled for the log source
 * dwell maps them to, correlations with their references resolved, and a problem for every
 * document left out (with its file, rule id and reason).
 */
import { basename } from 'node:path';
import { compileRule, type CompiledRule } from './compile.js';
import type { CompiledCorrelation } from './correlation.js';
import { problem, type LoadResult } from './load.js';
import { resolveLogsource } from './logsources.js';
import { Params } from './sql.js';
import { SIGMA_LEVELS, SigmaError, type SigmaCorrelation, type SigmaDocument, type SigmaLevel, type SigmaProblem, type SigmaRule } from './types.js';
import type { ValueContext } from './values.js';

export interface PlanOptions {
  placeholders?: Record<string, string[]>;
  /** Leave out rules (and correlations) below this level. */
  minLevel?: SigmaLevel | null;
  /** Also run rules whose status is deprecated or unsupported. */
  anyStatus?: boolean;
  /** Rule ids (or names) not to run. */
  disable?: string[];
}

export interface HuntPlan {
  rules: CompiledRule[];
  correlations: CompiledCorrelation[];
  problems: SigmaProblem[];
  params: Params;
  files: string[];
  /** Documents read (rules and correlations). */
  documents: number;
  /** Detection rules whose own hits are reported (not only used by a correlation). */
  reported: Set<number>;
  /** Correlations whose hits are reported (not only used by another correlation). */
  reportedCorrelations: Set<number>;
}

/** The id a hit is stored under: the rule's id, else its name, else file#document. */
export function sigmaRuleId(d: SigmaDocument): string {
  return d.id ?? (d.name ? `name:${d.name}` : `${basename(d.file)}#${d.doc}`);
}

export function levelRank(l: SigmaLevel | null): number {
  return l === null ? -1 : SIGMA_LEVELS.indexOf(l);
}

export function planHunt(loaded: LoadResult, opts: PlanOptions = {}): HuntPlan {
  const params = new Params('s');
  const ctx: ValueContext = { placeholders: opts.placeholders ?? {} };
  const problems = [...loaded.problems];
  const rules: CompiledRule[] = [];
  const correlationDocs: SigmaCorrelation[] = [];
  const seen = new Map<string, SigmaDocument>();
  const disabled = new Set(opts.disable ?? []);
  const say = (d: SigmaDocument, kind: SigmaProblem['kind'], reason: string) => problems.push(problem(kind, d.file, d.doc, d.id, d.title, reason));
  // Rules that correlations name must load even when they would be left out on their own.
  const named = new Set<string>();
  for (const d of loaded.documents) if (d.kind === 'correlation') for (const r of d.rules) named.add(r);

  for (const d of loaded.documents) {
    const id = sigmaRuleId(d);
    const prior = seen.get(id);
    if (prior) {
      say(d, 'rejected', `duplicate rule id ${id}: already loaded from ${prior.file}`);
      continue;
    }
    seen.set(id, d);
    const needed = (d.id !== null && named.has(d.id)) || (d.name !== null && named.has(d.name));
    if (disabled.has(id) || (d.name && disabled.has(d.name))) {
      say(d, 'skipped', 'disabled (--disable)');
      continue;
    }
    if (!opts.anyStatus && (d.status === 'deprecated' || d.status === 'unsupported') && !needed) {
      say(d, 'skipped', `status ${d.status}: not run (SigmaHQ keeps such rules for reference; --sigma-any-status runs them)`);
      continue;
    }
    if (d.kind === 'correlation') {
      correlationDocs.push(d);
      continue;
    }
    const r = resolveLogsource(d.logsource);
    if ('notHeld' in r) {
      say(d, 'not_held', r.notHeld);
      continue;
    }
    if ('unsupported' in r) {
      say(d, 'unsupported', r.unsupported);
      continue;
    }
    try {
      rules.push(compileRule(d as SigmaRule, r.target, params, ctx));
    } catch (err) {
      if (!(err instanceof SigmaError)) throw err;
      say(d, err.kind, err.message);
    }
  }

  // Correlations: resolve what they name (by id or name), in an order where references come first.
  const byRef = new Map<string, { kind: 'rule'; index: number } | { kind: 'correlation'; doc: SigmaCorrelation }>();
  rules.forEach((r, i) => {
    if (r.rule.id) byRef.set(r.rule.id, { kind: 'rule', index: i });
    if (r.rule.name) byRef.set(r.rule.name, { kind: 'rule', index: i });
  });
  for (const c of correlationDocs) {
    if (c.id) byRef.set(c.id, { kind: 'correlation', doc: c });
    if (c.name) byRef.set(c.name, { kind: 'correlation', doc: c });
  }
  const correlations: CompiledCorrelation[] = [];
  const state = new Map<SigmaCorrelation, 'visiting' | number | 'failed'>();
  const resolve = (c: SigmaCorrelation, path: string[]): number | null => {
    const s = state.get(c);
    if (typeof s === 'number') return s;
    if (s === 'failed') return null;
    if (s === 'visiting') throw new SigmaError(`correlation ${sigmaRuleId(c)} refers to itself through ${path.join(' → ')}`);
    state.set(c, 'visiting');
    try {
      const refs: CompiledCorrelation['refs'] = [];
      for (const name of c.rules) {
        const target = byRef.get(name);
        if (!target) {
          const wasDropped = problems.find((p) => p.ruleId === name || loaded.documents.some((d) => d.name === name && d.file === p.file && d.doc === p.doc));
          throw new SigmaError(`refers to rule ${name}, which ${wasDropped ? `was not run (${wasDropped.reason})` : 'is not among the rules loaded'}`, wasDropped ? wasDropped.kind === 'rejected' ? 'rejected' : 'unsupported' : 'rejected');
        }
        if (target.kind === 'rule') refs.push({ kind: 'rule', index: target.index, name });
        else {
          const idx = resolve(target.doc, [...path, name]);
          if (idx === null) throw new SigmaError(`refers to correlation ${name}, which cannot run`, 'unsupported');
          refs.push({ kind: 'correlation', index: idx, name });
        }
      }
      if (c.type === 'value_percentile') throw new SigmaError('value_percentile correlations are not run: the specification does not say over which values the percentile is taken', 'unsupported');
      correlations.push({ corr: c, refs });
      state.set(c, correlations.length - 1);
      return correlations.length - 1;
    } catch (err) {
      state.set(c, 'failed');
      if (!(err instanceof SigmaError)) throw err;
      problems.push(problem(err.kind, c.file, c.doc, c.id, c.title, err.message));
      return null;
    }
  };
  for (const c of correlationDocs) resolve(c, [sigmaRuleId(c)]);

  // Which rules report their own hits: all but those only used by correlations (unless generate: true).
  const reported = new Set<number>(rules.map((_, i) => i));
  for (const cc of correlations) {
    if (cc.corr.generate) continue;
    for (const r of cc.refs) if (r.kind === 'rule') reported.delete(r.index);
  }
  for (const cc of correlations) if (cc.corr.generate) for (const r of cc.refs) if (r.kind === 'rule') reported.add(r.index);
  if (opts.minLevel) {
    const min = levelRank(opts.minLevel);
    for (const i of [...reported]) {
      const r = rules[i]!.rule;
      if (levelRank(r.level) < min) {
        reported.delete(i);
        if (!correlations.some((c) => c.refs.some((x) => x.kind === 'rule' && x.index === i))) problems.push(problem('skipped', r.file, r.doc, r.id, r.title, `level ${r.level ?? 'none'} is below --min-level ${opts.minLevel}`));
      }
    }
  }
  const reportedCorrelations = new Set<number>(correlations.map((_, i) => i));
  for (const cc of correlations) for (const r of cc.refs) if (r.kind === 'correlation' && !cc.corr.generate) reportedCorrelations.delete(r.index);
  if (opts.minLevel) {
    const min = levelRank(opts.minLevel);
    for (const i of [...reportedCorrelations]) {
      const c = correlations[i]!.corr;
      if (levelRank(c.level) < min) {
        reportedCorrelations.delete(i);
        problems.push(problem('skipped', c.file, c.doc, c.id, c.title, `level ${c.level ?? 'none'} is below --min-level ${opts.minLevel}`));
      }
    }
  }
  return { rules, correlations, problems, params, files: loaded.files, documents: loaded.documents.length, reported, reportedCorrelations };
}
