/**
 * The detail view's re-hash of an evidence file: does it still hash to the SHA-256 recorded at
 * ingest? The same check as `dwell verify` (store/verify.ts: regular files only, access time kept,
 * a stalled read given up), on the path that opens the file (the exact bytes of a name that is
 * not UTF-8).
 */
import { verifyOne, type VerifyResult } from '../../store/verify.js';
import { verifyPrefix } from '../../store/verify-extents.js';
import type { EvidenceInfo } from './types.js';

export async function verifyEvidenceFile(ev: EvidenceInfo, opts: { stallMs?: number } = {}): Promise<VerifyResult> {
  if (ev.followed && ev.size !== null && ev.sha256) {
    // A file followed by dwell watch: the recorded hash covers the bytes read, not what was appended since.
    const base = { evidenceId: ev.evidenceId, path: ev.path, absPath: ev.absPath, recordedSha256: ev.sha256 };
    try {
      const c = await verifyPrefix(ev.fsPath, ev.size, ev.sha256, []);
      return { ...base, state: c.ok ? 'OK' : 'CHANGED', currentSha256: c.sha256, detail: c.detail };
    } catch (err) {
      return { ...base, state: 'MISSING', currentSha256: null, detail: `cannot read: ${(err as Error).message}` };
    }
  }
  return verifyOne(ev.evidenceId, ev.path, ev.absPath, ev.sha256 ?? '', { ...opts, fsPath: ev.fsPath });
}
