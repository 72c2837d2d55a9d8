/**
 * preserve_insertion_order is one setting for the whole database, shared by the ingest's lanes: a
 * numbered read needs it on (line numbers are the reader's order), the SQL path's INSERT from its
 * lines table wants it off (full row groups; bench/RESULTS.md, issue 14), a load of staged rows wants it
 * on (row groups written as they fill). The two kinds never overlap; each sets what it needs.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DwellEvent } from '../../../src/core/event.js';
import { withInsertionOrder, withoutInsertionOrder } from '../../../src/ingest/fast/read-lines.js';
import { ingestDuckdbConfig } from '../../../src/ingest/pipeline.js';
import { CaseDb } from '../../../src/store/case-db.js';
import { loadStagedEvents } from '../../../src/store/evidence-writer.js';
import { encodeEvent } from '../../../src/store/staging-rows.js';

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
  it('each kind sees its setting, whatever the database was opened with', async () => {
    for (const order of ['true', 'false'] as const) {
      const { a, close } = await open(order);
      expect(await withInsertionOrder(a, () => setting(a))).toBe('true');
      expect(await withoutInsertionOrder(a, () => setting(a))).toBe('false');
      expect(await withInsertionOrder(a, () => setting(a))).toBe('true');
      close();
    }
  });

  it('an insert whose statement aborted its transaction does not leave the order off for what follows', async () => {
    // The fast path declines a file by error() inside its INSERT: that lane's transaction is aborted,
    // and a SET on it fails. The next ordered statement (another lane's load) must still run ordered
    // and leave the order on (the earlier version left it off for the rest of the ingest).
    const { a, b, close } = await open('true');
    await a.run('BEGIN TRANSACTION');
    await expect(withoutInsertionOrder(a, () => a.run(`SELECT error('declined')`))).rejects.toThrow(/declined/);
    await a.run('ROLLBACK');
    expect(await withInsertionOrder(b, () => setting(b))).toBe('true');
    expect(await setting(b)).toBe('true');
    close();
  });

  it('a load of staged rows runs ordered (a large file\'s row groups then reach the case file as they fill)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dwell-order-'));
    const db = await CaseDb.open(join(dir, 'case.duckdb'), { create: true, config: ingestDuckdbConfig({}) });
    try {
      const conn = await db.connect();
      await withoutInsertionOrder(conn, async () => undefined);
      expect(await setting(conn)).toBe('false');
      const file = join(dir, 'batch.ndjson');
      const raw = 'Dec  7 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2';
      const event = {
        ts: 1765101600000000, ts_end: null, time_quality: 'exact', class: 'authentication', action: 'ssh_login', outcome: 'success', host: 'h',
        actor: 'a', src_ip: '192.0.2.1', src_port: 1, dst_ip: null, dst_port: null, protocol: null, session: null, access_key: null,
        target: null, database: null, bytes_in: null, bytes_out: null, packets_in: null, packets_out: null, rows: null, command: null,
        community_id: null, user_agent: null, summary: 'a from 192.0.2.1', attrs: null, line: 1, byte_offset: 0, byte_length: raw.length, raw,
      } as DwellEvent;
      writeFileSync(file, encodeEvent(0, event));
      await loadStagedEvents(conn, file, 'auth_log', 1);
      expect(await setting(conn)).toBe('true');
      expect(Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0]![0])).toBe(1);
      conn.closeSync();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
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
    // Nothing is put back: the next statement of either kind sets what it needs.
    expect(await withInsertionOrder(b, () => setting(b))).toBe('true');
    close();
  });
});
