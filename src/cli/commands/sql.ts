/**
 * `dwell sql --case C [QUERY]`: read-only SQL over the case with dwell's own DuckDB (no other tool
 * to install). A query prints a table (or --json / --csv, to standard output or -o FILE); without
 * one, the SQL prompt (src/case-tools/repl.ts). The session is sandboxed (src/case-tools/session.ts):
 * the case stays as ingested and no query reads or writes a file. `view` holds the events of the
 * export's filters given here (without relative/implausible times unless --include-relative).
 */
import { OutputError } from '../../core/output/errors.js';
import { OutputGuard } from '../../core/output/guard.js';
import { safeText } from '../../core/sanitize.js';
import { parseEventView, viewSelect, type ViewOptions } from '../../case-tools/event-view.js';
import { historyPath } from '../../case-tools/history.js';
import { chooseFormat, openOutput, terminalWidth, toFile, UsageError } from '../../case-tools/output.js';
import { runRepl } from '../../case-tools/repl.js';
import { openQuerySession } from '../../case-tools/session.js';
import { SqlError } from '../../case-tools/sql-errors.js';
import { runScript } from '../../case-tools/sql-run.js';
import { defineTempView } from '../../case-tools/temp-view.js';
import { newestFindingsId } from '../../export/event-query.js';
import { FilterError } from '../../export/filters.js';
import { CaseDb, CaseError } from '../../store/case-db.js';

export interface SqlCliOptions extends ViewOptions {
  case: string;
  json?: boolean;
  csv?: boolean;
  output?: string;
  maxRows?: number;
}

/** Rows a table shows by default (the rest are counted). */
export const DEFAULT_MAX_ROWS = 1000;

function fail(msg: string): number {
  process.stderr.write(`error: ${msg}\n`);
  return 2;
}

export async function runSql(query: string | undefined, opts: SqlCliOptions): Promise<number> {
  let format;
  try {
    format = chooseFormat(opts, 'table');
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  if (query === undefined && toFile(opts.output)) return fail('-o FILE writes the result of a QUERY given on the command line (the prompt prints to the screen)');
  if (query !== undefined && query.trim() === '') return fail('the query is empty');

  let db: CaseDb | null = null;
  try {
    db = await openQuerySession(opts.case);
    const view = parseEventView(opts, await newestFindingsId(db));
    await defineTempView(db, 'view', viewSelect(view));
    const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    if (query === undefined) {
      const guard = await OutputGuard.forCase(db.path, async (sql) => (await db!.conn.runAndReadAll(sql)).getRowObjectsJson());
      return await runRepl(db, {
        format,
        maxRows,
        historyFile: historyPath(),
        guard,
        banner: [
          `dwell sql on ${db.path} — read-only; queries read and write no file.`,
          'End statements with ;  .tables lists the tables, .help the commands, Ctrl-C cancels a query, Ctrl-D leaves.',
        ],
      });
    }
    return await runOne(db, query, format, maxRows, opts.output);
  } catch (err) {
    if (err instanceof CaseError || err instanceof FilterError || err instanceof OutputError) return fail(err.message);
    throw err;
  } finally {
    db?.close();
  }
}

/** One query (one or more statements) from the command line. Ctrl-C cancels it (exit 130); twice leaves at once. */
async function runOne(db: CaseDb, query: string, format: 'table' | 'json' | 'csv', maxRows: number, output: string | undefined): Promise<number> {
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    db.conn.interrupt();
  };
  process.on('SIGINT', onInterrupt);
  const sink = await openOutput(db, output);
  try {
    const width = toFile(output) ? undefined : terminalWidth();
    await runScript(db, query, sink, { format, maxRows, width });
    await sink.close();
    return 0;
  } catch (err) {
    sink.abort();
    if (err instanceof SqlError) {
      process.stderr.write(err.cancelled ? 'cancelled\n' : `error: ${err.message}\n`);
      return err.cancelled ? 130 : 2;
    }
    if (err instanceof OutputError) return fail(err.message);
    if ((err as NodeJS.ErrnoException).code) return fail(`cannot write ${safeText(output ?? 'standard output')}: ${safeText((err as Error).message)}`);
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
