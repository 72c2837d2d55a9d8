#!/usr/bin/env node
/**
 * Issue 14, "fewer bytes per event": what each wide column of `events` costs at ingest. The same
 * input is ingested into a fresh case once as is and once per variant with some columns stored as
 * NULL, interleaved, each run under `/usr/bin/time` (wall, CPU user+sys, peak RSS), then the case
 * file's size. The NULL switch (DWELL_BENCH_NULL=col,col) is not part of dwell: apply
 * bench/column-cost.patch to a scratch checkout, `npm run build`, then run this from it.
 *
 *   node bench/column-cost.mjs --format auth --lines 3000000 --reps 1
 *   node bench/column-cost.mjs --format cloudtrail --files 50 --per-file 2000 --paths js,fast
 *   node bench/column-cost.mjs --format vpc --records 2000000 --paths fast,js
 *   options: --variants 'none;raw;summary;attrs;command;community_id;raw,summary,attrs,command,community_id'
 *
 * Exit status 3 (stored, with warnings) counts as stored, as in netflow.mjs.
 * Inputs are generated (deterministic) under bench/out/ and kept for the next run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAuthLog } from './lib/gen-auth-log.mjs';
import { writeTree } from './cloudtrail-gen.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const WIDE = ['raw', 'summary', 'attrs', 'command', 'community_id'];

function args(argv) {
  const o = { format: 'auth', lines: 3_000_000, files: 50, perFile: 2000, records: 2_000_000, reps: 1, paths: null, variants: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--format') o.format = v();
    else if (a === '--lines') o.lines = Number(v());
    else if (a === '--files') o.files = Number(v());
    else if (a === '--per-file') o.perFile = Number(v());
    else if (a === '--records') o.records = Number(v());
    else if (a === '--reps') o.reps = Number(v());
    else if (a === '--paths') o.paths = v().split(',');
    else if (a === '--variants') o.variants = v().split(';');
    else throw new Error(`unknown option ${a}`);
  }
  o.paths ??= o.format === 'auth' ? ['js'] : ['fast', 'js'];
  o.variants ??= ['none', ...WIDE, WIDE.join(',')];
  return o;
}

/** The evidence to ingest (generated once) and the ingest arguments the format needs. */
async function input(o) {
  mkdirSync(OUT, { recursive: true });
  if (o.format === 'auth') {
    const log = join(OUT, `auth-${o.lines}.log`);
    if (!existsSync(log)) await writeAuthLog(log, o.lines, 42);
    return { evidence: log, extra: ['--year', '2025'], events: null };
  }
  if (o.format === 'cloudtrail') {
    const tree = join(OUT, `cloudtrail-${o.files}x${o.perFile}`);
    if (!existsSync(join(tree, 'tree.json'))) {
      rmSync(tree, { recursive: true, force: true });
      const t = writeTree(tree, { files: o.files, perFile: o.perFile, seed: 7 });
      writeFileSync(join(tree, 'tree.json'), JSON.stringify({ files: o.files, perFile: o.perFile, bytes: t.bytes }));
    }
    return { evidence: join(tree, 'AWSLogs'), extra: [], events: o.files * o.perFile };
  }
  if (o.format === 'vpc') {
    // netflow.mjs writes the files (and keeps them with --keep); DuckDB's load is its yardstick.
    const dir = join(OUT, 'netflow', `vpc-${o.records}`);
    if (!existsSync(join(dir, `.generated-${o.records}-${Math.max(1, Math.ceil(o.records / 1_000_000))}`))) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'netflow.mjs'), '--records', String(o.records), '--only', 'duckdb', '--keep'], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('netflow generation failed');
    }
    return { evidence: dir, extra: [], events: o.records };
  }
  throw new Error(`unknown format ${o.format}`);
}

function ingest(o, inp, path, variant) {
  const caseFile = join(OUT, `column-cost-${o.format}.duckdb`);
  const clean = () => {
    for (const f of [caseFile, caseFile + '.wal']) rmSync(f, { force: true });
    rmSync(caseFile + '.staging', { recursive: true, force: true });
  };
  clean();
  const env = { ...process.env, DWELL_FAST_FORMATS: path === 'fast' ? 'vpc_flow,cloudtrail' : process.env.DWELL_FAST_FORMATS ?? '' };
  delete env.DWELL_BENCH_NULL;
  if (variant !== 'none') env.DWELL_BENCH_NULL = variant;
  const load = loadavg()[0];
  const argv = [process.execPath, join(ROOT, 'bin', 'dwell.js'), 'ingest', '-q', '--json', ...(path === 'js' ? ['--no-fast'] : []), ...inp.extra, '--case', caseFile, inp.evidence];
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', ...argv], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if ((r.status !== 0 && r.status !== 3) || !m) throw new Error(`ingest failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout);
  if (inp.events !== null && report.events !== inp.events) throw new Error(`${report.events} events, expected ${inp.events}`);
  const readBy = [...new Set(report.files.filter((f) => f.events > 0).map((f) => f.readBy))];
  const want = path === 'fast' ? 'sql' : 'js';
  if (readBy.length !== 1 || readBy[0] !== want) throw new Error(`${path}: files read by ${readBy.join(', ')}`);
  const bytes = statSync(caseFile).size + (existsSync(caseFile + '.wal') ? statSync(caseFile + '.wal').size : 0);
  clean();
  return { path, variant, wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Math.round(Number(m[4]) / 1024), caseMiB: bytes / 2 ** 20, events: report.events, load };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const o = args(process.argv.slice(2));
const inp = await input(o);
const runs = [];
for (let rep = 0; rep < o.reps; rep++) {
  for (const path of o.paths) {
    for (const variant of o.variants) {
      const r = ingest(o, inp, path, variant);
      runs.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
    }
  }
}
console.log(`\n${o.format}: ${runs[0].events.toLocaleString('en')} events, ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| path | stored as NULL | CPU s | saved CPU | wall s | peak RSS MiB | case MiB | saved bytes/event | load at start |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const path of o.paths) {
  const of = (v) => runs.filter((r) => r.path === path && r.variant === v);
  const base = of('none');
  const bCpu = median(base.map((r) => r.cpu));
  const bCase = median(base.map((r) => r.caseMiB));
  for (const v of o.variants) {
    const rs = of(v);
    const cpu = median(rs.map((r) => r.cpu));
    const cs = median(rs.map((r) => r.caseMiB));
    const saved = v === 'none' ? '–' : `${(((bCpu - cpu) / bCpu) * 100).toFixed(0)} %`;
    const perEvent = v === 'none' ? '–' : (((bCase - cs) * 2 ** 20) / rs[0].events).toFixed(0);
    console.log(`| ${path} | ${v === 'none' ? 'nothing' : v} | ${cpu.toFixed(1)} | ${saved} | ${median(rs.map((r) => r.wall)).toFixed(1)} | ${median(rs.map((r) => r.rssMiB))} | ${cs.toFixed(0)} | ${perEvent} | ${rs.map((r) => r.load.toFixed(1)).join(', ')} |`);
  }
}
