/**
 * Rotated files of one log (auth.log, auth.log.1, auth.log.2.gz; or auth.log-20260101) are in time
 * order: an older file ends before a newer one starts. Each file's years were inferred from its own
 * mtime, which copies of evidence often lose; when an older file then appears to end after the
 * newer one starts, its year-inferred events are moved back a year (repeatedly if needed) and the
 * shift is recorded on its evidence row.
 */
import { basename, dirname } from 'node:path';
import type { CaseDb } from '../store/case-db.js';

interface RotatedFile {
  evidenceId: number;
  absPath: string;
  base: string;
  /** 0 = the live file; higher = older. Date suffixes sort newest first too. */
  age: number;
  firstUs: number;
  lastUs: number;
  yearShift: number;
}

// `s`: a file name may hold a newline, which `.` would not match (LIVE then failed on it).
const NUMBERED = /^(.*?)\.(\d{1,3})(\.(gz|bz2|xz))?$/s;
const DATED = /^(.*?)-(\d{8})(\.(gz|bz2|xz))?$/s;
const LIVE = /^(.*?)(\.(gz|bz2|xz))?$/s;

export function rotationKey(absPath: string): { base: string; age: number } {
  const name = basename(absPath);
  const dir = dirname(absPath);
  let m = NUMBERED.exec(name);
  if (m) return { base: `${dir}/${m[1]}`, age: Number(m[2]) };
  m = DATED.exec(name);
  // Newer dates are younger: age decreases with the date.
  if (m) return { base: `${dir}/${m[1]}`, age: 100_000_000 - Number(m[2]) };
  m = LIVE.exec(name)!;
  return { base: `${dir}/${m[1]}`, age: 0 };
}

const YEAR_US = 365.25 * 24 * 3600 * 1e6;
/** Lines of consecutive files may overlap by a little (rotation is not atomic). */
const SLACK_US = 3600e6;

/** Checks and fixes the year order of every rotated set in the case; returns notes. */
export async function orderRotatedYears(db: CaseDb): Promise<string[]> {
  const rows = await db.all<{ evidence_id: number; abs_path: string; first_us: number; last_us: number; year_shift: number | null }>(
    `SELECT v.evidence_id, v.abs_path, epoch_us(v.first_ts) AS first_us, epoch_us(v.last_ts) AS last_us, v.year_shift
     FROM evidence v WHERE v.status IN ('ingested', 'partial') AND v.first_ts IS NOT NULL
       AND EXISTS (SELECT 1 FROM events e WHERE e.evidence_id = v.evidence_id AND e.time_quality = 'year_inferred')`,
  );
  const sets = new Map<string, RotatedFile[]>();
  for (const r of rows) {
    const k = rotationKey(r.abs_path);
    const f: RotatedFile = { evidenceId: r.evidence_id, absPath: r.abs_path, base: k.base, age: k.age, firstUs: r.first_us, lastUs: r.last_us, yearShift: r.year_shift ?? 0 };
    sets.set(k.base, [...(sets.get(k.base) ?? []), f]);
  }
  const notes: string[] = [];
  for (const files of sets.values()) {
    if (files.length < 2) continue;
    files.sort((a, b) => a.age - b.age);
    for (let i = 1; i < files.length; i++) {
      const newer = files[i - 1]!;
      const older = files[i]!;
      let years = 0;
      while (older.lastUs - years * YEAR_US > newer.firstUs + SLACK_US && years < 5) years++;
      if (years === 0) continue;
      await db.run('BEGIN TRANSACTION');
      try {
        await db.run(`UPDATE events SET ts = ts - to_years($y::INTEGER) WHERE evidence_id = $id AND time_quality = 'year_inferred'`, { y: years, id: older.evidenceId });
        await db.run(
          `UPDATE evidence SET first_ts = (SELECT min(ts) FROM events WHERE evidence_id = $id), last_ts = (SELECT max(ts) FROM events WHERE evidence_id = $id),
             year_shift = coalesce(year_shift, 0) - $y, info = json_merge_patch(coalesce(info, '{}'::JSON), json_object('rotation_year_fix', $note)) WHERE evidence_id = $id`,
          { y: years, id: older.evidenceId, note: `moved back ${years} year(s): it is older than ${basename(newer.absPath)} in its rotation set` },
        );
        await db.run('COMMIT');
      } catch (err) {
        await db.run('ROLLBACK');
        throw err;
      }
      const fixed = await db.one<{ first_us: number; last_us: number }>(`SELECT epoch_us(first_ts) AS first_us, epoch_us(last_ts) AS last_us FROM evidence WHERE evidence_id = $id`, { id: older.evidenceId });
      older.firstUs = fixed!.first_us;
      older.lastUs = fixed!.last_us;
      notes.push(`${older.absPath}: year-inferred times moved back ${years} year(s) to precede ${basename(newer.absPath)}`);
    }
  }
  return notes;
}
