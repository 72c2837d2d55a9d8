/**
 * `--what findings --format md|html`: the report people act on (src/report, docs/report.md). With
 * -o FILE the full attacker timeline goes to a sibling file (FILE's name with `.timeline.md`),
 * written first through the same output guard, and the report links to it; to standard output
 * the report says how to get it.
 */
import { basename, dirname, extname, join } from 'node:path';
import { withSink as withOutput } from '../core/output/sink.js';
import { loadReportData } from '../report/case-data.js';
import { renderReportHtml } from '../report/html.js';
import { renderReportMarkdown, renderTimelineMarkdown } from '../report/markdown.js';
import { buildReport, type ReportModel } from '../report/model.js';
import { findingsFormat } from './findings-format.js';
import { correlateSigmaSection, huntSection, type HuntSummary } from './hunt-section.js';
import { withSink } from './line-export.js';
import type { ExportFormat } from './types.js';

/** `report.md` → `report.timeline.md`, next to it. */
export function timelinePath(output: string): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}.timeline.md`);
}

function reportFormat(name: string, description: string, render: (m: ReportModel) => string): ExportFormat {
  return findingsFormat(name, description, async (ctx, { findingsId, body }) => {
    // Sigma hits: those run with this correlation (--sigma), then the newest dwell hunt's.
    const sigma = [await correlateSigmaSection(ctx.db, findingsId, ctx.options), await huntSection(ctx.db, ctx.options)].filter((x): x is HuntSummary => x !== null);
    const data = { ...(await loadReportData(ctx.db, body)), sigma };
    const toFile = Boolean(ctx.output && ctx.output !== '-');
    const side = toFile ? timelinePath(ctx.output!) : undefined;
    const model = buildReport(body, data, { tlp: ctx.options.tlp, caseId: ctx.options.caseId, timelineFile: side ? basename(side) : undefined });
    if (side) await withOutput(side, ctx.guard, (sink) => sink.write(renderTimelineMarkdown(model)));
    await withSink(ctx, (sink) => sink.write(render(model)));
    return { count: 1, unit: 'report', files: side ? [ctx.output!, side] : undefined };
  });
}

export const reportMd = reportFormat('md', 'Markdown incident report (executive summary, key events, manifest, dwell watch alerts, Sigma hits; full timeline in FILE.timeline.md)', renderReportMarkdown);
export const reportHtml = reportFormat('html', 'self-contained HTML incident report with SVG diagrams (no script; prints to PDF); full timeline in FILE.timeline.md', renderReportHtml);
