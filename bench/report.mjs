/**
 * Report benchmark (`npm run bench -- report`): the issue-16 size target — on a 10M-event case the
 * HTML report stays under 5 MB and renders in headless Chromium in under 3 s. The case: `dwell
 * ingest` of fixtures/auth (the attack), then DWELL_BENCH_REPORT_EVENTS (default 10,000,000)
 * background events generated in DuckDB (bench/export.mjs's generator) and
 * DWELL_BENCH_REPORT_FILES (default 2,400, as many as the 10M scenario has) more evidence rows for
 * the manifest; then `dwell correlate` from the attacker's address. Timed: correlate, the md and html
 * exports (wall, peak RSS, size, lines), and Chromium: the report's screenshot against the same
 * browser on an empty page (the difference is the report's own render). Chromium is optional: without
 * it the render is reported as not measured. DWELL_BENCH_DIR and DWELL_BENCH_KEEP as in export.mjs.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateSql } from './export.mjs';
import { machine, median, timed, which } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'dwell.js');

function chromiumRun(chromium, dir, url, shot) {
  return timed([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'chrome')}`, `--screenshot=${shot}`, '--window-size=1100,1400', url]);
}

export async function run() {
  const n = Number(process.env.DWELL_BENCH_REPORT_EVENTS ?? 10_000_000);
  const files = Number(process.env.DWELL_BENCH_REPORT_FILES ?? 2400);
  const dir = mkdtempSync(join(process.env.DWELL_BENCH_DIR ?? tmpdir(), 'dwell-bench-report-'));
  const casePath = join(dir, 'case.duckdb');
  try {
    const ing = timed([process.execPath, BIN, 'ingest', '--year', '2026', '--case', casePath, '-q', join(ROOT, 'fixtures', 'auth')]);
    if (ing.code !== 0) throw new Error(`ingest failed: ${ing.stderr}`);
    const t0 = Date.now();
    const inst = await DuckDBInstance.create(casePath);
    const c = await inst.connect();
    await c.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, status, events, ingested_at) VALUES (1000, 1, 'synthetic/bench.log', '/synthetic/bench.log', repeat('0', 64), 'ingested', ${n}, now())`);
    await c.run(
      `INSERT INTO evidence (evidence_id, run_id, path, abs_path, size, sha256, status, events, first_ts, last_ts, ingested_at)
       SELECT 2000 + i, 1, 'synthetic/host-' || (i % 50) || '/var/log/file-' || i || '.log.gz', '/synthetic/f' || i, 1000000 + i, sha256(CAST(i AS VARCHAR)), 'ingested', 4000, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-30', now() FROM range(${files}) t(i)`,
    );
    await c.run(generateSql(n));
    await c.run('CHECKPOINT');
    c.closeSync();
    inst.closeSync();
    const generateSeconds = (Date.now() - t0) / 1000;
    const cor = timed([process.execPath, BIN, 'correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--detected-at', '2026-01-02T09:15:00Z', '--contained-at', '2026-01-02T14:00:00Z']);
    if (cor.code !== 0) throw new Error(`correlate failed: ${cor.stderr}`);
    const out = {};
    for (const format of ['md', 'html']) {
      const file = join(dir, `report.${format}`);
      const r = timed([process.execPath, BIN, 'export', '--case', casePath, '--what', 'findings', '--format', format, '-o', file, '-q']);
      if (r.code !== 0) throw new Error(`${format} export failed: ${r.stderr}`);
      const text = readFileSync(file, 'utf8');
      out[format] = { seconds: r.seconds, maxRssMb: r.maxRssMb, bytes: statSync(file).size, lines: text.split('\n').length };
    }
    const chromium = which('chromium') ?? which('chromium-browser') ?? which('google-chrome');
    let render = null;
    if (chromium) {
      const empty = join(dir, 'empty.html');
      writeFileSync(empty, '<!DOCTYPE html><title>empty</title>');
      const base = [];
      const report = [];
      for (let i = 0; i < 3; i++) {
        base.push(chromiumRun(chromium, dir, pathToFileURL(empty).href, join(dir, 'empty.png')).seconds);
        const r = chromiumRun(chromium, dir, pathToFileURL(join(dir, 'report.html')).href, join(dir, 'report.png'));
        if (r.code !== 0) throw new Error(`chromium failed: ${r.stderr}`);
        report.push(r.seconds);
      }
      render = { emptySeconds: median(base), reportSeconds: median(report), renderSeconds: median(report) - median(base) };
    }
    return { date: new Date().toISOString().slice(0, 10), machine: machine(), events: n + 66, evidenceFiles: files + 3, generateSeconds, correlateSeconds: cor.seconds, md: out.md, html: out.html, render };
  } finally {
    if (process.env.DWELL_BENCH_KEEP === '1') process.stderr.write(`bench report: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;

export function markdown(r) {
  return [
    `### Report (issue 16) — ${r.date}`,
    '',
    `Machine: ${r.machine}. Case: ${r.events.toLocaleString('en-US')} events, ${r.evidenceFiles.toLocaleString('en-US')} evidence files (generated in ${r.generateSeconds.toFixed(0)} s); correlate ${r.correlateSeconds.toFixed(1)} s.`,
    '',
    '| report | export wall time | peak RSS | size | lines |',
    '|---|---|---|---|---|',
    `| \`--format md\` | ${r.md.seconds.toFixed(1)} s | ${r.md.maxRssMb?.toFixed(0) ?? '?'} MiB | ${kib(r.md.bytes)} | ${r.md.lines.toLocaleString('en-US')} |`,
    `| \`--format html\` | ${r.html.seconds.toFixed(1)} s | ${r.html.maxRssMb?.toFixed(0) ?? '?'} MiB | ${kib(r.html.bytes)} | — |`,
    '',
    r.render
      ? `Headless Chromium screenshot (median of 3): ${r.render.reportSeconds.toFixed(2)} s for the report, ${r.render.emptySeconds.toFixed(2)} s for an empty page: the report's own render ${r.render.renderSeconds.toFixed(2)} s.`
      : 'Chromium not installed: render time not measured.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  process.stdout.write(markdown(r) + '\n');
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
