/**
 * The suite's costliest fixtures, built once per run (test/helpers/shared-fixture.ts) instead of
 * once per file that reads them:
 * - the demo (`dwell demo --scale 0.1`: generate, ingest, correlate, HTML report), read by
 *   test/report/demo.test.ts and test/case-tools/demo.test.ts;
 * - the scenario fixture ingested (fixtures/scenario/evidence, as its expected.json says), read by
 *   test/scenario/ingest.test.ts and copied by test/correlate/scenario.test.ts to correlate.
 */
import { join } from 'node:path';
import { EVIDENCE, expected } from '../scenario/helpers.js';
import { dwell, type CliResult } from './cli.js';
import { sharedFixture } from './shared-fixture.js';

/** The demo's folder (demo.duckdb, evidence/, expected.json, report.html…) and the demo command's run. */
export async function sharedDemo(): Promise<{ dir: string; run: CliResult }> {
  const { dir, value } = await sharedFixture('demo', (d) => dwell(['demo', '--dir', d, '--scale', '0.1']));
  return { dir, run: value };
}

/** The scenario case (read-only: copy it to write) and the ingest's run. */
export async function sharedScenarioCase(): Promise<{ casePath: string; run: CliResult }> {
  const { dir, value } = await sharedFixture('scenario-case', (d) => {
    const exp = expected();
    const args = ['ingest', '--case', join(d, 'case.duckdb'), '--tz', exp.ingest.tz];
    if (exp.ingest.year) args.push('--year', String(exp.ingest.year));
    return dwell([...args, EVIDENCE]);
  });
  return { casePath: join(dir, 'case.duckdb'), run: value };
}
