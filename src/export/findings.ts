/** `--what findings`: the stored dwell.findings/v1 as JSON, or the compromised-data CSV (the reports: report.ts). */
import type { Findings } from '../correlate/findings-types.js';
import { renderCompromisedCsv } from './findings-csv.js';
import { findingsFormat } from './findings-format.js';
import { withSink } from './line-export.js';
import type { ExportContext, ExportFormat } from './types.js';

function textFormat(name: string, description: string, render: (body: Findings, ctx: ExportContext, findingsId: number) => Promise<string> | string): ExportFormat {
  return findingsFormat(name, description, async (ctx, { findingsId, body }) => {
    const text = await render(body, ctx, findingsId);
    await withSink(ctx, (sink) => sink.write(text));
    return { count: 1, unit: 'findings' };
  });
}

export const findingsJson = textFormat('json', 'dwell.findings/v1 JSON (docs/findings.md)', (b) => JSON.stringify(b, null, 2) + '\n');
export const findingsCsv = textFormat('csv', 'compromised data, one row per item', renderCompromisedCsv);
