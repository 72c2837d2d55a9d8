/** `dwell ingest`: runs the pipeline and prints the per-file summary and what went wrong where. */
import { safeText } from '../../core/sanitize.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { ingest, IngestError, type IngestReport } from '../../ingest/pipeline.js';
import { diagnostic, humanCount, shortTime, table } from '../format.js';
import { makeProgress } from '../progress.js';

export interface IngestCliOptions {
  case: string;
  format?: string;
  tz: string;
  year?: number;
  parserOption: Record<string, string>;
  workers?: number;
  rehash?: boolean;
  index?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export async function runIngest(evidence: string[], opts: IngestCliOptions): Promise<number> {
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
        index: opts.index,
        argv: process.argv.slice(2),
      },
      makeProgress(process.stderr, Boolean(opts.quiet || opts.json)),
    );
  } catch (err) {
    if (err instanceof IngestError || err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return exitCode(report);
  }
  process.stdout.write(renderReport(report) + '\n');
  for (const n of report.notes) process.stderr.write(`note: ${safeText(n)}\n`);
  const notes = await problemNotes(opts.case, report);
  if (notes) process.stderr.write(notes + '\n');
  return exitCode(report);
}

/** 0: every file ingested; 1: some file failed or was read only in part; 3: some file was not recognized. */
export function exitCode(report: IngestReport): number {
  if (report.files.some((f) => f.status === 'failed' || f.status === 'partial')) return 1;
  if (report.files.some((f) => f.status === 'unrecognized')) return 3;
  return 0;
}

export function renderReport(report: IngestReport): string {
  const rows = report.files.map((f) => [
    f.status,
    f.format ?? '-',
    humanCount(f.events),
    humanCount(f.warnings),
    shortTime(f.firstTsUs),
    shortTime(f.lastTsUs),
    safeText(f.path),
  ]);
  const body = table(['STATUS', 'FORMAT', 'EVENTS', 'WARNINGS', 'FIRST', 'LAST', 'FILE'], rows);
  const rate = report.seconds > 0 ? Math.round(report.events / report.seconds) : report.events;
  return `${body}\n\n${offTimelineNote(report)}${report.files.length} file(s), ${humanCount(report.events)} events, ${humanCount(report.warnings)} warnings in ${report.seconds.toFixed(1)} s (${humanCount(rate)} events/s); ingest run #${report.runId}${report.index ? `; timeline index of ${humanCount(report.index.events)} events built in ${report.index.seconds.toFixed(1)} s` : ''}`;
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
async function problemNotes(casePath: string, report: IngestReport): Promise<string> {
  const out: string[] = [];
  const withWarnings = report.files.filter((f) => f.warnings > 0 && f.evidenceId !== null);
  const firstWarnings = new Map<number, { line: number; reason: string; raw: string | null }>();
  if (withWarnings.length > 0) {
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      for (const f of withWarnings) {
        const w = await db.one<{ line: number; reason: string; raw: string | null }>(
          `SELECT line, reason, raw FROM parse_warnings WHERE evidence_id = $id ORDER BY line LIMIT 1`,
          { id: f.evidenceId! },
        );
        if (w) firstWarnings.set(f.evidenceId!, w);
      }
    } finally {
      db.close();
    }
  }
  for (const f of report.files) {
    const path = safeText(f.path);
    if (f.status === 'failed' || f.status === 'unrecognized' || f.status === 'partial') {
      out.push(
        diagnostic({
          level: 'error',
          title: `cannot ${f.status === 'partial' ? 'fully ' : ''}ingest ${path}`,
          reason: safeText(f.message ?? f.status),
          help:
            f.status === 'unrecognized'
              ? `run \`dwell sniff ${path}\` to see which formats match, or force one with --format`
              : f.status === 'partial'
                ? 'the events read before the error are in the case; the evidence row records the problem'
                : 'check the path and permissions; the other files were ingested',
        }),
      );
    } else if (f.warnings > 0 && f.evidenceId !== null) {
      const w = firstWarnings.get(f.evidenceId);
      out.push(
        diagnostic({
          level: 'warning',
          title: `${humanCount(f.warnings)} warning(s) in ${path}`,
          reason: w ? safeText(w.reason) : undefined,
          where: w ? `${path}:${w.line}${w.raw ? ` "${safeText(w.raw.slice(0, 80))}"` : ''}` : undefined,
          help: `every warning is in the case: SELECT * FROM parse_warnings WHERE evidence_id = ${f.evidenceId}`,
        }),
      );
    }
  }
  return out.join('\n\n');
}
