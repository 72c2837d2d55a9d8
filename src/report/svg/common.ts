/**
 * Shared pieces of dwell's SVG charts: escaping (every label may come from evidence: htmlText makes
 * it inert in HTML and inline SVG alike), label shortening, the time axis, phase colours. Charts
 * are sampled into a bounded number of shapes whatever the case size.
 */
import { htmlText } from '../../core/output/markdown.js';

export const PHASE_COLORS: Record<string, string> = { recon: '#4e79a7', access: '#f28e2b', actions: '#e15759', exfiltration: '#8e44ad' };

export const esc = htmlText;

/** Shortened before escaping (never cuts an entity in half). */
export function label(v: unknown, max = 28): string {
  const s = String(v ?? '');
  return esc(s.length > max ? `${s.slice(0, max - 1)}…` : s);
}

export function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export interface Axis {
  from: number;
  to: number;
  x0: number;
  width: number;
}

export function xOf(a: Axis, t: number): number {
  return a.x0 + ((t - a.from) / Math.max(1, a.to - a.from)) * a.width;
}

/** Tick marks and labels along the bottom: about six, at whole hours or days. */
export function timeTicks(a: Axis, y: number): string {
  const span = a.to - a.from;
  const steps = [3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000];
  const step = steps.find((s) => span / s <= 7) ?? steps[steps.length - 1]!;
  const out: string[] = [];
  for (let t = Math.ceil(a.from / step) * step; t <= a.to; t += step) {
    // A label too close to either end would be cut by the drawing's edge.
    if (xOf(a, t) > a.x0 + a.width - 32 || xOf(a, t) < a.x0 + 20) continue;
    const x = xOf(a, t).toFixed(1);
    const d = new Date(t).toISOString();
    const text = step >= 86_400_000 ? d.slice(0, 10) : `${d.slice(5, 10)} ${d.slice(11, 16)}`;
    out.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 4}" stroke="#888"/><text x="${x}" y="${y + 15}" font-size="10" text-anchor="middle" fill="#555">${text}</text>`);
  }
  return out.join('');
}

export function svgOpen(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif"><title>${esc(title)}</title>`;
}
