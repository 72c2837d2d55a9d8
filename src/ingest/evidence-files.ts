/**
 * Expands the evidence arguments into files: directories recursively in a stable (byte-wise
 * sorted) order, symlinked files followed once, anything that cannot be read reported with its
 * path. Nothing here opens a file for writing.
 */
import { promises as fsp, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export interface EvidenceFile {
  /** The path as given (or as found under a given directory). */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface EvidenceProblem {
  path: string;
  absPath: string;
  reason: string;
}

export interface Enumerated {
  files: EvidenceFile[];
  problems: EvidenceProblem[];
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function enumerateEvidence(inputs: string[], exclude: string[] = []): Promise<Enumerated> {
  const files: EvidenceFile[] = [];
  const problems: EvidenceProblem[] = [];
  const seen = new Set<string>();
  const excluded = exclude.map((p) => resolve(p));

  async function visit(given: string, depth: number): Promise<void> {
    const absPath = resolve(given);
    if (excluded.some((x) => absPath === x || absPath.startsWith(x + sep))) return;
    let st: Stats;
    try {
      st = await fsp.stat(absPath);
    } catch (err) {
      problems.push({ path: given, absPath, reason: describeFsError(err as NodeJS.ErrnoException) });
      return;
    }
    if (st.isDirectory()) {
      if (depth > 64) {
        problems.push({ path: given, absPath, reason: 'directory nesting deeper than 64 levels (a symlink loop?)' });
        return;
      }
      let names: string[];
      try {
        names = await fsp.readdir(absPath);
      } catch (err) {
        problems.push({ path: given, absPath, reason: describeFsError(err as NodeJS.ErrnoException) });
        return;
      }
      names.sort(byteOrder);
      for (const name of names) await visit(join(given, name), depth + 1);
      return;
    }
    if (!st.isFile()) {
      problems.push({ path: given, absPath, reason: 'not a regular file (device, socket or pipe)' });
      return;
    }
    const real = await fsp.realpath(absPath).catch(() => absPath);
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ path: given, absPath, size: st.size, mtimeMs: st.mtimeMs });
  }

  for (const input of inputs) await visit(input, 0);
  return { files, problems };
}

export function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (cannot read it)';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return err.message;
  }
}
