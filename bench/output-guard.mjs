/**
 * Output-guard benchmark (`npm run bench -- output-guard`): what an export with `-o` pays before it
 * writes anything — reading the case's evidence list and building the protected paths (one lstat
 * per evidence file for links, one realpath per folder; src/core/output/protected-paths.ts) — and
 * one path check. DWELL_BENCH_GUARD_FILES evidence files (default 100,000, as a large CloudTrail
 * S3 tree has) in folders of 100, created empty under DWELL_BENCH_DIR (default the OS temp dir)
 * and removed afterwards. Median of 3 builds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function run() {
  const n = Number(process.env.DWELL_BENCH_GUARD_FILES ?? 100_000);
  const dir = mkdtempSync(join(process.env.DWELL_BENCH_DIR ?? tmpdir(), 'dwell-bench-guard-'));
  const { CaseDb } = await import(join(ROOT, 'dist/store/case-db.js'));
  const { OutputGuard } = await import(join(ROOT, 'dist/core/output/guard.js'));
  try {
    const ev = join(dir, 'evidence');
    for (let i = 0; i < n; i++) {
      const d = join(ev, `d${Math.floor(i / 100)}`);
      if (i % 100 === 0) mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `f${i}.json.gz`), '');
    }
    const casePath = join(dir, 'case.duckdb');
    const db = await CaseDb.open(casePath, { create: true });
    try {
      await db.run(`INSERT INTO ingest_runs (run_id, started_at, dwell_version, argv, tz, status) VALUES (1, now(), 'bench', $argv::JSON, 'UTC', 'completed')`, { argv: JSON.stringify(['ingest', '--case', casePath, ev]) });
      await db.run(
        `INSERT INTO evidence (evidence_id, run_id, path, abs_path, status, ingested_at)
         SELECT i, 1, $ev || '/d' || (i // 100) || '/f' || i || '.json.gz', $ev || '/d' || (i // 100) || '/f' || i || '.json.gz', 'ingested', now() FROM range(${n}) t(i)`,
        { ev },
      );
      const query = async (sql) => (await db.conn.runAndReadAll(sql)).getRowObjectsJson();
      const builds = [];
      let guard;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        guard = await OutputGuard.forCase(casePath, query);
        builds.push(performance.now() - t0);
      }
      const t1 = performance.now();
      guard.checkFile(join(dir, 'report.md'));
      const checkMs = performance.now() - t1;
      return { machine: machine(), files: n, buildMs: median(builds), checkMs };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function markdown(r) {
  return [`Output guard (${r.machine})`, '', '| evidence files | build (median of 3) | one check |', '|---|---|---|', `| ${r.files.toLocaleString('en-US')} | ${(r.buildMs / 1000).toFixed(2)} s | ${r.checkMs.toFixed(1)} ms |`].join('\n');
}
