/**
 * When the SQL prompt has a whole statement: lines are gathered until the last character outside
 * string literals, quoted names and comments is `;` — so a `;` inside 'a;b', "a;b", -- a; or a
 * block comment does not cut a statement short, and a statement may span as many lines as it needs.
 */

type State = 'code' | 'single' | 'double' | 'line' | 'block';

/** True when `text` ends with a complete statement (its last code character is `;`). */
export function endsStatement(text: string): boolean {
  let state: State = 'code';
  let last = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const n = text[i + 1];
    switch (state) {
      case 'code':
        if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '-' && n === '-') {
          state = 'line';
          i++;
          continue;
        } else if (c === '/' && n === '*') {
          state = 'block';
          i++;
          continue;
        }
        if (!/\s/.test(c)) last = c;
        break;
      // A doubled quote ('it''s') closes and reopens: the same state in the end.
      case 'single':
        if (c === "'") {
          state = 'code';
          last = c;
        }
        break;
      case 'double':
        if (c === '"') {
          state = 'code';
          last = c;
        }
        break;
      case 'line':
        if (c === '\n') state = 'code';
        break;
      case 'block':
        if (c === '*' && n === '/') {
          state = 'code';
          i++;
        }
        break;
    }
  }
  return last === ';' && (state === 'code' || state === 'line');
}

