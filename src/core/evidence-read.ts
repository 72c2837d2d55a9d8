/**
 * The one way dwell opens an evidence file, for every command (ingest, sniff, verify, the TUI's
 * detail view). Custody rules it enforces:
 *
 * - Only regular files are opened. A named pipe blocks the opener until someone writes to it, and
 *   opening a device can have effects of its own, so the type is checked with `stat` first and the
 *   file is opened with O_NONBLOCK (a pipe swapped in after the check cannot block either), then
 *   checked again on the descriptor.
 * - Read-only, and without updating the access time: O_NOATIME where the OS allows it (Linux, as
 *   root or the file's owner). Where it does not, the access time is put back after reading when
 *   that can be done without touching the modification time (setting one sets both, at microsecond
 *   precision, so a modification time with nanoseconds is never rewritten: the access time then
 *   stays as the OS left it). On a read-only or noatime mount neither matters.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream, promises as fsp, type BigIntStats } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FsPath } from './evidence-path.js';

const O_NOATIME = (constants as Record<string, number>).O_NOATIME ?? 0;
const O_NONBLOCK = (constants as Record<string, number>).O_NONBLOCK ?? 0;

/** The path is there but is not a regular file; it was not opened. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREGULAR';
  constructor(readonly kind: string) {
    super(`${kind}, not a regular file: not opened`);
  }
}

/** What a non-regular file is, in words ('named pipe (FIFO)', 'socket', …); null for a regular file. */
export function fileKind(st: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean }): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'an unknown kind of file';
}

export interface EvidenceOpenOptions {
  /** Use O_NOATIME when the OS has it (default true; false exercises the restore path). */
  noatime?: boolean;
}

export interface EvidenceHandle {
  handle: fsp.FileHandle;
  /** fstat of the open descriptor (nanosecond times). */
  stats: BigIntStats;
  /** A stream of the whole file from byte 0; closing the stream closes the file (see `close`). */
  stream(opts?: { highWaterMark?: number }): Readable;
  /** Closes the file, first putting its access time back if reading moved it (see above). */
  close(): Promise<void>;
}

/** Opens an evidence file for reading; throws NotRegularFileError (without opening) for anything but a regular file. */
export async function openEvidenceReadOnly(path: FsPath, opts: EvidenceOpenOptions = {}): Promise<EvidenceHandle> {
  const before = await fsp.stat(path);
  const kind = fileKind(before);
  if (kind) throw new NotRegularFileError(kind);
  const base = constants.O_RDONLY | O_NONBLOCK;
  let handle: fsp.FileHandle | null = null;
  let noatime = false;
  if (O_NOATIME && opts.noatime !== false) {
    try {
      handle = await fsp.open(path, base | O_NOATIME);
      noatime = true;
    } catch (err) {
      // EPERM: not the owner. Anything else (ENOENT, EACCES) is the same with or without the flag.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  handle ??= await fsp.open(path, base);
  let stats: BigIntStats;
  try {
    stats = await handle.stat({ bigint: true });
    const swapped = fileKind(stats);
    if (swapped) throw new NotRegularFileError(swapped);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  const fh = handle;
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      if (!noatime) await restoreAccessTime(fh, stats).catch(() => undefined);
      await fh.close().catch(() => undefined);
    })());
  return {
    handle: fh,
    stats,
    stream(s = {}) {
      const raw = createReadStream('', { fd: fh, start: 0, highWaterMark: s.highWaterMark ?? 1 << 20, autoClose: false });
      // autoClose is off (the handle is ours to close, after the access-time check): close on
      // whichever comes first, the end of the data, an error, or the reader destroying the stream.
      for (const ev of ['end', 'error', 'close']) raw.once(ev, () => void close());
      return raw;
    },
    close,
  };
}

/**
 * Puts the access time back when reading moved it, only if the modification time survives the
 * round trip through `futimes` (microsecond precision) unchanged.
 */
export async function restoreAccessTime(fh: fsp.FileHandle, before: BigIntStats): Promise<void> {
  const now = await fh.stat({ bigint: true });
  if (now.atimeNs === before.atimeNs) return;
  if (now.mtimeNs !== before.mtimeNs) return; // someone else is writing it: not ours to touch
  const mtime = exactSeconds(before.mtimeNs);
  if (mtime === null) return;
  await fh.utimes(secondsOf(before.atimeNs), mtime);
}

function secondsOf(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

/** The number of seconds libuv turns back into exactly `ns` (it keeps microseconds, truncated), or null. */
function exactSeconds(ns: bigint): number | null {
  if (ns < 0n || ns % 1000n !== 0n) return null;
  const sec = ns / 1_000_000_000n;
  const us = (ns % 1_000_000_000n) / 1000n;
  const t = Number(sec) + Number(us) / 1e6;
  // libuv: tv_sec = (long) t; tv_nsec = (t - tv_sec) * 1e9, truncated to whole microseconds.
  const tsec = Math.trunc(t);
  let tns = Math.trunc((t - tsec) * 1e9);
  tns -= tns % 1000;
  return BigInt(tsec) === sec && BigInt(tns) === us * 1000n ? t : null;
}

/** The read made no progress for this long: the device or network file system has stalled. */
export class EvidenceStallError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly ms: number) {
    super(`no data for ${Math.round(ms / 1000)} s while reading: gave up (timed out)`);
  }
}

/** Default stall limit for hashing: a local disk never pauses this long, a hung mount does. */
export const DEFAULT_STALL_MS = 30_000;

/** SHA-256 of a stream's bytes; rejects with EvidenceStallError when no chunk arrives for `stallMs` (0: no limit). */
export function hashStream(stream: Readable, stallMs = DEFAULT_STALL_MS): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      // setTimeout fires at once for delays beyond 2^31-1 ms: treat those as no limit too.
      if (!(stallMs > 0 && stallMs < 2 ** 31)) return;
      timer = setTimeout(() => {
        stream.destroy();
        reject(new EvidenceStallError(stallMs));
      }, stallMs);
    };
    arm();
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      arm();
    });
    stream.once('end', () => {
      clearTimeout(timer);
      resolve({ sha256: hash.digest('hex'), bytes });
    });
    stream.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** SHA-256 of an evidence file (regular files only, access time kept, stall timeout). */
export async function hashEvidence(path: FsPath, opts: EvidenceOpenOptions & { stallMs?: number } = {}): Promise<string> {
  const ev = await openEvidenceReadOnly(path, opts);
  try {
    return (await hashStream(ev.stream(), opts.stallMs)).sha256;
  } finally {
    await ev.close();
  }
}

/**
 * Reads `length` bytes at `offset` of an evidence file (the TUI's "do the bytes still match"),
 * giving up after `stallMs` without data (default 30 s; a hung mount must not hang the caller).
 */
export async function readEvidenceRange(path: FsPath, offset: number, length: number, opts: EvidenceOpenOptions & { stallMs?: number } = {}): Promise<Buffer> {
  const ev = await openEvidenceReadOnly(path, opts);
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const stall = new Promise<never>((_, reject) => {
    // setTimeout fires at once for delays beyond 2^31-1 ms: treat those as no limit.
    if (stallMs > 0 && stallMs < 2 ** 31)
      timer = setTimeout(() => {
        stalled = true;
        reject(new EvidenceStallError(stallMs));
      }, stallMs);
  });
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await Promise.race([ev.handle.read(buf, 0, length, offset), stall]);
    return buf.subarray(0, bytesRead);
  } finally {
    clearTimeout(timer);
    // After a stall the read is still stuck in the thread pool and close() would wait for it:
    // the error is reported now, the descriptor closed whenever the read comes back.
    const closed = ev.close();
    if (!stalled) await closed;
  }
}
