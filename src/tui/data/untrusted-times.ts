/**
 * Finds, once when the case opens, where the events with untrusted times lie (time_quality
 * relative or implausible: see UNTRUSTED_TIMES), so the default view can leave them out cheaply.
 *
 * Cost (5M events, 2 busy cores): the count over `events.time_quality` ≈ 5 ms; only when it is
 * not zero, two more scans (≈ 0.2–0.5 s) for the time range of the other events and whether any
 * hidden event falls inside it — run beside the rest of the opening (findings, marks).
 */
import { UNTRUSTED_TIMES } from '../state/filters.js';
import type { HiddenTimes } from './sql.js';

type Query = <T extends Record<string, unknown>>(sql: string, params?: Record<string, string | number | bigint>) => Promise<T[]>;

const PARAMS = Object.fromEntries(UNTRUSTED_TIMES.map((v, i) => [`u${i}`, v]));
const LIST = UNTRUSTED_TIMES.map((_, i) => `$u${i}`).join(', ');

/** How many events have an untrusted time (cheap: the first thing a case's opening asks). */
export async function countUntrusted(q: Query): Promise<number> {
  const [c] = await q<{ n: number }>(`SELECT count(*) AS n FROM events WHERE time_quality IN (${LIST})`, PARAMS);
  return Number(c?.n ?? 0);
}

/** Where the `count` events with untrusted times lie against the others (two scans of `events`). */
export async function locateHidden(q: Query, count: number): Promise<HiddenTimes> {
  const [r] = await q<{ lo: number | null; hi: number | null }>(
    `SELECT epoch_us(min(ts)) AS lo, epoch_us(max(ts)) AS hi FROM events WHERE time_quality IS NULL OR time_quality NOT IN (${LIST})`,
    PARAMS,
  );
  if (!r || r.lo === null || r.hi === null) return { count, trusted: null, interleaved: false };
  const trusted = { fromUs: Number(r.lo), toUs: Number(r.hi) };
  const [i] = await q<{ n: number }>(
    `SELECT count(*) AS n FROM events WHERE time_quality IN (${LIST}) AND ts >= make_timestamp($lo::BIGINT) AND ts <= make_timestamp($hi::BIGINT)`,
    { ...PARAMS, lo: BigInt(trusted.fromUs), hi: BigInt(trusted.toUs) },
  );
  return { count, trusted, interleaved: Number(i?.n ?? 0) > 0 };
}

/** The SQL list and parameters of UNTRUSTED_TIMES, for a query of its own. */
export function untrustedList(): { list: string; params: Record<string, string> } {
  return { list: LIST, params: PARAMS };
}
