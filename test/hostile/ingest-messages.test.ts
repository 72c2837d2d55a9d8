/**
 * What ingest prints: the summary comes last; files no parser recognized are one counted line
 * (listed with --verbose, always in --json); the exit status depends on how the case holds the
 * files, so re-running over the same state exits the same way.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const AUTH = join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1');

describe('ingest output with many unrecognized files', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');
  let first: Awaited<ReturnType<typeof dwell>>;

  beforeAll(async () => {
    mkdirSync(ev);
    copyFileSync(AUTH, join(ev, 'auth.log'));
    for (let i = 0; i < 12; i++) writeFileSync(join(ev, `notes-${String(i).padStart(2, '0')}.txt`), `Meeting notes ${i}\nThe quick brown fox jumps over the lazy dog.\n`);
    first = await dwell(['ingest', '-q', '--case', casePath, ev]);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('prints the summary last, after every diagnostic', () => {
    const all = (first.stdout + first.stderr).trimEnd().split('\n');
    expect(first.stdout.trimEnd().split('\n').at(-1)).toMatch(/^13 file\(s\) \(1 ingested, 12 unrecognized\), 16 events/);
    // stderr was written before stdout's last line: nothing follows the summary.
    expect(first.stderr).not.toMatch(/file\(s\) \(/);
    expect(all.length).toBeLessThan(12);
  });

  it('counts the unrecognized files in one line instead of a block each', () => {
    expect(first.stderr.match(/notes-\d\d\.txt/g)).toBeNull();
    expect(first.stderr).toMatch(/^note: 12 file\(s\) not recognized by any parser .*--verbose lists them/m);
    expect(first.stdout).not.toMatch(/notes-/);
    expect(first.code).toBe(3);
  });

  it('lists them with --verbose, and always in --json', async () => {
    const verbose = await dwell(['ingest', '-q', '--verbose', '--case', casePath, ev]);
    expect(verbose.stderr.match(/unrecognized: .*notes-\d\d\.txt/g)).toHaveLength(12);
    const json = await dwell(['ingest', '--json', '--case', casePath, ev]);
    const report = JSON.parse(json.stdout) as { files: { path: string; status: string; heldAs: string }[] };
    expect(report.files.filter((f) => f.heldAs === 'unrecognized')).toHaveLength(12);
  });

  it('exits 3 again when a re-run skips the same unrecognized files', async () => {
    const again = await dwell(['ingest', '-q', '--case', casePath, ev]);
    expect(again.stdout).toMatch(/13 already ingested/);
    expect(again.code).toBe(3);
  });
});

describe('exit status of a re-run over a partly read file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('exits 1 on every run while the case holds the file only in part', { timeout: 120_000 }, async () => {
    const ev = join(tmp.path, 'evidence');
    mkdirSync(ev);
    const gz = gzipSync(Buffer.from('Jan  2 02:16:40 web-01 sshd[21231]: Accepted password for deploy from 203.0.113.77 port 39188 ssh2\n'.repeat(4000)));
    writeFileSync(join(ev, 'truncated.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const casePath = join(tmp.path, 'case.duckdb');
    const runs = [await dwell(['ingest', '-q', '--case', casePath, ev]), await dwell(['ingest', '-q', '--case', casePath, ev])];
    expect(runs.map((r) => r.code)).toEqual([1, 1]);
    expect(runs[1]!.stderr).toMatch(/cannot fully ingest .*truncated\.log\.gz/);
  });
});
