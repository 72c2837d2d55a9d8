/**
 * The one gate every parser's events pass before they are staged for the case (parse-file.ts
 * calls it from `emit`), so what it guarantees holds for every source, present and future:
 *
 * - Addresses are canonical (core/ip.ts): `src_ip`, `dst_ip`, and `host` / `target` when they
 *   hold an address, so `::ffff:203.0.113.77` and `203.0.113.77` are one address to seeds,
 *   filters and joins. A value changed here keeps the text the source wrote in
 *   `attrs.<field>_as_written` (and the raw line keeps every byte).
 * - Times are sane: a time before 1990-01-01 or more than a day after the ingest that the parser
 *   did not mark `relative` is `implausible` (a zeroed or forged field, a clock that was never
 *   set); the parser's own quality is kept in `attrs.time_quality_parsed`. The event is stored,
 *   and left out of default views and exports (docs/schema.md).
 */
import type { DwellEvent, TimeQuality } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';

/** 1990-01-01T00:00:00Z: no log source dwell reads existed before (syslog times earlier are unset clocks). */
export const PLAUSIBLE_FROM_US = Date.UTC(1990, 0, 1) * 1000;
const DAY_US = 86_400_000_000;

/** The latest plausible time for an ingest that started at `ingestMs`: one day later (zones, clock skew). */
export function plausibleUntilUs(ingestMs: number): number {
  return ingestMs * 1000 + DAY_US;
}

const ADDRESS_FIELDS = ['src_ip', 'dst_ip', 'host', 'target'] as const;

export interface SanityCounts {
  /** Events whose time was marked implausible here. */
  implausible: number;
  /** Events the parser marked relative. */
  relative: number;
  /** Events with an address rewritten to its canonical form. */
  addresses: number;
  /** First event marked implausible: where to look. */
  firstImplausible: { line: number; byte_offset: number; raw: string; ts: number } | null;
}

export class EventSanity {
  readonly counts: SanityCounts = { implausible: 0, relative: 0, addresses: 0, firstImplausible: null };
  private readonly untilUs: number;

  constructor(ingestMs: number) {
    this.untilUs = plausibleUntilUs(ingestMs);
  }

  /** The latest plausible time (µs) this ingest accepts. */
  get plausibleUntilUs(): number {
    return this.untilUs;
  }

  /** Normalizes `e` in place. */
  apply(e: DwellEvent): void {
    let changed = false;
    for (const f of ADDRESS_FIELDS) {
      const v = e[f];
      if (typeof v !== 'string' || v.length < 2) continue;
      const c = canonicalIp(v);
      if (c !== v) {
        e[f] = c;
        (e.attrs ??= {})[`${f}_as_written`] = v;
        changed = true;
      }
    }
    if (changed) this.counts.addresses++;
    this.checkTime(e);
  }

  private checkTime(e: DwellEvent): void {
    const q: TimeQuality = e.time_quality;
    if (q === 'relative') {
      this.counts.relative++;
      return;
    }
    // A year-less line's year is dwell's inference from the file's mtime, settled only when the
    // file is read (and possibly moved with its rotation set): it is judged by its file, not here.
    if (q === 'year_inferred' || q === 'implausible') return;
    if (e.ts >= PLAUSIBLE_FROM_US && e.ts <= this.untilUs) return;
    (e.attrs ??= {}).time_quality_parsed = q;
    e.time_quality = 'implausible';
    this.counts.implausible++;
    this.counts.firstImplausible ??= { line: e.line, byte_offset: e.byte_offset, raw: e.raw, ts: e.ts };
  }
}
