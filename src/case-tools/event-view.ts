/**
 * "The events the analyst is looking at" for `dwell search` and `dwell sql`: the export's filters
 * (src/export/filters.ts — one parser and one SQL compiler for export, search and sql), and, as
 * every default view does, without the events whose time cannot be placed on the timeline
 * (`time_quality` relative or implausible) unless `--include-relative` asks for them.
 */
import {
  filterCondition,
  parseFilterOptions,
  SqlParams,
  type FilterOptions,
  type TimelineFilters,
} from '../export/filters.js';
import { UNTRUSTED_TIMES } from '../tui/state/filters.js';

export interface ViewOptions extends FilterOptions {
  includeRelative?: boolean;
}

export interface EventView {
  filters: TimelineFilters;
  includeRelative: boolean;
  /** Newest findings run (for --phase); null when the case has none. */
  findingsId: number | null;
}

/** Validates the options (throws FilterError with the option's name). */
export function parseEventView(opts: ViewOptions, findingsId: number | null): EventView {
  return { filters: parseFilterOptions(opts), includeRelative: Boolean(opts.includeRelative), findingsId };
}

/** The view as one SQL condition on the events alias; values go into `p`. */
export function viewCondition(v: EventView, p: SqlParams, alias = 'e'): string {
  const conds = [filterCondition(v.filters, { alias, findingsId: v.findingsId }, p)];
  if (!v.includeRelative) {
    conds.push(`(${alias}.time_quality IS NULL OR ${alias}.time_quality NOT IN (${UNTRUSTED_TIMES.map((q) => p.add(q)).join(', ')}))`);
  }
  return conds.filter((c) => c !== 'TRUE').join('\n  AND ') || 'TRUE';
}

/** `SELECT e.* FROM events e WHERE <view>`: the rows of the view with the events columns. */
export function viewSelect(v: EventView): { sql: string; params: SqlParams['values'] } {
  const p = new SqlParams('v');
  return { sql: `SELECT e.* FROM events e WHERE ${viewCondition(v, p)}`, params: p.values };
}
