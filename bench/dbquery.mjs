/**
 * Issue 4's benchmark: ingest a deterministic 1M-statement PostgreSQL csvlog (SQL analysis
 * included) into a fresh case, side by side in the same run with DuckDB's own read_csv loading
 * the same file into a table file. Runs are interleaved (dwell, duckdb, dwell, …); wall time and
 * peak RSS from /usr/bin/time; medians and the ratio are reported.
 *
 *     npm run build && node bench/dbquery.mjs [statements] [reps]     (or: npm run bench dbquery)
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCsvlog } from './dbquery-gen.mjs';
import { machine, median, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');

export async function run({ statements = 1_000_000, reps = 2 } = {}) {
  mkdirSync(OUT, { recursive: true });
  const log = join(OUT, `postgresql-${statements}.csv`);
  let gen = null;
  if (!existsSync(log)) {
    process.stderr.write(`generating ${statements} statements → ${log}\n`);
    gen = await writeCsvlog(log, statements, 7);
  }
  const mb = statSync(log).size / 1e6;
  const caseFile = join(OUT, 'dbquery-bench.duckdb');
  const dbFile = join(OUT, 'dbquery-duckdb.duckdb');
  const clean = () => {
    for (const f of [caseFile, caseFile + '.wal', dbFile, dbFile + '.wal']) rmSync(f, { force: true });
    rmSync(caseFile + '.staging', { recursive: true, force: true });
  };
  const results = { dwell: [], duckdb: [] };
  let events = null;
  for (let i = 0; i < reps; i++) {
    clean();
    const d = timed([process.execPath, join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', '--case', caseFile, log]);
    if (d.code !== 0) throw new Error(`dwell ingest failed (${d.code}): ${d.stderr}`);
    try {
      events = JSON.parse(d.stdout).files?.[0]?.events ?? events;
    } catch {
      /* the count is informative only */
    }
    results.dwell.push(d);
    const script = `import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(dbFile)}); const c = await i.connect();
      await c.run("CREATE TABLE postgres_log AS SELECT * FROM read_csv('${log.replace(/'/g, "''")}', header=false, quote='\\"', escape='\\"')");
      await c.run('CHECKPOINT');`;
    const q = timed([process.execPath, '--input-type=module', '-e', script], { cwd: ROOT });
    if (q.code !== 0) throw new Error(`duckdb baseline failed: ${q.stderr}`);
    results.duckdb.push(q);
  }
  clean();
  const sum = (rs) => ({ seconds: median(rs.map((r) => r.seconds)), rssMb: median(rs.map((r) => r.maxRssMb ?? 0)) });
  const s = { dwell: sum(results.dwell), duckdb: sum(results.duckdb) };
  return {
    bench: 'postgres_csvlog ingest with SQL analysis',
    date: new Date().toISOString(),
    machine: machine(),
    input: { statements, mb: Number(mb.toFixed(1)), lines: gen?.lines ?? null },
    reps,
    dwell: { ...s.dwell, events, statementsPerSecond: Math.round(statements / s.dwell.seconds), mbPerSecond: Number((mb / s.dwell.seconds).toFixed(1)) },
    duckdb_read_csv: s.duckdb,
    ratio_dwell_to_duckdb: Number((s.dwell.seconds / s.duckdb.seconds).toFixed(2)),
    ratio_rss: Number((s.dwell.rssMb / s.duckdb.rssMb).toFixed(2)),
    runs: Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.map((r) => [Number(r.seconds.toFixed(2)), Math.round(r.maxRssMb ?? 0)])])),
  };
}

export function markdown(r) {
  return [
    `### postgres_csvlog ingest — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Input: ${r.input.statements.toLocaleString('en-US')} statements, ${r.input.mb} MB csvlog. Medians of ${r.reps} interleaved runs.`,
    '',
    '| | wall (s) | peak RSS (MB) | |',
    '|---|---|---|---|',
    `| dwell ingest (fresh case, SQL analysis included) | ${r.dwell.seconds.toFixed(2)} | ${r.dwell.rssMb.toFixed(0)} | ${r.dwell.statementsPerSecond.toLocaleString('en-US')} statements/s, ${r.dwell.mbPerSecond} MB/s |`,
    `| DuckDB read_csv → table file | ${r.duckdb_read_csv.seconds.toFixed(2)} | ${r.duckdb_read_csv.rssMb.toFixed(0)} | |`,
    `| ratio dwell / DuckDB | ${r.ratio_dwell_to_duckdb} | ${r.ratio_rss} | |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const statements = Number(process.argv[2] ?? 1_000_000);
  const reps = Number(process.argv[3] ?? 2);
  const report = await run({ statements, reps });
  writeFileSync(join(OUT, 'dbquery.json'), JSON.stringify(report, null, 2));
  process.stdout.write(markdown(report) + '\n');
}
