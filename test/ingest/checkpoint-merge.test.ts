/**
 * Issue 14: during an ingest, a checkpoint writes the rows committed since the last one and does
 * not read back and rewrite the row groups already written. DuckDB's default merges adjacent
 * partly filled row groups at each checkpoint ("vacuum"): on the mixed scenario's thousands of
 * small CloudTrail files that merge decompressed a row group's worth of written rows into memory
 * every second checkpoint and was the ingest's peak (bench/RESULTS.md "Mixed-source ingest",
 * 2026-12-08; pipeline.ts MAX_VACUUM_TASKS).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDuckdbConfig } from '../../src/ingest/pipeline.js';
import { CaseDb } from '../../src/store/case-db.js';
import { EvidenceTransaction } from '../../src/store/evidence-writer.js';
import { tempDir } from '../helpers/cli.js';
import { stagedEvidenceRow, stageEvents } from '../helpers/staged-events.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Rows of one small file: far from filling a row group (122,880), so only a checkpoint writes them. */
const FILE_ROWS = 5_000;

describe('checkpoints during an ingest, with the ingest’s DuckDB settings', () => {
  it('write each checkpoint’s new rows as a row group of their own, without merging the ones already written, and keep every row', { timeout: 120_000 }, async () => {
    const db = await CaseDb.open(join(tmp.path, 'small-files.duckdb'), { create: true, config: ingestDuckdbConfig({}) });
    try {
      const rowGroups: number[] = [];
      for (let id = 1; id <= 4; id++) {
        const tx = await EvidenceTransaction.begin(db, id);
        await tx.addEvents(stageEvents(join(tmp.path, `f-${id}.ndjson`), (id - 1) * FILE_ROWS, FILE_ROWS), 'postgres_log');
        await tx.commit(stagedEvidenceRow(id, FILE_ROWS));
        // The checkpoint DuckDB runs once the WAL passes the threshold, here after every file.
        await db.run('CHECKPOINT');
        const [g] = await db.all<{ n: number }>(`SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM pragma_storage_info('events')`);
        rowGroups.push(g!.n);
      }
      // With DuckDB's default the groups are merged again and again (1, 1, 2, 1 …).
      expect(rowGroups).toEqual([1, 2, 3, 4]);
      const rows = await db.all<{ id: number; n: number; first: number; last: number }>(
        `SELECT evidence_id AS id, count(*)::INTEGER AS n, min(line)::INTEGER AS first, max(line)::INTEGER AS last FROM events GROUP BY 1 ORDER BY 1`,
      );
      expect(rows).toEqual([1, 2, 3, 4].map((id) => ({ id, n: FILE_ROWS, first: (id - 1) * FILE_ROWS + 1, last: id * FILE_ROWS })));
    } finally {
      db.close();
    }
  });
  it('a later writer (correlate, hunt, watch: a plain read-write open) does not merge them in its own checkpoint', { timeout: 120_000 }, async () => {
    const casePath = join(tmp.path, 'later-writer.duckdb');
    const db = await CaseDb.open(casePath, { create: true, config: ingestDuckdbConfig({}) });
    try {
      for (let id = 1; id <= 3; id++) {
        const tx = await EvidenceTransaction.begin(db, id);
        await tx.addEvents(stageEvents(join(tmp.path, `g-${id}.ndjson`), (id - 1) * FILE_ROWS, FILE_ROWS), 'postgres_log');
        await tx.commit(stagedEvidenceRow(id, FILE_ROWS));
        await db.run('CHECKPOINT');
      }
    } finally {
      db.close();
    }
    // The first writer after the ingest: DuckDB's default would merge the three groups (40 CPU-s
    // on the 10M-event case) in the checkpoint of whatever small write it makes.
    const later = await CaseDb.open(casePath);
    try {
      await later.run(`INSERT INTO case_meta VALUES ('note', 'a later write')`);
      await later.run('CHECKPOINT');
      const [g] = await later.all<{ n: number; rows: number }>(`SELECT count(DISTINCT row_group_id)::INTEGER AS n, (SELECT count(*)::INTEGER FROM events) AS rows FROM pragma_storage_info('events')`);
      expect(g).toEqual({ n: 3, rows: 3 * FILE_ROWS });
    } finally {
      later.close();
    }
  });
});
