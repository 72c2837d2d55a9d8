/**
 * Issue 14: a large file's rows reach the case file as its transaction fills row groups (DuckDB's
 * optimistic writes), so the transaction does not hold the whole file in memory until the commit
 * (bench/RESULTS.md "Mixed-source ingest": in_memory_table 650–1,447 MB on a 290 MB PostgreSQL
 * log). The rows written before the commit are still the transaction's: a rollback, or a kill -9,
 * leaves none of them in the case (the kill -9 is test/ingest/rowgroup-kill.test.ts, a file of its
 * own so that the two long tests run side by side on the suite's two workers).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestDuckdbConfig } from '../../src/ingest/pipeline.js';
import { CaseDb } from '../../src/store/case-db.js';
import { EvidenceTransaction } from '../../src/store/evidence-writer.js';
import { tempDir } from '../helpers/cli.js';
import { stagedEvidenceRow, stageEvents } from '../helpers/staged-events.js';
import { ROW_GROUP } from './row-group.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const BATCH = 40_000;

async function inMemoryTableBytes(db: CaseDb): Promise<number> {
  const [row] = await db.all<{ b: bigint | number | null }>(
    `SELECT sum(memory_usage_bytes + temporary_storage_bytes) AS b FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`,
  );
  return Number(row?.b ?? 0);
}

describe('a large file in one transaction, with the ingest’s DuckDB settings', () => {
  it('holds about one row group in memory, writes the rest to the case file before the commit, and a rollback keeps none of it', { timeout: 180_000 }, async () => {
    const casePath = join(tmp.path, 'rowgroups.duckdb');
    const db = await CaseDb.open(casePath, { create: true, config: ingestDuckdbConfig({}) });
    try {
      await db.run('CHECKPOINT');
      const emptySize = statSync(casePath).size;
      const batches = 8; // 320,000 rows: two full row groups and a part
      const run = async (commit: boolean, id: number) => {
        const tx = await EvidenceTransaction.begin(db, id);
        let perRow = 0;
        let peak = 0;
        for (let b = 0; b < batches; b++) {
          await tx.addEvents(stageEvents(join(tmp.path, `b-${id}-${b}.ndjson`), b * BATCH, BATCH), 'postgres_log');
          const held = await inMemoryTableBytes(db);
          // After the first batch nothing can have been written yet: what one row costs in memory.
          if (b === 0) perRow = held / BATCH;
          peak = Math.max(peak, held);
        }
        const sizeBeforeCommit = statSync(casePath).size;
        if (commit) await tx.commit(stagedEvidenceRow(id, batches * BATCH));
        else await tx.rollback();
        return { perRow, peak, sizeBeforeCommit };
      };

      const rolledBack = await run(false, 1);
      expect(rolledBack.perRow).toBeGreaterThan(0);
      // Without the early writes the peak is all 320,000 rows (2.6 row groups' worth).
      expect(rolledBack.peak).toBeLessThan(rolledBack.perRow * ROW_GROUP * 1.5);
      expect(rolledBack.sizeBeforeCommit).toBeGreaterThan(emptySize);
      const [none] = await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events`);
      expect(none!.n).toBe(0);

      const committed = await run(true, 2);
      expect(committed.peak).toBeLessThan(committed.perRow * ROW_GROUP * 1.5);
      const [stored] = await db.all<{ n: number; seqs: number; lines: number }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS seqs, max(line)::INTEGER AS lines FROM events WHERE evidence_id = 2`,
      );
      expect(stored).toEqual({ n: batches * BATCH, seqs: batches * BATCH, lines: batches * BATCH });
    } finally {
      db.close();
    }
  });
});
