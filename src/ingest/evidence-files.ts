/**
 * Evidence walking: expands the evidence arguments into files, in a stable byte-wise order, and
 * decides what is never read. Nothing here opens a file (only directories are listed).
 *
 * - Real paths: every path is resolved through its symbolic links before it is trusted. A link
 *   whose target lies outside the evidence roots (`secure -> /etc/shadow`) is not followed unless
 *   `followSymlinks` is set; a followed link's real target is recorded beside the link's path.
 * - Loops: each directory is walked once, by device and inode (`ln -s . loop` ends).
 * - Pipes, sockets and devices are skipped with a message, never opened (opening a pipe blocks).
 * - Names are bytes: directories are listed as bytes, so a name with a newline, an escape sequence
 *   or bytes that are not UTF-8 still opens (see core/evidence-path.ts for how it is stored).
 * - The case, its WAL and its staging folder may never resolve inside an evidence root
 *   (caseInsideEvidence, checked before the case is created).
 */
import { promises as fsp, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { displayPath, fsPathOf, pathInfo, type FsPath } from '../core/evidence-path.js';
import { fileKind } from '../core/evidence-read.js';

export interface EvidenceFile {
  /** The path as given (or as found under a given directory), display form. */
  path: string;
  /** Absolute path (through any symlink, not resolved), display form. */
  absPath: string;
  /** What opens the file: `absPath` itself, or its exact bytes when the name is not UTF-8. */
  fsPath: FsPath;
  size: number;
  mtimeMs: number;
  /** Facts for the evidence row's `info`: `symlink_target`, `abs_path_hex` (empty when none apply). */
  info: Record<string, unknown>;
}

export interface EvidenceProblem {
  path: string;
  absPath: string;
  reason: string;
  /** `failed`: could not be read; `skipped`: deliberately not read (pipe, loop, link out of the evidence). */
  status: 'failed' | 'skipped';
  info?: Record<string, unknown>;
}

export interface Enumerated {
  files: EvidenceFile[];
  problems: EvidenceProblem[];
}

export interface WalkOptions {
  /** Paths never to walk or read (the case and its WAL and staging folder). */
  exclude?: string[];
  /** Follow symlinks that lead out of the evidence roots (their targets are then recorded). */
  followSymlinks?: boolean;
}

/** Directory nesting beyond this is reported instead of walked (a guard; loops are caught by inode). */
const MAX_DEPTH = 64;

export async function enumerateEvidence(inputs: string[], optsOrExclude: WalkOptions | string[] = {}): Promise<Enumerated> {
  const opts: WalkOptions = Array.isArray(optsOrExclude) ? { exclude: optsOrExclude } : optsOrExclude;
  const files: EvidenceFile[] = [];
  const problems: EvidenceProblem[] = [];
  const seenFiles = new Map<string, string>();
  const walkedDirs = new Map<string, string>();
  const excluded = await Promise.all((opts.exclude ?? []).map((p) => resolveLoose(p)));
  const roots = await evidenceRoots(inputs);

  const problem = (path: string, absPath: string, status: EvidenceProblem['status'], reason: string, info?: Record<string, unknown>) =>
    problems.push({ path, absPath, status, reason, ...(info ? { info } : {}) });

  /**
   * `given`: display form of the path as the user would write it; `abs`: the bytes of its absolute
   * path; `expected`: its real path if no symlink below the evidence root were involved (the root's
   * real path + the names under it), so a file under a linked folder is known as reached by a link.
   */
  async function visit(given: string, abs: Buffer, expected: string, depth: number): Promise<void> {
    const absDisplay = displayPath(abs);
    const fsPath = fsPathOf(abs);
    let lst: Stats;
    try {
      lst = await fsp.lstat(abs);
    } catch (err) {
      problem(given, absDisplay, 'failed', describeFsError(err as NodeJS.ErrnoException));
      return;
    }
    const info: Record<string, unknown> = { ...pathInfo(fsPath) };
    let real: string;
    try {
      real = displayPath(await fsp.realpath(abs, { encoding: 'buffer' }));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const target = lst.isSymbolicLink() ? await fsp.readlink(abs, { encoding: 'buffer' }).then(displayPath, () => null) : null;
      const reason =
        e.code === 'ELOOP'
          ? `symbolic link loop${target ? ` (-> ${target})` : ''}: not followed`
          : e.code === 'ENOENT' && target !== null
            ? `symbolic link to ${target}, which does not exist: nothing to read`
            : describeFsError(e);
      problem(given, absDisplay, lst.isSymbolicLink() ? 'skipped' : 'failed', reason, target ? { ...info, symlink_target: target } : info);
      return;
    }
    if (excluded.some((x) => real === x || real.startsWith(x + sep))) return;
    if (real !== expected) {
      // Reached through a symlink (this one or a folder's above it): record where it really is.
      info.symlink_target = real;
      if (!opts.followSymlinks && !roots.some((r) => real === r || real.startsWith(r === sep ? r : r + sep))) {
        problem(given, absDisplay, 'skipped', `symbolic link to ${real}, outside the evidence given: not followed (--follow-symlinks reads it and records the target)`, info);
        return;
      }
    }
    let st: Stats;
    try {
      st = lst.isSymbolicLink() ? await fsp.stat(abs) : lst;
    } catch (err) {
      problem(given, absDisplay, 'failed', describeFsError(err as NodeJS.ErrnoException), info);
      return;
    }
    if (st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const first = walkedDirs.get(key);
      if (first !== undefined) {
        problem(given, absDisplay, 'skipped', `directory already walked as ${first} (a symbolic link loop or a second link to it): not walked again`, info);
        return;
      }
      walkedDirs.set(key, given);
      if (depth > MAX_DEPTH) {
        problem(given, absDisplay, 'skipped', `directory nesting deeper than ${MAX_DEPTH} levels: not walked`, info);
        return;
      }
      let names: Buffer[];
      try {
        names = await fsp.readdir(abs, { encoding: 'buffer' });
      } catch (err) {
        problem(given, absDisplay, 'failed', describeFsError(err as NodeJS.ErrnoException), info);
        return;
      }
      names.sort(Buffer.compare);
      for (const name of names) {
        const child = Buffer.concat([abs, Buffer.from(abs.at(-1) === 0x2f ? '' : sep), name]);
        await visit(join(given, displayPath(name)), child, join(expected, displayPath(name)), depth + 1);
      }
      return;
    }
    const kind = fileKind(st);
    if (kind) {
      problem(given, absDisplay, 'skipped', `${kind}, not a regular file: not opened`, info);
      return;
    }
    const first = seenFiles.get(real);
    if (first !== undefined) {
      // A second path to a file already listed (a link to it): recorded, not read twice.
      problem(given, absDisplay, 'skipped', `same file as ${first} (${real}): read once, under that path`, info);
      return;
    }
    seenFiles.set(real, given);
    files.push({ path: given, absPath: absDisplay, fsPath, size: st.size, mtimeMs: st.mtimeMs, info });
  }

  for (const input of inputs) {
    const abs = resolve(input);
    // An argument that is a symlink is judged like a link found in its folder; any other argument
    // is taken where it really is (a path through a symlinked mount point is not a link to report).
    const isLink = await fsp.lstat(abs).then((s) => s.isSymbolicLink(), () => false);
    const expected = isLink ? join(await resolveLoose(dirname(abs)), basename(abs)) : await resolveLoose(abs);
    await visit(input, Buffer.from(abs), expected, 0);
  }
  return { files, problems };
}

/**
 * The evidence roots, as real paths: each argument, except that an argument which is itself a
 * symlink is judged as if found in its folder (so `evidence/*` does not make `secure -> /etc/shadow`
 * a root of its own).
 */
async function evidenceRoots(inputs: string[]): Promise<string[]> {
  const roots: string[] = [];
  for (const input of inputs) {
    const abs = resolve(input);
    const isLink = await fsp.lstat(abs).then((s) => s.isSymbolicLink(), () => false);
    roots.push(await resolveLoose(isLink ? dirname(abs) : abs));
  }
  return roots;
}

/**
 * The real path a path would have, whether or not it exists yet: the existing part resolved through
 * its symlinks (a dangling link is followed to where it points, since creating the path would
 * create its target), the rest appended.
 */
export async function resolveLoose(path: string, hops = 0): Promise<string> {
  const abs = resolve(path);
  try {
    return await fsp.realpath(abs);
  } catch {
    /* does not exist (yet), or a dangling link */
  }
  if (hops < 40) {
    const target = await fsp.readlink(abs).catch(() => null);
    if (target !== null) return resolveLoose(isAbsolute(target) ? target : join(dirname(abs), target), hops + 1);
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  return join(await resolveLoose(parent, hops), basename(abs));
}

/**
 * Why the case may not be written where asked, or null: the case file, its `.wal` or its
 * `.staging` folder would resolve (through symlinks, dangling ones included) inside an evidence
 * root. Checked before anything is created.
 */
export async function caseInsideEvidence(casePath: string, inputs: string[]): Promise<string | null> {
  const caseAbs = resolve(casePath);
  const written = [caseAbs, caseAbs + '.wal', caseAbs + '.staging'];
  for (const input of inputs) {
    const root = await resolveLoose(input);
    for (const w of written) {
      const real = await resolveLoose(w);
      if (real === root || real.startsWith(root === sep ? root : root + sep)) {
        const via = real === w ? '' : ` (${real}, through a symbolic link)`;
        return `refusing to write the case inside the evidence: ${w}${via} is under ${input}\n help: put the case outside the evidence folder, e.g. --case /cases/incident.duckdb`;
      }
    }
  }
  return null;
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
