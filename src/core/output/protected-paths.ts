/**
 * What an output may never be: the places a case knows as evidence, and the case itself.
 *
 * "Evidence root", as dwell uses it:
 *  - every recorded evidence file (`evidence.abs_path`, whatever its status: failed and
 *    unrecognized files are evidence too), and the folder holding it, with everything below;
 *  - every folder or file given to `dwell ingest` (recovered from `ingest_runs.argv`: an argument
 *    is a root when it is a prefix of the recorded path of a file that run found under it), with
 *    everything below;
 *  - each of these both as recorded and as it resolves now through symbolic links (a file found
 *    as `secure -> /etc/shadow` protects /etc/shadow and /etc too; a link to a folder protects
 *    that folder, not its parent).
 * The case: its file, its write-ahead log (`.wal`), and its staging (`.staging`) and temporary
 * (`.tmp`, DuckDB's spill folder) folders — lexically and resolved.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, normalize, resolve, sep } from 'node:path';

export type QueryFn = (sql: string) => Promise<Record<string, unknown>[]>;

export interface ProtectedPaths {
  /** Exact paths → why (the case, its WAL, evidence files). */
  files: Map<string, string>;
  /** Folders nothing may be written inside, nor replace → why. */
  dirs: Map<string, string>;
}

/** The path and, when it resolves to something else now, where it resolves to. */
function forms(path: string): string[] {
  try {
    const real = realpathSync.native(path);
    return real === path ? [path] : [path, real];
  } catch {
    return [path];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function add(map: Map<string, string>, path: string, why: string): void {
  for (const p of forms(path)) if (!map.has(p)) map.set(p, why);
}

/** Without a trailing separator (but `/` stays `/`). */
function trimSep(p: string): string {
  const n = normalize(p);
  return n.length > 1 && n.endsWith(sep) ? n.slice(0, -1) : n;
}

/**
 * The root an ingest argument stands for, given one file that run recorded under it: `given` is
 * a root of `path` (as recorded, relative to the ingest's folder or absolute) when `path` is
 * `given` or lies below it; the root's absolute path is then `absPath` without the part below.
 */
export function rootOf(given: string, path: string, absPath: string): string | null {
  const g = trimSep(given);
  const p = normalize(path);
  let below: string;
  if (p === g) below = '';
  else if (g === '.' && !isAbsolute(p)) below = sep + p;
  else if (p.startsWith(g === sep ? sep : g + sep)) below = g === sep ? p : p.slice(g.length);
  else return null;
  if (!absPath.endsWith(below)) return null;
  return absPath.slice(0, absPath.length - below.length) || sep;
}

export async function protectedPaths(casePath: string, query: QueryFn): Promise<ProtectedPaths> {
  const files = new Map<string, string>();
  const dirs = new Map<string, string>();
  if (casePath !== ':memory:') {
    const c = resolve(casePath);
    add(files, c, `it is the case ${c}`);
    add(files, c + '.wal', `it is the write-ahead log of the case ${c}`);
    add(dirs, c + '.staging', `it is the staging folder of the case ${c}`);
    add(dirs, c + '.tmp', `it is the temporary folder of the case ${c}`);
  }
  const evidence = (await query(`SELECT evidence_id, run_id, path, abs_path FROM evidence ORDER BY evidence_id`)) as { evidence_id: number; run_id: number; path: string; abs_path: string }[];
  const runs = (await query(`SELECT run_id, CAST(argv AS VARCHAR) AS argv FROM ingest_runs`)) as { run_id: number; argv: string | null }[];
  const argsOf = new Map<number, string[]>();
  for (const r of runs) {
    try {
      const a = JSON.parse(r.argv ?? '[]') as unknown;
      argsOf.set(Number(r.run_id), Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);
    } catch {
      argsOf.set(Number(r.run_id), []);
    }
  }
  const seenDirs = new Set<string>();
  const protectDir = (d: string, why: string) => {
    if (seenDirs.has(d)) return;
    seenDirs.add(d);
    add(dirs, d, why);
  };
  // Which entries of a folder are symbolic links: one readdir per folder instead of one lstat per
  // file (a CloudTrail tree holds 100,000 files in a few thousand folders).
  const linksIn = new Map<string, Set<string> | null>();
  const isLink = (abs: string): boolean => {
    const d = dirname(abs);
    let links = linksIn.get(d);
    if (links === undefined) {
      try {
        links = new Set(readdirSync(d, { withFileTypes: true }).filter((e) => e.isSymbolicLink()).map((e) => e.name));
      } catch {
        links = null;
      }
      linksIn.set(d, links);
    }
    if (links) return links.has(basename(abs));
    try {
      return lstatSync(abs).isSymbolicLink();
    } catch {
      return false; // gone since ingest: its recorded path stays protected
    }
  };
  const roots = new Set<string>();
  const rootsTried = new Set<string>();
  for (const e of evidence) {
    if (!e.abs_path) continue;
    const abs = resolve(e.abs_path);
    const why = `it is evidence file #${e.evidence_id} (${abs})`;
    files.set(abs, why);
    // The folder (resolved once per folder) covers the file wherever the folder's links lead; a
    // file that is itself a link also protects its target and the target's folder.
    const folderWhy = (d: string) => `it is inside ${d}, which holds evidence (e.g. evidence file #${e.evidence_id})`;
    protectDir(dirname(abs), folderWhy(dirname(abs)));
    if (isLink(abs)) {
      for (const f of forms(abs).slice(1)) {
        files.set(f, why);
        // A link to a folder (`loop -> .`, `etc -> /etc`) protects that folder, not its parent:
        // the parent of the evidence folder (or `/`) would refuse every output beside it.
        const d = isDir(f) ? f : dirname(f);
        protectDir(d, folderWhy(d));
      }
    }
    // Files of one folder found by one run share their root: try the run's arguments once per folder.
    const key = `${e.run_id}\0${dirname(e.path ?? '')}`;
    if (rootsTried.has(key)) continue;
    rootsTried.add(key);
    for (const given of argsOf.get(Number(e.run_id)) ?? []) {
      const root = rootOf(given, e.path, abs);
      if (root !== null && root !== abs && !roots.has(root)) {
        roots.add(root);
        add(dirs, root, `it is inside ${root}, which was given to dwell ingest as evidence (run #${e.run_id})`);
      }
    }
  }
  return { files, dirs };
}

/** Why `path` (absolute) is protected, or null: it is a protected file, or inside a protected folder. */
export function protectedReason(p: ProtectedPaths, path: string): string | null {
  const f = p.files.get(path);
  if (f) return f;
  for (let d = path; ; d = dirname(d)) {
    const why = p.dirs.get(d);
    if (why) return why;
    if (dirname(d) === d) return null;
  }
}
