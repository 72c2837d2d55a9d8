/**
 * At a larger scale the generator is still deterministic, and the attack is the same records:
 * every record of an attack-only run appears unchanged in the scaled output, and expected.json
 * does not move.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/scenario/generate.js';
import { tempDir } from '../helpers/cli.js';
import { EXPECTED_PATH, expected, familyOf, listFiles, records } from './helpers.js';

const SCALE = 4;

describe(`the generator at scale ${SCALE}`, () => {
  const tmp = tempDir('dwell-scenario-scale-');
  const seed = expected().generator.seed as number;
  const dirs = { a: join(tmp.path, 'a'), b: join(tmp.path, 'b'), attack: join(tmp.path, 'attack') };

  beforeAll(async () => {
    await generate({ out: join(dirs.a, 'evidence'), seed, scale: SCALE });
    await generate({ out: join(dirs.b, 'evidence'), seed, scale: SCALE });
    await generate({ out: join(dirs.attack, 'evidence'), seed, scale: 1, background: false });
  });
  afterAll(() => tmp.cleanup());

  it('writes the same bytes twice', () => {
    const hash = (dir: string) => listFiles(dir).map((rel) => `${rel} ${createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')}`);
    const a = hash(join(dirs.a, 'evidence'));
    expect(a.length).toBeGreaterThan(200);
    expect(hash(join(dirs.b, 'evidence'))).toEqual(a);
  });

  it('writes more background than at scale 1', () => {
    const n = (dir: string) => listFiles(dir).reduce((s, rel) => s + records(join(dir, rel), rel).length, 0);
    expect(n(join(dirs.a, 'evidence'))).toBeGreaterThan(2.5 * n(join(dirs.attack, 'evidence')));
  });

  it('does not change expected.json', () => {
    const fixture = readFileSync(EXPECTED_PATH, 'utf8');
    expect(readFileSync(join(dirs.a, 'expected.json'), 'utf8')).toBe(fixture);
    expect(readFileSync(join(dirs.attack, 'expected.json'), 'utf8')).toBe(fixture);
  });

  it('contains every attack record unchanged', () => {
    // Host logs keep their file (rotation is by time); S3 deliveries are grouped per interval, so
    // their records are compared whatever file they landed in.
    const bag = (dir: string) => {
      const m = new Map<string, number>();
      for (const rel of listFiles(dir)) {
        const fam = familyOf(rel);
        const where = fam === 'cloudtrail' || fam === 'vpc_flow' ? fam : rel;
        for (const r of records(join(dir, rel), rel)) {
          if (r.startsWith('#') || r.startsWith('version ')) continue;
          const k = `${where}\n${r}`;
          m.set(k, (m.get(k) ?? 0) + 1);
        }
      }
      return m;
    };
    const attack = bag(join(dirs.attack, 'evidence'));
    const scaled = bag(join(dirs.a, 'evidence'));
    const missing = [...attack].filter(([k, n]) => (scaled.get(k) ?? 0) < n).map(([k]) => k.slice(0, 200));
    expect(attack.size).toBeGreaterThan(2000);
    expect(missing).toEqual([]);
  });
});
