/**
 * A parser for the STIX 2.1 patterning language, written from its ANTLR grammar
 * (../shared/specs/stix/pattern_grammar/STIXPattern.g4): the same tokens (longest match, keywords
 * before identifiers, whitespace and comments skipped) and the same productions, as recursive
 * descent. It accepts exactly the patterns the grammar accepts and returns the comparisons found,
 * plus the semantic rule the grammar cannot express: at most one qualifier of each kind per
 * observation expression, and START before STOP.
 */

type Tok = { t: string; v: string; at: number };

const KEYWORDS = ['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'LAST', 'IN', 'START', 'STOP', 'SECONDS', 'true', 'false', 'WITHIN', 'REPEATS', 'TIMES'];

/** Token rules in grammar order; the longest match wins, ties go to the earlier rule. */
const RULES: [string, RegExp][] = [
  ['IntNegLiteral', /-(?:0|[1-9][0-9]*)/y],
  ['IntPosLiteral', /\+?(?:0|[1-9][0-9]*)/y],
  ['FloatNegLiteral', /-[0-9]*\.[0-9]+/y],
  ['FloatPosLiteral', /\+?[0-9]*\.[0-9]+/y],
  ['HexLiteral', /h'(?:[A-Fa-f0-9]{2})*'/y],
  ['BinaryLiteral', /b'(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)'/y],
  ['StringLiteral', /'(?:[^'\\]|\\'|\\\\)*'/y],
  ['BoolLiteral', /true|false/y],
  ['TimestampLiteral', /t'[0-9]{4}-(?:0[1-9]|1[012])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z'/y],
  ...KEYWORDS.filter((k) => k !== 'true' && k !== 'false').map((k) => [k, new RegExp(k, 'y')] as [string, RegExp]),
  ['IdentifierWithoutHyphen', /[a-zA-Z_][a-zA-Z0-9_]*/y],
  ['IdentifierWithHyphen', /[a-zA-Z_][a-zA-Z0-9_-]*/y],
  ['EQ', /==|=/y],
  ['NEQ', /!=|<>/y],
  ['LE', /<=/y],
  ['GE', />=/y],
  ['LT', /</y],
  ['GT', />/y],
  ['COLON', /:/y],
  ['DOT', /\./y],
  ['COMMA', /,/y],
  ['RPAREN', /\)/y],
  ['LPAREN', /\(/y],
  ['RBRACK', /\]/y],
  ['LBRACK', /\[/y],
  ['ASTERISK', /\*/y],
];
const SKIP = /(?:[ \t\r\n\u000B\u000C\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|\/\*[\s\S]*?\*\/|\/\/[^\r\n]*)/y;

export class PatternError extends Error {}

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    SKIP.lastIndex = i;
    const s = SKIP.exec(text);
    if (s && s[0].length > 0) {
      i += s[0].length;
      continue;
    }
    let best: Tok | null = null;
    for (const [t, re] of RULES) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m && m[0].length > 0 && (!best || m[0].length > best.v.length)) best = { t, v: m[0], at: i };
    }
    if (!best) throw new PatternError(`invalid character ${JSON.stringify(text[i])} at ${i}`);
    out.push(best);
    i += best.v.length;
  }
  return out;
}

export interface Comparison {
  objectType: string;
  path: string;
  negated: boolean;
  op: string;
  value: string;
}

export interface ParsedPattern {
  comparisons: Comparison[];
  observations: number;
}

/** Parses a pattern; throws PatternError with the position on anything the grammar rejects. */
export function parsePattern(text: string): ParsedPattern {
  const toks = tokenize(text);
  let p = 0;
  const comparisons: Comparison[] = [];
  let observations = 0;
  const peek = (k = 0) => toks[p + k];
  const is = (...types: string[]) => peek() !== undefined && types.includes(peek()!.t);
  const expect = (...types: string[]): Tok => {
    const t = peek();
    if (!t || !types.includes(t.t)) throw new PatternError(`expected ${types.join(' or ')} at ${t ? `${t.at} (${t.v})` : 'end'}`);
    p++;
    return t;
  };
  const unquote = (s: string) => s.slice(1, -1).replace(/\\(['\\])/g, '$1');

  const observationExpressions = (): void => {
    observationExpressionOr();
    while (is('FOLLOWEDBY')) {
      p++;
      observationExpressionOr();
    }
  };
  const observationExpressionOr = (): void => {
    observationExpressionAnd();
    while (is('OR')) {
      p++;
      observationExpressionAnd();
    }
  };
  const observationExpressionAnd = (): void => {
    observationExpression();
    while (is('AND')) {
      p++;
      observationExpression();
    }
  };
  const observationExpression = (): void => {
    if (is('LBRACK')) {
      p++;
      observations++;
      comparisonExpression();
      expect('RBRACK');
    } else if (is('LPAREN')) {
      p++;
      observationExpressions();
      expect('RPAREN');
    } else throw new PatternError(`expected [ or ( at ${peek()?.at ?? 'end'}`);
    const seen = new Set<string>();
    for (;;) {
      if (is('START')) {
        p++;
        const a = expect('TimestampLiteral').v.slice(2, -1);
        expect('STOP');
        const b = expect('TimestampLiteral').v.slice(2, -1);
        if (!(Date.parse(a) < Date.parse(b))) throw new PatternError(`START ${a} is not before STOP ${b}`);
        if (seen.has('START')) throw new PatternError('two START/STOP qualifiers on one observation expression');
        seen.add('START');
      } else if (is('WITHIN')) {
        p++;
        expect('IntPosLiteral', 'FloatPosLiteral');
        expect('SECONDS');
        if (seen.has('WITHIN')) throw new PatternError('two WITHIN qualifiers on one observation expression');
        seen.add('WITHIN');
      } else if (is('REPEATS')) {
        p++;
        expect('IntPosLiteral');
        expect('TIMES');
        if (seen.has('REPEATS')) throw new PatternError('two REPEATS qualifiers on one observation expression');
        seen.add('REPEATS');
      } else break;
    }
  };
  const comparisonExpression = (): void => {
    comparisonExpressionAnd();
    while (is('OR')) {
      p++;
      comparisonExpressionAnd();
    }
  };
  const comparisonExpressionAnd = (): void => {
    propTest();
    while (is('AND')) {
      p++;
      propTest();
    }
  };
  const primitive = ['IntPosLiteral', 'IntNegLiteral', 'FloatPosLiteral', 'FloatNegLiteral', 'StringLiteral', 'BinaryLiteral', 'HexLiteral', 'TimestampLiteral', 'BoolLiteral'];
  const orderable = primitive.filter((t) => t !== 'BoolLiteral');
  const propTest = (): void => {
    if (is('LPAREN')) {
      p++;
      comparisonExpression();
      expect('RPAREN');
      return;
    }
    if (is('EXISTS') || (is('NOT') && peek(1)?.t === 'EXISTS')) {
      const negated = is('NOT');
      p += negated ? 2 : 1;
      const path = objectPath();
      comparisons.push({ ...path, negated, op: 'EXISTS', value: '' });
      return;
    }
    const path = objectPath();
    const negated = is('NOT');
    if (negated) p++;
    const op = expect('EQ', 'NEQ', 'GT', 'LT', 'GE', 'LE', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET');
    let value: string;
    if (op.t === 'EQ' || op.t === 'NEQ') value = expect(...primitive).v;
    else if (['GT', 'LT', 'GE', 'LE'].includes(op.t)) value = expect(...orderable).v;
    else if (op.t === 'IN') {
      expect('LPAREN');
      const items: string[] = [];
      if (!is('RPAREN')) {
        items.push(expect(...primitive).v);
        while (is('COMMA')) {
          p++;
          items.push(expect(...primitive).v);
        }
      }
      expect('RPAREN');
      value = `(${items.join(', ')})`;
    } else value = expect('StringLiteral').v;
    comparisons.push({ ...path, negated, op: op.v, value: value.startsWith("'") ? unquote(value) : value });
  };
  const objectPath = (): { objectType: string; path: string } => {
    const type = expect('IdentifierWithoutHyphen', 'IdentifierWithHyphen').v;
    expect('COLON');
    const first = expect('IdentifierWithoutHyphen', 'StringLiteral');
    let path = first.t === 'StringLiteral' ? unquote(first.v) : first.v;
    for (;;) {
      if (is('DOT')) {
        p++;
        const c = expect('IdentifierWithoutHyphen', 'StringLiteral');
        path += `.${c.t === 'StringLiteral' ? unquote(c.v) : c.v}`;
      } else if (is('LBRACK') && ['IntPosLiteral', 'IntNegLiteral', 'ASTERISK'].includes(peek(1)?.t ?? '')) {
        p++;
        path += `[${expect('IntPosLiteral', 'IntNegLiteral', 'ASTERISK').v}]`;
        expect('RBRACK');
      } else break;
    }
    return { objectType: type, path };
  };

  observationExpressions();
  if (p !== toks.length) throw new PatternError(`unexpected ${toks[p]!.v} at ${toks[p]!.at}`);
  return { comparisons, observations };
}
