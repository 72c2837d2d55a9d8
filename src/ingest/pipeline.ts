/**
 * `dwell ingest`: evidence files → the case. Files are enumerated in a stable order, each is
 * parsed (worker threads when built) and stored in its own transaction, every file gets an
 * evidence row saying what happened to it, and the run itself is recorded with its options.
 */
import { availableParallelism, hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { all, CaseDb } from '../store/case-db.js';
import { EvidenceIds, EvidenceTransaction, insertEvidence, LaneConnection, StagingDir, type EvidenceRow } from '../store/evidence-writer.js';
import { readPrepared } from '../store/prepared-cache.js';
import type { EvidenceStatus } from '../store/schema.js';
import { DWELL_VERSION } from '../version.js';
import { caseInsideEvidence, describeFsError, enumerateEvidence, type EvidenceFile } from './evidence-files.js';
import { ParseCancelled, type ParseFileResult } from './parse-file.js';
import { orderRotatedYears, YEAR_ORDER_PENDING } from './rotation-years.js';
import { buildTimelineIndex, timelineIndexStatus } from '../store/timeline-index.js';
import { tryFastPath } from './fast/fast-path.js';
import { StepTiming } from './fast/step-timing.js';
import { readHybrid } from './fast/hybrid-lines.js';
import { InProcessRunner, RunnerError, WorkerRunner, workersAvailable, type FileRunner } from './runners.js';
import { memoryStep, startMemoryProfile } from '../correlate/memory-profile.js';

export interface IngestOptions {
  casePath: string;
  inputs: string[];
  tz: string;
  year?: number;
  format?: string;
  extra?: Record<string, string>;
  /** Parser threads: 0 = in-process. Default: 1 worker when built (DuckDB uses the other core). */
  workers?: number;
  /** Re-read files already in the case with the same path, size and mtime. */
  rehash?: boolean;
  argv?: string[];
  /** Build the TUI's timeline index at the end (default true; skipped when already fresh). */
  index?: boolean;
  /** Decompression ratio at which a compressed file stops being read and is marked partial (0 = no limit; default 1000). */
  maxRatio?: number;
  /**
   * Aborting stops the ingest at the file boundary: the files being read are rolled back, no
   * other file starts, the run is recorded as interrupted and the report says so (`interrupted`).
   * The reason, when a string, names the cause (e.g. 'SIGINT').
   */
  signal?: AbortSignal;
  /** Follow symlinks that lead out of the evidence given (their targets are recorded in `info`). */
  followSymlinks?: boolean;
  /** The ingest's time (ms) for the plausibility check: times more than a day later are implausible. Default: when ingest() starts. */
  ingestMs?: number;
  /** Let DuckDB read the formats it can (src/ingest/fast/; default true). false = every file through its JS parser (--no-fast). */
  fast?: boolean;
}

export interface FileReport {
  path: string;
  status: EvidenceStatus | 'already_ingested';
  evidenceId: number | null;
  format: string | null;
  events: number;
  warnings: number;
  firstTsUs: number | null;
  lastTsUs: number | null;
  message: string | null;
  sha256: string | null;
  /**
   * How the case holds this file's content: its own status, or for `already_ingested` the status
   * stored by the earlier run, and for a `duplicate` the status of the copy it duplicates. The
   * exit code is computed from it, so a re-run over the same state exits the same way.
   */
  heldAs: EvidenceStatus;
  /** Events stored with time_quality `implausible` / `relative` (event-sanity.ts). */
  implausibleTimes?: number;
  relativeTimes?: number;
  /** Who read the file: DuckDB's reader with the parser's SQL, or the JS parser (and why the SQL path declined it). */
  readBy?: 'sql' | 'hybrid' | 'js';
  fastDeclined?: string;
}

export interface IngestReport {
  runId: number;
  files: FileReport[];
  events: number;
  warnings: number;
  /** Files that could not be (fully) ingested: failed, partial, unrecognized. */
  problems: number;
  seconds: number;
  /** Case-wide adjustments made after the files were stored (e.g. rotated sets' years). */
  notes: string[];
  /** The timeline index built at the end of this run: events covered and seconds; null when not built. */
  index: { events: number; seconds: number } | null;
  /**
   * Set when the run was stopped (Ctrl-C, SIGTERM): what stopped it, the files of `files` stored
   * before it, and the files not stored (the ones being read were rolled back, the others never
   * started). `during` says whether the files or the timeline index were being processed;
   * `rolledBack` names the files that were being read (nothing of them is in the case).
   */
  interrupted: { reason: string; during: 'files' | 'index'; notStored: number; rolledBack?: string[] } | null;
}

export interface IngestProgress {
  start(totalFiles: number, totalBytes: number): void;
  fileStarted(file: EvidenceFile): void;
  fileProgress(file: EvidenceFile, rawBytes: number, events: number): void;
  fileDone(report: FileReport, file: EvidenceFile | null): void;
  finish(): void;
  /** A case-wide step after the files (e.g. building the timeline index) starts. */
  step?(text: string): void;
}

const NO_PROGRESS: IngestProgress = { start() {}, fileStarted() {}, fileProgress() {}, fileDone() {}, finish() {} };

/** Statuses a file can be held as that mean the case does not have all of it. */
export function isProblem(status: EvidenceStatus): boolean {
  return status === 'failed' || status === 'partial' || status === 'unrecognized';
}

export class IngestError extends Error {}

/** DWELL_TIMING=1: each file's format, reader, events and time (ms, start to commit) on standard error. */
const timing = process.env.DWELL_TIMING === '1';

// 384 MB. Since a large file's row groups go to the case file as they fill (preserve_insertion_order,
// below), what the budget holds beyond the rows awaiting a checkpoint is cached blocks of the case
// file that an ingest never reads again, evicted without writing: at 512 MB DuckDB kept 160–260 MB
// of them (base_table) at the PostgreSQL and auth phases' peak, the largest part of the process's
// 780–840 MB; the rest is the two parse workers' isolates (≈ 60–80 MB each), Node's and DuckDB's code
// and untracked buffers. At 384 MB the rows held in memory (≤ 306 MB: a row group being filled per
// large file, small files' rows awaiting the checkpoint) still fit, give or take 20–40 MB spilled at
// times on the whole mixed scenario: its peak went 936 → 806 MiB for the same CPU and events
// (bench/RESULTS.md, "Mixed-source ingest", 2026-12-08 05:10).
const DEFAULT_DUCKDB_MEMORY = '384MB';
const INDEX_DUCKDB_MEMORY = '448MB';
const DEFAULT_LANES = 2;
/**
 * WAL size that triggers a checkpoint. DuckDB's 16 MB default checkpoints every few files of a
 * many-small-files tree, rewriting the table's last, partly filled row group each time (10.1 s vs
 * 7.7 s on 50 CloudTrail files). Committed files stay durable in the WAL either way.
 */
const DEFAULT_CHECKPOINT_THRESHOLD = '256MB';
/**
 * Row-group merges ("vacuum tasks") a checkpoint may run: none during an ingest. Each checkpoint
 * writes the rows committed since the last one as a row group of their own (small files' rows
 * are not written before it: none fills a row group). With DuckDB's default (100), the next
 * checkpoint merges adjacent small row groups: it reads the ones already written back into
 * memory, decompressed, and writes them again with the new rows — on CloudTrail's wide rows
 * DuckDB's in-memory table went from ≈ 300 MB to 560–640 MB (past the budget, spilled) every
 * second checkpoint, and that merge was the peak of the whole mixed scenario (bench/RESULTS.md,
 * "Mixed-source ingest", 2026-12-08). A lower checkpoint threshold does not help (more, smaller
 * groups to merge: 128 MB peaked at 942 MB vs 916 MB). Without merging, a checkpoint only
 * compresses the new rows; the price is row groups less full than 122,880 rows where small files
 * meet a checkpoint (about one per 256 MB of WAL). An ingest deletes no events (year shifts are
 * updates in place), so there is nothing for a vacuum to reclaim either. Every later writer opens
 * the case with the same setting (CaseDb.open), else the first one to checkpoint would merge those
 * groups once (measured: 40 s CPU, 614 MB peak on the scenario's case; bench/RESULTS.md, same section).
 */
const MAX_VACUUM_TASKS = '0';

/**
 * DuckDB threads while files are stored: one. Each file is one transaction on its own connection,
 * and the lanes (--workers) already run files side by side; an INSERT of one file's rows is one
 * task in order, so a second DuckDB thread had nothing to run and the statement's own thread
 * polled the scheduler for it — 15 % of an auth ingest's CPU in a profile, and the spin grows with
 * the machine's load (auth 600k: 20.1 → 14.5 CPU-s with one thread; bench/RESULTS.md, "Floors of
 * the present design"). The case-wide steps after the files (the timeline index's sort, the final
 * checkpoint) get every core back. DWELL_DUCKDB_THREADS overrides.
 */
const FILE_PHASE_THREADS = '1';

/**
 * DuckDB's settings for an ingest. A file is one transaction (kill -9 safety), so the rows of a large
 * file (a 280 MB PostgreSQL log: a million events) live in DuckDB's transaction-local storage until
 * the commit. With `preserve_insertion_order` on (DuckDB's default) each INSERT appends to that
 * storage in order, and every row group (122,880 rows) it fills is compressed and written to the
 * case file at once ("optimistic write"; a rollback or a kill leaves those blocks unreferenced):
 * the transaction holds at most about one row group in memory whatever the file's size. With it
 * off, each insert thread builds its own collection, written early only when that thread alone
 * fills a row group in that one statement; the staged batches (16 MB, ≈ 40k rows) never do, so the
 * whole file stayed in memory until the commit (in_memory_table 650–1,447 MB incl. spill on the
 * scenario's PostgreSQL logs, spilled to the temporary file; bench/RESULTS.md "Mixed-source ingest",
 * 2026-12-07 20:58). Order costs no CPU here: the batch-index insert DuckDB then uses still reads
 * the JSON in parallel. (The SQL fast path's INSERT from its lines table turns it off: read-lines.ts.)
 * `memory_limit` bounds what is left (the rest spills to a temporary file), not the allocator's
 * caches beside it. DuckDB's allocator (jemalloc) keeps freed
 * pages per thread up to `allocator_flush_threshold` (default 128 MB) and returns them only when that
 * thread next allocates; the background threads hand them back within about a second (as watch and
 * correlate do; measured in bench/RESULTS.md "Mixed-source ingest"). DWELL_DUCKDB_MEMORY and
 * DWELL_CHECKPOINT_THRESHOLD override.
 */
export function ingestDuckdbConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    // Not for the order (event_id carries it): for the row groups written as they fill (above).
    preserve_insertion_order: 'true',
    memory_limit: env.DWELL_DUCKDB_MEMORY ?? DEFAULT_DUCKDB_MEMORY,
    checkpoint_threshold: env.DWELL_CHECKPOINT_THRESHOLD ?? DEFAULT_CHECKPOINT_THRESHOLD,
    allocator_flush_threshold: '16MB',
    allocator_background_threads: 'true',
    // No row-group merging at checkpoints (see MAX_VACUUM_TASKS).
    max_vacuum_tasks: MAX_VACUUM_TASKS,
    threads: env.DWELL_DUCKDB_THREADS ?? FILE_PHASE_THREADS,
  };
}

/**
 * Rebuilds the TUI's time-sorted index when the events changed. The events are already committed:
 * a failure here (e.g. out of disk for the sort's spill) is a note, not a failed ingest, and the
 * TUI then pages `events` directly.
 */
async function refreshTimelineIndex(db: CaseDb, progress: IngestProgress, notes: string[]): Promise<IngestReport['index']> {
  const status = await timelineIndexStatus(db);
  if (status.state === 'fresh') return null;
  progress.step?.('building the timeline index (time-sorted copy for dwell tui)');
  try {
    // Ingest turns insertion order off for speed; the index's physical order is its point.
    await db.run('SET preserve_insertion_order = true');
    // The sort spills beyond this; a smaller budget than the load's keeps the peak RSS under 1 GB.
    const budget = process.env.DWELL_DUCKDB_MEMORY ?? INDEX_DUCKDB_MEMORY;
    if (/^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(budget)) await db.run(`SET memory_limit = '${budget}'`);
    const built = await buildTimelineIndex(db);
    await db.run('CHECKPOINT');
    return { events: built.events, seconds: built.ms / 1000 };
  } catch (err) {
    notes.push(`timeline index not built (${(err as Error).message.split('\n')[0]}); dwell tui still works, paging the events table directly`);
    return null;
  }
}

export async function ingest(options: IngestOptions, progress: IngestProgress = NO_PROGRESS): Promise<IngestReport> {
  const started = Date.now();
  const opts: IngestOptions = { ...options, ingestMs: options.ingestMs ?? started };
  const caseAbs = resolve(opts.casePath);
  const refusal = await caseInsideEvidence(opts.casePath, opts.inputs);
  if (refusal) throw new IngestError(refusal);
  // A file is one transaction; DuckDB keeps its blocks cached unless told to stay within a budget
  // (peak RSS under 1 GB whatever the input: see ingestDuckdbConfig).
  const db = await CaseDb.open(opts.casePath, { create: true, config: ingestDuckdbConfig() });
  // DWELL_MEMORY=1: VmRSS beside duckdb_memory() every half second, with the step (issue 14's peak).
  const stopProfile = await startMemoryProfile(db.instance);
  memoryStep('files');
  const staging = new StagingDir(caseAbs);
  const runners: FileRunner[] = [];
  let runId = 0;
  const reports: FileReport[] = [];
  const signal = opts.signal;
  const isInterrupted = () => signal?.aborted === true;
  let abortedAt = 0;
  // Stop what is running now, not at the next batch: a file that yields no batch for minutes (a
  // gigabyte of blank lines) must not hold Ctrl-C up.
  const onAbort = () => {
    abortedAt = Date.now();
    for (const r of runners) r.cancel();
  };
  signal?.addEventListener('abort', onAbort);
  try {
    // A run left 'running' was killed: no other process can hold the case open for writing now.
    await db.run(`UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'`);
    runId = (await db.one<{ id: number }>(`SELECT nextval('run_id_seq')::INTEGER AS id`))!.id;
    await db.run(
      `INSERT INTO ingest_runs (run_id, started_at, dwell_version, argv, tz, year, forced_format, status, operator, hostname)
       VALUES ($id, now()::TIMESTAMP, $v, $argv::JSON, $tz, $year, $format, 'running', $op, $host)`,
      {
        id: runId,
        v: DWELL_VERSION,
        argv: JSON.stringify(opts.argv ?? opts.inputs),
        tz: opts.tz,
        year: opts.year ?? null,
        format: opts.format ?? null,
        op: safeUser(),
        host: hostname(),
      },
    );

    const { files, problems } = await enumerateEvidence(opts.inputs, { exclude: [caseAbs, caseAbs + '.wal', caseAbs + '.staging'], followSymlinks: opts.followSymlinks });
    const ids = await EvidenceIds.start(db);
    const mayBeInCase = await priorPaths(db);
    for (const p of problems) {
      const report: FileReport = { path: p.path, status: p.status, evidenceId: null, format: null, events: 0, warnings: 0, firstTsUs: null, lastTsUs: null, message: p.reason, sha256: null, heldAs: p.status };
      report.evidenceId = await recordWithoutContent(db, runId, p.path, p.absPath, null, p.status, p.reason, ids.take(), p.info);
      reports.push(report);
      progress.fileDone(report, null);
    }
    progress.start(files.length, files.reduce((s, f) => s + f.size, 0));

    // Two parse lanes by default: while one file's rows are loaded and committed (the main thread
    // and DuckDB), the next file is already being parsed. Measured on 100k CloudTrail records in
    // 50 files: 7.9 s with one lane, 5.3 s with two, no gain from a third (2 cores).
    const workerCount = opts.workers ?? (workersAvailable() ? DEFAULT_LANES : 0);
    if (workerCount > 0 && workersAvailable()) for (let i = 0; i < Math.min(workerCount, files.length); i++) runners.push(new WorkerRunner());
    if (runners.length === 0) runners.push(new InProcessRunner());

    let next = 0;
    const fileReports: (FileReport | undefined)[] = new Array(files.length);
    // Files being read when the run was stopped: rolled back, read again by the next run.
    const rolledBack: string[] = [];
    // Files start in their enumeration order even with several lanes (each start waits for the
    // previous one): evidence ids, and so event ids, are the same whenever the same evidence is
    // ingested, which a report citing event ids relies on. They also finish in that order: a file
    // is checked for an earlier copy (same SHA-256) and committed only once the file before it is
    // committed or given up, so which copy is kept never depends on which lane was faster.
    let startTurn: Promise<void> = Promise.resolve();
    let doneTurn: Promise<void> = Promise.resolve();
    const lane = async (runner: FileRunner) => {
      // Each lane keeps its connections from file to file (what was planned on them stays planned):
      // one for the files' transactions, one for the reads outside them (the earlier-copy check).
      const connections: LaneConnections = { files: new LaneConnection(db), reads: new LaneConnection(db) };
      try {
        await laneFiles(runner, connections);
      } finally {
        connections.files.close();
        connections.reads.close();
      }
    };
    const laneFiles = async (runner: FileRunner, connections: LaneConnections) => {
      while (!isInterrupted() && next < files.length) {
        const index = next++;
        const file = files[index]!;
        const previousStart = startTurn;
        const previousDone = doneTurn;
        let letNextStart!: () => void;
        let letNextFinish!: () => void;
        startTurn = new Promise((r) => (letNextStart = r));
        doneTurn = new Promise((r) => (letNextFinish = r));
        progress.fileStarted(file);
        await previousStart;
        let report: FileReport | null;
        const fileStartedAt = Date.now();
        memoryStep(`file ${file.path}`);
        try {
          report = await ingestFile(db, staging, runner, runId, file, opts, progress, isInterrupted, ids, letNextStart, () => previousDone, connections, mayBeInCase);
        } finally {
          letNextStart();
          // The previous file's turn is over before this one's (it resolves in order).
          void previousDone.then(letNextFinish);
        }
        if (timing && report) process.stderr.write(`timing: file ${JSON.stringify(file.path)} ${report.format ?? '-'} ${report.readBy ?? '-'} ${report.status} ${report.events} ${Date.now() - fileStartedAt} ms\n`);
        if (report) {
          fileReports[index] = report;
          progress.fileDone(report, file);
        } else rolledBack.push(file.path);
      }
    };
    // Every lane ends (its file committed or rolled back) before anything else touches the case,
    // even when one of them failed: a lane still writing under the final CHECKPOINT or close
    // makes both fail or hang.
    const laneEnds = await Promise.allSettled(runners.map((r) => lane(r)));
    const laneFailed = laneEnds.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (laneFailed) throw laneFailed.reason;
    await doneTurn;
    for (const r of fileReports) if (r) reports.push(r);
    // The parse threads are done: free their memory before the case-wide steps (the index sort).
    await Promise.all(runners.map((r) => r.close()));

    const notes: string[] = [];
    memoryStep('after files');
    if (!isInterrupted()) {
      const order = await orderRotatedYears(db, isInterrupted);
      notes.push(...order.notes);
    }
    // The summary shows what is stored, after the case-wide steps moved any times.
    await refreshStoredTimes(db, runId, reports);
    const events = reports.reduce((s, r) => s + r.events, 0);
    const warnings = reports.reduce((s, r) => s + r.warnings, 0);
    const failedCount = reports.filter((r) => isProblem(r.heldAs)).length;
    const stopped = isInterrupted();
    await db.run(
      `UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, status = $s, files = $f, events = $e, warnings = $w, failed = $x WHERE run_id = $id`,
      { s: stopped ? 'interrupted' : failedCount ? 'completed_with_problems' : 'completed', f: reports.length, e: events, w: warnings, x: failedCount, id: runId },
    );
    if (timing && stopped) process.stderr.write(`timing: stop: files ended ${Date.now() - abortedAt} ms after the signal\n`);
    memoryStep('checkpoint');
    // The files ran with one DuckDB thread (FILE_PHASE_THREADS); the final checkpoint and the
    // index's sort get every core.
    if (!process.env.DWELL_DUCKDB_THREADS) await db.run(`SET threads = ${availableParallelism()}`);
    // The final checkpoint folds the WAL into the case file: seconds after many small files (9 s
    // after 122 on a loaded machine, which held Ctrl-C up past 20 s). Committed files are durable
    // in the WAL, which DuckDB replays on the next open, so a stopped run leaves it there and tells
    // the close not to do it either. Never with a file's transaction open: DuckDB refuses it.
    const settled = await EvidenceTransaction.allEnded(db, 5_000);
    // (A stop that arrives now skips it too; the index step after it is then not started.)
    if (isInterrupted() || !settled) await db.run('PRAGMA disable_checkpoint_on_shutdown');
    else await db.run('CHECKPOINT');
    if (!settled) notes.push('the final checkpoint was skipped (a file was still being rolled back); every committed file is in the case, DuckDB folds its log in on the next open');
    if (timing && stopped) process.stderr.write(`timing: stop: checkpoint done ${Date.now() - abortedAt} ms after the signal\n`);
    memoryStep('index');
    progress.finish();
    const base = { runId, files: reports, events, warnings, problems: failedCount, notes, index: null };
    if (stopped) {
      const stored = reports.length - problems.length;
      return { ...base, seconds: (Date.now() - started) / 1000, interrupted: { reason: abortReason(signal), during: 'files', notStored: files.length - stored, rolledBack } };
    }
    // An interruption while the index is sorted cancels the sort (the files are all stored). An
    // interrupt that lands between two of its statements is lost (DuckDB clears it when the next
    // one starts): it is repeated until the step ends. Stopped before it: not started at all.
    const cancelIndex = () => db.conn.interrupt();
    const repeatCancel = setInterval(() => isInterrupted() && cancelIndex(), 100);
    signal?.addEventListener('abort', cancelIndex);
    let index: IngestReport['index'] = null;
    try {
      index = opts.index === false || isInterrupted() ? null : await refreshTimelineIndex(db, progress, notes);
    } finally {
      clearInterval(repeatCancel);
      signal?.removeEventListener('abort', cancelIndex);
    }
    const interrupted = isInterrupted() && index === null ? { reason: abortReason(signal), during: 'index' as const, notStored: 0 } : null;
    return { ...base, index, seconds: (Date.now() - started) / 1000, interrupted };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(runners.map((r) => r.close()));
    staging.remove();
    await stopProfile();
    db.close();
    if (timing && abortedAt) process.stderr.write(`timing: stop: case closed ${Date.now() - abortedAt} ms after the signal\n`);
  }
}

function abortReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'interrupted';
}

/** First and last times as stored (a case-wide step such as the rotation order may have moved them). */
async function refreshStoredTimes(db: CaseDb, runId: number, reports: FileReport[]): Promise<void> {
  const rows = await db.all<{ id: number; first_us: number | null; last_us: number | null }>(
    `SELECT evidence_id AS id, epoch_us(first_ts) AS first_us, epoch_us(last_ts) AS last_us FROM evidence WHERE run_id = $run AND first_ts IS NOT NULL`,
    { run: runId },
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of reports) {
    const row = r.evidenceId !== null && r.status !== 'already_ingested' ? byId.get(r.evidenceId) : undefined;
    if (row) {
      r.firstTsUs = row.first_us;
      r.lastTsUs = row.last_us;
    }
  }
}

/**
 * One file into the case: skipped when already there, else parsed and stored in its own
 * transaction. Returns null when the ingest was interrupted before the file was stored.
 */
export async function ingestFile(
  db: CaseDb,
  staging: StagingDir,
  runner: FileRunner,
  runId: number,
  file: EvidenceFile,
  opts: IngestOptions,
  progress: IngestProgress,
  isInterrupted: () => boolean,
  ids: EvidenceIds,
  /** Called once the file's evidence id is taken: the next file may start. */
  started: () => void,
  /** Resolves once every earlier file is committed or given up. */
  earlierDone: () => Promise<void>,
  /** The lane's connections, kept from file to file; without them, the file opens its own. */
  connections?: LaneConnections,
  /** false: no evidence row can hold this path (priorPaths), the already-ingested query is skipped. */
  mayBeInCase: (absPath: string) => boolean = () => true,
): Promise<FileReport | null> {
  const steps = new StepTiming(file.path);
  const base: FileReport = { path: file.path, status: 'failed', evidenceId: null, format: null, events: 0, warnings: 0, firstTsUs: null, lastTsUs: null, message: null, sha256: null, heldAs: 'failed' };
  if (!opts.rehash && mayBeInCase(file.absPath)) {
    type Prior = { id: number; status: EvidenceStatus; held: EvidenceStatus; format: string | null; sha256: string };
    const sql = `SELECT v.evidence_id AS id, v.status, coalesce(o.status, v.status) AS held, v.format, v.sha256 FROM evidence v
       LEFT JOIN evidence o ON o.evidence_id = v.duplicate_of
       WHERE v.abs_path = $p AND v.size = $s AND v.mtime = to_timestamp($m)::TIMESTAMP AND v.status IN ('ingested', 'recorded', 'skipped', 'duplicate', 'unrecognized')
       ORDER BY v.evidence_id DESC LIMIT 1`;
    const params = { p: file.absPath, s: file.size, m: file.mtimeMs / 1000 };
    // On the lane's read connection the statement is planned once per lane, not once per file.
    const prior = connections
      ? ((await readPrepared(await connections.reads.take(), sql, params)).getRowObjectsJS()[0] as Prior | undefined)
      : await db.one<Prior>(sql, params);
    // An unrecognized file is read again when a format is forced.
    if (prior && !(prior.status === 'unrecognized' && opts.format)) {
      return { ...base, status: 'already_ingested', evidenceId: prior.id, format: prior.format, sha256: prior.sha256, heldAs: prior.held, message: `already in the case as evidence #${prior.id} (${prior.held}; same path, size and mtime; --rehash reads it again)` };
    }
  }

  steps.mark('prior');
  const tx = await EvidenceTransaction.begin(db, ids.take(), connections?.files);
  steps.mark('begin');
  // The evidence id is taken: the next file may start.
  started();
  let result: ParseFileResult;
  let readBy: 'sql' | 'hybrid' | 'js' = 'js';
  let fastDeclined: string | undefined;
  const interruptFast = () => tx.interrupt();
  opts.signal?.addEventListener('abort', interruptFast);
  try {
    const fast = opts.fast === false ? null : await tryFastPath(tx.connection, tx.evidenceId, file, { format: opts.format, extra: opts.extra ?? {}, maxRatio: opts.maxRatio, ingestMs: opts.ingestMs ?? Date.now(), mtimeMs: file.mtimeMs, steps }, isInterrupted);
    steps.mark('fast-end');
    if (fast?.kind === 'declined') {
      fastDeclined = fast.reason;
      await tx.restart();
    }
    if (fast?.kind === 'stored') {
      result = fast.result;
      readBy = 'sql';
    } else {
      const parse = (hybrid: boolean, addEvents: (file: string, source: string) => Promise<void>, addWarnings: (file: string) => Promise<void>) => runner.run(
        { path: file.absPath, readPath: file.fsPath === file.absPath ? undefined : file.fsPath, stagingDir: staging.path, batchBytes: batchBytesFromEnv(), mtimeMs: file.mtimeMs, tz: opts.tz, year: opts.year, format: opts.format, extra: opts.extra ?? {}, maxRatio: opts.maxRatio, ingestMs: opts.ingestMs, hybrid },
        {
          // Tracked: a rollback waits for a batch still loading (a worker lane is cancelled at once).
          onBatch: (batch) =>
            tx.track(async () => {
              if (isInterrupted()) throw new ParseCancelled();
              if (batch.kind === 'events') await addEvents(batch.file, batch.source);
              else await addWarnings(batch.file);
            }),
          onProgress: (raw, events) => progress.fileProgress(file, raw, events),
          isCancelled: isInterrupted,
        },
      );
      // Free-text lines: DuckDB reads the lines, JS parses them (fast/hybrid-lines.ts); declined, plain JS.
      const hybrid = fast === null ? null : await readHybrid(tx, file, opts.format, opts.maxRatio, isInterrupted, parse);
      if (hybrid?.kind === 'stored') {
        result = hybrid.result;
        readBy = 'hybrid';
        fastDeclined = undefined;
      } else {
        if (hybrid?.kind === 'declined') fastDeclined = hybrid.reason;
        result = await parse(false, (f, source) => tx.addEvents(f, source), (f) => tx.addWarnings(f));
      }
    }
    await earlierDone();
    steps.mark('wait-earlier');
    if (isInterrupted()) throw new ParseCancelled();
  } catch (err) {
    opts.signal?.removeEventListener('abort', interruptFast);
    await tx.rollback();
    if (isInterrupted()) return null;
    await earlierDone();
    const e = err as RunnerError & NodeJS.ErrnoException;
    const reason = e.code ? describeFsError(e) : `cannot ingest: ${firstLine(e.message)}`;
    const id = await recordWithoutContent(db, runId, file.path, file.absPath, file, 'failed', reason, tx.evidenceId, file.info);
    return { ...base, evidenceId: id, message: reason };
  }

  opts.signal?.removeEventListener('abort', interruptFast);
  const how = { readBy, ...(fastDeclined === undefined ? {} : { fastDeclined }) };
  // Every earlier file is committed now: a copy of one of them is seen, whatever the lanes did.
  const original = result.status === 'ingested' || result.status === 'partial' || result.status === 'recorded' ? await findStoredCopy(db, result.sha256, connections?.reads) : null;
  const row: EvidenceRow = {
    evidence_id: tx.evidenceId,
    run_id: runId,
    path: file.path,
    abs_path: file.absPath,
    size: file.size,
    mtime_ms: file.mtimeMs,
    sha256: result.sha256,
    compression: result.compression,
    format: result.format,
    parser_version: result.parserVersion,
    sniff_reason: result.sniffReason,
    status: result.status,
    message: result.message,
    lines: result.lines,
    record_lines: result.lines === null ? null : result.dispositions.record,
    continuation_lines: result.lines === null ? null : result.dispositions.continuation,
    meta_lines: result.lines === null ? null : result.dispositions.meta,
    blank_lines: result.lines === null ? null : result.dispositions.blank,
    warning_lines: result.lines === null ? null : result.dispositions.warning,
    events: result.events,
    warnings: result.warnings,
    first_ts_us: result.firstTs,
    last_ts_us: result.lastTs,
    year_shift: result.yearShift || null,
    duplicate_of: null,
    info: nonEmpty({ ...result.info, ...file.info, ...(result.yearInferred > 0 ? { year_order: YEAR_ORDER_PENDING } : {}) }),
  };
  if (result.bytes !== file.size) {
    row.info = { ...row.info, size_at_stat: file.size, bytes_read: result.bytes };
    row.message = [row.message, `the file changed size while it was read (${file.size} → ${result.bytes} bytes)`].filter(Boolean).join('; ');
  }
  if (original !== null) {
    await tx.rollback();
    const message = `same SHA-256 as evidence #${original.id} (${original.status}): recorded, no events added`;
    const dupRow: EvidenceRow = { ...row, status: 'duplicate', duplicate_of: original.id, events: 0, warnings: 0, first_ts_us: null, last_ts_us: null, year_shift: null, message, info: nonEmpty({ ...result.info, ...file.info }) };
    const conn = await db.connect();
    try {
      await insertEvidence(conn, dupRow);
    } finally {
      conn.closeSync();
    }
    return { ...base, status: 'duplicate', evidenceId: tx.evidenceId, format: result.format, message, sha256: result.sha256, heldAs: original.status, ...how };
  }
  steps.mark('copy-check');
  await tx.shiftInferredYears(result.yearShift);
  await tx.commit(row);
  steps.mark('commit');
  steps.write();
  return {
    path: file.path,
    status: result.status,
    evidenceId: tx.evidenceId,
    format: result.format,
    events: result.events,
    warnings: result.warnings,
    firstTsUs: result.firstTs,
    lastTsUs: result.lastTs,
    message: result.message,
    sha256: result.sha256,
    heldAs: result.status,
    implausibleTimes: Number(result.info.implausible_times ?? 0),
    relativeTimes: Number(result.info.relative_times ?? 0),
    ...how,
  };
}

/**
 * The committed evidence row holding content with this SHA-256, if any. Read on a connection of
 * its own, outside the file's transaction, whose snapshot would not see files committed since.
 */
async function findStoredCopy(db: CaseDb, sha256: string, reads?: LaneConnection): Promise<{ id: number; status: EvidenceStatus } | null> {
  const sql = `SELECT evidence_id AS id, status FROM evidence WHERE sha256 = $h AND status IN ('ingested', 'partial', 'recorded') ORDER BY evidence_id LIMIT 1`;
  if (reads) {
    // The lane's own auto-commit connection: each statement sees every file committed before it.
    const row = (await readPrepared(await reads.take(), sql, { h: sha256 })).getRowObjectsJS()[0];
    return row ? { id: Number(row.id), status: row.status as EvidenceStatus } : null;
  }
  const conn = await db.connect();
  try {
    const rows = await all<{ id: number; status: EvidenceStatus }>(conn, sql, { h: sha256 });
    return rows[0] ?? null;
  } finally {
    conn.closeSync();
  }
}

/**
 * Which paths an evidence row may hold when a file starts: those of the case's rows when the run
 * began, and those of the files started since. A path in neither cannot be already ingested, and
 * the query that looks for it (≈ 2–3 ms CPU a file, planned or not) is not run; a path given twice
 * in one run is still looked up.
 */
async function priorPaths(db: CaseDb): Promise<(absPath: string) => boolean> {
  const inCase = new Set((await db.all<{ p: string }>(`SELECT DISTINCT abs_path AS p FROM evidence WHERE abs_path IS NOT NULL`)).map((r) => r.p));
  const started = new Set<string>();
  return (absPath) => {
    const maybe = inCase.has(absPath) || started.has(absPath);
    started.add(absPath);
    return maybe;
  };
}

/** A lane's kept connections (see the lanes in ingest()). */
interface LaneConnections {
  files: LaneConnection;
  reads: LaneConnection;
}

/** Evidence rows for paths that could not be read: chain of custody records the attempt too. */
async function recordWithoutContent(
  db: CaseDb,
  runId: number,
  path: string,
  absPath: string,
  file: EvidenceFile | null,
  status: EvidenceStatus,
  message: string,
  /** The file's id in file order (EvidenceIds). */
  id: number,
  info: Record<string, unknown> | null = null,
): Promise<number> {
  await insertEvidence(db.conn, {
    evidence_id: id, run_id: runId, path, abs_path: absPath, size: file?.size ?? null, mtime_ms: file?.mtimeMs ?? null, sha256: null,
    compression: null, format: null, parser_version: null, sniff_reason: null, status, message, lines: null, record_lines: null,
    continuation_lines: null, meta_lines: null, blank_lines: null, warning_lines: null, events: 0, warnings: 0, first_ts_us: null,
    last_ts_us: null, year_shift: null, duplicate_of: null, info: info && Object.keys(info).length ? info : null,
  });
  return id;
}

/** null for an info object with nothing in it (as the evidence row always had). */
function nonEmpty(info: Record<string, unknown>): Record<string, unknown> | null {
  return Object.keys(info).length ? info : null;
}

/** DWELL_BATCH_BYTES: batch size knob for tuning and for tests that need many small batches. */
function batchBytesFromEnv(): number | undefined {
  const v = Number(process.env.DWELL_BATCH_BYTES);
  return Number.isInteger(v) && v >= 64 * 1024 ? v : undefined;
}

/** Library errors can carry whole data rows: keep the first line, and not too much of it. */
function firstLine(msg: string): string {
  const line = msg.split(/\\n|\n/)[0] ?? msg;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

function safeUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

