/**
 * A file already in the case (same path, size and mtime) is not read again, whether its evidence
 * row was there when the run began or was written earlier in the same run (the path given twice):
 * the ingest skips the lookup only for paths no evidence row can hold (priorPaths in pipeline.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { tempDir } from '../helpers/cli.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const rec = (i: number) => `2 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.${i} 198.51.100.7 49152 443 6 20 4249 1718530010 1718530070 ACCEPT OK`;

describe('files already in the case', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('are skipped on a second run and when given twice in one run', { timeout: 120_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    for (let f = 1; f <= 3; f++) writeFileSync(join(ev, `flows-${f}.log`), [HEADER, rec(f), rec(f + 10)].join('\n') + '\n');
    const casePath = join(tmp.path, 'case.duckdb');
    const first = await ingest({ casePath, inputs: [ev], tz: 'UTC', index: false });
    expect(first.files.map((f) => f.status)).toEqual(['ingested', 'ingested', 'ingested']);
    const again = await ingest({ casePath, inputs: [ev], tz: 'UTC', index: false });
    expect(again.files.map((f) => f.status)).toEqual(['already_ingested', 'already_ingested', 'already_ingested']);
    expect(again.events).toBe(0);

    const other = join(tmp.path, 'twice.duckdb');
    const file = join(ev, 'flows-2.log');
    const twice = await ingest({ casePath: other, inputs: [file, file], tz: 'UTC', index: false });
    const statuses = twice.files.map((f) => f.status);
    // The enumeration reports the repeated path (skipped); its content is stored once.
    expect(statuses.filter((s) => s === 'ingested')).toHaveLength(1);
    expect(twice.events).toBe(2);
  });
});
