// Rewrites the rule table of docs/correlation.md from the rule headers (run after `npm run build`;
// `npm run docs:rules` does both). test/correlate/rule-table.test.ts fails while it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../dist/correlate/rules.js';
import { ruleTable, spliceRuleTable } from '../dist/correlate/rule-table.js';

const doc = fileURLToPath(new URL('../docs/correlation.md', import.meta.url));
const before = readFileSync(doc, 'utf8');
const after = spliceRuleTable(before, ruleTable(loadRules()));
if (after === before) console.log('docs/correlation.md: the rule table is up to date');
else {
  writeFileSync(doc, after);
  console.log('docs/correlation.md: rule table rewritten from the rule headers');
}
