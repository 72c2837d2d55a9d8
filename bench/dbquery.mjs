/**
 * Issues 4 and 14's benchmark: ingest a deterministic 1M-statement PostgreSQL csvlog (SQL analysis
 * included) into a fresh case — through the csvlog SQL path and through the JS parser — side by
 * side in the same run with DuckDB's own read_csv loading the same file into a table file. Rounds
 * are interleaved (fast, JS, DuckDB, …); wall, CPU (user + sys) and peak RSS from /usr/bin/time;
 * medians and the ratios are reported.
 *
 *     npm run build && node bench/dbquery.mjs [statements] [reps]     (or: npm run bench dbquery)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCsvlog } from './dbquery-gen.mjs';
import { machine, median } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');

/** Runs argv under /usr/bin/time: wall, CPU (user + sys) and peak RSS. */
function timedCpu(argv, opts = {}) {
  const tf = `/tmp/dwell-bench-dbquery-${process.pid}`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', tf, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const [, kb, user, sys] = readFileSync(tf, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  rmSync(tf, { force: true });
  return { seconds, cpu: user + sys, maxRssMb: kb / 1024, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Contenders, interleaved in each round: dwell with the csvlog SQL path (DWELL_FAST_FORMATS), dwell
 * with every file through the JS parser (--no-fast), and DuckDB's own read_csv into a table file.
 */
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
  const results = { fast: [], js: [], duckdb: [] };
  let events = null;
  const dwell = (key, extraArgs, env) => {
    clean();
    const d = timedCpu([process.execPath, join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', ...extraArgs, '--case', caseFile, log], { env: { ...process.env, ...env } });
    if (d.code !== 0) throw new Error(`dwell ingest failed (${d.code}): ${d.stderr}`);
    const file = JSON.parse(d.stdout).files?.[0] ?? {};
    events = file.events ?? events;
    d.readBy = file.readBy;
    d.fastDeclined = file.fastDeclined;
    results[key].push(d);
  };
  for (let i = 0; i < reps; i++) {
    dwell('fast', [], { DWELL_FAST_FORMATS: 'vpc_flow,postgres_csvlog' });
    dwell('js', ['--no-fast'], {});
    clean();
    const script = `import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(dbFile)}); const c = await i.connect();
      await c.run("CREATE TABLE postgres_log AS SELECT * FROM read_csv('${log.replace(/'/g, "''")}', header=false, quote='\\"', escape='\\"')");
      await c.run('CHECKPOINT');`;
    const q = timedCpu([process.execPath, '--input-type=module', '-e', script], { cwd: ROOT });
    if (q.code !== 0) throw new Error(`duckdb baseline failed: ${q.stderr}`);
    results.duckdb.push(q);
  }
  clean();
  const sum = (rs) => ({ seconds: median(rs.map((r) => r.seconds)), cpu: median(rs.map((r) => r.cpu)), rssMb: median(rs.map((r) => r.maxRssMb ?? 0)) });
  const s = { fast: sum(results.fast), js: sum(results.js), duckdb: sum(results.duckdb) };
  return {
    bench: 'postgres_csvlog ingest with SQL analysis',
    date: new Date().toISOString(),
    machine: machine(),
    input: { statements, mb: Number(mb.toFixed(1)), lines: gen?.lines ?? null },
    reps,
    events,
    readBy: results.fast.map((r) => r.readBy ?? r.fastDeclined),
    dwell_fast: s.fast,
    dwell_js: s.js,
    duckdb_read_csv: s.duckdb,
    ratio_fast_to_duckdb: { wall: Number((s.fast.seconds / s.duckdb.seconds).toFixed(2)), cpu: Number((s.fast.cpu / s.duckdb.cpu).toFixed(2)) },
    ratio_js_to_duckdb: { wall: Number((s.js.seconds / s.duckdb.seconds).toFixed(2)), cpu: Number((s.js.cpu / s.duckdb.cpu).toFixed(2)) },
    runs: Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.map((r) => [Number(r.seconds.toFixed(2)), Number(r.cpu.toFixed(2)), Math.round(r.maxRssMb ?? 0)])])),
  };
}

export function markdown(r) {
  const row = (name, x, ratio) => `| ${name} | ${x.seconds.toFixed(2)} | ${x.cpu.toFixed(2)} | ${x.rssMb.toFixed(0)} | ${ratio} |`;
  return [
    `### postgres_csvlog ingest — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Input: ${r.input.statements.toLocaleString('en-US')} statements, ${r.input.mb} MB csvlog, ${r.events?.toLocaleString('en-US')} events. Medians of ${r.reps} interleaved rounds; fast path read by: ${r.readBy.join(', ')}.`,
    '',
    '| | wall (s) | CPU user+sys (s) | peak RSS (MB) | ratio to DuckDB (wall / CPU) |',
    '|---|---|---|---|---|',
    row('dwell ingest, csvlog SQL path (fresh case, SQL analysis included)', r.dwell_fast, `${r.ratio_fast_to_duckdb.wall}× / ${r.ratio_fast_to_duckdb.cpu}×`),
    row('dwell ingest --no-fast (JS parser)', r.dwell_js, `${r.ratio_js_to_duckdb.wall}× / ${r.ratio_js_to_duckdb.cpu}×`),
    row('DuckDB read_csv → table file', r.duckdb_read_csv, ''),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const statements = Number(process.argv[2] ?? 1_000_000);
  const reps = Number(process.argv[3] ?? 2);
  const report = await run({ statements, reps });
  writeFileSync(join(OUT, 'dbquery.json'), JSON.stringify(report, null, 2));
  process.stdout.write(markdown(report) + '\n');
}
