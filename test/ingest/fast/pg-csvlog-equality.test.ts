/**
 * The fast path stores PostgreSQL csvlog exactly as the JS parser does: every events column of
 * every row (event ids, raw, attrs, summary…), every warning and every evidence row are compared
 * between the SQL path (DWELL_FAST_FORMATS=postgres_csvlog) and --no-fast, on every csvlog of the
 * corpus, the benchmark's generator output and a generated file holding each covered message kind.
 * The test checks which reader took each file, so the comparison is never between two JS runs.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';
// @ts-expect-error plain .mjs bench helper
import { writeCsvlog } from '../../../bench/dbquery-gen.mjs';
import { openEvidence } from '../../../src/ingest/evidence-reader.js';
import { makeHead, sniff, SNIFF_BYTES } from '../../../src/ingest/sniff.js';
import { ingestBoth, numberedDirs } from './compare.js';
import { enablePgFastPath, rec, withoutTimings } from './pg-csvlog-gen.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'dbquery');

/** Each csvlog of the corpus and who reads it (a declined file says why). */
const EXPECTED_CORPUS_READER = [
  ['elastic-integrations/test-postgresql-14-csv.log', 'sql', undefined],
  ['pgbadger/anonymize.log', 'sql', undefined],
  ['pgbadger/csv_statement_without_duration.log', 'sql', undefined],
  ['pgbadger/weeknumber.log', 'sql', undefined],
];

/** The format the ingest's sniff picks for a file, from its first 64 KiB decompressed. */
async function sniffed(path: string): Promise<string | null> {
  const ev = await openEvidence(path, {});
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of ev.data as AsyncIterable<Buffer>) {
      chunks.push(c);
      n += c.length;
      if (n >= SNIFF_BYTES) break;
    }
  } finally {
    ev.destroy();
  }
  return sniff(makeHead(path, Buffer.concat(chunks))).winner?.parser.name ?? null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** Every message kind the SQL covers, sessions with and without their connection lines, blank lines, multi-line fields. */
function kinds(): string {
  const t = (s: number) => `2025-03-11 08:00:${String(s).padStart(2, '0')}.${String(s * 7).padStart(3, '0')} UTC`;
  const a = { user: 'app', db: 'shop', pid: 101, from: '10.0.0.5:50432', sid: '67d0a1b0.65', app: 'shop-api' };
  const d = { user: 'backup', db: 'shop', pid: 102, from: '[local]', sid: '67d0a1b0.66', app: 'pg_dump' };
  const lines = [
    rec({ t: t(0), pid: 100, sid: '67d0a1b0.64', n: 1, msg: 'starting PostgreSQL 16.2 on x86_64-pc-linux-gnu, compiled by gcc', btype: 'postmaster' }),
    rec({ t: t(1), pid: 100, sid: '67d0a1b0.64', n: 2, msg: 'database system is ready to accept connections', btype: 'postmaster' }),
    rec({ t: t(2), pid: 101, sid: a.sid, n: 1, from: a.from, msg: 'connection received: host=10.0.0.5 port=50432' }),
    rec({ t: t(3), ...a, n: 2, tag: 'authentication', msg: 'connection authorized: user=app database=shop application_name=shop-api', app: '' }),
    rec({ t: t(4), ...a, n: 3, tag: 'SELECT', msg: 'statement: SELECT id, email FROM users WHERE id = 42' }),
    rec({ t: t(5), ...a, n: 4, tag: 'SELECT', msg: 'duration: 0.576 ms  execute S_1: SELECT * FROM orders WHERE id = $1', detail: "parameters: $1 = '7'" }),
    rec({ t: t(6), ...a, n: 5, tag: 'SELECT', msg: 'duration: 12.100 ms  statement: SELECT p.id\n  FROM products p\n WHERE p.id IN (1, 2, 3)' }),
    '',
    rec({ t: t(7), ...a, n: 6, tag: 'SELECT', msg: 'parse S_2: UPDATE accounts SET balance = balance - $1 WHERE id = $2' }),
    rec({ t: t(8), ...a, n: 7, tag: 'SELECT', msg: 'bind S_2: UPDATE accounts SET balance = balance - $1 WHERE id = $2', detail: 'parameters: $1 = \'5\', $2 = \'"quoted"\'' }),
    rec({ t: t(9), ...a, n: 8, tag: 'SELECT', sev: 'ERROR', state: '42P01', msg: 'relation "tmp_1" does not exist', query: 'SELECT * FROM tmp_1 WHERE id = 1', context: 'PL/pgSQL function f() line 3' }),
    rec({ t: t(10), ...a, n: 9, tag: 'SELECT', msg: 'duration: 3.000 ms' }),
    rec({ t: t(11), ...a, n: 10, tag: 'SELECT', sev: 'WARNING', state: '01000', msg: 'there is no transaction in progress', hint: 'Begin one first.' }),
    rec({ t: t(12), ...a, n: 11, tag: 'idle', msg: 'disconnection: session time: 0:00:10.123 user=app database=shop host=10.0.0.5 port=50432' }),
    rec({ t: t(13), pid: 102, sid: d.sid, n: 1, from: '[local]', msg: 'connection received: host=[local]' }),
    rec({ t: t(14), ...d, n: 2, tag: 'authentication', msg: 'connection authorized: user=backup database=shop application_name=pg_dump', app: '' }),
    ...Array.from({ length: 7 }, (_, i) => rec({ t: t(15 + i), ...d, n: 3 + i, tag: 'COPY', msg: `statement: COPY public.table_${i} (id, data) TO stdout;` })),
    rec({ t: t(22), ...d, n: 10, tag: 'SELECT', msg: 'statement: SELECT relname FROM pg_catalog.pg_class' }),
    // A session whose connection lines were rotated away: it starts from its own fields.
    rec({ t: t(23), user: 'report', db: 'shop', pid: 103, from: '10.0.0.9:40000', sid: '67d0a1b0.67', n: 40, tag: 'SELECT', app: 'metabase', msg: 'statement: SELECT count(*) FROM orders' }),
    rec({ t: t(24), pid: 104, sid: '67d0a1b0.68', n: 1, msg: 'incomplete startup packet' }),
    rec({ t: t(25), pid: 100, sid: '67d0a1b0.64', n: 3, msg: 'checkpoint starting: time', btype: 'checkpointer' }),
    rec({ t: t(26), pid: 100, sid: '67d0a1b0.64', n: 4, msg: 'received fast shutdown request', btype: 'postmaster' }),
    rec({ t: t(27), pid: 100, sid: '67d0a1b0.64', n: 5, msg: 'database system is shut down', btype: 'postmaster' }),
    // A time before 1990: stored, marked implausible.
    rec({ t: '1970-01-01 00:00:00 UTC', pid: 105, sid: '0.69', n: 1, msg: 'clock not set', btype: 'postmaster' }),
    rec({ t: '2025-03-11 10:00:00.5 CET', pid: 100, sid: '67d0a1b0.64', n: 6, msg: 'a time in another zone: é ü', btype: 'postmaster' }),
  ];
  return lines.join('\n') + '\n\n';
}

describe('PostgreSQL csvlog through DuckDB (fast path)', () => {
  enablePgFastPath({ beforeAll, afterAll });
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const dir = numberedDirs(tmp.path);

  it('stores every covered message kind exactly as the JS parser (plain and gzip)', { timeout: 60_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'postgresql-a.csv'), kinds());
    writeFileSync(join(ev, 'postgresql-b.csv.gz'), gzipSync(kinds()));
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['sql', undefined], ['sql', undefined]]);
    expect(fast.events.length).toBeGreaterThan(50);
    expect(withoutTimings(fast)).toEqual(withoutTimings(js));
  });

  it('stores the benchmark generator output exactly as the JS parser', { timeout: 300_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    // 3,000 statements hold every message kind and continuation line shape 20,000 do.
    await writeCsvlog(join(ev, 'postgresql-gen.csv'), 3_000, 7);
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['sql', undefined]]);
    expect(fast.events.length).toBeGreaterThan(3_000);
    expect(withoutTimings(fast)).toEqual(withoutTimings(js));
  });

  it('stores every csvlog of the corpus exactly as the JS parser, and says why it declined the others', { timeout: 120_000 }, async () => {
    // The csvlogs of the corpus: every file the ingest's own sniff calls one (compressed ones included).
    const all = existsSync(CORPUS) ? filesUnder(CORPUS).filter((f) => !/(LICENSE|PROVENANCE)/.test(f)) : [];
    expect(all.length).toBeGreaterThan(20);
    const csv: string[] = [];
    for (const f of all) if ((await sniffed(f)) === 'postgres_csvlog') csv.push(f);
    const { fast, js, files } = await ingestBoth(dir(), csv);
    const csvlogs = files.map((f) => [relative(CORPUS, f.path), f.readBy, f.fastDeclined]);
    expect(csvlogs).toEqual(EXPECTED_CORPUS_READER);
    expect(withoutTimings(fast)).toEqual(withoutTimings(js));
  });
});
