/**
 * DuckDB's refusals in a query session (session.ts), said in words a responder can act on: the
 * first line says what was refused and why, `help:` what to do instead. Any other error keeps
 * DuckDB's own text (with its `LINE 1: … ^` pointer), escaped.
 */
import { safeMultiline, safeText } from '../core/sanitize.js';
import { readDuckdbConfig } from '../store/read-budget.js';

export class SqlError extends Error {
  constructor(
    message: string,
    /** The query was cancelled (Ctrl-C), not refused. */
    readonly cancelled = false,
  ) {
    super(message);
  }
}

const EXTENSIONS = () =>
  `extensions cannot be installed or loaded from dwell sql\n` +
  ` reason: the session runs with external access disabled (json, parquet and icu are built in)\n` +
  ` help: for other extensions, use DuckDB itself on a copy of the case`;

const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  // INSTALL looks in the extension folder first: the same refusal, about extensions.
  [/Cannot access directory "[^"]*[\\/]extensions[\\/][^"]*" - file system operations are disabled/, EXTENSIONS],
  [
    /Cannot execute statement of type "(\w+)" on database "[^"]*" which is attached in read-only mode/,
    (m) =>
      `the case is read-only here: ${m[1]} is not run, and the case is unchanged\n` +
      ` reason: dwell sql opens the case read-only — it is the evidence of the investigation, as ingested\n` +
      ` help: keep an intermediate result in this session with CREATE TEMP TABLE name AS SELECT …; write results out with --csv -o FILE or --json -o FILE`,
  ],
  [
    /Cannot access (?:file|directory) "([^"]*)" - file system operations are disabled by configuration/,
    (m) =>
      `no file is read or written from dwell sql: "${safeText(m[1])}" was refused\n` +
      ` reason: COPY, EXPORT/IMPORT DATABASE, ATTACH, read_csv/read_text/read_parquet and extensions are disabled, so that no query can write beside the evidence or read outside the case\n` +
      ` help: write a result with dwell sql --csv -o FILE or --json -o FILE (checked never to land in the evidence); the evidence's bytes are in events.raw`,
  ],
  [/Loading external extensions is disabled|Extension Autoloading Error|autoload(ing)? .*disabled/i, EXTENSIONS],
  [
    /Cannot change configuration option "(\w+)" - the configuration has been locked/,
    (m) =>
      `settings are locked in dwell sql: ${m[1]} cannot be changed\n` +
      ` reason: the sandbox that keeps queries from writing files is made of settings\n` +
      ` help: SET VARIABLE name = value works (read it with getvariable('name')); DWELL_DUCKDB_MEMORY sets the memory limit`,
  ],
  [
    // The session's budget (read-budget.ts) keeps the process under 1 GB; a sort spills to disk, but
    // a GROUP BY over every event's raw text on a 10M-event case did not fit in 512 MB.
    /Out of Memory Error: ([^\n]*)/,
    (m) =>
      `the query needs more memory than dwell sql gives DuckDB (${readDuckdbConfig().memory_limit}): ${safeText(m[1])}\n` +
      ` reason: the budget keeps dwell under 1 GB; what does not fit spills to disk, but not every operation can (a GROUP BY over long texts)\n` +
      ` help: DWELL_DUCKDB_MEMORY=4GB dwell sql … gives this run more, or narrow the query (a WHERE, fewer or shorter columns)`,
  ],
];

/** The error as a message for the analyst (without the leading `error: `). */
export function explainSqlError(err: unknown): SqlError {
  const msg = ((err as Error)?.message ?? String(err)).replace(/^Failed to extract statements:\s*/, '');
  if (/^INTERRUPT Error|Interrupted!/.test(msg)) return new SqlError('query cancelled', true);
  for (const [re, say] of RULES) {
    const m = re.exec(msg);
    if (m) return new SqlError(say(m));
  }
  return new SqlError(safeMultiline(msg));
}
