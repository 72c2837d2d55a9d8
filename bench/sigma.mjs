/**
 * Issue 17's benchmark: every SigmaHQ rule dwell compiles for the case's sources
 * (../shared/specs/sigma/rules, or DWELL_BENCH_SIGMA) run by `dwell hunt` over the ~10M-event
 * scenario case that `npm run bench -- correlate` builds (bench/out/scenario-<scale>; generated and
 * ingested here when absent), side by side with dwell's own rules on the same case (the `rules`
 * step of `dwell correlate`, DWELL_TIMING=1). Wall time, peak RSS and hunt's own steps; medians.
 */
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, timed } from './lib/measure.mjs';

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

  const hunts = [];
  let last = null;
  for (let i = 0; i < reps; i++) {
    const r = timed([process.execPath, BIN, 'hunt', '--case', casePath, '--sigma', rules, '--json']);
    if (r.code !== 0 && r.code !== 1) throw new Error(`hunt failed (${r.code}): ${r.stderr}`);
    last = JSON.parse(r.stdout);
    hunts.push({ seconds: r.seconds, rssMb: r.maxRssMb ?? 0, steps: last.timings_ms });
  }
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
  return {
    bench: 'sigma',
    date: new Date().toISOString(),
    machine: machine(),
    scale,
    events,
    bySource,
    rules: { files: last.files, ran, hit: last.rules.filter((x) => x.hits > 0).length, problems: last.problems.length },
    hunt: { seconds: median(hunts.map((h) => h.seconds)), rssMb: median(hunts.map((h) => h.rssMb)), runs: hunts.map((h) => Number(h.seconds.toFixed(1))), steps: Object.fromEntries(stepNames.map((s) => [s, median(hunts.map((h) => h.steps[s] ?? 0)) / 1000])) },
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
    `| **dwell hunt**, ${r.rules.ran} SigmaHQ rules compiled (${r.rules.hit} hit; ${r.rules.files} files read) | **${r.hunt.seconds.toFixed(1)} s**, ${r.hunt.rssMb.toFixed(0)} MB peak RSS | ${r.hunt.runs.join(', ')} s |`,
    `| — of which: ${Object.entries(r.hunt.steps).map(([s, v]) => `${s} ${v.toFixed(1)} s`).join(', ')} | | |`,
    `| dwell's own rules (the rules step of dwell correlate) | ${r.own.seconds.toFixed(1)} s | ${r.own.runs.join(', ')} s |`,
  ].join('\n');
}
