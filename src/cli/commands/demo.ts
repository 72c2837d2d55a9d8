/**
 * `dwell demo`: generates the demo breach (small scale) into a folder, ingests it, correlates from
 * the alert's seed, prints the report's summary, and says how to open the TUI on the case.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { safeText } from '../../core/sanitize.js';
import { parseIsoMicros } from '../../core/time.js';
import { correlate } from '../../correlate/correlate.js';
import { formatSeed } from '../../correlate/seeds.js';
import { renderSummary } from '../../export/findings-md.js';
import { runExport } from './export.js';
import { ingest } from '../../ingest/pipeline.js';
import { generate } from '../../scenario/generate.js';
import { makeProgress } from '../progress.js';

interface Expected {
  seed: { kind: string; value: string; host?: string | null };
  ingest: { tz: string };
  parameters: { detected_at: string | null; contained_at: string | null; sensitive: string[] };
}

const KIND: Record<string, 'ip' | 'access_key' | 'local_user' | 'iam_principal' | 'host' | 'db_role'> = {
  ip: 'ip',
  access_key: 'access_key',
  local_user: 'local_user',
  iam_principal: 'iam_principal',
  host: 'host',
  db_role: 'db_role',
};

export async function runDemo(opts: { dir?: string; seed?: string; scale?: string }): Promise<number> {
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'dwell-demo-')));
  const evidence = join(dir, 'evidence');
  const casePath = join(dir, 'demo.duckdb');
  const out = process.stdout;
  out.write(`dwell demo — a breach across SSH logs, CloudTrail, PostgreSQL and network flows\n\n`);
  out.write(`1. Generating the evidence (seed ${opts.seed ?? 1}) into ${evidence}\n`);
  const gen = await generate({ out: evidence, expected: join(dir, 'expected.json'), seed: Number(opts.seed ?? 1), scale: Number(opts.scale ?? 1) });
  out.write(`   ${gen.files} files, ${gen.records.total.toLocaleString('en-US')} records\n`);
  const expected = JSON.parse(readFileSync(gen.expectedPath, 'utf8')) as Expected;

  out.write(`2. Ingesting them (hosts log in ${expected.ingest.tz}: --tz ${expected.ingest.tz})\n`);
  const report = await ingest({ casePath, inputs: [evidence], tz: expected.ingest.tz, argv: ['demo'] }, makeProgress(process.stderr, !process.stderr.isTTY));
  const bySource = new Map<string, number>();
  for (const f of report.files) if (f.format) bySource.set(f.format, (bySource.get(f.format) ?? 0) + f.events);
  out.write(`   ${report.events.toLocaleString('en-US')} events in ${report.seconds.toFixed(1)} s: ${[...bySource.entries()].map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}\n`);
  const notRead = report.files.filter((f) => f.status !== 'ingested');
  if (notRead.length) out.write(`   ${notRead.length} file(s) not ingested: ${notRead.slice(0, 3).map((f) => `${safeText(f.path)} (${f.status})`).join(', ')}${notRead.length > 3 ? ', …' : ''}\n`);

  const seed = { kind: KIND[expected.seed.kind] ?? 'ip', value: expected.seed.value, host: expected.seed.host ?? null };
  out.write(`3. Correlating from the alert's seed ${formatSeed(seed)} (detected ${expected.parameters.detected_at}, contained ${expected.parameters.contained_at})\n\n`);
  const result = await correlate({
    casePath,
    seeds: [seed],
    detectedAtUs: expected.parameters.detected_at ? parseIsoMicros(expected.parameters.detected_at)!.us : null,
    containedAtUs: expected.parameters.contained_at ? parseIsoMicros(expected.parameters.contained_at)!.us : null,
    sensitive: expected.parameters.sensitive,
  });
  out.write(renderSummary(result.findings) + '\n\n');
  // The report through the export path itself (output guard, atomic file), next to the case.
  const html = join(dir, 'report.html');
  const exported = await runExport({ case: casePath, what: 'findings', format: 'html', output: html, quiet: true });
  out.write(`The case is ${casePath}\n`);
  out.write(`  browse it:      npx dwell tui --case ${casePath}\n`);
  out.write(`  what it holds:  npx dwell info --case ${casePath}\n`);
  out.write(`  search, query:  npx dwell search --case ${casePath} ${safeText(seed.value)} · npx dwell sql --case ${casePath}\n`);
  out.write(`  Markdown:       npx dwell export --case ${casePath} --what findings --format md -o report.md\n`);
  out.write(`  block, revoke:  npx dwell export --case ${casePath} --what mitigations --format revoke-sh -o revoke.sh\n`);
  out.write(`  check evidence: npx dwell verify --case ${casePath}\n`);
  out.write(`  ground truth:   ${gen.expectedPath}\n\n`);
  if (exported !== 0) return exported;
  out.write(`The report: ${html} (open it in a browser; full timeline in ${join(dir, 'report.timeline.md')})\n`);
  return 0;
}
