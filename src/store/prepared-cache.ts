/**
 * Statements prepared once per connection and run again with new parameters. A small VPC flow
 * file (≈ 3,500 records) spent ≈ 6 ms of its ≈ 25 ms INSERT planning the statement
 * (bench/RESULTS.md, "Ingest fast path (issue 14)", 2026-12-08 vpcfile): the ingest's lanes run one
 * file after the other on the same connection, so the same SQL text is planned once per lane.
 *
 * Only for a connection that runs one statement at a time (a lane's file transaction): a prepared
 * statement holds its bound parameters until it runs, so two callers sharing one would run each
 * other's values. The cache lives as long as the connection object (a WeakMap), and is small:
 * the SQL texts repeat (a format's layouts), the values are parameters.
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';

type Params = Record<string, DuckDBValue>;

/** Statements kept per connection; the oldest is dropped past it (a safeguard, not expected). */
const MAX_STATEMENTS = 32;
const caches = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

async function preparedOn(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let cache = caches.get(conn);
  if (!cache) caches.set(conn, (cache = new Map()));
  const hit = cache.get(sql);
  if (hit) return hit;
  const prepared = await conn.prepare(sql);
  if (cache.size >= MAX_STATEMENTS) {
    const [oldest, statement] = cache.entries().next().value as [string, DuckDBPreparedStatement];
    cache.delete(oldest);
    statement.destroySync();
  }
  cache.set(sql, prepared);
  return prepared;
}

/** The connection's prepared statement for `sql`, bound to `params` alone. */
async function bound(conn: DuckDBConnection, sql: string, params: Params): Promise<DuckDBPreparedStatement> {
  const p = await preparedOn(conn, sql);
  p.clearBindings();
  p.bind(params);
  return p;
}

/** conn.run(sql, params), with the statement planned once per connection. */
export async function runPrepared(conn: DuckDBConnection, sql: string, params: Params): Promise<void> {
  await (await bound(conn, sql, params)).run();
}

/** conn.runAndReadAll(sql, params), with the statement planned once per connection. */
export async function readPrepared(conn: DuckDBConnection, sql: string, params: Params): Promise<DuckDBResultReader> {
  return (await bound(conn, sql, params)).runAndReadAll();
}
