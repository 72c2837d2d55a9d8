/**
 * Re-hashes recorded evidence files (read-only, access time kept) and compares with the SHA-256
 * taken at ingest. Only regular files are read: a pipe, socket or device now at a recorded path is
 * reported without being opened (opening a pipe would wait for a writer forever), and a read that
 * stalls (a hung network mount) gives up after a timeout instead of hanging the command.
 */
import { promises as fsp } from 'node:fs';
import { fsPathOfEvidence, type FsPath } from '../core/evidence-path.js';
import { DEFAULT_STALL_MS, fileKind, hashEvidence, NotRegularFileError } from '../core/evidence-read.js';
import type { CaseDb } from './case-db.js';
import { verifyPrefix, type Extent } from './verify-extents.js';

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

export interface VerifyOptions {
  /** Give up on a file when no data arrives for this long (default 30 s). */
  stallMs?: number;
}

/** SHA-256 of an evidence file (see hashEvidence: regular files only, access time kept, stall timeout). */
export async function sha256File(path: FsPath, opts: VerifyOptions = {}): Promise<string> {
  return hashEvidence(path, { stallMs: opts.stallMs ?? DEFAULT_STALL_MS });
}

/**
 * Checks one file. `fsPath` is the path that opens it (see fsPathOfEvidence: the exact bytes for a
 * name that is not UTF-8); `absPath` is its display form.
 */
export async function verifyOne(
  evidenceId: number,
  path: string,
  absPath: string,
  recorded: string,
  opts: VerifyOptions & { fsPath?: FsPath } = {},
): Promise<VerifyResult> {
  const base = { evidenceId, path, absPath, recordedSha256: recorded };
  const fsPath = opts.fsPath ?? absPath;
  try {
    const st = await fsp.stat(fsPath);
    const kind = fileKind(st);
    if (kind) return { ...base, state: 'CHANGED', currentSha256: null, detail: `now ${kind}, not a regular file: not read` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ...base, state: 'MISSING', currentSha256: null, detail: 'no file at the recorded path' };
    return { ...base, state: 'MISSING', currentSha256: null, detail: `cannot read: ${(err as Error).message}` };
  }
  try {
    const current = await sha256File(fsPath, opts);
    return current === recorded
      ? { ...base, state: 'OK', currentSha256: current, detail: null }
      : { ...base, state: 'CHANGED', currentSha256: current, detail: `now ${current.slice(0, 16)}…` };
  } catch (err) {
    if (err instanceof NotRegularFileError) return { ...base, state: 'CHANGED', currentSha256: null, detail: `now ${err.kind}, not a regular file: not read` };
    return { ...base, state: 'MISSING', currentSha256: null, detail: `cannot read: ${(err as Error).message}` };
  }
}

/** Every evidence file with a recorded hash (duplicates and unrecognized files included). */
export async function verifyEvidence(db: CaseDb, opts: VerifyOptions = {}): Promise<VerifyResult[]> {
  const rows = await db.all<{ evidence_id: number; path: string; abs_path: string; sha256: string; info: string | null }>(
    `SELECT evidence_id, path, abs_path, sha256, info::VARCHAR AS info FROM evidence WHERE sha256 IS NOT NULL ORDER BY evidence_id`,
  );
  const out: VerifyResult[] = [];
  for (const r of rows) {
    const fsPath = fsPathOfEvidence(r.abs_path, r.info);
    // A file followed by dwell watch: its hash covers the bytes read, not what was appended since.
    if (r.info && (JSON.parse(r.info) as { followed?: unknown }).followed) out.push(await verifyFollowed(db, r.evidence_id, r.path, r.abs_path, r.sha256, fsPath));
    else out.push(await verifyOne(r.evidence_id, r.path, r.abs_path, r.sha256, { ...opts, fsPath }));
  }
  return out;
}

async function verifyFollowed(db: CaseDb, evidenceId: number, path: string, absPath: string, recorded: string, fsPath: FsPath): Promise<VerifyResult> {
  const base = { evidenceId, path, absPath, recordedSha256: recorded };
  const row = await db.one<{ size: number }>(`SELECT size FROM evidence WHERE evidence_id = $id`, { id: evidenceId });
  const extents = await db.all<Extent>(`SELECT start_offset AS start, end_offset AS "end", sha256 FROM evidence_extents WHERE evidence_id = $id ORDER BY start_offset`, { id: evidenceId });
  try {
    const c = await verifyPrefix(fsPath, row?.size ?? 0, recorded, extents);
    return { ...base, state: c.ok ? 'OK' : 'CHANGED', currentSha256: c.sha256, detail: c.detail };
  } catch (err) {
    if (err instanceof NotRegularFileError) return { ...base, state: 'CHANGED', currentSha256: null, detail: `now ${err.kind}, not a regular file: not read` };
    const code = (err as NodeJS.ErrnoException).code;
    return { ...base, state: 'MISSING', currentSha256: null, detail: code === 'ENOENT' ? 'no file at the recorded path' : `cannot read: ${(err as Error).message}` };
  }
}
