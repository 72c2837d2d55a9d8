/**
 * One growing text file followed through an open, read-only descriptor: the bytes read so far
 * are hashed as they are read (the running SHA-256 of [0, offset) is the evidence row's hash),
 * and the last bytes read are kept so a change to the part already read is noticed before more
 * is read. The descriptor stays open across a rename (rotation), so the end of a rotated file is
 * read from the file itself, not from whatever now has its name.
 */
import { createHash, type Hash } from 'node:crypto';
import { openEvidenceReadOnly, type EvidenceHandle } from '../core/evidence-read.js';
import type { FsPath } from '../core/evidence-path.js';

/** Bytes kept from the end of what was read, compared before each read. */
const TAIL_BYTES = 4096;
/** Head kept to prime the parser of each extent (headers such as Zeek's `#fields`). */
export const HEAD_BYTES = 64 * 1024;
/** Largest extent read at once; a longer run of bytes without a newline is read up to here. */
// 512 KiB: a backlog is read in steps whose parsed events stay small in the heap (8 MiB of auth.log
// lines held ~100 MB of event objects at once; 2 MiB still ~50 MB of V8 heap in use during a
// burst, issue 15's soak: bench/RESULTS.md).
const MAX_EXTENT = 512 * 1024;

export interface Resume {
  offset: number;
  lines: number;
  events: number;
  extents: number;
  /** SHA-256 recorded for [0, offset). */
  sha256: string;
}

export type Check = { ok: true } | { ok: false; reason: string; shrunk: boolean };

export class FollowedFile {
  offset = 0;
  lines = 0;
  events = 0;
  extents = 0;
  head: Buffer = Buffer.alloc(0);
  private hash: Hash = createHash('sha256');
  private tail: Buffer = Buffer.alloc(0);
  /** Why following stopped (the file was altered); null while followed. */
  stopped: string | null = null;

  private constructor(
    readonly evidenceId: number,
    public path: string,
    public absPath: string,
    readonly dev: number,
    readonly ino: number,
    /** Birth time (ms; 0 where the file system keeps none): tells a new file apart from an old one whose inode it reuses. */
    readonly birth: number,
    readonly format: string,
    readonly fh: EvidenceHandle,
  ) {}

  static async open(evidenceId: number, path: string, absPath: string, fsPath: FsPath, format: string): Promise<FollowedFile> {
    const fh = await openEvidenceReadOnly(fsPath);
    return new FollowedFile(evidenceId, path, absPath, Number(fh.stats.dev), Number(fh.stats.ino), Number(fh.stats.birthtimeMs), format, fh);
  }

  /**
   * Takes up a file stored before: hashes [0, offset) again and compares with the recorded hash,
   * so a file changed while nobody watched is reported instead of being continued.
   */
  async resume(r: Resume): Promise<Check> {
    const size = await this.size();
    if (size < r.offset) return { ok: false, shrunk: true, reason: `it is now ${size} bytes, shorter than the ${r.offset} bytes already read` };
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    let at = 0;
    while (at < r.offset) {
      const { bytesRead } = await this.fh.handle.read(buf, 0, Math.min(buf.length, r.offset - at), at);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      if (at < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - at)]);
      at += bytesRead;
      if (at > r.offset - TAIL_BYTES) this.tail = Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
    }
    const now = hash.copy().digest('hex');
    if (at !== r.offset || now !== r.sha256) return { ok: false, shrunk: false, reason: `the ${r.offset} bytes already read no longer have the recorded SHA-256 (now ${now.slice(0, 16)}…)` };
    this.hash = hash;
    this.offset = r.offset;
    this.lines = r.lines;
    this.events = r.events;
    this.extents = r.extents;
    return { ok: true };
  }

  async size(): Promise<number> {
    const st = await this.fh.handle.stat();
    return st.size;
  }

  async mtimeMs(): Promise<number> {
    return (await this.fh.handle.stat()).mtimeMs;
  }

  /** Is the part already read as it was? (A shrink, or other bytes at its end.) */
  async check(size: number): Promise<Check> {
    if (size < this.offset) return { ok: false, shrunk: true, reason: `it shrank from ${this.offset} to ${size} bytes (truncated: copytruncate rotation or tampering)` };
    if (this.tail.length === 0) return { ok: true };
    const buf = Buffer.alloc(this.tail.length);
    const { bytesRead } = await this.fh.handle.read(buf, 0, buf.length, this.offset - this.tail.length);
    if (bytesRead !== buf.length || !buf.equals(this.tail)) return { ok: false, shrunk: false, reason: `bytes ${this.offset - this.tail.length}–${this.offset} (already read) changed` };
    return { ok: true };
  }

  /**
   * The complete lines appended since the last read (up to the last newline), or null when
   * there are none yet. Nothing is consumed until `advance` is called with the result.
   */
  async readNew(size: number): Promise<{ bytes: Buffer; start: number; end: number } | null> {
    if (size <= this.offset) return null;
    const len = Math.min(size - this.offset, MAX_EXTENT);
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.handle.read(buf, got, len - got, this.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const nl = buf.lastIndexOf(10, got - 1);
    // A line longer than an extent is taken as it is (cut where the extent ends).
    const take = nl >= 0 ? nl + 1 : got === MAX_EXTENT ? got : 0;
    if (take === 0) return null;
    return { bytes: buf.subarray(0, take), start: this.offset, end: this.offset + take };
  }

  /** The SHA-256 of [0, end) once `bytes` are added, without adding them yet. */
  prefixHashWith(bytes: Buffer): string {
    return this.hash.copy().update(bytes).digest('hex');
  }

  /** The extent is stored: move past it. */
  advance(bytes: Buffer, lines: number, events: number): void {
    this.hash.update(bytes);
    if (this.offset < HEAD_BYTES) this.head = Buffer.concat([this.head, bytes.subarray(0, HEAD_BYTES - this.offset)]);
    this.offset += bytes.length;
    this.tail = Buffer.concat([this.tail, bytes]).subarray(-TAIL_BYTES);
    this.lines += lines;
    this.events += events;
    this.extents++;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
