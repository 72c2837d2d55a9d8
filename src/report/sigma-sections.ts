/**
 * Sigma hits in the report: the rules run with this correlation (`correlate --sigma`) and the
 * newest `dwell hunt`, each rule that hit with its title, level and author (a Sigma rule's licence
 * asks for its author with every hit). Rule texts come from rule files an analyst may not have
 * written: escaped like evidence.
 */
import { htmlText as h, markdownText as md } from '../core/output/markdown.js';
import type { HuntSummary } from '../export/hunt-section.js';

const HEADER = ['Rule', 'Title', 'Level', 'Author', 'Hits'];

function rows(s: HuntSummary): string[][] {
  return s.rules.map((r) => [r.rule_id, r.title ?? '', r.level ?? '', r.author ?? (r.kind === 'dwell' ? 'dwell rule' : 'author unknown'), String(r.hits)]);
}

function leftOut(s: HuntSummary): string {
  return s.leftOut > 0 ? `${s.leftOut} more rule(s) hit, left out by --min-level / --disable.` : '';
}

export function sigmaSectionsMarkdown(sections: HuntSummary[]): string {
  const out: string[] = [];
  for (const s of sections) {
    out.push(`## ${md(s.label)}: rules that hit`, '');
    const r = rows(s);
    if (r.length === 0) out.push('No rule hit.', '');
    else out.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...r.map((c) => `| ${c.map((x) => md(x).replace(/\|/g, '\\|')).join(' | ')} |`), '');
    if (leftOut(s)) out.push(leftOut(s), '');
  }
  return out.join('\n');
}

export function sigmaSectionsHtml(sections: HuntSummary[]): string {
  return sections
    .map((s) => {
      const r = rows(s);
      const table = r.length === 0 ? '<p>No rule hit.</p>' : `<table><thead><tr>${HEADER.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${r.map((c) => `<tr>${c.map((x) => `<td>${h(x)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
      return `<section><h2>${h(s.label)}: rules that hit</h2>${table}${leftOut(s) ? `<p>${h(leftOut(s))}</p>` : ''}</section>`;
    })
    .join('');
}
