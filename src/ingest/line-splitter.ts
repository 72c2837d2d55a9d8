/**
 * Splits a byte stream into lines with their 1-based number and byte offset. Works on bytes, so
 * offsets are exact whatever the encoding, and a multi-byte character split across chunks is
 * never damaged. A line longer than `maxLineBytes` is cut (its full length is still reported) so
 * one 10 GB "line" of garbage cannot exhaust memory.
 */
import { isUtf8 } from 'node:buffer';

export type LineCallback = (text: string, lineNo: number, offset: number, byteLength: number) => void;

export interface SplitterEvents {
  /** A line whose bytes are not valid UTF-8 (decoded with U+FFFD replacements). */
  invalidUtf8?: (lineNo: number, offset: number) => void;
  /** A line longer than the limit (cut). */
  longLine?: (lineNo: number, offset: number, byteLength: number) => void;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryKept = 0;
  private carryTotal = 0;
  private lineNo = 0;
  private offset = 0;

  constructor(
    private readonly onLine: LineCallback,
    private readonly events: SplitterEvents = {},
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Lines emitted so far. */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carryTotal > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, nl);
      const joined = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryKept);
      const total = this.carryTotal;
      this.carry = [];
      this.carryKept = 0;
      this.carryTotal = 0;
      this.emit(joined, 0, joined.length, total);
      start = nl + 1;
    }
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      const len = nl - start;
      if (len > this.maxLineBytes) this.emit(chunk, start, start + this.maxLineBytes, len);
      else this.emit(chunk, start, nl, len);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk, start, chunk.length);
  }

  /** Flushes a last line without a terminating newline. */
  end(): void {
    if (this.carryTotal > 0) {
      const joined = Buffer.concat(this.carry, this.carryKept);
      const total = this.carryTotal;
      this.carry = [];
      this.carryKept = 0;
      this.carryTotal = 0;
      this.emit(joined, 0, joined.length, total);
    }
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.carryKept;
    const take = Math.min(room, to - from);
    // Copy: the chunk's memory may be reused by the stream.
    if (take > 0) {
      this.carry.push(Buffer.from(chunk.subarray(from, from + take)));
      this.carryKept += take;
    }
    this.carryTotal += to - from;
  }

  private emit(buf: Buffer, from: number, to: number, fullLength: number): void {
    this.lineNo++;
    const offset = this.offset;
    this.offset += fullLength + 1;
    let end = to;
    if (end > from && buf[end - 1] === 13) end--; // CRLF
    let text = buf.toString('utf8', from, end);
    if (text.indexOf('\uFFFD') >= 0 && !isUtf8(buf.subarray(from, end))) this.events.invalidUtf8?.(this.lineNo, offset);
    if (fullLength > to - from) this.events.longLine?.(this.lineNo, offset, fullLength);
    if (text.charCodeAt(0) === 0xfeff && this.lineNo === 1) text = text.slice(1); // BOM
    this.onLine(text, this.lineNo, offset, fullLength);
  }
}
