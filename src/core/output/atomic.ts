/**
 * Atomic placement of a finished output: its data is flushed to disk (fsync), the final path is
 * checked once more (it may have changed while the export ran: dwell never renames over
 * something that is not a regular file), then the partial is renamed over it and the folder
 * entry flushed. A reader therefore sees either the old file or the whole new one.
 */
import { closeSync, fsyncSync, lstatSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { safeText } from '../sanitize.js';
import { OutputError } from './errors.js';

/** `path.partial-PID`: beside the output (same file system, so the rename is atomic). */
export function partialPath(path: string): string {
  return `${path}.partial-${process.pid}`;
}

/** Flushes a file's (or folder's) data to disk; best effort where the OS refuses it on folders. */
export function fsyncPath(path: string, isDir = false): void {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch (err) {
    if (!isDir) throw err;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Renames `partial` over `path` after checking that `path` is absent or a regular file. */
export function placeFile(partial: string, path: string): void {
  fsyncPath(partial);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = null;
  }
  if (st && !st.isFile()) throw new OutputError(`refusing to write ${safeText(path)}: it became something other than a regular file while the export ran; the output is not kept`);
  renameSync(partial, path);
  fsyncPath(dirname(path), true);
}
