/**
 * The rule table of docs/correlation.md, generated from the rule headers so the documentation
 * cannot drift from the rules (test/correlate/rule-table.test.ts fails when it is stale;
 * `npm run docs:rules` rewrites it).
 */
import type { Rule } from './rules.js';
export { ruleSource } from './rules.js';

export const TABLE_BEGIN = '<!-- rule-table:begin (generated from the rule headers by `npm run docs:rules`; do not edit by hand) -->';
export const TABLE_END = '<!-- rule-table:end -->';

/** A header value in a Markdown cell: pipes escaped, whitespace folded. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

export function paramsText(r: Rule, showDefaults = false): string {
  return Object.entries(r.params)
    .map(([k, v]) => (showDefaults && r.defaults[k] !== v ? `${k}=${v} (default ${r.defaults[k]})` : `${k}=${v}`))
    .join(' ');
}

export function ruleTable(rules: Rule[]): string {
  const rows = rules.map((r) =>
    [
      `\`${r.id}\``,
      r.phase,
      `${r.technique} (${cell(r.tactic)})`,
      r.level,
      Object.keys(r.params).length ? Object.entries(r.params).map(([k, v]) => `\`${k}=${v}\``).join(' ') : '—',
      cell(r.title),
      cell(r.falsePositives) || '—',
    ].join(' | '),
  );
  return ['| rule | phase | ATT&CK | level | params | what | false positives |', '|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r} |`)].join('\n');
}

/** Replaces the table between the markers of a Markdown text (which must hold them). */
export function spliceRuleTable(doc: string, table: string): string {
  const a = doc.indexOf(TABLE_BEGIN);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error(`the document lacks the markers ${TABLE_BEGIN} … ${TABLE_END}`);
  return doc.slice(0, a + TABLE_BEGIN.length) + '\n' + table + '\n' + doc.slice(b);
}
