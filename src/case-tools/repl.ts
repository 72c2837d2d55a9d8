/**
 * `dwell sql` without a query: the SQL prompt. On a terminal: a line editor with history
 * (history.ts), completion of table, column and SQL words (DuckDB's own sql_auto_complete),
 * statements over several lines until `;`, dot commands (dot-commands.ts); Ctrl-C cancels the
 * running query (connection.interrupt), clears a half-typed statement, and at an empty prompt,
 * pressed twice, leaves. From a pipe or file (`dwell sql --case C < checks.sql`): the same without
 * prompts, every statement run in turn, exit 2 if any failed.
 *
 * The line editor writes cursor movements to the terminal, so the CLI's escaping net is off for
 * this command (output.ts ownTerminal): everything printed from the case goes through table.ts
 * or safeText instead.
 */
import { createInterface, type Interface } from 'node:readline';
import { safeText } from '../core/sanitize.js';
import { OutputError } from '../core/output/errors.js';
import type { OutputGuard } from '../core/output/guard.js';
import { stdoutSink } from '../core/output/sink.js';
import type { CaseDb } from '../store/case-db.js';
import { dotCommand } from './dot-commands.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import { ownTerminal, terminalWidth, type OutputFormat } from './output.js';
import { SqlError } from './sql-errors.js';
import { runScript } from './sql-run.js';
import { endsStatement } from './statement-end.js';

const PROMPT = 'dwell> ';
const MORE = '  ...> ';

export interface ReplOptions {
  format: OutputFormat;
  maxRows: number;
  /** History file (null: none). */
  historyFile: string | null;
  /** Checks the history file's path like any output. */
  guard: OutputGuard;
  /** First lines shown on a terminal. */
  banner: string[];
}

interface ReadlineWithHistory extends Interface {
  history: string[];
}

export async function runRepl(db: CaseDb, opts: ReplOptions): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  // Prompts go where the analyst looks: the terminal, even when results are piped on.
  const echo = interactive ? (process.stdout.isTTY ? process.stdout : process.stderr) : null;
  if (echo === process.stdout) ownTerminal();
  let format = opts.format;
  let failed = false;
  let running = false;
  let interruptedAtEmpty = false;
  let buffer: string[] = [];
  let historyBroken = false;
  let closed = false;

  const rl = createInterface({
    input: process.stdin,
    output: echo ?? undefined,
    terminal: interactive,
    history: interactive ? loadHistory(opts.historyFile).reverse() : [],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: interactive ? (line: string, cb: (err: null, r: [string[], string]) => void) => void complete(db, line).then((r) => cb(null, r)) : undefined,
  }) as ReadlineWithHistory;
  rl.setPrompt(PROMPT);

  const say = (text: string) => (echo ?? process.stderr).write(text);
  const width = terminalWidth;
  const prompt = () => {
    if (closed) return;
    rl.setPrompt(buffer.length > 0 ? MORE : PROMPT);
    if (interactive) rl.prompt();
  };

  const remember = (entry: string, lines: number) => {
    if (!interactive || !opts.historyFile || historyBroken) return;
    // readline kept each line of a multi-line statement: one entry for the statement instead.
    rl.history.splice(0, lines, entry.replace(/\s*\n\s*/g, ' '));
    try {
      saveHistory(opts.historyFile, [...rl.history].reverse(), opts.guard);
    } catch (err) {
      historyBroken = true;
      const why = err instanceof OutputError ? err.message : `cannot write ${safeText(opts.historyFile)}: ${safeText((err as Error).message)}`;
      process.stderr.write(`warning: history not saved: ${why}\n`);
    }
  };

  const execute = async (sql: string) => {
    running = true;
    try {
      await runScript(db, sql, stdoutSink(), { format, maxRows: opts.maxRows, width: width() });
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      if (!err.cancelled) failed = true;
      process.stderr.write(err.cancelled ? 'cancelled\n' : `error: ${err.message}\n`);
    } finally {
      running = false;
    }
  };

  const onLine = async (line: string) => {
    interruptedAtEmpty = false;
    if (buffer.length === 0 && line.trim().startsWith('.')) {
      const r = await dotCommand(db, line, width());
      if (r.kind === 'quit') rl.close();
      else if (r.kind === 'mode') format = r.mode;
      else if (r.kind === 'error') {
        failed = failed || !interactive;
        process.stderr.write(`error: ${safeText(r.message)}\n`);
      } else process.stdout.write(r.lines.map((l) => safeText(l)).join('\n') + '\n');
      remember(line.trim(), 1);
      return prompt();
    }
    if (buffer.length === 0 && line.trim() === '') return prompt();
    buffer.push(line);
    const text = buffer.join('\n');
    if (!endsStatement(text)) return prompt();
    // readline keeps the non-blank lines: these are replaced by the statement in the history.
    const lines = buffer.filter((l) => l.trim() !== '').length;
    buffer = [];
    await execute(text);
    remember(text.trim(), lines);
    prompt();
  };

  const onInterrupt = () => {
    if (running) {
      db.conn.interrupt();
      return;
    }
    if (closed) return;
    if (buffer.length > 0 || rl.line.length > 0) {
      buffer = [];
      rl.write(null, { ctrl: true, name: 'u' });
      say('^C\n');
      interruptedAtEmpty = false;
      return prompt();
    }
    if (interruptedAtEmpty || !interactive) return rl.close();
    interruptedAtEmpty = true;
    say('\n(Ctrl-C again to leave, or .quit)\n');
    prompt();
  };
  rl.on('SIGINT', onInterrupt);
  // Not a terminal: Ctrl-C (or kill -INT) arrives as a signal.
  process.on('SIGINT', onInterrupt);

  if (interactive) for (const l of opts.banner) say(`${safeText(l)}\n`);
  prompt();
  // Lines are handled one after the other: a line typed while a query runs waits its turn.
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue
      .then(() => onLine(line))
      .catch((err: unknown) => {
        failed = true;
        process.stderr.write(`error: ${safeText((err as Error)?.message ?? String(err))}\n`);
      });
  });
  await new Promise<void>((resolve) =>
    rl.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await queue;
  // The last statement of a file may lack its `;`.
  if (buffer.join('\n').trim() !== '') await execute(buffer.join('\n'));
  process.off('SIGINT', onInterrupt);
  if (interactive) say('\n');
  return failed && !interactive ? 2 : 0;
}

/** Completions for the word before the cursor, from DuckDB's sql_auto_complete. */
async function complete(db: CaseDb, line: string): Promise<[string[], string]> {
  try {
    const rows = await db.all<{ suggestion: string; start: number }>(`SELECT suggestion, suggestion_start AS start FROM sql_auto_complete($t) LIMIT 40`, { t: line });
    if (rows.length === 0) return [[], line];
    const start = Number(rows[0]!.start);
    const word = line.slice(start);
    return [rows.map((r) => r.suggestion.trimEnd()).filter((s) => s.toLowerCase().startsWith(word.toLowerCase())), word];
  } catch {
    return [[], line];
  }
}
