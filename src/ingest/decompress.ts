/**
 * Decoders for compressed evidence (gzip, bzip2, xz) behind one small interface, and the words
 * for what went wrong. Each decoder hands its output to `onData` as soon as it is produced and is
 * never paused: nothing decoded sits in a stream buffer that an error could discard, so a
 * truncated file yields the same bytes (and so the same events and ids) on every run, whatever
 * the timing. Back-pressure is applied by the caller on the input side instead (evidence-reader).
 *
 * Every decoder must be closed, read to its end or not: xz-decompress lets one decoder run at a
 * time per thread (a lock taken when its stream starts, released only at the end of the data, on
 * an error or on cancel). One left open — a reader that stopped after the head, a file declined
 * by the fast path — kept every later .xz of the thread waiting forever: in-process ingest (tests,
 * `--workers 0`) and `dwell sniff` ended with no report and exit 0, a parse worker stopped at its
 * next .xz.
 */
import { createRequire } from 'node:module';
import { createGunzip } from 'node:zlib';
import { Bzip2Decoder } from './bzip2-decoder.js';

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
  /**
   * The reader is done with this decoder, whatever its state (ended, stopped, failed or
   * mid-stream): no more output, and what it holds is let go. Idempotent; not from inside onData.
   */
  close(): void;
}

export interface DecoderHooks {
  onData(chunk: Buffer): void;
  onError(err: Error): void;
}

/**
 * bzip2 without a stream: the block decoder hands its output over in 64 KiB pieces as it goes
 * (bzip2-decoder.ts), so a bomb is stopped at the ratio limit mid-block, in bounded memory.
 */
function bzip2(hooks: DecoderHooks): Decoder {
  let stopped = false;
  let failed = false;
  const dec = new Bzip2Decoder({
    onData: (chunk) => {
      if (!stopped && !failed) hooks.onData(chunk);
    },
    onError: (err) => {
      if (stopped || failed) return;
      failed = true;
      hooks.onError(err);
    },
  });
  return {
    write: async (chunk) => {
      if (!stopped && !failed) dec.write(chunk);
    },
    end: async () => {
      if (!stopped && !failed) dec.end();
    },
    consumed: () => dec.fed(),
    stop() {
      if (stopped) return;
      stopped = true;
      dec.stop();
    },
    close() {
      // The block decoder runs inside write()/end() only: nothing is held between calls.
      stopped = true;
    },
  };
}

/**
 * xz through xz-decompress (WebAssembly), driven through web streams without Node's adapters:
 * Readable.toWeb's enqueue throws "Controller is already closed" (uncaught) when the decoder is
 * cancelled while its input still holds data. The decoder's stream is made on the first byte
 * written, so a decoder opened and closed unused (the fast path declining a .xz) never takes the
 * library's lock nor a decoding context; close() cancels a started one, which releases both.
 */
function xz(hooks: DecoderHooks): Decoder {
  let fed = 0;
  let stopped = false;
  let failed = false;
  /** The decoder's output is over (end of data, error, cancel): writes no longer wait. */
  let over = false;
  let input!: ReadableStreamDefaultController<Uint8Array>;
  let output: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let pumped: Promise<void> = Promise.resolve();
  let wantsMore: (() => void) | null = null;
  const wake = () => {
    const w = wantsMore;
    wantsMore = null;
    w?.();
  };
  const open = (): void => {
    if (output) return;
    const { XzReadableStream } = require('xz-decompress') as { XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array> };
    // One compressed slice waits in the queue: the next write resolves when the decoder pulls it.
    const compressed = new ReadableStream<Uint8Array>({ start: (c) => void (input = c), pull: wake, cancel: wake }, new CountQueuingStrategy({ highWaterMark: 1 }));
    const reader = new XzReadableStream(compressed).getReader();
    output = reader;
    pumped = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          if (!stopped && !failed) hooks.onData(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        }
      } catch (err) {
        if (stopped || failed) return;
        failed = true;
        hooks.onError(err as Error);
      } finally {
        over = true;
        wake();
      }
    })();
  };
  return {
    async write(chunk) {
      if (stopped || failed) return;
      open();
      if (over) return;
      fed += chunk.length;
      input.enqueue(chunk);
      if ((input.desiredSize ?? 0) > 0) return;
      await new Promise<void>((resolve) => {
        wantsMore = resolve;
        if (over) wake();
      });
    },
    async end() {
      if (stopped || failed) return;
      open();
      if (!over) input.close();
      await pumped;
    },
    consumed: () => fed,
    stop() {
      if (stopped) return;
      stopped = true;
      void output?.cancel().catch(() => undefined);
    },
    close() {
      stopped = true;
      void output?.cancel().catch(() => undefined);
      wake();
    },
  };
}

export function createDecoder(codec: Codec, hooks: DecoderHooks): Decoder {
  if (codec === 'bzip2') return bzip2(hooks);
  if (codec === 'xz') return xz(hooks);
  return gzip(hooks);
}

function gzip(hooks: DecoderHooks): Decoder {
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  let stopped = false;
  let failed = false;
  let ended: (() => void) | null = null;
  const settleEnd = () => {
    const e = ended;
    ended = null;
    e?.();
  };
  gunzip.on('data', (chunk: Buffer) => {
    if (stopped || failed) return;
    hooks.onData(chunk);
  });
  gunzip.on('end', settleEnd);
  gunzip.on('close', settleEnd);
  const fail = (err: Error) => {
    if (failed || stopped) return;
    failed = true;
    hooks.onError(err);
  };
  gunzip.on('error', (err: Error) => {
    fail(err);
    settleEnd();
  });
  const stop = () => {
    stopped = true;
    settleEnd();
    gunzip.destroy();
  };

  return {
    write(chunk: Buffer): Promise<void> {
      if (stopped || failed) return Promise.resolve();
      return new Promise((resolve) => {
        const finish = () => {
          gunzip.off('drain', finish);
          gunzip.off('close', finish);
          resolve();
        };
        try {
          if (gunzip.write(chunk)) finish();
          else {
            gunzip.on('drain', finish);
            gunzip.on('close', finish);
          }
        } catch (err) {
          fail(err as Error);
          finish();
        }
      });
    },
    end(): Promise<void> {
      if (stopped || failed) return Promise.resolve();
      return new Promise((resolve) => {
        ended = resolve;
        try {
          gunzip.end();
        } catch (err) {
          fail(err as Error);
          settleEnd();
        }
      });
    },
    // zlib counts the input it has actually inflated: the ratio check is exact for gzip.
    consumed: () => gunzip.bytesWritten,
    stop,
    close: stop,
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
