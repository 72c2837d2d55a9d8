/** Event density over the incident window: all events (grey) and the attacker's (red), one bar pair per bucket (≤ 240). */
import type { DensityBucket } from '../model.js';
import { ms, svgOpen, timeTicks, type Axis } from './common.js';

export function densityChart(buckets: DensityBucket[], bucketSeconds: number): string {
  if (buckets.length === 0) return '<p class="empty">No events in the incident window.</p>';
  const W = 960;
  const H = 170;
  const left = 50;
  const top = 10;
  const h = 120;
  const from = ms(buckets[0]!.from)!;
  const axis: Axis = { from, to: from + buckets.length * bucketSeconds * 1000, x0: left, width: W - left - 20 };
  const max = Math.max(1, ...buckets.map((b) => b.total));
  // Square-root scale: a burst of a million flows does not flatten the attacker's handful of logins.
  const y = (n: number) => (Math.sqrt(n) / Math.sqrt(max)) * h;
  const bw = axis.width / buckets.length;
  const out = [svgOpen(W, H, 'Events over time, the attacker\u2019s highlighted')];
  out.push(`<text x="${left - 6}" y="${top + 8}" font-size="10" text-anchor="end" fill="#555">${max.toLocaleString('en-US')}</text><text x="${left - 6}" y="${top + h}" font-size="10" text-anchor="end" fill="#555">0</text>`);
  buckets.forEach((b, i) => {
    const x = (left + i * bw).toFixed(1);
    const w = Math.max(bw - 0.5, 0.8).toFixed(1);
    if (b.total) out.push(`<rect x="${x}" y="${(top + h - y(b.total)).toFixed(1)}" width="${w}" height="${y(b.total).toFixed(1)}" fill="#c9c9c9"><title>${b.from}: ${b.total} events</title></rect>`);
    if (b.attacker) out.push(`<rect class="attacker" x="${x}" y="${(top + h - y(b.attacker)).toFixed(1)}" width="${w}" height="${Math.max(1.5, y(b.attacker)).toFixed(1)}" fill="#d62728"><title>${b.from}: ${b.attacker} attacker events</title></rect>`);
  });
  out.push(`<line x1="${left}" y1="${top + h}" x2="${left + axis.width}" y2="${top + h}" stroke="#888"/>`);
  out.push(timeTicks(axis, top + h + 2), '</svg>');
  return out.join('');
}
