/**
 * Ctrl-C and SIGTERM during a long command: the first asks the work to stop at its next safe
 * point (an AbortSignal whose reason is the signal's name); a second one exits at once. Exiting at
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

export function interruptOnSignals(say: (text: string) => void, firstMessage: string, secondMessage: string): Interruptible {
  const controller = new AbortController();
  const handler = (sig: StopSignal) => {
    if (!controller.signal.aborted) {
      say(`\n${sig === 'SIGINT' ? 'Ctrl-C' : sig}: ${firstMessage}\n`);
      controller.abort(sig);
      return;
    }
    say(`\n${sig === 'SIGINT' ? 'Ctrl-C' : sig} again: ${secondMessage}\n`);
    process.exit(signalExitCode(sig));
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
