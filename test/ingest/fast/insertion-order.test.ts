/**
 * preserve_insertion_order is one setting for the whole database, shared by the ingest's lanes: a
 * numbered read needs it on (line numbers are the reader's order), the SQL path's INSERT from its
 * lines table wants it off (full row groups; bench/RESULTS.md, issue 14). The two never overlap, and
 * afterwards the setting is the one the database was opened with.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { withInsertionOrder, withoutInsertionOrder } from '../../../src/ingest/fast/read-lines.js';

async function setting(conn: DuckDBConnection): Promise<string> {
  const r = await conn.runAndReadAll(`SELECT current_setting('preserve_insertion_order')::VARCHAR AS v`);
  return String((r.getRowObjectsJS()[0] as { v: unknown }).v);
}

async function open(order: 'true' | 'false'): Promise<{ a: DuckDBConnection; b: DuckDBConnection; close: () => void }> {
  const db = await DuckDBInstance.create(':memory:', { preserve_insertion_order: order });
  const a = await db.connect();
  const b = await db.connect();
  return { a, b, close: () => (a.closeSync(), b.closeSync(), db.closeSync()) };
}

describe('insertion order between the lanes', () => {
  it('each kind sees its setting, and the database’s own comes back after', async () => {
    for (const order of ['true', 'false'] as const) {
      const { a, close } = await open(order);
      expect(await withInsertionOrder(a, () => setting(a))).toBe('true');
      expect(await setting(a)).toBe(order);
      expect(await withoutInsertionOrder(a, () => setting(a))).toBe('false');
      expect(await setting(a)).toBe(order);
      close();
    }
  });

  it('a read waits for an unordered insert on another lane, and the other way round', async () => {
    const { a, b, close } = await open('true');
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const insert = withoutInsertionOrder(a, async () => {
      log.push(`insert starts ${await setting(a)}`);
      await held;
      log.push('insert ends');
    });
    await new Promise((r) => setTimeout(r, 20));
    const read = withInsertionOrder(b, async () => {
      log.push(`read runs ${await setting(b)}`);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toEqual(['insert starts false']);
    release();
    await Promise.all([insert, read]);
    expect(log).toEqual(['insert starts false', 'insert ends', 'read runs true']);

    // Two reads at once share the setting; an insert waits for both.
    log.length = 0;
    let releaseReads!: () => void;
    const reads = new Promise<void>((r) => (releaseReads = r));
    const r1 = withInsertionOrder(a, async () => {
      await reads;
      log.push('read 1 ends');
    });
    const r2 = withInsertionOrder(b, async () => {
      await reads;
      log.push('read 2 ends');
    });
    await new Promise((r) => setTimeout(r, 20));
    const ins = withoutInsertionOrder(a, async () => {
      log.push(`insert runs ${await setting(a)}`);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toEqual([]);
    releaseReads();
    await Promise.all([r1, r2, ins]);
    expect(log).toEqual(['read 1 ends', 'read 2 ends', 'insert runs false']);
    expect(await setting(a)).toBe('true');
    close();
  });
});
