/**
 * CloudTrail ingest in CPU seconds (user+sys), the measure on a shared machine: one or more dwell
 * builds against DuckDB's own `read_json` + `unnest(Records)` (bench/floors.mjs's yardstick), on
 * the same generated S3 tree, every step a separate process under /usr/bin/time, interleaved
 * round by round; medians, the ratio to the yardstick and the load before each run.
 * Two tree shapes tell per-record from per-file cost: few large files (the 1M/500 target's
 * 2,000 records a file) and many small ones (the mixed scenario's ≈ 470; --small-per-file).
 *
 *   node bench/cloudtrail-cpu.mjs [--files 30] [--per-file 2000] [--small-files 0] [--small-per-file 50]
 *        [--runs 3] [--inputs DIR] [--cases DIR] [LABEL=DWELL_ROOT ...]
 *
 * Each LABEL=DWELL_ROOT is a checkout with a built dist/ (default: this one, as `dwell`): e.g. a
 * copy of the build before a change beside the one after it. Writes nothing but the inputs (kept
 * for the next run) and cases (deleted).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/measure.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function args(argv) {
  const o = { files: 30, perFile: 2000, smallFiles: 0, smallPerFile: 50, runs: 3, inputs: join(ROOT, 'bench', 'out', 'cloudtrail-cpu'), cases: join(ROOT, 'bench', 'out', 'cloudtrail-cpu-cases'), builds: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--files') o.files = Number(next());
    else if (a === '--per-file') o.perFile = Number(next());
    else if (a === '--small-files') o.smallFiles = Number(next());
    else if (a === '--small-per-file') o.smallPerFile = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--inputs') o.inputs = resolve(next());
    else if (a === '--cases') o.cases = resolve(next());
    else if (/^[\w-]+=/.test(a)) o.builds.push({ label: a.slice(0, a.indexOf('=')), root: resolve(a.slice(a.indexOf('=') + 1)) });
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.builds.length === 0) o.builds.push({ label: 'dwell', root: ROOT });
  return o;
}

async function tree(dir, files, perFile) {
  const path = join(dir, `cloudtrail-${files}x${perFile}`);
  if (!existsSync(join(path, '.generated'))) {
    rmSync(path, { recursive: true, force: true });
    const { writeTree } = await import('./cloudtrail-gen.mjs');
    writeTree(path, { files, perFile, seed: 7 });
    writeFileSync(join(path, '.generated'), 'generated\n');
  }
  return { label: `${files}×${perFile}`, path: join(path, 'AWSLogs'), records: files * perFile };
}

/** argv under /usr/bin/time: CPU s (user+sys), wall s, peak RSS MiB, the 1-min load before it. */
function timed(argv, env = process.env) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', ...argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, env });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m || (r.status !== 0 && r.status !== 3)) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return { cpu: Number(m[2]) + Number(m[3]), wall: Number(m[1]), rssMiB: Math.round(Number(m[4]) / 1024), load, out: r.stdout };
}

const clean = (c) => {
  for (const f of [c, `${c}.wal`]) rmSync(f, { force: true });
  for (const d of [`${c}.staging`, `${c}.tmp`]) rmSync(d, { recursive: true, force: true });
};

async function main() {
  const o = args(process.argv.slice(2));
  mkdirSync(o.inputs, { recursive: true });
  mkdirSync(o.cases, { recursive: true });
  const trees = [await tree(o.inputs, o.files, o.perFile)];
  if (o.smallFiles > 0) trees.push(await tree(o.inputs, o.smallFiles, o.smallPerFile));
  const results = {};
  const add = (t, k, r) => ((results[t] ??= {})[k] ??= []).push(r);
  for (let round = 0; round < o.runs; round++) {
    for (const t of trees) {
      for (const b of o.builds) {
        const c = join(o.cases, `${b.label}.duckdb`);
        clean(c);
        const r = timed([process.execPath, join(b.root, 'bin', 'dwell.js'), 'ingest', '-q', '--json', '--year', '2025', '--case', c, t.path]);
        const events = JSON.parse(r.out).events;
        if (events !== t.records) throw new Error(`${b.label}: ${events} events, expected ${t.records}`);
        clean(c);
        add(t.label, b.label, r);
        process.stderr.write(`${t.label} ${b.label} ${r.cpu.toFixed(2)} CPU-s (load ${r.load.toFixed(1)})\n`);
      }
      const db = join(o.cases, 'yardstick.duckdb');
      clean(db);
      const y = timed([process.execPath, join(ROOT, 'bench', 'floors.mjs'), '--mode=duckdb', 'cloudtrail', t.path, db]);
      clean(db);
      add(t.label, 'read_json', y);
      process.stderr.write(`${t.label} read_json ${y.cpu.toFixed(2)} CPU-s (load ${y.load.toFixed(1)})\n`);
    }
  }
  const lines = [
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Medians of ${o.runs} interleaved rounds.`,
    '',
    '| tree (files × records) | run | CPU s | ÷ read_json | wall s | peak MiB | load before |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const t of trees) {
    const base = median(results[t.label].read_json.map((r) => r.cpu));
    for (const [k, rs] of Object.entries(results[t.label])) {
      const cpu = median(rs.map((r) => r.cpu));
      lines.push(`| ${t.label} | ${k} | ${cpu.toFixed(2)} | ${(cpu / base).toFixed(2)}× | ${median(rs.map((r) => r.wall)).toFixed(2)} | ${median(rs.map((r) => r.rssMiB))} | ${rs.map((r) => r.load.toFixed(1)).join(', ')} |`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
