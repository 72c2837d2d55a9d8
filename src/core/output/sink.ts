/**
 * Where an export's text goes: a file or standard output. A file is checked by the output guard
 * (guard.ts), written as FILE.partial-PID (created exclusively: an existing name, or a link
 * planted there, is never written through), and placed atomically when complete (atomic.ts); the
 * partial is removed on an error and on any exit before that (partials.ts). Writes wait for the
 * stream to drain, so memory stays bounded however large the export.
 */
import { createWriteStream, openSync, rmSync, type WriteStream } from 'node:fs';
import { safeText } from '../sanitize.js';
import { partialPath, placeFile } from './atomic.js';
import { OutputError } from './errors.js';
import type { OutputGuard } from './guard.js';
import { trackPartial, untrackPartial } from './partials.js';
import { stdoutState } from './stdout.js';

export interface Sink {
  /** Resolves once the stream can take more. */
  write(text: string): Promise<void>;
  /** Flushes and (for files) places the file under its name. */
  close(): Promise<void>;
  /** Removes a partial file. */
  abort(): void;
  readonly bytes: number;
  /** Set when the reader went away (EPIPE on stdout, e.g. `| head`): stop writing. */
  readonly closedByReader: boolean;
}

class StreamSink implements Sink {
  bytes = 0;
  private epipe = false;
  private error: Error | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onClose: () => void,
    private readonly onAbort: () => void,
    private readonly ownsStream: boolean,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.epipe = true;
      else this.error = err;
    });
  }

  get closedByReader(): boolean {
    return this.epipe || (!this.ownsStream && stdoutState.closedByReader);
  }

  private failure(): Error | null {
    return this.error ?? (!this.ownsStream ? stdoutState.error : null);
  }

  async write(text: string): Promise<void> {
    const failed = this.failure();
    if (failed) throw failed;
    if (this.closedByReader || text === '') return;
    this.bytes += Buffer.byteLength(text);
    const ok = this.stream.write(text);
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
    }
    const after = this.failure();
    if (after) throw after;
  }

  async close(): Promise<void> {
    const failed = this.failure();
    if (failed) throw failed;
    if (this.ownsStream) {
      await new Promise<void>((resolve, reject) => {
        (this.stream as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
    }
    const after = this.failure();
    if (after) throw after;
    this.onClose();
  }

  abort(): void {
    if (this.ownsStream) (this.stream as WriteStream).destroy();
    this.onAbort();
  }
}

/** Standard output (the CLI guards it: see stdout.ts). */
export function stdoutSink(): Sink {
  return new StreamSink(process.stdout, () => {}, () => {}, false);
}

/** A new file at `path`, checked by `guard`; it appears under its name only on close(). */
export function fileSink(path: string, guard: OutputGuard): Sink {
  const abs = guard.checkFile(path);
  const partial = partialPath(abs);
  let fd: number;
  try {
    // 'wx' = O_CREAT|O_EXCL: a leftover or planted file (or link) under the partial's name is an
    // error, never written through — and never removed, since this process did not create it.
    fd = openSync(partial, 'wx');
  } catch (err) {
    throw new OutputError(`cannot write ${safeText(abs)}: cannot create ${safeText(partial)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  trackPartial(partial);
  const stream = createWriteStream(partial, { fd, highWaterMark: 1 << 20 });
  const remove = () => {
    rmSync(partial, { force: true });
    untrackPartial(partial);
  };
  return new StreamSink(
    stream,
    () => {
      try {
        placeFile(partial, abs);
      } catch (err) {
        remove();
        throw err;
      }
      untrackPartial(partial);
    },
    remove,
    true,
  );
}

/** A sink for `path`, or standard output when path is undefined or '-'. */
export function openSink(path: string | undefined, guard: OutputGuard): Sink {
  return path === undefined || path === '-' ? stdoutSink() : fileSink(path, guard);
}

/** Runs `fn` with an open sink; a file appears under its name only when `fn` succeeded. */
export async function withSink<T>(path: string | undefined, guard: OutputGuard, fn: (sink: Sink) => Promise<T>): Promise<T> {
  const sink = openSink(path, guard);
  try {
    const r = await fn(sink);
    await sink.close();
    return r;
  } catch (err) {
    sink.abort();
    throw err;
  }
}
