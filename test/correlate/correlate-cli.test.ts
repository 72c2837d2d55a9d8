/**
 * `dwell correlate` refuses what would give a wrong answer, and says what it does: a seed that
 * matches nothing, a detection or containment time before the attack or in the future (exit 2,
 * nothing stored); seeds are canonical addresses; the seeds used and why are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { expectValidFindings } from '../helpers/findings-schema.js';

const tmp = tempDir();
const casePath = join(tmp.path, 'case.duckdb');
const findingsCount = async () => Number((await query<{ n: number }>(casePath, 'SELECT count(*) AS n FROM findings'))[0]!.n);
const detectionsOfMissingFindings = async () => Number((await query<{ n: number }>(casePath, 'SELECT count(*) AS n FROM detections WHERE findings_id NOT IN (SELECT findings_id FROM findings)'))[0]!.n);

beforeAll(async () => {
  const ing = await dwell(['ingest', '--year', '2026', '--case', casePath, '-q', 'fixtures/auth']);
  expect(ing.code, ing.stderr).toBe(0);
}, 120_000);
afterAll(() => tmp.cleanup());

describe('dwell correlate refuses what would give a wrong answer', () => {
  it('a seed that matches no event: exit 2 with a hint, and no findings stored as the newest', async () => {
    const before = await findingsCount();
    const r = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.78']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seed ip:203\.0\.113\.78 matches no event/);
    expect(r.stderr).toMatch(/help: similar in the case: .*203\.0\.113\.77/);
    expect(await findingsCount()).toBe(before);
    expect(await detectionsOfMissingFindings()).toBe(0);
  }, 120_000);

  it('--detected-at before the attacker’s first activity (a dwell time of −20,454 days) or in the future: exit 2, nothing stored', async () => {
    const before = await findingsCount();
    const early = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--detected-at', '1970-01-01T00:00:00Z']);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/--detected-at 1970-01-01T00:00:00Z is before the attacker's first activity/);
    const future = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--contained-at', '2999-01-01T00:00:00Z']);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--contained-at 2999-01-01T00:00:00Z is in the future/);
    const reversed = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--detected-at', '2026-01-02T14:00:00Z', '--contained-at', '2026-01-02T09:00:00Z']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--contained-at .* is before --detected-at/);
    expect(await findingsCount()).toBe(before);
  }, 180_000);

  it('takes an IPv4-mapped IPv6 seed as the IPv4 address, and prints the seeds used and why', async () => {
    const r = await dwell(['correlate', '--case', casePath, '--json', '--seed', 'ip:::FFFF:203.0.113.77', '--detected-at', '2026-01-02T09:15:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expectValidFindings(f);
    expect(f.parameters.seeds_used).toEqual([{ kind: 'ip', value: '203.0.113.77', reason: 'given' }]);
    expect(f.uncertainty.seeds[0]).toMatchObject({ provenance: 'given', value: '203.0.113.77' });
    expect(f.uncertainty.seeds[0].matched_events).toBeGreaterThan(0);
    expect(f.answers.dwell_time_seconds).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^seed ip:203\.0\.113\.77: given \(\d+ event\(s\)\)$/m);
    const text = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77']);
    expect(text.stdout).toMatch(/^Seeds\n {2}ip 203\.0\.113\.77: given \(\d+ events\)/m);
  }, 120_000);
});
