/**
 * What every SQL path that reads the evidence as a lines table (`lines`: line, text, end_offset,
 * skipped — src/ingest/fast/read-lines.ts) writes the same way: the event id, the five provenance
 * columns of a one-line record, the error that sends a file back to its JS parser, and the
 * `INSERT INTO events SELECT …` whose column list is checked against EVENT_COLUMNS (a column out of
 * place would store values under the wrong names without any error).
 */
import { EVENT_COLUMNS } from '../core/event.js';

export type ColumnExprs = ReadonlyArray<readonly [string, string]>;

/** The id of the event on a line: the file's evidence id in the high half, the record's index below. */
export const LINE_EVENT_ID = '$eid::BIGINT * 4294967296 + line - 1 - skipped';

/** Aborts the statement, so the caller declines the file to the JS parser (the message says which line). */
export const NOT_FOR_SQL = `error('line ' || line || ': not for the SQL path')`;

/** An IPv4 address in dotted form as a number (Community ID's byte order; callers gate on the form first). */
export const ipv4Number = (ip: string): string =>
  `(string_split(${ip}, '.')[1]::BIGINT * 16777216 + string_split(${ip}, '.')[2]::BIGINT * 65536 + string_split(${ip}, '.')[3]::BIGINT * 256 + string_split(${ip}, '.')[4]::BIGINT)`;

/**
 * evidence_id, line, byte_offset, byte_length, raw of an event that is exactly one line of the
 * file: `newline` is 1 for LF and 2 for CRLF files (the offset counts back from the line's end).
 */
export function lineProvenance(newline: 1 | 2): ColumnExprs {
  return [
    ['evidence_id', '$eid'],
    ['line', 'line'],
    ['byte_offset', `end_offset - strlen(text) - ${newline}`],
    ['byte_length', `strlen(text) + ${newline - 1}`],
    ['raw', 'text'],
  ];
}

/**
 * `INSERT INTO events SELECT <expr> AS "<name>", …` — every column named, so a benchmark can replace
 * one by NULL (bench/vpc-sql-profile.mjs). Throws when the names are not EVENT_COLUMNS in order.
 */
export function insertEventsSelect(columns: ColumnExprs, who: string): string {
  if (columns.length !== EVENT_COLUMNS.length || columns.some(([name], i) => EVENT_COLUMNS[i]?.[0] !== name)) {
    throw new Error(`${who}: columns differ from EVENT_COLUMNS`);
  }
  return `INSERT INTO events
SELECT ${columns.map(([name, expr]) => `${expr} AS "${name}"`).join(',\n  ')}`;
}
