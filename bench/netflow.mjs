#!/usr/bin/env node
/**
 * Network flow benchmark: N deterministic AWS VPC flow records (default v2 format, S3 layout,
 * gzipped files with the header line S3 writes), then, in the same run:
 *
 *   dwell   `node bin/dwell.js ingest` into a fresh case (DuckDB fast path: src/ingest/fast/)
 *   dwell-js the same with --no-fast: every file through the JS parser (the path before issue 14)
 *   before  with --before DIR: DIR/bin/dwell.js ingest (another built checkout, e.g. main before a
 *           change), the fast path, measured in the same run
 *   duckdb  DuckDB's `read_csv(delim=' ')` loading the same files into a table in a database file
 *   parse   the vpc_flow parser alone (gunzip + line split + parse, events dropped)
 *   encode  parse-file as ingest runs it (hash + gunzip + parse + staged batch files), batches not loaded
 *
 * each timed with `/usr/bin/time -f '%e %U %S %M'` (wall seconds, CPU seconds user+sys, peak RSS):
 * CPU time is far less sensitive than wall time to a loaded machine. Uses the built dist/.
 *
 *   node bench/netflow.mjs                      # 10M records, 1 run
 *   node bench/netflow.mjs --records 2000000 --runs 3
 *   options: --records N  --files K  --runs R  --out DIR  --keep  --before DIR  --only duckdb,before,dwell,dwell-js,parse,encode
 */
import { rng } from './lib/rng.mjs';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ACCOUNT = '123456789012';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

function args(argv) {
  const o = { records: 10_000_000, files: 0, runs: 1, out: join(ROOT, 'bench', 'out', 'netflow'), keep: false, only: null, before: null, mode: null, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--files') o.files = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else if (a === '--before') o.before = resolve(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a.startsWith('--mode=')) o.mode = a.slice(7);
    else o.rest.push(a);
  }
  if (!o.files) o.files = Math.max(1, Math.ceil(o.records / 1_000_000));
  return o;
}


/** Writes `count` records into one gzipped S3-style file; time ascending from `startSec`. */
async function writeFile(path, count, seed, startSec) {
  mkdirSync(dirname(path), { recursive: true });
  const r = rng(seed);
  const gz = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gz.pipe(out);
  const done = new Promise((res, rej) => {
    out.on('finish', res);
    out.on('error', rej);
  });
  const enis = Array.from({ length: 64 }, (_, i) => `eni-${(0x0a1b2c3d00000000n + BigInt(i * 7919)).toString(16).padStart(17, '0')}`);
  const internal = Array.from({ length: 256 }, (_, i) => `10.0.${i >> 4}.${(i * 37) % 250 + 2}`);
  const external = Array.from({ length: 4096 }, () => `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 254) + 1}`);
  const services = [443, 443, 443, 80, 22, 53, 3306, 5432, 8080, 3389];
  let t = startSec;
  let buf = HEADER + '\n';
  for (let i = 0; i < count; i++) {
    if (r() < 0.02) t++;
    const eni = enis[Math.floor(r() * enis.length)];
    const dur = Math.floor(r() * 60);
    const u = r();
    let line;
    if (u < 0.01) line = `2 ${ACCOUNT} ${eni} - - - - - - - ${t} ${t + 60} - NODATA`;
    else if (u < 0.012) line = `2 ${ACCOUNT} ${eni} - - - - - - - ${t} ${t + 60} - SKIPDATA`;
    else {
      const inside = internal[Math.floor(r() * internal.length)];
      const outside = external[Math.floor(r() * external.length)];
      const svc = services[Math.floor(r() * services.length)];
      const eph = 32768 + Math.floor(r() * 28000);
      const proto = svc === 53 ? 17 : r() < 0.01 ? 1 : 6;
      const sport = proto === 1 ? 0 : null;
      const outbound = r() < 0.5;
      const [sa, da, sp, dp] = outbound ? [inside, outside, sport ?? eph, sport ?? svc] : [outside, inside, sport ?? svc, sport ?? eph];
      const packets = 1 + Math.floor(r() * 400);
      const bytes = packets * (40 + Math.floor(r() * 1400));
      const action = r() < 0.07 ? 'REJECT' : 'ACCEPT';
      line = `2 ${ACCOUNT} ${eni} ${sa} ${da} ${sp} ${dp} ${proto} ${packets} ${bytes} ${t} ${t + dur} ${action} OK`;
    }
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      if (!gz.write(buf)) await new Promise((res) => gz.once('drain', res));
      buf = '';
    }
  }
  gz.end(buf);
  await done;
}

async function generate(o, dir) {
  const stamp = join(dir, `.generated-${o.records}-${o.files}`);
  if (existsSync(stamp)) return;
  rmSync(dir, { recursive: true, force: true });
  const per = Math.ceil(o.records / o.files);
  let left = o.records;
  for (let f = 0; f < o.files; f++) {
    const n = Math.min(per, left);
    left -= n;
    const day = String(1 + (f % 28)).padStart(2, '0');
    const name = `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_202503${day}T${String(f % 24).padStart(2, '0')}00Z_${(f * 2654435761 >>> 0).toString(16)}.log.gz`;
    await writeFile(join(dir, 'AWSLogs', ACCOUNT, 'vpcflowlogs', 'us-east-1', '2025', '03', day, name), n, 1000 + f, Date.UTC(2025, 2, 1) / 1000 + f * 3600);
    process.stderr.write(`generated ${f + 1}/${o.files} files\r`);
  }
  process.stderr.write('\n');
  mkdirSync(dir, { recursive: true });
  writeFileSync(stamp, 'generated\n');
}

function listGz(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listGz(p));
    else if (name.endsWith('.log.gz')) out.push(p);
  }
  return out;
}

/** Runs `node <args>` under /usr/bin/time; returns wall seconds, CPU seconds (user+sys) and peak RSS (MiB). */
function timed(label, nodeArgs) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...nodeArgs], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 && r.status !== 3 || !m) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${label} failed with status ${r.status}`);
  }
  return { label, seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Math.round(Number(m[4]) / 1024), load, out: r.stdout.trim() };
}

// ---- child modes --------------------------------------------------------------------------

async function duckdbLoad(dir, dbPath) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(dbPath);
  const conn = await inst.connect();
  const glob = join(dir, 'AWSLogs', '**', '*.log.gz').replace(/'/g, "''");
  await conn.run(`CREATE TABLE flows AS SELECT * FROM read_csv('${glob}', delim=' ', header=true, nullstr='-', auto_detect=false,
    columns={'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR',
             'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT', 'bytes': 'BIGINT',
             'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'})`);
  await conn.run('CHECKPOINT');
  const r = await conn.runAndReadAll('SELECT count(*)::BIGINT AS n FROM flows');
  console.log(String(r.getRows()[0][0]));
}

async function parseOnly(dir) {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const { LineSplitter } = await import(join(ROOT, 'dist/ingest/line-splitter.js'));
  const { LocalZone } = await import(join(ROOT, 'dist/core/time.js'));
  const { vpcFlow } = await import(join(ROOT, 'dist/parsers/vpc-flow.js'));
  let events = 0;
  let warnings = 0;
  for (const file of listGz(dir)) {
    const ctx = {
      path: file, mtimeMs: 0, options: { tz: new LocalZone('UTC'), extra: {} },
      emit: () => void events++, warn: () => void warnings++, setYearShift() {}, setFileInfo() {}, recordOnly() {},
    };
    const h = vpcFlow.open(ctx);
    const split = new LineSplitter((t, n, off, len) => h.line(t, n, off, len));
    for await (const chunk of createReadStream(file).pipe(createGunzip())) split.push(chunk);
    split.end();
    h.end();
  }
  console.log(`${events} ${warnings}`);
}

async function encodeOnly(dir) {
  const { parseFile } = await import(join(ROOT, 'dist/ingest/parse-file.js'));
  const stagingDir = join(dirname(dir), 'encode-staging');
  mkdirSync(stagingDir, { recursive: true });
  let events = 0;
  for (const file of listGz(dir)) {
    // Batches are staged as files the store would load; here they are deleted unread.
    const r = await parseFile({ path: file, stagingDir, mtimeMs: statSync(file).mtimeMs, tz: 'UTC', extra: {} }, { onBatch: async (b) => rmSync(b.file, { force: true }) });
    events += r.events;
  }
  rmSync(stagingDir, { recursive: true, force: true });
  console.log(String(events));
}

// ---- main ---------------------------------------------------------------------------------

const o = args(process.argv.slice(2));
if (o.mode === 'duckdb') await duckdbLoad(o.rest[0], o.rest[1]);
else if (o.mode === 'parse') await parseOnly(o.rest[0]);
else if (o.mode === 'encode') await encodeOnly(o.rest[0]);
else {
  if (!existsSync(join(ROOT, 'dist', 'parsers', 'vpc-flow.js'))) throw new Error('build first: npm run build');
  const dir = join(o.out, `vpc-${o.records}`);
  await generate(o, dir);
  const files = listGz(dir);
  const gzBytes = files.reduce((s, f) => s + statSync(f).size, 0);
  console.log(`# ${o.records.toLocaleString('en')} VPC flow records in ${files.length} gzipped files (${(gzBytes / 2 ** 20).toFixed(0)} MiB), ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`);
  const want = (k) => !o.only || o.only.includes(k);
  const results = { duckdb: [], before: [], dwell: [], 'dwell-js': [], parse: [], encode: [] };
  for (let run = 1; run <= o.runs; run++) {
    if (want('duckdb')) {
      const db = join(o.out, 'duckdb-bench.duckdb');
      rmSync(db, { force: true });
      rmSync(db + '.wal', { force: true });
      const r = timed('duckdb', [fileURLToPath(import.meta.url), '--mode=duckdb', dir, db]);
      if (Number(r.out) !== o.records) throw new Error(`duckdb loaded ${r.out} rows, expected ${o.records}`);
      results.duckdb.push(r);
      rmSync(db, { force: true });
    }
    const steps = [...(o.before ? [['before', [], join(o.before, 'bin', 'dwell.js')]] : []), ['dwell', []], ['dwell-js', ['--no-fast']]];
    for (const [k, extra, bin = join(ROOT, 'bin', 'dwell.js')] of steps) {
      if (!want(k)) continue;
      const c = join(o.out, 'dwell-bench.duckdb');
      rmSync(c, { force: true });
      rmSync(c + '.wal', { force: true });
      const r = timed(k, [bin, 'ingest', '-q', '--json', ...extra, '--case', c, dir]);
      const report = JSON.parse(r.out);
      const events = report.events ?? report.files?.reduce((s, f) => s + f.events, 0);
      if (events !== o.records) throw new Error(`${k} stored ${events} events, expected ${o.records} (files: ${JSON.stringify((report.files ?? []).map((f) => f.status))}${report.interrupted ? ', interrupted' : ''}; a symlinked folder is not followed)`);
      const readers = new Set(report.files.filter((f) => f.format === 'vpc_flow').map((f) => f.readBy));
      if (readers.size !== 1 || !readers.has(k === 'dwell-js' ? 'js' : 'sql')) throw new Error(`${k}: files read by ${[...readers].join(', ')}`);
      results[k].push(r);
      if (!o.keep) rmSync(c, { force: true });
    }
    if (want('parse')) results.parse.push(timed('parse', [fileURLToPath(import.meta.url), '--mode=parse', dir]));
    if (want('encode')) results.encode.push(timed('encode', [fileURLToPath(import.meta.url), '--mode=encode', dir]));
    const last = Object.entries(results).filter(([, v]) => v.length === run).map(([k, v]) => `${k} ${v[run - 1].seconds}s (CPU ${v[run - 1].cpu.toFixed(2)}s) ${v[run - 1].rssMiB} MiB, load ${v[run - 1].load.toFixed(1)}`);
    console.log(`run ${run}: ${last.join(', ')}`);
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
  };
  const row = (k) => {
    const v = results[k];
    if (!v.length) return null;
    const sec = median(v.map((x) => x.seconds));
    return { k, sec, cpu: median(v.map((x) => x.cpu)), rss: median(v.map((x) => x.rssMiB)), rate: Math.round(o.records / sec) };
  };
  const rows = ['duckdb', 'before', 'dwell', 'dwell-js', 'parse', 'encode'].map(row).filter(Boolean);
  const duck = rows.find((r) => r.k === 'duckdb');
  console.log(`\n| step | wall s (median of ${o.runs}) | CPU s (user+sys) | peak RSS MiB | records/s | wall vs DuckDB | CPU vs DuckDB |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.k} | ${r.sec.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rss} | ${r.rate.toLocaleString('en')} | ${duck ? (r.sec / duck.sec).toFixed(2) + '×' : '–'} | ${duck ? (r.cpu / duck.cpu).toFixed(2) + '×' : '–'} |`);
  if (!o.keep) rmSync(join(o.out, `vpc-${o.records}`), { recursive: true, force: true });
}
