/**
 * `dwell search`: events whose summary or raw record holds a text (or matches an RE2 regular
 * expression), in time order, within the export's filters. Matching is done by DuckDB's regexp
 * functions — RE2, linear-time whatever the pattern, so a pattern cannot hang the search — and a
 * plain text is matched as a literal (option `l`) by the same functions, so the filter and the
 * highlight always agree. The pattern reaches SQL as a parameter only.
 *
 * The highlight comes from DuckDB too: the shown text split around its matches
 * (regexp_split_to_array) and the matches themselves (regexp_extract_all) interleave back into it;
 * when they do not (a pattern that matches the empty string) the text is shown without highlight.
 */
import { EVENT_FIELDS } from '../export/event-query.js';
import { SqlParams } from '../export/filters.js';
import { csvLineSql } from '../core/output/csv.js';
import { jsonObjectSql } from '../export/timeline-jsonl.js';
import { viewCondition, type EventView } from './event-view.js';
import type { Segment } from './table.js';

export interface SearchPattern {
  text: string;
  /** RE2 syntax (else a literal text). */
  regex: boolean;
  caseSensitive: boolean;
}

/** DuckDB regexp options: `l` literal, `i` / `c` case-(in)sensitive. */
export function regexOptions(p: SearchPattern): string {
  return `${p.regex ? '' : 'l'}${p.caseSensitive ? 'c' : 'i'}`;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface SearchSql {
  sql: string;
  params: SqlParams['values'];
}

function parts(view: EventView, pattern: SearchPattern): { p: SqlParams; where: string; re: string; opt: string } {
  const p = new SqlParams();
  const where = viewCondition(view, p);
  const re = p.add(pattern.text);
  const opt = p.add(regexOptions(pattern));
  const match = `(regexp_matches(coalesce(e.summary, ''), ${re}, ${opt}) OR regexp_matches(coalesce(e.raw, ''), ${re}, ${opt}))`;
  return { p, where: `${where}\n  AND ${match}`, re, opt };
}

const FROM = 'FROM events e\nLEFT JOIN evidence v ON v.evidence_id = e.evidence_id';

/** How many events match. */
export function countSql(view: EventView, pattern: SearchPattern): SearchSql {
  const { p, where } = parts(view, pattern);
  return { sql: `SELECT count(*) AS n\n${FROM}\nWHERE ${where}`, params: p.values };
}

/** A row of the table on a terminal. */
export interface SearchRow {
  ts: string | null;
  host: string | null;
  source: string;
  file: string | null;
  line: number | null;
  /** Where the match was shown from: the summary when it matches there, else the raw record. */
  where: 'summary' | 'raw';
  /** The shown text (summary or raw). */
  text: string;
  pieces: string[] | null;
  matches: string[] | null;
}

/** One page of matches for the table: the shown text split around its matches. */
export function rowsSql(view: EventView, pattern: SearchPattern, page: Page): SearchSql {
  const { p, where, re, opt } = parts(view, pattern);
  const inSummary = `regexp_matches(coalesce(e.summary, ''), ${re}, ${opt})`;
  const shown = `CASE WHEN ${inSummary} THEN coalesce(e.summary, '') ELSE coalesce(e.raw, '') END`;
  const sql = `SELECT strftime(e.ts, '%Y-%m-%d %H:%M:%S') AS ts, e.host, e.source, v.path AS file, e.line,
       CASE WHEN ${inSummary} THEN 'summary' ELSE 'raw' END AS "where",
       ${shown} AS text,
       regexp_split_to_array(${shown}, ${re}, ${opt}) AS pieces,
       regexp_extract_all(${shown}, ${re}, 0, ${opt}) AS matches
${FROM}
WHERE ${where}
ORDER BY e.ts, e.event_id
LIMIT ${Math.floor(page.limit)} OFFSET ${Math.floor(page.offset)}`;
  return { sql, params: p.values };
}

/** The fields of a match in JSON lines and CSV: the export's (every field of the event) and where it matched. */
export function fieldsSql(re: string, opt: string): (readonly [string, string])[] {
  return [...EVENT_FIELDS, ['matched_in', `CASE WHEN regexp_matches(coalesce(e.summary, ''), ${re}, ${opt}) THEN 'summary' ELSE 'raw' END`]];
}

/** One page of matches as lines of text rendered by DuckDB: JSON objects, or CSV lines (header: csvHeader). */
export function linesSql(view: EventView, pattern: SearchPattern, page: Page, format: 'json' | 'csv'): SearchSql & { header: string | null } {
  const { p, where, re, opt } = parts(view, pattern);
  const fields = fieldsSql(re, opt);
  const line = format === 'json' ? jsonObjectSql(fields) : csvLineSql(fields.map(([, e]) => e));
  const limit = page.limit === 0 ? '' : `\nLIMIT ${Math.floor(page.limit)}`;
  const sql = `SELECT ${line} AS line\n${FROM}\nWHERE ${where}\nORDER BY e.ts, e.event_id${limit} OFFSET ${Math.floor(page.offset)}`;
  return { sql, params: p.values, header: format === 'csv' ? fields.map(([n]) => n).join(',') : null };
}

/**
 * The shown text as segments (matches marked), or the text alone when the split and the matches do
 * not interleave back into it (a pattern that matches the empty string). `around`: for the raw
 * record, start a little before the first match so it is on screen (marked with a leading `…`).
 */
export function segments(text: string, pieces: string[] | null, matches: string[] | null, around?: number): Segment[] {
  const ok = pieces !== null && matches !== null && pieces.length === matches.length + 1 && matches.every((m) => m !== '') && pieces.map((piece, i) => piece + (matches[i] ?? '')).join('') === text;
  if (!ok) return text === '' ? [] : [{ text, match: false }];
  const segs: Segment[] = pieces.flatMap((piece, i) => (i < matches.length ? [{ text: piece, match: false }, { text: matches[i]!, match: true }] : [{ text: piece, match: false }]));
  const lead = [...pieces[0]!];
  if (around !== undefined && lead.length > around) segs[0] = { text: `…${lead.slice(lead.length - around).join('')}`, match: false };
  return segs.filter((s) => s.text !== '');
}
