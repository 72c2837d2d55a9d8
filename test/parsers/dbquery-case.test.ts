/**
 * End to end: the database fixtures through the built CLI into a case, then the questions of the
 * runbook asked with the SQL that docs/schema.md shows (read from the document itself, so the
 * documentation cannot drift from what works).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

function documentedQuery(name: string): string {
  const doc = readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8');
  const m = new RegExp(`<!-- dbquery:${name} -->\\s*\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/schema.md has no query marked dbquery:${name}`);
  return m[1]!;
}

describe('database logs in a case', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'db.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--year', '2026', '-O', 'pg-prefix=%t|%c|%u|%d|%r|%a| ', '--case', casePath, join(ROOT, 'fixtures', 'dbquery')]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every fixture with its own parser', async () => {
    expect(result.code, result.stderr).toBe(0);
    const rows = await query<{ path: string; format: string; status: string }>(casePath, 'SELECT path, format, status FROM evidence ORDER BY path');
    const formats = Object.fromEntries(rows.map((r) => [r.path.replace(/.*fixtures\/dbquery\//, ''), r.format]));
    expect(formats).toEqual({
      'db-01/postgresql-16-main.log': 'postgres_log',
      'db-02/postgresql.log.2026-03-12-02': 'postgres_log',
      'db-03/postgresql.log': 'postgres_log',
      'db-04/custom-prefix.log': 'postgres_log',
      'db-04/postgresql-2026-03-11_230000.csv': 'postgres_csvlog',
      'db-04/postgresql-2026-03-12.json': 'postgres_jsonlog',
      'my-01/audit-percona.log': 'mysql_audit_log',
      'my-01/audit.log': 'mysql_audit_log',
      'my-01/general-old.log': 'mysql_general_log',
      'my-01/mysql-general.log': 'mysql_general_log',
      'my-01/mysql-slow.log': 'mysql_slow_log',
      'my-01/server_audit.log': 'mysql_audit_log',
    });
  });

  it('answers "every statement run by role X from client Y, with the tables it read" with the documented query', async () => {
    const rows = await query<{ action: string; session: string; database: string; command: string; tables_read: string }>(casePath, documentedQuery('statements-by-role-and-client'));
    expect(rows.map((r) => [r.action, r.session, r.database, JSON.parse(r.tables_read)])).toEqual([
      ['db_query', '4305', 'shop', []],
      ['db_query', '4305', 'shop', []],
      ['db_query', '4305', 'shop', ['pg_catalog.pg_class', 'pg_catalog.pg_namespace']],
      ['db_query', '4305', 'shop', ['public.customers']],
      ['db_query', '4305', 'shop', ['public.payment_cards']],
      ['db_error', '4305', 'shop', ['public.payment_cards']],
      ['db_query', '4305', 'shop', ['public.payment_cards']],
      ['db_query', '4305', 'shop', []],
      ['db_error', '4305', 'shop', []],
      ['db_query', '4305', 'shop', []],
      ['db_query', '4305', 'shop', []],
      ['db_audit', '4305', 'shop', []],
    ]);
    expect(rows[9]!.command).toBe("SELECT pg_read_file('/etc/passwd');");
  });

  it('answers "was data taken out of a database" with the documented query', async () => {
    const rows = await query<{ actor: string; src_ip: string; command: string; exports: string | null }>(casePath, documentedQuery('exfiltration'));
    const who = rows.map((r) => `${r.actor}@${r.src_ip}`);
    expect(new Set(who)).toEqual(new Set(['reporting@203.0.113.77', 'backup@10.0.3.8', 'etl@198.51.100.23', 'app@10.0.0.9', 'wp@203.0.113.77', 'backup@10.0.4.20', 'dump@203.0.113.77', 'report@10.0.5.5']));
    const exports = new Set(rows.flatMap((r) => (r.exports ? (JSON.parse(r.exports) as string[]) : [])));
    expect(exports).toEqual(new Set(['copy_to_file', 'copy_to_stdout', 'pg_read_file', 'dump_client', 'into_outfile', 'mysqldump_query']));
  });

  it('keeps passwords in the evidence but not in summaries', async () => {
    const rows = await query<{ command: string; summary: string }>(casePath, `SELECT command, summary FROM events WHERE command ILIKE '%password%' OR command ILIKE '%identified by%'`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) {
      for (const secret of ['Winter2026!', 'S3cure!pass', 'hunter2']) expect(r.summary).not.toContain(secret);
    }
    expect(rows.some((r) => r.command.includes('Winter2026!'))).toBe(true);
  });

  it('finds account and privilege changes, and destructive statements, across both engines', async () => {
    const priv = await query<{ source: string; target: string }>(casePath, `SELECT source, target FROM events WHERE (attrs->>'$.sql.privilege_change')::BOOLEAN ORDER BY ts`);
    expect(priv.map((r) => r.target)).toEqual(['pgsync', 'pgsync', 'analyst_ro', 'wpbackup@%', 'wpbackup@%', 'app@%', 'ops@%']);
    const destroyed = await query<{ target: string }>(casePath, `SELECT DISTINCT target FROM events WHERE (attrs->>'$.sql.destructive')::BOOLEAN ORDER BY target`);
    expect(destroyed.map((r) => r.target)).toEqual(['crm.contacts_old', 'public.audit_log', 'public.invoices_archive', 'wordpress.wp_comments']);
  });
});
