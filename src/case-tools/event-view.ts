/**
 * "The events the analyst is looking at" for `dwell search` and `dwell sql`: the export's filters
 * (src/export/filters.ts — one parser and one SQL compiler for export, search and sql), which, as
 * every default view does, leave out the events whose time cannot be placed on the timeline
 * (`time_quality` relative or implausible) unless `--include-relative` asks for them.
 */
import { filterCondition, parseFilterOptions, SqlParams, type FilterOptions, type TimelineFilters } from '../export/filters.js';

export type ViewOptions = FilterOptions;

export interface EventView {
  filters: TimelineFilters;
  /** Newest findings run (for --phase); null when the case has none. */
  findingsId: number | null;
}

/** Validates the options (throws FilterError with the option's name). */
export function parseEventView(opts: ViewOptions, findingsId: number | null): EventView {
  return { filters: parseFilterOptions(opts), findingsId };
}

/** The same view with the events of untrusted times kept (what --include-relative would show). */
export function withRelative(v: EventView): EventView {
  return { ...v, filters: { ...v.filters, includeRelative: true } };
}

/** The view as one SQL condition on the events alias; values go into `p`. */
export function viewCondition(v: EventView, p: SqlParams, alias = 'e'): string {
  return filterCondition(v.filters, { alias, findingsId: v.findingsId }, p);
}

/** `SELECT e.* FROM events e WHERE <view>`: the rows of the view with the events columns. */
export function viewSelect(v: EventView): { sql: string; params: SqlParams['values'] } {
  const p = new SqlParams('v');
  return { sql: `SELECT e.* FROM events e WHERE ${viewCondition(v, p)}`, params: p.values };
}
