/**
 * Generates a synthetic case of N events for the TUI benchmark, in DuckDB SQL (INSERT … SELECT
 * from range), the way ingest lays it out: files appended one after another, each file in time
 * order, files overlapping in time (hosts log concurrently) — so `events` is NOT sorted by ts.
 * Plants an attacker (203.0.113.77) with findings and attack_events rows.
 *
 *   node bench/tui-gen.mjs /tmp/big.duckdb 10000000
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CaseDb } from '../dist/store/case-db.js';

export async function generateCase(path, n, { files = 40, days = 60, log = () => {} } = {}) {
  mkdirSync(dirname(path), { recursive: true });
  for (const p of [path, `${path}.wal`]) if (existsSync(p)) rmSync(p);
  const db = await CaseDb.open(path, { create: true });
  const perFile = Math.ceil(n / files);
  const spanUs = days * 86_400_000_000;
  const t0 = Date.now();
  await db.run(`INSERT INTO ingest_runs (run_id, started_at, dwell_version, tz, status) VALUES (1, now(), 'bench', 'UTC', 'completed')`);
  await db.run(`
    INSERT INTO evidence (evidence_id, run_id, path, abs_path, size, sha256, compression, format, status, events, ingested_at)
    SELECT f + 1, 1, 'evidence/' || host || '/' || src || '.log', '/nonexistent/evidence/' || host || '/' || src || '.log', 0,
           repeat('0', 64), 'none', src, 'ingested', ${perFile}, now()
    FROM (SELECT f, ['auth_log','auth_log','auth_log','cloudtrail','postgres','vpc_flow'][f % 6 + 1] AS src,
                 ['web','db','bastion','app','cache'][f % 5 + 1] || '-' || lpad(CAST(f // 5 + 1 AS VARCHAR), 2, '0') AS host
          FROM range(${files}) t(f))`);
  await db.run(`
    INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, src_port, dst_ip, dst_port,
                        protocol, session, access_key, target, bytes_out, summary, attrs, evidence_id, line, byte_offset, byte_length, raw)
    SELECT (f + 1) * 4294967296 + k + 1 AS event_id,
           TIMESTAMP '2026-01-01' + to_microseconds(CAST(k * ${spanUs / perFile} + (h % 1000000) AS BIGINT)) AS ts,
           'exact', src, cls, act, CASE WHEN h % 7 = 0 THEN 'failure' ELSE 'success' END, host,
           actor,
           ip,
           CAST(1024 + h % 60000 AS INTEGER), '10.0.0.' || CAST(f AS VARCHAR), 22, 'ssh',
           'sshd[' || CAST(h % 32768 AS VARCHAR) || ']',
           CASE WHEN src = 'cloudtrail' THEN 'AKIA' || upper(substr(md5(CAST(h % 300 AS VARCHAR)), 1, 16)) END,
           NULL, CASE WHEN src = 'vpc_flow' THEN h % 100000 END,
           act || ' by ' || actor || ' from ' || ip || ' on ' || host,
           '{"program":"sshd","pid":' || CAST(h % 32768 AS VARCHAR) || '}',
           f + 1, k + 1, k * 120, 119,
           strftime(ts, '%b ') || lpad(CAST(day(ts) AS VARCHAR), 2, ' ') || strftime(ts, ' %H:%M:%S ') || host || ' sshd[' || CAST(h % 32768 AS VARCHAR) || ']: ' || act || ' for ' || actor || ' from ' || ip || ' port 22 ssh2'
    FROM (SELECT i // ${perFile} AS f, i % ${perFile} AS k, CAST(hash(i) >> 1 AS BIGINT) AS h,
                 ['auth_log','auth_log','auth_log','cloudtrail','postgres','vpc_flow'][(i // ${perFile}) % 6 + 1] AS src,
                 ['web','db','bastion','app','cache'][(i // ${perFile}) % 5 + 1] || '-' || lpad(CAST((i // ${perFile}) // 5 + 1 AS VARCHAR), 2, '0') AS host,
                 ['ssh_login','ssh_login_failed','ssh_session_opened','ssh_session_closed','sudo','cron_command','ssh_connection','ssh_disconnected'][CAST(hash(i) % 8 AS BIGINT) + 1] AS act,
                 'authentication' AS cls,
                 -- Addresses and users spread over the whole value range, so min/max zone maps prune nothing.
                 CAST((hash(i) >> 3) % 223 + 1 AS VARCHAR) || '.' || CAST((hash(i) >> 11) % 256 AS VARCHAR) || '.' || CAST((hash(i) >> 19) % 256 AS VARCHAR) || '.' || CAST((hash(i) >> 27) % 254 + 1 AS VARCHAR) AS ip,
                 ['alice','bob','carol','deploy','root','www-data','postgres','ubuntu','admin','svc-backup','jenkins','zoe'][CAST((hash(i) >> 5) % 12 AS BIGINT) + 1] || CAST((hash(i) >> 9) % 120 AS VARCHAR) AS actor
          FROM range(${n}) t(i))`);
  log(`events: ${Date.now() - t0} ms`);
  // The attacker: 200 events from 203.0.113.77 over two days, in its own evidence file.
  const fid = files + 1;
  await db.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, compression, format, status, events, ingested_at)
                VALUES (${fid}, 1, 'evidence/web-01/auth.log.attack', '/nonexistent/attack.log', repeat('0', 64), 'none', 'auth_log', 'ingested', 200, now())`);
  await db.run(`
    INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, src_port, session, summary, attrs, evidence_id, line, byte_offset, byte_length, raw)
    SELECT ${fid} * 4294967296 + k + 1, TIMESTAMP '2026-02-10 02:14:00' + to_microseconds(k * 600000000), 'exact', 'auth_log', 'authentication',
           CASE WHEN k < 120 THEN 'ssh_login_failed' WHEN k = 120 THEN 'ssh_login' ELSE 'sudo' END,
           CASE WHEN k < 120 THEN 'failure' ELSE 'success' END, 'web-01', 'deploy', '203.0.113.77', 40000 + k, 'sshd[21231]',
           'attacker event ' || CAST(k AS VARCHAR), '{}', ${fid}, k + 1, k * 100, 99, 'attack line ' || CAST(k AS VARCHAR)
    FROM range(200) t(k)`);
  const body = {
    schema: 'dwell.findings/v1', generated_at: '2026-03-01T00:00:00Z', dwell_version: 'bench',
    case: { events: n + 200, evidence_files: files + 1, sources: ['auth_log', 'cloudtrail', 'postgres', 'vpc_flow'], from: '2026-01-01T00:00:00Z', to: `2026-03-01T00:00:00Z` },
    answers: { first_recon_at: '2026-02-10T02:14:00Z', initial_access_at: '2026-02-10T22:14:00Z', initial_access_vector: 'ssh brute force of deploy@web-01 from 203.0.113.77',
               detected_at: '2026-02-11T09:00:00Z', last_attacker_activity_at: '2026-02-11T11:24:00Z', contained_at: null, dwell_time_seconds: 38760, access_duration_seconds: 47400 },
  };
  await db.run(`INSERT INTO findings VALUES (1, now(), 'bench', '{}', $b)`, { b: JSON.stringify(body) });
  await db.run(`INSERT INTO attack_events SELECT 1, event_id, ts, CASE WHEN line <= 120 THEN 'recon' WHEN line = 121 THEN 'access' WHEN line < 190 THEN 'actions' ELSE 'exfiltration' END, 'T1110', 'seed ip'
                FROM events WHERE evidence_id = ${fid}`);
  await db.run(`UPDATE evidence SET first_ts = s.lo, last_ts = s.hi, events = s.n
                FROM (SELECT evidence_id, min(ts) AS lo, max(ts) AS hi, count(*) AS n FROM events GROUP BY evidence_id) s
                WHERE evidence.evidence_id = s.evidence_id`);
  await db.run('CHECKPOINT');
  db.close();
  log(`case ready: ${Date.now() - t0} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path = '/tmp/dwell-bench-10m.duckdb', n = '10000000'] = process.argv.slice(2);
  await generateCase(path, Number(n), { log: (m) => console.error(m) });
}
