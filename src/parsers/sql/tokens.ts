/**
 * A small SQL tokenizer for PostgreSQL and MySQL text as it appears in logs: enough to split
 * statements, find keywords, names and functions, and to tell whether the text is well formed
 * (balanced parentheses, terminated strings) before handing it to a real parser.
 *
 * It never throws and never executes anything: log content is attacker-controlled.
 */

export type Dialect = 'pg' | 'mysql';

/**
 * Token kinds: `w` word (keyword or bare identifier, `v` lower-cased), `q` quoted identifier
 * (`v` as written inside the quotes), `s` string literal, `n` number, `p` parameter ($1, ?, :x),
 * `v` variable (@x, @@version: `v` lower-cased without the @), `o` operator or punctuation.
 */
export type TokenKind = 'w' | 'q' | 's' | 'n' | 'p' | 'v' | 'o';

export interface Token {
  k: TokenKind;
  v: string;
  /** Parenthesis depth at the token (before an opening parenthesis is counted). */
  d: number;
  /** Words: the word as written (MySQL table names keep their case). */
  r?: string;
}

export interface Tokenized {
  tokens: Token[];
  /** Parentheses balanced and every string, quoted name and comment terminated. */
  wellFormed: boolean;
  maxDepth: number;
}

const MAX_TOKENS = 200_000;

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function tokenize(sql: string, dialect: Dialect): Tokenized {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  let depth = 0;
  let maxDepth = 0;
  let wellFormed = true;
  let inExecComment = false;
  const my = dialect === 'mysql';
  const push = (k: TokenKind, v: string, r?: string) => {
    if (tokens.length < MAX_TOKENS) tokens.push(r === undefined ? { k, v, d: depth } : { k, v, d: depth, r });
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0) {
      i++;
      continue;
    }
    // -- comment (MySQL needs a space or control character after it)
    if (c === 45 && sql.charCodeAt(i + 1) === 45 && (!my || i + 2 >= n || sql.charCodeAt(i + 2) <= 32)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 35 && my) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      // MySQL executable comment /*!40001 SQL_NO_CACHE */: its content is SQL.
      if (my && sql.charCodeAt(i + 2) === 33) {
        i += 3;
        while (i < n && isDigit(sql.charCodeAt(i))) i++;
        inExecComment = true;
        continue;
      }
      // PostgreSQL comments nest.
      let nest = 1;
      let j = i + 2;
      while (j < n && nest > 0) {
        if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) {
          nest--;
          j += 2;
        } else if (!my && sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) {
          nest++;
          j += 2;
        } else j++;
      }
      if (nest > 0) wellFormed = false;
      i = j;
      continue;
    }
    if (inExecComment && c === 42 && sql.charCodeAt(i + 1) === 47) {
      inExecComment = false;
      i += 2;
      continue;
    }
    if (c === 39 /* ' */) {
      const r = readQuoted(sql, i, 39, my);
      if (!r.closed) wellFormed = false;
      push('s', r.value);
      i = r.end;
      continue;
    }
    if (c === 34 /* " */) {
      const r = readQuoted(sql, i, 34, my);
      if (!r.closed) wellFormed = false;
      push(my ? 's' : 'q', r.value);
      i = r.end;
      continue;
    }
    if (c === 96 /* ` */) {
      const r = readQuoted(sql, i, 96, false);
      if (!r.closed) wellFormed = false;
      push('q', r.value);
      i = r.end;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      const word = sql.slice(i, j);
      const next = sql.charCodeAt(j);
      // Prefixed strings: E'..' (backslash escapes), B'..', X'..', N'..', U&'..', _utf8'..'.
      if (next === 39 && (word.length === 1 || word[0] === '_')) {
        const r = readQuoted(sql, j, 39, my || word === 'e' || word === 'E');
        if (!r.closed) wellFormed = false;
        push('s', r.value);
        i = r.end;
        continue;
      }
      if ((word === 'U' || word === 'u') && next === 38 && sql.charCodeAt(j + 1) === 39) {
        const r = readQuoted(sql, j + 1, 39, false);
        if (!r.closed) wellFormed = false;
        push('s', r.value);
        i = r.end;
        continue;
      }
      push('w', word.toLowerCase(), word);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      if (c === 48 && (sql.charCodeAt(i + 1) | 32) === 120) {
        j = i + 2;
        while (j < n && /[0-9a-fA-F]/.test(sql[j]!)) j++;
      } else {
        while (j < n && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 46)) j++;
        if (j < n && (sql.charCodeAt(j) | 32) === 101 && /[-+0-9]/.test(sql[j + 1] ?? '')) {
          j += 2;
          while (j < n && isDigit(sql.charCodeAt(j))) j++;
        }
      }
      // MySQL allows names that start with digits (1abc).
      if (my && j < n && isWordStart(sql.charCodeAt(j))) {
        while (j < n && isWordPart(sql.charCodeAt(j))) j++;
        push('w', sql.slice(i, j).toLowerCase(), sql.slice(i, j));
      } else push('n', sql.slice(i, j));
      i = j;
      continue;
    }
    if (c === 36 /* $ */ && !my) {
      // $1 parameter or $tag$ dollar quote.
      if (isDigit(sql.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
        push('p', sql.slice(i, j));
        i = j;
        continue;
      }
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      if (sql.charCodeAt(j) === 36) {
        const tag = sql.slice(i, j + 1);
        const close = sql.indexOf(tag, j + 1);
        if (close < 0) {
          wellFormed = false;
          push('s', sql.slice(j + 1));
          i = n;
        } else {
          push('s', sql.slice(j + 1, close));
          i = close + tag.length;
        }
        continue;
      }
      push('o', '$');
      i++;
      continue;
    }
    if (c === 63 /* ? */) {
      push('p', '?');
      i++;
      continue;
    }
    if (c === 64 /* @ */ && my) {
      let j = i + 1;
      if (sql.charCodeAt(j) === 64) j++;
      const start = j;
      if (sql.charCodeAt(j) === 96 || sql.charCodeAt(j) === 39 || sql.charCodeAt(j) === 34) {
        const r = readQuoted(sql, j, sql.charCodeAt(j), true);
        push('v', r.value.toLowerCase());
        i = r.end;
        continue;
      }
      while (j < n && (isWordPart(sql.charCodeAt(j)) || sql.charCodeAt(j) === 46)) j++;
      if (j > start) {
        push('v', sql.slice(start, j).toLowerCase());
        i = j;
        continue;
      }
      push('o', '@');
      i++;
      continue;
    }
    if (c === 58 /* : */) {
      if (sql.charCodeAt(i + 1) === 58) {
        push('o', '::');
        i += 2;
        continue;
      }
      if (isWordStart(sql.charCodeAt(i + 1))) {
        let j = i + 2;
        while (j < n && isWordPart(sql.charCodeAt(j))) j++;
        push('p', sql.slice(i, j));
        i = j;
        continue;
      }
    }
    if (c === 40 /* ( */) {
      push('o', '(');
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      i++;
      continue;
    }
    if (c === 41 /* ) */) {
      depth--;
      if (depth < 0) {
        wellFormed = false;
        depth = 0;
      }
      push('o', ')');
      i++;
      continue;
    }
    push('o', sql[i]!);
    i++;
  }
  if (depth !== 0 || inExecComment) wellFormed = false;
  return { tokens, wellFormed, maxDepth };
}

/** Reads a quoted string or name starting at `start` (the opening quote). */
function readQuoted(sql: string, start: number, quote: number, backslash: boolean): { value: string; end: number; closed: boolean } {
  const n = sql.length;
  let j = start + 1;
  let value = '';
  let from = j;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (backslash && c === 92) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(j + 1) === quote) {
        value += sql.slice(from, j + 1);
        j += 2;
        from = j;
        continue;
      }
      value += sql.slice(from, j);
      return { value, end: j + 1, closed: true };
    }
    j++;
  }
  return { value: value + sql.slice(from), end: n, closed: false };
}

/** Splits a token list into statements at top-level semicolons (empty statements dropped). */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.k === 'o' && t.v === ';' && t.d === 0) {
      if (cur.length > 0) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
