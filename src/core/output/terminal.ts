/**
 * Terminal safety for text that flows to a terminal in pieces (an export streamed to standard
 * output when that is a TTY). Same characters as safeText (src/core/sanitize.ts) — C0, DEL, C1
 * and bidi controls become visible escapes such as `\x1b` — but the text keeps its shape: line
 * ends (`\n`, `\r\n`) and tabs pass, so a CSV or JSON lines export still reads as lines. A lone
 * `\r` (which would let a line overwrite what was printed before it) is escaped.
 */
import { StringDecoder } from 'node:string_decoder';
import { escapeChar, UNSAFE_CLASS } from '../sanitize.js';

const UNSAFE_IN_STREAM = new RegExp(`\\r\\n|[${UNSAFE_CLASS}]`, 'g');

function escapeKeepingLines(s: string): string {
  return s.replace(UNSAFE_IN_STREAM, (m) => (m === '\n' || m === '\r\n' ? m : escapeChar(m)));
}

/** Whole text, at once. */
export function terminalText(s: string): string {
  return escapeKeepingLines(s);
}

/**
 * The same over a stream of pieces: a `\r` at the end of a piece waits for the next one (it is a
 * line end if `\n` follows), and bytes are decoded as UTF-8 across piece boundaries.
 */
export class TerminalEscaper {
  private pendingCr = false;
  private readonly decoder = new StringDecoder('utf8');

  push(piece: string | Uint8Array): string {
    let s = typeof piece === 'string' ? piece : this.decoder.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    if (this.pendingCr) {
      s = '\r' + s;
      this.pendingCr = false;
    }
    if (s.endsWith('\r')) {
      this.pendingCr = true;
      s = s.slice(0, -1);
    }
    return escapeKeepingLines(s);
  }

  /** What is still held back (a final lone `\r`, an incomplete UTF-8 sequence). */
  end(): string {
    const rest = (this.pendingCr ? '\r' : '') + this.decoder.end();
    this.pendingCr = false;
    return escapeKeepingLines(rest);
  }
}
