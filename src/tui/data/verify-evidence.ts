/**
 * The detail view's re-hash of an evidence file: does it still hash to the SHA-256 recorded at
 * ingest? Same answers as `dwell verify` (OK, CHANGED, MISSING), read through evidence-read.ts —
 * regular files only (a pipe now at the recorded path is CHANGED, never opened), access time
 * kept, a stalled read given up.
 */
import { promises as fsp } from 'node:fs';
import type { VerifyResult } from '../../store/verify.js';
import { fileKind, hashEvidence, NotRegularFileError } from './evidence-read.js';
import type { EvidenceInfo } from './types.js';

export async function verifyEvidenceFile(ev: EvidenceInfo, opts: { stallMs?: number } = {}): Promise<VerifyResult> {
  const base = { evidenceId: ev.evidenceId, path: ev.path, absPath: ev.absPath, recordedSha256: ev.sha256 ?? '' };
  const notRegular = (kind: string): VerifyResult => ({ ...base, state: 'CHANGED', currentSha256: null, detail: `now ${kind}, not a regular file: not read` });
  try {
    const kind = fileKind(await fsp.stat(ev.absPath));
    if (kind) return notRegular(kind);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ...base, state: 'MISSING', currentSha256: null, detail: code === 'ENOENT' || code === 'ENOTDIR' ? 'no file at the recorded path' : `cannot read: ${(err as Error).message}` };
  }
  try {
    const current = await hashEvidence(ev.absPath, opts);
    return current === ev.sha256
      ? { ...base, state: 'OK', currentSha256: current, detail: null }
      : { ...base, state: 'CHANGED', currentSha256: current, detail: `now ${current.slice(0, 16)}…` };
  } catch (err) {
    if (err instanceof NotRegularFileError) return notRegular(err.kind);
    return { ...base, state: 'MISSING', currentSha256: null, detail: `cannot read: ${(err as Error).message}` };
  }
}
