/**
 * The SQL prompt's history (`dwell sql` and the TUI's `:`), one statement per line, newest last:
 * `$DWELL_HISTORY` when set (empty: no history file), else `$XDG_STATE_HOME/dwell/history` when
 * XDG_STATE_HOME is set, else `~/.dwell_history`. Queries name hosts, users and addresses of the
 * case, so the file is private to its owner (0600, like a shell's). It is written like every other
 * output of dwell: through the case's output guard (never inside the evidence, never the case),
 * as a partial file renamed into place.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { partialPath, placeFile } from '../core/output/atomic.js';
import type { OutputGuard } from '../core/output/guard.js';
import { trackPartial, untrackPartial } from '../core/output/partials.js';

/** Entries kept. */
export const HISTORY_SIZE = 1000;

export function historyPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.DWELL_HISTORY !== undefined) return env.DWELL_HISTORY === '' ? null : env.DWELL_HISTORY;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'dwell', 'history');
  return join(homedir(), '.dwell_history');
}

/** Entries newest last; none when the file is missing or unreadable. */
export function loadHistory(path: string | null): string[] {
  if (!path) return [];
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Replaces the history file with `entries` (newest last). Throws OutputError when the guard refuses the path. */
export function saveHistory(path: string, entries: readonly string[], guard: OutputGuard): void {
  // The folder (e.g. $XDG_STATE_HOME/dwell) is checked before it is created, the file once it can be.
  mkdirSync(guard.checkDirectory(dirname(resolve(path))), { recursive: true, mode: 0o700 });
  const abs = guard.checkFile(path);
  const partial = partialPath(abs);
  // 'wx': a file already under the partial's name (planted, or left over) is an error, never
  // written through — and never removed, since this process did not create it.
  const fd = openSync(partial, 'wx', 0o600);
  trackPartial(partial);
  let open = true;
  try {
    writeFileSync(fd, entries.slice(-HISTORY_SIZE).map((e) => e.replace(/[\r\n]+/g, ' ')).join('\n') + '\n');
    closeSync(fd);
    open = false;
    chmodSync(partial, 0o600);
    placeFile(partial, abs);
  } catch (err) {
    if (open) closeSync(fd);
    rmSync(partial, { force: true });
    throw err;
  } finally {
    untrackPartial(partial);
  }
}
