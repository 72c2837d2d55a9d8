/**
 * Where the case tools write and in what shape. Files go through the output module
 * (src/core/output/): checked by the case's guard (never evidence, never the case), written as
 * FILE.partial-PID and renamed when complete. Standard output is guarded by the CLI (EPIPE, and
 * on a terminal every byte escaped).
 */
import { OutputGuard } from '../core/output/guard.js';
import { openSink, type Sink } from '../core/output/sink.js';
import { guardOutput } from '../core/output/stdout.js';
import type { CaseDb } from '../store/case-db.js';

export type OutputFormat = 'table' | 'json' | 'csv';

export class UsageError extends Error {}

export interface FormatFlags {
  json?: boolean;
  csv?: boolean;
  table?: boolean;
  output?: string;
}

/**
 * The format asked for: a flag, else the output file's extension (.csv, .json/.jsonl/.ndjson),
 * else `fallback`.
 */
export function chooseFormat(flags: FormatFlags, fallback: OutputFormat): OutputFormat {
  const asked = (['json', 'csv', 'table'] as const).filter((f) => flags[f]);
  if (asked.length > 1) throw new UsageError(`--${asked.join(' and --')}: choose one output format`);
  if (asked.length === 1) return asked[0]!;
  const out = flags.output;
  if (out && out !== '-') {
    if (/\.csv$/i.test(out)) return 'csv';
    if (/\.(jsonl|ndjson|json)$/i.test(out)) return 'json';
  }
  return fallback;
}

/** True when `-o` names a file (not standard output). */
export function toFile(output: string | undefined): output is string {
  return output !== undefined && output !== '-';
}

/**
 * The sink for `output` (a file checked against the case's evidence and files) or standard output.
 * The guard reads the evidence list through `db`, the session already open.
 */
export async function openOutput(db: CaseDb, output: string | undefined): Promise<Sink> {
  const guard = toFile(output)
    ? await OutputGuard.forCase(db.path, async (sql) => (await db.conn.runAndReadAll(sql)).getRowObjectsJson())
    : OutputGuard.refuseAll('no output path was given');
  return openSink(output, guard);
}

/**
 * Standard output is a terminal and what follows is written for it by this command — every piece
 * of text from the case already escaped (table.ts), plus the command's own highlight or the line
 * editor's cursor moves, which the CLI's escaping net would otherwise show as text. Turns that net
 * off for the rest of the process; only call it right before such output.
 */
export function ownTerminal(): void {
  guardOutput(process.stdout, { terminal: false });
}

/** Highlight for matches on a terminal: inverse video without colour (NO_COLOR), else bold red as grep does. */
export function matchMark(): readonly [string, string] {
  return process.env.NO_COLOR ? ['\x1b[7m', '\x1b[27m'] : ['\x1b[1;31m', '\x1b[22;39m'];
}

/** The terminal's width when standard output is one that knows it (a pseudo-terminal may say 0: then no limit). */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}
