/** `--what findings`: the stored dwell.findings/v1 as JSON, or the compromised-data CSV (the reports: report.ts). */
import type { Findings } from '../correlate/findings-types.js';
import { renderCompromisedCsv } from './findings-csv.js';
import { latestFindings } from './latest-findings.js';
import { withSink } from './line-export.js';
import { ruleShown, type ExportContext, type ExportFormat } from './types.js';

function findingsFormat(name: string, description: string, render: (body: Findings, ctx: ExportContext, findingsId: number) => Promise<string> | string): ExportFormat {
  return {
    name,
    whats: ['findings'],
    description,
    target: 'file',
    filtered: false,
    async run(ctx: ExportContext) {
      const { findingsId, body } = await latestFindings(ctx.db);
      // --min-level / --disable leave rule hits out of the detections list (not out of the attack).
      if (body.detections) body.detections = body.detections.filter((d) => ruleShown(ctx.options, d.rule_id, d.level));
      const text = await render(body, ctx, findingsId);
      await withSink(ctx, (sink) => sink.write(text));
      return { count: 1, unit: 'findings' };
    },
  };
}

export const findingsJson = findingsFormat('json', 'dwell.findings/v1 JSON (docs/findings.md)', (b) => JSON.stringify(b, null, 2) + '\n');
export const findingsCsv = findingsFormat('csv', 'compromised data, one row per item', renderCompromisedCsv);
