/**
 * CSV text safety, for every CSV dwell writes (exports, the findings CSV, the TUI's `e` export):
 * RFC 4180 quoting, and cells that a spreadsheet would run as a formula neutralized with a leading
 * apostrophe — log content is attacker-controlled. A cell is a formula when it starts with `=`,
 * `+`, `-`, `@`, TAB or CR (OWASP's list), or their full-width forms `＝ ＋ － ＠` (which some
 * spreadsheets take as the ASCII ones), unless it is a plain number such as `-12` or `-1.5`.
 * csvCell (JavaScript) and CSV_CELL_LAMBDA (DuckDB, for streamed exports) give the same cells; a
 * test checks both on the same samples.
 */

const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = Array.isArray(v) ? v.join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (FORMULA_START.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** True when a cell's text starts like a formula (and is not a plain number), in SQL over `s`. */
const FORMULA_SQL = `s[1] IN ('=', '+', '-', '@', chr(9), chr(13), chr(65309), chr(65291), chr(65293), chr(65312)) AND NOT regexp_full_match(s, '-?[0-9]+(\\.[0-9]+)?')`;

/** csvCell as a DuckDB lambda over a cell's text `s`, for exports that stream millions of rows. */
export const CSV_CELL_LAMBDA = `lambda s: CASE
    WHEN s IS NULL THEN ''
    WHEN contains(s, '"') OR contains(s, ',') OR contains(s, chr(10)) OR contains(s, chr(13))
      THEN '"' || replace(CASE WHEN ${FORMULA_SQL} THEN '''' || s ELSE s END, '"', '""') || '"'
    WHEN ${FORMULA_SQL} THEN '''' || s
    ELSE s END`;

/**
 * SQL for one CSV line (no terminator) of SQL expressions of any type, cast to text: what csvLine
 * gives. One lambda over the list of cells — the same CASE written out per column makes DuckDB's
 * planner take seconds for forty columns.
 */
export function csvLineSql(exprs: readonly string[]): string {
  return `array_to_string(list_transform([${exprs.map((e) => `CAST(${e} AS VARCHAR)`).join(', ')}], ${CSV_CELL_LAMBDA}), ',')`;
}
