/**
 * Reads one evidence file once: opened through openEvidenceReadOnly (regular files only, access
 * time kept), every raw byte hashed with SHA-256 in the same pass that decompresses and parses it. Compression is detected
 * from magic bytes, not the file name. A decompression error (truncated gzip) stops the parse but
 * not the hash: the rest of the raw file is still read so the recorded SHA-256 is the file's.
 */
import { createHash } from 'node:crypto';
import { Duplex, PassThrough, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createRequire } from 'node:module';
import { openEvidenceReadOnly } from '../core/evidence-read.js';
import type { FsPath } from '../core/evidence-path.js';

const require = createRequire(import.meta.url);

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zip';

export interface EvidenceStream {
  compression: Compression;
  /** The decompressed bytes. Iteration throws on a decompression error. */
  data: Readable;
  /** Resolves once every raw byte has been read: the file's SHA-256 and size as read. */
  digest: Promise<{ sha256: string; bytes: number }>;
  /** Raw bytes read so far (progress). */
  rawBytesRead(): number;
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

export async function openEvidence(path: FsPath): Promise<EvidenceStream> {
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

  let data: Readable;
  if (compression === 'none' || compression === 'zip') {
    data = hasher;
  } else {
    const decompressor = makeDecompressor(compression);
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    hasher.pipe(decompressor);
    decompressor.pipe(out);
    decompressor.on('error', (err) => {
      // Keep hashing the raw bytes the decompressor could not use.
      hasher.unpipe(decompressor);
      hasher.on('data', () => undefined);
      hasher.resume();
      out.destroy(err);
    });
    hasher.on('error', (err) => out.destroy(err));
    data = out;
  }
  return {
    compression,
    data,
    digest,
    rawBytesRead: () => rawBytes,
    destroy: () => {
      raw.destroy();
      data.destroy();
    },
  };
}

function makeDecompressor(c: Compression): NodeJS.ReadWriteStream & Readable {
  switch (c) {
    case 'gzip':
      return createGunzip({ chunkSize: 1 << 18 }) as unknown as NodeJS.ReadWriteStream & Readable;
    case 'bzip2': {
      const unbzip2 = require('unbzip2-stream') as () => NodeJS.ReadWriteStream & Readable;
      return unbzip2();
    }
    case 'xz':
      return xzTransform();
    default:
      throw new Error(`no decompressor for ${c}`);
  }
}

/** xz via xz-decompress (WebAssembly, no native code), bridged from web streams to a Node duplex. */
function xzTransform(): NodeJS.ReadWriteStream & Readable {
  const { XzReadableStream } = require('xz-decompress') as { XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array> };
  const input = new PassThrough();
  const webIn = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
  const decoded = Readable.fromWeb(new XzReadableStream(webIn) as unknown as import('node:stream/web').ReadableStream);
  return Duplex.from({ writable: input, readable: decoded }) as unknown as NodeJS.ReadWriteStream & Readable;
}
