/**
 * `dwell demo`: ingests the bundled demo evidence into a temporary case and shows what dwell
 * made of it: the per-file summary and the first events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { safeText } from '../../core/sanitize.js';
import { ingest } from '../../ingest/pipeline.js';
import { CaseDb } from '../../store/case-db.js';
import { table } from '../format.js';
import { makeProgress } from '../progress.js';
import { renderReport } from './ingest.js';

export const DEMO_EVIDENCE = fileURLToPath(new URL('../../../fixtures/auth', import.meta.url));

export async function runDemo(opts: { keep?: string }): Promise<number> {
  const dir = opts.keep ? null : mkdtempSync(join(tmpdir(), 'dwell-demo-'));
  const casePath = opts.keep ?? join(dir!, 'demo.duckdb');
  try {
    process.stdout.write(`dwell demo: ingesting the bundled evidence (${safeText(DEMO_EVIDENCE)}) into ${casePath}\n\n`);
    const report = await ingest({ casePath, inputs: [DEMO_EVIDENCE], tz: 'UTC', argv: ['demo'] }, makeProgress(process.stderr, false));
    process.stdout.write(renderReport(report) + '\n\n');
    const db = await CaseDb.open(casePath, { readOnly: true });
    try {
      const rows = await db.all<{ ts: string; host: string; action: string; actor: string; src_ip: string; summary: string }>(
        `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, host, action, actor, src_ip, summary FROM events
         WHERE action IN ('ssh_login', 'sudo', 'user_created', 'su') ORDER BY ts, event_id LIMIT 12`,
      );
      process.stdout.write('A few events (logins, sudo, accounts):\n');
      process.stdout.write(
        table(
          ['TIME (UTC)', 'HOST', 'ACTION', 'ACTOR', 'SRC IP', 'SUMMARY'],
          rows.map((r) => [r.ts, safeText(r.host), r.action, safeText(r.actor ?? '-'), r.src_ip ?? '-', safeText(r.summary).slice(0, 90)]),
        ) + '\n',
      );
    } finally {
      db.close();
    }
    if (opts.keep) process.stdout.write(`\nThe case is kept at ${casePath}: query it with DuckDB, or re-run \`dwell verify --case ${casePath}\`.\n`);
    return report.problems > 0 ? 1 : 0;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
