/**
 * Decoders for compressed evidence (gzip, bzip2, xz) behind one small interface, and the words
 * for what went wrong. Each decoder hands its output to `onData` as soon as it is produced and is
 * never paused: nothing decoded sits in a stream buffer that an error could discard, so a
 * truncated file yields the same bytes (and so the same events and ids) on every run, whatever
 * the timing. Back-pressure is applied by the caller on the input side instead (evidence-reader).
 */
import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const require = createRequire(import.meta.url);

export type Codec = 'gzip' | 'bzip2' | 'xz';

/** Why decoding stopped before the end of the data. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly kind: 'truncated' | 'corrupt' | 'ratio',
  ) {
    super(message);
  }
}

export interface Decoder {
  /** Feeds compressed bytes; resolves when the decoder can take more. */
  write(chunk: Buffer): Promise<void>;
  /** No more input; resolves once every output byte was handed to onData (or on error). */
  end(): Promise<void>;
  /** Compressed bytes consumed so far (an upper bound where the library does not say). */
  consumed(): number;
  /** Stops decoding now (called from inside onData); no more output is handed over. */
  stop(): void;
}

export interface DecoderHooks {
  onData(chunk: Buffer): void;
  onError(err: Error): void;
}

/** Thrown from bzip2's output callback to break out of its synchronous decode loop. */
const STOP = new Error('dwell: decoding stopped');

export function createDecoder(codec: Codec, hooks: DecoderHooks): Decoder {
  let fed = 0;
  let stopped = false;
  let failed = false;
  const onError = (err: Error) => {
    if (failed || err === STOP || stopped) return;
    failed = true;
    hooks.onError(err);
  };

  let input: NodeJS.WritableStream & { destroy(): void };
  let output: Readable;
  let consumed = () => fed;
  let stop: () => void;
  if (codec === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    input = gunzip;
    output = gunzip;
    // zlib counts the input it has actually inflated: the ratio check is exact for gzip.
    consumed = () => gunzip.bytesWritten;
    stop = () => gunzip.destroy();
  } else if (codec === 'bzip2') {
    const unbzip2 = (require('unbzip2-stream') as () => NodeJS.ReadWriteStream & Readable)();
    input = unbzip2;
    output = unbzip2;
    // unbzip2-stream decodes every buffered block in one synchronous loop (all of a small bomb
    // at end()); a throw from its output callback is the only way to break that loop.
    stop = () => {
      throw STOP;
    };
  } else {
    const { XzReadableStream } = require('xz-decompress') as { XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array> };
    const pass = new PassThrough();
    const decoded = Readable.fromWeb(new XzReadableStream(Readable.toWeb(pass) as unknown as ReadableStream<Uint8Array>) as unknown as import('node:stream/web').ReadableStream);
    input = pass;
    output = decoded;
    stop = () => {
      decoded.destroy();
      pass.destroy();
    };
  }

  let ended: (() => void) | null = null;
  const settleEnd = () => {
    const e = ended;
    ended = null;
    e?.();
  };
  output.on('data', (chunk: Buffer) => {
    if (stopped || failed) return;
    hooks.onData(chunk);
  });
  output.on('end', settleEnd);
  output.on('close', settleEnd);
  output.on('error', (err: Error) => {
    onError(err);
    settleEnd();
  });
  (input as unknown as NodeJS.EventEmitter).on('error', (err: Error) => {
    onError(err);
    settleEnd();
  });

  return {
    write(chunk: Buffer): Promise<void> {
      if (stopped || failed) return Promise.resolve();
      fed += chunk.length;
      return new Promise((resolve) => {
        const inp = input as unknown as NodeJS.EventEmitter;
        const outp = output as unknown as NodeJS.EventEmitter;
        const finish = () => {
          inp.off('drain', finish);
          inp.off('close', finish);
          outp.off('close', finish);
          resolve();
        };
        try {
          if (input.write(chunk)) finish();
          else {
            inp.on('drain', finish);
            inp.on('close', finish);
            outp.on('close', finish);
          }
        } catch (err) {
          onError(err as Error);
          finish();
        }
      });
    },
    end(): Promise<void> {
      if (stopped || failed) return Promise.resolve();
      return new Promise((resolve) => {
        ended = resolve;
        try {
          input.end();
        } catch (err) {
          onError(err as Error);
          settleEnd();
        }
      });
    },
    consumed: () => consumed(),
    stop() {
      if (stopped) return;
      stopped = true;
      settleEnd();
      stop();
    },
  };
}

/** The decoder's error in words a responder can act on: truncated, or damaged, and which format. */
export function describeDecodeError(codec: Codec, err: Error): DecodeError {
  if (err instanceof DecodeError) return err;
  const msg = err.message || String(err);
  switch (codec) {
    case 'gzip':
      if (/unexpected end of file/i.test(msg)) return new DecodeError('truncated gzip: the compressed data ends early', 'truncated');
      return new DecodeError(`damaged gzip data (${msg})`, 'corrupt');
    case 'bzip2':
      // unbzip2-stream reads past its buffer (a TypeError) when the data stops mid-block.
      if (err.name === 'Bzip2Error') return new DecodeError(/crc/i.test(msg) ? 'damaged bzip2 data (CRC mismatch)' : 'damaged bzip2 data (not a valid bzip2 block)', 'corrupt');
      return new DecodeError('truncated bzip2: the compressed data ends early (or is damaged)', 'truncated');
    case 'xz': {
      // xz-embedded's return codes: 8 = XZ_BUF_ERROR (input ended), 7 = XZ_DATA_ERROR, 5 = XZ_FORMAT_ERROR.
      const code = Number(/error code (\d+)/.exec(msg)?.[1]);
      if (code === 8) return new DecodeError('truncated xz: the compressed data ends early', 'truncated');
      if (code === 5) return new DecodeError('damaged xz data (not an xz stream)', 'corrupt');
      return new DecodeError(`damaged xz data (${code === 7 ? 'corrupt block' : msg})`, 'corrupt');
    }
  }
}
