/**
 * The case: one DuckDB file per investigation. Opening creates the schema when asked; read-only
 * opens (tui, export, verify) never write. Every query that carries user input or evidence values
 * goes through parameters.
 */
import { existsSync } from 'node:fs';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { ownSpillDir, sweepStaleSpillDirs } from './spill-dirs.js';

export type Params = Record<string, DuckDBValue> | DuckDBValue[];
export type Row = Record<string, unknown>;

export class CaseError extends Error {}

export interface OpenOptions {
  /** Create the file and schema if missing (ingest). */
  create?: boolean;
  readOnly?: boolean;
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** Extra DuckDB settings for this instance. */
  config?: Record<string, string>;
}

export class CaseDb {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<CaseDb> {
    const exists = path === ':memory:' || existsSync(path);
    if (!exists && !opts.create) {
      throw new CaseError(`case ${path} does not exist\n help: create it with \`dwell ingest --case ${path} EVIDENCE…\``);
    }
    // Spill folders of readers killed before they closed (spill-dirs.ts): one listing of the case's folder.
    if (path !== ':memory:') sweepStaleSpillDirs(path);
    const config: Record<string, string> = { ...opts.config };
    if (opts.readOnly) config.access_mode = 'READ_ONLY';
    // (Not for the sandboxed SQL session: DuckDB refuses a temp_directory without external access.)
    if (opts.readOnly && path !== ':memory:' && config.enable_external_access !== 'false') config.temp_directory ??= ownSpillDir(path);
    // No row-group merges at checkpoints for any writer (ingest names it too: MAX_VACUUM_TASKS in
    // ingest/pipeline.ts). Ingest leaves partly filled row groups where small files met a
    // checkpoint; with DuckDB's default the first later writer (correlate, hunt, watch, a note)
    // merged them all in its checkpoint — 40 CPU-s and 87 s on the 10M-event case, before the
    // command's own work. dwell never deletes events, so there is nothing for a vacuum to reclaim
    // there; the small tables a re-run rewrites (detections) keep their deleted rows' space.
    if (!opts.readOnly) config.max_vacuum_tasks ??= '0';
    if (opts.threads) config.threads = String(opts.threads);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      const msg = (err as Error).message;
      if (/lock/i.test(msg)) {
        throw new CaseError(`case ${path} is in use by another dwell process\n reason: ${msg.split('\n')[0]}\n help: close the other dwell (tui, ingest) using this case and try again`);
      }
      throw new CaseError(`cannot open case ${path}\n reason: ${msg.split('\n')[0]}`);
    }
    const conn = await instance.connect();
    const db = new CaseDb(path, instance, conn, Boolean(opts.readOnly));
    if (!opts.readOnly) await db.ensureSchema();
    else await db.checkSchema();
    return db;
  }

  private async ensureSchema(): Promise<void> {
    for (const sql of SCHEMA_SQL) await this.conn.run(sql);
    await this.conn.run(`INSERT OR IGNORE INTO case_meta VALUES ('schema_version', $v), ('created_at', CAST(now() AS VARCHAR))`, { v: SCHEMA_VERSION });
  }

  private async checkSchema(): Promise<void> {
    const rows = await this.all(`SELECT table_name FROM information_schema.tables WHERE table_name IN ('events', 'evidence', 'case_meta')`);
    if (rows.length < 3) throw new CaseError(`${this.path} is not a dwell case (no events/evidence tables)`);
  }

  /** A second connection, for work that runs in its own transaction (one per evidence file). */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.conn.run(sql, params);
  }

  async all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    return all<T>(this.conn, sql, params);
  }

  async one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  close(): void {
    try {
      this.conn.closeSync();
    } catch {
      /* already closed */
    }
    try {
      this.instance.closeSync();
    } catch {
      /* already closed */
    }
  }
}

/**
 * Rows as JS objects: BIGINT → number when safe (else string), TIMESTAMP → ISO text (ms; select
 * `epoch_us(ts)` where microseconds matter).
 */
export async function all<T = Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJS().map((r) => normalizeRow(r)) as unknown as T[];
}

function normalizeRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k] = normalizeValue(v);
  return out;
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalizeValue);
  return v;
}
