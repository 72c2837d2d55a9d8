/**
 * Stops a command's DuckDB work when its AbortSignal fires (Ctrl-C, SIGTERM: src/cli/interrupt.ts),
 * for commands whose work is many statements in a row (correlate, hunt). An interrupt only stops
 * the statement running at that moment — one that lands between two statements is lost, and some
 * steps record a failed statement and go on (a rule that fails is reported, the others run) — so
 * the connections are interrupted again every RETRY_MS until the work reaches its next check(),
 * which throws Interrupted. From then on nothing is interrupted: the unwinding's ROLLBACKs and the
 * clean-up of what the run wrote must run whole.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(`interrupted (${reason})`);
  }
}

const RETRY_MS = 100;

export class QueryStopper {
  private timer: NodeJS.Timeout | null = null;
  private held = false;
  private readonly onAbort = () => {
    if (this.held) return;
    const interruptAll = () => {
      for (const c of this.conns) c.interrupt();
    };
    interruptAll();
    this.timer = setInterval(interruptAll, RETRY_MS);
  };

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly conns: DuckDBConnection[],
  ) {
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Throws Interrupted once the signal fired (and stops interrupting: the caller unwinds now). */
  check(): void {
    if (!this.signal?.aborted) return;
    this.hold();
    throw new Interrupted(typeof this.signal.reason === 'string' ? this.signal.reason : 'interrupted');
  }

  /**
   * No interrupts from now on: for work that must end whole once begun (storing the findings, a
   * clean-up). A signal after this is seen by the caller's own signal.aborted.
   */
  hold(): void {
    this.held = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
