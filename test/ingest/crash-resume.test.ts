/**
 * An ingest killed mid-file (kill -9) leaves no partial file in the case, and running the same
 * command again gives exactly the events of a clean run.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the benchmarks
import { writeAuthLog } from '../../bench/lib/gen-auth-log.mjs';
import { query } from '../helpers/case.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';

async function fingerprint(casePath: string) {
  return query<{ path: string; n: number; h: string }>(
    casePath,
    `SELECT v.path, count(*)::INTEGER AS n, sum(hash(e.line, e.ts, e.action, e.actor, e.src_ip, e.raw))::VARCHAR AS h
     FROM events e JOIN evidence v USING (evidence_id) GROUP BY v.path ORDER BY v.path`,
  );
}

describe('ingest killed with SIGKILL', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('leaves no partial file and a re-run equals a clean run', { timeout: 180_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    copyFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1'), join(ev, 'a-small.log'));
    // 60,000 lines (7 MB): dozens of staging batches of 256 KiB; the kill lands at the fifth.
    await writeAuthLog(join(ev, 'b-big.log'), 60_000, 7);

    const killed = join(tmp.path, 'killed.duckdb');
    // Small batches: the big file is stored in many steps, so the kill lands in the middle of it.
    const env = { ...process.env, DWELL_BATCH_BYTES: String(256 * 1024) };
    const child = spawn(process.execPath, [BIN, 'ingest', '-q', '--case', killed, ev], { stdio: 'ignore', env });
    // Kill once the big file is being stored: its fifth staging batch exists, well before it can
    // finish. (With two parse lanes the small file may or may not be committed by then.)
    const deadline = Date.now() + 60_000;
    const bigFileUnderway = () => {
      const dir = killed + '.staging';
      if (!existsSync(dir)) return false;
      return readdirSync(dir).some((sub) => {
        try {
          return readdirSync(join(dir, sub)).some((f) => /^events-.*-([5-9]|\d{2,})\.ndjson$/.test(f));
        } catch {
          return false;
        }
      });
    };
    while (Date.now() < deadline && !bigFileUnderway()) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    const partial = await query<{ path: string; events: number; stored: number }>(
      killed,
      `SELECT v.path, v.events::INTEGER AS events, (SELECT count(*) FROM events e WHERE e.evidence_id = v.evidence_id)::INTEGER AS stored FROM evidence v`,
    );
    // Killed before the big file was stored: it is absent, events and all; a file that is present
    // (the small one, if its transaction committed in time) is there whole.
    expect(partial.map((p) => p.path.split('/').pop()).filter((p) => p !== 'a-small.log')).toEqual([]);
    for (const p of partial) expect(p.stored).toBe(p.events);
    const [{ n }] = await query<{ n: number }>(killed, `SELECT count(*)::INTEGER AS n FROM events`);
    expect(n).toBe(partial.reduce((s, p) => s + p.events, 0));

    const rerun = await dwell(['ingest', '-q', '--case', killed, ev]);
    expect(rerun.code).toBe(0);
    const clean = join(tmp.path, 'clean.duckdb');
    expect((await dwell(['ingest', '-q', '--case', clean, ev])).code).toBe(0);
    expect(await fingerprint(killed)).toEqual(await fingerprint(clean));
    // The killed run's staging folder is gone too.
    expect(existsSync(killed + '.staging')).toBe(false);
    const runs = await query<{ status: string }>(killed, 'SELECT status FROM ingest_runs ORDER BY run_id');
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'completed']);
  });
});
