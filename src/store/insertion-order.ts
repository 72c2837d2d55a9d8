/**
 * `preserve_insertion_order` is one setting for the whole database, shared by the ingest's lanes
 * (a SET on any connection changes it for all). Two kinds of statement want it differently:
 *
 * - ordered (on): a numbered read (line numbers are the reader's order), and every load of staged
 *   rows into a file's transaction — with the order on, DuckDB writes each full row group of an open
 *   transaction to the case file as it fills, instead of holding a large file in memory until its
 *   commit (bench/RESULTS.md "Mixed-source ingest", issue 14);
 * - unordered (off): the SQL fast path's one INSERT from its lines table — with the order on, its
 *   row groups do not line up and the next CHECKPOINT rewrites them all (500k VPC lines: 0.1 → 19 s).
 *
 * The two kinds never overlap (each waits until the other has drained). Each statement sets what it
 * needs when it starts, on its own healthy connection; nothing is put back when it ends. (A version
 * that restored the setting at the end lost it twice: the restoring SET fails on a connection whose
 * transaction a declined fast-path INSERT had aborted, and a statement starting while the restore
 * was still on its way read the old value as "the database's own" and later put it back — either
 * way the order stayed off and the large files after it were held in memory again: 1.1 GB of
 * transaction-local storage on the scenario's PostgreSQL log, seen by DWELL_MEMORY.)
 */
import type { DuckDBConnection } from '@duckdb/node-api';

type Kind = 'ordered' | 'unordered';

const running: Record<Kind, number> = { ordered: 0, unordered: 0 };
const waiters: (() => void)[] = [];
/** The SET a kind's first statement is making, which the others of that kind wait for. */
let switching: Promise<void> = Promise.resolve();

async function withOrder<T>(conn: DuckDBConnection, kind: Kind, fn: () => Promise<T>): Promise<T> {
  const other: Kind = kind === 'ordered' ? 'unordered' : 'ordered';
  while (running[other] > 0) await new Promise<void>((r) => waiters.push(r));
  const want = kind === 'ordered' ? 'true' : 'false';
  if (running[kind]++ === 0) {
    // Always set, never trusted from before (a SET costs well under a millisecond): another
    // database opened in the same process, or DuckDB's own default, may have left it either way.
    switching = conn.run(`SET preserve_insertion_order = ${want}`).then(() => undefined);
  }
  try {
    await switching;
    return await fn();
  } finally {
    if (--running[kind] === 0) for (const w of waiters.splice(0)) w();
  }
}

/** Runs an ordered statement: a numbered read, or a load of staged rows (see above). */
export function withInsertionOrder<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  return withOrder(conn, 'ordered', fn);
}

/** Runs the SQL fast path's INSERT from its lines table as a parallel insert (see above). */
export function withoutInsertionOrder<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  return withOrder(conn, 'unordered', fn);
}
