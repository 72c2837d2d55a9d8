/**
 * The "After containment: alerts" section's rows (dwell watch's alerts, docs/watch.md), shared by
 * the Markdown and HTML renderers. Raw text out (the event's summary and file are evidence):
 * each renderer escapes it like every other cell.
 */
import type { AlertsSection } from './model.js';

export const ALERT_HEADER = ['Time', 'Severity', 'Matched', 'After containment', 'What', 'Host', 'Actor', 'Source IP', 'Evidence'];

/** "yes" / "no", or null when no containment time was given to correlate. */
export function afterContainment(v: boolean | null): string | null {
  return v === null ? null : v ? 'yes' : 'no';
}

export function alertRows(s: AlertsSection): unknown[][] {
  return s.alerts.map((a) => [a.ts, a.severity, a.matched, afterContainment(a.after_containment), a.event.summary, a.event.host, a.event.actor, a.event.src_ip, `${a.evidence.file ?? '?'}:${a.evidence.line ?? '?'}`]);
}

/** The line above the table: how many, how many after containment, how many left out. */
export function alertsIntro(s: AlertsSection): string {
  if (s.total === 0) return 'dwell watch followed the live evidence and raised no alert.';
  const shown = s.omitted ? ` The ${s.alerts.length} most severe are listed; the case holds all ${s.total} (table alerts; dwell tui shows each in its event's detail).` : '';
  return `dwell watch raised ${s.total} alert${s.total === 1 ? '' : 's'}, ${s.afterContainment} on events after containment.${shown}`;
}
