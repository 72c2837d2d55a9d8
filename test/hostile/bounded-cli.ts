/**
 * The real CLI with a deadline: a hostile input that makes a command hang or loop must fail the
 * test, not the test run. The child is killed at the deadline and `timedOut` says so.
 */
import { spawn } from 'node:child_process';
import { BIN, ROOT } from '../helpers/cli.js';

export interface BoundedResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export function dwellWithin(ms: number, args: string[], opts: { cwd?: string } = {}): Promise<BoundedResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** C0 controls other than newline and tab, DEL and C1: what must never reach a terminal raw. */
export const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
