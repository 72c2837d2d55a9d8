/**
 * The TUI's `:` prompt: the analyst's SQL over the view on screen. Each query opens its own
 * sandboxed session on the case (session.ts: read-only, no file access, locked settings) — not the
 * TUI's connection, whose settings dwell's own work needs — defines `view` as the TUI's current
 * view (its filters, pivot and attack view, as parameters: temp-view.ts), runs, and closes the
 * session again, so nothing holds the case between queries (a mark or note needs it alone for a
 * moment). Opening takes ≈0.1 s.
 */
import { OutputError } from '../core/output/errors.js';
import { OutputGuard } from '../core/output/guard.js';
import { safeText } from '../core/sanitize.js';
import type { Sink } from '../core/output/sink.js';
import type { CaseDb } from '../store/case-db.js';
import { saveHistory } from './history.js';
import { openQuerySession } from './session.js';
import { explainSqlError, SqlError } from './sql-errors.js';
import { runScript } from './sql-run.js';
import { defineTempView, type ParamSql } from './temp-view.js';

/** Collects text written to it (a result table) in memory. */
class TextSink implements Sink {
  text = '';
  bytes = 0;
  readonly closedByReader = false;
  async write(text: string): Promise<void> {
    this.text += text;
    this.bytes += text.length;
  }
  async close(): Promise<void> {}
  abort(): void {}
}

export interface ViewQueryResult {
  /** The result tables as lines (escaped, no control characters), with their row counts. */
  lines: string[];
  rows: number;
}

/**
 * Best effort: a history that cannot be written (a refused path — inside the evidence —, a full
 * disk) is not the query's failure; it stays in memory for this TUI session. Returns why, if so.
 */
async function remember(db: CaseDb, path: string, entries: string[]): Promise<string | null> {
  try {
    const guard = await OutputGuard.forCase(db.path, async (q) => (await db.conn.runAndReadAll(q)).getRowObjectsJson());
    saveHistory(path, entries, guard);
    return null;
  } catch (err) {
    return err instanceof OutputError ? err.message : `cannot write ${safeText(path)}: ${safeText((err as Error).message)}`;
  }
}

export class ViewQueryRunner {
  private db: CaseDb | null = null;
  private cancelled = false;
  /** The history could not be saved and the analyst was told so (once, as dwell sql does). */
  private historyWarned = false;

  constructor(private readonly casePath: string) {}

  /**
   * Runs `sql` with `view` defined; throws SqlError (cancelled when cancel() stopped it). `history`:
   * the prompt's entries to save, through the case's output guard, once the session is open.
   */
  async run(sql: string, view: ParamSql, opts: { width?: number; maxRows: number; history?: { path: string; entries: string[] } }): Promise<ViewQueryResult> {
    this.cancelled = false;
    let db: CaseDb | null = null;
    let ticker: NodeJS.Timeout | undefined;
    try {
      db = await openQuerySession(this.casePath);
      // The statement is remembered as soon as the session is open, before it runs (and before a
      // cancel can interrupt the session): an Esc that arrives while the session opens, or a Ctrl-C
      // mid-query, must not lose what was typed.
      let unsaved: string | null = null;
      if (opts.history && !this.historyWarned) unsaved = await remember(db, opts.history.path, opts.history.entries);
      this.db = db;
      // An interrupt only stops a query that is running: an Esc that lands between two steps (the
      // view defined, the statement not yet started) would be lost. Repeat it until run() ends.
      const session = db;
      ticker = setInterval(() => {
        if (this.cancelled) session.conn.interrupt();
      }, 100);
      if (this.cancelled) throw new SqlError('query cancelled', true);
      await defineTempView(db, 'view', view);
      const sink = new TextSink();
      const r = await runScript(db, sql, sink, { format: 'table', width: opts.width, maxRows: opts.maxRows });
      const lines = sink.text.replace(/\n$/, '').split('\n');
      if (unsaved) {
        this.historyWarned = true;
        lines.push('', `warning: history not saved: ${unsaved}`);
      }
      return { lines, rows: r.rows };
    } catch (err) {
      if (err instanceof SqlError) throw err;
      throw this.cancelled ? new SqlError('query cancelled', true) : explainSqlError(err);
    } finally {
      clearInterval(ticker);
      this.db = null;
      db?.close();
    }
  }

  /** Stops the running query (DuckDB interrupts it at its next check, within milliseconds). */
  cancel(): void {
    this.cancelled = true;
    this.db?.conn.interrupt();
  }
}
