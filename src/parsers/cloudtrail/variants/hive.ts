/**
 * Hive's text form of structs, maps and arrays, as Athena and CloudTrail Lake write them in query
 * results: `{type=IAMUser, principalid=AIDA…, sessioncontext={attributes={mfaauthenticated=false}}}`,
 * `[{arn=arn:aws:s3:::b, accountid=111122223333, type=AWS::S3::Bucket}]`. Values are unquoted, so a
 * value ends where `, name=` (in a struct) or `, ` (in an array) or the closing bracket follows;
 * `null` is null; everything else stays text.
 */

type Obj = Record<string, unknown>;

/** The value of `s`, or null when it is not in this notation. */
export function parseHiveValue(s: string): Obj | unknown[] | null {
  const t = s.trim();
  if (!/^(?:\{[A-Za-z0-9_$@.-]+=|\{\}|\[)/.test(t)) return null;
  const r = new HiveReader(t);
  const v = r.value();
  return r.done() && v !== null && typeof v === 'object' ? (v as Obj | unknown[]) : null;
}

const KEY_AFTER_COMMA = /^, ?([A-Za-z0-9_$@.-]+)=/;
/** Deeper text is not a CloudTrail struct (the deepest, userIdentity, has 4 levels): left as text. */
const MAX_DEPTH = 32;

class HiveReader {
  private i = 0;
  private failed = false;
  private depth = 0;

  constructor(private readonly s: string) {}

  done(): boolean {
    return !this.failed && this.i === this.s.length;
  }

  value(closers = ''): unknown {
    const c = this.s[this.i];
    if (c !== '{' && c !== '[') return this.scalar(closers);
    if (++this.depth > MAX_DEPTH) {
      this.failed = true;
      return null;
    }
    const v = c === '{' ? this.struct() : this.array();
    this.depth--;
    return v;
  }

  private struct(): Obj {
    const out: Obj = {};
    this.i++; // {
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const eq = this.s.indexOf('=', this.i);
      if (eq < 0) {
        this.failed = true;
        return out;
      }
      const key = this.s.slice(this.i, eq).trim();
      this.i = eq + 1;
      out[key] = this.value('}');
      if (this.failed) return out;
      const rest = this.s.slice(this.i, this.i + 200);
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const m = KEY_AFTER_COMMA.exec(rest);
      if (!m) {
        this.failed = true;
        return out;
      }
      this.i += m[0].length - m[1]!.length - 1;
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++; // [
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(']'));
      if (this.failed) return out;
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      if (this.s[this.i] !== ',') {
        this.failed = true;
        return out;
      }
      this.i++;
      if (this.s[this.i] === ' ') this.i++;
    }
  }

  /** Text up to the next `, name=` / `}` (in a struct) or `, ` / `]` (in an array). */
  private scalar(closers: string): unknown {
    const start = this.i;
    const s = this.s;
    let j = this.i;
    for (; j < s.length; j++) {
      const c = s[j]!;
      if (closers === '}' && c === '}') {
        // The struct closes here only when what follows is its continuation or the end.
        const after = s[j + 1];
        if (after === undefined || after === ',' || after === '}' || after === ']') break;
      } else if (closers === ']' && (c === ']' || (c === ',' && s[j + 1] === ' '))) {
        break;
      } else if (closers === '}' && c === ',' && KEY_AFTER_COMMA.test(s.slice(j, j + 200))) {
        break;
      }
    }
    this.i = j;
    const text = s.slice(start, j);
    return text === 'null' ? null : text;
  }
}
