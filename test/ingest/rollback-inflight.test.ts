/**
 * A file's transaction rolled back while one of its batches is still being loaded (Ctrl-C: the
 * parse lane is cancelled at once, the batch's INSERT is still on its way into DuckDB) must leave
 * nothing of the file in the case. DuckDB runs a parameterized statement in steps (extract,
 * prepare, execute); a ROLLBACK that slips between them ends the transaction, and the INSERT then
 * ran in a transaction of its own and committed: events without an evidence row, and a write
 * transaction open under the ingest's final CHECKPOINT ("Cannot CHECKPOINT: there are other write
 * transactions active", then a hang at close).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { EvidenceTransaction } from '../../src/store/evidence-writer.js';
import { encodeEvent } from '../../src/store/staging-rows.js';
import { tempDir } from '../helpers/cli.js';

function writeBatch(path: string, n: number): void {
  let text = '';
  for (let i = 0; i < n; i++) {
    text += encodeEvent(i, { ts: 1_700_000_000_000_000 + i, time_quality: 'exact', class: 'auth', action: 'ssh_login', outcome: 'success', summary: `login ${i}`, line: i + 1, byte_offset: i * 10, byte_length: 10, raw: `line ${i}` } as never);
  }
  writeFileSync(path, text);
}

describe('an evidence transaction rolled back with a batch in flight', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('stores nothing of the file, whatever the order the rollback and the INSERT reach DuckDB in', { timeout: 60_000 }, async () => {
    const db = await CaseDb.open(join(tmp.path, 'case.duckdb'), { create: true });
    try {
      // Each round races one INSERT against the rollback; the old rollback lost most rounds.
      for (let round = 0; round < 10; round++) {
        const tx = await EvidenceTransaction.begin(db, round + 1);
        const batch = join(tmp.path, `events-${round}.ndjson`);
        writeBatch(batch, 200);
        // Not awaited, as the worker's batch chain is not when the lane is cancelled.
        const loading = tx.addEvents(batch, 'auth_log').then(
          () => 'stored',
          (err: Error) => `refused: ${err.message.split('\n')[0]}`,
        );
        await tx.rollback();
        await loading;
        const left = await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events');
        expect(left, `round ${round}`).toEqual({ n: 0 });
      }
      // Nothing is left open under a checkpoint either.
      await db.run('CHECKPOINT');
    } finally {
      db.close();
    }
  });
});
