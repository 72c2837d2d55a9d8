/** `dwell correlate`: run rules, grow the footprint from the seeds, store and summarize the findings. */
import { safeMultiline, safeText } from '../../core/sanitize.js';
import { parseIsoMicros } from '../../core/time.js';
import { correlate, CorrelateError } from '../../correlate/correlate.js';
import { correlateProgress } from '../correlate-progress.js';
import { interruptOnSignals, signalExitCode } from '../interrupt.js';
import { parseSeed, SeedError } from '../../correlate/seeds.js';
import { CaseError } from '../../store/case-db.js';
import { renderSummary } from '../../export/findings-md.js';
import { RuleError } from '../../correlate/rules.js';
import { HuntError } from '../../sigma/hunt.js';
import { parsePlaceholders } from './hunt.js';
import type { MinLevel } from '../../correlate/rule-options.js';

export interface CorrelateCliOptions {
  case: string;
  seed: string[];
  detectedAt?: string;
  containedAt?: string;
  sensitive: string[];
  auto?: boolean;
  includeRelative?: boolean;
  rules?: string[];
  ruleParam?: string[];
  disable?: string[];
  minLevel?: MinLevel;
  sigma?: string[];
  placeholder?: string[];
  json?: boolean;
}

export function parseTime(label: string, text: string | undefined): number | null {
  if (!text) return null;
  const t = parseIsoMicros(text.trim());
  if (!t || !t.zoned) throw new SeedError(`${label} "${text}" must be an ISO 8601 time with a zone, e.g. 2026-01-02T09:15:00Z`);
  return t.us;
}

export async function runCorrelate(opts: CorrelateCliOptions): Promise<number> {
  const stop = interruptOnSignals(
    (t) => process.stderr.write(t),
    'stopping (the running query is interrupted; nothing of this run is kept); press it again to stop at once',
    'stopped at once; the case keeps its earlier findings, and this run is not among them — run the same command again',
  );
  try {
    const seeds = opts.seed.map(parseSeed);
    for (const s of opts.sensitive) if (!/^(db|s3):\S+$/.test(s)) throw new SeedError(`--sensitive ${s}: write db:schema.table or s3:bucket`);
    const result = await correlate({
      casePath: opts.case,
      seeds,
      auto: opts.auto,
      detectedAtUs: parseTime('--detected-at', opts.detectedAt),
      containedAtUs: parseTime('--contained-at', opts.containedAt),
      sensitive: opts.sensitive,
      includeRelative: opts.includeRelative,
      rules: { dirs: opts.rules, params: opts.ruleParam, disable: opts.disable, minLevel: opts.minLevel ?? null },
      sigma: opts.sigma?.length ? { paths: opts.sigma, placeholders: parsePlaceholders(opts.placeholder ?? []) } : undefined,
      onProgress: correlateProgress(process.stderr),
      signal: stop.signal,
    });
    if (opts.json) process.stdout.write(JSON.stringify(result.findings, null, 2) + '\n');
    else {
      process.stdout.write(renderSummary(result.findings) + '\n');
      process.stdout.write(`\nFindings #${result.findingsId} stored in the case. Full report: dwell export --case ${opts.case} --what findings --format md\n`);
    }
    if (result.sigma) {
      const hit = result.sigma.results.filter((r) => r.reported && r.hits > 0);
      process.stderr.write(`Sigma: ${result.sigma.results.filter((r) => r.reported).length} rule(s) ran, ${hit.length} hit (stored with findings #${result.findingsId}: dwell export --what detections)\n`);
      for (const h of hit) process.stderr.write(`  ${h.doc.level ?? '-'} ${h.hits} ${safeText(h.doc.title)} — ${safeText(h.doc.author ?? 'author unknown')} [${safeText(h.ruleId)}]\n`);
      for (const p of result.sigma.problems.filter((x) => x.kind === 'rejected' || x.kind === 'unsupported')) {
        process.stderr.write(`warning: Sigma ${p.kind === 'rejected' ? 'rule rejected' : 'rule not run'}: ${safeText(p.file)}${p.ruleId ? ` [${safeText(p.ruleId)}]` : ''}: ${safeText(p.reason)}\n`);
      }
    }
    const broken = result.rules.filter((r) => r.error);
    for (const b of broken) process.stderr.write(`warning: rule ${b.rule.id} failed: ${safeText(b.error)}\n --> ${b.rule.file}\n`);
    return 0;
  } catch (err) {
    if (stop.signal.aborted) {
      process.stderr.write(`\ninterrupted: nothing of this run was stored; the case's earlier findings are as they were\n`);
      return signalExitCode(String(stop.signal.reason));
    }
    if (err instanceof SeedError || err instanceof CorrelateError || err instanceof CaseError || err instanceof RuleError || err instanceof HuntError) {
      // Rule files and --rule-param values are the analyst's text, but may be pasted: escaped.
      process.stderr.write(`error: ${err instanceof RuleError ? safeMultiline(err.message) : err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    stop.dispose();
  }
}
