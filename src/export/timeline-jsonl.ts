/**
 * `--what timeline|attack --format jsonl`: one JSON object per event and line, every normalized
 * field (absent values as null, `attrs` as a nested object), the evidence file and SHA-256, and
 * the raw record. Rendered by DuckDB (to_json escapes every control character).
 */
import { viewFields, type EventView } from './event-query.js';
import { exportLines } from './line-export.js';
import type { ExportFormat } from './types.js';

export function jsonObjectSql(fields: readonly (readonly [string, string])[]): string {
  return `to_json({${fields.map(([n, e]) => `'${n}': ${e}`).join(', ')}})::VARCHAR`;
}

export const timelineJsonl: ExportFormat = {
  name: 'jsonl',
  whats: ['timeline', 'attack'],
  description: 'one JSON object per event and line, every field',
  target: 'file',
  filtered: true,
  run(ctx) {
    const view = ctx.what as EventView;
    return exportLines(ctx, { view, line: jsonObjectSql(viewFields(view)), eol: '\n', label: `${view} jsonl` });
  },
};
