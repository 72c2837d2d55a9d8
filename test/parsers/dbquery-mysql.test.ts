import { describe, expect, it } from 'vitest';
import { mysqlAuditLog } from '../../src/parsers/mysql-audit-log.js';
import { mysqlGeneralLog } from '../../src/parsers/mysql-general-log.js';
import { mysqlSlowLog } from '../../src/parsers/mysql-slow-log.js';
import type { SourceParser } from '../../src/parsers/types.js';
import { compareExpected } from '../helpers/expected.js';
import { runParser, type RunOptions } from '../helpers/run-parser.js';
import { accounted, dbEssentials, expectedPath, fixture, rawMatchesBytes } from './dbquery-helpers.js';

const CASES: [SourceParser, string, RunOptions][] = [
  [mysqlGeneralLog, 'my-01/mysql-general.log', {}],
  [mysqlGeneralLog, 'my-01/general-old.log', { tz: 'Europe/Berlin' }],
  [mysqlSlowLog, 'my-01/mysql-slow.log', {}],
  [mysqlAuditLog, 'my-01/audit.log', {}],
  [mysqlAuditLog, 'my-01/audit-percona.log', {}],
  [mysqlAuditLog, 'my-01/server_audit.log', { tz: 'Europe/Berlin' }],
];

describe('MySQL parsers on the bundled fixtures', () => {
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

describe('mysql_general_log', () => {
  it('dates same-second lines of the old format by the line before, and qualifies tables with the session database', async () => {
    const run = await runParser(mysqlGeneralLog, '100211  0:55:24\t     51 Connect\tbob@10.0.0.1 on shop\n\t\t     51 Query\tSELECT * FROM t\n', { tz: 'Europe/Berlin' });
    expect(run.events.map((e) => [new Date(e.ts / 1000).toISOString(), e.time_quality, e.actor, e.database])).toEqual([
      ['2010-02-10T23:55:24.000Z', 'zone_assumed', 'bob', 'shop'],
      ['2010-02-10T23:55:24.000Z', 'zone_assumed', 'bob', 'shop'],
    ]);
    expect((run.events[1]!.attrs!.sql as { tables_read: string[] }).tables_read).toEqual(['shop.t']);
  });

  it('keeps records written before any time as warnings (they cannot be dated), and still tracks their sessions', async () => {
    const run = await runParser(mysqlGeneralLog, '\t\t12345 Connect\tnobody@10.9.9.9 on sar\n100211  0:55:24\t  12345 Query\tSELECT 1\n');
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/before any time in the file/) });
    expect(run.events[0]).toMatchObject({ action: 'db_query', actor: 'nobody', database: 'sar', src_ip: '10.9.9.9' });
  });

  it('continues a statement over following lines, blank lines included, and takes the banner as meta lines', async () => {
    const run = await runParser(mysqlGeneralLog, fixture('my-01/mysql-general.log'));
    const q = run.events.find((e) => e.command?.startsWith('SELECT user_login'))!;
    expect(q.command).toBe('SELECT user_login, user_pass, user_email\nFROM wp_users\n\nORDER BY ID');
    expect(run.dispositions.meta).toBe(6);
    // USE wordpress by Init DB: later statements read wordpress tables.
    expect((q.attrs!.sql as { tables_read: string[] }).tables_read).toEqual(['wordpress.wp_users']);
  });

  it('follows USE statements sent as queries', async () => {
    const run = await runParser(mysqlGeneralLog, '2026-03-12T14:02:14.100254Z\t   32 Connect\twp@localhost on  using Socket\n2026-03-12T14:02:14.200000Z\t   32 Query\tuse `crm`\n2026-03-12T14:02:14.300000Z\t   32 Query\tSELECT * FROM contacts LIMIT 5\n');
    expect(run.events[2]).toMatchObject({ database: 'crm', target: 'crm.contacts' });
  });
});

describe('mysql_slow_log', () => {
  it('inherits the previous # Time, prefers SET timestamp= over a local # Time, and reads the extra fields', async () => {
    const run = await runParser(mysqlSlowLog, [
      '# Time: 071218 11:48:27',
      '# User@Host: [SQL_SLAVE] @  []',
      '# Thread_id: 10  Schema: db1  QC_hit: No',
      '# Query_time: 0.000012  Lock_time: 0.000000  Rows_sent: 3  Rows_examined: 7',
      'SELECT * FROM a;',
      '# User@Host: [SQL_SLAVE] @  []',
      '# Query_time: 0.5  Lock_time: 0  Rows_sent: 0  Rows_examined: 0',
      'SET timestamp=1197996507;',
      'INSERT INTO b VALUES (1);',
      '# Query_time: 0.5  Lock_time: 0  Rows_sent: 0  Rows_examined: 0',
      'DELETE FROM c;',
      '',
    ].join('\n'));
    expect(run.events.map((e) => [new Date(e.ts / 1000).toISOString(), e.time_quality, e.attrs!.time_inherited ?? false])).toEqual([
      ['2007-12-18T11:48:27.000Z', 'zone_assumed', false],
      ['2007-12-18T16:48:27.000Z', 'exact', false],
      ['2007-12-18T11:48:27.000Z', 'zone_assumed', true],
    ]);
    expect(run.events[0]).toMatchObject({ actor: 'SQL_SLAVE', session: '10', database: 'db1', rows: 3, target: 'db1.a' });
    expect(run.events[0]!.attrs).toMatchObject({ duration_ms: 0.012, rows_examined: 7, slow_log: { QC_hit: 'No', Schema: 'db1' } });
    expect(run.events[2]!.attrs!.sql).toMatchObject({ type: 'delete', destructive: true });
  });

  it('keeps an entry with no time anywhere as a warning', async () => {
    const run = await runParser(mysqlSlowLog, '# User@Host: meow[meow] @  [1.2.3.8]\n# Query_time: 0.1  Lock_time: 0  Rows_sent: 0  Rows_examined: 0\nSELECT 1;\n');
    expect(run.events).toEqual([]);
    expect(run.warnings[0]!.reason).toMatch(/no time/);
    expect(accounted(run)).toBe(true);
  });

  it('points at the server offset when a local # Time sits next to SET timestamp=', async () => {
    const run = await runParser(mysqlSlowLog, '# Time: 180613 11:04:36\n# User@Host: root[root] @ localhost [67.43.156.14]\n# Query_time: 2.000652  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0\nSET timestamp=1528898676;\nselect sleep(2);\n');
    expect(run.events[0]).toMatchObject({ time_quality: 'exact', src_ip: '67.43.156.14', attrs: expect.objectContaining({ client_host: 'localhost' }) });
    expect(run.warnings[0]!.reason).toMatch(/about -03:00/);
  });
});

describe('mysql_audit_log', () => {
  it('reads MySQL Enterprise records with their trailing comma and the array brackets', async () => {
    const run = await runParser(mysqlAuditLog, fixture('my-01/audit.log'));
    expect(run.dispositions).toMatchObject({ meta: 2, record: 6 });
    const failed = run.events[0]!;
    expect(failed).toMatchObject({ action: 'db_auth_failed', actor: 'root', src_ip: '203.0.113.77', outcome: 'failure' });
    // mysqldump's program name marks every statement of its session.
    const dump = run.events.find((e) => e.action === 'db_query')!;
    expect((dump.attrs!.sql as { exports: string[] }).exports).toEqual(['mysqldump_query', 'dump_client']);
  });
});
