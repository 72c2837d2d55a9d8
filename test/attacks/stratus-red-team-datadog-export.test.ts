/**
 * Stratus Red Team detonations exported from Datadog (NARRATIVE.md): one operator session at
 * 62.167.105.104 deletes a trail, reads 10 secrets, swaps an instance's user data and shares a
 * snapshot with account 012345678912. The Datadog export is not raw CloudTrail: it is read through
 * the CloudTrail variants layer (src/parsers/cloudtrail/variants).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { attackDir, correlateJson } from '../helpers/attacks.js';

const dir = attackDir('stratus-red-team-datadog-export');

describe.skipIf(!dir)('Stratus Red Team via Datadog: four techniques from one session', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  afterAll(() => tmp.cleanup());
  let f: any = null;
  const findings = async () => {
    if (f) return f;
    const files = readdirSync(dir!).filter((n) => n.endsWith('.json')).map((n) => join(dir!, n));
    const ing = await dwell(['ingest', '-q', '--case', casePath, ...files]);
    expect(ing.code, ing.stderr).toBe(0);
    const r = await correlateJson(casePath, ['--seed', 'ip:62.167.105.104']);
    expect(r.code, r.stderr).toBe(0);
    return (f = r.f);
  };

  it('follows the session through its three keys and all 15 events', async () => {
    const x = await findings();
    expect(x.timeline).toHaveLength(15);
    expect(x.entities.filter((e: any) => e.kind === 'access_key').map((e: any) => e.value).sort()).toEqual(['ASIAZ3MSJV4W3HFKBOMH', 'ASIAZ3MSJV4WRUQMZ2VP', 'ASIAZ3MSJV4WY7WYVLEU']);
  }, 300_000);

  it('says what it did: the trail deleted (a gap), 10 secrets read, the snapshot shared with 012345678912', async () => {
    const x = await findings();
    expect(x.gaps.some((g: any) => /DeleteTrail/.test(g.reason))).toBe(true);
    expect(x.compromised_data.filter((c: any) => c.kind === 'secret')).toHaveLength(10);
    expect(x.timeline.some((t: any) => /ModifySnapshotAttribute/.test(t.summary))).toBe(true);
    expect(x.answers.first_recon_at ?? x.answers.initial_access_at).not.toBeNull();
  }, 300_000);
});
