/** `--what findings`: the stored dwell.findings/v1 as JSON, the Markdown report, or the compromised-data CSV. */
import type { Findings } from '../correlate/findings-types.js';
import { renderCompromisedCsv } from './findings-csv.js';
import { renderMarkdown } from './findings-md.js';
import { latestFindings } from './latest-findings.js';
import { withSink } from './line-export.js';
import type { ExportContext, ExportFormat } from './types.js';

function findingsFormat(name: string, description: string, render: (body: Findings) => string): ExportFormat {
  return {
    name,
    whats: ['findings'],
    description,
    target: 'file',
    filtered: false,
    async run(ctx: ExportContext) {
      const { body } = await latestFindings(ctx.db);
      await withSink(ctx, (sink) => sink.write(render(body)));
      return { count: 1, unit: 'findings' };
    },
  };
}

export const findingsJson = findingsFormat('json', 'dwell.findings/v1 JSON (docs/findings.md)', (b) => JSON.stringify(b, null, 2) + '\n');
export const findingsMd = findingsFormat('md', 'Markdown incident report', renderMarkdown);
export const findingsCsv = findingsFormat('csv', 'compromised data, one row per item', renderCompromisedCsv);
