/**
 * Issue 7's benchmark: correlate on a ~10M-event generated case (the demo scenario at scale 1500),
 * wall time and peak RSS of `dwell correlate` from the alert's seed. The evidence and the case are
 * generated and ingested once and cached in bench/out (set DWELL_BENCH_SCALE to change the size).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, timed } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'dwell.js');

export async function run({ scale = Number(process.env.DWELL_BENCH_SCALE ?? 1500), reps = 3 } = {}) {
  const dir = join(OUT, `scenario-${scale}`);
  const evidence = join(dir, 'evidence');
  const casePath = join(dir, 'case.duckdb');
  mkdirSync(dir, { recursive: true });
  let gen = null;
  if (!existsSync(join(dir, 'expected.json'))) {
    rmSync(evidence, { recursive: true, force: true });
    process.stderr.write(`generating the scenario at scale ${scale} → ${evidence}\n`);
    gen = timed([process.execPath, join(ROOT, 'dist', 'scenario', 'cli.js'), '--out', evidence, '--seed', '1', '--scale', String(scale)]);
    if (gen.code !== 0) throw new Error(`generation failed: ${gen.stderr}`);
  }
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  let ingest = null;
  if (!existsSync(casePath)) {
    process.stderr.write(`ingesting ${evidence}\n`);
    ingest = timed([process.execPath, BIN, 'ingest', '-q', '--json', '--tz', expected.ingest.tz, '--case', casePath, evidence]);
    if (ingest.code !== 0 && ingest.code !== 3) throw new Error(`ingest failed (${ingest.code}): ${ingest.stderr.slice(0, 2000)}`);
  }
  const count = timed([process.execPath, '--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api';
    const i = await DuckDBInstance.create(${JSON.stringify(casePath)}, { access_mode: 'READ_ONLY' }); const c = await i.connect();
    const r = await c.runAndReadAll('SELECT count(*)::BIGINT AS n FROM events'); console.log(String(r.getRowObjectsJS()[0].n));`], { cwd: ROOT });
  const events = Number(count.stdout.trim());
  const p = expected.parameters;
  const seed = { ip: 'ip', access_key: 'key' }[expected.seed.kind] + ':' + expected.seed.value;
  const args = ['correlate', '--case', casePath, '--seed', seed, '--detected-at', p.detected_at, '--contained-at', p.contained_at, ...p.sensitive.flatMap((s) => ['--sensitive', s])];
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const r = timed([process.execPath, BIN, ...args]);
    if (r.code !== 0) throw new Error(`correlate failed: ${r.stderr}`);
    runs.push(r);
  }
  return {
    bench: 'correlate',
    date: new Date().toISOString(),
    machine: machine(),
    scale,
    events,
    generation: gen ? { seconds: gen.seconds, rssMb: gen.maxRssMb } : 'cached',
    ingest: ingest ? { seconds: ingest.seconds, rssMb: ingest.maxRssMb } : 'cached',
    correlate: { seconds: median(runs.map((r) => r.seconds)), rssMb: median(runs.map((r) => r.maxRssMb ?? 0)), runs: runs.map((r) => Number(r.seconds.toFixed(1))) },
  };
}

export function markdown(r) {
  const fmt = (x) => (typeof x === 'string' ? x : `${x.seconds.toFixed(1)} s, ${x.rssMb?.toFixed(0)} MB peak RSS`);
  return [
    `### correlate on the scenario at scale ${r.scale} — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine}. Case: ${r.events.toLocaleString('en-US')} events.`,
    '',
    `| step | result |`,
    `|---|---|`,
    `| generation | ${fmt(r.generation)} |`,
    `| ingest | ${fmt(r.ingest)} |`,
    `| **dwell correlate** (median of ${r.correlate.runs.length}: ${r.correlate.runs.join(', ')} s) | **${r.correlate.seconds.toFixed(1)} s**, ${r.correlate.rssMb.toFixed(0)} MB peak RSS |`,
  ].join('\n');
}
