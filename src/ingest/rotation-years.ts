/**
 * Rotated files of one log (auth.log, auth.log.1, auth.log.2.gz; or auth.log-20260101) are in time
 * order: an older file ends before a newer one starts. Each file's years were inferred from its own
 * mtime, which copies of evidence often lose; when an older file then appears to end after the
 * newer one starts, its year-inferred events are moved back a year (up to MAX_YEARS) and the
 * shift is recorded on its evidence row.
 *
 * The decision is taken once per file, by the run that stored it, and never revisited: a file is
 * stored with `info.year_order = 'pending'` and this pass turns that into its decision. A re-run
 * (or a later ingest adding files to the set) never moves stored times again — it can only add a
 * note when a new file does not fit the order of files already decided. Files are visited in a
 * fixed order (set, age, evidence id), so the same evidence gives the same times in any case.
 */
import { basename, dirname } from 'node:path';
import type { CaseDb } from '../store/case-db.js';

/** `info.year_order` of a file whose order was not yet checked. */
export const YEAR_ORDER_PENDING = 'pending';

interface RotatedFile {
  evidenceId: number;
  absPath: string;
  /** 0 = the live file; higher = older. Date suffixes sort newest first too. */
  age: number;
  firstUs: number;
  lastUs: number;
  pending: boolean;
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
/** Beyond this the mtimes are not "a copy lost them" but wrong: say so rather than guess. */
const MAX_YEARS = 5;

export interface YearOrderResult {
  notes: string[];
  /** Evidence ids whose stored times were moved by this pass. */
  moved: number[];
}

/**
 * Decides the year order of every file stored with a pending decision; returns notes.
 * `isCancelled` is checked between files (each decision is its own transaction).
 */
export async function orderRotatedYears(db: CaseDb, isCancelled: () => boolean = () => false): Promise<YearOrderResult> {
  const rows = await db.all<{ evidence_id: number; abs_path: string; first_us: number; last_us: number; state: string }>(
    `SELECT evidence_id, abs_path, epoch_us(first_ts) AS first_us, epoch_us(last_ts) AS last_us, json_extract_string(info, '$.year_order') AS state
     FROM evidence WHERE status IN ('ingested', 'partial') AND first_ts IS NOT NULL AND json_extract_string(info, '$.year_order') IS NOT NULL
     ORDER BY evidence_id`,
  );
  const sets = new Map<string, RotatedFile[]>();
  for (const r of rows) {
    const k = rotationKey(r.abs_path);
    const f: RotatedFile = { evidenceId: r.evidence_id, absPath: r.abs_path, age: k.age, firstUs: r.first_us, lastUs: r.last_us, pending: r.state === YEAR_ORDER_PENDING };
    sets.set(k.base, [...(sets.get(k.base) ?? []), f]);
  }
  const result: YearOrderResult = { notes: [], moved: [] };
  for (const base of [...sets.keys()].sort()) {
    const files = sets.get(base)!;
    if (!files.some((f) => f.pending)) continue;
    files.sort((a, b) => a.age - b.age || a.evidenceId - b.evidenceId);
    for (const file of files) {
      if (!file.pending) continue;
      if (isCancelled()) return result;
      // The nearest younger generation (copies of the same generation, e.g. syslog and syslog.gz,
      // are not ordered against each other); its earliest start is where this file must end.
      const younger = files.filter((f) => f.age < file.age);
      const nearestAge = younger.length ? Math.max(...younger.map((f) => f.age)) : null;
      const newer = younger.filter((f) => f.age === nearestAge).sort((a, b) => a.firstUs - b.firstUs)[0];
      let decision = 'checked';
      let years = 0;
      if (newer) {
        while (file.lastUs - years * YEAR_US > newer.firstUs + SLACK_US && years <= MAX_YEARS) years++;
        if (years > MAX_YEARS) {
          decision = `not ordered: it ends more than ${MAX_YEARS} years after ${basename(newer.absPath)} starts (check the files' mtimes, or give --year)`;
          result.notes.push(`${file.absPath}: ${decision}; its year-inferred times are left as inferred from its mtime`);
          years = 0;
        } else if (years > 0) {
          decision = `moved back ${years} year(s): it is older than ${basename(newer.absPath)} in its rotation set`;
        }
      }
      // An older file already decided by an earlier run that ends after this one starts: its
      // times are never moved again, so the disagreement is reported, not resolved.
      const older = files.filter((f) => f.age > file.age && !f.pending && f.lastUs > file.firstUs + SLACK_US);
      for (const o of older) result.notes.push(`${o.absPath} (stored earlier) ends after ${basename(file.absPath)} starts; times already in the case are not moved again: ingest the set together into a new case to order it`);
      await decide(db, file, years, decision);
      if (years > 0) {
        result.moved.push(file.evidenceId);
        result.notes.push(`${file.absPath}: year-inferred times moved back ${years} year(s) to precede ${basename(newer!.absPath)}`);
      }
      file.pending = false;
    }
  }
  return result;
}

async function decide(db: CaseDb, file: RotatedFile, years: number, decision: string): Promise<void> {
  await db.run('BEGIN TRANSACTION');
  try {
    if (years > 0) {
      await db.run(`UPDATE events SET ts = ts - to_years($y::INTEGER) WHERE evidence_id = $id AND time_quality = 'year_inferred'`, { y: years, id: file.evidenceId });
    }
    await db.run(
      `UPDATE evidence SET
         first_ts = CASE WHEN $y = 0 THEN first_ts ELSE (SELECT min(ts) FROM events WHERE evidence_id = $id) END,
         last_ts = CASE WHEN $y = 0 THEN last_ts ELSE (SELECT max(ts) FROM events WHERE evidence_id = $id) END,
         year_shift = CASE WHEN $y = 0 THEN year_shift ELSE coalesce(year_shift, 0) - $y END,
         info = json_merge_patch(coalesce(info, '{}'::JSON), json_object('year_order', $decision))
       WHERE evidence_id = $id`,
      { y: years, id: file.evidenceId, decision },
    );
    await db.run('COMMIT');
  } catch (err) {
    await db.run('ROLLBACK');
    throw err;
  }
  if (years > 0) {
    const fixed = await db.one<{ first_us: number; last_us: number }>(`SELECT epoch_us(first_ts) AS first_us, epoch_us(last_ts) AS last_us FROM evidence WHERE evidence_id = $id`, { id: file.evidenceId });
    file.firstUs = fixed!.first_us;
    file.lastUs = fixed!.last_us;
  }
}
