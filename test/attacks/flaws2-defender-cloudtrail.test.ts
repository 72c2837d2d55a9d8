/**
 * flaws2.cloud "Defender" (NARRATIVE.md): stolen Lambda and ECS role keys used from 104.102.221.250,
 * after anonymous browsing of the public sites. Seed: the attacker's address, as the alert gives it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { attackDir, correlateJson, ingestCase } from '../helpers/attacks.js';

const dir = attackDir('flaws2-defender-cloudtrail');

describe.skipIf(!dir)('flaws2 defender: stolen workload role keys used from outside AWS', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let f: any;
  beforeAll(async () => {
    await ingestCase(casePath, [join(dir!, 'AWSLogs')]);
    const r = await correlateJson(casePath, ['--seed', 'ip:104.102.221.250']);
    expect(r.code, r.stderr).toBe(0);
    f = r.f;
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('names the attacker address, and only it, as attacker infrastructure', () => {
    expect(f.ips.map((i: any) => i.ip)).toEqual(['104.102.221.250']);
  });

  it('finds both stolen role keys and the five calls made with them from outside AWS', () => {
    const keys = f.entities.filter((e: any) => e.kind === 'access_key').map((e: any) => e.value).sort();
    expect(keys).toEqual(['ASIAZQNB3KHGIGYQXVVG', 'ASIAZQNB3KHGNXWXBSJS']);
    const keyed = f.timeline.filter((t: any) => /assumed-role\/level[13]\//.test(t.summary)).map((t: any) => t.summary.split(' ')[0]);
    expect(keyed.sort()).toEqual(['BatchGetImage', 'GetDownloadUrlForLayer', 'ListBuckets', 'ListImages', 'ListObjects']);
  });

  it('dates the attack as the narrative does: browsing from 23:02:56, the stolen key first used at 23:04:54, last activity 23:09:36', () => {
    expect(f.answers.first_recon_at).toBe('2018-11-28T23:02:56Z');
    expect(f.answers.initial_access_at).toBe('2018-11-28T23:04:54Z');
    expect(f.answers.initial_access_vector).toMatch(/ASIAZQNB3KHGIGYQXVVG/);
    expect(f.answers.last_attacker_activity_at).toBe('2018-11-28T23:09:36Z');
  });

  it('lists the secret page read from the level1 bucket among what was accessed', () => {
    expect(f.compromised_data.map((c: any) => c.value)).toContain('s3://level1.flaws2.cloud/secret-ppxVFdwV4DDtZm8vbQRvhxL8mE6wxNco.html');
  });

  it('reports nothing benign the narrative names: not the Lambda worker 34.234.236.212, not the ECS service assuming its roles', () => {
    expect(JSON.stringify(f.ips)).not.toContain('34.234.236.212');
    expect(f.timeline.filter((t: any) => t.src_ip === '34.234.236.212')).toEqual([]);
    expect(f.timeline.filter((t: any) => /AssumeRole/.test(t.summary))).toEqual([]);
    expect(f.entities.filter((e: any) => /ANONYMOUS/.test(e.value))).toEqual([]);
  });
});
