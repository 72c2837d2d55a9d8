/**
 * PostgreSQL csvlog as it reaches a responder: PostgreSQL 12, 13 and 14–17 column sets, and the same
 * records re-written by spreadsheets, Python's csv module and pandas (every field quoted, text
 * quoted, minimal quoting with CRLF, a header row, a pandas index column), plus one damaged row.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { postgresCsvlog } from '../../src/parsers/postgres-csvlog.js';
import { compareExpected } from '../helpers/expected.js';
import { runParser } from '../helpers/run-parser.js';
import { accounted, dbEssentials } from './dbquery-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/variants/csvlog/${name}`, import.meta.url));
const expectedPath = (name: string) => new URL(`../../fixtures/expected/variants/csvlog__${name}.jsonl`, import.meta.url).pathname;
const VARIANTS = ['pg13-native.csv', 'pg12-native.csv', 'quote-all.csv', 'quote-nonnumeric.csv', 'quote-minimal-crlf.csv', 'copy-header.csv', 'pandas-index.csv'];

/** What every re-write must keep of a record. */
const meaning = (e: DwellEvent) => ({
  ts: e.ts, time_quality: e.time_quality, class: e.class, action: e.action, outcome: e.outcome, actor: e.actor, database: e.database,
  src_ip: e.src_ip, src_port: e.src_port, session: e.session, command: e.command,
});

describe('postgres_csvlog variants', () => {
  it('reads the PostgreSQL 14–17 file into its reviewed events', async () => {
    const run = await runParser(postgresCsvlog, fixture('pg14-native.csv'));
    const actual = run.events.map(dbEssentials);
    expect(actual).toEqual(compareExpected(expectedPath('pg14-native.csv'), actual));
    expect(run.warnings).toEqual([]);
    expect(run.events).toHaveLength(4);
  });

  for (const name of VARIANTS) {
    it(`reads ${name} into the same events as PostgreSQL's own file`, async () => {
      const native = await runParser(postgresCsvlog, fixture('pg14-native.csv'));
      const run = await runParser(postgresCsvlog, fixture(name));
      expect(run.warnings).toEqual([]);
      expect(accounted(run)).toBe(true);
      expect(run.events.map(meaning)).toEqual(native.events.map(meaning));
      // raw and offsets lead back to the bytes, whatever the quoting.
      const input = fixture(name);
      for (const e of run.events) expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8').replace(/\r(?=\n|$)/g, '')).toBe(e.raw);
    });
  }

  it('keeps a pandas index column in attrs, by the header’s name for it', async () => {
    const run = await runParser(postgresCsvlog, fixture('pandas-index.csv'));
    expect(run.events[1]!.attrs).toMatchObject({ extra_columns: { column_1: '1' } });
    expect(run.dispositions.meta).toBe(1);
  });

  it('reads every other record of a file with one damaged row, and names the row’s line and byte offset', async () => {
    const input = fixture('damaged-row.csv');
    const run = await runParser(postgresCsvlog, input);
    const native = await runParser(postgresCsvlog, fixture('pg14-native.csv'));
    expect(run.events.filter((e) => !(e.attrs as Record<string, unknown>).damaged).map(meaning)).toEqual(native.events.map(meaning));
    expect(run.warnings).toEqual([expect.objectContaining({ line: 2, byte_offset: input.indexOf('\n') + 1, reason: expect.stringMatching(/^unterminated quoted field: .* lines from 3 read again/) })]);
    expect(accounted(run)).toBe(true);
  });

  it('is claimed by content, with the column set and quoting in the reason', () => {
    const why = (name: string) => {
      const s = sniff(makeHead(name, fixture(name)));
      return `${s.winner?.parser.name}: ${s.winner?.match.reason}`;
    };
    expect(why('pg14-native.csv')).toMatch(/^postgres_csvlog: .*PostgreSQL 14–17 \(26 columns\); quoted as PostgreSQL writes it/);
    expect(why('pg13-native.csv')).toMatch(/PostgreSQL 13 \(24 columns\)/);
    expect(why('pg12-native.csv')).toMatch(/PostgreSQL 9\.0–12 \(23 columns\)/);
    expect(why('quote-all.csv')).toMatch(/^postgres_csvlog: .*every field quoted/);
    expect(why('quote-nonnumeric.csv')).toMatch(/^postgres_csvlog: .*text quoted, numbers not/);
    expect(why('quote-minimal-crlf.csv')).toMatch(/^postgres_csvlog: .*quoted only where needed/);
    expect(why('copy-header.csv')).toMatch(/^postgres_csvlog: .*a header row naming the columns/);
    expect(why('pandas-index.csv')).toMatch(/^postgres_csvlog: .*a header row/);
  });

  it('does not take other CSV for csvlog', () => {
    const other = Buffer.from('ts,src,dst,bytes\n2026-01-02 02:30:00,10.0.0.1,10.0.0.2,100\n');
    expect(sniff(makeHead('x.csv', other)).winner?.parser.name).not.toBe('postgres_csvlog');
    const notSeverity = Buffer.from('2026-01-02 02:30:00.120 UTC,a,b,1,c,d,1,e,f,g,0,NOPE,00000,msg\n'.repeat(3));
    expect(postgresCsvlog.sniff(makeHead('x.csv', notSeverity))).toBeNull();
  });
});
