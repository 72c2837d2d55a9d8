/**
 * Verifying a followed file (dwell watch): the file keeps growing after it was read, so its
 * recorded SHA-256 covers the bytes read, [0, size). Those bytes are hashed again, extent by
 * extent: a difference names the first extent that changed (its offset range, so the events it
 * holds are known); bytes appended since the last read are reported, not counted as a change.
 */
import { createHash } from 'node:crypto';
import type { FsPath } from '../core/evidence-path.js';
import { openEvidenceReadOnly } from '../core/evidence-read.js';

export interface Extent {
  start: number;
  end: number;
  sha256: string;
}

export interface PrefixCheck {
  ok: boolean;
  sha256: string;
  /** Bytes in the file beyond the ones read (not yet read, or appended after the watch stopped). */
  grown: number;
  detail: string | null;
}

export async function verifyPrefix(fsPath: FsPath, size: number, recorded: string, extents: Extent[]): Promise<PrefixCheck> {
  const fh = await openEvidenceReadOnly(fsPath);
  try {
    const total = Number(fh.stats.size);
    const whole = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    let firstBad: Extent | null = null;
    const ordered = [...extents].sort((a, b) => a.start - b.start);
    let at = 0;
    for (const x of ordered.length ? ordered : [{ start: 0, end: size, sha256: '' }]) {
      if (x.start !== at || x.end > size) break;
      const part = createHash('sha256');
      while (at < x.end) {
        const { bytesRead } = await fh.handle.read(buf, 0, Math.min(buf.length, x.end - at), at);
        if (bytesRead === 0) break;
        whole.update(buf.subarray(0, bytesRead));
        part.update(buf.subarray(0, bytesRead));
        at += bytesRead;
      }
      if (x.sha256 && (at !== x.end || part.digest('hex') !== x.sha256)) firstBad ??= x;
      if (at !== x.end) break;
    }
    const sha256 = whole.digest('hex');
    const ok = at === size && sha256 === recorded;
    const grown = Math.max(0, total - size);
    if (ok) return { ok, sha256, grown, detail: grown > 0 ? `followed file: the ${size} bytes read are intact; ${grown} bytes appended since` : null };
    const where = firstBad ? `bytes ${firstBad.start}–${firstBad.end} (read as one extent) changed` : total < size ? `now ${total} bytes, shorter than the ${size} read` : `the ${size} bytes read changed`;
    return { ok, sha256, grown, detail: `followed file: ${where}` };
  } finally {
    await fh.close();
  }
}
