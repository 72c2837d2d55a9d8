/**
 * `dwell search --case C PATTERN [filters]`: the events whose summary or raw record holds PATTERN
 * (any case; `--regex` for RE2, `--case-sensitive`), in time order, within the export's filters.
 * On a terminal: an aligned table — time, host, source, the matching text with the match
 * highlighted, evidence file:line — everything from the case escaped before the highlight is
 * added. Otherwise JSON lines (every field of the event, as `dwell export --format jsonl`, and
 * `matched_in`) or CSV. A page at a time (--limit, --offset); --count counts. Exit 1: no match.
 */
import { OutputError } from '../../core/output/errors.js';
import { safeText } from '../../core/sanitize.js';
import { parseEventView, withRelative, type EventView, type ViewOptions } from '../../case-tools/event-view.js';
import { chooseFormat, matchMark, openOutput, ownTerminal, terminalWidth, toFile, UsageError } from '../../case-tools/output.js';
import { countSql, linesSql, rowsSql, segments, type SearchPattern, type SearchRow } from '../../case-tools/search.js';
import { columnWidths, renderTable, type Cell, type Column, type Segment } from '../../case-tools/table.js';
import { displayWidth } from '../../tui/format.js';
import { newestFindingsId } from '../../export/event-query.js';
import { FilterError } from '../../export/filters.js';
import { CaseDb, CaseError } from '../../store/case-db.js';
import { readDuckdbConfig } from '../../store/read-budget.js';

export interface SearchCliOptions extends ViewOptions {
  case: string;
  regex?: boolean;
  caseSensitive?: boolean;
  count?: boolean;
  limit?: number;
  offset?: number;
  json?: boolean;
  csv?: boolean;
  table?: boolean;
  output?: string;
}

/** Matches per page unless --limit says otherwise (0: all). */
export const DEFAULT_LIMIT = 100;

/** Characters kept before a match that would be cut off otherwise. */
const CONTEXT = 16;

function fail(msg: string): number {
  process.stderr.write(`error: ${msg}\n`);
  return 2;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

export async function runSearch(text: string, opts: SearchCliOptions): Promise<number> {
  if ((opts as { text?: string }).text !== undefined) return fail('the text to search is the PATTERN argument');
  if (text === '') return fail('the pattern is empty');
  let format;
  try {
    format = chooseFormat(opts, process.stdout.isTTY && !toFile(opts.output) ? 'table' : 'json');
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  const pattern: SearchPattern = { text, regex: Boolean(opts.regex), caseSensitive: Boolean(opts.caseSensitive) };
  const page = { limit: opts.limit ?? DEFAULT_LIMIT, offset: opts.offset ?? 0 };
  let db: CaseDb | null = null;
  try {
    db = await CaseDb.open(opts.case, { readOnly: true, config: readDuckdbConfig() });
    const view = parseEventView(opts, await newestFindingsId(db));
    const bad = await invalidPattern(db, pattern);
    if (bad) return fail(`${pattern.regex ? '--regex' : 'the pattern'} "${safeText(text)}" is not a valid RE2 expression: ${safeText(bad)}\n help: RE2 syntax is described at https://github.com/google/re2/wiki/Syntax; without --regex the pattern is plain text`);
    if (opts.count) {
      const q = countSql(view, pattern);
      const total = Number((await db.one<{ n: number }>(q.sql, q.params))?.n ?? 0);
      process.stdout.write(`${total}\n`);
      if (total === 0) await hintHidden(db, view, pattern);
      return total > 0 ? 0 : 1;
    }
    const shown = format === 'table' ? await printTable(db, view, pattern, page, Boolean(process.stdout.isTTY && !toFile(opts.output)), opts.output) : await printLines(db, view, pattern, page, format, opts.output);
    if (shown.rows === 0) {
      process.stderr.write(page.offset > 0 ? `no more matches after ${n(page.offset)}\n` : 'no match\n');
      if (page.offset === 0) await hintHidden(db, view, pattern);
      return 1;
    }
    if (shown.more) {
      const next = page.offset + shown.rows;
      process.stderr.write(`matches ${n(page.offset + 1)}–${n(next)} shown; more: --offset ${next} · --limit 0 shows all · --count counts them\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof CaseError || err instanceof FilterError || err instanceof OutputError) return fail(err.message);
    throw err;
  } finally {
    db?.close();
  }
}

/** DuckDB's complaint about the pattern, or null when RE2 accepts it. */
async function invalidPattern(db: CaseDb, p: SearchPattern): Promise<string | null> {
  if (!p.regex) return null;
  try {
    await db.all(`SELECT regexp_matches('', $re, 'c') AS ok`, { re: p.text });
    return null;
  } catch (err) {
    return ((err as Error).message.split('\n')[0] ?? '').replace(/^Invalid Input Error:\s*/, '');
  }
}

/** Nothing matched: say so when events left out for their untrusted time would have. */
async function hintHidden(db: CaseDb, view: EventView, pattern: SearchPattern): Promise<void> {
  if (view.filters.includeRelative) return;
  const q = countSql(withRelative(view), pattern);
  const hidden = Number((await db.one<{ n: number }>(q.sql, q.params))?.n ?? 0);
  if (hidden > 0) process.stderr.write(`note: ${n(hidden)} match(es) among events whose time is relative or implausible, left out by default: --include-relative shows them\n`);
}

interface Shown {
  rows: number;
  more: boolean;
}

async function printTable(db: CaseDb, view: EventView, pattern: SearchPattern, page: { limit: number; offset: number }, terminal: boolean, output: string | undefined): Promise<Shown> {
  const limit = page.limit === 0 ? Number.MAX_SAFE_INTEGER : page.limit;
  const q = rowsSql(view, pattern, { limit: page.limit === 0 ? Number.MAX_SAFE_INTEGER : limit + 1, offset: page.offset });
  const rows = await db.all<SearchRow>(q.sql, q.params);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (shown.length === 0) return { rows: 0, more: false };
  const columns: Column[] = [
    { name: 'time (UTC)', min: 19 },
    { name: 'host', max: 24, min: 6 },
    { name: 'source', max: 16, min: 6 },
    { name: 'match', min: 24 },
    { name: 'evidence', max: 48, min: 12, cut: 'start' },
  ];
  const width = terminal ? terminalWidth() : undefined;
  const cellsOf = (r: SearchRow, around?: number): Cell[] => {
    const segs = segments(r.text, r.pieces, r.matches, around);
    return [r.ts ?? '(no time)', r.host, r.source, r.where === 'raw' ? [{ text: 'raw: ', match: false }, ...segs] : segs, r.file === null ? null : `${r.file}:${r.line ?? '?'}`];
  };
  let cells = shown.map((r) => cellsOf(r));
  if (width !== undefined) {
    // A match past the width of its column would be cut off: start that text shortly before it.
    const room = columnWidths(columns, cells, width)[3]!;
    cells = shown.map((r, i) => (matchEnd(cells[i]![3] as Segment[]) > room - 1 ? cellsOf(r, Math.min(CONTEXT, Math.floor(room / 3))) : cells[i]!));
  }
  // On a terminal this command writes the highlight itself, after escaping (table.ts).
  if (terminal) ownTerminal();
  const lines = renderTable(columns, cells, terminal ? { width, mark: matchMark() } : {});
  const sink = await openOutput(db, output);
  try {
    await sink.write(lines.join('\n') + '\n');
    await sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return { rows: shown.length, more };
}

/** Display width up to the end of the first match (as shown: escaped), or 0 without one. */
function matchEnd(segs: readonly Segment[]): number {
  let w = 0;
  for (const s of segs) {
    w += displayWidth(safeText(s.text));
    if (s.match) return w;
  }
  return 0;
}

async function printLines(db: CaseDb, view: EventView, pattern: SearchPattern, page: { limit: number; offset: number }, format: 'json' | 'csv', output: string | undefined): Promise<Shown> {
  const q = linesSql(view, pattern, { limit: page.limit === 0 ? 0 : page.limit + 1, offset: page.offset }, format);
  const eol = format === 'csv' ? '\r\n' : '\n';
  const sink = await openOutput(db, output);
  let rows = 0;
  let more = false;
  try {
    const res = await db.conn.stream(q.sql, q.params);
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      let lines = chunk.getColumnValues(0) as string[];
      if (page.limit > 0 && rows + lines.length > page.limit) {
        more = true;
        lines = lines.slice(0, page.limit - rows);
      }
      if (rows === 0 && lines.length > 0 && q.header) await sink.write(q.header + eol);
      if (lines.length > 0) await sink.write(lines.join(eol) + eol);
      rows += lines.length;
      if (more || sink.closedByReader) break;
    }
    await sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return { rows, more };
}
