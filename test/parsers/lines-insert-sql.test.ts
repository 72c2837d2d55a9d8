import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../../src/core/event.js';
import { insertEventsSelect, lineProvenance } from '../../src/parsers/lines-insert-sql.js';

// The SQL paths name every column; a list out of EVENT_COLUMNS' order would store values under the
// wrong column without any DuckDB error, so the builder refuses it.
describe('insertEventsSelect', () => {
  const all = EVENT_COLUMNS.map(([name]) => [name, 'NULL'] as const);

  it('writes every column in EVENT_COLUMNS order, each named', () => {
    const sql = insertEventsSelect(all, 'test');
    expect(sql.startsWith('INSERT INTO events\nSELECT ')).toBe(true);
    expect(sql.match(/ AS "/g)).toHaveLength(EVENT_COLUMNS.length);
  });

  it('refuses a list with two columns swapped, one missing or one too many', () => {
    const swapped = [...all];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(() => insertEventsSelect(swapped, 'swapper')).toThrow(/swapper: columns differ/);
    expect(() => insertEventsSelect(all.slice(1), 't')).toThrow(/columns differ/);
    expect(() => insertEventsSelect([...all, ['extra', 'NULL']], 't')).toThrow(/columns differ/);
  });

  it('ends with the provenance columns of a one-line record, for LF and CRLF', () => {
    const tail = EVENT_COLUMNS.slice(-5).map(([name]) => name);
    expect(lineProvenance(1).map(([name]) => name)).toEqual(tail);
    expect(lineProvenance(1)).toContainEqual(['byte_offset', 'end_offset - strlen(text) - 1']);
    expect(lineProvenance(2)).toContainEqual(['byte_length', 'strlen(text) + 1']);
  });
});
