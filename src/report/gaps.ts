/**
 * What the evidence could not see, as ranges a reader takes in at once: correlation reports a
 * source's missing days one row per day ("no evidence from this source on this day of the
 * attack"); touching rows of the same source and reason become one range with the number of rows
 * it stands for ("vpc_flow 2026-01-03 → 2026-01-09, 7 days"). Nothing is dropped: rows that do not
 * touch stay separate ranges.
 */
import type { Gap } from '../correlate/findings-types.js';

export interface GapRange {
  source: string;
  from: string | null;
  to: string | null;
  reason: string;
  /** Findings rows merged into this range. */
  rows: number;
  /** The range is made of whole days (per-day rows). */
  wholeDays: boolean;
}

const PER_DAY = /on this day/;
/** Two rows touch when the next starts at most this long after the previous ends (23:59:59 → 00:00:00). */
const TOUCH_MS = 1_000;

function ms(iso: string | null): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export function mergeGaps(gaps: readonly Gap[]): GapRange[] {
  const sorted = [...gaps].sort((a, b) => a.source.localeCompare(b.source) || a.reason.localeCompare(b.reason) || (a.from ?? '').localeCompare(b.from ?? ''));
  const out: GapRange[] = [];
  for (const g of sorted) {
    const prev = out[out.length - 1];
    const prevTo = ms(prev?.to ?? null);
    const from = ms(g.from);
    if (prev && prev.source === g.source && prev.reason === g.reason && prevTo !== null && from !== null && from - prevTo <= TOUCH_MS) {
      if ((ms(g.to) ?? Infinity) > prevTo) prev.to = g.to;
      prev.rows++;
      continue;
    }
    out.push({ source: g.source, from: g.from, to: g.to, reason: g.reason, rows: 1, wholeDays: PER_DAY.test(g.reason) });
  }
  return out.sort((a, b) => (a.from ?? '').localeCompare(b.from ?? '') || a.source.localeCompare(b.source));
}

/** "2026-01-03 → 2026-01-09 (7 days)" for whole days, "from → to" otherwise. */
export function gapSpan(g: GapRange): string {
  if (g.wholeDays) {
    const a = (g.from ?? '?').slice(0, 10);
    const b = (g.to ?? '?').slice(0, 10);
    return a === b ? `${a} (1 day)` : `${a} → ${b} (${g.rows} days)`;
  }
  return `${g.from ?? '?'} → ${g.to ?? 'end of the evidence'}`;
}
