/**
 * Reads one evidence file once: opened through openEvidenceReadOnly (regular files only, access
 * time kept), every raw byte
 * hashed with SHA-256 in the same pass that decompresses and parses it. Compression is detected
 * from magic bytes, not the file name.
 *
 * Decompression is bounded: the next compressed slice is decoded only once the reader has taken
 * what the previous one produced (memory stays flat whatever the ratio), and a file expanding more
 * than `maxRatio`:1 stops with a DecodeError of kind `ratio` instead of keeping dwell busy for
 * hours (a 1 MB gzip of newlines is 1 GB; a 3 KB bzip2 is 4 GB). Whatever stops the decoding — a
 * truncated or damaged file, the ratio — the bytes decoded before it are delivered, then the error,
 * the same on every run; and the rest of the raw file is still read so the SHA-256 is the file's.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FsPath } from '../core/evidence-path.js';
import { openEvidenceReadOnly } from '../core/evidence-read.js';
import { createDecoder, DecodeError, describeDecodeError, type Decoder } from './decompress.js';

export { DecodeError } from './decompress.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zip';

export interface OpenEvidenceOptions {
  /** Largest decompressed:compressed ratio read before stopping (0 = no limit). */
  maxRatio?: number;
}

/** 1 GB from a 1 MB file: no log compresses that well (timestamps alone keep real logs under ~50:1). */
export const DEFAULT_MAX_RATIO = 1000;
/** The ratio is judged only past this much output: a small file may expand as it likes. */
export const RATIO_FLOOR_BYTES = 16 * 1024 * 1024;
/** Compressed bytes decoded at a time: bounds the output one step can produce (gzip ≤ 1032:1). */
const SLICE = 16 * 1024;
/** Decoded bytes held for the reader before decoding pauses. */
const QUEUE_BYTES = 2 * 1024 * 1024;

export interface EvidenceStream {
  compression: Compression;
  /** The decompressed bytes. Iteration throws (a DecodeError when decoding failed) after the last byte read. */
  data: AsyncIterable<Buffer>;
  /** Resolves once every raw byte has been read: the file's SHA-256 and size as read. */
  digest: Promise<{ sha256: string; bytes: number }>;
  /** Raw bytes read so far (progress). */
  rawBytesRead(): number;
  /** Decompressed bytes delivered so far. */
  bytesOut(): number;
  /** Stop delivering data; the raw bytes are still read to the end so the digest is the file's. */
  skipRest(): void;
  /** Stop reading (the digest then reflects only what was read and must not be recorded). */
  destroy(): void;
}

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head.length >= 6 && head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'xz';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  return 'none';
}

const HEAD_BYTES = 8;

export async function openEvidence(path: FsPath, opts: OpenEvidenceOptions = {}): Promise<EvidenceStream> {
  const maxRatio = opts.maxRatio ?? DEFAULT_MAX_RATIO;
  const file = await openEvidenceReadOnly(path);
  // Read the magic bytes through the same descriptor (positional read; the stream starts at 0).
  const head = Buffer.alloc(HEAD_BYTES);
  let bytesRead: number;
  try {
    ({ bytesRead } = await file.handle.read(head, 0, HEAD_BYTES, 0));
  } catch (err) {
    await file.close();
    throw err;
  }
  const compression = detectCompression(head.subarray(0, bytesRead));
  const raw = file.stream({ highWaterMark: 1 << 20 });
  const hash = createHash('sha256');
  let rawBytes = 0;
  let resolveDigest!: (d: { sha256: string; bytes: number }) => void;
  let rejectDigest!: (e: Error) => void;
  const digest = new Promise<{ sha256: string; bytes: number }>((res, rej) => {
    resolveDigest = res;
    rejectDigest = rej;
  });
  // Callers that stop early never await the digest; keep that from being an unhandled rejection.
  digest.catch(() => undefined);
  const hasher = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      rawBytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      resolveDigest({ sha256: hash.digest('hex'), bytes: rawBytes });
      cb();
    },
  });
  raw.on('error', (err) => {
    rejectDigest(err);
    hasher.destroy(err);
  });
  raw.pipe(hasher);

  // Decoded bytes waiting for the reader, and the two sides' wake-ups.
  const queue: Buffer[] = [];
  let queued = 0;
  let out = 0;
  let finished = false;
  let failure: Error | null = null;
  let skipped = false;
  let destroyed = false;
  let wakeReader: (() => void) | null = null;
  let wakeFeeder: (() => void) | null = null;
  const wake = (w: (() => void) | null) => w?.();
  const deliver = (chunk: Buffer) => {
    if (skipped || destroyed) return;
    queue.push(chunk);
    queued += chunk.length;
    out += chunk.length;
    const w = wakeReader;
    wakeReader = null;
    wake(w);
  };
  const room = async () => {
    while (queued >= QUEUE_BYTES && !skipped && !destroyed) await new Promise<void>((r) => (wakeFeeder = r));
  };

  let decoder: Decoder | null = null;
  let decodeFailure: DecodeError | null = null;
  if (compression === 'gzip' || compression === 'bzip2' || compression === 'xz') {
    const codec = compression;
    decoder = createDecoder(codec, {
      onData(chunk) {
        deliver(chunk);
        if (maxRatio > 0 && out > RATIO_FLOOR_BYTES && out > maxRatio * Math.max(decoder!.consumed(), 1)) {
          const consumed = decoder!.consumed();
          decodeFailure = new DecodeError(
            `decompression stopped at ${Math.round(out / Math.max(consumed, 1))}:1 (${mib(out)} from ${kib(consumed)} of ${codec} data; limit ${maxRatio}:1), as a decompression bomb does`,
            'ratio',
          );
          decoder!.stop();
        }
      },
      onError(err) {
        decodeFailure ??= describeDecodeError(codec, err);
      },
    });
  }

  // One loop reads the raw file to its end (the hash needs every byte) and feeds the decoder, a
  // slice at a time, while the decoder is healthy and the reader keeps up.
  const feed = async () => {
    try {
      for await (const chunk of hasher as AsyncIterable<Buffer>) {
        if (destroyed) return;
        if (skipped || decodeFailure) continue;
        if (!decoder) {
          deliver(chunk);
          await room();
          continue;
        }
        for (let at = 0; at < chunk.length && !decodeFailure && !skipped && !destroyed; at += SLICE) {
          await decoder.write(chunk.subarray(at, at + SLICE));
          await room();
        }
      }
      if (decoder && !decodeFailure && !skipped && !destroyed) await decoder.end();
      failure = decodeFailure;
    } catch (err) {
      failure = err as Error;
    } finally {
      // However the loop ended, the decoder lets go of what it holds (decompress.ts: xz's lock).
      decoder?.close();
      finished = true;
      const w = wakeReader;
      wakeReader = null;
      wake(w);
    }
  };
  void feed();

  const data: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator](): AsyncIterator<Buffer> {
      let thrown = false;
      return {
        async next(): Promise<IteratorResult<Buffer>> {
          for (;;) {
            if (skipped || destroyed) return { done: true, value: undefined };
            const chunk = queue.shift();
            if (chunk) {
              queued -= chunk.length;
              if (queued < QUEUE_BYTES) {
                const w = wakeFeeder;
                wakeFeeder = null;
                wake(w);
              }
              return { done: false, value: chunk };
            }
            if (finished) {
              if (failure && !thrown) {
                thrown = true;
                throw failure;
              }
              return { done: true, value: undefined };
            }
            await new Promise<void>((r) => (wakeReader = r));
          }
        },
        async return(): Promise<IteratorResult<Buffer>> {
          return { done: true, value: undefined };
        },
      };
    },
  };

  const release = () => {
    queue.length = 0;
    queued = 0;
    const f = wakeFeeder;
    const r = wakeReader;
    wakeFeeder = null;
    wakeReader = null;
    wake(f);
    wake(r);
  };
  return {
    compression,
    data,
    digest,
    rawBytesRead: () => rawBytes,
    bytesOut: () => out,
    skipRest() {
      if (skipped) return;
      skipped = true;
      decoder?.close();
      release();
    },
    destroy() {
      destroyed = true;
      decoder?.close();
      release();
      raw.destroy();
      hasher.destroy();
    },
  };
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}
