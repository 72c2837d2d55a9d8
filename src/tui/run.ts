/**
 * `dwell tui` start-up: opens the case read-only while the UI code (Ink, React) loads — the
 * DuckDB open runs on its own thread, so the two overlap — then renders until the user quits.
 */
import { CaseError } from '../store/case-db.js';
import { DuckDbSource } from './data/duckdb-source.js';
import { EMPTY_QUERY } from './state/filters.js';

export interface RunTuiOptions {
  case: string;
  author: string;
  noIndex?: boolean;
  attack?: boolean;
}

export async function runTui(opts: RunTuiOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write('error: dwell tui needs an interactive terminal\n help: run it in a terminal, not through a pipe\n');
    return 2;
  }
  const ui = import('./render.js');
  let source: DuckDbSource;
  try {
    source = await DuckDbSource.open(opts.case, { noIndex: opts.noIndex });
  } catch (err) {
    if (err instanceof CaseError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    if (opts.attack && !source.info.findings) process.stderr.write('note: no findings in this case yet; showing all events\n');
    const { renderTui } = await ui;
    await renderTui(source, opts.author, opts.attack && source.info.findings ? { ...EMPTY_QUERY, attack: true } : EMPTY_QUERY);
  } finally {
    source.close();
  }
  const unsaved = source.unsaved();
  if (unsaved.length > 0) {
    process.stderr.write(`warning: ${unsaved.length} annotation(s) could not be saved (the case was busy); here they are, to add later:\n`);
    for (const a of unsaved) process.stderr.write(JSON.stringify(a) + '\n');
    return leave(1);
  }
  return leave(0);
}

/**
 * q must always quit. A read of evidence stuck in Node's thread pool (a hung network mount; before
 * evidence-read.ts, a named pipe at the recorded path) keeps the process alive after the UI has
 * gone: once everything of ours is closed, leave anyway if the event loop has not emptied soon.
 */
function leave(code: number): number {
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}
