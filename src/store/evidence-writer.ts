/**
 * Writes one evidence file into the case in one transaction: its events and warnings as they
 * arrive in batches, then its evidence row. Killed midway (Ctrl-C, kill -9), the transaction never
 * commits, so the case holds either the whole file or none of it, and a re-run completes the job.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { runPrepared } from './prepared-cache.js';
import type { EvidenceStatus } from './schema.js';
import type { CaseDb } from './case-db.js';
import { EVENT_STAGING, stagingSource, textRowsSource, WARNING_STAGING } from './staging-rows.js';
import { withInsertionOrder } from './insertion-order.js';

/** event_id = evidence_id × 2^32 + the event's sequence number in its file. */
export const EVENT_ID_SHIFT = 4294967296;

/**
 * Evidence ids, handed out in file order from the highest id the case holds. Not a sequence:
 * a sequence value is spent even when the file's transaction rolls back, so an interrupted ingest
 * resumed by the same command would number the rest of the files (and their events) differently
 * from a clean run. One ingest writes a case at a time (DuckDB's file lock), so counting is safe.
 */
export class EvidenceIds {
  private constructor(private next: number) {}
  static async start(db: CaseDb): Promise<EvidenceIds> {
    const row = await db.one<{ id: number }>(`SELECT coalesce(max(evidence_id), 0)::INTEGER AS id FROM evidence`);
    return new EvidenceIds(row!.id + 1);
  }
  take(): number {
    return this.next++;
  }
}


export interface EvidenceRow {
  evidence_id: number;
  run_id: number;
  path: string;
  abs_path: string;
  size: number | null;
  mtime_ms: number | null;
  sha256: string | null;
  compression: string | null;
  format: string | null;
  parser_version: string | null;
  sniff_reason: string | null;
  status: EvidenceStatus;
  message: string | null;
  lines: number | null;
  record_lines: number | null;
  continuation_lines: number | null;
  meta_lines: number | null;
  blank_lines: number | null;
  warning_lines: number | null;
  events: number;
  warnings: number;
  first_ts_us: number | null;
  last_ts_us: number | null;
  year_shift: number | null;
  duplicate_of: number | null;
  info: Record<string, unknown> | null;
}

/** A folder for staging batches, beside the case (never beside the evidence). */
export class StagingDir {
  readonly path: string;
  constructor(caseFile: string) {
    const parent = caseFile === ':memory:' ? process.cwd() : caseFile + '.staging';
    removeStale(parent);
    this.path = join(parent, `${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(this.path, { recursive: true });
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
    try {
      rmdirSync(dirname(this.path));
    } catch {
      /* another ingest's staging is still there, or it is not ours to remove */
    }
  }
}

/** Staging folders left by an ingest that was killed (its process is gone). */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}


/**
 * A lane's connection, kept from one file's transaction to the next so that what was planned on it
 * stays planned (prepared-cache.ts): the ingest runs its files one after the other on each lane.
 * A transaction that ends other than by a successful commit closes the connection (that is how a
 * failed ROLLBACK is made safe): the next file then opens a new one.
 */
export class LaneConnection {
  private conn: DuckDBConnection | null = null;

  constructor(private readonly db: CaseDb) {}

  async take(): Promise<DuckDBConnection> {
    if (!this.conn) this.conn = await this.db.connect();
    return this.conn;
  }

  /** `conn` was closed: the next take() opens another. */
  forget(conn: DuckDBConnection): void {
    if (this.conn === conn) this.conn = null;
  }

  close(): void {
    const conn = this.conn;
    this.conn = null;
    conn?.closeSync();
  }
}

export class EvidenceTransaction {
  /**
   * Statements started on the transaction's connection and not settled yet. A batch's load can
   * still be on its way into DuckDB when the file is given up (Ctrl-C cancels the parse lane at
   * once): a parameterized statement runs in steps (extract, prepare, execute), and a ROLLBACK that
   * slips between them ends the transaction, so the INSERT then ran in a transaction of its own and
   * committed — events without their evidence row, and a write transaction open under the ingest's
   * final CHECKPOINT ("Cannot CHECKPOINT: there are other write transactions active").
   */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Set once commit or rollback starts: no statement starts after it. */
  private ending = false;
  private static readonly open = new WeakMap<CaseDb, Set<EvidenceTransaction>>();

  private constructor(
    private readonly conn: DuckDBConnection,
    readonly evidenceId: number,
    private readonly db: CaseDb,
    private readonly lane: LaneConnection | null,
  ) {}

  /**
   * `id`: the file's evidence id, given by the ingest in file order (see EvidenceIds). With `lane`,
   * the transaction runs on the lane's connection, left open after a successful commit.
   */
  static async begin(db: CaseDb, id: number, lane?: LaneConnection): Promise<EvidenceTransaction> {
    const conn = lane ? await lane.take() : await db.connect();
    try {
      await conn.run('BEGIN TRANSACTION');
    } catch (err) {
      lane?.forget(conn);
      conn.closeSync();
      throw err;
    }
    const tx = new EvidenceTransaction(conn, id, db, lane ?? null);
    let open = EvidenceTransaction.open.get(db);
    if (!open) EvidenceTransaction.open.set(db, (open = new Set()));
    open.add(tx);
    return tx;
  }

  /**
   * Waits (at most `ms`) until every evidence transaction on `db` has committed or rolled back.
   * false: one is still open, and a CHECKPOINT now would fail (the caller skips it: committed
   * files are in the WAL, which DuckDB replays on the next open).
   */
  static async allEnded(db: CaseDb, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while ((EvidenceTransaction.open.get(db)?.size ?? 0) > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** The transaction's connection, for the ingest fast path's SQL (src/ingest/fast/). */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  /**
   * Runs `work` (statements on this transaction's connection) so that commit and rollback wait
   * for it; refused once the transaction is ending. The pipeline's batch loads go through it.
   */
  track<T>(work: () => Promise<T>): Promise<T> {
    if (this.ending) return Promise.reject(new Error(`evidence #${this.evidenceId}: the file's transaction is over; batch not stored`));
    const p = work();
    this.inFlight.add(p);
    const settled = () => this.inFlight.delete(p);
    p.then(settled, settled);
    return p;
  }

  private async settle(): Promise<void> {
    this.ending = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private ended(): void {
    EvidenceTransaction.open.get(this.db)?.delete(this);
  }

  /** Drops everything written so far and starts the file again in a new transaction (same evidence id). */
  async restart(): Promise<void> {
    await this.settle();
    this.ending = false;
    await this.conn.run('ROLLBACK');
    await this.conn.run('BEGIN TRANSACTION');
  }

  /** Stops the statement running now (Ctrl-C during a fast-path read). */
  interrupt(): void {
    this.conn.interrupt();
  }

  /** Loads a staging file of encoded events (then deletes it). */
  addEvents(file: string, source: string): Promise<void> {
    return this.track(() => loadStagedEvents(this.conn, file, source, this.evidenceId));
  }

  /** Loads a staging file of encoded warnings (then deletes it). */
  addWarnings(file: string): Promise<void> {
    return this.track(() => loadStagedWarnings(this.conn, file, this.evidenceId));
  }

  /** Year-less lines learn their year at the end of the file: shift them now, inside the transaction. */
  async shiftInferredYears(years: number): Promise<void> {
    if (years === 0) return;
    await this.track(() =>
      this.conn.run(`UPDATE events SET ts = ts + to_years($y::INTEGER) WHERE evidence_id = $eid AND time_quality = 'year_inferred'`, {
        y: years,
        eid: this.evidenceId,
      }),
    );
  }

  async commit(row: EvidenceRow): Promise<void> {
    await this.settle();
    let committed = false;
    try {
      await insertEvidence(this.conn, row, true);
      await this.conn.run('COMMIT');
      committed = true;
    } finally {
      // A failed commit is rolled back by closing the connection (DuckDB ends its transaction);
      // a lane's connection is kept for its next file after a successful one.
      if (committed && this.lane) this.ended();
      else this.close();
    }
  }

  /**
   * Waits for the statements still running on the connection (their rows land in this
   * transaction), then rolls it back. Closing the connection ends the transaction even when the
   * ROLLBACK itself fails, so the file is never left half in the case.
   */
  async rollback(): Promise<void> {
    try {
      await this.settle();
      await this.conn.run('ROLLBACK');
    } catch {
      // Closing the connection below rolls the transaction back all the same.
    } finally {
      this.close();
    }
  }

  private close(): void {
    try {
      this.lane?.forget(this.conn);
      this.conn.closeSync();
    } finally {
      this.ended();
    }
  }
}

/**
 * DuckDB's JSON reader allocates twice `maximum_object_size` up front: no row of a staging file is
 * larger than the file, so a small batch never asks for the 128 MiB that a 64 MiB limit costs (it
 * failed `dwell watch`'s 160 MB budget on a small CloudTrail file). It never goes below 32 MiB:
 * the reader takes the larger of the limit given and its 16 MB default (measured; loadEventRows
 * is the way around it for small batches).
 */
export function objectLimitOf(file: string): number {
  let size = 64 << 20;
  try {
    size = statSync(file).size;
  } catch {
    // the reader says what is wrong with the file
  }
  return Math.min(64 << 20, Math.max(1 << 20, size + 1024));
}

/** Events of one evidence file from a staging file (then deleted), on the caller's connection and transaction. */
export async function loadStagedEvents(conn: DuckDBConnection, file: string, source: string, evidenceId: number, maxObjectBytes?: number): Promise<void> {
  const { columns, from } = stagingSource(file, EVENT_STAGING, maxObjectBytes ?? objectLimitOf(file));
  try {
    // Ordered: a large file's row groups then go to the case file as they fill (insertion-order.ts).
    await withInsertionOrder(conn, () => conn.run(insertEventsSql(columns, from), { eid: evidenceId, source }));
  } finally {
    rmSync(file, { force: true });
  }
}

function insertEventsSql(columns: string, from: string): string {
  return `INSERT INTO events SELECT
         $eid::BIGINT * ${EVENT_ID_SHIFT} + seq, make_timestamp(ts_us), make_timestamp(ts_end_us), time_quality, $source,
         class, action, outcome, host, actor, src_ip, src_port, dst_ip, dst_port, protocol, session, access_key, target,
         "database", bytes_in, bytes_out, packets_in, packets_out, "rows", command, community_id, user_agent, summary,
         attrs, $eid, line, byte_offset, byte_length, raw
       FROM (SELECT ${columns} FROM ${from})`;
}

/**
 * Events given as staging lines joined in one string (encodeEvent), without a staging file or the
 * JSON reader's 32 MiB buffer: for small batches (dwell watch's extents, at most 512 KiB of log).
 */
export async function loadEventRows(conn: DuckDBConnection, rows: string, source: string, evidenceId: number): Promise<void> {
  const { columns, from } = textRowsSource(EVENT_STAGING);
  await conn.run(insertEventsSql(columns, from), { eid: evidenceId, source, rows });
}

/** Warnings given as staging lines joined in one string (encodeWarning), as loadEventRows. */
export async function loadWarningRows(conn: DuckDBConnection, rows: string, evidenceId: number): Promise<void> {
  const { columns, from } = textRowsSource(WARNING_STAGING);
  await conn.run(`INSERT INTO parse_warnings SELECT $eid, line, byte_offset, raw, reason FROM (SELECT ${columns} FROM ${from})`, { eid: evidenceId, rows });
}

/** Warnings of one evidence file from a staging file (then deleted). */
export async function loadStagedWarnings(conn: DuckDBConnection, file: string, evidenceId: number, maxObjectBytes?: number): Promise<void> {
  const { columns, from } = stagingSource(file, WARNING_STAGING, maxObjectBytes ?? objectLimitOf(file));
  try {
    await conn.run(`INSERT INTO parse_warnings SELECT $eid, line, byte_offset, raw, reason FROM (SELECT ${columns} FROM ${from})`, { eid: evidenceId });
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * `prepared`: plan the statement once per connection (prepared-cache.ts) — only on a connection
 * that runs one statement at a time (a file's transaction), never on a shared one.
 */
export async function insertEvidence(conn: DuckDBConnection, r: EvidenceRow, prepared = false): Promise<void> {
  const run = prepared ? runPrepared : (c: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>) => c.run(sql, params);
  await run(
    conn,
    `INSERT INTO evidence VALUES ($evidence_id, $run_id, $path, $abs_path, $size, to_timestamp($mtime_s)::TIMESTAMP, $sha256, $compression,
       $format, $parser_version, $sniff_reason, $status, $message, $lines, $record_lines, $continuation_lines, $meta_lines,
       $blank_lines, $warning_lines, $events, $warnings, make_timestamp($first_us), make_timestamp($last_us), $year_shift,
       $duplicate_of, $info::JSON, now()::TIMESTAMP)`,
    {
      evidence_id: r.evidence_id,
      run_id: r.run_id,
      path: r.path,
      abs_path: r.abs_path,
      size: r.size,
      mtime_s: r.mtime_ms === null ? null : r.mtime_ms / 1000,
      sha256: r.sha256,
      compression: r.compression,
      format: r.format,
      parser_version: r.parser_version,
      sniff_reason: r.sniff_reason,
      status: r.status,
      message: r.message,
      lines: r.lines,
      record_lines: r.record_lines,
      continuation_lines: r.continuation_lines,
      meta_lines: r.meta_lines,
      blank_lines: r.blank_lines,
      warning_lines: r.warning_lines,
      events: r.events,
      warnings: r.warnings,
      first_us: r.first_ts_us,
      last_us: r.last_ts_us,
      year_shift: r.year_shift,
      duplicate_of: r.duplicate_of,
      info: r.info && Object.keys(r.info).length ? JSON.stringify(r.info) : null,
    },
  );
}
