/**
 * DuckDB reads an evidence file as lines: one VARCHAR per line (a delimiter no text line holds,
 * no quoting), numbered in file order with the byte offset where each line ends. An empty line is
 * a NULL row, so numbering counts it; a bare CR or invalid UTF-8 stops the read with an error (the
 * file then goes to the JS parser); a line holding the \x01 delimiter does too.
 *
 * Numbering relies on DuckDB keeping the reader's order (`preserve_insertion_order`): the ingest
 * keeps it on (ingestDuckdbConfig); withInsertionOrder makes sure of it while a fast read runs,
 * whatever the database was opened with.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * CREATE TEMP TABLE `table` (line, text, end_offset, skipped) from the file at `path` (a plain
 * absolute path). `skipped` counts the lines up to this one that hold no record — blank, or equal
 * to `$header` when `header` is true, or starting with `header` when it is a string (Zeek's `#`
 * lines) — so a record's sequence number is `line - 1 - skipped`
 * without sorting the rows again (a sort of the wide rows cost more than the rest of the insert).
 */
export function linesTableSql(table: string, path: string, compression: 'none' | 'gzip', newline: 1 | 2, header: boolean | string, maxLine = 4194304): string {
  const file = `'${path.replace(/'/g, "''")}'`;
  const frame = 'OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
  return `CREATE TEMP TABLE ${table} AS
    SELECT row_number() OVER () AS line, l AS text,
           sum(coalesce(strlen(l), 0) + ${newline}) ${frame} AS end_offset,
           sum(CASE WHEN l IS NULL${typeof header === 'string' ? ` OR starts_with(l, '${header.replace(/'/g, "''")}')` : header ? ' OR l = $header' : ''} THEN 1 ELSE 0 END) ${frame} AS skipped
    FROM read_csv(${file}, columns = {'l': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false,
                  auto_detect = false, compression = '${compression}', new_line = '${newline === 2 ? '\\r\\n' : '\\n'}',
                  max_line_size = ${Math.trunc(maxLine)}${maxLine > 8 << 20 ? `, buffer_size = ${Math.trunc(maxLine) * 2}` : ''})`;
}

/**
 * `preserve_insertion_order` is the database's setting, shared by the lanes. A numbered read needs it
 * on. The SQL path's one INSERT from its lines table wants it off: with it on, that INSERT is a batch
 * insert whose row groups do not line up with DuckDB's 122,880 rows, and the next CHECKPOINT reads
 * and rewrites them all (500k VPC lines: 0.1 s → 19 s; bench/RESULTS.md "Mixed-source ingest",
 * 2026-12-07 issue 14). The two kinds never overlap (each waits for the other to finish); otherwise
 * the setting is the one the database was opened with (ingest: on, see ingestDuckdbConfig).
 */
const running = { ordered: 0, unordered: 0 };
/** The database's own setting, read when the first of either kind starts; put back after the last. */
let base = 'true';
/** The SET of the first of a kind, which the others of that kind wait for. */
let switching: Promise<void> = Promise.resolve();
const waiters: (() => void)[] = [];

async function withOrder<T>(conn: DuckDBConnection, want: 'true' | 'false', fn: () => Promise<T>): Promise<T> {
  const mine = want === 'true' ? 'ordered' : 'unordered';
  const other = want === 'true' ? 'unordered' : 'ordered';
  while (running[other] > 0) await new Promise<void>((r) => waiters.push(r));
  if (running[mine]++ === 0) {
    switching = (async () => {
      const r = await conn.runAndReadAll(`SELECT current_setting('preserve_insertion_order')::VARCHAR AS v`);
      base = String((r.getRowObjectsJS()[0] as { v: unknown }).v);
      if (base !== want) await conn.run(`SET preserve_insertion_order = ${want}`);
    })();
  }
  try {
    await switching;
    return await fn();
  } finally {
    if (--running[mine] === 0) {
      if (base !== want) await conn.run(`SET preserve_insertion_order = ${base}`).catch(() => undefined);
      for (const w of waiters.splice(0)) w();
    }
  }
}

/** Runs a numbered read (the reader's order is the line order). */
export function withInsertionOrder<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  return withOrder(conn, 'true', fn);
}

/** Runs the SQL path's INSERT from its lines table as a parallel insert (full row groups; see above). */
export function withoutInsertionOrder<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  return withOrder(conn, 'false', fn);
}
