/**
 * Timesketch import files (docs/guides/user/import-from-json-csv.md of Timesketch): every event
 * with the three fields Timesketch requires — `message` (the event's summary), `datetime`
 * (ISO 8601 with offset and microseconds, 2026-01-02T02:16:40.118842+00:00) and `timestamp_desc`
 * — plus `timestamp` (microseconds, what Timesketch computes from `datetime` anyway), `data_type`
 * and the normalized fields. Importable as is with `timesketch_importer` or the web upload; the
 * file name must end in .jsonl or .csv.
 *
 * - `attrs` is one JSON string, not nested fields: source attributes can be many and chosen by
 *   the evidence (CloudTrail request parameters), and each distinct nested key would become an
 *   OpenSearch field (Timesketch's index has a field limit).
 * - `--what attack` adds `phase`, `technique`, `attack_reason` and a `tag` list
 *   (`["dwell-attack", "phase:access", "T1110.001"]`), which Timesketch shows as tags.
 * - No field is named `_id`, `_type`, `_index`, `_source` or `__ts_timeline_id` (Timesketch
 *   drops those).
 */
import { viewFields, type EventView } from './event-query.js';
import { exportLines } from './line-export.js';
import { csvFieldsSql } from './timeline-csv.js';
import { jsonObjectSql } from './timeline-jsonl.js';
import type { ExportFormat } from './types.js';

/** What `datetime` is the time of. Flows carry a start and an end: `ts` is the start. */
export const TIMESTAMP_DESC_SQL = `CASE WHEN e.ts_end IS NOT NULL THEN 'Start Time' ELSE 'Event Time' END`;

function fields(view: EventView, tagAsJsonText: boolean): (readonly [string, string])[] {
  const normalized = viewFields(view).filter(([n]) => n !== 'ts' && n !== 'attrs');
  const out: (readonly [string, string])[] = [
    ['message', `coalesce(nullif(e.summary, ''), e.action, 'event')`],
    ['datetime', `strftime(e.ts, '%Y-%m-%dT%H:%M:%S.%f+00:00')`],
    ['timestamp', 'epoch_us(e.ts)'],
    ['timestamp_desc', TIMESTAMP_DESC_SQL],
    ['data_type', `'dwell:' || e.source`],
    ...normalized,
    ['attrs', 'CAST(e.attrs AS VARCHAR)'],
  ];
  if (view === 'attack') {
    const tags = `list_filter(['dwell-attack', 'phase:' || a.phase, a.technique], x -> x IS NOT NULL)`;
    out.push(['tag', tagAsJsonText ? `CAST(to_json(${tags}) AS VARCHAR)` : tags]);
  }
  return out;
}

export const timesketchJsonl: ExportFormat = {
  name: 'timesketch-jsonl',
  whats: ['timeline', 'attack'],
  description: 'Timesketch JSONL import (message, datetime, timestamp_desc + normalized fields)',
  target: 'file',
  filtered: true,
  run(ctx) {
    const view = ctx.what as EventView;
    return exportLines(ctx, { view, line: jsonObjectSql(fields(view, false)), eol: '\n', label: `${view} timesketch-jsonl` });
  },
};

export const timesketchCsv: ExportFormat = {
  name: 'timesketch-csv',
  whats: ['timeline', 'attack'],
  description: 'Timesketch CSV import (message, datetime, timestamp_desc + normalized fields)',
  target: 'file',
  filtered: true,
  run(ctx) {
    const view = ctx.what as EventView;
    const f = fields(view, true);
    return exportLines(ctx, {
      view,
      line: csvFieldsSql(f),
      header: f.map(([n]) => n).join(','),
      eol: '\r\n',
      label: `${view} timesketch-csv`,
    });
  },
};
