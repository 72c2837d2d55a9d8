/**
 * `dwell export --case C --what timeline|attack|findings|iocs --format F [-o FILE] [filters]`:
 * looks the format up in the registry (src/export/registry.ts) and runs it on the case, opened
 * read-only. Progress goes to standard error on a terminal; a one-line summary at the end unless
 * --quiet (or when the data itself went to a terminal, or its reader left before the end).
 * Every path written is checked by the case's output guard (src/core/output/guard.ts).
 */
import { statSync } from 'node:fs';
import { OutputError } from '../../core/output/errors.js';
import { OutputGuard } from '../../core/output/guard.js';
import { stdoutState } from '../../core/output/stdout.js';
import { safeText } from '../../core/sanitize.js';
import { FilterError, isEmpty, parseFilterOptions, type FilterOptions } from '../../export/filters.js';
import { makeExportProgress } from '../../export/progress.js';
import { findFormat, formatsFor, isWhat } from '../../export/registry.js';
import { DEFAULT_OPTIONS, WHATS, type Tlp } from '../../export/types.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { readDuckdbConfig } from '../../store/read-budget.js';
import { humanBytes } from '../format.js';

export interface ExportCliOptions extends FilterOptions {
  case: string;
  what: string;
  format: string;
  output?: string;
  quiet?: boolean;
  overwrite?: boolean;
  tlp?: string;
  caseId?: string;
  identity?: string;
  validDays?: number;
  minLevel?: string;
  disable?: string[];
}

function fail(msg: string): number {
  process.stderr.write(`error: ${msg}\n`);
  return 2;
}

export async function runExport(opts: ExportCliOptions): Promise<number> {
  if (!isWhat(opts.what)) return fail(`--what ${safeText(opts.what)} is not supported (use ${WHATS.join(', ')})`);
  const format = findFormat(opts.what, opts.format);
  if (!format) return fail(`--what ${opts.what} exports as ${formatsFor(opts.what).join(', ')}, not ${safeText(opts.format)}`);
  let filters;
  try {
    filters = parseFilterOptions(opts);
  } catch (err) {
    if (err instanceof FilterError) return fail(err.message);
    throw err;
  }
  if (!format.filtered && !isEmpty(filters)) return fail(`filters apply to --what timeline and attack exports; --what ${opts.what} --format ${opts.format} takes none`);
  if ((opts.minLevel || opts.disable?.length) && opts.what !== 'detections' && opts.what !== 'findings') return fail(`--min-level and --disable apply to --what detections and findings (rule hits), not --what ${opts.what}`);
  if (format.target === 'directory' && (!opts.output || opts.output === '-')) return fail(`--format ${format.name} writes a directory of tables: give it with -o DIR`);

  const started = Date.now();
  let db: CaseDb | null = null;
  try {
    // DuckDB's own memory is capped (sorting a large timeline spills to disk instead of growing):
    // with the chunked streaming in JavaScript this bounds the whole export's memory. The budget
    // is the read commands' (src/store/read-budget.ts); at 1 GB the process peaked over 1 GB.
    db = await CaseDb.open(opts.case, { readOnly: true, config: readDuckdbConfig() });
    const toFile = Boolean(opts.output && opts.output !== '-');
    // What an output may never be: read from the case only when a file or folder is written.
    const guard = toFile
      ? await OutputGuard.forCase(opts.case, async (sql) => (await db!.conn.runAndReadAll(sql)).getRowObjectsJson())
      : OutputGuard.refuseAll('no output path was given (the export goes to standard output)');
    // Checked before the (possibly long) export runs; the sink checks again when it opens the file.
    if (toFile) {
      if (format.target === 'directory') guard.checkDirectory(opts.output!);
      else guard.checkFile(opts.output!);
    }
    const progress = makeExportProgress(process.stderr, Boolean(opts.quiet));
    const result = await format.run({
      db,
      what: opts.what,
      filters,
      output: opts.output,
      guard,
      progress,
      now: new Date(),
      options: {
        ...DEFAULT_OPTIONS,
        overwrite: Boolean(opts.overwrite),
        tlp: (opts.tlp as Tlp | undefined) ?? DEFAULT_OPTIONS.tlp,
        caseId: opts.caseId,
        identity: opts.identity ?? DEFAULT_OPTIONS.identity,
        validDays: opts.validDays ?? DEFAULT_OPTIONS.validDays,
        minLevel: opts.minLevel ?? null,
        disable: opts.disable ?? [],
      },
    });
    for (const n of result.notes ?? []) process.stderr.write(`note: ${safeText(n)}\n`);
    // The reader left (`| head`): what was written is not the export, so no count is claimed.
    if (!toFile && stdoutState.closedByReader) return 0;
    if (!opts.quiet && (toFile || !process.stdout.isTTY)) {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const where = toFile ? ` to ${safeText(opts.output)}` : '';
      const size = toFile && format.target === 'file' ? ` (${humanBytes(fileSize(opts.output!))})` : '';
      process.stderr.write(`exported ${result.count.toLocaleString('en-US')} ${result.unit} as ${opts.what} ${format.name}${where}${size} in ${secs} s\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof CaseError || err instanceof OutputError) return fail(err.message);
    throw err;
  } finally {
    db?.close();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
