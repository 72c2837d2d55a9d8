/**
 * Sections that come from the case beside the findings go through the report model and its two
 * renderers like every other section: dwell watch's alerts ("After containment: alerts", issue 15)
 * and the Sigma rules that hit (correlate --sigma, dwell hunt). Event text, file names and rule
 * texts are not dwell's: escaped in both formats.
 */
import { describe, expect, it } from 'vitest';
import { findings } from '../helpers/report-findings.js';
import { buildReport, type CaseData } from '../../src/report/model.js';
import { renderReportMarkdown } from '../../src/report/markdown.js';
import { renderReportHtml } from '../../src/report/html.js';
import type { HuntSummary } from '../../src/export/hunt-section.js';
import type { AlertJson } from '../../src/watch/alert-output.js';
import type { WatchReport } from '../../src/watch/report.js';

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

function alert(id: number, over: { severity?: string; after?: boolean | null; summary?: string; file?: string; line?: number; ts?: string } = {}): AlertJson {
  return {
    alert_id: id,
    alerted_at: '2026-12-07T10:00:00Z',
    severity: over.severity ?? 'medium',
    ts: over.ts ?? `2026-12-07T09:${String(id % 60).padStart(2, '0')}:00.000000Z`,
    matched: 'ip:203.0.113.7 (src_ip)',
    entry: { id: 1, kind: 'ip', value: '203.0.113.7' },
    after_containment: over.after === undefined ? true : over.after,
    event: { event_id: 1000 + id, source: 'auth_log', class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', host: 'web-01', actor: 'root', src_ip: '203.0.113.7', dst_ip: null, access_key: null, summary: over.summary ?? `failed root login ${id}` },
    evidence: { evidence_id: 2, file: over.file ?? '/live/auth.log', line: over.line ?? id },
  };
}

const watched = (alerts: AlertJson[], backdoors: WatchReport['backdoors'] = []): WatchReport => ({ watched: true, alerts, backdoors });
const section = (md: string) => md.split('## After containment: alerts')[1]?.split('\n<a id=')[0];

describe('dwell watch alerts in the report model', () => {
  const hostile = [
    alert(1, { severity: 'critical', summary: `Accepted password for ${HOSTILE}`, file: '/live/<script>x</script>|auth.log', line: 42 }),
    alert(2, { after: false }),
    alert(3, { after: null }),
  ];

  it('Markdown: a section after the back doors, the most severe first, each alert with its evidence file:line, evidence text escaped', () => {
    const md = renderReportMarkdown(buildReport(findings(), { ...DATA, watch: watched(hostile) }, { tlp: 'amber' }));
    expect(md.indexOf('## After containment: alerts')).toBeGreaterThan(md.indexOf('## Back doors'));
    expect(md.indexOf('## After containment: alerts')).toBeLessThan(md.indexOf('## Compromised data'));
    expect(md).toContain('<a id="after-containment-alerts"></a>');
    const s = section(md)!;
    expect(s).toContain('dwell watch raised 3 alerts, 1 on events after containment.');
    const rows = s.split('\n').filter((l) => l.startsWith('| 20'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| 2026-12-07T09:01:00.000000Z \| critical \| ip:203\.0\.113\.7 \(src_ip\) \| \*\*yes\*\* \|/);
    expect(rows[0]).toMatch(/:42 \|$/);
    expect(rows[1]).toMatch(/\| no \| failed root login 2 \| web-01 \| root \| 203\\?\.0\.113\.7 \| \/live\/auth\.log:2 \|$/);
    expect(rows[2]).toMatch(/\| — \| failed root login 3 \|/);
    // Evidence text is inert: no raw tag, no link, no cell break from the | in the file name.
    expect(s).not.toContain('<img');
    expect(s).not.toContain('<script>');
    expect(s).not.toContain('](http://evil');
    expect(rows[0]!.split(/(?<!\\)\|/).length).toBe(rows[1]!.split(/(?<!\\)\|/).length);
  });

  it('HTML: the same section and rows, evidence text as entities', () => {
    const html = renderReportHtml(buildReport(findings(), { ...DATA, watch: watched(hostile) }, { tlp: 'amber' }));
    const at = html.indexOf('<section id="after-containment-alerts"><h2>After containment: alerts</h2>');
    expect(at).toBeGreaterThan(html.indexOf('id="back-doors"'));
    const s = html.slice(at, html.indexOf('</section>', at));
    expect(s).toContain('<p>dwell watch raised 3 alerts, 1 on events after containment.</p>');
    expect(s.match(/<tr><td>/g)).toHaveLength(3);
    expect(s).toContain('<span class="yes">yes</span>');
    expect(s).toContain('<td class="ev">/live/&lt;script&gt;x&lt;/script&gt;|auth.log:42</td>');
    expect(s).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(s).not.toContain('<img');
    expect(s).not.toContain('<script>');
  });

  it('no section for a case never watched; a watched case without alerts says so', () => {
    const never = buildReport(findings(), DATA, { tlp: 'amber' });
    expect(never.alerts).toBeNull();
    expect(renderReportMarkdown(never)).not.toContain('After containment: alerts');
    expect(renderReportHtml(never)).not.toContain('After containment: alerts');
    const quiet = buildReport(findings(), { ...DATA, watch: watched([]) }, { tlp: 'amber' });
    expect(section(renderReportMarkdown(quiet))!.trim()).toBe('dwell watch followed the live evidence and raised no alert.');
    expect(renderReportHtml(quiet)).toContain('<p>dwell watch followed the live evidence and raised no alert.</p></section>');
  });

  it('keeps at most 100 alerts and says where the rest are', () => {
    const many = Array.from({ length: 130 }, (_, i) => alert(i + 1, { severity: i === 129 ? 'critical' : 'low' }));
    const m = buildReport(findings(), { ...DATA, watch: watched(many) }, { tlp: 'amber' });
    expect(m.alerts!.alerts).toHaveLength(100);
    expect(m.alerts!.omitted).toBe(30);
    expect(m.alerts!.alerts[0]!.alert_id).toBe(130);
    expect(section(renderReportMarkdown(m))).toContain('The 100 most severe are listed; the case holds all 130');
  });

  it('a back door the watch saw used after containment reads YES in the back-door table, as its alert says (attempted_after_containment stays consistent)', () => {
    const f = findings({ backdoors: [{ kind: 'local_user', value: 'sysupdate', host: 'web-01', created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] }] });
    const seen = (used: boolean) => watched([alert(1)], [{ kind: 'local_user', value: 'sysupdate', host: 'web-01', used_after_containment: used, attempted_after_containment: true, alert_ids: [1] }]);
    const backdoors = (md: string) => md.split('## Back doors')[1]!.split('\n<a id=')[0]!;
    expect(backdoors(renderReportMarkdown(buildReport(f, { ...DATA, watch: seen(true) }, { tlp: 'amber' })))).toMatch(/\| local_user \| sysupdate \| web-01 \|.*\| \*\*YES\*\* \|/);
    expect(backdoors(renderReportMarkdown(buildReport(f, { ...DATA, watch: seen(false) }, { tlp: 'amber' })))).toMatch(/\| attempted \(failed\) \|/);
    expect(backdoors(renderReportMarkdown(buildReport(f, DATA, { tlp: 'amber' })))).toMatch(/\| no \|/);
  });
});
