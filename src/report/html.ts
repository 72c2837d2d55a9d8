/**
 * The report model as one self-contained HTML file (docs/report.md): no script, no network, no
 * external font or image — SVG drawn by dwell (src/report/svg) and inline CSS only, and a Content
 * Security Policy that forbids scripts and fetches should anything slip through. Readable offline,
 * printable to PDF. Every text from the findings goes through htmlText (entities for & < > " ').
 */
import { htmlText as h } from '../core/output/markdown.js';
import { bytes, duration } from './format.js';
import { entityRows } from './entities.js';
import { gapSpan } from './gaps.js';
import { SECTIONS, type ReportModel } from './model.js';
import { attackMatrix, exfilChart } from './svg/bars.js';
import { densityChart } from './svg/density.js';
import { entityGraph } from './svg/graph.js';
import { phaseDiagram, phaseLegend } from './svg/phases.js';
import { attackTechniques } from './techniques.js';
import type { SummaryLine } from './summary.js';
import { afterContainment, ALERT_HEADER, alertRows, alertsIntro } from './alerts.js';
import { sigmaSectionsHtml } from './sigma-sections.js';

const TLP_COLORS: Record<string, string> = { red: '#ff2b2b', amber: '#ffc000', green: '#33ff00', white: '#ffffff' };

const CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1040px;padding:16px 24px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
.tlp{display:inline-block;background:#000;font-weight:700;padding:2px 8px;border-radius:3px;letter-spacing:.5px}
.meta{color:#555;font-size:12px}
.summary{background:#f6f8fa;border-left:4px solid #e15759;padding:8px 14px}.summary li{margin:3px 0}
table{border-collapse:collapse;width:100%;font-size:12px;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fbfbfb}
td.ev{font-family:ui-monospace,monospace;font-size:11px;color:#444}
.yes{color:#c00;font-weight:700}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:12px;height:8px;margin-right:4px}
figure{margin:8px 0 16px}figcaption{font-size:12px;color:#555}
.empty{color:#777;font-style:italic}
@media print{body{max-width:none;padding:0}h2{break-after:avoid}figure,tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
`;

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  return h(typeof v === 'number' ? v.toLocaleString('en-US') : v);
}

/** A table; a cell given as `{ html }` is dwell's own markup. */
function table(header: string[], rows: unknown[][], empty = 'None found.', evCol = -1): string {
  if (rows.length === 0) return `<p class="empty">${h(empty)}</p>`;
  const td = (v: unknown, i: number) => `<td${i === evCol ? ' class="ev"' : ''}>${v && typeof v === 'object' && 'html' in v ? (v as { html: string }).html : cell(v)}</td>`;
  return `<table><thead><tr>${header.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('')}</tbody></table>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${h(title)}</h2>${body}</section>`;
}

function summaryLine(line: SummaryLine): string {
  return line.map((s) => (typeof s === 'string' ? h(s) : `<a href="#${s.section}">${h(s.text)}</a>`)).join('');
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${h(caption)}</figcaption></figure>`;
}

const ev = (e: { file: string; line: number } | null | undefined) => (e ? `${e.file}:${e.line}` : null);

export function renderReportHtml(m: ReportModel): string {
  const f = m.findings;
  const a = f.answers;
  const keyOf = (kind: string) => m.keyEvents.find((k) => k.kind === kind);
  const last = (f.timeline ?? []).filter((t) => t.ts).slice(-1)[0];
  const tlp = m.tlp.toUpperCase();
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="dwell ${h(m.dwellVersion)}">`,
    `<title>${h(m.title)}</title><style>${CSS}</style></head><body>`,
  );
  out.push(`<p><span class="tlp" style="color:${TLP_COLORS[m.tlp] ?? '#fff'}">TLP:${h(tlp)}</span></p>`);
  out.push(`<h1>${h(m.title)}</h1>`);
  out.push(
    `<p class="meta">Case ${h(m.caseId)} · generated ${h(m.generatedAt)} by dwell ${h(m.dwellVersion)} · ${cell(f.case?.evidence_files ?? 0)} evidence files, ${cell(f.case?.events ?? 0)} events (${h((f.case?.sources ?? []).join(', '))}) · seeds ${h((f.parameters?.seeds_used ?? []).map((s) => `${s.kind}:${s.value}`).join(', ') || '—')} · all times UTC</p>`,
  );
  out.push(section(SECTIONS.summary, 'Executive summary', `<ul class="summary">${m.summary.map((l) => `<li>${summaryLine(l)}</li>`).join('')}</ul>`));
  out.push(
    section(
      'attack-at-a-glance',
      'The attack at a glance',
      figure(phaseDiagram(f), 'Phases per host and cloud account along the time axis (sampled activity)') +
        phaseLegend() +
        figure(densityChart(m.density, m.densityBucketSeconds), `Events per ${duration(m.densityBucketSeconds)} (square-root scale): all events grey, the attacker's red`),
    ),
  );
  out.push(
    section(
      SECTIONS.answers,
      'Answers',
      table(
        ['Question', 'Answer', 'Evidence'],
        [
          ['First reconnaissance', a.first_recon_at, ev(keyOf('first recon')?.evidence)],
          ['Initial access', a.initial_access_at, ev(keyOf('initial access')?.evidence)],
          ['Initial access vector', a.initial_access_vector, null],
          ['Detected', a.detected_at, a.detected_at ? 'given (--detected-at)' : null],
          ['Last attacker activity', a.last_attacker_activity_at, last ? ev(last.evidence) : null],
          ['Contained', a.contained_at, a.contained_at ? 'given (--contained-at)' : null],
          ['Dwell time (access → detection)', duration(a.dwell_time_seconds), null],
          ['Access duration (access → last activity)', duration(a.access_duration_seconds), null],
        ],
        '',
        2,
      ),
    ),
  );
  out.push(
    section(
      SECTIONS.keyEvents,
      `Key events (${m.keyEvents.length} of ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events)`,
      table(['Time', 'Kind', 'What', 'Host', 'Actor', 'Source IP', 'Evidence'], m.keyEvents.map((k) => [k.ts, k.kind, k.what, k.host, k.actor, k.src_ip, ev(k.evidence)]), 'No key event.', 6) +
        (m.keyEventsOmitted ? `<p class="empty">${m.keyEventsOmitted} further key events are in the full timeline.</p>` : ''),
    ),
  );
  out.push(section(SECTIONS.entities, 'Entities and links', figure(entityGraph(f), 'Addresses, accounts, keys and hosts, linked as the attacker timeline links them') + table(['Kind', 'Value', 'Host', 'Roles', 'First seen', 'Last seen'], entityRows(f))));
  out.push(
    section(
      SECTIONS.backdoors,
      'Back doors (does the attacker still have a way in?)',
      table(['Kind', 'Value', 'Host', 'Created', 'By', 'Used after containment'], (f.backdoors ?? []).map((b) => [b.kind, b.value, b.host, b.created_at, b.created_by, b.used_after_containment ? { html: '<span class="yes">YES</span>' } : b.attempted_after_containment ? 'attempted (failed)' : 'no'])),
    ),
  );
  if (m.alerts) {
    const rows = alertRows(m.alerts).map((r) => r.map((c, i) => (ALERT_HEADER[i] === 'After containment' && c === afterContainment(true) ? { html: '<span class="yes">yes</span>' } : c)));
    out.push(section(SECTIONS.alerts, 'After containment: alerts', `<p>${h(alertsIntro(m.alerts))}</p>` + (m.alerts.total > 0 ? table(ALERT_HEADER, rows, '', ALERT_HEADER.length - 1) : '')));
  }
  out.push(section(SECTIONS.data, 'Compromised data', table(['Kind', 'What', 'Host', 'Access', 'Rows', 'Bytes', 'First', 'Last'], (f.compromised_data ?? []).map((c) => [c.kind, c.value, c.host, c.access, c.rows, c.bytes === null ? null : bytes(c.bytes), c.first, c.last]))));
  out.push(section(SECTIONS.exfiltration, 'Exfiltration', figure(exfilChart(f), 'Bytes sent per destination (the largest count of the sensors that saw it)') + table(['Destination', 'Bytes', 'First', 'Last', 'Seen by'], (f.exfiltration ?? []).map((x) => [x.dst_ip, `${bytes(x.bytes)} (${x.bytes.toLocaleString('en-US')} B)`, x.first, x.last, (x.sources ?? []).join(', ')]))));
  out.push(section(SECTIONS.credentials, 'Credentials to rotate', table(['Kind', 'Credential', 'Host', 'Why'], (f.credentials_to_rotate ?? []).map((c) => [c.kind, c.value, c.host, c.reason]))));
  out.push(section(SECTIONS.ips, 'Addresses to block', table(['IP', 'Roles', 'First seen', 'Last seen'], (f.ips ?? []).map((i) => [i.ip, (i.roles ?? []).join(', '), i.first_seen, i.last_seen])) + '<p class="meta">Block lists, firewall rules, a revocation script and Sigma rules: <code>dwell export --what mitigations</code>.</p>'));
  const queries = f.db_queries ?? [];
  out.push(section(SECTIONS.queries, 'Database queries by the attacker', table(['Time', 'Database', 'Role', 'Client', 'Tables', 'Kind', 'Rows', 'Statement'], queries.slice(0, 30).map((q) => [q.ts, q.database, q.role, q.client, (q.tables ?? []).join(', '), (q.classification ?? []).join(', '), q.rows, String(q.statement ?? '').slice(0, 300)]))));
  const techniques = attackTechniques(f);
  out.push(section(SECTIONS.attack, 'ATT&CK techniques', figure(attackMatrix(techniques), 'Techniques of the attacker timeline under the tactic each served (darker: more events)') + table(['Technique', 'Name', 'Tactic', 'Events', 'First', 'Last'], techniques.map((t) => [t.id, t.name, t.tactic, t.events, t.first, t.last]))));
  out.push(section(SECTIONS.detections, 'Detections (all rule hits, attacker or not)', table(['Rule', 'Title', 'Phase', 'Technique', 'Level', 'Hits', 'First', 'Last'], (f.detections ?? []).map((d) => [d.rule_id, d.title, d.phase, d.technique, d.level, d.hits, d.first, d.last]))));
  out.push(section(SECTIONS.gaps, 'What the evidence could not see', table(['Source', 'When', 'Why', 'Rows'], m.gaps.map((g) => [g.source, gapSpan(g), g.reason, g.rows]), 'No blind spot found.')));
  out.push(section(SECTIONS.caveats, 'Caveats', m.caveats.length ? `<ul>${m.caveats.map((c) => `<li><strong>${h(c.topic)}</strong>: ${h(c.text)}${c.affects ? ` <em>Affects: ${h(c.affects)}.</em>` : ''}</li>`).join('')}</ul>` : '<p class="empty">None: every time is exact and every source saw the whole attack.</p>'));
  out.push(section(SECTIONS.notes, "Analysts' notes", table(['Event', 'Time', 'Kind', 'Note', 'Author', 'When'], m.annotations.map((n) => [n.event?.summary ?? n.event_id, n.event?.ts, n.kind, n.text, n.author, n.created_at]), 'No marks or notes (dwell tui: m marks an event, n adds a note).')));
  out.push(
    section(
      SECTIONS.manifest,
      'Evidence manifest',
      '<p class="meta">Every file presented for ingest, with the SHA-256 recorded then; <code>dwell verify --case …</code> re-hashes them.</p>' +
        table(['Path', 'SHA-256', 'Bytes', 'First event', 'Last event', 'Events', 'Warnings', 'Time quality'], m.manifest.map((r) => [r.path, r.sha256, r.size, r.first, r.last, r.events, r.warnings, [r.status === 'ingested' ? '' : r.status, ...Object.entries(r.quality).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)].filter(Boolean).join(', ')]), 'No evidence.', 1),
    ),
  );
  out.push(section(SECTIONS.timeline, 'Full timeline', `<p>${m.timelineFile ? `All ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events, each with its evidence file and line: <a href="${h(encodeURIComponent(m.timelineFile))}">${h(m.timelineFile)}</a>` : `All ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events: <code>dwell export --what attack --format csv</code>, or write this report to a file (-o) to get them as a sibling file.`}</p>`));
  // Sigma sections close the report, as the last thing in its body.
  out.push(sigmaSectionsHtml(m.sigma) + '</body></html>\n');
  return out.join('\n');
}
