/**
 * Issue 2's benchmark: ingest a 3M-line synthetic auth.log into a persistent case, side by side in
 * the same run with lnav indexing the same file and DuckDB's own read_csv loading the raw lines
 * into a table file. Runs are interleaved (dwell, lnav, duckdb, dwell, …) so machine noise hits
 * all of them alike; medians and ratios are reported.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAuthLog } from './lib/gen-auth-log.mjs';
import { machine, median, timed, which } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');

export async function run({ lines = 3_000_000, reps = 3 } = {}) {
  mkdirSync(OUT, { recursive: true });
  const log = join(OUT, `auth-${lines}.log`);
  if (!existsSync(log)) {
    process.stderr.write(`generating ${lines} lines → ${log}\n`);
    await writeAuthLog(log, lines, 42);
  }
  const mb = statSync(log).size / 1e6;
  const caseFile = join(OUT, 'auth-bench.duckdb');
  const clean = () => {
    for (const f of [caseFile, caseFile + '.wal']) rmSync(f, { force: true });
    rmSync(caseFile + '.staging', { recursive: true, force: true });
  };
  const lnav = which('lnav');
  const results = { dwell: [], lnav: [], duckdb: [] };
  for (let i = 0; i < reps; i++) {
    clean();
    const d = timed([process.execPath, join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', '--year', '2025', '--case', caseFile, log]);
    if (d.code !== 0) throw new Error(`dwell ingest failed: ${d.stderr}`);
    results.dwell.push(d);
    if (lnav) {
      // lnav writes its config under $HOME, or in the working directory when $HOME does not exist.
      mkdirSync(join(OUT, 'lnav-home'), { recursive: true });
      const l = timed([lnav, '-n', '-c', ';SELECT count(*) FROM syslog_log', log], { env: { ...process.env, HOME: join(OUT, 'lnav-home') } });
      results.lnav.push(l);
    }
    const dbFile = join(OUT, 'duckdb-raw.duckdb');
    rmSync(dbFile, { force: true });
    const script = `import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(dbFile)}); const c = await i.connect();
      await c.run("CREATE TABLE lines AS SELECT * FROM read_csv(${JSON.stringify(log).replace(/"/g, "'")}, columns={'line':'VARCHAR'}, delim='\\x01', quote='', escape='', header=false, auto_detect=false)");
      await c.run('CHECKPOINT');`;
    const q = timed([process.execPath, '--input-type=module', '-e', script], { cwd: ROOT });
    if (q.code !== 0) throw new Error(`duckdb baseline failed: ${q.stderr}`);
    results.duckdb.push(q);
    rmSync(dbFile, { force: true });
  }
  clean();
  const sum = (rs) => (rs.length ? { seconds: median(rs.map((r) => r.seconds)), rssMb: median(rs.map((r) => r.maxRssMb ?? 0)) } : null);
  const s = { dwell: sum(results.dwell), lnav: sum(results.lnav), duckdb: sum(results.duckdb) };
  const report = {
    bench: 'auth_log ingest',
    date: new Date().toISOString(),
    machine: machine(),
    input: { lines, mb: Number(mb.toFixed(1)) },
    reps,
    dwell: { ...s.dwell, eventsPerSecond: Math.round(lines / s.dwell.seconds), mbPerSecond: Number((mb / s.dwell.seconds).toFixed(1)) },
    lnav: s.lnav,
    duckdb_read_csv: s.duckdb,
    ratio_dwell_to_lnav: s.lnav ? Number((s.dwell.seconds / s.lnav.seconds).toFixed(2)) : null,
    ratio_dwell_to_duckdb: Number((s.dwell.seconds / s.duckdb.seconds).toFixed(2)),
    runs: Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.map((r) => Number(r.seconds.toFixed(2)))])),
  };
  return report;
}

export function markdown(r) {
  return [
    `### auth_log ingest — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Input: ${r.input.lines.toLocaleString('en-US')} lines, ${r.input.mb} MB. Medians of ${r.reps} interleaved runs.`,
    '',
    '| | wall (s) | peak RSS (MB) | |',
    '|---|---|---|---|',
    `| dwell ingest (persistent case) | ${r.dwell.seconds.toFixed(2)} | ${r.dwell.rssMb.toFixed(0)} | ${r.dwell.eventsPerSecond.toLocaleString('en-US')} events/s, ${r.dwell.mbPerSecond} MB/s |`,
    r.lnav ? `| lnav 0.11 index (\`lnav -n -c ';SELECT count(*) FROM syslog_log'\`) | ${r.lnav.seconds.toFixed(2)} | ${r.lnav.rssMb.toFixed(0)} | |` : '| lnav | not installed | | |',
    `| DuckDB read_csv raw lines → table file | ${r.duckdb_read_csv.seconds.toFixed(2)} | ${r.duckdb_read_csv.rssMb.toFixed(0)} | |`,
    '',
    `Ratios: dwell / lnav = ${r.ratio_dwell_to_lnav ?? 'n/a'}, dwell / DuckDB raw load = ${r.ratio_dwell_to_duckdb}. Runs (s): ${JSON.stringify(r.runs)}.`,
  ].join('\n');
}
