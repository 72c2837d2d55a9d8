/**
 * The checks every output path passes before dwell writes anything (see protected-paths.ts for
 * what is protected). A file output:
 *  - is neither inside an evidence root nor the case, its WAL, staging or temporary folder —
 *    judged on the path as given and on where its folder resolves through symbolic links;
 *  - replaces only a regular file: never a folder, a device, a FIFO, a socket or a symbolic link
 *    (renaming over a link would replace the link; dwell does not write through links either);
 *  - never replaces a DuckDB database (another case).
 * A directory output (Parquet) is checked the same way, and so is each path written inside it.
 */
import { closeSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { safeText } from '../sanitize.js';
import { OutputError } from './errors.js';
import { protectedPaths, protectedReason, type ProtectedPaths, type QueryFn } from './protected-paths.js';

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** DuckDB's file header: 8 bytes of checksum, then the magic `DUCK`. */
function isDuckDbFile(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(12);
    return readSync(fd, b, 0, 12, 0) === 12 && b.subarray(8, 12).toString('latin1') === 'DUCK';
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The path with its existing part resolved through symbolic links (the rest appended as given). */
export function resolveExisting(abs: string): string {
  const rest: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    try {
      return join(realpathSync.native(p), ...rest.reverse());
    } catch {
      if (dirname(p) === p) return abs;
      rest.push(basename(p));
    }
  }
}

function refuse(path: string, why: string, help?: string): never {
  throw new OutputError(`refusing to write ${safeText(path)}: ${safeText(why)}${help ? `\n help: ${help}` : ''}`);
}

const HELP_ELSEWHERE = 'write outputs outside the evidence and beside (not over) the case, e.g. -o /cases/acme/report.md';

export class OutputGuard {
  constructor(private readonly paths: ProtectedPaths) {}

  /** The guard for outputs made from the case at `casePath`; `query` reads that case. */
  static async forCase(casePath: string, query: QueryFn): Promise<OutputGuard> {
    return new OutputGuard(await protectedPaths(casePath, query));
  }

  /** A guard that refuses every path (for an export to standard output: no file is expected). */
  static refuseAll(reason: string): OutputGuard {
    const g = new OutputGuard({ files: new Map(), dirs: new Map() });
    g.refusal = reason;
    return g;
  }

  private refusal: string | null = null;

  /** Why `abs` may not be written (as given or resolved), or null. */
  private protectedWhy(abs: string): string | null {
    if (this.refusal) return this.refusal;
    return protectedReason(this.paths, abs) ?? protectedReason(this.paths, resolveExisting(abs));
  }

  /**
   * Checks that `path` may receive a new file (created, or replacing a regular file) and returns
   * it absolute. Throws OutputError naming the path and the reason.
   */
  checkFile(path: string): string {
    if (path.includes('\0')) refuse(path, 'the path contains a NUL byte');
    const abs = resolve(path);
    const why = this.protectedWhy(abs);
    if (why) refuse(abs, why, HELP_ELSEWHERE);
    const st = lstatOrNull(abs);
    if (st) {
      if (st.isSymbolicLink()) {
        let target = '';
        try {
          target = realpathSync.native(abs);
        } catch {
          /* dangling */
        }
        const linked = target ? protectedReason(this.paths, target) : null;
        refuse(abs, linked ? `it is a symbolic link to ${target}, and ${linked.replace(/^it /, 'that ')}` : 'it is a symbolic link (dwell replaces files, never what a link points to)', 'give the real path of a new or regular file');
      }
      if (!st.isFile()) refuse(abs, `it is ${kindOf(st)}, and dwell only ever replaces regular files`, 'give the path of a new file');
      if (isDuckDbFile(abs)) refuse(abs, 'it is a DuckDB database (a dwell case?)', 'give the path of a new file');
    } else {
      let parent: Stats;
      try {
        parent = statSync(dirname(abs));
      } catch {
        refuse(abs, `the folder ${dirname(abs)} does not exist`);
      }
      if (!parent.isDirectory()) refuse(abs, `${dirname(abs)} is not a folder`);
    }
    return abs;
  }

  /**
   * Checks that `path` may hold a directory export (an existing folder, or a new one) and returns
   * it absolute. What is written inside is checked with checkInside.
   */
  checkDirectory(path: string): string {
    if (path.includes('\0')) refuse(path, 'the path contains a NUL byte');
    const abs = resolve(path);
    const why = this.protectedWhy(abs);
    if (why) refuse(abs, why, HELP_ELSEWHERE);
    let st: Stats | null = null;
    try {
      st = statSync(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (st && !st.isDirectory()) refuse(abs, `it exists and is ${kindOf(st)}, not a folder`, 'this format writes a folder of tables; give a new path or an existing folder with -o');
    return abs;
  }

  /** Checks one path inside a directory export (a table folder, the manifest). */
  checkInside(path: string): void {
    const why = this.protectedWhy(path);
    if (why) refuse(path, why, HELP_ELSEWHERE);
  }
}
