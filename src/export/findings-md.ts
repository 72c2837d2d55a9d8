/**
 * The findings as a short plain-text summary for the terminal (after `dwell correlate` and in
 * `dwell demo`). The full report is src/report (Markdown and HTML).
 */
import { safeText } from '../core/sanitize.js';
import type { Findings } from '../correlate/findings-types.js';
import { bytes as reportBytes, duration as reportDuration } from '../report/format.js';

// The terminal summary adds the exact figure the report's rounded one comes from.
function duration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? '—' : `${reportDuration(seconds)} (${seconds} s)`;
}

function bytes(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${reportBytes(n)} (${n.toLocaleString('en-US')} bytes)`;
}

/** A few lines for the terminal after `dwell correlate` and in `dwell demo`. */
export function renderSummary(f: Findings): string {
  const a: Partial<Findings['answers']> = f.answers ?? {};
  const lines: string[] = [];
  const t = (s: unknown) => safeText(s === null || s === undefined ? '—' : String(s));
  const matched = new Map((f.uncertainty?.seeds ?? []).map((s) => [`${s.kind}|${s.value}`, s.matched_events]));
  lines.push('Seeds');
  for (const s of f.parameters?.seeds_used ?? []) lines.push(`  ${t(s.kind)} ${t(s.value)}: ${t(s.reason)}${matched.has(`${s.kind}|${s.value}`) ? ` (${matched.get(`${s.kind}|${s.value}`)} events)` : ''}`);
  for (const u of (f.uncertainty?.time ?? []).filter((x) => x.left_out)) lines.push(`  left out: ${u.events} ${t(u.source)} event(s) whose time is ${t(u.time_quality)} (--include-relative keeps them)`);
  lines.push('');
  lines.push('Answers (UTC)');
  lines.push(`  first reconnaissance    ${t(a.first_recon_at)}`);
  lines.push(`  initial access          ${t(a.initial_access_at)}  ${t(a.initial_access_vector)}`);
  lines.push(`  detected                ${t(a.detected_at)}`);
  lines.push(`  last attacker activity  ${t(a.last_attacker_activity_at)}`);
  lines.push(`  contained               ${t(a.contained_at)}`);
  lines.push(`  dwell time              ${duration(a.dwell_time_seconds)}`);
  lines.push(`  access duration         ${duration(a.access_duration_seconds)}`);
  lines.push('');
  lines.push(`Back doors (${(f.backdoors ?? []).length})`);
  for (const b of f.backdoors ?? []) lines.push(`  ${b.used_after_containment ? 'USED AFTER CONTAINMENT ' : b.attempted_after_containment ? 'tried after containment ' : ''}${t(b.kind)} ${t(b.value)}${b.host ? ` on ${t(b.host)}` : ''} (created ${t(b.created_at)} by ${t(b.created_by)})`);
  lines.push('');
  lines.push(`Compromised data (${(f.compromised_data ?? []).length})`);
  for (const c of f.compromised_data ?? []) lines.push(`  ${t(c.kind)} ${t(c.value)}${c.host ? ` on ${t(c.host)}` : ''}: ${t(c.access)}${c.rows ? `, ${c.rows} rows` : ''}${c.bytes ? `, ${c.bytes} bytes` : ''}`);
  lines.push('');
  lines.push(`Credentials to rotate: ${(f.credentials_to_rotate ?? []).length}; addresses to block: ${(f.ips ?? []).map((i) => i.ip).join(', ') || '—'}`);
  if ((f.exfiltration ?? []).length) lines.push(`Exfiltration: ${(f.exfiltration ?? []).map((x) => `${x.dst_ip} ${bytes(x.bytes)}`).join('; ')}`);
  lines.push(`Attacker timeline: ${(f.timeline ?? []).length} events across ${(f.phases ?? []).filter((p) => p.events > 0).map((p) => p.phase).join(' → ')}`);
  return lines.join('\n');
}
