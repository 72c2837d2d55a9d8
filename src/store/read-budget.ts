/**
 * DuckDB's settings for the commands that only read a case — info, verify, search, sql, export and
 * the TUI (issue 14: peak RSS under 1 GB for every command on a 10M-event case).
 *
 * Without a `memory_limit` DuckDB may take 80 % of the machine's memory: a sort or GROUP BY over
 * every event (`dwell sql`, a search with --limit 0) then grows the process past several GB
 * instead of spilling to disk, and a scan keeps the blocks it read cached up to the limit though
 * the operating system's page cache holds the file anyway (as hunt and correlate found). The
 * allocator's per-thread caches go back to the system within a second instead of staying at up
 * to 128 MiB per thread. DWELL_DUCKDB_MEMORY overrides the budget, as for every other command.
 */
export const READ_DUCKDB_MEMORY = '512MB';

export function readDuckdbConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { memory_limit: env.DWELL_DUCKDB_MEMORY ?? READ_DUCKDB_MEMORY, allocator_flush_threshold: '16MB', allocator_background_threads: 'true' };
}
