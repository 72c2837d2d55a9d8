/**
 * Python's repr of dicts and lists, as tools written in Python put CloudTrail objects in CSV cells
 * (`str(record['userIdentity'])` → `{'type': 'AWSAccount', 'principalId': '', 'accountId': …}`):
 * strings in single or double quotes with backslash escapes, numbers, True/False/None, nested
 * dicts, lists and tuples. Anything else (a call, a set, an unterminated string) is not read: the
 * caller keeps the text as it was.
 */

type Obj = Record<string, unknown>;

/** Deeper text is not a CloudTrail object (the deepest, userIdentity, has 4 levels): left as text. */
const MAX_DEPTH = 32;

/** The value of `s` when all of it is a Python dict or list literal, else null. */
export function parsePythonLiteral(s: string): Obj | unknown[] | null {
  const t = s.trim();
  if (!/^(?:\{\s*(?:['"}])|\[)/.test(t)) return null;
  const r = new Reader(t);
  const v = r.value(0);
  r.space();
  return r.ok && r.i === t.length && v !== null && typeof v === 'object' ? (v as Obj | unknown[]) : null;
}

const NUMBER = /^-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)/;
const WORDS: Record<string, unknown> = { True: true, False: false, None: null };
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

class Reader {
  i = 0;
  ok = true;

  constructor(private readonly s: string) {}

  space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  fail(): null {
    this.ok = false;
    return null;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) return this.fail();
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.dict(depth);
    if (c === '[') return this.list(depth, ']');
    if (c === '(') return this.list(depth, ')');
    if (c === "'" || c === '"') return this.string();
    const word = /^[A-Za-z]+/.exec(this.s.slice(this.i, this.i + 6));
    if (word && word[0] in WORDS) {
      this.i += word[0].length;
      return WORDS[word[0]];
    }
    const num = NUMBER.exec(this.s.slice(this.i, this.i + 64));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    return this.fail();
  }

  private dict(depth: number): Obj | null {
    const out: Obj = {};
    this.i++; // {
    for (;;) {
      this.space();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value(depth + 1);
      if (!this.ok || (typeof key !== 'string' && typeof key !== 'number')) return this.fail();
      this.space();
      if (this.s[this.i] !== ':') return this.fail();
      this.i++;
      const v = this.value(depth + 1);
      if (!this.ok) return null;
      out[String(key)] = v;
      if (!this.separator('}')) return this.fail();
    }
  }

  private list(depth: number, close: string): unknown[] | null {
    const out: unknown[] = [];
    this.i++; // [ or (
    for (;;) {
      this.space();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      if (!this.ok || !this.separator(close)) return this.fail();
    }
  }

  /** After an item: `,` (consumed) or the closer (left for the loop). */
  private separator(close: string): boolean {
    this.space();
    const c = this.s[this.i];
    if (c === ',') {
      this.i++;
      return true;
    }
    return c === close;
  }

  private string(): string | null {
    const q = this.s[this.i]!;
    let out = '';
    for (let j = this.i + 1; j < this.s.length; j++) {
      const c = this.s[j]!;
      if (c === q) {
        this.i = j + 1;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[j + 1];
      if (e === undefined) break;
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        j++;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.s.slice(j + 2, j + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return this.fail();
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return this.fail();
        out += String.fromCodePoint(cp);
        j += 1 + len;
      } else {
        // Python keeps an unknown escape as written.
        out += c;
      }
    }
    return this.fail();
  }
}
