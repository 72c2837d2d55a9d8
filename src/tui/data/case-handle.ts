/**
 * The TUI's hold on a case: opened READ-ONLY, with one connection per lane so a slow background
 * query (counting, the density bar, a text search over 10M rows) never delays the next page.
 *
 * Annotations are the TUI's only write, and DuckDB cannot open one file read-only and read-write
 * in the same process. We keep the case read-only and, for each annotation, close it, open it
 * read-write just long enough to insert one row, and reopen it read-only (≈100 ms, measured on a
 * 10M-event case). Why not simply open read-write and write nothing but annotations:
 *  - read-only is a guarantee, not a promise: no code path of the browser can modify the case;
 *  - a read-only open shares the file with other readers (`dwell verify`, `dwell export`, a second
 *    `dwell tui`), where a read-write open would lock them out for the whole session;
 *  - a read-write open can checkpoint and rewrite the file on open/close even with no writes.
 * If another process holds the case when writing, the read-write open fails and the read-only
 * view is restored; the annotation waits in a side file (see pending-annotations.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, CaseDb, type Params, type Row } from '../../store/case-db.js';
import { readDuckdbConfig } from '../../store/read-budget.js';

/** fg: what a key waits for; ahead: prefetching the next rows; bg: counts, density; find: search. */
/** fg2: the second half of a foreground request (rows after the event in `around`), run beside fg. */
export type Lane = 'fg' | 'fg2' | 'ahead' | 'bg' | 'find';
const LANES: Lane[] = ['fg', 'fg2', 'ahead', 'bg', 'find'];

export class CaseHandle {
  private conns = new Map<Lane, DuckDBConnection>();
  private inflight = new Map<Lane, Set<Promise<unknown>>>(LANES.map((l) => [l, new Set()]));
  /** Set while the case is closed for a write: queries wait for it. */
  private gate: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private db: CaseDb,
  ) {}

  static async open(path: string): Promise<CaseHandle> {
    const h = new CaseHandle(path, await CaseDb.open(path, { readOnly: true, config: readDuckdbConfig() }));
    await h.connectLanes();
    return h;
  }

  private async connectLanes(): Promise<void> {
    this.conns.set('fg', this.db.conn);
    for (const lane of LANES.slice(1)) this.conns.set(lane, await this.db.connect());
  }

  /** Runs a read query on a lane. */
  async all<T extends Row = Row>(lane: Lane, sql: string, params?: Params): Promise<T[]> {
    while (this.gate) await this.gate;
    if (this.closed) throw new Error('case closed');
    const p = all<T>(this.conns.get(lane)!, sql, params);
    const set = this.inflight.get(lane)!;
    set.add(p);
    try {
      return await p;
    } finally {
      set.delete(p);
    }
  }

  /** Same as all(), on a raw connection (COPY TO runs here: it writes a file, not the case). */
  async run(lane: Lane, sql: string, params?: Params): Promise<void> {
    while (this.gate) await this.gate;
    if (this.closed) throw new Error('case closed');
    const p = this.conns.get(lane)!.run(sql, params);
    const set = this.inflight.get(lane)!;
    set.add(p);
    try {
      await p;
    } finally {
      set.delete(p);
    }
  }

  /** Runs `fn` with a lane's connection (for streaming a result chunk by chunk: the TUI's export). */
  async withConnection<T>(lane: Lane, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    if (this.closed) throw new Error('case closed');
    const p = fn(this.conns.get(lane)!);
    const set = this.inflight.get(lane)!;
    set.add(p);
    try {
      return await p;
    } finally {
      set.delete(p);
    }
  }

  /** Abandons what runs on a lane (a superseded search or count); its promise rejects. */
  interrupt(lane: Lane): void {
    if (this.inflight.get(lane)!.size > 0) this.conns.get(lane)?.interrupt();
  }

  /** Closes the read-only case, runs `fn` on a read-write open, reopens read-only. */
  async write<T>(fn: (db: CaseDb) => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    try {
      for (const lane of ['ahead', 'bg', 'find'] as Lane[]) this.interrupt(lane);
      await Promise.allSettled(LANES.flatMap((l) => [...this.inflight.get(l)!]));
      this.closeDb();
      try {
        const rw = await CaseDb.open(this.path, { config: readDuckdbConfig() });
        try {
          return await fn(rw);
        } finally {
          rw.close();
        }
      } finally {
        this.db = await reopenReadOnly(this.path);
        await this.connectLanes();
      }
    } finally {
      this.gate = null;
      release();
    }
  }

  private closeDb(): void {
    for (const lane of LANES.slice(1)) {
      try {
        this.conns.get(lane)?.closeSync();
      } catch {
        /* already closed */
      }
    }
    this.conns.clear();
    this.db.close();
  }

  /**
   * Stops what runs and closes the case. A connection must not be closed while its statement runs:
   * the statement's end then frees the connection on DuckDB's worker thread, which waits for a lock
   * it holds itself (DuckDB 1.x, seen in gdb) — that thread never ends, and Node's exit, which joins
   * it, never returns: `dwell tui` outlived its terminal by half an hour when a search ran on a
   * 10M-event case as the terminal closed. So the statements are interrupted (again every
   * RETRY_INTERRUPT_MS: an interrupt that lands between two statements of a lane is lost) and
   * awaited, at most `waitMs`; when one still runs then, the case is left open and false returned
   * (the process must then end by a signal: src/cli/interrupt.ts exitBySignal). Closes at once when
   * nothing runs.
   */
  async close(waitMs = CLOSE_WAIT_MS): Promise<boolean> {
    if (this.closed) return true;
    this.closed = true;
    const deadline = Date.now() + waitMs;
    // An annotation being written reopens the case when it ends: close after it (≈100 ms).
    while (this.gate) await this.gate;
    for (;;) {
      const running = LANES.flatMap((l) => [...this.inflight.get(l)!]);
      if (running.length === 0) break;
      if (Date.now() >= deadline) return false;
      for (const lane of LANES) this.interrupt(lane);
      await Promise.race([Promise.allSettled(running), sleep(Math.min(RETRY_INTERRUPT_MS, Math.max(0, deadline - Date.now())))]);
    }
    this.closeDb();
    return true;
  }
}

/** How long close() waits for interrupted statements (they stop within milliseconds when interrupted). */
export const CLOSE_WAIT_MS = 2000;
const RETRY_INTERRUPT_MS = 100;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Another process may take the file for a moment between our close and reopen: retry briefly. */
async function reopenReadOnly(path: string): Promise<CaseDb> {
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      return await CaseDb.open(path, { readOnly: true, config: readDuckdbConfig() });
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}
