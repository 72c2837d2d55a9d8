/**
 * Bad input gets one clear message naming the file (and line where one applies); the other files
 * are still ingested; the exit code says some input failed; nothing already in the case is lost.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const GOOD = join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log');
const LINE = 'Jan  2 02:16:40 web-01 sshd[21231]: Accepted password for deploy from 203.0.113.77 port 39188 ssh2\n';

describe('dwell ingest with bad input', () => {
  const tmp = tempDir();
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');
  let res: Awaited<ReturnType<typeof dwell>>;
  let statuses: Map<string, { status: string; message: string | null; events: number; warnings: number }>;
  const isRoot = process.getuid?.() === 0;

  beforeAll(async () => {
    mkdirSync(ev);
    // Something already in the case, which must survive.
    mkdirSync(join(tmp.path, 'earlier'));
    copyFileSync(GOOD, join(tmp.path, 'earlier', 'auth.log'));
    expect((await dwell(['ingest', '-q', '--case', casePath, join(tmp.path, 'earlier')])).code).toBe(0);

    const rnd = Buffer.alloc(64 * 1024);
    for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(ev, 'garbage.bin'), rnd);
    writeFileSync(join(ev, 'invalid-utf8.log'), Buffer.concat([Buffer.from(LINE), Buffer.from('Jan  2 02:16:41 web-01 sshd[21231]: Invalid user \xff\xfe\xfd from 203.0.113.77\n', 'latin1'), Buffer.from(LINE)]));
    writeFileSync(join(ev, 'nul-bytes.log'), Buffer.concat([Buffer.from(LINE), Buffer.from('Jan  2 02:16:42 web-01 sshd[1]: Invalid user a\0b from 203.0.113.77\n'), Buffer.from(LINE)]));
    writeFileSync(join(ev, 'long-line.log'), LINE + 'Jan  2 02:16:43 web-01 kernel: ' + 'A'.repeat(10 * 1024 * 1024) + '\n' + LINE);
    const gz = gzipSync(Buffer.from(LINE.repeat(5000)));
    writeFileSync(join(ev, 'truncated.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    writeFileSync(join(ev, 'empty.log'), '');
    writeFileSync(join(ev, 'notes.txt'), 'Meeting notes\nThe quick brown fox jumps over the lazy dog.\n');
    writeFileSync(join(ev, 'unreadable.log'), LINE);
    chmodSync(join(ev, 'unreadable.log'), 0o000);
    copyFileSync(join(ROOT, 'fixtures', 'auth', 'web-01', 'auth.log.1'), join(ev, 'good.log'));
    res = await dwell(['ingest', '-q', '--case', casePath, ev, join(tmp.path, 'does-not-exist.log')]);
    const rows = await query<{ path: string; status: string; message: string | null; events: number; warnings: number }>(
      casePath,
      `SELECT path, status, message, events, warnings FROM evidence WHERE run_id = 2`,
    );
    statuses = new Map(rows.map((r) => [r.path.split('/').pop()!, r]));
  });
  afterAll(() => {
    chmodSync(join(ev, 'unreadable.log'), 0o600);
    tmp.cleanup();
  });

  it('exits non-zero because some input failed', () => {
    expect(res.code).toBe(1);
  });

  it('still ingests the good file', () => {
    expect(statuses.get('good.log')).toMatchObject({ status: 'ingested', events: 16, warnings: 0 });
  });

  it('keeps what was already in the case', async () => {
    const [{ n }] = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM events WHERE evidence_id = 1`);
    expect(n).toBeGreaterThan(30);
  });

  it('reports binary garbage and a non-log text file as unrecognized, naming them', () => {
    expect(statuses.get('garbage.bin')).toMatchObject({ status: 'unrecognized', message: expect.stringMatching(/binary/) });
    expect(statuses.get('notes.txt')).toMatchObject({ status: 'unrecognized' });
    // One counted line, not a block per file (test/hostile/ingest-messages.test.ts has the rest).
    expect(res.stderr).toMatch(/note: 3 file\(s\) not recognized/);
  });

  it('keeps lines with invalid UTF-8 and NUL bytes, with a warning naming the line', async () => {
    expect(statuses.get('invalid-utf8.log')).toMatchObject({ status: 'ingested', events: 3, warnings: 1 });
    const [w] = await query<{ line: number; reason: string }>(casePath, `SELECT line, reason FROM parse_warnings JOIN evidence USING (evidence_id) WHERE path LIKE '%invalid-utf8.log'`);
    expect(w).toMatchObject({ line: 2, reason: expect.stringMatching(/invalid UTF-8/) });
    expect(statuses.get('nul-bytes.log')).toMatchObject({ status: 'ingested', events: 3 });
    expect(res.stderr).toMatch(/invalid-utf8\.log:2/);
  });

  it('reads a 10 MB single line, cut for parsing, with its full length kept', async () => {
    expect(statuses.get('long-line.log')).toMatchObject({ status: 'ingested', events: 3, warnings: 1 });
    const [e] = await query<{ byte_length: number; n: number }>(casePath, `SELECT byte_length, length(raw) AS n FROM events JOIN evidence USING (evidence_id) WHERE path LIKE '%long-line.log' AND line = 2`);
    expect(e!.byte_length).toBe('Jan  2 02:16:43 web-01 kernel: '.length + 10 * 1024 * 1024);
    expect(e!.n).toBe(1 << 20);
  });

  it('keeps the events read from a truncated gzip and marks the file partial', () => {
    const s = statuses.get('truncated.log.gz')!;
    expect(s.status).toBe('partial');
    expect(s.message).toMatch(/truncated gzip/);
    expect(s.events).toBeGreaterThan(0);
    expect(res.stderr).toMatch(/truncated\.log\.gz/);
  });

  it('records an empty file as unrecognized (empty)', () => {
    expect(statuses.get('empty.log')).toMatchObject({ status: 'unrecognized', message: expect.stringMatching(/empty file/) });
  });

  it('reports a path that does not exist', () => {
    expect(statuses.get('does-not-exist.log')).toMatchObject({ status: 'failed', message: 'no such file or directory' });
    expect(res.stderr).toMatch(/does-not-exist\.log/);
  });

  it.skipIf(isRoot)('reports an unreadable file (skipped as root, who can read anything)', () => {
    expect(statuses.get('unreadable.log')).toMatchObject({ status: 'failed', message: expect.stringMatching(/permission denied/) });
  });

  it('never wrote next to the evidence', () => {
    const before = ['empty.log', 'garbage.bin', 'good.log', 'invalid-utf8.log', 'long-line.log', 'notes.txt', 'nul-bytes.log', 'truncated.log.gz', 'unreadable.log'];
    expect(readdirSync(ev).sort()).toEqual(before);
  });
});
