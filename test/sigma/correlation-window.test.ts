/**
 * The window step of Sigma correlations (event_count, value_count, value_sum, temporal) runs as a
 * running minimum in descending time, not a per-row `CURRENT ROW AND UNBOUNDED FOLLOWING` frame:
 * checked here against the meaning by brute force, on generated matches with ties (equal times),
 * NULL times, several keys, events matching more than one rule, and repeated values.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowHitsSql } from '../../src/sigma/correlation.js';
// @ts-expect-error plain .mjs bench helper
import { rng } from '../../bench/lib/rng.mjs';

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => conn.closeSync());

/** One match: an event (several rows when it matched several rules), its time in seconds or null. */
interface Match {
  id: number;
  s: number | null;
  ref: number;
  k: string;
  v: string;
}

/** Deterministic for a seed (xorshift32): a failure can be replayed. */
function generate(seed: number, n: number): Match[] {
  const r = rng(seed) as () => number;
  const out: Match[] = [];
  let s = 0;
  for (let id = 1; id <= n; id++) {
    s += r() < 0.3 ? 0 : r() < 0.85 ? Math.floor(r() * 40) : Math.floor(r() * 4000);
    const t = r() < 0.02 ? null : s;
    const k = `host-${Math.floor(r() * 3)}`;
    const v = String(Math.floor(r() * 5));
    out.push({ id, s: t, ref: Math.floor(r() * 3), k, v });
    if (r() < 0.1) out.push({ id, s: t, ref: (out.at(-1)!.ref + 1) % 3, k, v });
  }
  return out;
}

type Agg = 'events' | 'values' | 'sum' | 'refs';
const SQL_AGG: Record<Agg, string> = {
  events: 'count(DISTINCT event_id)',
  values: 'count(DISTINCT v)',
  sum: 'sum(TRY_CAST(v AS DOUBLE))',
  refs: 'count(DISTINCT ref)',
};

/** By definition: ends are matches whose window [end − T, end] of their key meets n ≥ min; a match is a hit when an end of its key lies in [match, match + T]. */
function expected(ms: Match[], agg: Agg, min: number, T: number): string[] {
  const timed = ms.filter((m) => m.s !== null) as (Match & { s: number })[];
  const measure = (w: typeof timed): number =>
    agg === 'events' ? new Set(w.map((m) => m.id)).size : agg === 'values' ? new Set(w.map((m) => m.v)).size : agg === 'refs' ? new Set(w.map((m) => m.ref)).size : w.reduce((a, m) => a + Number(m.v), 0);
  const ends = timed.filter((end) => measure(timed.filter((m) => m.k === end.k && m.s >= end.s - T && m.s <= end.s)) >= min);
  const hits = timed.filter((m) => ends.some((end) => end.k === m.k && end.s >= m.s && end.s <= m.s + T));
  return [...new Set(hits.map((m) => `${m.id} ${m.k}`))].sort();
}

async function actual(agg: Agg, min: number, T: number): Promise<string[]> {
  const sql = `WITH ${windowHitsSql('gen', SQL_AGG[agg], `n >= ${min}`, `INTERVAL ${T} SECOND`)}`;
  const rows = (await conn.runAndReadAll(`SELECT DISTINCT event_id, hit_key FROM (${sql})`)).getRowObjectsJS();
  return rows.map((r) => `${Number(r.event_id)} ${String(r.hit_key)}`).sort();
}

describe('Sigma correlation windows', () => {
  it('never computes a frame from each row to the end of its partition', () => {
    expect(windowHitsSql('m', 'count(*)', 'n >= 2', 'INTERVAL 60 SECOND')).not.toMatch(/CURRENT ROW AND UNBOUNDED FOLLOWING/i);
  });

  it('flags exactly the matches inside a window that meets the condition, ties and NULL times included', async () => {
    let hits = 0;
    for (const seed of [1, 2, 3]) {
      const ms = generate(seed, 300);
      await conn.run(`CREATE OR REPLACE TABLE gen AS SELECT * FROM (VALUES ${ms.map((m) => `(${m.id}, ${m.s === null ? 'NULL::TIMESTAMP' : `TIMESTAMP '2026-01-01' + to_seconds(${m.s})`}, 0, ${m.ref}, '${m.k}', '${m.v}')`).join(',')}) t(event_id, ts, base, ref, k, v)`);
      for (const [agg, min, T] of [['events', 5, 60], ['events', 12, 600], ['values', 4, 300], ['sum', 20, 120], ['refs', 3, 300]] as const) {
        const want = expected(ms, agg, min, T);
        hits += want.length;
        expect(await actual(agg, min, T), `seed ${seed}, ${agg} ≥ ${min} in ${T} s`).toEqual(want);
      }
    }
    // The generated data exercises both sides: many hits, and many matches that are not.
    expect(hits).toBeGreaterThan(100);
  });
});
