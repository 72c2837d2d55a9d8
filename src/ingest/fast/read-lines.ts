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
 * absolute path), or, when `path` is null, at the statement's `$path` parameter: DuckDB takes
 * read_csv's file as a parameter, so the statement's text is the same for every file of a layout
 * and is planned once per connection (prepared-cache.ts). `skipped` counts the lines up to this one that hold no record — blank, or equal
 * to `$header` when `header` is true, or starting with `header` when it is a string (Zeek's `#`
 * lines) — so a record's sequence number is `line - 1 - skipped`
 * without sorting the rows again (a sort of the wide rows cost more than the rest of the insert).
 */
export function linesTableSql(table: string, path: string | null, compression: 'none' | 'gzip', newline: 1 | 2, header: boolean | string, maxLine = 4194304): string {
  const file = path === null ? '$path' : `'${path.replace(/'/g, "''")}'`;
  const frame = 'OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
  return `CREATE TEMP TABLE ${table} AS
    SELECT row_number() OVER () AS line, l AS text,
           sum(coalesce(strlen(l), 0) + ${newline}) ${frame} AS end_offset,
           sum(CASE WHEN l IS NULL${typeof header === 'string' ? ` OR starts_with(l, '${header.replace(/'/g, "''")}')` : header ? ' OR l = $header' : ''} THEN 1 ELSE 0 END) ${frame} AS skipped
    FROM read_csv(${file}, columns = {'l': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false,
                  auto_detect = false, compression = '${compression}', new_line = '${newline === 2 ? '\\r\\n' : '\\n'}',
                  max_line_size = ${Math.trunc(maxLine)}${maxLine > 8 << 20 ? `, buffer_size = ${Math.trunc(maxLine) * 2}` : ''})`;
}

// The order a numbered read needs, coordinated with the fast path's unordered INSERT and the loads
// of staged rows across the lanes: src/store/insertion-order.ts.
export { withInsertionOrder, withoutInsertionOrder } from '../../store/insertion-order.js';
