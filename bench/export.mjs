/**
 * Export benchmark (`npm run bench -- export`): a case of DWELL_BENCH_EXPORT_EVENTS events
 * (default 10,000,000) is built fast — `dwell ingest` of the demo evidence creates it, then DuckDB
 * generates the rows with INSERT … SELECT FROM range(N): three sources (auth_log, cloudtrail,
 * vpc_flow) over 30 days, 50 hosts, ~120-byte raw lines, small attrs — and the built CLI exports it
 * as `--what timeline --format jsonl` and `--format parquet`, each timed under /usr/bin/time for
 * wall time and peak RSS. Everything is written under DWELL_BENCH_DIR (default the OS temp dir) and
 * removed afterwards, unless DWELL_BENCH_KEEP=1 (the case and the Parquet lake stay; the path is
 * printed). DWELL_BENCH_EXPORT_FORMATS=parquet runs only that export.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { machine, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'dwell.js');

function duSize(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((n, f) => n + duSize(join(p, f)), 0);
}

function countFiles(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return 1;
  return readdirSync(p).reduce((n, f) => n + countFiles(join(p, f)), 0);
}

/** SQL generating `n` events for evidence 1000 (parameters: none; n is a number this script owns). */
export function generateSql(n) {
  const us = Math.floor((30 * 86400e6) / n);
  return `INSERT INTO events
SELECT (1000::BIGINT << 32) + i AS event_id,
  TIMESTAMP '2026-01-01' + to_microseconds(i * ${us}) AS ts,
  CASE WHEN i % 3 = 2 THEN TIMESTAMP '2026-01-01' + to_microseconds(i * ${us} + 5000000) END AS ts_end,
  'exact' AS time_quality,
  ['auth_log', 'cloudtrail', 'vpc_flow'][i % 3 + 1] AS source,
  ['authentication', 'api_activity', 'network_activity'][i % 3 + 1] AS class,
  CASE i % 3 WHEN 0 THEN CASE WHEN i % 7 = 0 THEN 'ssh_login' ELSE 'ssh_login_failed' END WHEN 1 THEN 's3.amazonaws.com:GetObject' ELSE 'flow' END AS action,
  CASE WHEN i % 7 = 0 THEN 'success' ELSE 'failure' END AS outcome,
  'host-' || (i % 50) AS host,
  CASE WHEN i % 3 = 1 THEN 'arn:aws:iam::111122223333:user/u' || (i % 1000) WHEN i % 3 = 0 THEN 'user' || (i % 1000) END AS actor,
  '10.' || (i // 65536 % 256) || '.' || (i // 256 % 256) || '.' || (i % 256) AS src_ip,
  (1024 + i % 60000)::INTEGER AS src_port,
  CASE WHEN i % 3 = 2 THEN '198.51.100.' || (i % 200) END AS dst_ip,
  CASE WHEN i % 3 = 2 THEN 443 END AS dst_port,
  ['ssh', 'https', 'tcp'][i % 3 + 1] AS protocol,
  CASE WHEN i % 3 = 0 THEN 'sshd[' || (i % 30000) || ']' END AS session,
  CASE WHEN i % 3 = 1 THEN 'AKIA' || lpad(CAST(i % 100000 AS VARCHAR), 16, '0') END AS access_key,
  CASE WHEN i % 3 = 1 THEN 's3://bucket-' || (i % 20) || '/key-' || i END AS target,
  NULL AS database,
  CASE WHEN i % 3 = 2 THEN i % 100000 END AS bytes_in,
  CASE WHEN i % 3 = 2 THEN i % 1000000 END AS bytes_out,
  CASE WHEN i % 3 = 2 THEN i % 100 END AS packets_in,
  CASE WHEN i % 3 = 2 THEN i % 1000 END AS packets_out,
  NULL AS rows, NULL AS command, NULL AS community_id,
  CASE WHEN i % 3 = 1 THEN 'aws-cli/2.15.0 Python/3.11' END AS user_agent,
  CASE i % 3 WHEN 0 THEN 'failed ssh login for user' || (i % 1000) || ' from 10.' || (i // 65536 % 256) || '.' || (i // 256 % 256) || '.' || (i % 256)
              WHEN 1 THEN 'GetObject s3://bucket-' || (i % 20) || '/key-' || i
              ELSE 'flow 10.' || (i // 65536 % 256) || '.' || (i // 256 % 256) || '.' || (i % 256) || ' → 198.51.100.' || (i % 200) || ':443' END AS summary,
  ('{"program":"sshd","pid":' || (i % 30000) || ',"n":' || i || '}')::JSON AS attrs,
  1000 AS evidence_id,
  i + 1 AS line,
  i * 120 AS byte_offset,
  120 AS byte_length,
  'Jan  1 00:00:00 host-' || (i % 50) || ' sshd[' || (i % 30000) || ']: Failed password for user' || (i % 1000) || ' from 10.' || (i // 65536 % 256) || '.' || (i // 256 % 256) || '.' || (i % 256) || ' port ' || (1024 + i % 60000) || ' ssh2' AS raw
FROM range(${n}) t(i)`;
}

export async function run() {
  const n = Number(process.env.DWELL_BENCH_EXPORT_EVENTS ?? 10_000_000);
  const dir = mkdtempSync(join(process.env.DWELL_BENCH_DIR ?? tmpdir(), 'dwell-bench-export-'));
  const casePath = join(dir, 'case.duckdb');
  try {
    const ing = timed([process.execPath, BIN, 'ingest', '--year', '2026', '--case', casePath, '-q', join(ROOT, 'fixtures', 'auth')]);
    if (ing.code !== 0) throw new Error(`ingest failed: ${ing.stderr}`);
    const t0 = Date.now();
    const inst = await DuckDBInstance.create(casePath);
    const c = await inst.connect();
    await c.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, status, events, ingested_at) VALUES (1000, 1, 'synthetic/bench.log', '/synthetic/bench.log', repeat('0', 64), 'ingested', ${n}, now())`);
    await c.run(generateSql(n));
    await c.run('CHECKPOINT');
    c.closeSync();
    inst.closeSync();
    const generateSeconds = (Date.now() - t0) / 1000;
    const events = n + 66;

    const formats = (process.env.DWELL_BENCH_EXPORT_FORMATS ?? 'jsonl,parquet').split(',');
    let jsonl = { seconds: NaN, maxRssMb: null };
    let jsonlBytes = 0;
    if (formats.includes('jsonl')) {
      const jsonlOut = join(dir, 'timeline.jsonl');
      jsonl = timed([process.execPath, BIN, 'export', '--case', casePath, '--what', 'timeline', '--format', 'jsonl', '-o', jsonlOut, '-q']);
      if (jsonl.code !== 0) throw new Error(`jsonl export failed: ${jsonl.stderr}`);
      jsonlBytes = duSize(jsonlOut);
      rmSync(jsonlOut, { force: true });
    }

    const pqOut = join(dir, 'lake');
    const pq = timed([process.execPath, BIN, 'export', '--case', casePath, '--what', 'timeline', '--format', 'parquet', '-o', pqOut, '-q']);
    if (pq.code !== 0) throw new Error(`parquet export failed: ${pq.stderr}`);
    const pqBytes = duSize(pqOut);
    const pqFiles = countFiles(join(pqOut, 'events'));

    return {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      events,
      caseBytes: statSync(casePath).size,
      generateSeconds,
      memoryLimit: process.env.DWELL_DUCKDB_MEMORY ?? '1GB',
      jsonl: { seconds: jsonl.seconds, maxRssMb: jsonl.maxRssMb, bytes: jsonlBytes, eventsPerSecond: events / jsonl.seconds },
      parquet: { seconds: pq.seconds, maxRssMb: pq.maxRssMb, bytes: pqBytes, eventFiles: pqFiles, eventsPerSecond: events / pq.seconds },
    };
  } finally {
    if (process.env.DWELL_BENCH_KEEP === '1') process.stderr.write(`bench export: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function markdown(r) {
  return [
    `### Exports — ${r.date}`,
    '',
    `Machine: ${r.machine}. Case: ${r.events.toLocaleString('en-US')} events (generated in ${r.generateSeconds.toFixed(0)} s), ${mb(r.caseBytes)} on disk; DuckDB memory limit ${r.memoryLimit}.`,
    '',
    '| export | wall time | events/s | peak RSS | output |',
    '|---|---|---|---|---|',
    `| \`--what timeline --format jsonl\` | ${r.jsonl.seconds.toFixed(1)} s | ${Math.round(r.jsonl.eventsPerSecond).toLocaleString('en-US')} | ${r.jsonl.maxRssMb?.toFixed(0) ?? '?'} MiB | ${mb(r.jsonl.bytes)} |`,
    `| \`--what timeline --format parquet\` | ${r.parquet.seconds.toFixed(1)} s | ${Math.round(r.parquet.eventsPerSecond).toLocaleString('en-US')} | ${r.parquet.maxRssMb?.toFixed(0) ?? '?'} MiB | ${mb(r.parquet.bytes)}, ${r.parquet.eventFiles} event files |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  process.stdout.write(markdown(r) + '\n');
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
