/**
 * What a reader must know before acting on an answer: times that are less than exact (inferred
 * years, assumed zones, relative or implausible clocks), blind spots during the attack, hosts
 * without their own log, evidence not fully read, and correlation's own notes. Each caveat says
 * which answer it touches, so "7,121 events of a 2017 log dated 2026" is never silent.
 */
import type { Findings } from '../correlate/findings-types.js';
import type { GapRange } from './gaps.js';
import type { HostSources, ManifestRow } from './model.js';

export interface Caveat {
  topic: 'time' | 'gap' | 'host' | 'evidence' | 'correlation';
  /** Raw text (may carry evidence text): renderers escape it. */
  text: string;
  /** The answer or section it affects, in words, or null when it affects none. */
  affects: string | null;
}

/** Sources that log what happens on the host itself (logins, commands, account changes). */
const HOST_LOGS = new Set(['auth_log', 'journald', 'syslog', 'postgres', 'mysql', 'mysql_audit']);

const QUALITY_WORDS: Record<string, string> = {
  year_inferred: 'an inferred year',
  zone_assumed: 'an assumed time zone',
  relative: 'a relative clock (seconds from an unknown start)',
  implausible: 'an implausible time (before 1990 or after the ingest day)',
};

const n = (x: number) => x.toLocaleString('en-US');

export function caveats(f: Findings, ctx: { gaps: GapRange[]; hostSources: HostSources[]; manifest: ManifestRow[] }): Caveat[] {
  const out: Caveat[] = [];
  const quiet: string[] = [];
  for (const u of f.uncertainty?.time ?? []) {
    const what = QUALITY_WORDS[u.time_quality] ?? u.time_quality;
    // Less than exact times that touch no answer are named once, together.
    if (u.attacker_events === 0 && !u.left_out) {
      quiet.push(`${u.source} ${n(u.events)} ${u.time_quality}`);
      continue;
    }
    const span = u.from && u.to ? ` (${u.from.slice(0, 10)} → ${u.to.slice(0, 10)})` : '';
    out.push({ topic: 'time', text: `${n(u.events)} ${u.source} events have ${what}${span}: ${u.note}.`, affects: u.attacker_events > 0 ? `${n(u.attacker_events)} events of the attacker timeline and the times derived from them` : 'anything they would have shown' });
  }
  if (quiet.length) out.push({ topic: 'time', text: `Less than exact times in events outside the attacker timeline: ${quiet.join('; ')}.`, affects: null });
  const from = f.answers.first_recon_at ?? f.answers.initial_access_at;
  const to = f.answers.last_attacker_activity_at ?? f.answers.contained_at;
  const silentDays = new Map<string, string[]>();
  for (const g of ctx.gaps) {
    const during = from && to && (g.from ?? '') <= to && (g.to ?? '9999') >= from;
    if (!during) continue;
    if (g.wholeDays) {
      const span = `${(g.from ?? '?').slice(0, 10)} → ${(g.to ?? '?').slice(0, 10)}`;
      silentDays.set(span, [...(silentDays.get(span) ?? []), g.source]);
      continue;
    }
    out.push({ topic: 'gap', text: `${g.source} saw nothing from ${g.from ?? '?'} to ${g.to ?? 'the end of the evidence'} (${g.reason}), during the attack.`, affects: 'what the attacker did then through that source is unseen' });
  }
  for (const [span, sources] of silentDays) {
    out.push({ topic: 'gap', text: `No evidence at all ${span}, days of the attack, from: ${sources.sort().join(', ')}.`, affects: 'anything the attacker did then that only those sources would show' });
  }
  const hosts = (f.entities ?? []).filter((e) => e.kind === 'host').map((e) => e.value);
  const sourcesOf = new Map(ctx.hostSources.map((h) => [h.host, h.sources]));
  for (const h of [...new Set(hosts)].sort()) {
    const s = sourcesOf.get(h) ?? [];
    if (s.some((x) => HOST_LOGS.has(x))) continue;
    out.push({ topic: 'host', text: `${h} is in the attack but no log of its own is in the evidence${s.length ? ` (only ${s.join(', ')})` : ''}.`, affects: `what happened on ${h}: commands, accounts and back doors there are unknown` });
  }
  const unread = ctx.manifest.filter((m) => m.status !== 'ingested' && m.status !== 'duplicate' && m.status !== 'recorded');
  if (unread.length) {
    const by = new Map<string, number>();
    for (const m of unread) by.set(m.status, (by.get(m.status) ?? 0) + 1);
    out.push({ topic: 'evidence', text: `${n(unread.length)} evidence file(s) were not (fully) read: ${[...by.entries()].map(([k, v]) => `${v} ${k}`).join(', ')} (see the evidence manifest).`, affects: 'anything those files hold' });
  }
  const warned = ctx.manifest.reduce((s, m) => s + m.warnings, 0);
  if (warned) out.push({ topic: 'evidence', text: `${n(warned)} line(s) could not be parsed; each is kept as a warning with its file and line (dwell tui, or the parse_warnings table).`, affects: null });
  for (const note of f.notes ?? []) out.push({ topic: 'correlation', text: note, affects: null });
  return out;
}
