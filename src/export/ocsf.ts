/**
 * `--what timeline|attack --format ocsf`: one OCSF 1.8 JSON object per event and line, in the
 * class that fits (ocsf-map.ts). Rows stream from DuckDB in chunks (as JSON, with `attrs` nested)
 * and are mapped in JavaScript.
 */
import { EVENT_FIELDS, isoSql, type EventView } from './event-query.js';
import { exportRows } from './line-export.js';
import { toOcsf, type OcsfRow } from './ocsf-map.js';
import type { ExportFormat } from './types.js';

const LEVEL_RANK = `CASE d.level WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END`;

function fields(view: EventView): [string, string][] {
  const base = EVENT_FIELDS.filter(([n]) => n !== 'ts' && n !== 'ts_end' && n !== 'attrs').map(([n, e]) => [n, e] as [string, string]);
  const out: [string, string][] = [
    ['ts_us', 'epoch_us(e.ts)'],
    ['ts_end_us', 'epoch_us(e.ts_end)'],
    ['ts_iso', isoSql('e.ts')],
    ['ts_end_iso', isoSql('e.ts_end')],
    ['attrs', 'e.attrs'],
    ...base,
  ];
  if (view === 'attack') {
    out.push(['phase', 'a.phase'], ['technique', 'a.technique'], ['attack_reason', 'a.reason']);
    out.push(['level', `(SELECT arg_max(d.level, ${LEVEL_RANK}) FROM detections d WHERE d.findings_id = a.findings_id AND d.event_id = e.event_id)`]);
  }
  return out;
}

export const ocsf: ExportFormat = {
  name: 'ocsf',
  whats: ['timeline', 'attack'],
  description: 'OCSF 1.8 JSON lines: Authentication 3002, Account Change 3001, API Activity 6003, Datastore Activity 6005, Network Activity 4001, Process Activity 1007, Base Event',
  target: 'file',
  filtered: true,
  run(ctx) {
    const view = ctx.what as EventView;
    return exportRows(ctx, {
      view,
      fields: fields(view),
      label: `${view} ocsf`,
      render: (row) => JSON.stringify(toOcsf(row as unknown as OcsfRow, view === 'attack')),
    });
  },
};
