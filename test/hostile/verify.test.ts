/**
 * `dwell verify` against evidence that was swapped for something hostile (issue 18, item 8): a
 * named pipe at a recorded path must be reported without being opened (opening it waits for a
 * writer forever), and a read that stalls must time out instead of hanging the command.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceStallError, hashEvidence, hashStream, NotRegularFileError } from '../../src/core/evidence-read.js';
import { tempDir } from '../helpers/cli.js';
import { dwellWithin } from './bounded-cli.js';

const line = (user: string) => `Mar 11 19:26:39 web1 sshd[312]: Accepted password for ${user} from 203.0.113.9 port 50115 ssh2\n`;

describe('dwell verify when a recorded file was replaced by a named pipe', () => {
  const tmp = tempDir('dwell-verify-');
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');

  beforeAll(async () => {
    mkdirSync(ev);
    writeFileSync(join(ev, 'auth.log'), line('deploy'));
    writeFileSync(join(ev, 'secure'), line('admin'));
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
    expect(res.code).toBe(0);
    renameSync(join(ev, 'auth.log'), join(tmp.path, 'auth.log.moved'));
    execFileSync('mkfifo', [join(ev, 'auth.log')]);
  });
  afterAll(() => tmp.cleanup());

  it('reports it as changed, checks the other files, and exits 1 promptly', async () => {
    const res = await dwellWithin(20_000, ['verify', '--case', casePath]);
    expect(res.timedOut).toBe(false);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/CHANGED +#1 .*auth\.log +\(now a named pipe \(FIFO\), not a regular file: not read\)/);
    expect(res.stdout).toMatch(/OK +#2 .*secure/);
    expect(res.stdout).toMatch(/1 OK, 1 CHANGED, 0 MISSING/);
  });

  it('says so in JSON too', async () => {
    const res = await dwellWithin(20_000, ['verify', '--case', casePath, '--json']);
    const results = JSON.parse(res.stdout) as { state: string; detail: string | null }[];
    expect(results.map((r) => r.state)).toEqual(['CHANGED', 'OK']);
    expect(results[0]!.detail).toMatch(/named pipe/);
  });

  it('hashEvidence refuses the pipe without opening it', async () => {
    await expect(hashEvidence(join(ev, 'auth.log'))).rejects.toBeInstanceOf(NotRegularFileError);
  });
});

describe('hashing with a stall timeout', () => {
  it('gives up when no data arrives for the limit', async () => {
    const stalled = new PassThrough();
    stalled.write('some bytes, then nothing');
    const started = Date.now();
    await expect(hashStream(stalled, 200)).rejects.toBeInstanceOf(EvidenceStallError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stalled.destroyed).toBe(true);
  });

  it('does not give up on a slow stream that keeps making progress', async () => {
    const slow = new PassThrough();
    let n = 0;
    const timer = setInterval(() => (++n < 6 ? slow.write('x') : (clearInterval(timer), slow.end())), 60);
    const { sha256, bytes } = await hashStream(slow, 200);
    expect(bytes).toBe(5);
    expect(sha256).toBe(createHash('sha256').update('xxxxx').digest('hex'));
  });

  it('verify --timeout is documented in --help', async () => {
    const res = await dwellWithin(20_000, ['verify', '--help']);
    expect(res.stdout).toMatch(/--timeout <seconds>/);
  });
});
