/**
 * `dwell hunt`: Sigma rules over a case. Prints the rules that hit (level, hits, title, author — a
 * Sigma rule's licence asks for its author with every hit), then every rule that could not run
 * with its file, id and reason. Exit 0 when every rule file loaded, 1 when some document was
 * rejected (malformed) — the others ran — and 2 when nothing could run.
 */
import { relative } from 'node:path';
import { safeMultiline, safeText } from '../../core/sanitize.js';
import { RuleError } from '../../correlate/rules.js';
import { hunt, HuntError, type HuntResult } from '../../sigma/hunt.js';
import { levelRank } from '../../sigma/plan.js';
import type { SigmaLevel, SigmaProblem } from '../../sigma/types.js';
import { CaseError } from '../../store/case-db.js';
import { table } from '../format.js';
import { interruptOnSignals, signalExitCode } from '../interrupt.js';

export interface HuntCliOptions {
  case: string;
  sigma: string[];
  placeholder: string[];
  minLevel?: SigmaLevel;
  disable: string[];
  rules?: string[];
  ruleParam?: string[];
  includeRelative?: boolean;
  anyStatus?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `NAME=a,b` → { NAME: ['a', 'b'] } (values split on commas). */
export function parsePlaceholders(list: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new HuntError(`--placeholder ${item}: write NAME=VALUE[,VALUE…], e.g. --placeholder Admins=root,admin`);
    const name = item.slice(0, eq).replace(/^%|%$/g, '');
    out[name] = [...(out[name] ?? []), ...item.slice(eq + 1).split(',').filter((v) => v !== '')];
  }
  return out;
}

export async function runHunt(opts: HuntCliOptions): Promise<number> {
  let result: HuntResult;
  const stop = interruptOnSignals(
    (t) => process.stderr.write(t),
    'stopping (the running query is interrupted; nothing of this hunt is kept); press it again to stop at once',
    'stopped at once; the case keeps its earlier hunts, and this one is not among them — run the same command again',
  );
  try {
    if (opts.sigma.length === 0 && !opts.rules?.length) throw new HuntError('no rules given\n help: --sigma DIR|FILE (repeatable), e.g. --sigma sigma/rules/cloud/aws; --rules DIR for rules in dwell\'s format');
    const step = opts.quiet || opts.json || !process.stderr.isTTY ? undefined : (s: string) => process.stderr.write(`\r\x1b[K${s}…`);
    result = await hunt({
      casePath: opts.case,
      paths: opts.sigma,
      placeholders: parsePlaceholders(opts.placeholder),
      minLevel: opts.minLevel ?? null,
      disable: opts.disable,
      dwellRules: opts.rules?.length || opts.ruleParam?.length ? { dirs: opts.rules ?? [], params: opts.ruleParam } : undefined,
      includeRelative: opts.includeRelative,
      anyStatus: opts.anyStatus,
      onStep: step,
      signal: stop.signal,
    });
    if (step) process.stderr.write('\r\x1b[K');
  } catch (err) {
    if (stop.signal.aborted) {
      process.stderr.write(`\ninterrupted: nothing of this hunt was stored; the case's earlier hunts and findings are as they were\n`);
      return signalExitCode(String(stop.signal.reason));
    }
    if (err instanceof HuntError || err instanceof CaseError || err instanceof RuleError) {
      process.stderr.write(`error: ${safeMultiline(err.message)}\n`);
      return 2;
    }
    throw err;
  } finally {
    stop.dispose();
  }
  const rejected = result.problems.filter((p) => p.kind === 'rejected');
  if (opts.json) {
    process.stdout.write(JSON.stringify(jsonOf(result), null, 2) + '\n');
  } else if (!opts.quiet) {
    process.stdout.write(render(result, opts.case));
  }
  const ran = result.results.length + result.dwellResults.length;
  if (ran === 0) return 2;
  return rejected.length > 0 ? 1 : 0;
}

function where(p: { file: string; doc: number | null }): string {
  const rel = relative(process.cwd(), p.file);
  const shown = rel.startsWith('..') || rel === '' ? p.file : rel;
  return safeText(shown) + (p.doc !== null && p.doc > 0 ? ` (document ${p.doc + 1})` : '');
}

function render(r: HuntResult, casePath: string): string {
  const out: string[] = [];
  const hits = r.results.filter((x) => x.reported && x.hits > 0).sort((a, b) => levelRank(b.doc.level) - levelRank(a.doc.level) || b.hits - a.hits || (a.doc.title < b.doc.title ? -1 : 1));
  const ran = r.results.length;
  const dwellHits = r.dwellResults.filter((d) => d.hits > 0);
  out.push(`Hunt #${r.huntId}: ${r.documents} Sigma document(s) in ${r.files} file(s); ${ran} rule(s) ran, ${hits.length} hit.`);
  if (r.dwellResults.length > 0) out.push(`${r.dwellResults.length} rule(s) of --rules ran, ${dwellHits.length} hit.`);
  if (r.untrustedTimes > 0) out.push(`${r.untrustedTimes.toLocaleString('en-US')} event(s) with relative or implausible times were not searched (--include-relative searches them).`);
  if (hits.length > 0 || dwellHits.length > 0) {
    out.push('');
    out.push(
      table(
        ['LEVEL', 'HITS', 'FIRST', 'LAST', 'RULE'],
        [
          ...hits.map((h) => [h.doc.level ?? '-', h.hits.toLocaleString('en-US'), h.first ?? '-', h.last ?? '-', `${safeText(h.doc.title)} — ${safeText(h.doc.author ?? 'author unknown')} [${safeText(h.ruleId)}]${h.kind === 'correlation' ? ` (correlation, ${h.keys} group(s))` : ''}`]),
          ...dwellHits.map((d) => [d.rule.level, d.hits.toLocaleString('en-US'), d.first ?? '-', d.last ?? '-', `${safeText(d.rule.title)} — dwell rule ${safeText(relative(process.cwd(), d.rule.file))} [${d.rule.id}]`]),
        ],
      ),
    );
  }
  for (const d of r.dwellResults.filter((x) => x.error)) out.push(`warning: rule ${d.rule.id} failed: ${safeText(d.error)} (${safeText(d.rule.file)})`);
  const by = (k: SigmaProblem['kind']) => r.problems.filter((p) => p.kind === k);
  const list = (title: string, ps: SigmaProblem[]) => {
    if (ps.length === 0) return;
    out.push('', title);
    for (const p of ps) out.push(`  ${where(p)}${p.ruleId ? ` [${safeText(p.ruleId)}]` : ''}: ${safeText(p.reason)}`);
  };
  list('Rejected (malformed; fix the rule):', by('rejected'));
  list('Not run (a construct or field dwell lacks):', by('unsupported'));
  const notHeld = by('not_held');
  const skipped = by('skipped');
  if (notHeld.length > 0 || skipped.length > 0) {
    out.push('');
    if (notHeld.length > 0) out.push(`${notHeld.length} rule(s) for log sources dwell does not read (e.g. ${safeText(notHeld[0]!.reason)}).`);
    if (skipped.length > 0) out.push(`${skipped.length} rule(s) skipped: ${[...new Set(skipped.map((s) => safeText(s.reason.split(':')[0]!.split(',')[0]!)))].join('; ')}.`);
    out.push('dwell hunt --json lists every one with its file and reason.');
  }
  if (hits.length > 0 || dwellHits.length > 0) out.push('', `Hits stored in the case as detections of hunt #${r.huntId}: dwell tui --case ${casePath} (detail view), dwell export --case ${casePath} --what detections.`);
  return out.join('\n') + '\n';
}

function jsonOf(r: HuntResult) {
  return {
    hunt_id: r.huntId,
    files: r.files,
    documents: r.documents,
    untrusted_times_not_searched: r.untrustedTimes,
    rules: r.results.map((x) => ({
      rule_id: x.ruleId,
      kind: x.kind,
      title: x.doc.title,
      level: x.doc.level,
      author: x.doc.author,
      tags: x.doc.tags,
      file: x.doc.file,
      reported: x.reported,
      hits: x.hits,
      ...(x.kind === 'correlation' ? { groups: x.keys } : {}),
      first: x.first,
      last: x.last,
    })),
    dwell_rules: r.dwellResults.map((d) => ({ rule_id: d.rule.id, title: d.rule.title, level: d.rule.level, technique: d.rule.technique, file: d.rule.file, params: d.rule.params, hits: d.hits, first: d.first, last: d.last, ...(d.error ? { error: d.error } : {}) })),
    problems: r.problems.map((p) => ({ kind: p.kind, file: p.file, document: p.doc, rule_id: p.ruleId, title: p.title, reason: p.reason })),
    timings_ms: r.timings,
  };
}
