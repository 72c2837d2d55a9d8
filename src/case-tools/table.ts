/**
 * Aligned text tables for `dwell info`, `search` and `sql` (and the TUI's `:` prompt). Cells hold
 * text as it came from the case — the attacker's, much of it — and are escaped here, in one place,
 * before anything is measured or cut: control characters and bidi overrides become visible `\x1b`,
 * `\u202e` (src/core/sanitize.ts). A cell may be split into segments of which some are a match;
 * `mark` wraps those in the caller's highlight AFTER escaping and cutting, so no byte of evidence
 * can ever become part of an escape sequence.
 */
import { safeText } from '../core/sanitize.js';
import { charWidth, displayWidth } from '../tui/format.js';

/** Part of a cell: `match` parts are highlighted. */
export interface Segment {
  text: string;
  match: boolean;
}

export type Cell = string | null | undefined | readonly Segment[];

export interface Column {
  name: string;
  align?: 'left' | 'right';
  /** Never wider than this (before the table is fitted to the width). */
  max?: number;
  /** Never narrower than this when the table is fitted (default: up to 8, or the natural width). */
  min?: number;
  /** Which end to cut when too long: the end (default) or the start (paths: the file name matters). */
  cut?: 'end' | 'start';
}

export interface TableOptions {
  /** Total width to fit (a terminal's columns); unlimited when absent. */
  width?: number;
  /** Highlight around match segments, e.g. ['\x1b[7m', '\x1b[27m']; matches are not marked without it. */
  mark?: readonly [string, string];
  /** Separator between columns (default two spaces). */
  gap?: string;
}

function segmentsOf(c: Cell): Segment[] {
  if (c === null || c === undefined) return [];
  if (typeof c === 'string') return [{ text: safeText(c), match: false }];
  return c.map((s) => ({ text: safeText(s.text), match: s.match }));
}

function widthOf(segs: readonly Segment[]): number {
  let w = 0;
  for (const s of segs) w += displayWidth(s.text);
  return w;
}

/** The segments cut to `width` columns: at the end (`…` last) or at the start (`…` first). */
function cutSegments(segs: readonly Segment[], width: number, at: 'end' | 'start'): Segment[] {
  if (widthOf(segs) <= width) return [...segs];
  if (width <= 0) return [];
  const budget = width - 1;
  if (at === 'end') {
    const out: Segment[] = [];
    let w = 0;
    for (const s of segs) {
      let text = '';
      for (const ch of s.text) {
        const cw = charWidth(ch);
        if (w + cw > budget) break;
        text += ch;
        w += cw;
      }
      if (text) out.push({ text, match: s.match });
      if (text.length < s.text.length) break;
    }
    out.push({ text: '…', match: false });
    return out;
  }
  const out: Segment[] = [];
  let w = 0;
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i]!;
    const chars = [...s.text];
    let text = '';
    let j = chars.length - 1;
    for (; j >= 0; j--) {
      const cw = charWidth(chars[j]!);
      if (w + cw > budget) break;
      text = chars[j] + text;
      w += cw;
    }
    if (text) out.unshift({ text, match: s.match });
    if (j >= 0) break;
  }
  out.unshift({ text: '…', match: false });
  return out;
}

function paint(segs: readonly Segment[], mark: readonly [string, string] | undefined): string {
  let out = '';
  for (const s of segs) out += s.match && mark && s.text !== '' ? `${mark[0]}${s.text}${mark[1]}` : s.text;
  return out;
}

/** Column widths: natural (capped by `max`), then the widest shrunk until the row fits `width`. */
export function columnWidths(columns: readonly Column[], rows: readonly (readonly Cell[])[], width?: number, gap = 2): number[] {
  const widths = columns.map((c, i) => {
    let w = displayWidth(c.name);
    for (const r of rows) w = Math.max(w, widthOf(segmentsOf(r[i])));
    return Math.min(w, c.max ?? Infinity);
  });
  if (width === undefined) return widths;
  const mins = columns.map((c, i) => Math.min(widths[i]!, c.min ?? 8));
  let total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, columns.length - 1);
  // One column at a time, always the widest that may still shrink: long text gives way first.
  while (total > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > mins[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest] = widths[widest]! - 1;
    total -= 1;
  }
  return widths;
}

/** The table as lines (header first); trailing spaces trimmed. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string[] {
  const gap = opts.gap ?? '  ';
  const widths = columnWidths(columns, rows, opts.width, gap.length);
  const line = (cells: readonly Cell[], header: boolean): string => {
    const parts = columns.map((c, i) => {
      const w = widths[i]!;
      const segs = cutSegments(segmentsOf(cells[i]), w, c.cut ?? 'end');
      const pad = ' '.repeat(Math.max(0, w - widthOf(segs)));
      const text = paint(segs, header ? undefined : opts.mark);
      return c.align === 'right' ? pad + text : text + pad;
    });
    return parts.join(gap).trimEnd();
  };
  return [line(columns.map((c) => c.name), true), ...rows.map((r) => line(r, false))];
}

/** `key: value` lines with the keys aligned (values escaped like cells). */
export function renderPairs(pairs: readonly (readonly [string, Cell])[], indent = ''): string[] {
  const w = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(w)}  ${paint(segmentsOf(v), undefined)}`.trimEnd());
}
