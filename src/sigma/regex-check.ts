/**
 * Regular expressions from rules (`|re`) that dwell refuses before DuckDB's RE2 sees them.
 *
 * RE2 itself runs in linear time, so a pattern cannot hang dwell; but Sigma's regex flavour is
 * PCRE, and a rule with nested unbounded repetition (`(a+)+`, `(\w*\s?)*`) hangs the
 * backtracking engines other Sigma tools use on the first long line that almost matches. Such a
 * rule is rejected with the reason so it gets fixed rather than shared. Patterns RE2 cannot
 * compile (look-around, back-references, repetition counts over 1000, a program too large) are
 * reported by RE2's own message (run.ts asks DuckDB).
 */

interface Branch {
  /** Atoms that must match some text each time (a literal, a class, a group that is not itself risky). */
  mandatory: number;
  /** The branch holds an atom repeated without bound. */
  unbounded: boolean;
}

interface Group {
  start: number;
  branches: Branch[];
}

const risky = (g: Group) => g.branches.some((b) => b.unbounded && b.mandatory === 0);
const holdsUnbounded = (g: Group) => g.branches.some((b) => b.unbounded);

/**
 * Why the pattern is refused, or null. Refused: a group repeated more than once (`+`, `*`,
 * `{2,}`…) one of whose alternatives is made only of repeated or optional parts, at least one
 * without bound — `(a+)+`, `(\w+\s?)*`, `(a*|b)+` — so the same text splits into exponentially
 * many repetitions when a match fails. `([a-z]+\.)+` is accepted: the dot ends each repetition.
 */
export function regexRisk(source: string): string | null {
  if (source.length > 10000) return `the pattern is ${source.length} characters long (limit 10,000)`;
  const stack: Group[] = [{ start: 0, branches: [{ mandatory: 0, unbounded: false }] }];
  const branch = () => {
    const g = stack[stack.length - 1]!;
    return g.branches[g.branches.length - 1]!;
  };
  const quant = (at: number): { len: number; unbounded: boolean; max: number } | null => {
    const c = source[at];
    if (c === '*' || c === '+') return { len: 1 + (source[at + 1] === '?' || source[at + 1] === '+' ? 1 : 0), unbounded: true, max: Infinity };
    if (c === '?') return { len: 1 + (source[at + 1] === '?' ? 1 : 0), unbounded: false, max: 1 };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(at));
      if (!m) return null;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      return { len: m[0].length, unbounded: max === Infinity, max };
    }
    return null;
  };
  /** An atom ends at `end`: add it to the current branch, with its quantifier if one follows. */
  const atom = (end: number, inner: Group | null): number | string => {
    const q = quant(end);
    const b = branch();
    if (!q) {
      if (inner && risky(inner)) b.unbounded = true;
      else b.mandatory++;
      if (inner && holdsUnbounded(inner)) b.unbounded = true;
      return end;
    }
    if (inner && risky(inner) && q.max > 1) {
      return `nested repetition "${source.slice(inner.start, end + q.len)}": a group that can repeat without bound through parts that are all optional or repeated is itself repeated, which takes exponential time in the backtracking (PCRE) engines Sigma's regular expressions are written for`;
    }
    if (q.unbounded || (inner && holdsUnbounded(inner))) b.unbounded = true;
    return end + q.len;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let next: number | string;
    if (c === '\\') {
      next = atom(Math.min(i + 2, source.length), null);
    } else if (c === '[') {
      // A character class: to its closing bracket (a leading ] or ^] is literal).
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      next = atom(Math.min(j + 1, source.length), null);
    } else if (c === '(') {
      stack.push({ start: i, branches: [{ mandatory: 0, unbounded: false }] });
      next = i + 1;
      // (?:…), (?i), (?P<name>…): skip the group's prefix; (?i) alone is a flag, not a group.
      const m = /^\?(P?<[A-Za-z_]\w*>|[A-Za-z]*:|[A-Za-z]+\)|[=!]|<[=!])/.exec(source.slice(next));
      if (m) {
        if (m[0].endsWith(')')) {
          stack.pop();
          next += m[0].length;
        } else next += m[0].length;
      }
    } else if (c === ')') {
      const g = stack.length > 1 ? stack.pop()! : null;
      next = g ? atom(i + 1, g) : i + 1;
    } else if (c === '|') {
      stack[stack.length - 1]!.branches.push({ mandatory: 0, unbounded: false });
      next = i + 1;
    } else if (c === '^' || c === '$') {
      next = i + 1;
    } else {
      next = atom(i + 1, null);
    }
    if (typeof next === 'string') return next;
    i = next;
  }
  return null;
}
