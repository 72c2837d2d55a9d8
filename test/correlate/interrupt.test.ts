/**
 * Ctrl-C or SIGTERM during `dwell correlate` stops it promptly with 130/143 (its running query
 * interrupted) and keeps nothing of the run: no findings, no detections under its number — the
 * case's earlier findings stay the newest — and the next run gives the findings a clean run gives.
 * `dwell hunt` keeps nothing of an interrupted hunt either. The demo's case (it holds findings).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hunt } from '../../src/sigma/hunt.js';
import { Interrupted } from '../../src/store/query-stopper.js';
import { query } from '../helpers/case.js';
import { BIN, dwell, tempDir } from '../helpers/cli.js';
import { sharedDemo } from '../helpers/shared-cases.js';

interface Run {
  code: number | null;
  stderr: string;
  /** Milliseconds from the signal to the exit; -1 when the run ended before it was sent. */
  afterSignalMs: number;
}

/** `dwell correlate` on the case, sent `sig` once its first rule has run (DWELL_TIMING names each rule as it ends). */
function correlateAndInterrupt(casePath: string, sig: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'correlate', '--case', casePath, '--json'], { env: { ...process.env, NO_COLOR: '1', DWELL_TIMING: '1' } });
    let stderr = '';
    let sentAt = 0;
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sentAt && /timing: rule \S+ \d+ ms/.test(stderr)) {
        sentAt = Date.now();
        child.kill(sig);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, afterSignalMs: sentAt ? Date.now() - sentAt : -1 }));
  });
}

/** The findings as stored, without the time they were made. */
function comparable(json: string): unknown {
  const f = JSON.parse(json) as Record<string, unknown>;
  delete f.generated_at;
  return f;
}

async function runs(casePath: string) {
  const [r] = await query<{ findings: number; latest: number; detections: number; hunts: number }>(
    casePath,
    `SELECT (SELECT count(*) FROM findings)::INTEGER AS findings, (SELECT max(findings_id) FROM findings)::INTEGER AS latest,
            (SELECT count(*) FROM detections)::INTEGER AS detections, (SELECT count(*) FROM hunts)::INTEGER AS hunts`,
  );
  return r!;
}

describe('interrupting correlate and hunt', () => {
  const tmp = tempDir('dwell-corr-int-');
  let clean: unknown;
  let original: string;

  beforeAll(async () => {
    const { dir } = await sharedDemo();
    original = join(dir, 'demo.duckdb');
    const casePath = join(tmp.path, 'clean.duckdb');
    copyFileSync(original, casePath);
    const r = await dwell(['correlate', '--case', casePath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    clean = comparable(r.stdout);
  }, 900_000);
  afterAll(() => tmp.cleanup());

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} mid-run: exit ${code} within seconds, nothing of the run kept, and the next run equals a clean run`, { timeout: 180_000 }, async () => {
      const casePath = join(tmp.path, `${sig}.duckdb`);
      copyFileSync(original, casePath);
      const before = await runs(casePath);

      const r = await correlateAndInterrupt(casePath, sig);
      expect(r.afterSignalMs, `the run ended before the signal was sent:\n${r.stderr}`).toBeGreaterThanOrEqual(0);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain('interrupted: nothing of this run was stored');
      // The bound: well under interrupt.ts's FORCE_STOP_AFTER_MS (15 s), which would exit by the signal (code null).
      expect(r.afterSignalMs).toBeLessThan(10_000);
      expect(await runs(casePath)).toEqual(before);

      const again = await dwell(['correlate', '--case', casePath, '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(comparable(again.stdout)).toEqual(clean);
      const after = await runs(casePath);
      expect(after.findings).toBe(before.findings + 1);
    });
  }

  it('an interrupted hunt records nothing and leaves no detections; the next hunt runs', { timeout: 120_000 }, async () => {
    const casePath = join(tmp.path, 'hunt.duckdb');
    copyFileSync(original, casePath);
    const rules = join(tmp.path, 'sigma');
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, 'any-cloud-call.yml'),
      ['title: Any CloudTrail call', 'id: 0c7d6a9e-1f1e-4d8e-9b7a-1a2b3c4d5e6f', 'status: test', 'level: low', 'logsource:', '    product: aws', '    service: cloudtrail', 'detection:', '    selection:', "        eventSource|endswith: '.amazonaws.com'", '    condition: selection', ''].join('\n'),
    );
    const before = await runs(casePath);
    const controller = new AbortController();
    const steps: string[] = [];
    await expect(
      hunt({ casePath, paths: [rules], disable: [], signal: controller.signal, onStep: (s) => (steps.push(s), s === 'matching events' && controller.abort('SIGINT')) }),
    ).rejects.toBeInstanceOf(Interrupted);
    expect(steps).toContain('matching events');
    expect(steps).not.toContain('storing detections');
    expect(await runs(casePath)).toEqual(before);

    const done = await hunt({ casePath, paths: [rules], disable: [] });
    expect(done.results.find((x) => x.hits > 0)).toBeTruthy();
    expect((await runs(casePath)).hunts).toBe(before.hunts + 1);
  });
});
