/**
 * Markdown and HTML text safety, for reports that carry evidence text (user names, commands, SQL
 * statements, addresses are all attacker-controlled). A Markdown renderer would otherwise show
 * `<img src=x onerror=…>` as HTML and fetch `![t](http://host/beacon.png)` when the report is
 * opened. Evidence text is therefore always inert:
 *  - controls and bidi overrides are escaped as for a terminal (safeText), so text stays on its line;
 *  - `&`, `<`, `>` become entities: no raw HTML, no `<http://…>` autolink;
 *  - `[` `]` (links, images, references), `` ` `` (code), `*`, `~`, `|` (a table cell's end), `\` and
 *    `_` at a word's edge (emphasis) are backslash-escaped;
 *  - the literal autolinks renderers add (GitHub's `http://`, `www.`, `user@host.tld`, `mailto:`)
 *    are broken with a character reference, which renders as the same character but is not a link;
 *  - text that would open a block at the start of a line (`#`, `>`, `-`, `+`, `=`, `1.`, an indent)
 *    is escaped too, so the same function serves table cells and running text.
 * The rendered text reads as the evidence did; only its Markdown meaning is gone.
 */
import { safeText } from '../sanitize.js';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or attribute values. */
export function htmlText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return safeText(String(v)).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Evidence text as inert inline Markdown (one line; safe in a GFM table cell). */
export function markdownText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return safeText(String(v))
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!)
    .replace(/[\\`*[\]~|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`)
    .replace(/([A-Za-z][A-Za-z0-9+.-]*):(?=\/\/)/g, '$1&#58;')
    .replace(/\b(mailto|xmpp):/gi, '$1&#58;')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}&#46;`)
    .replace(/@(?=[A-Za-z0-9-]+\.[A-Za-z0-9])/g, '&#64;')
    // At the start of a line, text must not open a block: heading, quote, list, rule, code block.
    .replace(/^ +/, (sp) => '&#32;'.repeat(sp.length))
    .replace(/^((?:&#32;)*)([#>+\-=])/, '$1\\$2')
    .replace(/^((?:&#32;)*\d+)([.)])/, '$1\\$2');
}

/** Markdown written by dwell itself (not from evidence), passed through as is. */
export class TrustedMarkdown {
  constructor(readonly md: string) {}
}
