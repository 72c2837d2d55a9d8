/**
 * File names are attacker-controlled bytes (issue 18, item 9): a newline, an escape sequence and
 * bytes that are not UTF-8 in a name must be ingested, stored so the file opens again, printed
 * escaped, and leave the case usable for every later ingest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayPath, fsPathOf, fsPathOfEvidence, pathInfo } from '../../src/core/evidence-path.js';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { dwellWithin, RAW_CONTROL } from './bounded-cli.js';

const line = (user: string) => `Mar 11 19:26:39 web1 sshd[312]: Accepted password for ${user} from 203.0.113.9 port 50115 ssh2\n`;

describe('the stored form of a file name', () => {
  it('is the name itself for UTF-8 (control characters included) and \\xNN for bytes that are not UTF-8', () => {
    expect(displayPath(Buffer.from('a\nb\x1b[31mc ü.log'))).toBe('a\nb\x1b[31mc ü.log');
    expect(displayPath(Buffer.from([0x62, 0xff, 0xfe, 0x2e, 0xc3, 0xbc, 0xe2, 0x82]))).toBe('b\\xff\\xfe.ü\\xe2\\x82');
    // Overlong and surrogate encodings are not UTF-8 either.
    expect(displayPath(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]))).toBe('\\xc0\\xaf\\xed\\xa0\\x80');
  });

  it('keeps the exact bytes of a name that is not UTF-8, and gives them back from the evidence row', () => {
    const bytes = Buffer.from([0x2f, 0x65, 0x76, 0x2f, 0xff, 0x0a, 0x1b]);
    const fsPath = fsPathOf(bytes);
    expect(Buffer.isBuffer(fsPath) && fsPath.equals(bytes)).toBe(true);
    const info = JSON.stringify(pathInfo(fsPath));
    const back = fsPathOfEvidence(displayPath(bytes), info);
    expect(Buffer.isBuffer(back) && back.equals(bytes)).toBe(true);
    expect(fsPathOfEvidence('/ev/plain.log', null)).toBe('/ev/plain.log');
    expect(pathInfo('/ev/new\nline')).toEqual({});
  });
});

describe('dwell on evidence whose file names hold a newline, an escape sequence and invalid UTF-8', () => {
  const tmp = tempDir('dwell-names-');
  const ev = join(tmp.path, 'evidence');
  const casePath = join(tmp.path, 'case.duckdb');
  const names: [Buffer, string][] = [
    [Buffer.from('new\nline.log'), 'newline'],
    [Buffer.from('esc\x1b[31mred\x1b]0;pwned\x07.log'), 'escape'],
    [Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('.log')]), 'invalid'],
  ];
  let first: Awaited<ReturnType<typeof dwellWithin>>;
  let second: Awaited<ReturnType<typeof dwellWithin>>;

  beforeAll(async () => {
    mkdirSync(ev);
    // Distinct content per file, so each is ingested (not a duplicate of another).
    for (const [name, user] of names) writeFileSync(Buffer.concat([Buffer.from(ev + '/'), name]), line(user));
    first = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
    writeFileSync(join(ev, 'later.log'), line('later'));
    second = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every file, and a later ingest into the same case still works', async () => {
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(second.stderr).not.toMatch(/error/);
    expect(second.code).toBe(0);
    const rows = await query<{ actor: string }>(casePath, `SELECT actor FROM events ORDER BY actor`);
    expect(rows.map((r) => r.actor)).toEqual(['escape', 'invalid', 'later', 'newline']);
    const runs = await query<{ status: string }>(casePath, `SELECT status FROM ingest_runs ORDER BY run_id`);
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  it('prints the names escaped: no raw control bytes, no replacement characters', () => {
    for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).not.toContain('\uFFFD');
      expect(out).not.toContain('new\nline');
    }
    expect(first.stdout).toContain('new\\nline.log');
    expect(first.stdout).toContain('esc\\x1b[31mred\\x1b]0;pwned\\x07.log');
    expect(first.stdout).toContain('bad\\xff\\xfe\\n.log');
  });

  it('stores each name losslessly, so dwell verify opens every file again', async () => {
    const rows = await query<{ path: string; hex: string | null }>(casePath, `SELECT path, info->>'abs_path_hex' AS hex FROM evidence ORDER BY evidence_id`);
    const invalid = rows.find((r) => r.path.includes('bad'))!;
    expect(Buffer.from(invalid.hex!, 'hex').equals(Buffer.concat([Buffer.from(ev + '/'), names[2]![0]]))).toBe(true);
    expect(rows.filter((r) => r.hex !== null)).toHaveLength(1);
    const res = await dwellWithin(30_000, ['verify', '--case', casePath]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/4 OK, 0 CHANGED, 0 MISSING/);
    expect(res.stdout).not.toMatch(RAW_CONTROL);
  });

  it('dwell sniff reads them and prints them escaped', async () => {
    const res = await dwellWithin(30_000, ['sniff', ev]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('bad\\xff\\xfe\\n.log\n  → auth_log');
    expect(res.stdout).not.toMatch(RAW_CONTROL);
    expect(res.stdout).not.toContain('\uFFFD');
  });
});
