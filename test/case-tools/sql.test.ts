/**
 * dwell sql end to end on a small case: a query prints a table (or JSON lines, CSV, a file); a
 * write is refused in words and the case is unchanged; `view` follows the export's filters; the
 * documented views are there even on a case made before them; the prompt reads statements over
 * several lines, dot commands, keeps a private history, and Ctrl-C cancels a running query — from
 * a pipe (a signal) and on a terminal (a key). Files and escapes: test/hostile/case-tools.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaseDb } from '../../src/store/case-db.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';
import { fileState, fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const hasScript = spawnSync('script', ['--version']).status === 0;
/** A query that runs until it is cancelled (hours on any machine). */
const LONG = 'SELECT sum(hash(i)) FROM range(100000000000) t(i)';

function until(pred: () => boolean, what: string, ms = 60_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (pred()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - start > ms) {
        clearInterval(t);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 25);
  });
}

/** dwell with standard input and output as pipes, driven step by step. */
function driven(args: string[], opts: { env?: Record<string, string>; terminal?: boolean } = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...opts.env };
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // On a terminal: util-linux `script` gives dwell a pseudo-terminal and passes our keys to it.
  const child = opts.terminal
    ? spawn('script', ['-qec', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], { cwd: ROOT, env: { ...env, COLUMNS: '120', LINES: '40' } })
    : spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  const io = { out: '', err: '', code: null as number | null, signal: null as NodeJS.Signals | null, done: false };
  child.stdout!.on('data', (d) => (io.out += d));
  child.stderr!.on('data', (d) => (io.err += d));
  const closed = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      Object.assign(io, { code, signal, done: true });
      resolve();
    }),
  );
  return { child, io, closed, send: (s: string) => child.stdin!.write(s) };
}

describe('dwell sql', () => {
  const tmp = tempDir('dwell-sql-');
  const casePath = join(tmp.path, 'case.duckdb');
  const sql = (...args: string[]) => dwell(['sql', '--case', casePath, ...args]);
  beforeAll(() => fixtureCase(casePath));
  afterAll(() => tmp.cleanup());

  it('runs a query: a table with the row count; JSON lines and CSV on request', async () => {
    const t = await sql('SELECT source, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC');
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toBe(['source       n', 'auth_log    14', 'cloudtrail   5', 'zeek         3', '(3 rows)', ''].join('\n'));
    expect((await sql('SELECT count(*) AS n FROM events')).stdout).toBe(' n\n22\n(1 row)\n');
    const j = await sql('--json', 'SELECT event_id, ts, attrs FROM events WHERE line = 9 AND source = $$auth_log$$');
    expect(JSON.parse(j.stdout)).toEqual({ event_id: 8589934600, ts: '2026-01-02 02:16:40', attrs: { method: 'password', ssh_protocol: 'ssh2', program: 'sshd', pid: 21231 } });
    const c = await sql('--csv', "SELECT '=1+1' AS f, 2 AS n");
    expect(c.stdout).toBe("f,n\r\n'=1+1,2\r\n");
  });

  it('runs several statements in order, and stops at the first error (exit 2); a syntax error anywhere runs none', async () => {
    const r = await sql("SET VARIABLE h = 'web-01'; SELECT count(*) AS n FROM events WHERE host = getvariable('h'); SELECT * FROM no_such_table; SELECT 3 AS never");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(' n\n14\n(1 row)\n');
    expect(r.stderr).toMatch(/^error: Catalog Error: Table with name no_such_table does not exist/);
    const syntax = await sql('SELECT 1 AS ran; SELEC 2');
    expect([syntax.code, syntax.stdout]).toEqual([2, '']);
    expect(syntax.stderr).toMatch(/^error: Parser Error: syntax error at or near "SELEC"\n/);
  });

  it('refuses a write with a clear error and leaves the case unchanged', async () => {
    const before = fileState(casePath);
    const del = await sql('DELETE FROM events');
    expect(del.code).toBe(2);
    expect(del.stdout).toBe('');
    expect(del.stderr).toMatch(/^error: the case is read-only here: DELETE is not run, and the case is unchanged\n reason: dwell sql opens the case read-only.*\n help: .*CREATE TEMP TABLE/);
    for (const q of ["INSERT INTO annotations VALUES (9, 1, 'mark', NULL, 'x', now())", "UPDATE evidence SET sha256 = 'x'", 'DROP TABLE events', 'CREATE TABLE t (a INT)', 'CHECKPOINT; VACUUM; DELETE FROM parse_warnings']) {
      const r = await sql(q);
      expect(r.code, q).toBe(2);
      expect(r.stderr, q).toMatch(/^error: the case is read-only here/);
    }
    expect(fileState(casePath)).toEqual(before);
    expect(existsSync(`${casePath}.wal`)).toBe(false);
    expect((await sql('SELECT count(*) AS n FROM events')).stdout).toContain('\n22\n');
  });

  it('session-only state works: temp tables, views, macros, variables', async () => {
    const r = await sql("CREATE TEMP TABLE hits AS SELECT * FROM events WHERE raw ILIKE '%203.0.113.77%'; CREATE TEMP MACRO first_word(s) AS split_part(s, ' ', 1); SELECT first_word(summary) AS w, count(*) AS n FROM hits GROUP BY ALL ORDER BY n DESC, w LIMIT 2", '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).length).toBe(2);
  });

  it('`view` is the events of the export’s filters, without relative times unless --include-relative', async () => {
    const n = async (...args: string[]) => JSON.parse((await sql('--json', 'SELECT count(*) AS n FROM view', ...args)).stdout).n as number;
    expect(await n()).toBe(20);
    expect(await n('--include-relative')).toBe(22);
    expect(await n('--host', 'web-01')).toBe(14);
    expect(await n('--host', 'web-01', '--from', '2026-01-02T02:16:00Z', '--action', 'ssh_*')).toBe(4);
    expect(await n('--host', 'web-01', '--from', '2026-01-02T02:16:00Z', '--action', 'ssh_login')).toBe(2);
    expect(await n('--ip', '198.51.100.7', '--include-relative')).toBe(3);
    const bad = await sql('SELECT 1', '--phase', 'lunch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--phase "lunch" is not one of/);
  });

  it('the documented views are there, even on a case made before them (for this session only)', async () => {
    const keys = await sql('--json', 'SELECT issued_key, issued_by_call FROM cloud_key_chain ORDER BY issued_at');
    expect(lines(keys.stdout).map((l) => JSON.parse(l))).toEqual([
      { issued_key: 'ASIA4EXAMPLESAMLJDOE', issued_by_call: 'AssumeRoleWithSAML' },
      { issued_key: 'ASIA4EXAMPLEGSTOKEN4', issued_by_call: 'GetSessionToken' },
    ]);
    const old = join(tmp.path, 'old.duckdb');
    copyFileSync(casePath, old);
    const db = await CaseDb.open(old, { readOnly: false });
    // ensureSchema re-created the view on open: drop it again, as a case from before it has none.
    await db.run('DROP VIEW cloud_key_chain');
    db.close();
    const before = fileState(old);
    const r = await dwell(['sql', '--case', old, '--json', 'SELECT count(*) AS n FROM cloud_key_chain']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ n: 2 });
    expect(fileState(old)).toEqual(before);
  });

  it('writes a result to a file (-o, by extension or flag)', async () => {
    const out = join(tmp.path, 'hosts.csv');
    const r = await sql('SELECT host, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('host,n\r\nweb-01,14\r\n,8\r\n');
  });

  it('the prompt from a pipe: statements over lines, dot commands, errors reported and the rest run (exit 2)', async () => {
    const d = driven(['sql', '--case', casePath]);
    d.send('SELECT\n  count(*) AS n -- a ; in a comment\nFROM events\nWHERE host = \'web-01\';\n');
    d.send('.tables\n.schema parse_warnings\nDELETE FROM events;\n.mode json\nSELECT 1 AS one;\nSELECT 2 AS two\n');
    d.child.stdin!.end();
    await d.closed;
    expect(d.io.code).toBe(2);
    expect(d.io.out).toMatch(/^ n\n14\n\(1 row\)\n/);
    expect(d.io.out).toMatch(/^events +table +22 +the normalized timeline/m);
    expect(d.io.out).toMatch(/^cloud_key_chain +view /m);
    expect(d.io.out).toMatch(/^view +temp view /m);
    expect(d.io.out).toMatch(/^parse_warnings \(table\) — what could not be parsed, with file and line\n {2}evidence_id +INTEGER\n/m);
    expect(d.io.out).toMatch(/\{"one":1\}\n\{"two":2\}\n$/);
    expect(d.io.err).toMatch(/^error: the case is read-only here: DELETE/);
    expect(d.io.out).not.toContain('dwell>');
  });

  it('Ctrl-C (SIGINT) cancels the running query at the prompt and the session goes on', async () => {
    const d = driven(['sql', '--case', casePath]);
    d.send("SELECT 'ready' AS r;\n");
    await until(() => d.io.out.includes('ready'), 'the first result');
    d.send(`${LONG};\n`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.io.done).toBe(false);
    const sent = Date.now();
    d.child.kill('SIGINT');
    await until(() => d.io.err.includes('cancelled'), 'the cancellation');
    expect(Date.now() - sent).toBeLessThan(30_000);
    d.send("SELECT 'after' AS a;\n");
    d.child.stdin!.end();
    await d.closed;
    expect(d.io.code).toBe(0);
    expect(d.io.out).toContain('after');
    expect(d.io.err).toBe('cancelled\n');
  });

  it('Ctrl-C (SIGINT) cancels a query given on the command line: exit 130, the case unchanged', async () => {
    const before = fileState(casePath);
    const d = driven(['sql', '--case', casePath, `SELECT 'ready' AS r; ${LONG}`]);
    d.child.stdin!.end();
    await until(() => d.io.out.includes('ready'), 'the first result');
    await new Promise((r) => setTimeout(r, 1000));
    d.child.kill('SIGINT');
    await d.closed;
    expect([d.io.code, d.io.err]).toEqual([130, 'cancelled\n']);
    expect(fileState(casePath)).toEqual(before);
  });

  it.skipIf(!hasScript)('on a terminal: a prompt, a private history of whole statements, Ctrl-C cancels then leaves', async () => {
    const history = join(tmp.path, 'state', 'history');
    const d = driven(['sql', '--case', casePath], { terminal: true, env: { DWELL_HISTORY: history } });
    await until(() => d.io.out.includes('dwell> '), 'the prompt');
    d.send('SELECT 40 + 2 AS answer;\r');
    await until(() => /\b42\b/.test(d.io.out), 'the answer');
    d.send("SELECT\r  'two lines' AS m;\r");
    await until(() => d.io.out.includes('(1 row)') && d.io.out.split('(1 row)').length > 2, 'the second result');
    d.send(`${LONG};\r`);
    await new Promise((r) => setTimeout(r, 1500));
    d.send('\x03');
    await until(() => d.io.out.includes('cancelled'), 'the cancellation');
    d.send('\x03');
    await until(() => d.io.out.includes('Ctrl-C again to leave'), 'the hint');
    d.send('\x03');
    await d.closed;
    expect(d.io.code).toBe(0);
    expect(readFileSync(history, 'utf8')).toBe(`SELECT 40 + 2 AS answer;\nSELECT 'two lines' AS m;\n${LONG};\n`);
    expect(statSync(history).mode & 0o777).toBe(0o600);
  });
});

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}
