/**
 * Facts shared by several actors, computed (not drawn from a stream) so the attack and the
 * background agree at every scale: the nightly dump's key and size, release days, who works when.
 */
import { hash32 } from './rng.js';
import { DAY, HOUR, localHour, MIN, utc } from './time.js';

/** Key of the nightly dump uploaded for the local day of `dayUs` (UTC midnight of that date). */
export function backupKey(dayUs: number): string {
  const d = new Date(dayUs / 1000);
  const ymd = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  return `postgres/shop/${ymd}/shop.dump`;
}

/** Size of that dump in bytes: the database grows a little every day. */
export function backupDumpSize(dayUs: number): number {
  const days = Math.round((dayUs - utc(2025, 12, 1)) / DAY);
  return 398_000_000 + days * 611_337 + (hash32(`dump:${dayUs}`) % 400_000);
}

/** Public holidays and the office's quiet days (Germany). */
const HOLIDAYS = new Set(['2025-12-24', '2025-12-25', '2025-12-26', '2025-12-31', '2026-01-01']);

export function localDate(us: number): string {
  const d = new Date(us / 1000 + 60 * 60 * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** A working day for the office (Mon-Fri, not a holiday). */
export function workday(us: number): boolean {
  const { weekday } = localHour(us);
  return weekday >= 1 && weekday <= 5 && !HOLIDAYS.has(localDate(us));
}

/** Release times: Tuesdays and Thursdays at ~15:05 local (14:05 UTC in winter), when not a holiday. */
export function releaseAt(dayStartUtc: number): number | null {
  const noon = dayStartUtc + 12 * HOUR;
  const { weekday } = localHour(noon);
  if ((weekday !== 2 && weekday !== 4) || !workday(noon)) return null;
  return dayStartUtc + 14 * HOUR + 5 * MIN + (hash32(`release:${dayStartUtc}`) % 600) * 1_000_000;
}

/** web-02 was stopped for maintenance (kernel update) — its ENI logs NODATA meanwhile. */
export const WEB02_MAINTENANCE = { from: utc(2025, 12, 29, 3, 10, 0), to: utc(2025, 12, 29, 3, 50, 0) };

/** When the release restarts shop-api on a web host (erik's `sudo systemctl restart shop-api`). */
export function releaseRestart(rel: number, host: 'web-01' | 'web-02'): number {
  return rel + (host === 'web-01' ? 3 : 9) * MIN + (hash32(`restart:${rel}:${host}`) % 50) * 1_000_000;
}
