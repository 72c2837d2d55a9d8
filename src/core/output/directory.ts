/**
 * A directory export (Parquet's table folders) that never deletes what dwell did not write:
 *
 *  1. Before anything is written, each table folder it will write (DIR/events, …) must be absent,
 *     or listed in DIR's manifest (`_dwell-export.json`, written by the previous export there) —
 *     and then --overwrite is needed. A folder the manifest does not list is someone else's and
 *     is neither written into nor removed.
 *  2. The tables are written into a staging folder of this process, DIR/.dwell-partial-XXXXXX
 *     (removed on an error and on any exit before step 3).
 *  3. On commit: the files the old manifest lists (regular files of the recorded size) are
 *     removed, then the folders it lists if they are empty (anything else found there stays), the
 *     new files are flushed and renamed into place, and the new manifest is written atomically.
 *
 * Engines read DIR/<table>/… only, so the manifest (and the hidden staging folder) beside the
 * tables do not disturb Athena, Trino, Spark or DuckDB.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { safeText } from '../sanitize.js';
import { fsyncPath, partialPath, placeFile } from './atomic.js';
import { OutputError } from './errors.js';
import type { OutputGuard } from './guard.js';
import { trackPartial, untrackPartial } from './partials.js';

export const MANIFEST_NAME = '_dwell-export.json';
export const MANIFEST_SCHEMA = 'dwell.export-manifest/v1';

export interface Manifest {
  manifest: typeof MANIFEST_SCHEMA;
  dwell_version: string;
  written_at: string;
  /** What was exported (e.g. `timeline parquet` from case X). */
  description: string;
  /** Top-level folders of the export. */
  tables: string[];
  /** Every folder the export created, relative to DIR. */
  dirs: string[];
  /** Every file the export wrote, relative to DIR, with its size. */
  files: { path: string; bytes: number }[];
}

/** A relative path that stays inside DIR (no `..`, not absolute). */
function safeRelative(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || isAbsolute(p) || p.includes('\0')) return false;
  const n = normalize(p);
  return n === p && !n.split(sep).includes('..') && n !== '.';
}

function readManifest(dir: string): Manifest | null {
  const path = join(dir, MANIFEST_NAME);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  const bad = (why: string): never => {
    throw new OutputError(`${safeText(path)} is not a manifest dwell can trust (${why}); nothing in ${safeText(dir)} was changed\n help: give another folder with -o, or remove the old export yourself`);
  };
  if (!st.isFile()) bad('not a regular file');
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    return bad('not JSON');
  }
  if (m?.manifest !== MANIFEST_SCHEMA || !Array.isArray(m.tables) || !Array.isArray(m.dirs) || !Array.isArray(m.files)) bad(`not ${MANIFEST_SCHEMA}`);
  if (!m.tables.every((t) => safeRelative(t) && !t.includes(sep))) bad('a table name is not a plain folder name');
  if (!m.dirs.every(safeRelative)) bad('a folder lies outside the export');
  if (!m.files.every((f) => safeRelative(f?.path) && typeof f.bytes === 'number')) bad('a file lies outside the export');
  return m;
}

/** Files and folders under `root`, relative to `base`, folders before what they hold. */
function walk(root: string, base: string, files: string[], dirs: string[]): void {
  for (const name of readdirSync(root).sort()) {
    const abs = join(root, name);
    const rel = abs.slice(base.length + 1);
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      dirs.push(rel);
      walk(abs, base, files, dirs);
    } else if (st.isFile()) files.push(rel);
  }
}

export interface DirectoryOutputOptions {
  /** Table folders this export writes. */
  tables: readonly string[];
  overwrite: boolean;
  description: string;
  dwellVersion: string;
}

export class DirectoryOutput {
  private committed = false;

  private constructor(
    /** The export folder, absolute. */
    readonly dir: string,
    /** Write the tables here (DIR/.dwell-partial-…/<table>). */
    readonly staging: string,
    private readonly old: Manifest | null,
    private readonly guard: OutputGuard,
    private readonly opts: DirectoryOutputOptions,
  ) {}

  /** Checks DIR and its table folders (step 1) and makes the staging folder (step 2). */
  static open(dir: string, guard: OutputGuard, opts: DirectoryOutputOptions): DirectoryOutput {
    const abs = guard.checkDirectory(dir);
    guard.checkInside(join(abs, MANIFEST_NAME));
    for (const t of opts.tables) guard.checkInside(join(abs, t));
    const old = existsSync(abs) ? readManifest(abs) : null;
    DirectoryOutput.checkTables(abs, old, opts);
    mkdirSync(abs, { recursive: true });
    const staging = mkdtempSync(join(abs, '.dwell-partial-'));
    trackPartial(staging);
    return new DirectoryOutput(abs, staging, old, guard, opts);
  }

  private static checkTables(dir: string, old: Manifest | null, opts: DirectoryOutputOptions): void {
    const ours = new Set(old?.tables ?? []);
    const existing: string[] = [];
    for (const t of opts.tables) {
      const p = join(dir, t);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (!ours.has(t) || !st.isDirectory()) {
        throw new OutputError(
          `refusing to write ${safeText(p)}: it exists and was not written by a dwell export (${old ? `${MANIFEST_NAME} does not list it` : `no ${MANIFEST_NAME} in ${safeText(dir)}`}); dwell neither writes into nor removes it\n help: give another folder with -o, or move ${safeText(p)} away`,
        );
      }
      existing.push(t);
    }
    if (existing.length > 0 && !opts.overwrite) {
      throw new OutputError(`${safeText(dir)} already holds an export (${existing.join(', ')})\n help: add --overwrite to replace the files that export wrote (listed in ${MANIFEST_NAME}; nothing else is touched), or give a new path with -o`);
    }
  }

  /**
   * Step 3: replaces the files the old export wrote in the rewritten tables with the staged ones;
   * tables of the old export that this one does not write stay, and stay in the manifest. Returns
   * the files written, and the files found in the rewritten tables that dwell did not write (kept).
   */
  commit(): { files: string[]; kept: string[] } {
    const staged: string[] = [];
    const stagedDirs: string[] = [];
    walk(this.staging, this.staging, staged, stagedDirs);
    for (const f of staged) fsyncPath(join(this.staging, f));
    // The state may have changed while the tables were written: check again before removing anything.
    DirectoryOutput.checkTables(this.dir, readManifest(this.dir), this.opts);
    const rewritten = (p: string) => this.opts.tables.some((t) => p === t || p.startsWith(t + sep));
    const oldFiles = new Set((this.old?.files ?? []).map((f) => f.path).filter(rewritten));
    for (const f of staged) {
      const dest = join(this.dir, f);
      this.guard.checkInside(dest);
      if (existsSync(dest) && !oldFiles.has(f)) {
        throw new OutputError(`refusing to replace ${safeText(dest)}: it was not written by a dwell export; nothing was changed\n help: move it away, or give another folder with -o`);
      }
    }
    const kept = this.removeOld(rewritten);
    for (const t of this.opts.tables) {
      const from = join(this.staging, t);
      if (!existsSync(from)) continue;
      const to = join(this.dir, t);
      if (!existsSync(to)) {
        renameSync(from, to);
        continue;
      }
      // The old table folder still holds files dwell did not write: move file by file beside them.
      for (const f of staged.filter((s) => s.startsWith(t + sep))) {
        const parts = f.split(sep);
        for (let i = 1; i < parts.length; i++) {
          const d = join(this.dir, ...parts.slice(0, i));
          if (!existsSync(d)) mkdirSync(d);
        }
        renameSync(join(this.staging, f), join(this.dir, f));
      }
    }
    fsyncPath(this.dir, true);
    const keptTables = (this.old?.tables ?? []).filter((t) => !this.opts.tables.includes(t));
    const manifest: Manifest = {
      manifest: MANIFEST_SCHEMA,
      dwell_version: this.opts.dwellVersion,
      written_at: new Date().toISOString(),
      description: this.opts.description,
      tables: [...keptTables, ...this.opts.tables.filter((t) => stagedDirs.includes(t))],
      dirs: [...(this.old?.dirs ?? []).filter((d) => !rewritten(d)), ...stagedDirs],
      files: [...(this.old?.files ?? []).filter((f) => !rewritten(f.path)), ...staged.map((f) => ({ path: f, bytes: statSync(join(this.dir, f)).size }))],
    };
    const mpath = join(this.dir, MANIFEST_NAME);
    const mpartial = partialPath(mpath);
    writeFileSync(mpartial, JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
    trackPartial(mpartial);
    placeFile(mpartial, mpath);
    untrackPartial(mpartial);
    this.abort();
    this.committed = true;
    return { files: staged.map((f) => join(this.dir, f)), kept };
  }

  /** Removes what the previous export wrote in the rewritten tables; returns what was kept there. */
  private removeOld(rewritten: (p: string) => boolean): string[] {
    if (!this.old) return [];
    for (const f of this.old.files.filter((x) => rewritten(x.path))) {
      const p = join(this.dir, f.path);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      // Same name but not the file dwell wrote (replaced, resized), or reached through a link
      // leaving the folder: not ours to delete.
      if (st.isFile() && st.size === f.bytes && this.reallyInside(p)) {
        this.guard.checkInside(p);
        unlinkSync(p);
      }
    }
    // Deepest first, and only when empty: what someone else put there stays, with its folder.
    for (const d of this.old.dirs.filter(rewritten).sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(join(this.dir, d));
      } catch {
        /* not empty (kept files), or gone */
      }
    }
    const kept: string[] = [];
    for (const t of this.opts.tables) {
      const p = join(this.dir, t);
      if (existsSync(p)) walk(p, this.dir, kept, []);
    }
    return kept.map((k) => join(this.dir, k));
  }

  /** Whether `p`'s folder, resolved through links, is inside the export folder. */
  private reallyInside(p: string): boolean {
    try {
      return realpathSync.native(dirname(p)).startsWith(realpathSync.native(this.dir) + sep);
    } catch {
      return false;
    }
  }

  /** Removes the staging folder (ours). */
  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
    untrackPartial(this.staging);
  }

  get done(): boolean {
    return this.committed;
  }
}
