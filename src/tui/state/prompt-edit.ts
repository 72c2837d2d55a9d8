/**
 * What a read of typed or pasted input does to a prompt's text. Pure: keys in, text out.
 *
 * Ink hands `useInput` one string per read from the terminal, not one per key: backspaces
 * pressed less than a frame apart (or a key held down) arrive together as `\x7f\x7f`, which Ink
 * does not recognise as a key and passes on as text. Typed into the prompt as is, that text held
 * DEL bytes — a file name or a search that looks right on screen (escaped) and is wrong. So every
 * character of a burst is a key of its own here, and no control character ever reaches the text.
 */

/** C0, DEL and C1 controls: never part of a prompt's text. */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

function isControl(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/** The text without control characters (a last guard for text that did not come from applyInput). */
export function stripControls(text: string): string {
  return text.replace(CONTROL, '');
}

/**
 * Applies one read of input to `text`: DEL and BS delete the last character, Ctrl-U clears,
 * Ctrl-W deletes the last word, CR, LF and TAB become a space (a pasted newline ends nothing),
 * any other control character is dropped; everything else is typed.
 */
export function applyInput(text: string, input: string): string {
  const out = [...text];
  let lineEnd = false;
  for (const ch of input) {
    const wasLineEnd = lineEnd;
    lineEnd = ch === '\r' || ch === '\n';
    switch (ch) {
      case '\x7f':
      case '\b':
        out.pop();
        break;
      case '\x15':
        out.length = 0;
        break;
      case '\x17': {
        const kept = out.join('').replace(/\S+\s*$/, '');
        out.length = 0;
        out.push(...kept);
        break;
      }
      case '\r':
      case '\n':
        // A run of pasted line ends (CRLF, blank lines) becomes one space.
        if (!wasLineEnd) out.push(' ');
        break;
      case '\t':
        out.push(' ');
        break;
      default:
        if (!isControl(ch)) out.push(ch);
    }
  }
  return out.join('');
}
