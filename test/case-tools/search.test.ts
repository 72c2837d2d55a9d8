/**
 * dwell search end to end on a small case: a known line found with its file and line, in every
 * output; the export's filters; relative times left out unless asked for (and said so); paging;
 * exit codes. (On a terminal, the escaping of evidence around the highlight: test/hostile/case-tools.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { FIXTURES, fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

interface Match {
  event_id: number;
  ts: string;
  host: string | null;
  evidence_file: string;
  line: number;
  raw: string;
  summary: string;
  matched_in: 'summary' | 'raw';
  time_quality: string;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const json = (s: string) => lines(s).map((l) => JSON.parse(l) as Match);

describe('dwell search', () => {
  const tmp = tempDir('dwell-search-');
  const casePath = join(tmp.path, 'case.duckdb');
  const search = (...args: string[]) => dwell(['search', '--case', casePath, ...args]);
  beforeAll(() => fixtureCase(casePath));
  afterAll(() => tmp.cleanup());

  it('finds a known line with its evidence file and line, any case, in JSON lines when not on a terminal', async () => {
    const r = await search('accepted PASSWORD');
    expect(r.code, r.stderr).toBe(0);
    const m = json(r.stdout);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ host: 'web-01', line: 9, matched_in: 'raw', ts: '2026-01-02T02:16:40.000000Z' });
    expect(m[0]!.evidence_file).toMatch(/fixtures\/case-tools\/evidence\/web-01\/auth\.log$/);
    // The line really is at that place in the file.
    expect(readFileSync(join(FIXTURES, 'web-01', 'auth.log'), 'utf8').split('\n')[8]).toBe(m[0]!.raw);
    expect(r.stderr).toBe('');
  });

  it('the table: time, host, source, the matching text, file:line', async () => {
    const r = await search('--table', 'stage2.sh');
    expect(r.code, r.stderr).toBe(0);
    const [head, row, ...rest] = lines(r.stdout);
    expect(rest).toEqual([]);
    expect(head).toMatch(/^time \(UTC\) +host +source +match +evidence$/);
    expect(row).toMatch(/^2026-01-02 02:18:02 +web-01 +auth_log +sudo .*stage2\.sh.* +\S*fixtures\/case-tools\/evidence\/web-01\/auth\.log:11$/);
  });

  it('--case-sensitive and --regex (RE2) narrow it; a bad expression is an error, exit 2', async () => {
    expect((await search('--case-sensitive', 'accepted password')).code).toBe(1);
    const re = await search('--regex', 'Accepted (password|publickey) for \\w+');
    expect(json(re.stdout).map((m) => m.line)).toEqual([9, 14]);
    const bad = await search('--regex', 'port (5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --regex "port \(5" is not a valid RE2 expression: missing \)/);
  });

  it('takes the export’s filters', async () => {
    const all = json((await search('203.0.113.77')).stdout);
    expect(all.length).toBeGreaterThan(5);
    const late = json((await search('203.0.113.77', '--from', '2026-01-02T02:16:00Z')).stdout);
    expect(late.map((m) => m.line)).toEqual([9]);
    expect((await search('203.0.113.77', '--host', 'db-01')).code).toBe(1);
    const byIp = json((await search('stage2', '--ip', '203.0.113.77')).stdout);
    expect(byIp).toEqual([]);
    const bad = await search('x', '--from', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not an ISO 8601 time/);
  });

  it('leaves out relative times unless --include-relative, and says so when that hides every match', async () => {
    const plain = json((await search('198.51.100.7')).stdout);
    expect(plain.map((m) => m.time_quality)).toEqual(['zone_assumed', 'exact']);
    const all = json((await search('198.51.100.7', '--include-relative')).stdout);
    expect(all.map((m) => m.time_quality).sort()).toEqual(['exact', 'relative', 'relative', 'zone_assumed']);
    const hidden = await search('Cb1b2c3d4e5f6a7b8');
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toMatch(/^no match\nnote: 1 match\(es\) among events whose time is relative or implausible, left out by default: --include-relative shows them\n$/);
  });

  it('--count counts; exit 1 when nothing matches', async () => {
    const n = await search('--count', '203.0.113.77');
    expect(n.code).toBe(0);
    expect(Number(n.stdout)).toBe(json((await search('203.0.113.77', '--limit', '0')).stdout).length);
    const none = await search('--count', 'no-such-text-anywhere');
    expect([none.code, none.stdout]).toEqual([1, '0\n']);
  });

  it('pages: --limit and --offset, the next page named on stderr', async () => {
    const every = json((await search('203.0.113.77', '--limit', '0')).stdout).map((m) => m.event_id);
    const p1 = await search('203.0.113.77', '--limit', '3');
    expect(p1.stderr).toBe(`matches 1–3 shown; more: --offset 3 · --limit 0 shows all · --count counts them\n`);
    const p2 = await search('203.0.113.77', '--limit', '3', '--offset', '3');
    const rest = await search('203.0.113.77', '--limit', '100', '--offset', '6');
    expect([...json(p1.stdout), ...json(p2.stdout), ...json(rest.stdout)].map((m) => m.event_id)).toEqual(every);
    const after = await search('203.0.113.77', '--offset', String(every.length));
    expect([after.code, after.stderr]).toEqual([1, `no more matches after ${every.length}\n`]);
  });

  it('CSV with a header and the same fields; -o writes a file, never inside the evidence', async () => {
    const r = await search('--csv', 'accepted password');
    const [header, row] = r.stdout.split('\r\n');
    expect(header!.split(',')).toEqual(expect.arrayContaining(['event_id', 'ts', 'evidence_file', 'line', 'raw', 'matched_in']));
    expect(row).toContain('Accepted password for deploy');
    const out = join(tmp.path, 'hits.jsonl');
    const f = await search('accepted password', '-o', out);
    expect(f.code, f.stderr).toBe(0);
    expect(json(readFileSync(out, 'utf8'))[0]!.line).toBe(9);
    const inside = join(FIXTURES, 'web-01', 'hits.jsonl');
    const refused = await search('accepted password', '-o', inside);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to write .*hits\.jsonl: it is inside/);
    expect(existsSync(inside)).toBe(false);
  });
});
