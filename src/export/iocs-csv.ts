/**
 * `--what iocs --format csv`: one row per indicator — for blocklists, SIEM lookups and the report.
 * Columns: type, value, host, indicator_type (malicious-activity | compromised), roles, first_seen,
 * last_seen, events, techniques, principal, reason, stix_pattern. Formula cells are neutralized.
 */
import { csvLine } from './csv.js';
import { collectIocs } from './iocs.js';
import { withSink } from './line-export.js';
import { observable } from './stix.js';
import type { ExportFormat } from './types.js';

export const IOC_COLUMNS = ['type', 'value', 'host', 'indicator_type', 'roles', 'first_seen', 'last_seen', 'events', 'techniques', 'principal', 'reason', 'stix_pattern'] as const;

export const iocsCsv: ExportFormat = {
  name: 'csv',
  whats: ['iocs'],
  description: 'one row per indicator (type, value, first/last seen, events, techniques, STIX pattern)',
  target: 'file',
  filtered: false,
  async run(ctx) {
    const set = await collectIocs(ctx.db);
    let text = csvLine([...IOC_COLUMNS]);
    for (const i of set.iocs) {
      text += csvLine([i.kind, i.value, i.host, i.indicatorType, i.roles, i.firstSeen, i.lastSeen, i.events, i.techniques, i.principal, i.reason, observable(i).pattern]);
    }
    await withSink(ctx, (sink) => sink.write(text));
    return { count: set.iocs.length, unit: 'indicators' };
  },
};
