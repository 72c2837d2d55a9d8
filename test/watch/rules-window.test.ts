/**
 * dwell watch runs its watch list's rules over a window of the case around the new events (issue
 * 15: their cost must follow the new events, not a 10M-event case). A rule's window comes from
 * what its header declares; the windowed run must find exactly what the whole-case run finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/correlate/rules.js';
import { installSqlVocabulary } from '../../src/correlate/sql-vocabulary.js';
import { CaseDb } from '../../src/store/case-db.js';
import { evaluateRules, pendingRuleExtents, prepareRules, storeRuleHits } from '../../src/watch/match.js';

const rules = new Map(loadRules().map((r) => [r.id, r]));
const SHIFT = 4294967296;
let db: CaseDb;

interface Ev {
  ts: string;
  action: string;
  outcome: string;
  src_ip: string;
}

async function insert(evidenceId: number, firstSeq: number, events: Ev[]): Promise<void> {
  let seq = firstSeq;
  for (const e of events) {
    await db.run(
      `INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, summary, evidence_id, line, byte_offset, byte_length, raw)
       VALUES ($id, $ts::TIMESTAMP, 'exact', 'auth_log', 'authentication', $action, $outcome, 'web-1', 'root', $ip, 's', $ev, $line, 0, 0, 'r')`,
      { id: evidenceId * SHIFT + seq, ts: e.ts, action: e.action, outcome: e.outcome, ip: e.src_ip, ev: evidenceId, line: seq + 1 },
    );
    seq++;
  }
}

const fail = (ts: string, ip: string): Ev => ({ ts, action: 'ssh_login_failed', outcome: 'failure', src_ip: ip });
const ok = (ts: string, ip: string): Ev => ({ ts, action: 'ssh_login', outcome: 'success', src_ip: ip });

beforeAll(async () => {
  db = await CaseDb.open(':memory:', { create: true });
  await installSqlVocabulary(db.conn);
});
afterAll(() => db.close());

describe('watch-list rules over a window of the case', () => {
  it('reads each rule’s window from its header: a lookback, a threshold window, none for a baseline over history', () => {
    expect(rules.get('access.ssh_success_after_bruteforce')!.windowSeconds).toBe(120 * 60);
    const threshold = [...rules.values()].find((r) => r.kind === 'threshold')!;
    expect(threshold.windowSeconds).toBeGreaterThan(0);
    for (const r of rules.values()) if (Object.keys(r.params).some((k) => k === 'days' || k.startsWith('prior_'))) expect(r.windowSeconds, r.id).toBeNull();
    expect(rules.get('recon.ssh_probe')!.windowSeconds).toBeNull();
  });

  it('finds what the whole-case run finds: failures stored before the watch count, a burst outside the lookback does not', async () => {
    // History (evidence 1, stored by ingest): a month-old burst from .66, and four failures from .77 just before the watch.
    await db.run(`INSERT INTO watchlist VALUES (1, 'rule', 'access.ssh_success_after_bruteforce', NULL, 'high', 'analyst', NULL, NULL, 'test', now()::TIMESTAMP, NULL, NULL)`);
    await insert(1, 0, [
      ...Array.from({ length: 8 }, (_, i) => fail(`2026-11-01 10:0${i}:00`, '198.51.100.66')),
      ...Array.from({ length: 4 }, (_, i) => fail(`2026-12-07 09:5${i}:00`, '198.51.100.77')),
    ]);
    // Followed (evidence 2): one more failure and a success from .77; a success from .66 (its burst is a month old); a success from .88 with no failures.
    const fresh = [fail('2026-12-07 10:00:00', '198.51.100.77'), ok('2026-12-07 10:01:00', '198.51.100.77'), ok('2026-12-07 10:02:00', '198.51.100.66'), ok('2026-12-07 10:03:00', '198.51.100.88')];
    await insert(2, 0, fresh);
    await db.run(`INSERT INTO evidence_extents VALUES (2, 0, 0, 100, 'x', 1, 4, 0, 4, 1, now()::TIMESTAMP, false)`);
    expect(await prepareRules(db)).toEqual(new Map());

    const pending = (await pendingRuleExtents(db))!;
    expect(pending.ranges).toEqual([[2 * SHIFT, 2 * SHIFT + 3]]);
    const conn = await db.connect();
    await installSqlVocabulary(conn);
    const hits = await evaluateRules(conn, pending);
    conn.closeSync();
    const whole = await db.all<{ event_id: number }>(
      `SELECT DISTINCT event_id::BIGINT AS event_id FROM (${rules.get('access.ssh_success_after_bruteforce')!.sql}) WHERE event_id BETWEEN $lo AND $hi ORDER BY event_id`,
      { lo: 2 * SHIFT, hi: 2 * SHIFT + 3 },
    );
    expect(hits.map(([e]) => e).sort((a, b) => a - b)).toEqual(whole.map((r) => Number(r.event_id)));
    // The new failure and the success from .77: nothing from .66 or .88.
    expect(hits.map(([e, entry]) => [e - 2 * SHIFT, entry]).sort()).toEqual([
      [0, 1],
      [1, 1],
    ]);

    // Stored: the alerts, and the extent marked (nothing left pending).
    expect(await storeRuleHits(db, pending, hits, 1, null)).toBe(2);
    expect(await pendingRuleExtents(db)).toBeNull();
  });

  it('marks only the extents it ran over: one stored while the rules ran stays pending', async () => {
    await insert(2, 4, [ok('2026-12-07 10:05:00', '198.51.100.99')]);
    await db.run(`INSERT INTO evidence_extents VALUES (2, 1, 100, 150, 'y', 5, 1, 4, 1, 1, now()::TIMESTAMP, false)`);
    const pending = (await pendingRuleExtents(db))!;
    await insert(2, 5, [ok('2026-12-07 10:06:00', '198.51.100.99')]);
    await db.run(`INSERT INTO evidence_extents VALUES (2, 2, 150, 200, 'z', 6, 1, 5, 1, 1, now()::TIMESTAMP, false)`);
    await storeRuleHits(db, pending, [], 1, null);
    expect((await pendingRuleExtents(db))!.marks).toEqual([{ evidenceId: 2, lastExtent: 2 }]);
    expect((await pendingRuleExtents(db))!.ranges).toEqual([[2 * SHIFT + 5, 2 * SHIFT + 5]]);
  });
});
