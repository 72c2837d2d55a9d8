/**
 * How the TUI's detail view reads an evidence file (re-hash, bytes at an offset) without leaving a
 * trace on it or hanging on it.
 *
 * Stand-in, kept to one file so it can be swapped: helper t-walk's `src/core/evidence-read.ts`
 * gives every command one way to open evidence (`hashEvidence`, `readEvidenceRange`,
 * `NotRegularFileError` — the same names and behaviour as here). Once that is merged, this file's
 * importers take them from there and this file goes.
 *
 * - Regular files only: a named pipe blocks open() until someone writes to it (the detail view then
 *   hung, and with an open() stuck in Node's thread pool `q` could not end the process), and opening
 *   a device can have effects of its own. The type is checked with stat first, the file is opened
 *   with O_NONBLOCK (a pipe swapped in after the check cannot block either) and checked again on
 *   the descriptor.
 * - The access time is left as it was: O_NOATIME where the OS allows it (Linux, as root or the
 *   file's owner); otherwise it is put back after reading, but only when the modification time
 *   survives the round trip through futimes (microseconds) exactly — never rewritten to do so.
 * - A read that makes no progress for `stallMs` (a hung network mount) gives up.
 */
import { createHash } from 'node:crypto';
import { constants, promises as fsp, type BigIntStats } from 'node:fs';

const O_NOATIME = (constants as Record<string, number>).O_NOATIME ?? 0;
const O_NONBLOCK = (constants as Record<string, number>).O_NONBLOCK ?? 0;

/** A local disk never pauses this long; a hung mount does. */
export const DEFAULT_STALL_MS = 30_000;

/** The path is there but is not a regular file; it was not opened. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREGULAR';
  constructor(readonly kind: string) {
    super(`${kind}, not a regular file: not opened`);
  }
}

/** The read made no progress for `ms`. */
export class EvidenceStallError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly ms: number) {
    super(`no data for ${Math.round(ms / 1000)} s while reading: gave up (timed out)`);
  }
}

type StatLike = { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean };

/** What a non-regular file is, in words; null for a regular file. */
export function fileKind(st: StatLike): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}

export interface EvidenceOpenOptions {
  /** Use O_NOATIME when the OS has it (default true; false exercises the restore path). */
  noatime?: boolean;
}

/** Runs `fn` on the open file, then closes it (putting the access time back when it moved). */
async function withEvidence<T>(path: string, opts: EvidenceOpenOptions, fn: (fh: fsp.FileHandle, st: BigIntStats) => Promise<T>): Promise<T> {
  const kind = fileKind(await fsp.stat(path));
  if (kind) throw new NotRegularFileError(kind);
  const flags = constants.O_RDONLY | O_NONBLOCK;
  let fh: fsp.FileHandle | null = null;
  let noatime = false;
  if (O_NOATIME && opts.noatime !== false) {
    try {
      fh = await fsp.open(path, flags | O_NOATIME);
      noatime = true;
    } catch (err) {
      // EPERM: not the file's owner. Any other error is the same with or without the flag.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  fh ??= await fsp.open(path, flags);
  const handle = fh;
  let stalled = false;
  try {
    const st = await handle.stat({ bigint: true });
    const swapped = fileKind(st);
    if (swapped) throw new NotRegularFileError(swapped);
    try {
      return await fn(handle, st);
    } catch (err) {
      stalled = err instanceof EvidenceStallError;
      throw err;
    } finally {
      if (!noatime && !stalled) await restoreAccessTime(handle, st).catch(() => undefined);
    }
  } finally {
    // After a stall the read is still stuck in the thread pool and close() would wait for it: the
    // error is reported now, the descriptor closed whenever the read comes back.
    const closed = handle.close().catch(() => undefined);
    if (!stalled) await closed;
  }
}

async function restoreAccessTime(fh: fsp.FileHandle, before: BigIntStats): Promise<void> {
  const now = await fh.stat({ bigint: true });
  if (now.atimeNs === before.atimeNs) return;
  if (now.mtimeNs !== before.mtimeNs) return; // being written by someone else: not ours to touch
  const mtime = exactSeconds(before.mtimeNs);
  if (mtime === null) return;
  await fh.utimes(Number(before.atimeNs) / 1e9, mtime);
}

/** Seconds that libuv turns back into exactly `ns` (it keeps whole microseconds), or null. */
function exactSeconds(ns: bigint): number | null {
  if (ns < 0n || ns % 1000n !== 0n) return null;
  const sec = ns / 1_000_000_000n;
  const us = (ns % 1_000_000_000n) / 1000n;
  const t = Number(sec) + Number(us) / 1e6;
  const tsec = Math.trunc(t);
  let tns = Math.trunc((t - tsec) * 1e9);
  tns -= tns % 1000;
  return BigInt(tsec) === sec && BigInt(tns) === us * 1000n ? t : null;
}

/** Reads `length` bytes at `position`, giving up after `stallMs` without progress. */
async function readStalled(fh: fsp.FileHandle, buf: Buffer, length: number, position: number, stallMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    if (stallMs > 0 && stallMs < 2 ** 31) timer = setTimeout(() => reject(new EvidenceStallError(stallMs)), stallMs);
  });
  try {
    return (await Promise.race([fh.read(buf, 0, length, position), stall])).bytesRead;
  } finally {
    clearTimeout(timer);
  }
}

/** SHA-256 of an evidence file: regular files only, access time kept, stall timeout. */
export async function hashEvidence(path: string, opts: EvidenceOpenOptions & { stallMs?: number } = {}): Promise<string> {
  return withEvidence(path, opts, async (fh) => {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (let pos = 0; ; ) {
      const n = await readStalled(fh, buf, buf.length, pos, opts.stallMs ?? DEFAULT_STALL_MS);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    return hash.digest('hex');
  });
}

/** `length` bytes at `offset` of an evidence file (fewer at its end): same rules as hashEvidence. */
export async function readEvidenceRange(path: string, offset: number, length: number, opts: EvidenceOpenOptions & { stallMs?: number } = {}): Promise<Buffer> {
  return withEvidence(path, opts, async (fh) => {
    const buf = Buffer.alloc(length);
    const n = await readStalled(fh, buf, length, offset, opts.stallMs ?? DEFAULT_STALL_MS);
    return buf.subarray(0, n);
  });
}
