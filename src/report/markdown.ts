/**
 * The report model as Markdown (docs/report.md): one page a manager reads top-down (title with the
 * incident's dates, TLP, executive summary, answers with their evidence, ≤ 30 key events, a Mermaid
 * gantt of the phases) followed by what engineers and legal need (back doors, data, credentials,
 * addresses, merged blind spots, caveats, analysts' notes, the evidence manifest with SHA-256).
 * The full attacker timeline is a separate file (renderTimelineMarkdown).
 *
 * Evidence text is made inert by markdownText (src/core/output/markdown.ts); only dwell's own
 * Markdown (headings, anchors, links to sections) is written raw.
 */
import { markdownText as md, TrustedMarkdown } from '../core/output/markdown.js';
import type { Findings } from '../correlate/findings-types.js';
import { attackTechniques } from './techniques.js';
import { bytes, duration } from './format.js';
import { entityRows } from './entities.js';
import { gapSpan } from './gaps.js';
import { SECTIONS, type ReportModel } from './model.js';
import type { SummaryLine } from './summary.js';
import { afterContainment, ALERT_HEADER, alertRows, alertsIntro } from './alerts.js';
import { sigmaSectionsMarkdown } from './sigma-sections.js';

function cell(v: unknown): string {
  if (v instanceof TrustedMarkdown) return v.md;
  if (v === null || v === undefined || v === '') return '—';
  return md(typeof v === 'number' ? v.toLocaleString('en-US') : v);
}

function table(header: string[], rows: unknown[][], empty = '_None found._'): string {
  if (rows.length === 0) return `${empty}\n`;
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

function heading(level: number, id: string, text: string): string {
  return `<a id="${id}"></a>\n${'#'.repeat(level)} ${text}\n`;
}

/**
 * Evidence text inside a line (not at its start): markdownText guards a line's start against block
 * syntax; a leading character that opens no block lets the rest be escaped as mid-line text.
 */
function inline(v: unknown): string {
  return md(`.${String(v ?? '')}`).slice(1);
}

function summaryLine(line: SummaryLine): string {
  return line.map((s) => (typeof s === 'string' ? inline(s) : `[${inline(s.text)}](#${s.section})`)).join('');
}

function evidenceRef(e: { file: string; line: number } | null | undefined): string | null {
  return e ? `${e.file}:${e.line}` : null;
}

/** A Mermaid gantt of the phases (times are dwell's own ISO values; phase names are fixed words). */
export function mermaidPhases(f: Findings): string {
  const t = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
  const lines = ['```mermaid', 'gantt', '  title Attack phases (UTC)', '  dateFormat YYYY-MM-DD HH:mm:ss', '  axisFormat %m-%d %H:%M', '  section Attacker'];
  for (const p of f.phases ?? []) if (p.first && p.last && p.events > 0) lines.push(`  ${p.phase} (${p.events} events) :${p.phase}, ${t(p.first)}, ${t(p.last === p.first ? p.last : p.last)}`);
  const a = f.answers;
  if (a.detected_at || a.contained_at) lines.push('  section Response');
  if (a.detected_at) lines.push(`  detected :milestone, detected, ${t(a.detected_at)}, 0m`);
  if (a.contained_at) lines.push(`  contained :milestone, contained, ${t(a.contained_at)}, 0m`);
  lines.push('```');
  return lines.join('\n') + '\n';
}

function qualityText(q: Record<string, number>, status: string): string {
  const parts = Object.entries(q)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`);
  const s = parts.join(', ');
  return status === 'ingested' ? s || '—' : `${status}${s ? `; ${s}` : ''}`;
}

export function renderReportMarkdown(m: ReportModel): string {
  const f = m.findings;
  const a = f.answers;
  const out: string[] = [];
  const keyOf = (kind: string) => m.keyEvents.find((k) => k.kind === kind);
  const last = (f.timeline ?? []).filter((t) => t.ts).slice(-1)[0];
  out.push(`# ${md(m.title)}`, '');
  out.push(`**TLP:${m.tlp.toUpperCase()}** · case ${inline(m.caseId)} · generated ${inline(m.generatedAt)} by dwell ${inline(m.dwellVersion)} · ${inline((f.case?.evidence_files ?? 0).toLocaleString('en-US'))} evidence files, ${inline((f.case?.events ?? 0).toLocaleString('en-US'))} events (${inline((f.case?.sources ?? []).join(', '))}) · seeds ${(f.parameters?.seeds_used ?? []).map((s) => inline(`${s.kind}:${s.value}`)).join(', ') || '—'} · all times UTC`, '');

  out.push(heading(2, SECTIONS.summary, 'Executive summary'));
  for (const l of m.summary) out.push(`- ${summaryLine(l)}`);
  out.push('');

  out.push(heading(2, SECTIONS.answers, 'Answers'));
  out.push(
    table(
      ['Question', 'Answer', 'Evidence'],
      [
        ['First reconnaissance', a.first_recon_at, evidenceRef(keyOf('first recon')?.evidence)],
        ['Initial access', a.initial_access_at, evidenceRef(keyOf('initial access')?.evidence)],
        ['Initial access vector', a.initial_access_vector, null],
        ['Detected', a.detected_at, a.detected_at ? 'given (--detected-at)' : null],
        ['Last attacker activity', a.last_attacker_activity_at, last ? evidenceRef(last.evidence) : null],
        ['Contained', a.contained_at, a.contained_at ? 'given (--contained-at)' : null],
        ['Dwell time (access → detection)', duration(a.dwell_time_seconds), null],
        ['Access duration (access → last activity)', duration(a.access_duration_seconds), null],
      ],
    ),
  );

  out.push(heading(2, SECTIONS.keyEvents, `Key events (${m.keyEvents.length} of ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events)`));
  out.push(table(['Time', 'Kind', 'What', 'Host', 'Actor', 'Source IP', 'Evidence'], m.keyEvents.map((k) => [k.ts, k.kind, k.what, k.host, k.actor, k.src_ip, evidenceRef(k.evidence)])));
  if (m.keyEventsOmitted) out.push(`_${m.keyEventsOmitted} further key events are in the full timeline._`, '');

  out.push(heading(2, SECTIONS.phases, 'Phases'));
  out.push(table(['Phase', 'First', 'Last', 'Events'], (f.phases ?? []).map((p) => [p.phase, p.first, p.last, p.events])));
  out.push(mermaidPhases(f));

  out.push(heading(2, SECTIONS.backdoors, 'Back doors (does the attacker still have a way in?)'));
  out.push(
    table(
      ['Kind', 'Value', 'Host', 'Created', 'By', 'Used after containment'],
      (f.backdoors ?? []).map((b) => [b.kind, b.value, b.host, b.created_at, b.created_by, b.used_after_containment ? new TrustedMarkdown('**YES**') : b.attempted_after_containment ? 'attempted (failed)' : 'no']),
    ),
  );
  if (m.alerts) {
    out.push(heading(2, SECTIONS.alerts, 'After containment: alerts'));
    out.push(inline(alertsIntro(m.alerts)), '');
    if (m.alerts.total > 0) out.push(table(ALERT_HEADER, alertRows(m.alerts).map((r) => r.map((c, i) => (ALERT_HEADER[i] === 'After containment' && c === afterContainment(true) ? new TrustedMarkdown('**yes**') : c)))));
  }
  out.push(heading(2, SECTIONS.data, 'Compromised data'));
  out.push(table(['Kind', 'What', 'Host', 'Access', 'Rows', 'Bytes', 'First', 'Last'], (f.compromised_data ?? []).map((c) => [c.kind, c.value, c.host, c.access, c.rows, c.bytes === null ? null : `${bytes(c.bytes)} (${c.bytes.toLocaleString('en-US')} B)`, c.first, c.last])));
  out.push(heading(2, SECTIONS.exfiltration, 'Exfiltration'));
  out.push(table(['Destination', 'Bytes', 'First', 'Last', 'Seen by'], (f.exfiltration ?? []).map((x) => [x.dst_ip, `${bytes(x.bytes)} (${x.bytes.toLocaleString('en-US')} B)`, x.first, x.last, (x.sources ?? []).join(', ')])));
  out.push(heading(2, SECTIONS.credentials, 'Credentials to rotate'));
  out.push(table(['Kind', 'Credential', 'Host', 'Why'], (f.credentials_to_rotate ?? []).map((c) => [c.kind, c.value, c.host, c.reason])));
  out.push(heading(2, SECTIONS.ips, 'Addresses to block'));
  out.push(table(['IP', 'Roles', 'First seen', 'Last seen'], (f.ips ?? []).map((i) => [i.ip, (i.roles ?? []).join(', '), i.first_seen, i.last_seen])));
  out.push('Block lists, firewall rules, a revocation script and Sigma rules: `dwell export --what mitigations` (docs/report.md).', '');

  const queries = f.db_queries ?? [];
  out.push(heading(2, SECTIONS.queries, 'Database queries by the attacker'));
  out.push(table(['Time', 'Database', 'Role', 'Client', 'Tables', 'Kind', 'Rows', 'Statement'], queries.slice(0, 30).map((q) => [q.ts, q.database, q.role, q.client, (q.tables ?? []).join(', '), (q.classification ?? []).join(', '), q.rows, String(q.statement ?? '').slice(0, 200)])));
  if (queries.length > 30) out.push(`_${queries.length - 30} further queries are in the full timeline._`, '');

  out.push(heading(2, SECTIONS.entities, 'Attacker entities'));
  out.push(table(['Kind', 'Value', 'Host', 'Roles', 'First seen', 'Last seen'], entityRows(f)));
  out.push(heading(2, SECTIONS.attack, 'ATT&CK techniques'));
  out.push(table(['Technique', 'Name', 'Tactic', 'Events', 'First', 'Last'], attackTechniques(f).map((t) => [t.id, t.name, t.tactic, t.events, t.first, t.last])));
  out.push(heading(2, SECTIONS.detections, 'Detections (all rule hits, attacker or not)'));
  out.push(table(['Rule', 'Title', 'Phase', 'Technique', 'Level', 'Hits', 'First', 'Last'], (f.detections ?? []).map((d) => [d.rule_id, d.title, d.phase, d.technique, d.level, d.hits, d.first, d.last])));

  out.push(heading(2, SECTIONS.gaps, 'What the evidence could not see'));
  out.push(table(['Source', 'When', 'Why', 'Rows'], m.gaps.map((g) => [g.source, gapSpan(g), g.reason, g.rows])));
  out.push(heading(2, SECTIONS.caveats, 'Caveats'));
  if (m.caveats.length === 0) out.push('_None: every time is exact and every source saw the whole attack._', '');
  for (const c of m.caveats) out.push(`- **${c.topic}**: ${inline(c.text)}${c.affects ? ` _Affects: ${inline(c.affects)}._` : ''}`);
  if (m.caveats.length) out.push('');

  out.push(heading(2, SECTIONS.notes, "Analysts' notes"));
  out.push(table(['Event', 'Time', 'Kind', 'Note', 'Author', 'When'], m.annotations.map((n) => [n.event?.summary ?? n.event_id, n.event?.ts, n.kind, n.text, n.author, n.created_at]), '_No marks or notes (dwell tui: m marks an event, n adds a note)._'));

  out.push(heading(2, SECTIONS.manifest, 'Evidence manifest'));
  out.push('Every file presented for ingest, with the SHA-256 recorded then; `dwell verify --case …` re-hashes them.', '');
  out.push(table(['Path', 'SHA-256', 'Bytes', 'First event', 'Last event', 'Events', 'Warnings', 'Time quality'], m.manifest.map((r) => [r.path, r.sha256, r.size, r.first, r.last, r.events, r.warnings, qualityText(r.quality, r.status)])));

  out.push(heading(2, SECTIONS.timeline, 'Full timeline'));
  out.push(m.timelineFile ? `All ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events, each with its evidence file and line: [${inline(m.timelineFile)}](${encodeURIComponent(m.timelineFile)})` : `All ${(f.timeline ?? []).length.toLocaleString('en-US')} attacker events: \`dwell export --what attack --format csv\`, or write this report to a file (-o) to get them as a sibling file.`, '');
  if (m.sigma.length) out.push(sigmaSectionsMarkdown(m.sigma));
  return out.join('\n');
}

/** The full attacker timeline, one row per event with its evidence: the report's separate file. */
export function renderTimelineMarkdown(m: ReportModel): string {
  const f = m.findings;
  const out = [`# ${md(m.title)}: full attacker timeline`, '', `**TLP:${m.tlp.toUpperCase()}** · ${(f.timeline ?? []).length.toLocaleString('en-US')} events · all times UTC`, ''];
  out.push(
    table(
      ['Time', 'Phase', 'Technique', 'Source', 'Host', 'Actor', 'Source IP', 'What', 'Time quality', 'Evidence'],
      (f.timeline ?? []).map((t) => [t.ts, t.phase, t.technique, t.source, t.host, t.actor, t.src_ip, t.summary, t.time_quality, t.evidence ? `${t.evidence.file}:${t.evidence.line}` : null]),
    ),
  );
  return out.join('\n');
}
