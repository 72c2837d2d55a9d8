#!/usr/bin/env node
/**
 * Zeek conn.log benchmark (issue 14): N deterministic conn.log records in gzipped Zeek TSV files
 * (the header block Zeek writes, `#close` trailer, 1M records per file, IPv4 only: IPv6 is the JS
 * parser's), then, in the same run and interleaved:
 *
 *   duckdb    DuckDB's `read_csv` (tab, `#` lines skipped, typed columns) loading the files into a table
 *   dwell     `node bin/dwell.js ingest` with DWELL_FAST_FORMATS=zeek_tsv: the SQL path (zeek-tsv.sql.ts)
 *   dwell-js  the same with --no-fast: every file through the JS parser (zeek-tsv.ts)
 *
 * each timed with `/usr/bin/time -f '%e %U %S %M'` (wall seconds, CPU seconds user+sys, peak RSS):
 * CPU time is far less sensitive than wall time to a loaded machine. Uses the built dist/.
 *
 *   node bench/zeek.mjs --records 2000000 --runs 3
 *   options: --records N  --runs R  --out DIR  --keep  --only duckdb,dwell,dwell-js
 */
import { rng } from './lib/rng.mjs';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];
const TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]'];

function args(argv) {
  const o = { records: 2_000_000, runs: 1, out: join(ROOT, 'bench', 'out', 'zeek'), keep: false, only: null, mode: null, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a.startsWith('--mode=')) o.mode = a.slice(7);
    else o.rest.push(a);
  }
  return o;
}

/** The header block Zeek writes at the top of a log. */
function header(open) {
  return ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', `#open\t${open}`, `#fields\t${FIELDS.join('\t')}`, `#types\t${TYPES.join('\t')}`].join('\n') + '\n';
}

/** Writes `count` conn.log records into one gzipped file; time ascending from `startSec`. */
export async function writeConnLog(path, count, seed, startSec, gzip = true) {
  mkdirSync(dirname(path), { recursive: true });
  const r = rng(seed);
  const out = createWriteStream(path);
  const gz = gzip ? createGzip({ level: 1 }) : null;
  if (gz) gz.pipe(out);
  const sink = gz ?? out;
  const done = new Promise((res, rej) => {
    out.on('finish', res);
    out.on('error', rej);
  });
  const internal = Array.from({ length: 256 }, (_, i) => `10.0.${i >> 4}.${(i * 37) % 250 + 2}`);
  const external = Array.from({ length: 4096 }, () => `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 254) + 1}`);
  const services = [[443, 'ssl'], [443, 'ssl'], [80, 'http'], [22, 'ssh'], [53, 'dns'], [3306, '-'], [8080, 'http'], [3389, '-']];
  const states = ['SF', 'SF', 'SF', 'S0', 'REJ', 'RSTO', 'RSTR', 'SH', 'OTH', 'S1'];
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let t = startSec;
  let us = 0;
  let buf = header('2025-03-01-00-00-00');
  for (let i = 0; i < count; i++) {
    us += Math.floor(r() * 50000);
    if (us >= 1e6) {
      t += Math.floor(us / 1e6);
      us %= 1e6;
    }
    let uid = 'C';
    for (let k = 0; k < 17; k++) uid += alnum[Math.floor(r() * alnum.length)];
    const inside = internal[Math.floor(r() * internal.length)];
    const outside = external[Math.floor(r() * external.length)];
    const [svc, service] = services[Math.floor(r() * services.length)];
    const u = r();
    const proto = svc === 53 ? 'udp' : u < 0.02 ? 'icmp' : 'tcp';
    const eph = 32768 + Math.floor(r() * 28000);
    const outbound = r() < 0.6;
    let sp = outbound ? eph : svc;
    let dp = outbound ? svc : eph;
    if (proto === 'icmp') [sp, dp] = r() < 0.5 ? [8, 0] : [3, 3];
    const state = proto === 'icmp' ? 'OTH' : states[Math.floor(r() * states.length)];
    const empty = state === 'S0' || state === 'REJ';
    const ob = empty ? 0 : Math.floor(r() * 20000);
    const rb = empty ? 0 : Math.floor(r() * 900000);
    const op = 1 + Math.floor(r() * 40);
    const rp = empty ? 0 : Math.floor(r() * 60);
    const dur = empty ? '-' : `${Math.floor(r() * 30)}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}`;
    const [sa, da] = outbound ? [inside, outside] : [outside, inside];
    const fields = [`${t}.${String(us).padStart(6, '0')}`, uid, sa, sp, da, dp, proto, proto === 'icmp' ? '-' : service, dur, empty ? '-' : ob, empty ? '-' : rb, state, outbound ? 'T' : 'F', outbound ? 'F' : 'T', 0, empty ? 'S' : 'ShADadFf', op, op * 52 + ob, rp, rp * 52 + rb, '(empty)'];
    buf += fields.join('\t') + '\n';
    if (buf.length > 1 << 20) {
      if (!sink.write(buf)) await new Promise((res) => sink.once('drain', res));
      buf = '';
    }
  }
  buf += '#close\t2025-03-02-00-00-00\n';
  sink.end(buf);
  await done;
}

async function generate(o, dir) {
  const stamp = join(dir, `.generated-${o.records}`);
  if (existsSync(stamp)) return;
  rmSync(dir, { recursive: true, force: true });
  const files = Math.max(1, Math.ceil(o.records / 1_000_000));
  let left = o.records;
  for (let f = 0; f < files; f++) {
    const n = Math.min(1_000_000, left);
    left -= n;
    await writeConnLog(join(dir, `conn.${String(f).padStart(2, '0')}.log.gz`), n, 7000 + f, Date.UTC(2025, 2, 1) / 1000 + f * 86400);
    process.stderr.write(`generated ${f + 1}/${files} files\r`);
  }
  process.stderr.write('\n');
  writeFileSync(stamp, 'generated\n');
}

/** Runs `node <args>` under /usr/bin/time; returns wall seconds, CPU seconds (user+sys) and peak RSS (MiB). */
function timed(label, nodeArgs, env = {}) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...nodeArgs], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if ((r.status !== 0 && r.status !== 3) || !m) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${label} failed with status ${r.status}`);
  }
  return { label, seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Math.round(Number(m[4]) / 1024), load, out: r.stdout.trim() };
}

async function duckdbLoad(dir, dbPath) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(dbPath);
  const conn = await inst.connect();
  const glob = join(dir, '*.log.gz').replace(/'/g, "''");
  const types = { time: 'DOUBLE', string: 'VARCHAR', addr: 'VARCHAR', port: 'INTEGER', enum: 'VARCHAR', interval: 'DOUBLE', count: 'BIGINT', bool: 'VARCHAR', 'set[string]': 'VARCHAR' };
  const columns = FIELDS.map((f, i) => `'${f.replace('.', '_')}': '${types[TYPES[i]]}'`).join(', ');
  await conn.run(`CREATE TABLE conn AS SELECT * FROM read_csv('${glob}', delim='\t', header=false, comment='#', nullstr='-', quote='', escape='', auto_detect=false, columns={${columns}})`);
  await conn.run('CHECKPOINT');
  const r = await conn.runAndReadAll('SELECT count(*)::BIGINT AS n FROM conn');
  console.log(String(r.getRows()[0][0]));
}

const o = args(process.argv.slice(2));
if (o.mode === 'duckdb') await duckdbLoad(o.rest[0], o.rest[1]);
else {
  if (!existsSync(join(ROOT, 'dist', 'parsers', 'zeek-tsv.sql.js'))) throw new Error('build first: npm run build');
  const dir = join(o.out, `conn-${o.records}`);
  await generate(o, dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log.gz'));
  const gzBytes = files.reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  console.log(`# ${o.records.toLocaleString('en')} Zeek conn.log records in ${files.length} gzipped files (${(gzBytes / 2 ** 20).toFixed(0)} MiB), ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`);
  const want = (k) => !o.only || o.only.includes(k);
  const results = { duckdb: [], dwell: [], 'dwell-js': [] };
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
    for (const [k, extra, env] of [['dwell', [], { DWELL_FAST_FORMATS: 'zeek_tsv' }], ['dwell-js', ['--no-fast'], {}]]) {
      if (!want(k)) continue;
      const c = join(o.out, 'dwell-bench.duckdb');
      rmSync(c, { force: true });
      rmSync(c + '.wal', { force: true });
      const r = timed(k, [join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', ...extra, '--case', c, dir], env);
      const report = JSON.parse(r.out);
      const events = report.files.reduce((s, f) => s + f.events, 0);
      if (events !== o.records) throw new Error(`${k} stored ${events} events, expected ${o.records}`);
      const readers = new Set(report.files.filter((f) => f.format === 'zeek_tsv').map((f) => f.readBy));
      if (readers.size !== 1 || !readers.has(k === 'dwell-js' ? 'js' : 'sql')) throw new Error(`${k}: files read by ${[...readers].join(', ')} (${report.files.map((f) => f.fastDeclined).join('; ')})`);
      results[k].push(r);
      if (!o.keep) rmSync(c, { force: true });
    }
    const last = Object.entries(results).filter(([, v]) => v.length === run).map(([k, v]) => `${k} ${v[run - 1].seconds}s (CPU ${v[run - 1].cpu.toFixed(2)}s) ${v[run - 1].rssMiB} MiB, load ${v[run - 1].load.toFixed(1)}`);
    console.log(`run ${run}: ${last.join(', ')}`);
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = Object.entries(results).filter(([, v]) => v.length).map(([k, v]) => ({ k, sec: median(v.map((x) => x.seconds)), cpu: median(v.map((x) => x.cpu)), rss: median(v.map((x) => x.rssMiB)) }));
  const duck = rows.find((r) => r.k === 'duckdb');
  console.log(`\n| step | wall s (median of ${o.runs}) | CPU s (user+sys) | peak RSS MiB | records/s | wall vs DuckDB | CPU vs DuckDB |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.k} | ${r.sec.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rss} | ${Math.round(o.records / r.sec).toLocaleString('en')} | ${duck ? (r.sec / duck.sec).toFixed(2) + '×' : '–'} | ${duck ? (r.cpu / duck.cpu).toFixed(2) + '×' : '–'} |`);
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
}
