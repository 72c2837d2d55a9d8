/**
 * Text layout for the terminal: display width, fitting a cell to a width, splitting text on
 * search matches. Works on text that is already escaped (safeText), so no control characters.
 */

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0xfeff || (cp >= 0xfe00 && cp <= 0xfe0f);
}

export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (isZeroWidth(cp)) return 0;
  return isWide(cp) ? 2 : 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** Cuts `s` to at most `width` columns (ending in … when cut) and pads it with spaces to exactly `width`. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  let w = displayWidth(s);
  let out = s;
  if (w > width) {
    out = '';
    w = 0;
    for (const ch of s) {
      const cw = charWidth(ch);
      if (w + cw > width - 1) break;
      out += ch;
      w += cw;
    }
    out += '…';
    w += 1;
  }
  const pad = ' '.repeat(Math.max(0, width - w));
  return align === 'left' ? out + pad : pad + out;
}

export interface Segment {
  text: string;
  match: boolean;
}

/** Splits text on case-insensitive occurrences of `term` (for highlighting search matches). */
export function splitMatches(text: string, term: string | null): Segment[] {
  if (!term) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const t = term.toLowerCase();
  // toLowerCase can change lengths for a few scripts; highlighting is skipped rather than misplaced.
  if (lower.length !== text.length || t.length === 0) return [{ text, match: false }];
  const out: Segment[] = [];
  let i = 0;
  for (;;) {
    const j = lower.indexOf(t, i);
    if (j < 0) break;
    if (j > i) out.push({ text: text.slice(i, j), match: false });
    out.push({ text: text.slice(j, j + t.length), match: true });
    i = j + t.length;
  }
  if (i < text.length) out.push({ text: text.slice(i), match: false });
  return out.length > 0 ? out : [{ text, match: false }];
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
