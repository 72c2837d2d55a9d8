/**
 * Closing the TUI's case while a query runs (a search on 10M events when the terminal closes) must
 * let the process end. Closing a DuckDB connection under its running statement deadlocks the
 * worker thread when the statement ends, and Node's exit, which joins that thread, then never
 * returns: `dwell tui` stayed an orphan for half an hour. Run in a child process (the built code,
 * as the CLI runs it), since the hang is the process's: the child must end on its own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';

const dist = (p: string) => pathToFileURL(join(ROOT, 'dist', p)).href;

/** A case with the schema and no events; a query on a lane that runs until interrupted (minutes uninterrupted); close() 300 ms in. */
const CHILD = `
import { CaseDb } from ${JSON.stringify(dist('store/case-db.js'))};
import { CaseHandle } from ${JSON.stringify(dist('tui/data/case-handle.js'))};
const path = process.argv[1];
(await CaseDb.open(path, { create: true })).close();
const h = await CaseHandle.open(path);
const slow = h.all('find', 'SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)').then(() => 'finished', (e) => 'rejected: ' + e.message);
await new Promise((r) => setTimeout(r, 300));
const closed = await h.close();
console.log(JSON.stringify({ closed, query: await slow, }));
`;

function runChild(casePath: string, limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number; killed: boolean }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, casePath], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0, killed });
    });
  });
}

describe('CaseHandle.close with a query running', () => {
  const tmp = tempDir('dwell-close-');
  afterAll(() => tmp.cleanup());

  it('interrupts the query, waits for it, closes, and the process ends by itself', async () => {
    const r = await runChild(join(tmp.path, 'case.duckdb'), 20_000);
    expect(r.killed, `the process did not end within 20 s; stdout: ${r.stdout} stderr: ${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { closed: boolean; query: string };
    expect(out.closed).toBe(true);
    expect(out.query).toMatch(/^rejected: .*interrupt/i);
  }, 30_000);
});
