/**
 * Where a JSON text stops being JSON, and why: the first character a strict reader cannot accept.
 * Only called for a record JSON.parse already rejected (never on the good path), so the warning
 * can name the line and byte of the damage instead of the record's start alone — V8's messages
 * carry no position for most errors.
 */

export interface JsonDamage {
  /** Index (UTF-16 code unit) in the text of the first unacceptable character (text.length: it ends too early). */
  index: number;
  /** What was expected and what was found, in a few words. */
  what: string;
}

const MAX_DEPTH = 100_000;

/** The first syntax error of `text`, or null when it is valid JSON. */
export function findJsonDamage(text: string): JsonDamage | null {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const found = (): string => (i >= n ? 'the end of the text' : describe(text, i));
  // Containers open: 1 object, 2 array. An explicit stack keeps 10,000-deep input off the call stack.
  const stack: number[] = [];
  // After a value: close the container or continue it.
  let state: 'value' | 'after' = 'value';
  for (;;) {
    ws();
    if (state === 'value') {
      if (i >= n) return { index: i, what: 'a value expected, the text ends' };
      const c = text.charCodeAt(i);
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (stack.length >= MAX_DEPTH) return { index: i, what: 'nested too deep' };
        i++;
        ws();
        const close = c === 0x7b ? 0x7d : 0x5d;
        if (text.charCodeAt(i) === close) {
          i++;
          state = 'after';
          continue;
        }
        stack.push(c === 0x7b ? 1 : 2);
        if (c === 0x7b) {
          const k = key();
          if (k) return k;
        }
        continue;
      }
      const bad = scalar();
      if (bad) return bad;
      state = 'after';
      continue;
    }
    // state 'after'
    if (stack.length === 0) {
      if (i < n) return { index: i, what: `${found()} after the end of the value` };
      return null;
    }
    const top = stack[stack.length - 1]!;
    const c = text.charCodeAt(i);
    if (c === 0x2c /* , */) {
      i++;
      ws();
      if (top === 1) {
        const k = key();
        if (k) return k;
      } else if (text.charCodeAt(i) === 0x5d) {
        return { index: i, what: 'a value expected after ",", found "]"' };
      }
      state = 'value';
      continue;
    }
    if ((top === 1 && c === 0x7d) || (top === 2 && c === 0x5d)) {
      stack.pop();
      i++;
      continue;
    }
    return { index: i, what: `"," or "${top === 1 ? '}' : ']'}" expected after a value, found ${found()}` };
  }

  /** A key and its colon; leaves `i` at the value. */
  function key(): JsonDamage | null {
    ws();
    if (text.charCodeAt(i) !== 0x22) return { index: i, what: `a key in double quotes expected, found ${found()}` };
    const bad = string();
    if (bad) return bad;
    ws();
    if (text.charCodeAt(i) !== 0x3a) return { index: i, what: `":" expected after a key, found ${found()}` };
    i++;
    return null;
  }

  function string(): JsonDamage | null {
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { index: i, what: 'a \\u escape without four hex digits' };
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return { index: i, what: `an invalid escape ${JSON.stringify('\\' + (e ?? ''))}` };
        continue;
      }
      if (c < 0x20) return { index: i, what: c === 0x0a ? 'a raw newline inside a string' : 'a control character inside a string' };
      i++;
    }
    return { index: n, what: `a string is not closed (it opens at character ${start + 1} of the record)` };
  }

  function scalar(): JsonDamage | null {
    const c = text.charCodeAt(i);
    if (c === 0x22) return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0].length > 0) {
      i += m[0].length;
      return null;
    }
    return { index: i, what: `a value expected, found ${found()}` };
  }
}

/** The character at `i`, readable: `"o"`, `"}"`, `a newline`. */
function describe(text: string, i: number): string {
  const c = text[i]!;
  if (c === '\n') return 'a newline';
  if (c === '\r') return 'a carriage return';
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `the control character 0x${code.toString(16).padStart(2, '0')}`;
  return JSON.stringify(c);
}

/**
 * Line and byte of `index` in `text`, a record that starts at `line` and byte `offset` of the
 * stream (UTF-8).
 */
export function locateInRecord(text: string, index: number, line: number, offset: number): { line: number; byte: number } {
  let l = line;
  let nl = text.indexOf('\n');
  while (nl >= 0 && nl < index) {
    l++;
    nl = text.indexOf('\n', nl + 1);
  }
  return { line: l, byte: offset + Buffer.byteLength(text.slice(0, index), 'utf8') };
}

/** Deepest nesting of a JSON text (strings skipped); for records decoded from a string. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}
