/**
 * Stores one extent of a followed file in one transaction: its events and warnings, the extent
 * (offset range and the SHA-256 of its bytes), the evidence row brought up to date (size and
 * SHA-256 of everything read so far, counts, first and last time), and the alerts its events
 * raise. Killed midway, nothing of the extent is kept and the next start reads it again: no event
 * is lost or stored twice.
 */
import type { DwellEvent } from '../core/event.js';
import type { ParseWarning } from '../parsers/types.js';
import type { CaseDb } from '../store/case-db.js';
import { EVENT_ID_SHIFT, insertEvidence, loadEventRows, loadWarningRows, type EvidenceRow } from '../store/evidence-writer.js';
import { encodeEvent, encodeWarning } from '../store/staging-rows.js';
import type { LineDisposition } from '../parsers/types.js';
import { matchNewEvents } from './match.js';

export interface ExtentToStore {
  evidenceId: number;
  runId: number;
  source: string;
  /** Set for the file's first extent: the evidence row to create (counts are filled in here). */
  newRow: EvidenceRow | null;
  extentNo: number;
  start: number;
  end: number;
  /** SHA-256 of the extent's bytes. */
  sha256: string;
  /** SHA-256 of the file's bytes [0, end): the evidence row's hash from now on. */
  prefixSha256: string;
  mtimeMs: number;
  firstLine: number;
  lines: number;
  /** Sequence number of the extent's first event in its file. */
  firstSeq: number;
  events: DwellEvent[];
  warnings: ParseWarning[];
  dispositions: Record<LineDisposition, number>;
  info: Record<string, unknown>;
  containedAtUs: number | null;
}

export interface StoredExtent {
  alerts: number;
}

const MAX_SUMMARY = 1000;
const MAX_TEXT = 1 << 20;

export async function storeExtent(db: CaseDb, x: ExtentToStore): Promise<StoredExtent> {
  let first: number | null = null;
  let last: number | null = null;
  const eventLines: string[] = [];
  x.events.forEach((e, i) => {
    if (e.summary.length > MAX_SUMMARY) e.summary = e.summary.slice(0, MAX_SUMMARY) + '…';
    if (e.raw.length > MAX_TEXT) e.raw = e.raw.slice(0, MAX_TEXT);
    if (e.command && e.command.length > MAX_TEXT) e.command = e.command.slice(0, MAX_TEXT);
    eventLines.push(encodeEvent(x.firstSeq + i, e));
    if (first === null || e.ts < first) first = e.ts;
    if (last === null || e.ts > last) last = e.ts;
  });
  await db.run('BEGIN TRANSACTION');
  try {
    // Handed to DuckDB as one string each, not through staging files and its JSON reader (which
    // takes a 32 MiB buffer per scan: issue 15's soak held it at every extent).
    if (eventLines.length > 0) await loadEventRows(db.conn, eventLines.join(''), x.source, x.evidenceId);
    if (x.warnings.length > 0) await loadWarningRows(db.conn, x.warnings.map((w) => encodeWarning(w.line, w.byte_offset, w.raw.slice(0, 512), w.reason)).join(''), x.evidenceId);
    const d = x.dispositions;
    if (x.newRow) {
      await insertEvidence(db.conn, {
        ...x.newRow,
        size: x.end,
        mtime_ms: x.mtimeMs,
        sha256: x.prefixSha256,
        lines: x.firstLine - 1 + x.lines,
        record_lines: d.record,
        continuation_lines: d.continuation,
        meta_lines: d.meta,
        blank_lines: d.blank,
        warning_lines: d.warning,
        events: x.events.length,
        warnings: x.warnings.length,
        first_ts_us: first,
        last_ts_us: last,
        info: { ...x.newRow.info, ...x.info },
      });
    } else {
      await db.run(
        `UPDATE evidence SET size = $size, mtime = to_timestamp($mtime_s)::TIMESTAMP, sha256 = $sha, lines = $lines,
           record_lines = coalesce(record_lines, 0) + $rec, continuation_lines = coalesce(continuation_lines, 0) + $cont,
           meta_lines = coalesce(meta_lines, 0) + $meta, blank_lines = coalesce(blank_lines, 0) + $blank,
           warning_lines = coalesce(warning_lines, 0) + $warn, events = events + $events, warnings = warnings + $warnings,
           first_ts = CASE WHEN $first IS NULL THEN first_ts ELSE least(coalesce(first_ts, make_timestamp($first)), make_timestamp($first)) END,
           last_ts = CASE WHEN $last IS NULL THEN last_ts ELSE greatest(coalesce(last_ts, make_timestamp($last)), make_timestamp($last)) END
         WHERE evidence_id = $id`,
        {
          size: x.end,
          mtime_s: x.mtimeMs / 1000,
          sha: x.prefixSha256,
          lines: x.firstLine - 1 + x.lines,
          rec: d.record,
          cont: d.continuation,
          meta: d.meta,
          blank: d.blank,
          warn: d.warning,
          events: x.events.length,
          warnings: x.warnings.length,
          first,
          last,
          id: x.evidenceId,
        },
      );
    }
    await db.run(
      `INSERT INTO evidence_extents VALUES ($id, $no, $start, $end, $sha, $line, $lines, $seq, $events, $run, now()::TIMESTAMP, false)`,
      { id: x.evidenceId, no: x.extentNo, start: x.start, end: x.end, sha: x.sha256, line: x.firstLine, lines: x.lines, seq: x.firstSeq, events: x.events.length, run: x.runId },
    );
    let alerts = 0;
    if (x.events.length > 0) {
      const lo = x.evidenceId * EVENT_ID_SHIFT + x.firstSeq;
      alerts = await matchNewEvents(db, { ranges: [[lo, lo + x.events.length - 1]], runId: x.runId, containedAtUs: x.containedAtUs }, 'entries');
    }
    await db.run('COMMIT');
    return { alerts };
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
