/**
 * Masks password literals in SQL before it goes into a one-line summary: `PASSWORD 'x'`,
 * `IDENTIFIED BY 'x'`, `IDENTIFIED WITH plugin AS 'hash'`, `PASSWORD('x')`, `password=x` in
 * connection strings (dblink, CREATE USER MAPPING … OPTIONS). The statement itself stays
 * untouched in `command` and `raw`: it is evidence.
 *
 * A hand-written scanner, not one regular expression: the SQL is attacker-written, and a pattern
 * with several optional whitespace/comment gaps in a row backtracks polynomially on a long run of
 * spaces (20k spaces after PASSWORD took 1.5 s). Every step here moves forward: linear time.
 */

const KEYWORD = /\b(password|identified)/gi;
const CONNSTRING_PASSWORD = /(\bpassword\s*=\s*)(?!'\*\*\*'|(?:old_)?password\s*\()('[^']*'|[^\s'";,)]+)/gi;

export function maskPasswords(sql: string): string {
  if (!/password|identified/i.test(sql)) return sql;
  return maskLiterals(sql).replace(CONNSTRING_PASSWORD, '$1***');
}

function maskLiterals(sql: string): string {
  let out = '';
  let copied = 0;
  KEYWORD.lastIndex = 0;
  for (let m = KEYWORD.exec(sql); m; m = KEYWORD.exec(sql)) {
    const literal = literalAfter(sql, m.index + m[0].length, m[1]!.toLowerCase() === 'identified');
    if (!literal) continue;
    out += sql.slice(copied, literal.start) + "'***'";
    copied = literal.end;
    KEYWORD.lastIndex = literal.end;
  }
  return copied === 0 ? sql : out + sql.slice(copied);
}

/** Where the quoted password after a keyword is, or null when the keyword is not followed by one. */
function literalAfter(sql: string, i: number, identified: boolean): { start: number; end: number } | null {
  if (identified) {
    i = skipGap(sql, i);
    if (wordAt(sql, i, 'with')) {
      i = skipGap(sql, i + 4);
      const plugin = i;
      while (i < sql.length && !/\s/.test(sql[i]!)) i++;
      if (i === plugin) return null;
      i = skipGap(sql, i);
    }
    if (!wordAt(sql, i, 'by') && !wordAt(sql, i, 'as')) return null;
    i += 2;
  }
  i = skipGap(sql, i);
  if (sql[i] === '=') i = skipGap(sql, i + 1);
  const beforeCall = i;
  const fn = wordAt(sql, i, 'old_password') ? 12 : wordAt(sql, i, 'password') ? 8 : 0;
  const paren = skipGap(sql, i + fn);
  if (sql[paren] === '(') i = skipGap(sql, paren + 1);
  else i = beforeCall;
  const end = quotedEnd(sql, i);
  return end === null ? null : { start: i, end };
}

function wordAt(sql: string, i: number, word: string): boolean {
  return sql.slice(i, i + word.length).toLowerCase() === word;
}

/** Skips whitespace, block comments and `--` comments (a `--` without a newline is not a gap). */
function skipGap(sql: string, i: number): number {
  for (;;) {
    if (i < sql.length && /\s/.test(sql[i]!)) i++;
    else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) return i;
      i = close + 2;
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i + 2);
      if (nl < 0) return i;
      i = nl + 1;
    } else return i;
  }
}

/** End (exclusive) of a '…', "…" or $tag$…$tag$ literal starting at i; unterminated runs to the end. */
function quotedEnd(sql: string, i: number): number | null {
  const q = sql[i];
  if (q === "'" || q === '"') {
    let j = i + 1;
    while (j < sql.length) {
      const c = sql[j]!;
      if (c === '\\') j += 2;
      else if (c === q) {
        if (sql[j + 1] === q) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (q === '$') {
    const tag = /^\$(\w*)\$/.exec(sql.slice(i, i + 256));
    if (!tag) return null;
    const close = sql.indexOf(tag[0], i + tag[0].length);
    return close < 0 ? sql.length : close + tag[0].length;
  }
  return null;
}
