/** A `dwell watch` child process for the tests: its JSON lines as they come, and waits with a timeout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, dwell, ROOT } from '../helpers/cli.js';

export interface WatchProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves once `pred` holds over the JSON lines so far; rejects after `ms`. */
  until(pred: (lines: Record<string, unknown>[]) => boolean, ms?: number, what?: string): Promise<void>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startWatch(args: string[], cwd: string): Promise<WatchProcess> {
  const child = spawn(process.execPath, [BIN, 'watch', '--json', '--poll', '100', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const lines: Record<string, unknown>[] = [];
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    poke();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    poke();
  });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const w: WatchProcess = {
    child,
    lines,
    stderr: () => err,
    until(pred, ms = 15_000, what = 'condition') {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; lines: ${JSON.stringify(lines.map((l) => (l as { matched?: string; type?: string; message?: string }).matched ?? (l as { message?: string }).message ?? l))}; stderr: ${err.slice(-2000)}`)), ms);
        const check = () => {
          if (pred(lines)) {
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`watch exited (${child.exitCode}) before ${what}: ${err.slice(-2000)}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
  // Ready once it says what it watches.
  await new Promise<void>((resolve, reject) => {
    // Generous: on a loaded machine the start (DuckDB open, rules tried once) can take a while.
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a watcher holding the case for the next test
      reject(new Error(`watch did not start: ${err}`));
    }, 60_000);
    const check = () => {
      if (/watching /.test(err)) {
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`watch exited at start (${child.exitCode}): ${err}`));
      } else waiters.push(check);
    };
    check();
  });
  return w;
}

export const alerts = (lines: Record<string, unknown>[]) => lines.filter((l) => 'alert_id' in l) as unknown as { alert_id: number; severity: string; matched: string; event: { event_id: number; summary: string; src_ip: string | null }; evidence: { file: string; line: number } }[];

/**
 * A small case: web-01's auth.log (fixtures/auth) ingested from `dir/live`, correlated from the
 * attacker's address with a containment time, so the watch list holds the address, the accounts,
 * the back doors and the rules that fired.
 */
export async function smallCase(dir: string): Promise<{ live: string; casePath: string }> {
  const live = join(dir, 'live');
  mkdirSync(live, { recursive: true });
  copyFileSync(join(ROOT, 'fixtures/auth/web-01/auth.log'), join(live, 'auth.log'));
  const casePath = join(dir, 'case.duckdb');
  const ing = await dwell(['ingest', '--case', casePath, '-q', '--no-index', live]);
  if (ing.code !== 0 && ing.code !== 1) throw new Error(`ingest failed: ${ing.stderr}`);
  const cor = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--contained-at', '2026-01-05T00:00:00Z', '--json']);
  if (cor.code !== 0) throw new Error(`correlate failed: ${cor.stderr}`);
  return { live, casePath };
}

/** A syslog line for now (year-less, as sshd writes it). */
export function sshLine(message: string, pid: number): string {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const time = d.toISOString().slice(11, 19);
  return `${mon} ${day} ${time} web-01 sshd[${pid}]: ${message}\n`;
}
