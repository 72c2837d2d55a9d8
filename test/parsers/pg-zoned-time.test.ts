import { describe, expect, it } from 'vitest';
import { LocalZone, UTC_ZONE } from '../../src/core/time.js';
import { parseZonedTime } from '../../src/parsers/dbquery/tz-abbrev.js';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('PostgreSQL times read one after another (the same-second shortcut)', () => {
  it('gives each line its own fraction, zone and second, whatever came before', () => {
    const berlin = new LocalZone('Europe/Berlin');
    const cases: Array<[string, LocalZone, number, string]> = [
      ['2025-03-11 08:00:00.123 UTC', UTC_ZONE, us('2025-03-11T08:00:00.123Z'), 'exact'],
      ['2025-03-11 08:00:00.5 UTC', UTC_ZONE, us('2025-03-11T08:00:00.5Z'), 'exact'],
      ['2025-03-11 08:00:00 UTC', UTC_ZONE, us('2025-03-11T08:00:00Z'), 'exact'],
      ['2025-03-11 08:00:00.123456789 UTC', UTC_ZONE, us('2025-03-11T08:00:00Z') + 123456, 'exact'],
      ['2025-03-11 08:00:00. UTC', UTC_ZONE, us('2025-03-11T08:00:00Z'), 'exact'],
      ['2025-03-11 08:00:00.250 CET', UTC_ZONE, us('2025-03-11T07:00:00.25Z'), 'exact'],
      ['2025-03-11 08:00:00.250', UTC_ZONE, us('2025-03-11T08:00:00.25Z'), 'zone_assumed'],
      ['2025-03-11 08:00:00.250', berlin, us('2025-03-11T07:00:00.25Z'), 'zone_assumed'],
      ['2025-03-11 08:00:00,75', berlin, us('2025-03-11T07:00:00.75Z'), 'zone_assumed'],
      ['2025-03-11 08:00:01.000001', berlin, us('2025-03-11T07:00:01Z') + 1, 'zone_assumed'],
      ['2025-03-11 08:00:01.000001 UTC', berlin, us('2025-03-11T08:00:01Z') + 1, 'exact'],
    ];
    for (const [text, zone, want, quality] of cases) expect(parseZonedTime(text, zone), text).toMatchObject({ us: want, quality });
  });
});
