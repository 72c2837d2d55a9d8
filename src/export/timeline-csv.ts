/**
 * `--what timeline|attack --format csv`: one row per event, every normalized field, the evidence
 * file and its SHA-256, and the raw record. RFC 4180 (CRLF, quotes doubled); cells that a
 * spreadsheet would run as a formula are neutralized exactly like csvCell, but rendered by DuckDB.
 */
import { csvLineSql } from './csv.js';
import { viewFields, type EventView } from './event-query.js';
import { exportLines } from './line-export.js';
import type { ExportFormat } from './types.js';

/** One CSV line of named SQL fields. */
export function csvFieldsSql(fields: readonly (readonly [string, string])[]): string {
  return csvLineSql(fields.map(([, e]) => e));
}

export const timelineCsv: ExportFormat = {
  name: 'csv',
  whats: ['timeline', 'attack'],
  description: 'every field of each event, RFC 4180, formula cells neutralized',
  target: 'file',
  filtered: true,
  run(ctx) {
    const view = ctx.what as EventView;
    const fields = viewFields(view);
    return exportLines(ctx, {
      view,
      line: csvFieldsSql(fields),
      header: fields.map(([n]) => n).join(','),
      eol: '\r\n',
      label: `${view} csv`,
    });
  },
};
