/**
 * The Sigma condition grammar (specification v2.1, "Condition"): search identifiers combined with
 * `and`, `or`, `not`, parentheses, and `1 of PATTERN` / `all of PATTERN` / `… of them` (`*`
 * wildcards; `them` leaves out identifiers starting with `_`). Precedence, least binding first:
 * or, and, not, x of, ( ). A list of conditions is their `or`.
 *
 * The v1 aggregations (`| count() by x > 5`, `near`) are not Sigma v2: they are reported as a
 * construct dwell lacks, with the hint to write them as a correlation rule.
 */
import { SigmaError } from './types.js';

export type Cond =
  | { t: 'and' | 'or'; args: Cond[] }
  | { t: 'not'; arg: Cond }
  | { t: 'id'; name: string }
  | { t: 'of'; all: boolean; pattern: string };

type Tok = { k: 'lp' } | { k: 'rp' } | { k: 'word'; v: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      out.push({ k: 'lp' });
      i++;
    } else if (c === ')') {
      out.push({ k: 'rp' });
      i++;
    } else if (c === '|') {
      throw new SigmaError(`condition "${text}" uses a v1 aggregation (| count() … / | near …): write it as a Sigma correlation rule (event_count, value_count, temporal)`, 'unsupported');
    } else {
      const m = /^[A-Za-z0-9_*.\-]+/.exec(text.slice(i));
      if (!m) throw new SigmaError(`condition "${text}": unexpected character ${JSON.stringify(c)} at position ${i + 1}`);
      out.push({ k: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Parses one condition string. */
export function parseCondition(text: string): Cond {
  const toks = tokenize(text);
  let pos = 0;
  const word = (t: Tok | undefined, w: string) => t?.k === 'word' && t.v.toLowerCase() === w;
  const fail = (why: string): never => {
    throw new SigmaError(`condition "${text}": ${why}`);
  };
  const orExpr = (): Cond => {
    const args = [andExpr()];
    while (word(toks[pos], 'or')) {
      pos++;
      args.push(andExpr());
    }
    return args.length === 1 ? args[0]! : { t: 'or', args };
  };
  const andExpr = (): Cond => {
    const args = [notExpr()];
    while (word(toks[pos], 'and')) {
      pos++;
      args.push(notExpr());
    }
    return args.length === 1 ? args[0]! : { t: 'and', args };
  };
  const notExpr = (): Cond => {
    if (word(toks[pos], 'not')) {
      pos++;
      return { t: 'not', arg: notExpr() };
    }
    return primary();
  };
  const primary = (): Cond => {
    const t = toks[pos];
    if (!t) return fail('ends where a search identifier was expected');
    if (t.k === 'lp') {
      pos++;
      const e = orExpr();
      if (toks[pos]?.k !== 'rp') fail('a parenthesis is not closed');
      pos++;
      return e;
    }
    if (t.k === 'rp') return fail('unexpected )');
    const v = t.v.toLowerCase();
    if ((v === '1' || v === 'all' || v === 'any') && word(toks[pos + 1], 'of')) {
      const target = toks[pos + 2];
      if (!target || target.k !== 'word') return fail(`"${t.v} of" names no search identifier pattern`);
      pos += 3;
      return { t: 'of', all: v === 'all', pattern: target.v };
    }
    if (/^\d+$/.test(v) && word(toks[pos + 1], 'of')) throw new SigmaError(`condition "${text}": "${t.v} of" — only "1 of" and "all of" are Sigma`, 'unsupported');
    if (v === 'near') throw new SigmaError(`condition "${text}" uses near: write it as a temporal correlation rule`, 'unsupported');
    if (['and', 'or', 'not', 'of'].includes(v)) return fail(`unexpected "${t.v}"`);
    pos++;
    return { t: 'id', name: t.v };
  };
  if (toks.length === 0) fail('is empty');
  const e = orExpr();
  if (pos < toks.length) {
    const t = toks[pos]!;
    fail(`unexpected ${t.k === 'word' ? `"${t.v}"` : t.k === 'lp' ? '(' : ')'} at token ${pos + 1}`);
  }
  return e;
}

/** Search identifiers a `x of PATTERN` covers: `*` matches any text; `them` all but `_…`. */
export function matchIdentifiers(pattern: string, names: string[]): string[] {
  if (pattern === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('.*') + '$');
  return names.filter((n) => re.test(n));
}

/** Every identifier and pattern the condition uses resolved against the detection's names; unknown ones are an error. */
export function checkIdentifiers(c: Cond, names: string[], text: string): void {
  switch (c.t) {
    case 'and':
    case 'or':
      for (const a of c.args) checkIdentifiers(a, names, text);
      return;
    case 'not':
      return checkIdentifiers(c.arg, names, text);
    case 'id':
      if (!names.includes(c.name)) throw new SigmaError(`condition "${text}" names "${c.name}", which is not a search identifier of the detection (${names.join(', ') || 'none'})`);
      return;
    case 'of':
      if (matchIdentifiers(c.pattern, names).length === 0) throw new SigmaError(`condition "${text}": "${c.all ? 'all' : '1'} of ${c.pattern}" matches no search identifier of the detection (${names.join(', ') || 'none'})`);
  }
}
