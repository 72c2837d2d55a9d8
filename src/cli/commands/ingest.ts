/**
 * `dwell ingest`: runs the pipeline and prints what happened: the files table, one diagnostic per
 * file that went wrong, one counted line for files no parser recognized, and the summary last, so
 * the totals are what is left on the screen.
 */
import { safeText } from '../../core/sanitize.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import type { EvidenceStatus } from '../../store/schema.js';
import { ingest, IngestError, isProblem, type FileReport, type IngestReport } from '../../ingest/pipeline.js';
import { diagnostic, humanCount, shortTime, table } from '../format.js';
import { interruptOnSignals, signalExitCode } from '../interrupt.js';
import { makeProgress } from '../progress.js';

export interface IngestCliOptions {
  case: string;
  format?: string;
  tz: string;
  year?: number;
  parserOption: Record<string, string>;
  workers?: number;
  rehash?: boolean;
  followSymlinks?: boolean;
  index?: boolean;
  /** false with --no-fast. */
  fast?: boolean;
  maxRatio?: number;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export async function runIngest(evidence: string[], opts: IngestCliOptions): Promise<number> {
  const stop = interruptOnSignals(
    (t) => process.stderr.write(t),
    'stopping at the file boundary (the file being read is rolled back); press it again to stop at once',
    'stopped at once; the case keeps every file committed so far — run the same command again to resume',
  );
  let report: IngestReport;
  try {
    report = await ingest(
      {
        casePath: opts.case,
        inputs: evidence,
        tz: opts.tz,
        year: opts.year,
        format: opts.format,
        extra: opts.parserOption,
        workers: opts.workers,
        rehash: opts.rehash,
        followSymlinks: opts.followSymlinks,
        index: opts.index,
        fast: opts.fast,
        maxRatio: opts.maxRatio,
        argv: process.argv.slice(2),
        signal: stop.signal,
      },
      makeProgress(process.stderr, Boolean(opts.quiet || opts.json)),
    );
  } catch (err) {
    if (err instanceof IngestError || err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    stop.dispose();
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return exitCode(report);
  }
  const body = renderTable(report, Boolean(opts.verbose));
  if (body) process.stdout.write(body + '\n\n');
  const notes = await problemNotes(opts.case, report, Boolean(opts.verbose));
  if (notes) process.stderr.write(notes + '\n\n');
  for (const n of report.notes) process.stderr.write(`note: ${safeText(n)}\n`);
  const unrecognized = report.files.filter((f) => f.heldAs === 'unrecognized').length;
  if (unrecognized > 0 && !opts.verbose) {
    process.stderr.write(`note: ${unrecognized} file(s) not recognized by any parser (hashed and recorded, no events); --verbose lists them, \`dwell sniff FILE\` says why\n`);
  }
  if (report.interrupted) process.stderr.write(interruptedMessage(report) + '\n');
  process.stdout.write(renderSummary(report) + '\n');
  return exitCode(report);
}

/**
 * 130/143: interrupted (Ctrl-C/SIGTERM); 1: some file failed or is held only in part; 3: some
 * file is not recognized; 0: every file is in the case. Computed from how the case holds each file
 * (`heldAs`), so a re-run over the same state exits the same way.
 */
export function exitCode(report: IngestReport): number {
  if (report.interrupted) return signalExitCode(report.interrupted.reason);
  if (report.files.some((f) => f.heldAs === 'failed' || f.heldAs === 'partial')) return 1;
  if (report.files.some((f) => f.heldAs === 'unrecognized')) return 3;
  return 0;
}

/** The files table; files no parser recognized are left out unless verbose (they are counted below it). */
export function renderTable(report: IngestReport, verbose = false): string {
  const shown = report.files.filter((f) => verbose || f.heldAs !== 'unrecognized');
  if (shown.length === 0) return '';
  const rows = shown.map((f) => [
    f.status,
    f.format ?? '-',
    humanCount(f.events),
    humanCount(f.warnings),
    shortTime(f.firstTsUs),
    shortTime(f.lastTsUs),
    safeText(f.path),
  ]);
  return table(['STATUS', 'FORMAT', 'EVENTS', 'WARNINGS', 'FIRST', 'LAST', 'FILE'], rows);
}

/** The last line: totals, what went wrong in counts, the run and the index. */
export function renderSummary(report: IngestReport): string {
  const counts = new Map<string, number>();
  for (const f of report.files) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  const order = ['ingested', 'already_ingested', 'recorded', 'duplicate', 'skipped', 'partial', 'failed', 'unrecognized'];
  const byStatus = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s.replace('_', ' ')}`);
  const rate = report.seconds > 0 ? Math.round(report.events / report.seconds) : report.events;
  return (
    offTimelineNote(report) +
    `${report.files.length} file(s)${byStatus.length ? ` (${byStatus.join(', ')})` : ''}, ${humanCount(report.events)} events, ${humanCount(report.warnings)} warnings ` +
    `in ${report.seconds.toFixed(1)} s (${humanCount(rate)} events/s); ingest run #${report.runId}` +
    (report.index ? `; timeline index of ${humanCount(report.index.events)} events built in ${report.index.seconds.toFixed(1)} s` : '') +
    (report.interrupted ? '; INTERRUPTED' : '')
  );
}

function interruptedMessage(report: IngestReport): string {
  const i = report.interrupted!;
  const by = i.reason === 'SIGINT' ? 'Ctrl-C' : i.reason;
  if (i.during === 'index') {
    return diagnostic({
      level: 'error',
      title: `interrupted by ${by} while building the timeline index`,
      reason: 'every file is stored; the time-sorted index was not built (dwell tui still works, paging the events directly)',
      help: 'run the same command again to build it: files already in the case are skipped',
    });
  }
  const rolledBack = i.rolledBack ?? [];
  const reading = rolledBack.length
    ? `; rolled back (nothing of them is in the case; the next run reads them again): ${rolledBack.slice(0, 5).map((p) => safeText(p)).join(', ')}${rolledBack.length > 5 ? ` and ${rolledBack.length - 5} more` : ''}`
    : '';
  return diagnostic({
    level: 'error',
    title: `interrupted by ${by}`,
    reason: `${report.files.length} file(s) done before the interruption (listed above); ${i.notStored} not stored (the file being read was rolled back: nothing of it is in the case)${reading}`,
    help: 'run the same command again to resume: files already in the case are skipped',
  });
}

/** Events kept but off the timeline (time_quality relative / implausible): said before the totals. */
function offTimelineNote(report: IngestReport): string {
  const implausible = report.files.reduce((s, f) => s + (f.implausibleTimes ?? 0), 0);
  const relative = report.files.reduce((s, f) => s + (f.relativeTimes ?? 0), 0);
  if (implausible === 0 && relative === 0) return '';
  const parts = [implausible ? `${humanCount(implausible)} event(s) with implausible times (before 1990 or in the future)` : null, relative ? `${humanCount(relative)} with relative times (e.g. a replayed capture)` : null];
  return `note: ${parts.filter(Boolean).join(' and ')}: kept in the case, left out of default views and exports (--include-relative shows them)\n`;
}

/** One diagnostic per file that did not go cleanly, naming the file and, where known, the line. */
async function problemNotes(casePath: string, report: IngestReport, verbose: boolean): Promise<string> {
  const out: string[] = [];
  const withWarnings = report.files.filter((f) => f.warnings > 0 && f.evidenceId !== null);
  const firstWarnings = new Map<number, { line: number; byte_offset: number; reason: string; raw: string | null }>();
  if (withWarnings.length > 0) {
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      for (const f of withWarnings) {
        const w = await db.one<{ line: number; byte_offset: number; reason: string; raw: string | null }>(
          `SELECT line, byte_offset, reason, raw FROM parse_warnings WHERE evidence_id = $id ORDER BY line LIMIT 1`,
          { id: f.evidenceId! },
        );
        if (w) firstWarnings.set(f.evidenceId!, w);
      }
    } finally {
      db.close();
    }
  }
  const unrecognized: string[] = [];
  for (const f of report.files) {
    const path = safeText(f.path);
    const status: EvidenceStatus | 'already_ingested' = f.status === 'already_ingested' || f.status === 'duplicate' ? f.heldAs : f.status;
    if (status === 'unrecognized') {
      if (verbose) unrecognized.push(`unrecognized: ${path}: ${safeText(f.message ?? '')}`);
    } else if (isProblem(f.heldAs)) {
      out.push(
        diagnostic({
          level: 'error',
          title: `cannot ${f.heldAs === 'partial' ? 'fully ' : ''}ingest ${path}`,
          reason: safeText(f.message ?? f.status),
          help: helpFor(f),
        }),
      );
    } else if (f.status === 'skipped' && f.message) {
      // Not read on purpose (a pipe, a symlink loop, a link out of the evidence): say why, once.
      out.push(diagnostic({ level: 'warning', title: `skipped ${path}`, reason: safeText(f.message) }));
    } else if (f.warnings > 0 && f.evidenceId !== null) {
      const w = firstWarnings.get(f.evidenceId);
      out.push(
        diagnostic({
          level: 'warning',
          title: `${humanCount(f.warnings)} warning(s) in ${path}`,
          reason: w ? safeText(w.reason) : undefined,
          where: w ? `${path}:${w.line} (byte ${w.byte_offset})${w.raw ? ` "${safeText(w.raw.slice(0, 80))}"` : ''}` : undefined,
          help: `every warning is in the case: SELECT * FROM parse_warnings WHERE evidence_id = ${f.evidenceId}`,
        }),
      );
    }
  }
  if (unrecognized.length) out.push(unrecognized.join('\n'));
  return out.join('\n\n');
}

function helpFor(f: FileReport): string {
  if (f.heldAs === 'partial') return 'the events read before the error are in the case; the evidence row records the problem';
  if (f.sha256) return 'the file was hashed and recorded; the other files were ingested';
  return 'check the path and permissions; the other files were ingested';
}
