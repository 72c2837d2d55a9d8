/** Small text formatting helpers for CLI output. Everything from evidence goes through safeText. */
import { isoFromMicros } from '../core/time.js';

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function humanCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** ISO time without microseconds noise: 2026-01-02T09:15:00Z. */
export function shortTime(us: number | null | undefined): string {
  if (us === null || us === undefined) return '-';
  return isoFromMicros(us).replace(/\.000Z$/, 'Z');
}

/** Renders rows as aligned columns; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export interface Diagnostic {
  level: 'error' | 'warning' | 'note';
  title: string;
  reason?: string;
  where?: string;
  help?: string;
}

/** lnav-style diagnostics: what, why, where and what to do. */
export function diagnostic(d: Diagnostic): string {
  const out = [`${d.level}: ${d.title}`];
  if (d.reason) out.push(` reason: ${d.reason}`);
  if (d.where) out.push(` --> ${d.where}`);
  if (d.help) out.push(` help: ${d.help}`);
  return out.join('\n');
}
