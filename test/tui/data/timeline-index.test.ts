import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../../../src/store/case-db.js';
import { buildTimelineIndex, timelineIndexStatus } from '../../../src/store/timeline-index.js';
import { DuckDbSource } from '../../../src/tui/data/duckdb-source.js';
import { tempDir } from '../../helpers/cli.js';
import { createSyntheticCase, manyEvents } from '../helpers/synthetic-case.js';

describe('timeline index', () => {
  const tmp = tempDir('dwell-tui-idx-');
  afterAll(() => tmp.cleanup());

  it('is used while fresh, ignored once events are added, and never built by opening', async () => {
    const path = join(tmp.path, 'case.duckdb');
    await createSyntheticCase(path, manyEvents(30));
    let src = await DuckDbSource.open(path);
    expect(src.info.index).toEqual({ table: 'events', note: 'no timeline index: paging events directly' });
    src.close();

    const db = await CaseDb.open(path);
    expect((await buildTimelineIndex(db)).events).toBe(30);
    expect(await timelineIndexStatus(db)).toMatchObject({ state: 'fresh', indexedEvents: 30 });
    const sorted = await db.all<{ ok: boolean }>(`SELECT bool_and(ok) AS ok FROM (SELECT (ts, event_id) >= lag((ts, event_id)) OVER () OR lag(ts) OVER () IS NULL AS ok FROM timeline)`);
    expect(sorted[0]!.ok).toBe(true);
    db.close();

    src = await DuckDbSource.open(path);
    expect(src.info.index.table).toBe('timeline');
    src.close();
    src = await DuckDbSource.open(path, { noIndex: true });
    expect(src.info.index.table).toBe('events');
    src.close();

    const rw = await CaseDb.open(path);
    await rw.run(`INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, summary, evidence_id, line, byte_offset, byte_length, raw)
                  VALUES (99, TIMESTAMP '2026-01-03 00:00:00', 'exact', 'auth_log', 'other', 'other', 'unknown', 'late', 1, 99, 0, 1, 'x')`);
    rw.close();
    src = await DuckDbSource.open(path);
    expect(src.info.index).toEqual({ table: 'events', note: 'timeline index is stale (30 of 31 events): paging events directly' });
    expect(await src.count({ attack: false, filters: [] })).toBe(31);
    src.close();
  });
});
