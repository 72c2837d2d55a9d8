/**
 * Statement fingerprints: the statement with literals, comments, and value lists removed and white
 * space collapsed, so `SELECT * FROM t WHERE id = 1` and `... id = 2` share one analysis.
 *
 * Logs repeat the same parameterized statements millions of times; the analysis (tables, flags)
 * does not depend on literal values, so it is computed once per fingerprint. Identifiers (bare
 * and quoted) are always kept — two statements that differ in a name never share a fingerprint.
 *
 * Done with native regular-expression passes (no per-character JavaScript) because it runs on
 * every statement.
 */
import { createHash } from 'node:crypto';
import type { Dialect } from './tokens.js';

// Group 1 keeps quoted identifiers (and MySQL executable comments); everything else matched —
// strings, comments, numbers — is dropped. Alternation order matters: at each position the
// leftmost construct wins, so a quote inside a comment or a comment marker inside a string is
// read as part of the enclosing construct. An unterminated string, name, comment or dollar
// quote runs to the end of the text (`(?:…|$)`), as in the tokenizer: ending it nowhere made every
// later `/*` or quote scan the whole remaining text again (quadratic on `/*/*/*…`).
const PG_LITERALS =
  /("(?:[^"]|"")*(?:"|$))|[eE]'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|'(?:[^']|'')*(?:'|$)|(\$[A-Za-z_]\w*\$|\$\$)[\s\S]*?(?:\2|$)|\/\*[\s\S]*?(?:\*\/|$)|--[^\n]*|\b\d+(?:\.\d*)?(?:[eE][-+]?\d+)?\b/g;
const MY_LITERALS =
  /(`(?:[^`]|``)*(?:`|$)|\/\*![\s\S]*?(?:\*\/|$))|'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|"(?:[^"\\]|\\[\s\S]|"")*(?:"|$)|\/\*[\s\S]*?(?:\*\/|$)|(?:--(?=\s)|#)[^\n]*|\b\d+(?:\.\d*)?(?:[eE][-+]?\d+)?\b/g;
const SPACES = /\s+/g;
// (,,,) value lists and (,),(,),… rows of a multi-row INSERT collapse to one.
const LISTS = /\((?: ?,)* ?\)/g;
const ROWS = /\(,?\)(?: ?, ?\(,?\))+/g;

export function fingerprintText(sql: string, dialect: Dialect): string {
  const stripped = dialect === 'pg' ? sql.replace(PG_LITERALS, '$1') : sql.replace(MY_LITERALS, '$1');
  return stripped.replace(SPACES, ' ').replace(LISTS, '(,)').replace(ROWS, '(,)').trim();
}

/** Short stable id of a fingerprint (16 hex digits of its SHA-1), stored as `attrs.sql.fingerprint`. */
export function fingerprintId(fp: string): string {
  return createHash('sha1').update(fp).digest('hex').slice(0, 16);
}
