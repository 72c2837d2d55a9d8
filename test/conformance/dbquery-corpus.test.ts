/**
 * Conformance over every real database log sample in ../shared/corpus/dbquery: through the built
 * CLI, no crash, every line accounted for, statement counts established by hand (grep) for a few
 * files, pgbadger's own statement-type counts for stmt_type.log, and pgaudit's regression output
 * read back field by field (its COMMAND against our statement classification).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { postgresLog } from '../../src/parsers/postgres-log.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { CORPUS, corpusDir, isCorpusMeta, listFiles, parseCsv } from '../helpers/corpus.js';
import { runParser } from '../helpers/run-parser.js';

const dir = corpusDir('dbquery');
const MINE = new Set(['postgres_log', 'postgres_csvlog', 'postgres_jsonlog', 'mysql_general_log', 'mysql_slow_log', 'mysql_audit_log']);

describe.skipIf(!dir)('dbquery corpus conformance', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'corpus.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--year', '2019', '--case', casePath, dir!]);
  });
  afterAll(() => tmp.cleanup());

  type Row = { path: string; status: string; format: string | null; lines: number; record_lines: number; continuation_lines: number; meta_lines: number; blank_lines: number; warning_lines: number; events: number; warnings: number };
  const rows = async () => query<Row>(casePath, 'SELECT path, status, format, lines, record_lines, continuation_lines, meta_lines, blank_lines, warning_lines, events, warnings FROM evidence ORDER BY path');
  const rel = (p: string) => p.slice(dir!.length + 1);

  it('ingests every sample with a database parser; documents and expected outputs are not taken for logs', async () => {
    expect(result.stderr).not.toMatch(/TypeError|ReferenceError|at .*\.js:\d+/);
    const rs = await rows();
    expect(rs).toHaveLength(listFiles(dir!).length);
    for (const r of rs) {
      if (isCorpusMeta(basename(r.path))) expect(r.status, r.path).toBe('unrecognized');
      else {
        expect(r.status, r.path).toBe('ingested');
        expect(MINE.has(r.format!), `${r.path}: ${r.format}`).toBe(true);
      }
    }
    expect(result.code).toBe(3);
  });

  it('accounts for every line of every sample, and every record is an event or a warning', async () => {
    for (const r of (await rows()).filter((x) => x.status === 'ingested')) {
      expect(r.record_lines + r.continuation_lines + r.meta_lines + r.blank_lines + r.warning_lines, r.path).toBe(r.lines);
      // Records that cannot be dated (MySQL logs that start before any time) are warnings.
      expect(r.events + r.warnings, r.path).toBeGreaterThanOrEqual(r.record_lines);
    }
    const [{ n }] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    const [{ s }] = await query<{ s: number }>(casePath, 'SELECT sum(events)::INTEGER AS s FROM evidence');
    expect(n).toBe(s);
  });

  it('finds the statements counted by hand (grep) in a few files', async () => {
    const counts = await query<{ path: string; action: string; n: number }>(
      casePath,
      `SELECT e.path, v.action, count(*)::INTEGER AS n FROM events v JOIN evidence e USING (evidence_id) GROUP BY ALL`,
    );
    const count = (file: string, action: string) => counts.find((c) => rel(c.path) === file && c.action === action)?.n ?? 0;
    // grep -c 'statement: '
    expect(count('elastic-integrations/test-postgresql-9-6-debian-with-slowlog.log', 'db_query')).toBe(12);
    expect(count('lnav/logfile_postgres.0', 'db_query')).toBe(2);
    expect(count('lnav/logfile_postgres.0', 'db_error')).toBe(1);
    expect(count('pgbadger/stmt_type.log', 'db_query')).toBe(12);
    expect(count('pgbadger/rds.log.bz2', 'db_query')).toBe(114_594);
    expect(count('pgbadger/rds.log.bz2', 'db_auth_failed')).toBe(2);
    expect(count('pgbadger/pg-syslog.2.gz', 'db_query')).toBe(59_871);
    // grep -cP '\t\s*\d+ Query\t'
    expect(count('lnav/logfile_mysql_gen.0', 'db_query')).toBe(9);
    expect(count('percona-toolkit/genlogs/genlog001.txt', 'db_query')).toBe(2);
    // grep -c '^# Query_time'
    expect(count('percona-toolkit/slowlogs/slow034.txt', 'db_query')).toBe(9);
    // grep -c '"command": "Query"': 8 succeeded, 8 failed with a status
    expect(count('elastic-integrations/mysql-enterprise-audit.excerpt-from-expected.log', 'db_query')).toBe(8);
    expect(count('elastic-integrations/mysql-enterprise-audit.excerpt-from-expected.log', 'db_error')).toBe(8);
  });

  it('rebuilds sessions: statements of the RDS and syslog samples carry their user, database and client', async () => {
    const [r] = await query<{ n: number; with_user: number; with_db: number; with_client: number }>(
      casePath,
      `SELECT count(*)::INTEGER AS n, count(actor)::INTEGER AS with_user, count("database")::INTEGER AS with_db, count(coalesce(src_ip, attrs->>'$.client_host'))::INTEGER AS with_client
         FROM events JOIN evidence USING (evidence_id) WHERE evidence.path LIKE '%pg-syslog.2.gz' AND action = 'db_query'`,
    );
    expect(r).toEqual({ n: 59_871, with_user: 59_871, with_db: 59_871, with_client: 59_871 });
  });

  it("matches pgbadger's expected statement-type counts for stmt_type.log", async () => {
    const expected = Object.fromEntries(
      readFileSync(join(dir!, 'pgbadger', 'stmt_type.log-expected.out'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => /^(.+): (\d+) /.exec(l)!)
        .map((m) => [m[1]!, Number(m[2])]),
    );
    const evs = await query<{ command: string; type: string; verb: string }>(
      casePath,
      `SELECT command, attrs->>'$.sql.type' AS type, attrs->>'$.sql.verb' AS verb FROM events JOIN evidence USING (evidence_id) WHERE evidence.path LIKE '%stmt_type.log' AND action = 'db_query'`,
    );
    // pgbadger's categories from ours: CTE by its leading WITH, TCL and CURSOR by verb.
    const category = (e: { command: string; type: string; verb: string }) => {
      if (/^\s*WITH\b/i.test(e.command)) return 'CTE';
      if (/^(BEGIN|COMMIT|ROLLBACK|END|START TRANSACTION|SAVEPOINT|RELEASE|ABORT)$/.test(e.verb)) return 'TCL';
      if (/^(DECLARE CURSOR|FETCH|CLOSE|MOVE)$/.test(e.verb)) return 'CURSOR';
      if (e.type === 'copy') return e.verb;
      return e.type.toUpperCase();
    };
    const actual: Record<string, number> = {};
    for (const e of evs) actual[category(e)] = (actual[category(e)] ?? 0) + 1;
    expect(actual).toEqual(expected);
  });

  it('reads every pgaudit AUDIT payload of its regression output as pgaudit wrote it', async () => {
    const lines = readFileSync(join(dir!, 'pgaudit', 'pgaudit.regression-expected.out'), 'utf8').split('\n');
    const payloads: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const m = /^(?:NOTICE|WARNING|LOG|INFO|DEBUG\d?): {2}AUDIT: (.*)$/.exec(lines[i]!);
      if (!m) continue;
      let p = m[1]!;
      // A quoted statement spans lines until its quotes balance.
      while ((p.match(/"/g) ?? []).length % 2 === 1 && i + 1 < lines.length) p += '\n' + lines[++i];
      payloads.push(p);
    }
    expect(payloads).toHaveLength(415);
    // As the server writes them to its log: a prefix, and a TAB after each newline of the message.
    const log = payloads.map((p) => `2024-01-01 00:00:00.000 UTC [100] app@db LOG:  AUDIT: ${p.replace(/\n/g, '\n\t')}`).join('\n') + '\n';
    const run = await runParser(postgresLog, log);
    expect(run.warnings).toEqual([]);
    expect(run.events).toHaveLength(415);
    const RENAME: Record<string, string> = { 'CREATE USER': 'CREATE ROLE', 'ALTER USER': 'ALTER ROLE', 'GRANT ROLE': 'GRANT', 'REVOKE ROLE': 'REVOKE', 'CLOSE CURSOR': 'CLOSE', 'CREATE TABLE AS': 'CREATE TABLE', 'SET ROLE': 'SET', 'COPY TO': 'COPY', 'COPY FROM': 'COPY' };
    let compared = 0;
    run.events.forEach((e, i) => {
      // The reference: the test helpers' own CSV reader on the payload.
      const [type, sid, subid, klass, command, objectType, objectName, statement, parameter] = parseCsv(payloads[i]!)[0]!;
      const audit = e.attrs!.audit as Record<string, unknown>;
      expect(audit, payloads[i]).toMatchObject({ type, statement_id: Number(sid), substatement_id: Number(subid), class: klass, command, object_type: objectType, object_name: objectName, parameter });
      if (/^<(previously logged|not logged)>$/.test(statement!)) expect(e.command).toBeNull();
      else expect(e.command).toBe(statement);
      if (objectName) expect(e.target).toBe(objectName);
      // pgaudit's COMMAND for a top-level statement against our statement verb.
      const sql = e.attrs!.sql as { verb: string; privilege_change?: boolean } | undefined;
      const norm = (v: string) => RENAME[v] ?? v;
      // Only where the statement is the command itself (not an implicit index of a CREATE TABLE).
      const head = statement!.trim().split(/\s+/).slice(0, command!.split(' ').length).join(' ').toUpperCase();
      if (!sql || norm(head) !== norm(command!)) return;
      const ours = norm(sql.verb.replace(/^PREPARE (?=\S)/, '').replace(/^WITH /, ''));
      const theirs = norm(command!);
      expect(theirs === ours || (theirs === 'PREPARE' && /^(SELECT|INSERT|UPDATE|DELETE)$/.test(ours)), `${command} vs ${sql.verb}: ${statement}`).toBe(true);
      if (klass === 'ROLE') expect(sql.privilege_change, statement).toBe(true);
      compared++;
    });
    expect(compared).toBeGreaterThan(250);
  });

  it('does not take the files of the other corpora for database logs', () => {
    for (const kind of ['auth', 'cloudtrail', 'netflow']) {
      let files: string[];
      try {
        files = listFiles(join(CORPUS, kind));
      } catch {
        continue;
      }
      for (const f of files) {
        if (/\.(gz|bz2|xz|zip)$/.test(f)) continue;
        const head = readFileSync(f).subarray(0, 64 * 1024);
        const winner = sniff(makeHead(f, head)).winner?.parser.name;
        expect(MINE.has(winner ?? ''), `${f} sniffed as ${winner}`).toBe(false);
      }
    }
  });
});
