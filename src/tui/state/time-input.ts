/**
 * Times typed by the analyst (`t` jump, `from=`/`to=` filters) and times shown. Everything is UTC,
 * in microseconds since the epoch, like the case.
 *
 *   -2h, +30m, -1d12h, +90s     relative to the selected event
 *   02:16, 02:16:40.5           that time on the selected event's day
 *   2026-01-02                  midnight UTC
 *   2026-01-02 02:16:40, 2026-01-02T02:16:40.123456Z, 2026-01-02T04:16+02:00
 */

export type TimeParse = { ok: true; us: number } | { ok: false; error: string };

const UNIT_US: Record<string, number> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000, w: 604_800_000_000 };
const DAY_US = 86_400_000_000;

function fractionUs(frac: string | undefined): number {
  if (!frac) return 0;
  return Number(frac.slice(0, 6).padEnd(6, '0'));
}

export function parseTimeInput(input: string, refUs: number): TimeParse {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'empty time' };

  const rel = /^([+-])\s*((?:\d+(?:\.\d+)?\s*(?:us|ms|s|m|h|d|w)\s*)+)$/i.exec(text);
  if (rel) {
    let total = 0;
    for (const part of rel[2]!.matchAll(/(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d|w)/gi)) total += Number(part[1]) * UNIT_US[part[2]!.toLowerCase()]!;
    return { ok: true, us: Math.round(refUs + (rel[1] === '-' ? -total : total)) };
  }

  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text);
  if (clock) {
    const [, h, mi, s, f] = clock;
    if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 60) return { ok: false, error: `"${text}" is not a time of day` };
    const day = Math.floor(refUs / DAY_US) * DAY_US;
    return { ok: true, us: day + ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1_000_000 + fractionUs(f) };
  }

  const abs = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (abs) {
    const [, y, mo, d, h, mi, s, f, zone] = abs;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    const check = new Date(ms);
    if (Number.isNaN(ms) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59) {
      return { ok: false, error: `"${text}" is not a valid date` };
    }
    let offsetMin = 0;
    if (zone && !/^(z|utc)$/i.test(zone)) {
      const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      offsetMin = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3]));
    }
    return { ok: true, us: (ms - offsetMin * 60_000) * 1000 + fractionUs(f) };
  }

  return { ok: false, error: `cannot read "${text}" as a time (try -2h, 02:16, 2026-01-02 02:16:40)` };
}

export type TsStyle = 'list' | 'full' | 'iso' | 'short';

/** Formats microseconds UTC: list `2026-01-02 02:16:40`, full with µs, iso (round-trips), short `01-02 02:16`. */
export function formatTs(us: number, style: TsStyle = 'list'): string {
  const ms = Math.floor(us / 1000);
  const micro = us - Math.floor(us / 1_000_000) * 1_000_000;
  const iso = new Date(ms).toISOString(); // 2026-01-02T02:16:40.123Z
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  switch (style) {
    case 'list':
      return `${date} ${time}`;
    case 'full':
      return `${date} ${time}.${String(micro).padStart(6, '0')}`;
    case 'short':
      return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    case 'iso':
      return micro === 0 ? `${date}T${time}Z` : `${date}T${time}.${String(micro).padStart(6, '0').replace(/0+$/, '')}Z`;
  }
}

/** `3d 4h`, `2h 05m`, `45s`: a duration for humans. */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sign = seconds < 0 ? '-' : '';
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${sign}${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${sign}${s}s`;
}

/** ISO text (from DuckDB or findings JSON) → microseconds; null when absent or unreadable. */
export function isoToUs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const r = parseTimeInput(iso, 0);
  return r.ok ? r.us : null;
}
