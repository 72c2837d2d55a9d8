/**
 * A costly read-only fixture built once per test run and shared by the files that read it (each
 * file runs in its own worker). The first caller builds it in the run's shared folder
 * (test/setup/shared-dir.ts) under a lock — an exclusive mkdir — so that two workers asking at
 * once build it once; the others wait for the build's result, written whole then renamed.
 * Readers must not write into it: open cases read-only, or copy the case first
 * (copySharedCase). Without the global setup (a file run with another config), it is built in a
 * folder of its own.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

/** Longer than the slowest build (the demo) takes on the most loaded machine seen. */
const WAIT_MS = 840_000;

export async function sharedFixture<T>(name: string, build: (dir: string) => Promise<T>): Promise<{ dir: string; value: T }> {
  const root = inject('sharedDir') ?? mkdtempSync(join(tmpdir(), `dwell-${name}-`));
  const dir = join(root, name);
  const result = join(root, `${name}.result.json`);
  try {
    mkdirSync(join(root, `${name}.lock`));
  } catch {
    // Another worker builds it: wait for its result.
    const start = Date.now();
    while (!existsSync(result)) {
      if (Date.now() - start > WAIT_MS) throw new Error(`the shared fixture ${dir} was not built within ${WAIT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return { dir, value: JSON.parse(readFileSync(result, 'utf8')) as T };
  }
  mkdirSync(dir, { recursive: true });
  const value = await build(dir);
  writeFileSync(`${result}.tmp`, JSON.stringify(value));
  renameSync(`${result}.tmp`, result);
  return { dir, value };
}

/** A private, writable copy of a shared case (with its write-ahead log, if one was left). */
export function copySharedCase(from: string, to: string): string {
  copyFileSync(from, to);
  if (existsSync(`${from}.wal`)) copyFileSync(`${from}.wal`, `${to}.wal`);
  return to;
}
