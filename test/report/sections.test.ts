/**
 * Sections that come from the case beside the findings go through the report model and its two
 * renderers like every other section: the Sigma rules that hit (correlate --sigma, dwell hunt).
 * Rule texts come from files an analyst may not have written: escaped in both formats.
 */
import { describe, expect, it } from 'vitest';
import { findings } from '../helpers/report-findings.js';
import { buildReport, type CaseData } from '../../src/report/model.js';
import { renderReportMarkdown } from '../../src/report/markdown.js';
import { renderReportHtml } from '../../src/report/html.js';
import type { HuntSummary } from '../../src/export/hunt-section.js';

const DATA: CaseData = { caseName: 'case-7', manifest: [], annotations: [], density: [], densityBucketSeconds: 0, hostSources: [] };
const HOSTILE = '<img src=x onerror=alert(1)> | [x](http://evil.example)';

const sigma: HuntSummary[] = [
  { label: 'Hunt #4 (2026-12-07T10:00:00Z)', huntId: 4, finishedAt: '2026-12-07T10:00:00Z', rules: [{ rule_id: 'r-1', title: HOSTILE, level: 'high', author: 'Jane Doe', kind: 'sigma', hits: 3 }], leftOut: 2 },
];

describe('Sigma sections in the report model', () => {
  it('are rendered by the Markdown renderer after the full timeline, rule text escaped', () => {
    const md = renderReportMarkdown(buildReport(findings(), { ...DATA, sigma }, { tlp: 'amber' }));
    const at = md.indexOf('## Hunt #4 (2026-12-07T10:00:00Z): rules that hit');
    expect(at).toBeGreaterThan(md.indexOf('Full timeline'));
    expect(md.slice(at)).toMatch(/\| r-1 \| .* \| high \| Jane Doe \| 3 \|/);
    expect(md.slice(at)).toContain('2 more rule(s) hit, left out by --min-level / --disable.');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('](http://evil');
  });

  it('are rendered by the HTML renderer inside the body, after the full timeline, rule text escaped', () => {
    const html = renderReportHtml(buildReport(findings(), { ...DATA, sigma }, { tlp: 'amber' }));
    const at = html.indexOf('<h2>Hunt #4 (2026-12-07T10:00:00Z): rules that hit</h2>');
    expect(at).toBeGreaterThan(html.indexOf('id="full-timeline"'));
    expect(at).toBeLessThan(html.indexOf('</body>'));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  it('are absent when nothing hit', () => {
    const m = buildReport(findings(), DATA, { tlp: 'amber' });
    expect(m.sigma).toEqual([]);
    expect(renderReportMarkdown(m)).not.toContain('rules that hit');
    expect(renderReportHtml(m)).toMatch(/<\/section>\n<\/body><\/html>\n$/);
  });
});
