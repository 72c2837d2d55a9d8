/**
 * Issue 3's benchmark: 1M synthetic CloudTrail records in 500 `.json.gz` files (S3 layout,
 * deterministic), then in the same run, interleaved: (a) `dwell ingest` into a fresh case (DuckDB
 * reads the files: the fast path of issue 14), (b) the same with `--no-fast` (every file through
 * the JS parser, the path before issue 14) and (c) DuckDB's own JSON reader loading the same files
 * into a table file (`read_json(…)` + `unnest(Records)`). Wall time and peak RSS from
 * /usr/bin/time, the load average (`uptime`) before each run; medians.
 *
 *   node bench/cloudtrail.mjs [--files 500] [--per-file 2000] [--reps 2]
 *   npm run bench -- cloudtrail
 *
 * Requires the built dist/ (`npm run build`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTree } from './cloudtrail-gen.mjs';
import { machine, median, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');

export async function run({ files = 500, perFile = 2000, reps = 2, js = true } = {}) {
  const records = files * perFile;
  const tree = join(OUT, `cloudtrail-${files}x${perFile}`);
  const meta = join(tree, 'tree.json');
  if (!existsSync(meta)) {
    process.stderr.write(`generating ${records} records in ${files} .json.gz files → ${tree}\n`);
    rmSync(tree, { recursive: true, force: true });
    const t = writeTree(tree, { files, perFile, seed: 7 });
    writeFileSync(meta, JSON.stringify({ files, perFile, bytes: t.bytes }));
  }
  const { bytes } = JSON.parse(readFileSync(meta, 'utf8'));
  const evidence = join(tree, 'AWSLogs');
  const caseFile = join(OUT, 'cloudtrail-bench.duckdb');
  const dbFile = join(OUT, 'cloudtrail-duckdb-reader.duckdb');
  const clean = () => {
    for (const f of [caseFile, caseFile + '.wal', dbFile, dbFile + '.wal']) rmSync(f, { force: true });
    rmSync(caseFile + '.staging', { recursive: true, force: true });
  };
  const glob = join(evidence, '**', '*.json.gz').replace(/'/g, "''");
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
    const i = await DuckDBInstance.create(${JSON.stringify(dbFile)}); const c = await i.connect();
    await c.run("CREATE TABLE records AS SELECT unnest(Records, max_depth := 2) FROM read_json('${glob}', maximum_object_size = 268435456)");
    const r = await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM records'); console.log(r.getRowObjects()[0].n);
    await c.run('CHECKPOINT');`;
  const results = { dwell: [], 'dwell-js': [], duckdb: [] };
  const loads = [];
  const load = () => os.loadavg()[0].toFixed(2);
  let events = null;
  let readBy = null;
  for (let i = 0; i < reps; i++) {
    for (const [k, extra] of [['dwell', []], ...(js ? [['dwell-js', ['--no-fast']]] : [])]) {
      clean();
      loads.push(`${k} ${load()}`);
      // CloudTrail's SQL path runs only when DWELL_FAST_FORMATS names it (docs/ingest-fast-path.md).
      const env = { ...process.env, DWELL_FAST_FORMATS: 'vpc_flow,cloudtrail' };
      const d = timed([process.execPath, join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', ...extra, '--case', caseFile, evidence], { env });
      if (d.code !== 0) throw new Error(`dwell ingest failed (${d.code}): ${d.stderr.slice(0, 2000)}`);
      const report = JSON.parse(d.stdout);
      events = report.events;
      if (events !== records) throw new Error(`dwell ingested ${events} events, expected ${records}`);
      if (k === 'dwell') readBy = report.files.reduce((m, f) => ({ ...m, [f.readBy]: (m[f.readBy] ?? 0) + 1 }), {});
      results[k].push(d);
    }
    loads.push(`duckdb ${load()}`);
    const q = timed([process.execPath, '--input-type=module', '-e', script], { cwd: ROOT });
    if (q.code !== 0) throw new Error(`duckdb baseline failed: ${q.stderr.slice(0, 2000)}`);
    if (Number(q.stdout.trim()) !== records) throw new Error(`duckdb loaded ${q.stdout.trim()} rows, expected ${records}`);
    results.duckdb.push(q);
  }
  clean();
  const sum = (rs) => ({ seconds: median(rs.map((r) => r.seconds)), rssMb: median(rs.map((r) => r.maxRssMb ?? 0)) });
  const s = { dwell: sum(results.dwell), js: results['dwell-js'].length ? sum(results['dwell-js']) : null, duckdb: sum(results.duckdb) };
  return {
    bench: 'cloudtrail ingest',
    date: new Date().toISOString(),
    machine: machine(),
    input: { files, records, mb_decompressed: Number((bytes / 1e6).toFixed(0)) },
    reps,
    dwell: { ...s.dwell, eventsPerSecond: Math.round(records / s.dwell.seconds), readBy },
    dwell_js: s.js && { ...s.js, eventsPerSecond: Math.round(records / s.js.seconds) },
    duckdb_read_json: s.duckdb,
    ratio_dwell_to_duckdb: Number((s.dwell.seconds / s.duckdb.seconds).toFixed(2)),
    ratio_js_to_duckdb: s.js && Number((s.js.seconds / s.duckdb.seconds).toFixed(2)),
    load_before_each_run: loads,
    runs: Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.map((r) => [Number(r.seconds.toFixed(2)), Math.round(r.maxRssMb ?? 0)])])),
  };
}

export function markdown(r) {
  return [
    `### CloudTrail ingest — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Input: ${r.input.records.toLocaleString('en-US')} records in ${r.input.files} .json.gz files (${r.input.mb_decompressed} MB decompressed). Medians of ${r.reps} interleaved runs.`,
    '',
    '| | wall (s) | peak RSS (MB) | |',
    '|---|---|---|---|',
    `| dwell ingest, DWELL_FAST_FORMATS=vpc_flow,cloudtrail (fresh persistent case; files read by ${JSON.stringify(r.dwell.readBy)}) | ${r.dwell.seconds.toFixed(2)} | ${r.dwell.rssMb.toFixed(0)} | ${r.dwell.eventsPerSecond.toLocaleString('en-US')} events/s |`,
    ...(r.dwell_js ? [`| dwell ingest --no-fast (JS parser, before issue 14) | ${r.dwell_js.seconds.toFixed(2)} | ${r.dwell_js.rssMb.toFixed(0)} | ${r.dwell_js.eventsPerSecond.toLocaleString('en-US')} events/s |`] : []),
    `| DuckDB read_json + unnest(Records) → table file | ${r.duckdb_read_json.seconds.toFixed(2)} | ${r.duckdb_read_json.rssMb.toFixed(0)} | |`,
    '',
    `Ratio dwell / DuckDB = ${r.ratio_dwell_to_duckdb}${r.ratio_js_to_duckdb ? ` (JS path: ${r.ratio_js_to_duckdb})` : ''}. Runs [s, MB]: ${JSON.stringify(r.runs)}. Load (1 min) before each run: ${r.load_before_each_run.join(', ')}.`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  mkdirSync(OUT, { recursive: true });
  const report = await run({ files: arg('files', 500), perFile: arg('per-file', 2000), reps: arg('reps', 2), js: !process.argv.includes('--no-js') });
  writeFileSync(join(OUT, 'cloudtrail.json'), JSON.stringify(report, null, 2));
  process.stdout.write(markdown(report) + '\n');
}
