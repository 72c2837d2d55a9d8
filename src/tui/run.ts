/**
 * `dwell tui` start-up: opens the case read-only while the UI code (Ink, React) loads — the
 * DuckDB open runs on its own thread, so the two overlap — then renders until the user quits.
 */
import { exitBySignal } from '../cli/interrupt.js';
import { CaseError } from '../store/case-db.js';
import { safeText } from '../core/sanitize.js';
import { DuckDbSource } from './data/duckdb-source.js';
import { hasPending, pendingPath, readPending, tryMerge } from './data/pending-annotations.js';
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
  let ended: NodeJS.Signals | null = null;
  try {
    if (opts.attack && !source.info.findings) process.stderr.write('note: no findings in this case yet; showing all events\n');
    const { renderTui } = await ui;
    ended = await renderTui(source, opts.author, opts.attack && source.info.findings ? { ...EMPTY_QUERY, attack: true } : EMPTY_QUERY);
  } finally {
    // Told to stop (kill, a closed terminal): gone within EXIT_WITHIN_MS whatever still runs.
    if (ended) setTimeout(() => exitBySignal(ended!), EXIT_WITHIN_MS).unref();
    await source.close();
  }
  const code = await settleAnnotations(opts.case, source);
  // By the signal, as a killed program ends (129/130/143), and without Node's exit, which waits for
  // whatever DuckDB statement still runs (the SQL console's, stopping).
  if (ended) exitBySignal(ended);
  return leave(code);
}

/**
 * How long `dwell tui` may take to end once told to by a signal or a closed terminal: stopping the
 * queries (CaseHandle.close waits at most 2 s) and saving waiting annotations take well under it.
 */
export const EXIT_WITHIN_MS = 5000;

/**
 * Marks and notes still waiting (another process held the case) go into it now if it is free —
 * this TUI's and any other's, so the last TUI to quit saves everyone's. Else they stay on disk
 * in the side file and the analyst is told where; only annotations that could not even be
 * written there are printed, and make the exit status 1.
 */
export async function settleAnnotations(casePath: string, source: DuckDbSource): Promise<number> {
  const memory = source.unsaved();
  if (memory.length === 0 && !(await hasPending(casePath))) return 0;
  const r = await tryMerge(casePath, memory);
  if (r.ok) {
    const { merged, unreadable, kept } = r.result;
    if (merged > 0) process.stderr.write(`note: ${merged} waiting mark(s)/note(s) saved to the case\n`);
    if (unreadable > 0) {
      process.stderr.write(`warning: ${unreadable} line(s) of waiting annotations could not be read; kept in ${kept.map((k) => safeText(k)).join(', ')}\n`);
      return 1;
    }
    return 0;
  }
  if (memory.length > 0) {
    process.stderr.write(`warning: ${memory.length} annotation(s) could not be saved (${safeText(r.reason)}) nor kept on disk; here they are, to add later:\n`);
    for (const a of memory) process.stderr.write(safeText(JSON.stringify(a)) + '\n');
    return 1;
  }
  const all = (await readPending(casePath)).items.length;
  const mine = source.waiting();
  process.stderr.write(
    `note: ${all} mark(s)/note(s) (${mine} of them yours) are waiting in ${safeText(pendingPath(casePath))}: ${safeText(r.reason)}\n` +
      ` they are saved to the case when it is free: by the next \`dwell tui\` on it, or by the last one open when it quits\n`,
  );
  return 0;
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
