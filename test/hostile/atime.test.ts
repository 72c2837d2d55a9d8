/**
 * Nothing dwell does may change an evidence file's bytes, modification time or access time
 * (issue 18, item 7). The file system here is mounted `relatime`: a read updates the access time
 * only when it is older than the modification time or a day old, so each file's access time is
 * first set far in the past (where any read would move it), then every command is run and the
 * times are compared to the nanosecond.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvidence, openEvidenceReadOnly, readEvidenceRange } from '../../src/core/evidence-read.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { dwellWithin } from './bounded-cli.js';

interface Snapshot {
  sha256: string;
  atimeNs: bigint;
  mtimeNs: bigint;
}

/** Reads through a separate descriptor opened with O_NOATIME (as the test is root), so the check itself moves nothing. */
async function snapshot(path: string): Promise<Snapshot> {
  const st = statSync(path, { bigint: true });
  const sha256 = await hashEvidence(path);
  return { sha256, atimeNs: st.atimeNs, mtimeNs: st.mtimeNs };
}

function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => join(dir, f)).filter((p) => statSync(p).isFile()).sort();
}

const PAST = new Date('2001-02-03T04:05:06Z');
const MTIME = new Date('2002-03-04T05:06:07Z');

describe('evidence access times stay put under every command', () => {
  const tmp = tempDir('dwell-atime-');
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');
  let before: Map<string, Snapshot>;

  beforeAll(async () => {
    cpSync(join(ROOT, 'fixtures', 'auth'), ev, { recursive: true });
    for (const f of files(ev)) utimesSync(f, PAST, MTIME);
    before = new Map();
    for (const f of files(ev)) before.set(f, await snapshot(f));
  });
  afterAll(() => tmp.cleanup());

  const unchanged = async () => {
    for (const [f, snap] of before) expect(await snapshot(f), f).toEqual(snap);
  };

  // In order: each command works on the case the previous ones built.
  const commands: [string, () => string[]][] = [
    ['ingest', () => ['ingest', '--case', casePath, ev]],
    ['ingest --rehash', () => ['ingest', '--case', casePath, '--rehash', ev]],
    ['verify', () => ['verify', '--case', casePath]],
    ['sniff', () => ['sniff', ev]],
    ['correlate', () => ['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77']],
    ['export', () => ['export', '--case', casePath, '--what', 'timeline', '--format', 'csv', '-o', join(tmp.path, 'timeline.csv')]],
  ];
  for (const [name, args] of commands) {
    it(`dwell ${name} leaves every evidence file's bytes, mtime and atime unchanged`, async () => {
      const res = await dwellWithin(120_000, args());
      expect(res.timedOut).toBe(false);
      expect(res.stderr).not.toMatch(/^error:/m);
      await unchanged();
    });
  }
});

describe('openEvidenceReadOnly where O_NOATIME is not available', () => {
  const tmp = tempDir('dwell-atime-');
  afterAll(() => tmp.cleanup());

  it('puts the access time back after reading when the modification time allows it exactly', async () => {
    const f = join(tmp.path, 'exact.log');
    writeFileSync(f, 'x'.repeat(10_000));
    utimesSync(f, PAST, MTIME); // whole seconds: exactly representable
    const before = statSync(f, { bigint: true });
    await hashEvidence(f, { noatime: false });
    const range = await readEvidenceRange(f, 10, 5, { noatime: false });
    expect(range.toString()).toBe('xxxxx');
    const after = statSync(f, { bigint: true });
    expect(after.atimeNs).toBe(before.atimeNs);
    expect(after.mtimeNs).toBe(before.mtimeNs);
  });

  it('never rewrites a modification time it cannot set back to the nanosecond (the access time is left as the OS set it)', async () => {
    const f = join(tmp.path, 'nanos.log');
    writeFileSync(f, 'y'.repeat(10_000));
    execFileSync('touch', ['-a', '-d', '2001-02-03 04:05:06.000000000 UTC', f]);
    execFileSync('touch', ['-m', '-d', '2002-03-04 05:06:07.123456789 UTC', f]);
    const before = statSync(f, { bigint: true });
    expect(before.mtimeNs % 1000n).toBe(789n);
    const ev = await openEvidenceReadOnly(f, { noatime: false });
    for await (const chunk of ev.stream()) void chunk;
    await ev.close();
    const after = statSync(f, { bigint: true });
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.atimeNs).not.toBe(before.atimeNs); // relatime moved it; nothing could be done safely
  });

  it('hashes exactly the bytes of the file', async () => {
    const f = join(tmp.path, 'same.log');
    writeFileSync(f, 'abc\n'.repeat(1000));
    expect(await hashEvidence(f)).toBe(createHash('sha256').update(readFileSync(f)).digest('hex'));
  });
});
