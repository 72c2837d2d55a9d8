/**
 * What every `--what findings` format shares (the JSON and CSV in findings.ts, the reports in
 * report.ts): the newest findings of the case, with the detections list narrowed by --min-level /
 * --disable, handed to the format's own build step. One place, so a new findings format cannot
 * forget the filter.
 */
import type { Findings } from '../correlate/findings-types.js';
import { latestFindings } from './latest-findings.js';
import { ruleShown, type ExportContext, type ExportFormat, type ExportResult } from './types.js';

export interface ShownFindings {
  findingsId: number;
  body: Findings;
}

export function findingsFormat(name: string, description: string, build: (ctx: ExportContext, findings: ShownFindings) => Promise<ExportResult>): ExportFormat {
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
      return build(ctx, { findingsId, body });
    },
  };
}
