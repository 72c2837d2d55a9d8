/**
 * `--auto` on the whole shared corpus (real logs, no narrative): it must not name a routine
 * administrator as the attacker. The Elastic example auth.log has one: 85.245.107.41, 174 logins
 * over three weeks (key logins as ubuntu from the first day, then the test accounts it created with
 * create_n_users.sh). Earlier, --auto picked that address and listed its test accounts as back doors.
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { correlateJson } from '../helpers/attacks.js';

const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
if (!existsSync(CORPUS)) console.warn(`attack tests: ${CORPUS} is absent; --auto on the corpus is skipped`);

describe.skipIf(!existsSync(CORPUS))('--auto on the whole shared corpus', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'corpus.duckdb');
  let f: any;
  let stderr = '';
  beforeAll(async () => {
    const ing = await dwell(['ingest', '-q', '--case', casePath, CORPUS]);
    expect([0, 1, 3], ing.stderr).toContain(ing.code);
    const r = await correlateJson(casePath, ['--auto']);
    expect(r.code, r.stderr).toBe(0);
    f = r.f;
    stderr = r.stderr;
  }, 900_000);
  afterAll(() => tmp.cleanup());

  it('does not name the routine administrator 85.245.107.41, nor list its test accounts as back doors', () => {
    expect(JSON.stringify(f.parameters.seeds_used)).not.toContain('85.245.107.41');
    expect(f.ips.map((i: any) => i.ip)).not.toContain('85.245.107.41');
    expect(f.backdoors.filter((b: any) => /^elastic_user_/.test(b.value))).toEqual([]);
  });

  it('names no address with routine logins (5 days or more) before its first detection as a seed, and says why it chose each', async () => {
    expect(f.parameters.seeds_used.length).toBeGreaterThan(0);
    for (const s of f.parameters.seeds_used.filter((x: any) => x.kind === 'ip')) {
      const [r] = await query<{ days: number }>(
        casePath,
        `SELECT count(DISTINCT date_trunc('day', ts))::INTEGER AS days FROM events WHERE action = 'ssh_login' AND outcome = 'success' AND src_ip = $ip
           AND ts < (SELECT min(ts) FROM detections WHERE findings_id = (SELECT max(findings_id) FROM findings) AND hit_key = $ip)`,
        { ip: s.value },
      );
      expect(r!.days, s.value).toBeLessThan(5);
      expect(s.reason).toMatch(/^detection /);
      expect(stderr).toContain(`seed ip:${s.value}: detection`);
    }
  });
});
