/**
 * Where an export's text goes: a file (written as FILE.partial-PID and renamed when complete, so
 * an interrupted export never leaves a truncated file under the requested name) or standard
 * output. Writes wait for the stream to drain, so memory stays bounded however large the export.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';

export interface Sink {
  /** Resolves once the stream can take more. */
  write(text: string): Promise<void>;
  /** Flushes and (for files) renames into place. */
  close(): Promise<void>;
  /** Removes a partial file. */
  abort(): void;
  readonly bytes: number;
  /** Set when the reader went away (EPIPE on stdout, e.g. `| head`): stop writing. */
  readonly closedByReader: boolean;
}

class StreamSink implements Sink {
  bytes = 0;
  closedByReader = false;
  private error: Error | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean },
    private readonly onClose: () => void,
    private readonly onAbort: () => void,
    private readonly ownsStream: boolean,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closedByReader = true;
      else this.error = err;
    });
  }

  async write(text: string): Promise<void> {
    if (this.error) throw this.error;
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
    if (this.error) throw this.error;
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    if (this.ownsStream) {
      await new Promise<void>((resolve, reject) => {
        (this.stream as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
    }
    if (this.error) throw this.error;
    this.onClose();
  }

  abort(): void {
    if (this.ownsStream) (this.stream as WriteStream).destroy();
    this.onAbort();
  }
}

/** A sink for `path`, or standard output when path is undefined or '-'. */
export function openSink(path?: string): Sink {
  if (path === undefined || path === '-') {
    return new StreamSink(process.stdout, () => {}, () => {}, false);
  }
  const partial = `${path}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { highWaterMark: 1 << 20 });
  return new StreamSink(
    stream,
    () => renameSync(partial, path),
    () => rmSync(partial, { force: true }),
    true,
  );
}
