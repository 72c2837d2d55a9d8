/** Exfiltration by destination (horizontal bars) and the ATT&CK techniques by tactic (a small matrix). */
import type { Findings } from '../../correlate/findings-types.js';
import { bytes } from '../format.js';
import type { TechniqueRow } from '../techniques.js';
import { esc, label, svgOpen } from './common.js';

export function exfilChart(f: Findings): string {
  const xs = [...(f.exfiltration ?? [])].sort((a, b) => b.bytes - a.bytes).slice(0, 12);
  if (xs.length === 0) return '<p class="empty">No exfiltration found.</p>';
  const W = 960;
  const rowH = 26;
  const left = 170;
  const H = 10 + xs.length * rowH;
  const max = Math.max(1, ...xs.map((x) => x.bytes));
  const out = [svgOpen(W, H, 'Exfiltration by destination')];
  xs.forEach((x, i) => {
    const y = 5 + i * rowH;
    const w = Math.max(2, (x.bytes / max) * (W - left - 200));
    out.push(`<text x="${left - 6}" y="${y + 15}" font-size="11" text-anchor="end">${label(x.dst_ip, 40)}</text><rect class="exfil" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="16" fill="#8e44ad"/><text x="${(left + w + 6).toFixed(1)}" y="${y + 15}" font-size="11">${esc(bytes(x.bytes))} · ${esc((x.sources ?? []).join(', '))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

export function attackMatrix(rows: TechniqueRow[]): string {
  if (rows.length === 0) return '<p class="empty">No ATT&amp;CK technique in the attacker timeline.</p>';
  const tactics = [...new Set(rows.map((r) => r.tactic ?? 'other'))];
  const W = 960;
  const colW = Math.min(180, (W - 20) / tactics.length);
  const boxH = 40;
  const maxRows = Math.max(...tactics.map((t) => rows.filter((r) => (r.tactic ?? 'other') === t).length));
  const H = 30 + maxRows * (boxH + 6);
  const max = Math.max(1, ...rows.map((r) => r.events));
  const out = [svgOpen(W, H, 'ATT&CK techniques by tactic')];
  tactics.forEach((t, ci) => {
    const x = 10 + ci * colW;
    out.push(`<text x="${x + colW / 2}" y="16" font-size="11" font-weight="600" text-anchor="middle">${label(t, 24)}</text>`);
    rows
      .filter((r) => (r.tactic ?? 'other') === t)
      .forEach((r, i) => {
        const y = 24 + i * (boxH + 6);
        const shade = 0.25 + 0.75 * (Math.log1p(r.events) / Math.log1p(max));
        out.push(`<rect class="technique" x="${x + 3}" y="${y}" width="${colW - 6}" height="${boxH}" rx="4" fill="#e15759" fill-opacity="${shade.toFixed(2)}"/><text x="${x + 9}" y="${y + 16}" font-size="11" font-weight="600">${esc(r.id)}</text><text x="${x + 9}" y="${y + 31}" font-size="10">${label(r.name ?? '', Math.floor(colW / 6.5))} · ${r.events}</text>`);
      });
  });
  out.push('</svg>');
  return out.join('');
}
