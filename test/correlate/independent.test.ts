/**
 * An attack written independently of the scenario generator (fixtures/independent/expected.json
 * says what and why): other hosts, names, tools and order of steps, and a database reached only
 * through a host whose address must be learned from the evidence. Found from the alert's seed with
 * no difference from its ground truth, and no trap reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { correlateJson, ingestCase } from '../helpers/attacks.js';
import { compareWithGroundTruth } from '../helpers/ground-truth.js';

const FIXTURE = join(ROOT, 'fixtures', 'independent');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8'));

describe('an attack written independently of the scenario generator', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let f: any;
  beforeAll(async () => {
    await ingestCase(casePath, [join(FIXTURE, 'evidence')]);
    const r = await correlateJson(casePath, ['--seed', `ip:${expected.seed.value}`]);
    expect(r.code, r.stderr).toBe(0);
    f = r.f;
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('finds its ground truth, and no trap', () => {
    expect(compareWithGroundTruth(f, expected)).toEqual([]);
  });

  it("learns app-7's address from the flows of logged connections, which is how the database session leads back", () => {
    expect(f.host_addresses).toContainEqual(expect.objectContaining({ host: 'app-7', ip: '10.20.1.7', how: 'inbound_flow' }));
    expect(new Set(f.db_queries.map((q: any) => q.application))).toEqual(new Set(['psql']));
    expect(f.db_queries.some((q: any) => /COPY public\.customers/.test(q.statement))).toBe(true);
  });
});
