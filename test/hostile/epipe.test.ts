/**
 * `dwell … | head` (issue 18, item 11): when the reader of standard output goes away, every command
 * ends quietly — no Node stack trace, its own exit code (0 here) — and an export does not claim a
 * count it did not deliver. Output that cannot be written for another reason (a full disk) is an
 * error with exit 2, never a success. The reader here closes its end before dwell writes anything.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FORMATS } from '../../src/export/registry.js';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';
import { inLanes } from '../helpers/pool.js';
import { ATTACKER_IP, hostileCase, type HostileEvidence } from './corpus.js';

/** Many runs of the CLI one after the other: on a loaded 2-core machine each can take seconds. */
const LONG = 600_000;
vi.setConfig({ testTimeout: LONG, hookTimeout: LONG });

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs dwell with `stdout` as given: 'closed' = a pipe whose reader has already gone. */
function run(args: string[], stdout: 'closed' | number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'] });
    if (stdout === 'closed') child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const NODE_TRACE = /EPIPE|Error:|\n\s+at .+:\d+:\d+/;

describe('a reader that leaves ends every command quietly', () => {
  let tmp: { path: string; cleanup: () => void };
  let c: HostileEvidence & { casePath: string };

  beforeAll(async () => {
    tmp = tempDir('dwell-hostile-epipe-');
    c = await hostileCase(tmp.path);
  });
  afterAll(() => tmp?.cleanup());

  it('help, verify, sniff, ingest and correlate: exit 0, no stack trace', async () => {
    const commands: string[][] = [
      ['--help'],
      ['export', '--help'],
      ['verify', '--case', c.casePath],
      ['verify', '--case', c.casePath, '--json'],
      ['sniff', c.root],
      ['sniff', '--json', c.root],
      ['ingest', '--year', '2026', '-q', '--case', join(tmp.path, 'new.duckdb'), c.root],
      ['ingest', '--year', '2026', '--json', '--case', join(tmp.path, 'new2.duckdb'), c.root],
      ['correlate', '--case', c.casePath, '--seed', `ip:${ATTACKER_IP}`],
      ['correlate', '--case', c.casePath, '--seed', `ip:${ATTACKER_IP}`, '--json'],
    ];
    for (const args of commands) {
      const r = await run(args, 'closed');
      expect([r.code, r.signal], `${args.join(' ')}: ${r.stderr}`).toEqual([0, null]);
      expect(r.stderr, args.join(' ')).not.toMatch(NODE_TRACE);
    }
  });

  it('every export format to standard output: exit 0, no stack trace, no claim of what was exported', async () => {
    const pairs = FORMATS.filter((f) => f.target === 'file').flatMap((f) => f.whats.map((what) => [what, f.name] as const));
    // Exports only read the case: three at a time (test/helpers/pool.ts), checked in order.
    const runs = await inLanes(pairs, 3, ([what, format]) => run(['export', '--case', c.casePath, '--what', what, '--format', format], 'closed'));
    for (const [k, [what, format]] of pairs.entries()) {
      const r = runs[k]!;
      expect([r.code, r.signal], `${what} ${format}: ${r.stderr}`).toEqual([0, null]);
      expect(r.stderr, `${what} ${format}`).not.toMatch(NODE_TRACE);
      expect(r.stderr, `${what} ${format}`).not.toMatch(/exported/);
    }
  });

  it('dwell demo | head: exit 0, no stack trace (the smallest scenario; its ingest and correlate still complete)', async () => {
    const r = await run(['demo', '--scale', '0.05', '--dir', join(tmp.path, 'demo')], 'closed');
    expect([r.code, r.signal], r.stderr).toEqual([0, null]);
    expect(r.stderr).not.toMatch(NODE_TRACE);
  });

  it('output that cannot be written (a full disk) is an error with exit 2, not a success', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      let r = await run(['verify', '--case', c.casePath], full);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/error: cannot write standard output: .*ENOSPC|no space/i);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      r = await run(['export', '--case', c.casePath, '--what', 'timeline', '--format', 'jsonl'], full);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/exported/);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      closeSync(full);
    }
  });
});
