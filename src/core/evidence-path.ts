/**
 * File names are bytes. Linux lets a name hold a newline, an escape sequence or bytes that are not
 * UTF-8, and Node's string APIs replace such bytes with U+FFFD — a path that no longer opens the
 * file. dwell therefore walks evidence with byte names and keeps two forms of each path:
 *
 * - the display form, stored in `evidence.path` / `abs_path`: the name decoded as UTF-8, with each
 *   byte that is not part of valid UTF-8 written as `\xNN` (four ASCII characters). Control
 *   characters stay as they are (they are valid UTF-8) and are escaped only when printed.
 * - the exact bytes, for names that are not valid UTF-8 only: `evidence.info.abs_path_hex`, the
 *   absolute path's bytes in hex. `fsPathOfEvidence` turns a stored row back into a path that
 *   opens the same file.
 */
import { isUtf8 } from 'node:buffer';

/** A path as the OS sees it: a string when its bytes are valid UTF-8, the raw bytes otherwise. */
export type FsPath = string | Buffer;

/** The string form of a path's bytes (lossless for valid UTF-8; `\xNN` for each invalid byte). */
export function displayPath(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i);
    if (n > 0) {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    } else {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The form fs calls take: the string when it is the exact name, the bytes otherwise. */
export function fsPathOf(bytes: Buffer): FsPath {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

/** What the evidence row's `info` must carry so the path can be opened again (empty for UTF-8 names). */
export function pathInfo(path: FsPath): { abs_path_hex?: string } {
  return typeof path === 'string' ? {} : { abs_path_hex: path.toString('hex') };
}

/** The path that opens a recorded evidence file: `info.abs_path_hex` when present, else `abs_path`. */
export function fsPathOfEvidence(absPath: string, info: unknown): FsPath {
  let parsed = info;
  if (typeof info === 'string') {
    try {
      parsed = JSON.parse(info);
    } catch {
      parsed = null;
    }
  }
  const hex = parsed && typeof parsed === 'object' ? (parsed as { abs_path_hex?: unknown }).abs_path_hex : undefined;
  return typeof hex === 'string' && /^(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, 'hex') : absPath;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) (n = 2), (min = 0x80);
  else if (c >= 0xe0 && c <= 0xef) (n = 3), (min = 0x800);
  else if (c >= 0xf0 && c <= 0xf4) (n = 4), (min = 0x10000);
  else return 0;
  if (i + n > b.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const cc = b[i + k]!;
    if ((cc & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}
