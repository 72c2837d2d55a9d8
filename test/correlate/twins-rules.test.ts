/**
 * The detection rules read the case as the correlation's view shows it: when a Cowrie JSON log and
 * its text twin are both ingested, every login is in the case twice, and rules that read the events
 * table counted each guess twice (36 brute-force hits instead of 12 here: the second attacker's 6
 * guesses, 12 when doubled, crossed the threshold of 10).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';

const FIXTURE = 'fixtures/twins/cowrie-bruteforce';
const tmp = tempDir();

/** Ingests the files into a case of their own, correlates from the attacker's address, returns hits per rule. */
async function hitsPerRule(name: string, files: string[]): Promise<Record<string, number>> {
  const dir = join(tmp.path, name);
  mkdirSync(dir);
  for (const f of files) copyFileSync(join(FIXTURE, f), join(dir, f));
  const casePath = join(tmp.path, `${name}.duckdb`);
  const ing = await dwell(['ingest', '-q', '--case', casePath, dir]);
  expect(ing.code, ing.stderr).toBe(0);
  const cor = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.61']);
  expect(cor.code, cor.stderr).toBe(0);
  const rows = await query<{ rule_id: string; n: number }>(casePath, `SELECT rule_id, count(*)::INTEGER AS n FROM detections GROUP BY rule_id ORDER BY rule_id`);
  return Object.fromEntries(rows.map((r) => [r.rule_id, Number(r.n)]));
}

let single: Record<string, number>;
let twins: Record<string, number>;
beforeAll(async () => {
  single = await hitsPerRule('json-only', ['cowrie.json']);
  twins = await hitsPerRule('json-and-log', ['cowrie.json', 'cowrie.log']);
}, 240_000);
afterAll(() => tmp.cleanup());

describe('rules over a Cowrie log and its text twin', () => {
  it('hit as often as over the JSON log alone', () => {
    expect(single['access.ssh_bruteforce']).toBe(12);
    expect(single['access.ssh_success_after_bruteforce']).toBe(13);
    expect(twins).toEqual(single);
  });
});
