/**
 * The class-wide checks of the trust tests, shared by the files under test/hostile/: what a CSV
 * cell, a Markdown report or a terminal may never receive from evidence.
 */
import MarkdownIt from 'markdown-it';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else if (ch === '\n') {
      // A CSV written with bare LF line ends (fast-csv's default) still splits into rows.
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const FORMULA_CELL = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/** A cell a spreadsheet would run as a formula (a plain negative number is data). */
export const isFormula = (cell: string) => FORMULA_CELL.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);

/** Cells of a CSV text that a spreadsheet would run. */
export function formulaCells(text: string): string[] {
  return csvRows(text).flat().filter(isFormula);
}

/** The HTML's text: tags removed, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&(lt|gt|quot|amp);/g, (_, n: 'lt' | 'gt' | 'quot' | 'amp') => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[n]);
}

export const RENDERERS: [string, (md: string) => string][] = [
  ['micromark (CommonMark + GFM, raw HTML allowed)', (md) => micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] })],
  ['markdown-it (raw HTML and linkify on)', (md) => new MarkdownIt({ html: true, linkify: true }).render(md)],
];

/** Tags a report may render to: its own structure, nothing that loads, links or runs. */
export const REPORT_TAGS = new Set(['h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'em', 'code', 'br']);

export function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b/g)].map((m) => m[1]!.toLowerCase());
}

/** The report's own structure (src/report/markdown.ts): lists, the Mermaid block, section anchors. */
const REPORT_STRUCTURE = new Set(['ul', 'li', 'pre']);
/** Links the report writes itself: a section anchor, a link to one, or to its sibling timeline file. */
const OWN_LINK = /^<a (id="[a-z0-9-]+"|href="#[a-z0-9-]+"|href="[^"/<>]+\.timeline\.md")>$/;

/**
 * Tags a Markdown text renders to, in either renderer, that a report may not hold (img, script, a
 * link anywhere but the report's own anchors…).
 */
export function foreignTags(markdown: string): string[] {
  const bad = new Set<string>();
  for (const [, render] of RENDERERS) {
    const html = render(markdown);
    for (const t of tagsOf(html)) if (!REPORT_TAGS.has(t) && !REPORT_STRUCTURE.has(t) && t !== 'a') bad.add(t);
    for (const a of html.match(/<a\b[^>]*>/g) ?? []) if (!OWN_LINK.test(a)) bad.add(a);
  }
  return [...bad];
}

/**
 * Escape sequences dwell writes itself on a terminal: CSI cursor movement, erasing, modes and
 * colours, and saving/restoring the cursor (ESC 7, ESC 8) — Ink's frames, progress bars. Everything else that a terminal interprets — OSC (title,
 * clipboard, hyperlinks), DCS, bare ESC, other C0 and C1 controls, bidi overrides — can only have
 * come from evidence.
 */
const DWELL_CSI = /\x1b\[[0-9;?]*[A-HJKSTfhlmsu]|\x1b[78]/g;
const FOREIGN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** The first control or bidi character in terminal output that dwell did not put there itself, or null. */
export function foreignControl(out: string, payloads: readonly string[] = []): string | null {
  // A payload whose escape sequence has the shape of dwell's own CSI (`\x1b[2J` before "cls") is
  // recognized by the text that follows it.
  for (const p of payloads) if (out.includes(p)) return p;
  const m = out.replace(DWELL_CSI, '').match(FOREIGN);
  return m ? m[0] : null;
}
