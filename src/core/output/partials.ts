/**
 * Partial outputs (`FILE.partial-PID`, a Parquet export's staging folder) are this process's own
 * creations, and only these are removed when it stops before renaming them into place: on an
 * error, on exit (including process.exit), and on SIGINT, SIGTERM and SIGHUP. The signal handlers
 * exist only while a partial output does; when no one else listens for the signal, it is raised
 * again after the clean-up so the process ends the way the signal means (exit 130 for Ctrl-C).
 */
import { rmSync } from 'node:fs';

const partials = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Removes every partial output still registered (synchronous: also runs from 'exit'). */
export function removePartials(): void {
  for (const p of partials) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      /* gone already, or not removable: nothing else to do at exit */
    }
  }
  partials.clear();
  uninstall();
}

function onSignal(signal: NodeJS.Signals): void {
  const others = process.listenerCount(signal) > 1;
  removePartials();
  if (!others) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removePartials);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', removePartials);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** `path` (file or folder) was created by this process and is not yet in place. */
export function trackPartial(path: string): void {
  partials.add(path);
  install();
}

/** `path` was renamed into place or removed: no longer ours to clean. */
export function untrackPartial(path: string): void {
  partials.delete(path);
  if (partials.size === 0) uninstall();
}
