/**
 * Issue 14's floors: what storing dwell's normalized row costs with no parsing at all, beside each
 * format's yardstick and dwell's ingest, in ONE interleaved run (docs/ingest-floors.md).
 *
 * For each format (auth.log, VPC flows, CloudTrail, PostgreSQL csvlog), each round, each step a
 * separate process under `/usr/bin/time` (CPU user+sys is the measure: the machine is shared):
 *   yardstick   lnav's index (auth) and DuckDB's own reader into a table file — the same commands
 *               as bench/auth.mjs, netflow.mjs, cloudtrail.mjs, dbquery.mjs
 *   dwell       `dwell ingest --year 2025` as shipped (timeline index included), and `--no-index`
 *   floor-*     the exact rows of that ingest (exported once to Parquet, one file per evidence
 *               file) inserted into a fresh case made by dwell's own CaseDb/schema, with ingest's
 *               DuckDB settings (ingestDuckdbConfig), one transaction per evidence file:
 *                 full    all 34 columns (then the timeline index, its CPU reported apart)
 *                 nowide  raw, summary, attrs, community_id NULL (the most "fewer bytes" can give)
 *                 yard    only the columns the yardstick keeps (auth/CloudTrail/csvlog: ts + raw)
 *                 scan    the Parquet read alone, nothing stored (what of a floor is the bench's input)
 *               and `empty` once a round: the process, DuckDB and the schema, no rows.
 *   js          parseFile as the ingest worker runs it (read, SHA-256, split, parse, encode the
 *               staged batches), batches deleted unread — no DuckDB.
 *
 *   node bench/floors.mjs [--auth 1000000] [--vpc 1000000] [--ct-files 50] [--ct-per-file 2000]
 *        [--pg 200000] [--runs 3] [--only auth,vpc,cloudtrail,pg] [--inputs DIR] [--cases DIR]
 *   npm run bench -- floors        (the defaults)
 *
 * Requires the built dist/ (`npm run build`). Writes bench/out/floors.json, prints Markdown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/measure.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const DWELL = join(ROOT, 'bin', 'dwell.js');
const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** The wide columns issue 14's "fewer bytes per event" would leave out or derive. */
const WIDE = ['raw', 'summary', 'attrs', 'community_id'];
/** What each format's yardstick keeps of a record, as events columns. */
const YARD_COLUMNS = {
  auth: ['ts', 'raw'],
  cloudtrail: ['ts', 'raw'],
  pg: ['ts', 'raw'],
  // read_csv's 14 typed VPC fields, in dwell's columns.
  vpc: ['ts', 'ts_end', 'host', 'actor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'protocol', 'packets_in', 'bytes_in', 'outcome'],
};

function args(argv) {
  const o = {
    auth: 1_000_000, vpc: 1_000_000, ctFiles: 50, ctPerFile: 2000, pg: 200_000, runs: 3,
    only: ['auth', 'vpc', 'cloudtrail', 'pg'], inputs: join(ROOT, 'bench', 'out', 'floors-inputs'),
    cases: join(ROOT, 'bench', 'out', 'floors-cases'), mode: null, rest: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--auth') o.auth = Number(argv[++i]);
    else if (a === '--vpc') o.vpc = Number(argv[++i]);
    else if (a === '--ct-files') o.ctFiles = Number(argv[++i]);
    else if (a === '--ct-per-file') o.ctPerFile = Number(argv[++i]);
    else if (a === '--pg') o.pg = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--inputs') o.inputs = resolve(argv[++i]);
    else if (a === '--cases') o.cases = resolve(argv[++i]);
    else if (a.startsWith('--mode=')) o.mode = a.slice(7);
    else o.rest.push(a);
  }
  return o;
}

// ---- child modes: each runs in its own process, timed from outside -------------------------

/** Parquet files of `dir`, in evidence order (ev-<id>.parquet). */
function parquetFiles(dir) {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.parquet'))
    .sort((a, b) => Number(a.slice(3, -8)) - Number(b.slice(3, -8)))
    .map((n) => join(dir, n));
}

/** The projection a floor variant inserts. */
function floorInsert(variant, format, path) {
  const from = `FROM read_parquet(${sqlString(path)})`;
  if (variant === 'full') return `INSERT INTO events BY NAME SELECT * ${from}`;
  if (variant === 'nowide') return `INSERT INTO events BY NAME SELECT * REPLACE (${WIDE.map((c) => `NULL AS ${c}`).join(', ')}) ${from}`;
  // Reading the Parquet alone (every column decoded and hashed, nothing stored): the part of a
  // floor that is this bench's input, not the store.
  if (variant === 'scan') return `SELECT sum(hash(e)) FROM (SELECT * ${from}) e`;
  if (variant === 'yard') return `INSERT INTO events (${YARD_COLUMNS[format].join(', ')}) SELECT ${YARD_COLUMNS[format].join(', ')} ${from}`;
  throw new Error(`unknown floor variant ${variant}`);
}

/**
 * The store-only floor: a fresh case by dwell's own CaseDb (its schema), ingest's DuckDB settings,
 * one transaction per evidence file on its own connection as the ingest's lanes do, then the
 * checkpoint; for `full`, the timeline index as ingest builds it. Prints the CPU (process-wide:
 * DuckDB's threads included) of each phase as JSON.
 */
async function floorMode(caseFile, rowsDir, variant, format) {
  const { CaseDb } = await import(join(ROOT, 'dist/store/case-db.js'));
  const { ingestDuckdbConfig } = await import(join(ROOT, 'dist/ingest/pipeline.js'));
  const { buildTimelineIndex } = await import(join(ROOT, 'dist/store/timeline-index.js'));
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpu();
  const db = await CaseDb.open(caseFile, { create: true, config: ingestDuckdbConfig() });
  const c1 = cpu();
  if (variant !== 'empty') {
    for (const file of parquetFiles(rowsDir)) {
      const conn = await db.connect();
      await conn.run('BEGIN TRANSACTION');
      await conn.run(floorInsert(variant, format, file));
      await conn.run('COMMIT');
      conn.closeSync();
    }
  }
  const c2 = cpu();
  await db.run('CHECKPOINT');
  const c3 = cpu();
  let indexCpu = 0;
  if (variant === 'full') {
    // As ingest's refreshTimelineIndex: insertion order on, the index's smaller budget.
    await db.run('SET preserve_insertion_order = true');
    await db.run(`SET memory_limit = '448MB'`);
    await buildTimelineIndex(db);
    await db.run('CHECKPOINT');
    indexCpu = cpu() - c3;
  }
  const rows = Number((await db.one('SELECT count(*)::BIGINT AS n FROM events')).n);
  db.close();
  console.log(JSON.stringify({ rows, openCpu: c1 - c0, insertCpu: c2 - c1, checkpointCpu: c3 - c2, indexCpu }));
}

/** The rows of a case, one Parquet file per evidence file, in event order. */
async function exportMode(caseFile, outDir) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(caseFile, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  mkdirSync(outDir, { recursive: true });
  const ids = (await conn.runAndReadAll('SELECT DISTINCT evidence_id FROM events ORDER BY 1')).getRows().map((r) => Number(r[0]));
  for (const id of ids) {
    // COPY's target cannot be a parameter; the id is an integer and the path the bench's own.
    await conn.run(`COPY (SELECT * FROM events WHERE evidence_id = ${id} ORDER BY event_id) TO ${sqlString(join(outDir, `ev-${id}.parquet`))} (FORMAT parquet)`);
  }
  const n = (await conn.runAndReadAll('SELECT count(*)::BIGINT FROM events')).getRows()[0][0];
  console.log(String(n));
}

/** The JS side: parseFile as the ingest worker runs it, staged batches deleted unloaded. */
async function jsMode(input, stagingDir) {
  const { parseFile } = await import(join(ROOT, 'dist/ingest/parse-file.js'));
  mkdirSync(stagingDir, { recursive: true });
  let events = 0;
  for (const file of listFiles(input)) {
    const r = await parseFile(
      { path: file, stagingDir, mtimeMs: statSync(file).mtimeMs, tz: 'UTC', year: 2025, extra: {} },
      { onBatch: async (b) => rmSync(b.file, { force: true }) },
    );
    events += r.events;
  }
  rmSync(stagingDir, { recursive: true, force: true });
  console.log(String(events));
}

/** DuckDB's own readers into a table file: the yardstick commands of the per-format benches. */
async function duckdbMode(format, input, dbFile) {
  if (format === 'vpc') {
    // bench/netflow.mjs's own yardstick, unchanged.
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'netflow.mjs'), '--mode=duckdb', dirname(input), dbFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error('netflow duckdb yardstick failed');
    process.stdout.write(r.stdout);
    return;
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const i = await DuckDBInstance.create(dbFile);
  const c = await i.connect();
  if (format === 'auth') {
    // bench/auth.mjs: the raw lines, one VARCHAR column.
    await c.run(`CREATE TABLE lines AS SELECT * FROM read_csv(${sqlString(input)}, columns={'line':'VARCHAR'}, delim='\\x01', quote='', escape='', header=false, auto_detect=false)`);
  } else if (format === 'cloudtrail') {
    // bench/cloudtrail.mjs: read_json + unnest(Records).
    await c.run(`CREATE TABLE records AS SELECT unnest(Records, max_depth := 2) FROM read_json(${sqlString(join(input, '**', '*.json.gz'))}, maximum_object_size = 268435456)`);
  } else if (format === 'pg') {
    // bench/dbquery.mjs: read_csv with the csvlog's quoting.
    await c.run(`CREATE TABLE postgres_log AS SELECT * FROM read_csv(${sqlString(input)}, header=false, quote='"', escape='"')`);
  }
  await c.run('CHECKPOINT');
  const t = { auth: 'lines', cloudtrail: 'records', pg: 'postgres_log' }[format];
  console.log(String((await c.runAndReadAll(`SELECT count(*)::BIGINT FROM ${t}`)).getRows()[0][0]));
}

function listFiles(p) {
  if (!statSync(p).isDirectory()) return [p];
  const out = [];
  for (const name of readdirSync(p).sort()) {
    if (name.startsWith('.')) continue;
    const q = join(p, name);
    if (statSync(q).isDirectory()) out.push(...listFiles(q));
    else out.push(q);
  }
  return out;
}

// ---- the run ------------------------------------------------------------------------------

/** Runs argv under /usr/bin/time: wall s, CPU s (user+sys), peak RSS MiB, load before, stdout. */
function timed(label, argv, opts = {}) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', ...argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) {
    process.stderr.write(r.stdout.slice(0, 4000) + r.stderr.slice(0, 4000));
    throw new Error(`${label} failed with status ${r.status}`);
  }
  return { label, wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Math.round(Number(m[4]) / 1024), load, out: r.stdout.trim() };
}

const node = (...a) => [process.execPath, ...a];
const removeCase = (c) => {
  for (const f of [c, c + '.wal']) rmSync(f, { force: true });
  rmSync(c + '.staging', { recursive: true, force: true });
  rmSync(c + '.tmp', { recursive: true, force: true });
};

async function prepareInputs(o) {
  mkdirSync(o.inputs, { recursive: true });
  const inputs = {};
  if (o.only.includes('auth')) {
    const p = join(o.inputs, `auth-${o.auth}.log`);
    if (!existsSync(p)) {
      const { writeAuthLog } = await import('./lib/gen-auth-log.mjs');
      await writeAuthLog(p, o.auth, 42);
    }
    inputs.auth = p;
  }
  if (o.only.includes('vpc')) {
    // bench/netflow.mjs's generator (1M records per gzipped S3-style file); --runs 0 only generates.
    const dir = join(o.inputs, `vpc-${o.vpc}`);
    if (!existsSync(join(dir, `.generated-${o.vpc}-${Math.max(1, Math.ceil(o.vpc / 1e6))}`))) {
      spawnSync(process.execPath, [join(ROOT, 'bench', 'netflow.mjs'), '--records', String(o.vpc), '--runs', '0', '--keep', '--out', o.inputs], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    inputs.vpc = join(dir, 'AWSLogs');
  }
  if (o.only.includes('cloudtrail')) {
    const dir = join(o.inputs, `cloudtrail-${o.ctFiles}x${o.ctPerFile}`);
    if (!existsSync(join(dir, '.generated'))) {
      rmSync(dir, { recursive: true, force: true });
      const { writeTree } = await import('./cloudtrail-gen.mjs');
      writeTree(dir, { files: o.ctFiles, perFile: o.ctPerFile, seed: 7 });
      writeFileSync(join(dir, '.generated'), 'generated\n');
    }
    inputs.cloudtrail = join(dir, 'AWSLogs');
  }
  if (o.only.includes('pg')) {
    const p = join(o.inputs, `postgresql-${o.pg}.csv`);
    if (!existsSync(p)) {
      const { writeCsvlog } = await import('./dbquery-gen.mjs');
      await writeCsvlog(p, o.pg, 7);
    }
    inputs.pg = p;
  }
  return inputs;
}

const ingestArgv = (caseFile, input, extra = []) => node(DWELL, 'ingest', '-q', '--json', '--year', '2025', ...extra, '--case', caseFile, input);

/** Checks a dwell ingest's --json report: every file stored, by the path the format ships with. */
function checkIngest(format, r) {
  const report = JSON.parse(r.out);
  const bad = report.files.filter((f) => f.status !== 'ingested');
  if (bad.length) throw new Error(`${format}: files not ingested: ${JSON.stringify(bad.map((f) => [f.path, f.status]))}`);
  const readBy = [...new Set(report.files.map((f) => f.readBy))].join(',');
  return { events: report.events, warnings: report.warnings, readBy };
}

async function main() {
  const o = args(process.argv.slice(2));
  if (o.mode === 'floor') return floorMode(...o.rest);
  if (o.mode === 'export') return exportMode(...o.rest);
  if (o.mode === 'js') return jsMode(...o.rest);
  if (o.mode === 'duckdb') return duckdbMode(...o.rest);
  if (!existsSync(join(ROOT, 'dist', 'store', 'case-db.js'))) throw new Error('build first: npm run build');
  mkdirSync(o.cases, { recursive: true });
  const inputs = await prepareInputs(o);
  const formats = o.only.filter((f) => inputs[f]);
  const caseFile = join(o.cases, 'floors-case.duckdb');
  const lnavHome = join(o.cases, 'lnav-home');
  mkdirSync(lnavHome, { recursive: true });

  // The exact rows of dwell's ingest, once per format: the floors store these.
  const rowsDir = {};
  const meta = {};
  for (const f of formats) {
    rowsDir[f] = join(o.inputs, `${f}-rows`);
    removeCase(caseFile);
    const r = timed(`prep ${f}`, ingestArgv(caseFile, inputs[f], ['--no-index']));
    meta[f] = checkIngest(f, r);
    rmSync(rowsDir[f], { recursive: true, force: true });
    const e = timed(`export ${f}`, node(SELF, '--mode=export', caseFile, rowsDir[f]));
    if (Number(e.out) !== meta[f].events) throw new Error(`${f}: exported ${e.out} rows, ingest stored ${meta[f].events}`);
    meta[f].bytes = listFiles(inputs[f]).reduce((s, p) => s + statSync(p).size, 0);
    meta[f].parquetFiles = parquetFiles(rowsDir[f]).length;
    process.stderr.write(`${f}: ${meta[f].events} events in ${meta[f].parquetFiles} evidence files (read by ${meta[f].readBy})\n`);
  }
  removeCase(caseFile);

  const results = {};
  const add = (f, step, r) => ((results[f] ??= {})[step] ??= []).push(r);
  const uptimes = [];
  for (let run = 1; run <= o.runs; run++) {
    uptimes.push(spawnSync('uptime', { encoding: 'utf8' }).stdout.trim());
    removeCase(caseFile);
    add('any', 'floor-empty', timed('floor empty', node(SELF, '--mode=floor', caseFile, o.inputs, 'empty', 'auth')));
    for (const f of formats) {
      const input = inputs[f];
      const yardDb = join(o.cases, 'floors-yardstick.duckdb');
      for (const p of [yardDb, yardDb + '.wal']) rmSync(p, { force: true });
      const y = timed(`${f} duckdb`, node(SELF, '--mode=duckdb', f, input, yardDb));
      if (f !== 'cloudtrail' && f !== 'pg' && Number(y.out) < meta[f].events) throw new Error(`${f}: DuckDB read ${y.out} rows`);
      add(f, 'duckdb', y);
      for (const p of [yardDb, yardDb + '.wal']) rmSync(p, { force: true });
      if (f === 'auth') add(f, 'lnav', timed('lnav', ['lnav', '-n', '-q', '-c', ':goto 50%', input], { env: { ...process.env, HOME: lnavHome } }));
      for (const [step, extra] of [['dwell', []], ['dwell-noindex', ['--no-index']]]) {
        removeCase(caseFile);
        const r = timed(`${f} ${step}`, ingestArgv(caseFile, input, extra));
        const c = checkIngest(f, r);
        if (c.events !== meta[f].events || c.readBy !== meta[f].readBy) throw new Error(`${f} ${step}: ${JSON.stringify(c)} vs ${JSON.stringify(meta[f])}`);
        add(f, step, r);
      }
      for (const variant of ['full', 'nowide', 'yard', 'scan']) {
        removeCase(caseFile);
        const r = timed(`${f} floor ${variant}`, node(SELF, '--mode=floor', caseFile, rowsDir[f], variant, f));
        const phases = JSON.parse(r.out);
        if (phases.rows !== (variant === 'scan' ? 0 : meta[f].events)) throw new Error(`${f} floor ${variant}: ${phases.rows} rows`);
        add(f, `floor-${variant}`, { ...r, phases });
      }
      removeCase(caseFile);
      const j = timed(`${f} js`, node(SELF, '--mode=js', input, join(o.cases, 'floors-js-staging')));
      add(f, 'js', j);
      process.stderr.write(`run ${run} ${f} done (load ${loadavg()[0].toFixed(1)})\n`);
    }
    // Written after every round: a run stopped early keeps the rounds it finished.
    writeReport(o, [...uptimes, spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()], meta, results, run);
  }
  removeCase(caseFile);
  process.stdout.write(markdown(writeReport(o, [...uptimes, spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()], meta, results, o.runs)) + '\n');
}

function writeReport(o, uptimes, meta, results, runs) {

  const summary = {};
  for (const [f, steps] of Object.entries(results)) {
    summary[f] = {};
    for (const [step, rs] of Object.entries(steps)) {
      summary[f][step] = {
        cpu: median(rs.map((r) => r.cpu)),
        wall: median(rs.map((r) => r.wall)),
        rssMiB: median(rs.map((r) => r.rssMiB)),
        runs: rs.map((r) => [r.cpu, r.wall, r.rssMiB, Number(r.load.toFixed(1))]),
        // The store alone, without the timeline index built after it (per run, then the median).
        ...(rs[0].phases ? { cpuWithoutIndex: median(rs.map((r) => r.cpu - r.phases.indexCpu)) } : {}),
        ...(rs[0].phases ? { phases: Object.fromEntries(Object.keys(rs[0].phases).filter((k) => k !== 'rows').map((k) => [k, Number(median(rs.map((r) => r.phases[k])).toFixed(2))])) } : {}),
      };
    }
  }
  const report = {
    bench: 'floors',
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    sizes: { auth: o.auth, vpc: o.vpc, cloudtrail: `${o.ctFiles}x${o.ctPerFile}`, pg: o.pg },
    runs,
    uptimes,
    meta,
    summary,
  };
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'out', 'floors.json'), JSON.stringify(report, null, 2));
  return report;
}

export function markdown(r) {
  const lines = [`Floors, ${r.date}: ${r.machine}; medians of ${r.runs} interleaved runs. uptime: ${r.uptimes.join(' | ')}`, ''];
  lines.push('| format | step | CPU s (median) | wall s | peak RSS MiB | CPU runs | loads |', '|---|---|---|---|---|---|---|');
  for (const [f, steps] of Object.entries(r.summary)) {
    for (const [step, s] of Object.entries(steps)) {
      const ph = s.phases ? ` (open ${s.phases.openCpu}, insert ${s.phases.insertCpu}, checkpoint ${s.phases.checkpointCpu}${s.phases.indexCpu ? `, index ${s.phases.indexCpu}` : ''})` : '';
      lines.push(`| ${f} | ${step} | ${s.cpu.toFixed(2)}${ph} | ${s.wall.toFixed(2)} | ${s.rssMiB} | ${s.runs.map((x) => x[0].toFixed(2)).join(', ')} | ${s.runs.map((x) => x[3]).join(', ')} |`);
    }
  }
  lines.push('', targetTable(r));
  return lines.join('\n');
}

/** Issue 14's targets: each format's yardstick, the allowed ratio, and the floors against them. */
const TARGETS = { auth: ['lnav', 2, 'auth.log'], vpc: ['duckdb', 2.5, 'VPC flows'], cloudtrail: ['duckdb', 2, 'CloudTrail'], pg: ['duckdb', 3, 'csvlog'] };

function targetTable(r) {
  const out = [
    '| format (events) | yardstick CPU s | target CPU s | dwell (no index) | store-only floor | floor ÷ yardstick | floor + index | wide columns NULL | yardstick\'s columns only | Parquet read alone | JS side (no DuckDB) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [f, [y, k, name]] of Object.entries(TARGETS)) {
    const s = r.summary[f];
    if (!s) continue;
    const yc = s[y].cpu;
    const full = s['floor-full'];
    const floor = full.cpuWithoutIndex ?? full.cpu - full.phases.indexCpu;
    const x = (v) => `${v.toFixed(2)} (${(v / yc).toFixed(2)}×)`;
    out.push(
      `| ${name} (${r.meta[f].events.toLocaleString('en-US')}) | ${y === 'lnav' ? 'lnav' : 'DuckDB'} ${yc.toFixed(2)}${f === 'auth' ? ` (DuckDB ${s.duckdb.cpu.toFixed(2)})` : ''} | ≤ ${(k * yc).toFixed(2)} (${k}×) | ` +
        `${x(s.dwell.cpu)} (${s['dwell-noindex'].cpu.toFixed(2)}) | ${floor.toFixed(2)} | **${(floor / yc).toFixed(2)}×** | ${x(full.cpu)} | ${x(s['floor-nowide'].cpu)} | ` +
        `${x(s['floor-yard'].cpu)} | ${s['floor-scan'].cpu.toFixed(2)} | ${x(s.js.cpu)} |`,
    );
  }
  return out.join('\n');
}

// Run only as a script (npm run bench -- floors spawns it): importing it for markdown() runs nothing.
if (process.argv[1] && resolve(process.argv[1]) === SELF) await main();
