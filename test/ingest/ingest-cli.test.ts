import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures', 'auth');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('dwell ingest on the auth fixtures', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  const files = ['web-01/auth.log', 'web-01/auth.log.1', 'web-01/auth.log.2.gz', 'db-01/secure'].map((f) => join(FIXTURES, f));
  let before: Map<string, { sha: string; mtimeMs: number }>;
  let first: Awaited<ReturnType<typeof dwell>>;

  beforeAll(async () => {
    before = new Map(files.map((f) => [f, { sha: sha(f), mtimeMs: statSync(f).mtimeMs }]));
    first = await dwell(['ingest', '--case', casePath, FIXTURES]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every fixture file and exits 0', async () => {
    expect(first.stderr).not.toMatch(/error:/);
    expect(first.code).toBe(0);
    const ev = await query<{ path: string; status: string; format: string; events: number }>(casePath, `SELECT path, status, format, events FROM evidence ORDER BY path`);
    expect(ev.map((e) => [e.status, e.format])).toEqual(files.map(() => ['ingested', 'auth_log']));
    const [{ n }] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    expect(n).toBe(ev.reduce((s, e) => s + e.events, 0));
    expect(first.stdout).toMatch(/auth_log/);
  });

  it('records the SHA-256 of each file as read and leaves the evidence byte-identical', async () => {
    const ev = await query<{ abs_path: string; sha256: string; size: number }>(casePath, 'SELECT abs_path, sha256, size FROM evidence');
    for (const e of ev) {
      expect(e.sha256).toBe(before.get(e.abs_path)!.sha);
      expect(sha(e.abs_path)).toBe(before.get(e.abs_path)!.sha);
      expect(statSync(e.abs_path).mtimeMs).toBe(before.get(e.abs_path)!.mtimeMs);
    }
  });

  it('leads every event back to its file, line and bytes', async () => {
    const rows = await query<{ abs_path: string; line: number; byte_offset: number; byte_length: number; raw: string }>(
      casePath,
      `SELECT v.abs_path, e.line, e.byte_offset, e.byte_length, e.raw FROM events e JOIN evidence v USING (evidence_id) WHERE v.compression = 'none' ORDER BY e.event_id`,
    );
    for (const r of rows) {
      const bytes = readFileSync(r.abs_path).subarray(r.byte_offset, r.byte_offset + r.byte_length).toString('utf8');
      expect(bytes).toBe(r.raw);
    }
  });

  it('builds the time-sorted timeline index the TUI pages from, covering every event', async () => {
    expect(first.stdout).toMatch(/timeline index of \d+ events built/);
    const [{ n, meta }] = await query<{ n: number; meta: number }>(casePath, 'SELECT (SELECT count(*) FROM events)::INTEGER AS n, (SELECT events FROM timeline_meta)::INTEGER AS meta');
    expect(meta).toBe(n);
    const ts = await query<{ ts: string }>(casePath, 'SELECT ts::VARCHAR AS ts FROM timeline');
    expect(ts.map((r) => r.ts)).toEqual(ts.map((r) => r.ts).sort());
  });

  it('is idempotent: a second run adds nothing', async () => {
    const [{ n: n1 }] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    const again = await dwell(['ingest', '--case', casePath, FIXTURES]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already_ingested/);
    const [{ n: n2 }] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    expect(n2).toBe(n1);
  });

  it('skips a copy of evidence already in the case by its SHA-256, and records it as a duplicate', async () => {
    const copy = join(tmp.path, 'copy-of-secure');
    copyFileSync(files[3]!, copy);
    const res = await dwell(['ingest', '--case', casePath, copy]);
    expect(res.code).toBe(0);
    const rows = await query<{ status: string; duplicate_of: number }>(casePath, `SELECT status, duplicate_of FROM evidence WHERE abs_path = $p`, { p: copy });
    expect(rows).toEqual([{ status: 'duplicate', duplicate_of: expect.any(Number) }]);
  });

  it('records the ingest run with its options and version', async () => {
    const runs = await query<{ status: string; tz: string; dwell_version: string }>(casePath, 'SELECT status, tz, dwell_version FROM ingest_runs ORDER BY run_id');
    expect(runs[0]).toEqual({ status: 'completed', tz: 'UTC', dwell_version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe('dwell verify', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  const evidence = join(tmp.path, 'evidence');
  afterAll(() => tmp.cleanup());

  it('reports OK, then catches a one-byte change and a missing file', async () => {
    cpSync(FIXTURES, evidence, { recursive: true });
    expect((await dwell(['ingest', '-q', '--case', casePath, evidence])).code).toBe(0);
    const ok = await dwell(['verify', '--case', casePath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/4 OK, 0 CHANGED, 0 MISSING/);

    const target = join(evidence, 'web-01', 'auth.log');
    const buf = readFileSync(target);
    buf[10] = buf[10]! ^ 1;
    writeFileSync(target, buf);
    unlinkSync(join(evidence, 'db-01', 'secure'));
    const bad = await dwell(['verify', '--case', casePath, '--json']);
    expect(bad.code).toBe(1);
    const results = JSON.parse(bad.stdout) as { path: string; state: string }[];
    expect(results.find((r) => r.path.endsWith('web-01/auth.log'))!.state).toBe('CHANGED');
    expect(results.find((r) => r.path.endsWith('secure'))!.state).toBe('MISSING');
    expect(results.filter((r) => r.state === 'OK')).toHaveLength(2);
  });
});

describe('dwell sniff', () => {
  it('says which parser claims a file and why', async () => {
    const res = await dwell(['sniff', join(FIXTURES, 'web-01', 'auth.log.2.gz'), join(ROOT, 'package.json')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/auth\.log\.2\.gz \(gzip\)\n {2}→ auth_log: .*syslog/);
    expect(res.stdout).toMatch(/package\.json\n {2}→ no parser claims it/);
  });
});

describe('year inference across a rotated set', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('moves an older rotated file back a year when its own mtime dated it after the newer one', async () => {
    const { mkdirSync, utimesSync } = await import('node:fs');
    const dir = join(tmp.path, 'log');
    mkdirSync(dir);
    // auth.log.1 ends on Dec 31, auth.log starts on Jan 1; both copied "on Dec 31 2026" (mtimes lost).
    writeFileSync(join(dir, 'auth.log'), 'Jan  1 00:00:01 h sshd[1]: Server listening on :: port 22.\n');
    writeFileSync(join(dir, 'auth.log.1'), 'Dec 31 23:00:00 h sshd[1]: Server listening on :: port 22.\n');
    const copied = new Date(Date.UTC(2026, 11, 31, 23, 30));
    for (const f of ['auth.log', 'auth.log.1']) utimesSync(join(dir, f), copied, copied);
    const casePath = join(tmp.path, 'c.duckdb');
    const res = await dwell(['ingest', '-q', '--case', casePath, dir]);
    expect(res.code).toBe(0);
    const rows = await query<{ path: string; ts: string }>(casePath, `SELECT v.path, strftime(e.ts, '%Y-%m-%d %H:%M') AS ts FROM events e JOIN evidence v USING (evidence_id) ORDER BY e.ts`);
    expect(rows.map((r) => r.ts)).toEqual(['2025-12-31 23:00', '2026-01-01 00:00']);
    expect(res.stderr).toMatch(/note: .*auth\.log\.1: year-inferred times moved back 1 year/);
  });
});

describe('dwell ingest --no-index', () => {
  it('stores the events without building the timeline index', async () => {
    const tmp = tempDir();
    try {
      const casePath = join(tmp.path, 'case.duckdb');
      const r = await dwell(['ingest', '--no-index', '--case', casePath, join(FIXTURES, 'db-01')]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/timeline index/);
      const t = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'timeline'`);
      expect(t[0]!.n).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });
});
