import { describe, expect, it } from 'vitest';
import { CSV_CELL_LAMBDA } from '../../../src/core/output/csv.js';
import { exportSql, findSql, likePattern, pageKeysSql, rowsSql } from '../../../src/tui/data/sql.js';
import { parseFilters, type ViewQuery } from '../../../src/tui/state/filters.js';

const q = (text: string): ViewQuery => {
  const p = parseFilters(text, 0);
  if (!p.ok) throw new Error(p.error);
  return { attack: false, filters: p.filters };
};
const key = { tsUs: 1_767_320_200_000_000, eventId: 4294967297 };

describe('view SQL', () => {
  it('pages with keyset conditions that DuckDB can push into the scan', () => {
    const { sql } = pageKeysSql(q(''), { table: 'timeline', findingsId: null }, { kind: 'after', key }, 50);
    expect(sql).toMatch(/ts >= make_timestamp\(\$p0::BIGINT\) AND \(ts > make_timestamp\(\$p0::BIGINT\) OR event_id > \$p1::BIGINT\)/);
    expect(sql).toMatch(/ORDER BY ts, event_id LIMIT 50$/);
    expect(pageKeysSql(q(''), { table: 'events', findingsId: null }, { kind: 'before', key }, 50).sql).toMatch(/ORDER BY ts DESC, event_id DESC LIMIT 50$/);
  });

  it('fetches the rows of a page by their keys, within the page\'s time range', () => {
    const { sql, params } = rowsSql({ table: 'timeline', findingsId: null }, [key, { tsUs: key.tsUs + 5, eventId: 7 }]);
    expect(sql).toMatch(/ts >= make_timestamp\(\$p1::BIGINT\) AND ts <= make_timestamp\(\$p2::BIGINT\) AND event_id IN \(SELECT unnest\(\$p0::BIGINT\[\]\)\)/);
    expect(params.p0).toBe('[4294967297,7]');
    expect(params.p2).toBe(BigInt(key.tsUs + 5));
  });

  it('passes every analyst and evidence value as a parameter, never as SQL text', () => {
    const evil = `x'); DROP TABLE events; --`;
    const { sql, params } = pageKeysSql(
      { attack: false, filters: [{ kind: 'value', field: 'actor', negate: false, values: [evil] }, { kind: 'value', field: 'ip', negate: false, values: [evil], exact: true }] },
      { table: 'timeline', findingsId: 3 },
      { kind: 'start' },
      10,
    );
    expect(sql).not.toContain('DROP');
    expect(Object.values(params)).toContain(evil);
    const f = findSql(q(''), { table: 'events', findingsId: null }, `50%_off'`, key, 1);
    expect(f.sql).not.toContain('50%');
    expect(Object.values(f.params)).toContain(`%50\\%\\_off'%`);
  });

  it('runs an address filter as a union of source and destination, hashed on the index', () => {
    const idx = pageKeysSql(q('ip=203.0.113.77'), { table: 'timeline', findingsId: null }, { kind: 'start' }, 10).sql;
    expect(idx).toContain('UNION ALL');
    expect(idx).toContain('src_ip_h = hash($p0)');
    const ev = pageKeysSql(q('ip=203.0.113.77'), { table: 'events', findingsId: null }, { kind: 'start' }, 10).sql;
    expect(ev).not.toContain('_h');
  });

  it('leaves out events with relative or implausible times unless time= says otherwise, at no cost when there are none', () => {
    const trusted = { fromUs: 1_767_312_000_000_000, toUs: 1_767_398_400_000_000 };
    const none = pageKeysSql(q(''), { table: 'timeline', findingsId: null, hidden: null }, { kind: 'start' }, 10).sql;
    expect(none).not.toMatch(/time_quality|WHERE/);
    const ranged = pageKeysSql(q(''), { table: 'timeline', findingsId: null, hidden: { count: 3, trusted, interleaved: false } }, { kind: 'start' }, 10);
    expect(ranged.sql).toMatch(/WHERE ts >= make_timestamp\(\$p0::BIGINT\) AND ts <= make_timestamp\(\$p1::BIGINT\)\) ORDER BY/);
    expect([ranged.params.p0, ranged.params.p1]).toEqual([BigInt(trusted.fromUs), BigInt(trusted.toUs)]);
    const inside = pageKeysSql(q(''), { table: 'timeline', findingsId: null, hidden: { count: 3, trusted, interleaved: true } }, { kind: 'start' }, 10);
    expect(inside.sql).toMatch(/event_id NOT IN \(SELECT event_id FROM events WHERE time_quality IN \(\$p\d, \$p\d\) AND ts >= /);
    expect(Object.values(inside.params)).toEqual(expect.arrayContaining(['relative', 'implausible']));
    expect(pageKeysSql(q(''), { table: 'timeline', findingsId: null, hidden: { count: 3, trusted: null, interleaved: false } }, { kind: 'start' }, 10).sql).toContain('WHERE false');
    expect(pageKeysSql(q(''), { table: 'events', findingsId: null, hidden: { count: 3, trusted, interleaved: false } }, { kind: 'start' }, 10).sql).toMatch(
      /\(time_quality IS NULL OR time_quality NOT IN \(\$p0, \$p1\)\)/,
    );
    // Unknown (a context built without looking): found by time_quality, on either table.
    expect(exportSql(q(''), null, 'csv').sql).toContain('time_quality NOT IN');
    expect(pageKeysSql(q('time=all'), { table: 'timeline', findingsId: null, hidden: { count: 3, trusted, interleaved: true } }, { kind: 'start' }, 10).sql).not.toMatch(/time_quality|WHERE/);
    const only = pageKeysSql(q('time=relative'), { table: 'timeline', findingsId: null, hidden: { count: 3, trusted, interleaved: true } }, { kind: 'start' }, 10);
    expect(only.sql).toMatch(/event_id IN \(SELECT event_id FROM events WHERE time_quality IN \(\$p0\)\)/);
    expect(only.params.p0).toBe('relative');
  });

  it('treats * as the only wildcard in filter values', () => {
    expect(likePattern('ssh_*')).toBe('ssh\\_%');
    expect(likePattern('100%')).toBe('100\\%');
  });

  it('renders the export as lines without the path in the SQL, CSV cells through the shared CSV lambda', () => {
    const csv = exportSql(q(''), null, 'csv');
    expect(csv.sql).not.toMatch(/COPY|FORMAT csv/);
    expect(csv.sql).toContain(CSV_CELL_LAMBDA);
    expect(csv.header).toMatch(/^event_id,.*,evidence_path,evidence_sha256,attack_phase$/);
    expect(exportSql(q(''), null, 'jsonl').header).toBeNull();
  });
});
