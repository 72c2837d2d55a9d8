/**
 * The detail view's re-hash of an evidence file: does it still hash to the SHA-256 recorded at
 * ingest? The same check as `dwell verify` (store/verify.ts: regular files only, access time kept,
 * a stalled read given up), on the path that opens the file (the exact bytes of a name that is
 * not UTF-8).
 */
import { verifyOne, type VerifyResult } from '../../store/verify.js';
import type { EvidenceInfo } from './types.js';

export function verifyEvidenceFile(ev: EvidenceInfo, opts: { stallMs?: number } = {}): Promise<VerifyResult> {
  return verifyOne(ev.evidenceId, ev.path, ev.absPath, ev.sha256 ?? '', { ...opts, fsPath: ev.fsPath });
}
