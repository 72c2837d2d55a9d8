/** Re-hashes recorded evidence files (read-only) and compares with the SHA-256 taken at ingest. */
import { createHash } from 'node:crypto';
import { constants, createReadStream, promises as fsp } from 'node:fs';
import type { CaseDb } from './case-db.js';

export type VerifyState = 'OK' | 'CHANGED' | 'MISSING';

export interface VerifyResult {
  evidenceId: number;
  path: string;
  absPath: string;
  state: VerifyState;
  recordedSha256: string;
  currentSha256: string | null;
  detail: string | null;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const noatime = (constants as Record<string, number>).O_NOATIME ?? 0;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | noatime);
  } catch {
    handle = await fsp.open(path, constants.O_RDONLY);
  }
  for await (const chunk of createReadStream('', { fd: handle, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function verifyOne(evidenceId: number, path: string, absPath: string, recorded: string): Promise<VerifyResult> {
  const base = { evidenceId, path, absPath, recordedSha256: recorded };
  try {
    await fsp.access(absPath, constants.F_OK);
  } catch {
    return { ...base, state: 'MISSING', currentSha256: null, detail: 'no file at the recorded path' };
  }
  try {
    const current = await sha256File(absPath);
    return current === recorded
      ? { ...base, state: 'OK', currentSha256: current, detail: null }
      : { ...base, state: 'CHANGED', currentSha256: current, detail: `now ${current.slice(0, 16)}…` };
  } catch (err) {
    return { ...base, state: 'MISSING', currentSha256: null, detail: `cannot read: ${(err as Error).message}` };
  }
}

/** Every evidence file with a recorded hash (duplicates and unrecognized files included). */
export async function verifyEvidence(db: CaseDb): Promise<VerifyResult[]> {
  const rows = await db.all<{ evidence_id: number; path: string; abs_path: string; sha256: string }>(
    `SELECT evidence_id, path, abs_path, sha256 FROM evidence WHERE sha256 IS NOT NULL ORDER BY evidence_id`,
  );
  const out: VerifyResult[] = [];
  for (const r of rows) out.push(await verifyOne(r.evidence_id, r.path, r.abs_path, r.sha256));
  return out;
}
