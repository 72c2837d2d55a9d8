/**
 * The staged row of an event (store/staging-rows.ts): unset fields are left out rather than
 * written as `null` — fewer bytes for JSON.stringify to write and DuckDB's reader to parse — and
 * the row DuckDB loads from it is the event, column for column, NULL where the event has none.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { cloudtrail } from '../../src/parsers/cloudtrail.js';
import { EVENT_STAGING, encodeEvent, stagingSource } from '../../src/store/staging-rows.js';
import { tempDir } from '../helpers/cli.js';

/** The events the CloudTrail parser makes of its own samples (real records, real normalizer). */
async function sampleEvents(): Promise<DwellEvent[]> {
  const events: DwellEvent[] = [];
  const ctx = {
    path: 'sample.json',
    options: { tz: { kind: 'utc' } },
    emit: (e: DwellEvent) => events.push(e),
    warn: () => undefined,
    setFileInfo: () => undefined,
    recordOnly: () => undefined,
  };
  for (const text of cloudtrail.samples ?? []) await cloudtrail.parse(Readable.from([Buffer.from(text)]), ctx as never);
  return events;
}

/** Every staged key with the event's value for its column (undefined when the event has none). */
function expected(seq: number, e: DwellEvent): Record<string, unknown> {
  const v = e as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [column] of EVENT_STAGING) {
    const field = column === 'seq' ? null : column === 'ts_us' ? 'ts' : column === 'ts_end_us' ? 'ts_end' : column;
    out[column] = field === null ? seq : v[field];
  }
  return out;
}

describe('staged event rows', () => {
  let dir: { path: string; cleanup: () => void };
  let events: DwellEvent[];
  beforeAll(async () => {
    dir = tempDir('dwell-staging-rows-');
    events = await sampleEvents();
  });
  afterAll(() => dir.cleanup());

  it('leaves unset fields out of the row instead of writing null', () => {
    expect(events.length).toBe(2);
    for (const [i, e] of events.entries()) {
      const row = JSON.parse(encodeEvent(i, e)) as Record<string, unknown>;
      expect(Object.values(row)).not.toContain(null);
      // A CloudTrail event has no ports, host or packets: those keys are not staged at all.
      for (const key of ['te', 'h', 'sp', 'di', 'dp', 'p', 'd', 'pi', 'po', 'r', 'cm', 'ci']) expect(row).not.toHaveProperty(key);
      expect(row.rw).toBe(e.raw);
      expect(row.at).toEqual(e.attrs);
    }
  });

  it('loads back as the event, NULL in every column it does not set', async () => {
    const file = join(dir.path, 'events.ndjson');
    // A row with nulls and an empty attrs object beside the parser's rows.
    const sparse = { ...events[0]!, actor: null, src_ip: null, bytes_out: Number.NaN, attrs: {} } as DwellEvent;
    const all = [...events, sparse];
    writeFileSync(file, all.map((e, i) => encodeEvent(i, e)).join(''));
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const { columns, from } = stagingSource(file, EVENT_STAGING);
      const rows = (await conn.runAndReadAll(`SELECT ${columns} FROM ${from} ORDER BY seq`)).getRowObjectsJS();
      expect(rows.length).toBe(all.length);
      for (const [i, e] of all.entries()) {
        const want = expected(i, e);
        const got = rows[i]!;
        for (const [column] of EVENT_STAGING) {
          const w = want[column];
          const g = got[column];
          if (column === 'attrs') expect(g === null ? null : JSON.parse(String(g))).toEqual(w && Object.keys(w).length > 0 ? w : null);
          else if (w === null || w === undefined || (typeof w === 'number' && !Number.isFinite(w))) expect(g, column).toBeNull();
          else expect(typeof g === 'bigint' ? Number(g) : g, column).toEqual(w);
        }
      }
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
