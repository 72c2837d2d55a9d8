/**
 * What the csvlog SQL path does not cover it declines, naming why, and the JS parser stores the
 * file — identically to a --no-fast run. One generated file per guard; a control file next to
 * them is read by DuckDB, so the guards are what sends the others to JS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSVLOG_COLUMNS } from '../../../src/parsers/postgres-csvlog.js';
import { tempDir } from '../../helpers/cli.js';
import { ingestBoth } from './compare.js';
import { enablePgFastPath, rec, withoutTimings } from './pg-csvlog-gen.js';

const T = '2025-03-11 08:00:01.250 UTC';
const S = { user: 'app', db: 'shop', pid: 101, from: '10.0.0.5:50432', sid: '67d0a1b0.65', app: 'shop-api' };
const ok = (n: number, msg: string, more: Partial<Parameters<typeof rec>[0]> = {}) => rec({ t: T, ...S, n, tag: 'SELECT', msg, ...more });
const file = (...records: string[]) => records.join('\n') + '\n';

/** File name → [contents, what fastDeclined must say]. */
const CASES: Record<string, [string, string | null]> = {
  'control.csv': [file(ok(1, 'statement: SELECT 1'), ok(2, 'statement: SELECT * FROM t WHERE a = \'x\'')), null],
  'fatal.csv': [file(ok(1, 'statement: SELECT 1'), rec({ t: T, pid: 102, sid: '67d0a1b0.66', n: 1, from: '10.0.0.6:4000', user: 'bob', sev: 'FATAL', state: '28P01', msg: 'password authentication failed for user "bob"' })), 'a FATAL or PANIC record'],
  'pgaudit.csv': [file(ok(1, 'AUDIT: SESSION,1,1,READ,SELECT,,,SELECT 1,<not logged>')), 'a pgaudit record'],
  'from-session.csv': [file(ok(1, 'statement: SELECT 1'), ok(2, 'statement: SELECT 2', { user: '' })), 'a record that takes fields from its session'],
  // DuckDB's CSV reader stops at the quote left open (the quote parity would too).
  'open-quote.csv': [file(ok(1, 'statement: SELECT 1')) + '2025-03-11 08:00:02 UTC,"app,"shop"\n', 'CSV Error'],
  // Quotes inside a bare field are text to both splitters: read by DuckDB, stored the same.
  'bare-quote.csv': [file(ok(1, 'statement: SELECT 1').replace('"shop"', 'sh"o"p')), null],
  // Text after a closing quote: the JS splitter keeps it, DuckDB's strict reader refuses the row.
  'after-quote.csv': [file(ok(1, 'statement: SELECT 1').replace('"shop"', '"sh"op')), 'CSV Error'],
  'columns.csv': [file(ok(1, 'statement: SELECT 1'), ok(2, 'statement: SELECT 2') + ',extra'), 'CSV Error'],
  'ipv6.csv': [file(ok(1, 'statement: SELECT 1', { from: '2001:db8::1:50432' })), 'a client that is not canonical IPv4 or [local]'],
  'dollar.csv': [file(ok(1, 'statement: DO $$ BEGIN PERFORM 1; END $$')), 'dollar quotes or a password'],
  'password.csv': [file(ok(1, "statement: ALTER ROLE app PASSWORD 'hunter2'")), 'dollar quotes or a password'],
  'crlf.csv': [file(ok(1, 'statement: SELECT 1')).replace(/\n/g, '\r\n'), 'CRLF line ends'],
  'header.csv': [CSVLOG_COLUMNS.join(',') + '\n' + file(ok(1, 'statement: SELECT 1')), 'a header row'],
  'ambiguous-zone.csv': [file(ok(1, 'statement: SELECT 1', { t: '2025-03-11 08:00:01 CST' })), 'log_time not'],
  'grant.csv': [file(ok(1, 'statement: GRANT SELECT ON t TO bob')), 'an account statement'],
  'control-char.csv': [file(ok(1, 'statement: SELECT 1 -- \u0007 bell')), 'a control character'],
  'replication.csv': [file(ok(1, 'replication connection authorized: user=rep application_name=walreceiver')), 'a replication login'],
};

describe('PostgreSQL csvlog the SQL path declines', () => {
  enablePgFastPath({ beforeAll, afterAll });
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('declines each uncovered case, says why, and stores it exactly as the JS parser', { timeout: 120_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    for (const [name, [text]] of Object.entries(CASES)) writeFileSync(join(ev, `postgresql-${name}`), text);
    const { fast, js, files } = await ingestBoth(tmp.path, [ev]);
    const got = Object.fromEntries(files.map((f) => [f.path.split('/').pop()!.replace('postgresql-', ''), [f.format, f.readBy, f.fastDeclined ?? null]]));
    const want = Object.fromEntries(
      Object.entries(CASES).map(([name, [, why]]) => [name, ['postgres_csvlog', why === null ? 'sql' : 'js', why === null ? null : expect.stringContaining(why)]]),
    );
    expect(got).toEqual(want);
    expect(fast.events.length).toBeGreaterThan(15);
    expect(withoutTimings(fast)).toEqual(withoutTimings(js));
  });

  it('leaves csvlog to the JS parser unless DWELL_FAST_FORMATS names it', { timeout: 60_000 }, async () => {
    const saved = process.env.DWELL_FAST_FORMATS;
    delete process.env.DWELL_FAST_FORMATS;
    try {
      const d = join(tmp.path, 'default');
      mkdirSync(d);
      writeFileSync(join(d, 'postgresql.csv'), CASES['control.csv']![0]);
      const { files } = await ingestBoth(d, [join(d, 'postgresql.csv')]);
      expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['js', 'format postgres_csvlog has no SQL path enabled (DWELL_FAST_FORMATS)']]);
    } finally {
      process.env.DWELL_FAST_FORMATS = saved;
    }
  });
});
