/**
 * The phase diagram: one lane per host or cloud account (the 12 busiest; the rest as "other"),
 * each phase a coloured band of sampled activity (≤ 160 columns) along the incident's time axis,
 * back doors as diamonds, detection and containment as vertical lines.
 */
import type { Findings, TimelineItem } from '../../correlate/findings-types.js';
import { esc, label, ms, PHASE_COLORS, svgOpen, timeTicks, xOf, type Axis } from './common.js';

const MAX_LANES = 12;
const COLUMNS = 160;
const PHASES = ['recon', 'access', 'actions', 'exfiltration'] as const;

/** A timeline item's lane: its host, else the cloud account of its actor, else its source. */
export function laneOf(t: { host: string | null; actor: string | null; source: string }): string {
  if (t.host) return t.host;
  const acct = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(t.actor ?? '');
  if (acct) return `aws ${acct[1]}`;
  return t.source;
}

export function phaseDiagram(f: Findings): string {
  const items = (f.timeline ?? []).filter((t): t is TimelineItem & { ts: string } => ms(t.ts) !== null);
  const a = f.answers;
  const times = [...items.map((t) => ms(t.ts)!), ms(a.detected_at), ms(a.contained_at)].filter((x): x is number => x !== null);
  if (times.length === 0) return '<p class="empty">No attacker activity to draw.</p>';
  let from = Math.min(...times);
  let to = Math.max(...times);
  const pad = Math.max((to - from) * 0.02, 60_000);
  from -= pad;
  to += pad;
  const counts = new Map<string, number>();
  for (const t of items) counts.set(laneOf(t), (counts.get(laneOf(t)) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([k]) => k);
  const lanes = ranked.slice(0, MAX_LANES);
  if (ranked.length > MAX_LANES) lanes.push('other');
  const laneIndex = (t: { host: string | null; actor: string | null; source: string }) => {
    const i = lanes.indexOf(laneOf(t));
    return i >= 0 ? i : lanes.length - 1;
  };
  const W = 960;
  const left = 170;
  const laneH = 30;
  const top = 40;
  const axis: Axis = { from, to, x0: left, width: W - left - 20 };
  const H = top + lanes.length * laneH + 40;
  const cols = new Map<string, number>();
  const colW = axis.width / COLUMNS;
  for (const t of items) {
    const c = Math.min(COLUMNS - 1, Math.floor(((ms(t.ts)! - from) / (to - from)) * COLUMNS));
    const k = `${laneIndex(t)}|${PHASES.indexOf(t.phase as (typeof PHASES)[number])}|${c}`;
    cols.set(k, (cols.get(k) ?? 0) + 1);
  }
  const out: string[] = [svgOpen(W, H, 'Attack phases per host and cloud account over time')];
  lanes.forEach((l, i) => {
    const y = top + i * laneH;
    out.push(`<rect x="${left}" y="${y}" width="${axis.width}" height="${laneH - 4}" fill="${i % 2 ? '#fafafa' : '#f3f3f3'}"/>`);
    out.push(`<text x="${left - 6}" y="${y + laneH / 2 + 2}" font-size="11" text-anchor="end" fill="#222">${label(l, 26)}</text>`);
  });
  for (const [k, n] of cols) {
    const [li, pi, c] = k.split('|').map(Number) as [number, number, number];
    const y = top + li * laneH + 2 + pi * 6;
    out.push(`<rect class="act" x="${(left + c * colW).toFixed(1)}" y="${y}" width="${Math.max(colW, 2).toFixed(1)}" height="5" fill="${PHASE_COLORS[PHASES[pi] ?? 'actions']}"><title>${n} ${PHASES[pi]} event(s)</title></rect>`);
  }
  // Those used after containment last, so their red diamond is on top.
  for (const b of [...(f.backdoors ?? [])].sort((x, y) => Number(x.used_after_containment) - Number(y.used_after_containment))) {
    const t = ms(b.created_at);
    if (t === null) continue;
    const x = xOf(axis, t);
    const first = items.find((i) => b.event_ids.includes(i.event_id));
    const li = first ? laneIndex(first) : b.host && lanes.includes(b.host) ? lanes.indexOf(b.host) : -1;
    if (li < 0) continue;
    const y = top + li * laneH + laneH - 8;
    out.push(`<path d="M${x.toFixed(1)} ${y - 6} l5 5 l-5 5 l-5 -5 z" fill="${b.used_after_containment ? '#c00' : '#333'}"><title>back door: ${esc(b.kind)} ${esc(b.value)}</title></path>`);
  }
  const bottom = top + lanes.length * laneH;
  // Labels on two rows, so detection and containment close together stay readable.
  ([[a.detected_at, 'detected', '#2a7'], [a.contained_at, 'contained', '#06c']] as const).forEach(([when, name, color], i) => {
    const t = ms(when);
    if (t === null) return;
    const x = xOf(axis, t).toFixed(1);
    out.push(`<line class="marker" x1="${x}" y1="${top - 6 - i * 12}" x2="${x}" y2="${bottom}" stroke="${color}" stroke-width="2" stroke-dasharray="4 3"/><text x="${x}" y="${top - 9 - i * 12}" font-size="10" text-anchor="middle" fill="${color}">${name}</text>`);
  });
  out.push(timeTicks(axis, bottom + 2));
  out.push('</svg>');
  return out.join('');
}

export function phaseLegend(): string {
  return `<p class="legend">${PHASES.map((p) => `<span><i style="background:${PHASE_COLORS[p]}"></i>${p}</span>`).join('')}<span>◆ back door (red: used after containment)</span><span>┆ detection / containment</span></p>`;
}
