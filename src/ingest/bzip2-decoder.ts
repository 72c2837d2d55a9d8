/**
 * bzip2 decoding in bounded memory, on unbzip2-stream's block decoder (`lib/bzip2`).
 *
 * Why not the package's stream: it collects each decoded block as a JavaScript array of numbers,
 * one element per output byte, before handing it over. One bzip2 block can expand to ~45 MB (run
 * lengths are encoded twice), so a 1.5 KiB bomb held 1.2 GB of memory before any ratio check could
 * run. Here output goes into a 64 KiB buffer handed to `onData` each time it fills, so the ratio
 * check sees the output as it grows and can stop the decode mid-block (by throwing from onData:
 * the block decoder is one synchronous loop).
 *
 * Bytes of a block are delivered before the block's CRC is checked (as gzip's are before its
 * trailer): a damaged block gives the bytes decoded before the damage, then the error — the same
 * bytes on every run.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface BitReader {
  (n: number | null): number;
  bytesRead: number;
}
interface Bzip2Lib {
  header(bits: BitReader): number;
  decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
}

const bz2 = require('unbzip2-stream/lib/bzip2') as Bzip2Lib;
const bitIterator = require('unbzip2-stream/lib/bit_iterator') as (next: () => Buffer | undefined) => BitReader;

/** Decoded bytes handed over at a time. */
const OUT_CHUNK = 64 * 1024;

export interface Bzip2Sink {
  onData(chunk: Buffer): void;
  onError(err: Error): void;
}

/** Thrown from onData (through `stop`) to end the decode now; not an error of the data. */
export const BZIP2_STOP = new Error('dwell: bzip2 decoding stopped');

export class Bzip2Decoder {
  private readonly input: Buffer[] = [];
  private hasBytes = 0;
  private bits: BitReader | null = null;
  private blockSize = 0;
  private streamCRC: number | null = null;
  private done = false;
  private readonly out = Buffer.allocUnsafe(OUT_CHUNK);
  private n = 0;

  constructor(private readonly sink: Bzip2Sink) {}

  /** Compressed bytes fed so far. */
  fed(): number {
    return this.hasBytes;
  }

  write(chunk: Buffer): void {
    if (this.done) return;
    this.input.push(chunk);
    this.hasBytes += chunk.length;
    this.bits ??= bitIterator(() => this.input.shift());
    // A block is decoded only once all of it can be in the buffer (the decoder cannot wait for
    // more input mid-block): its size is at most 100 kB × the level, plus headers.
    while (!this.done && this.hasBytes - this.bits.bytesRead + 1 >= (25000 + 100000 * this.blockSize || 4)) this.step();
  }

  end(): void {
    while (!this.done && this.bits && this.hasBytes > this.bits.bytesRead) this.step();
    if (this.done) return;
    this.done = true;
    if (this.streamCRC !== null) this.sink.onError(new Error('input stream ended prematurely'));
  }

  /** No more output; call from inside onData, which this throws out of. */
  stop(): never {
    this.done = true;
    throw BZIP2_STOP;
  }

  private emit = (byte: number): void => {
    this.out[this.n++] = byte;
    if (this.n === OUT_CHUNK) this.flush();
  };

  private flush(): void {
    if (!this.n) return;
    const chunk = Buffer.from(this.out.subarray(0, this.n));
    this.n = 0;
    this.sink.onData(chunk);
  }

  private step(): void {
    try {
      if (!this.blockSize) {
        this.blockSize = bz2.header(this.bits!);
        this.streamCRC = 0;
        return;
      }
      const size = 100000 * this.blockSize;
      this.streamCRC = bz2.decompress(this.bits!, this.emit, new Int32Array(size), size, this.streamCRC);
      this.flush();
      // null: the end of this stream; a concatenated stream may follow with its own header.
      if (this.streamCRC === null) this.blockSize = 0;
    } catch (err) {
      const stopped = err === BZIP2_STOP;
      if (!stopped) {
        try {
          this.flush();
        } catch {
          /* stopped while handing over the last bytes */
        }
      }
      this.done = true;
      if (!stopped) this.sink.onError(err as Error);
    }
  }
}
