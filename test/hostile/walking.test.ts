/**
 * Evidence walking (issue 18, items 4 and 8): the case never lands inside the evidence, links out of
 * the evidence are not followed unless asked, loops end, pipes are never opened. Every input is
 * built here; each test runs the real CLI with a deadline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { dwellWithin } from './bounded-cli.js';

const line = (user: string, sec = 39) => `Mar 11 19:26:${sec} web1 sshd[312]: Accepted password for ${user} from 203.0.113.9 port 50115 ssh2\n`;

/** Every name under a folder, recursively, without following links (what exists, not what it points to). */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

function evidenceFolder(root: string): string {
  const ev = join(root, 'evidence');
  mkdirSync(join(ev, 'web-01'), { recursive: true });
  writeFileSync(join(ev, 'web-01', 'auth.log'), line('deploy'));
  return ev;
}

describe('the case may never resolve inside the evidence', () => {
  const tmp = tempDir('dwell-walk-');
  afterAll(() => tmp.cleanup());

  it('refuses a case path whose folder is a symlink into the evidence, and creates nothing there', async () => {
    const ev = evidenceFolder(join(tmp.path, 'a'));
    mkdirSync(join(tmp.path, 'a', 'cases'));
    symlinkSync(ev, join(tmp.path, 'a', 'cases', 'link'));
    const before = listing(ev);
    const res = await dwellWithin(30_000, ['ingest', '--case', join(tmp.path, 'a', 'cases', 'link', 'case.duckdb'), ev]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/refusing to write the case inside the evidence: .*through a symbolic link/);
    expect(listing(ev)).toEqual(before);
  });

  it('refuses a case path that is a dangling symlink into the evidence (creating it would create its target)', async () => {
    const ev = evidenceFolder(join(tmp.path, 'b'));
    symlinkSync(join(ev, 'web-01', 'case.duckdb'), join(tmp.path, 'b', 'case.duckdb'));
    const before = listing(ev);
    const res = await dwellWithin(30_000, ['ingest', '--case', join(tmp.path, 'b', 'case.duckdb'), ev]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/refusing to write the case inside the evidence/);
    expect(listing(ev)).toEqual(before);
  });

  it('still accepts a case beside the evidence', async () => {
    const ev = evidenceFolder(join(tmp.path, 'c'));
    const res = await dwellWithin(30_000, ['ingest', '--case', join(tmp.path, 'c', 'case.duckdb'), ev]);
    expect(res.code).toBe(0);
  });
});

describe('symbolic links leading out of the evidence', () => {
  const tmp = tempDir('dwell-walk-');
  afterAll(() => tmp.cleanup());
  // Stands in for /etc/shadow: a file outside the evidence whose content must not enter the case.
  const outside = join(tmp.path, 'outside', 'shadow');
  mkdirSync(join(tmp.path, 'outside'));
  // Parseable, so that a followed link would put its content into the case as events.
  writeFileSync(outside, line('SECRET-HASH-MARKER') + 'root:$6$SECRET-HASH-MARKER:19000:0:99999:7:::\n');
  const ev = evidenceFolder(tmp.path);
  symlinkSync(outside, join(ev, 'web-01', 'secure'));
  symlinkSync(join(tmp.path, 'outside'), join(ev, 'etc'));
  // A link that stays inside the evidence is an ordinary part of it.
  symlinkSync('auth.log', join(ev, 'web-01', 'current'));

  const leaked = async (casePath: string) =>
    (
      await query<{ n: number }>(
        casePath,
        `SELECT ((SELECT count(*) FROM events WHERE raw LIKE '%SECRET-HASH-MARKER%') + (SELECT count(*) FROM parse_warnings WHERE raw LIKE '%SECRET-HASH-MARKER%'))::INTEGER AS n`,
      )
    )[0]!.n;

  it('are not followed by default: skipped with a message naming the target, nothing of it stored', async () => {
    const casePath = join(tmp.path, 'default.duckdb');
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/skipped .*evidence\/web-01\/secure\n reason: symbolic link to .*outside\/shadow, outside the evidence given: not followed \(--follow-symlinks/);
    expect(res.stderr).toMatch(/skipped .*evidence\/etc\n reason: symbolic link to .*outside, outside the evidence given/);
    const rows = await query<{ path: string; status: string; sha256: string | null; target: string | null }>(
      casePath,
      `SELECT path, status, sha256, info->>'symlink_target' AS target FROM evidence ORDER BY path`,
    );
    expect(rows.find((r) => r.path.endsWith('secure'))).toMatchObject({ status: 'skipped', sha256: null, target: outside });
    expect(await leaked(casePath)).toBe(0);
    // The link inside the evidence is the same file as auth.log: read once, the link recorded as such.
    expect(rows.filter((r) => r.status === 'ingested').map((r) => r.path)).toEqual([join(ev, 'web-01', 'auth.log')]);
    expect(rows.find((r) => r.path.endsWith('current'))).toMatchObject({ status: 'skipped', target: join(ev, 'web-01', 'auth.log') });
  });

  it('are refused when given as an argument too (evidence/* expands to the link itself)', async () => {
    const casePath = join(tmp.path, 'glob.duckdb');
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, join(ev, 'web-01', 'auth.log'), join(ev, 'web-01', 'secure')]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/secure\n reason: symbolic link to .*outside the evidence given/);
    expect(await leaked(casePath)).toBe(0);
  });

  it('are followed with --follow-symlinks, the real target recorded beside the link path', async () => {
    const casePath = join(tmp.path, 'follow.duckdb');
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, '--follow-symlinks', ev]);
    expect(res.stderr).not.toMatch(/outside the evidence given/);
    const rows = await query<{ path: string; status: string; sha256: string | null; target: string | null }>(
      casePath,
      `SELECT path, status, sha256, info->>'symlink_target' AS target FROM evidence ORDER BY path`,
    );
    // Walked first (etc < web-01): the file through the folder link, read, with its real place.
    const viaFolder = rows.find((r) => r.path === join(ev, 'etc', 'shadow'))!;
    expect(viaFolder).toMatchObject({ status: 'ingested', target: outside });
    expect(viaFolder.sha256).not.toBeNull();
    // The file link to the same file: recorded, not read twice.
    const secure = rows.find((r) => r.path === join(ev, 'web-01', 'secure'))!;
    expect(secure).toMatchObject({ status: 'skipped', target: outside });
    expect(await leaked(casePath)).toBeGreaterThan(0);
  });

  it('dwell sniff does not read them either', async () => {
    const res = await dwellWithin(30_000, ['sniff', join(ev, 'web-01')]);
    expect(res.stdout).toMatch(/skipped .*secure\n reason: symbolic link to .*outside the evidence given/);
    expect(res.stdout).not.toMatch(/SECRET/);
    const followed = await dwellWithin(30_000, ['sniff', '--follow-symlinks', join(ev, 'web-01')]);
    expect(followed.stdout).toMatch(/secure\n  → auth_log/);
  });
});

describe('loops and special files', () => {
  const tmp = tempDir('dwell-walk-');
  afterAll(() => tmp.cleanup());

  it('ends on symlink loops (ln -s . a; ln -s . b), each reported once', async () => {
    const ev = evidenceFolder(tmp.path);
    symlinkSync('.', join(ev, 'a'));
    symlinkSync('..', join(ev, 'web-01', 'up'));
    symlinkSync('.', join(ev, 'web-01', 'b'));
    symlinkSync('self', join(ev, 'web-01', 'self'));
    const casePath = join(tmp.path, 'loop.duckdb');
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
    expect(res.timedOut).toBe(false);
    expect(res.code).toBe(0);
    const rows = await query<{ path: string; status: string; message: string }>(casePath, `SELECT path, status, message FROM evidence ORDER BY path`);
    expect(rows.map((r) => [r.path.slice(r.path.indexOf('evidence')), r.status])).toEqual([
      ['evidence/a', 'skipped'],
      ['evidence/web-01/auth.log', 'ingested'],
      ['evidence/web-01/b', 'skipped'],
      ['evidence/web-01/self', 'skipped'],
      ['evidence/web-01/up', 'skipped'],
    ]);
    expect(rows[0]!.message).toMatch(/already walked as .*evidence \(a symbolic link loop/);
    expect(rows[3]!.message).toBe('symbolic link loop (-> self): not followed');
  });

  it('skips a named pipe in the evidence folder without opening it, and the ingest completes', async () => {
    const ev = evidenceFolder(join(tmp.path, 'fifo'));
    execFileSync('mkfifo', [join(ev, 'web-01', 'pipe')]);
    const casePath = join(tmp.path, 'fifo.duckdb');
    const res = await dwellWithin(60_000, ['ingest', '--case', casePath, ev]);
    expect(res.timedOut).toBe(false);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/skipped .*pipe\n reason: a named pipe \(FIFO\), not a regular file: not opened/);
    const rows = await query<{ status: string }>(casePath, `SELECT status FROM evidence ORDER BY path`);
    expect(rows.map((r) => r.status)).toEqual(['ingested', 'skipped']);
  });
});
