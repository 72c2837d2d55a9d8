/**
 * Ctrl-C and SIGTERM during a long command: the first asks the work to stop at its next safe
 * point (an AbortSignal whose reason is the signal's name); a second one, or the work not reaching
 * that point within FORCE_STOP_AFTER_MS, exits at once. Exiting at
 * once is as safe for a case as `kill -9`: DuckDB keeps only committed transactions, and the next
 * ingest marks the run interrupted and removes its staging files.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

/** Conventional exit status of a process stopped by a signal: 128 + its number. */
export function signalExitCode(reason: string): number {
  return reason === 'SIGTERM' ? 143 : 130;
}

export interface Interruptible {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * How long the work may take to reach its safe point after the first signal before the process
 * stops at once anyway (as a second Ctrl-C would). Reaching it takes a second or two (the batch
 * being loaded, a rollback); a stop that hangs must still end, and a responder must not have to
 * reach for `kill -9`.
 */
export const FORCE_STOP_AFTER_MS = 15_000;

/**
 * Ends the process now, by the signal itself (the shell sees 128 + its number: 129 SIGHUP, 130
 * SIGINT, 143 SIGTERM). Not process.exit(): Node's exit joins its thread pool, so it waits for a
 * DuckDB statement still running there (a checkpoint, a sort) to finish — measured: more than two
 * minutes — which is how a Ctrl-C "did not exit"; and a connection closed while its statement ran
 * leaves that thread deadlocked for good (how `dwell tui` outlived its terminal: the TUI's
 * case-handle.ts). Dying by the signal is as safe for the case as `kill -9`. Should the signal
 * have been ignored when dwell started, SIGKILL follows.
 */
export function exitBySignal(sig: NodeJS.Signals): void {
  for (const s of [...SIGNALS, sig]) process.removeAllListeners(s);
  process.kill(process.pid, sig);
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
}

export function interruptOnSignals(say: (text: string) => void, firstMessage: string, secondMessage: string, forceAfterMs = FORCE_STOP_AFTER_MS): Interruptible {
  const controller = new AbortController();
  const handler = (sig: StopSignal) => {
    const name = sig === 'SIGINT' ? 'Ctrl-C' : sig;
    if (!controller.signal.aborted) {
      say(`\n${name}: ${firstMessage}\n`);
      controller.abort(sig);
      const force = setTimeout(() => {
        say(`\n${name}: still stopping after ${Math.round(forceAfterMs / 1000)} s; ${secondMessage}\n`);
        exitBySignal(sig);
      }, forceAfterMs);
      // Not what keeps the process alive: a stop that ends in time exits as usual.
      force.unref();
      return;
    }
    say(`\n${name} again: ${secondMessage}\n`);
    exitBySignal(sig);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    // The bound stays once a stop began: what follows the work (the summary, closing the case)
    // must not hang either; it does not hold a process that is done.
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
