/**
 * The spill folders of read-only opens: each open spills to its own folder beside the case, named
 * after the process, and sweeps the folders that processes killed before closing (kill -9, a
 * crash, a power cut) left behind — DuckDB removes a folder only at close, so those stayed forever,
 * each holding up to the read budget's worth of temporary blocks.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A read-only open's own spill folder beside the case, `<case>.tmp-r<pid>-<random>` (two opens in
 * one process differ too). DuckDB's default, `<case>.tmp`, is shared by every process reading the
 * case, and its temporary file names carry no process id: two readers spilling at once (an export
 * beside the TUI, two exports) overwrote each other's blocks — "Corrupt temporary file", the
 * command failed (seen on the 10M-event case with the 512 MB read budget; bench/RESULTS.md "Peak
 * memory of every command"). A writer has the case to itself (DuckDB's lock) and keeps the
 * default. DuckDB makes the folder only when it first spills and removes it at close.
 */
export function ownSpillDir(casePath: string): string {
  return `${casePath}.tmp-r${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** What DuckDB writes in a spill folder (duckdb_temp_storage_S32K-0.tmp, duckdb_temp_block-….block). */
const DUCKDB_TEMP_FILE = /^duckdb_temp_/;

/**
 * Removes the spill folders of `casePath` whose process is gone. Only folders that are the case's
 * own siblings, named exactly as ownSpillDir names them, real folders (not links), holding only
 * DuckDB's temporary files, and whose pid no process has (kill(pid, 0) → ESRCH): a live process's
 * folder, a pid taken again by another process, and any other name are left alone. Best effort:
 * what cannot be read or removed stays, and the open goes on. Returns the folders removed.
 *
 * A case on a folder shared between machines can be read by a process this machine cannot see;
 * its folder would look stale here (docs/trust.md says so).
 */
export function sweepStaleSpillDirs(casePath: string): string[] {
  const dir = dirname(casePath);
  const own = new RegExp(`^${escapeRegExp(basename(casePath))}\\.tmp-r(\\d{1,10})-[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = own.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isDirectory()) continue;
      if (!readdirSync(path).every((f) => DUCKDB_TEMP_FILE.test(f))) continue;
      rmSync(path, { recursive: true });
      removed.push(path);
    } catch {
      /* gone meanwhile, or not ours to remove: left as it is */
    }
  }
  return removed;
}

/** kill(pid, 0): ESRCH is the only answer that means no such process (EPERM: one we may not signal). */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
