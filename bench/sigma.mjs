/**
 * Issue 17's benchmark: every SigmaHQ rule dwell compiles for the case's sources
 * (../shared/specs/sigma/rules, or DWELL_BENCH_SIGMA) run by `dwell hunt` over the ~10M-event
 * scenario case that `npm run bench -- correlate` builds (bench/out/scenario-<scale>; generated and
 * ingested here when absent), side by side with dwell's own rules on the same case (the `rules`
 * step of `dwell correlate`, DWELL_TIMING=1). Wall time, CPU time, peak RSS and hunt's own steps
 * (one per source's pass); medians. The hunts run on a copy of the case (hunt.duckdb: each run
 * adds its detections), and beside them the floor: DuckDB's plain scan of the columns the rules
 * read, for the sources they read.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HAS_TIME, machine, median, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'dwell.js');

export async function run({ scale = Number(process.env.DWELL_BENCH_SCALE ?? 1500), reps = Number(process.env.DWELL_BENCH_REPS ?? 3) } = {}) {
  const rules = process.env.DWELL_BENCH_SIGMA ?? join(ROOT, '..', 'shared', 'specs', 'sigma', 'rules');
  if (!existsSync(rules)) throw new Error(`no Sigma rules at ${rules} (set DWELL_BENCH_SIGMA)`);
  const dir = join(OUT, `scenario-${scale}`);
  const evidence = join(dir, 'evidence');
  const casePath = join(dir, 'case.duckdb');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'expected.json'))) {
    rmSync(evidence, { recursive: true, force: true });
    process.stderr.write(`generating the scenario at scale ${scale} → ${evidence}\n`);
    const gen = timed([process.execPath, join(ROOT, 'dist', 'scenario', 'cli.js'), '--out', evidence, '--seed', '1', '--scale', String(scale)]);
    if (gen.code !== 0) throw new Error(`generation failed: ${gen.stderr}`);
  }
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  if (!existsSync(casePath)) {
    process.stderr.write(`ingesting ${evidence}\n`);
    const ingest = timed([process.execPath, BIN, 'ingest', '-q', '--json', '--tz', expected.ingest.tz, '--case', casePath, evidence]);
    if (ingest.code !== 0 && ingest.code !== 3) throw new Error(`ingest failed (${ingest.code}): ${ingest.stderr.slice(0, 2000)}`);
  }
  const counts = timed([process.execPath, '--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api';
    const i = await DuckDBInstance.create(${JSON.stringify(casePath)}, { access_mode: 'READ_ONLY' }); const c = await i.connect();
    const r = await c.runAndReadAll('SELECT source, count(*)::BIGINT AS n FROM events GROUP BY source ORDER BY n DESC');
    console.log(JSON.stringify(r.getRowObjectsJS().map((x) => [x.source, Number(x.n)])));`], { cwd: ROOT });
  const bySource = JSON.parse(counts.stdout.trim());
  const events = bySource.reduce((a, [, n]) => a + n, 0);

  const huntCase = join(dir, 'hunt.duckdb');
  rmSync(`${huntCase}.wal`, { force: true });
  copyFileSync(casePath, huntCase);
  const floor = cpuTimed([process.execPath, join(ROOT, 'bench', 'lib', 'sigma-floor.mjs'), huntCase, rules]);
  if (floor.code !== 0) throw new Error(`floor failed: ${floor.stderr}`);
  const hunts = [];
  let last = null;
  for (let i = 0; i < reps; i++) {
    const r = cpuTimed([process.execPath, BIN, 'hunt', '--case', huntCase, '--sigma', rules, '--json']);
    if (r.code !== 0 && r.code !== 1) throw new Error(`hunt failed (${r.code}): ${r.stderr}`);
    last = JSON.parse(r.stdout);
    hunts.push({ seconds: r.seconds, cpu: r.cpu, rssMb: r.maxRssMb ?? 0, steps: last.timings_ms });
  }
  rmSync(huntCase, { force: true });
  rmSync(`${huntCase}.wal`, { force: true });
  const own = [];
  const p = expected.parameters;
  const seed = { ip: 'ip', access_key: 'key' }[expected.seed.kind] + ':' + expected.seed.value;
  for (let i = 0; i < reps; i++) {
    const r = timed([process.execPath, BIN, 'correlate', '--case', casePath, '--seed', seed, '--detected-at', p.detected_at, '--contained-at', p.contained_at, ...p.sensitive.flatMap((s) => ['--sensitive', s])], { env: { ...process.env, DWELL_TIMING: '1' } });
    // The rules step is timed before the seeds are checked: a case ingested only in part (the
    // seed's events absent) still gives the number.
    const m = /timing: rules (\d+) ms/.exec(r.stderr);
    if (r.code !== 0 && !m) throw new Error(`correlate failed: ${r.stderr}`);
    own.push({ seconds: m ? Number(m[1]) / 1000 : NaN, total: r.seconds });
  }
  const ran = last.rules.filter((x) => x.kind === 'detection').length;
  const stepNames = Object.keys(hunts[0].steps);
  const hits = last.rules.reduce((a, x) => a + (x.hits ?? 0), 0);
  return {
    bench: 'sigma',
    date: new Date().toISOString(),
    machine: machine(),
    scale,
    events,
    bySource,
    rules: { files: last.files, ran, hit: last.rules.filter((x) => x.hits > 0).length, hits, problems: last.problems.length },
    floor: { seconds: floor.seconds, cpu: floor.cpu, ...JSON.parse(floor.stdout) },
    hunt: { seconds: median(hunts.map((h) => h.seconds)), cpu: median(hunts.map((h) => h.cpu)), rssMb: median(hunts.map((h) => h.rssMb)), runs: hunts.map((h) => Number(h.seconds.toFixed(1))), steps: Object.fromEntries(stepNames.map((s) => [s, median(hunts.map((h) => h.steps[s] ?? 0)) / 1000])) },
    own: { seconds: median(own.map((o) => o.seconds)), runs: own.map((o) => Number(o.seconds.toFixed(1))), correlateTotal: median(own.map((o) => o.total)) },
  };
}

export function markdown(r) {
  return [
    `### Sigma hunt on the scenario at scale ${r.scale} — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Case: ${r.events.toLocaleString('en-US')} events (${r.bySource.map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(', ')}).`,
    '',
    `| what | median | runs |`,
    `|---|---|---|`,
    `| **dwell hunt**, ${r.rules.ran} SigmaHQ rules compiled (${r.rules.hit} hit, ${r.rules.hits.toLocaleString('en-US')} hits; ${r.rules.files} files read) | **${r.hunt.seconds.toFixed(1)} s** (CPU ${r.hunt.cpu.toFixed(1)} s), ${r.hunt.rssMb.toFixed(0)} MB peak RSS | ${r.hunt.runs.join(', ')} s |`,
    `| — of which: ${Object.entries(r.hunt.steps).map(([s, v]) => `${s} ${v.toFixed(1)} s`).join(', ')} | | |`,
    `| dwell's own rules (the rules step of dwell correlate) | ${r.own.seconds.toFixed(1)} s | ${r.own.runs.join(', ')} s |`,
    `| floor: DuckDB's plain scan of the columns the rules read (${r.floor.columns.join(', ')}) over ${r.floor.sources.join(', ')} | ${r.floor.seconds.toFixed(1)} s (CPU ${r.floor.cpu.toFixed(1)} s) | one run |`,
  ].join('\n');
}

/** timed() with the child's CPU time (user + system, its threads and children) from /usr/bin/time. */
function cpuTimed(argv, opts) {
  if (!HAS_TIME) return { ...timed(argv, opts), cpu: NaN };
  const f = `/tmp/dwell-bench-cpu-${process.pid}`;
  const r = timed(['/usr/bin/time', '-f', '%U %S', '-o', f, ...argv], opts);
  const [u, s] = readFileSync(f, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
  rmSync(f, { force: true });
  return { ...r, cpu: u + s };
}
