/**
 * Standard output (and standard error), set up in src/cli/main.ts:
 *
 * - The reader may leave (`dwell verify | head`): the write then fails with EPIPE. Unhandled, Node
 *   prints a stack trace; here it is noted, later writes are dropped, and the command ends as it
 *   would have (exit code unchanged, no stack trace). Exports stop at their next chunk and claim no
 *   count (src/cli/commands/export.ts).
 * - Another write error (a full disk behind `> file`) is kept and reported once at exit, so a
 *   command never claims success over output that was not written.
 * - On a terminal, for every command but the TUI (which owns the terminal and escapes what it
 *   shows itself), everything written passes through the terminal escaper: an export to a TTY
 *   (CSV, JSON lines, the report…) shows `\x1b]52;…` as text instead of letting it set the
 *   clipboard. Each command already escapes what it prints itself; this is the net under all of
 *   them, including text that is data (an export) and so is not escaped on its way to a file.
 */
import { TerminalEscaper } from './terminal.js';

export interface StdoutState {
  /** The reader went away (EPIPE): nothing more reaches it. */
  closedByReader: boolean;
  /** Another write error, kept to report. */
  error: NodeJS.ErrnoException | null;
}

export const stdoutState: StdoutState = { closedByReader: false, error: null };

type WriteFn = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;

export interface GuardOptions {
  /** Escape for a terminal (first call: default off; later calls: unchanged unless given). */
  terminal?: boolean;
  /** Where the state goes (default: the process-wide stdoutState). */
  state?: StdoutState;
}

interface Guarded {
  state: StdoutState;
  escaper: TerminalEscaper | null;
}

const guarded = new WeakMap<object, Guarded>();

/**
 * Installs the EPIPE handling on `stream` (once), and turns the terminal escaping on or off
 * (`terminal`, default off). Called twice: at start for every command (so even `--help | true`
 * ends quietly), then with `terminal` for every command but the TUI.
 */
export function guardOutput(stream: NodeJS.WriteStream, opts: GuardOptions = {}): StdoutState {
  const known = guarded.get(stream);
  if (known) {
    if (opts.terminal !== undefined) known.escaper = opts.terminal ? (known.escaper ?? new TerminalEscaper()) : null;
    return known.state;
  }
  const g: Guarded = { state: opts.state ?? stdoutState, escaper: opts.terminal ? new TerminalEscaper() : null };
  guarded.set(stream, g);
  const { state } = g;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') state.closedByReader = true;
    else state.error ??= err;
  });
  const write = stream.write.bind(stream) as WriteFn;
  const patched: WriteFn = (chunk, encoding, cb) => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    if (state.closedByReader || state.error) {
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    }
    if (g.escaper && (typeof chunk === 'string' || chunk instanceof Uint8Array)) {
      // Text passed with another encoding than UTF-8 is decoded first: the escaper works on text.
      const text = typeof chunk === 'string' && typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding as BufferEncoding) : chunk;
      return write(g.escaper.push(text as string | Uint8Array), 'utf8', callback);
    }
    return write(chunk, encoding, cb);
  };
  (stream as unknown as { write: WriteFn }).write = patched;
  // A final lone `\r` was held back waiting for a `\n`: show it (terminal writes are synchronous).
  process.once('exit', () => {
    const rest = g.escaper?.end();
    if (rest && !state.closedByReader && !state.error) write(rest, 'utf8');
  });
  return state;
}
