/**
 * The hybrid read for free-text line formats (docs/ingest-fast-path.md, "Hybrid"): DuckDB reads the
 * evidence lines itself while the JS parser reads the same file in its worker; JS stages only the
 * parsed fields, keyed by line number, and each staged batch is joined to DuckDB's lines in the
 * load — `raw`, `byte_offset` and `byte_length` of an event that is exactly one line come from
 * DuckDB's read, so the text never crosses from JS to DuckDB. Events that are not one whole line
 * (continuations, forwarded records sharing a line, cut lines) are staged with their own raw.
 *
 * Custody as for the SQL fast path: DuckDB's lines and characters must equal the JS pass's, the
 * file must not have changed, the access time DuckDB's open moved is put back. Anything off — a
 * bare CR, NUL, invalid UTF-8 (DuckDB refuses it), a count that differs — declines: the caller
 * rolls the file back and reads it with the plain JS path.
 *
 * A format joins by being listed in HYBRID_CAPABLE: its JS parser needs nothing special (the
 * staging side is in parse-file.ts, `opts.hybrid`).
 */
import { promises as fsp, type BigIntStats } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_ID_SHIFT, loadStagedWarnings, objectLimitOf, type EvidenceTransaction } from '../../store/evidence-writer.js';
import { EVENT_STAGING, stagingSource } from '../../store/staging-rows.js';
import { openEvidence } from '../evidence-reader.js';
import type { EvidenceFile } from '../evidence-files.js';
import type { ParseFileResult } from '../parse-file.js';
import { makeHead, sniff } from '../sniff.js';
import { readHead } from '../read-head.js';
import { changed, firstLine, putBackAccessTime } from './fast-path.js';
import { linesTableSql, withInsertionOrder } from './read-lines.js';
import { lineEndProblem, linesOf } from './scan.js';

/** Line formats with a hybrid read (free-text syslog; PostgreSQL stderr and MySQL logs could follow). */
const HYBRID_CAPABLE = new Set(['auth_log']);
/**
 * Off unless DWELL_HYBRID_FORMATS (a comma list of the above) asks for it: on 3M auth lines it
 * measured 1.56x slower than the plain JS path (bench/RESULTS.md), like CloudTrail's SQL path.
 */
function hybridFormats(): Set<string> {
  const env = process.env.DWELL_HYBRID_FORMATS ?? '';
  return new Set(env.split(',').map((f) => f.trim()).filter((f) => HYBRID_CAPABLE.has(f)));
}

const LINES = 'dwell_hybrid_lines';
const BATCH = 'dwell_hybrid_batch';

/** Raised to stop the JS parse when the hybrid read cannot go on; the caller reads the file again with plain JS. */
export class HybridDeclined extends Error {}

export interface HybridPlan {
  format: string;
  compression: 'none' | 'gzip';
  newline: 1 | 2;
  before: BigIntStats;
}

/**
 * How `file` can be read the hybrid way; null when its format has no hybrid read, the reason as a
 * string when it has one but this file cannot take it.
 */
export async function planHybrid(file: EvidenceFile, format: string | undefined, maxRatio: number | undefined): Promise<HybridPlan | string | null> {
  const HYBRID_FORMATS = hybridFormats();
  if (HYBRID_FORMATS.size === 0 || (format !== undefined && !HYBRID_FORMATS.has(format))) return null;
  const before = await fsp.stat(file.fsPath, { bigint: true });
  const ev = await openEvidence(file.fsPath, { maxRatio });
  try {
    // Other compressions are the JS reader's (their decoders are not DuckDB's): not even the head is read here.
    if (ev.compression !== 'none' && ev.compression !== 'gzip') return null;
    const { head, error } = await readHead(ev);
    if (error) throw error;
    const name = format ?? sniff(makeHead(file.absPath, head)).winner?.parser.name ?? '';
    if (!HYBRID_FORMATS.has(name)) return null;
    if (typeof file.fsPath !== 'string' || file.fsPath !== file.absPath) return 'file name is not UTF-8';
    // DuckDB expands globs and reads URLs: only a plain absolute path goes to it.
    if (!file.absPath.startsWith('/') || /[*?[\]{}\\]/.test(file.absPath)) return 'path has glob or escape characters';
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'byte order mark';
    return { format: name, compression: ev.compression, newline: head.includes('\r\n') ? 2 : 1, before };
  } finally {
    ev.destroy();
  }
}

/**
 * One file's hybrid load in its evidence transaction on `conn`: start() has DuckDB read the lines
 * (while the JS parser runs in its worker), addEvents() loads each staged batch joined to them,
 * finish() checks the read against the JS pass and drops the lines.
 */
export class HybridLoad {
  private reading: Promise<void> | null = null;
  private opened = false;
  /** Why a batch could not be loaded (the in-process runner turns a thrown batch into a 'partial' parse: remembered here). */
  private failed: string | null = null;
  private staged = false;
  private source = '';

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly evidenceId: number,
    private readonly file: EvidenceFile,
    private readonly plan: HybridPlan,
  ) {}

  start(): void {
    this.opened = true;
    this.reading = withInsertionOrder(this.conn, () => this.conn.run(linesTableSql(LINES, this.file.absPath, this.plan.compression, this.plan.newline, false)).then(() => undefined));
    this.reading.catch(() => undefined);
  }

  private async lines(): Promise<void> {
    try {
      await this.reading;
    } catch (err) {
      throw new HybridDeclined(`DuckDB: ${firstLine((err as Error).message)}`);
    }
  }

  /** Loads one staging file of events (then deletes it). */
  async addEvents(stagingFile: string, source: string): Promise<void> {
    try {
      await this.load(stagingFile, source);
    } catch (err) {
      this.failed ??= err instanceof HybridDeclined ? err.message : `DuckDB: ${firstLine((err as Error).message)}`;
      throw err instanceof HybridDeclined ? err : new HybridDeclined(this.failed);
    }
  }

  /** Warnings are the JS path's; they wait for DuckDB's read, which holds the connection. */
  async addWarnings(stagingFile: string): Promise<void> {
    await this.lines();
    await loadStagedWarnings(this.conn, stagingFile, this.evidenceId);
  }

  /**
   * Staged rows are gathered in one temp table and joined to the lines once, in finish(): a join
   * per batch scanned the whole lines table each time (measured: quadratic on 3M lines).
   */
  private async load(stagingFile: string, source: string): Promise<void> {
    await this.lines();
    this.source = source;
    const { columns, from } = stagingSource(stagingFile, EVENT_STAGING, objectLimitOf(stagingFile));
    try {
      await this.conn.run(this.staged ? `INSERT INTO ${BATCH} SELECT ${columns} FROM ${from}` : `CREATE TEMP TABLE ${BATCH} AS SELECT ${columns} FROM ${from}`);
      this.staged = true;
    } finally {
      await fsp.rm(stagingFile, { force: true });
    }
  }

  /** The staged rows into events, joined to DuckDB's lines: raw and offsets of whole-line rows from the read. */
  private async join(): Promise<void> {
    if (!this.staged) return;
    const nl = this.plan.newline;
    // A whole-line event (raw not staged) must find its line with text; error() otherwise fails the statement.
    await this.conn.run(
      `INSERT INTO events SELECT
         $eid::BIGINT * ${EVENT_ID_SHIFT} + s.seq, make_timestamp(s.ts_us), make_timestamp(s.ts_end_us), s.time_quality, $source,
         s.class, s.action, s.outcome, s.host, s.actor, s.src_ip, s.src_port, s.dst_ip, s.dst_port, s.protocol, s.session, s.access_key, s.target,
         s."database", s.bytes_in, s.bytes_out, s.packets_in, s.packets_out, s."rows", s.command, s.community_id, s.user_agent, s.summary,
         s.attrs, $eid, s.line,
         CASE WHEN s.raw IS NULL THEN l.end_offset - strlen(l.text) - ${nl} ELSE s.byte_offset END,
         CASE WHEN s.raw IS NULL THEN strlen(l.text) + ${nl - 1} ELSE s.byte_length END,
         CASE WHEN s.raw IS NOT NULL THEN s.raw WHEN l.text IS NOT NULL THEN l.text ELSE error('hybrid read: no text for line ' || s.line) END
       FROM ${BATCH} s LEFT JOIN ${LINES} l ON l.line = s.line`,
      { eid: this.evidenceId, source: this.source },
    );
  }

  /** Checks DuckDB's read against the JS pass (`result`); returns why it declines, or null when the file is stored. */
  async finish(result: ParseFileResult): Promise<string | null> {
    if (this.failed !== null) return this.failed;
    try {
      await this.lines();
    } catch (err) {
      return (err as Error).message;
    }
    if (result.format !== this.plan.format) return `the JS parser read it as ${result.format ?? 'nothing'}`;
    const scan = result.scan;
    if (!scan) return 'no line scan';
    const problem = lineEndProblem(scan, this.plan.newline);
    if (problem) return problem;
    if (result.info.invalid_utf8_lines !== undefined) return 'invalid UTF-8';
    const c = (await this.conn.runAndReadAll(`SELECT count(*)::BIGINT AS lines, coalesce(sum(strlen(text)), 0)::BIGINT AS chars FROM ${LINES}`)).getRowObjectsJS()[0]!;
    const lines = Number(c.lines);
    const chars = Number(c.chars);
    // What DuckDB read is what JS hashed and parsed: the same lines and the same bytes in them.
    if (lines !== linesOf(scan) || lines !== result.lines || chars !== scan.bytes - scan.lfs * this.plan.newline) {
      return `DuckDB read ${lines} lines / ${chars} characters, the JS pass ${result.lines} lines / ${scan.bytes} bytes`;
    }
    try {
      await this.join();
    } catch (err) {
      return `DuckDB: ${firstLine((err as Error).message)}`;
    }
    await this.conn.run(`DROP TABLE IF EXISTS ${BATCH}`);
    await this.conn.run(`DROP TABLE ${LINES}`);
    const after = await fsp.stat(this.file.absPath, { bigint: true });
    if (changed(this.plan.before, after) || Number(after.size) !== this.file.size || result.bytes !== this.file.size) return 'the file changed while it was read';
    return null;
  }

  /** However the read ended: DuckDB's statements finished, the access time its open moved put back. */
  async close(): Promise<void> {
    await this.reading?.catch(() => undefined);
    if (this.opened) await putBackAccessTime(this.file.absPath, this.plan.before).catch(() => undefined);
  }
}

export type HybridOutcome = { kind: 'stored'; result: ParseFileResult } | { kind: 'declined'; reason: string };
type Parse = (hybrid: boolean, addEvents: (file: string, source: string) => Promise<void>, addWarnings: (file: string) => Promise<void>) => Promise<ParseFileResult>;

/**
 * Reads `file` the hybrid way into `tx` with `parse` (the pipeline's JS run, told to stage whole
 * lines without their text). null: the format has no hybrid read. Declined: `tx` is rolled back
 * and restarted, for the caller to read the file with plain JS. Ctrl-C and other errors propagate.
 */
export async function readHybrid(tx: EvidenceTransaction, file: EvidenceFile, format: string | undefined, maxRatio: number | undefined, isInterrupted: () => boolean, parse: Parse): Promise<HybridOutcome | null> {
  let plan: HybridPlan | string | null;
  try {
    plan = await planHybrid(file, format, maxRatio);
  } catch (err) {
    // Unreadable, vanished: the JS path reads it and says what it found.
    plan = `read: ${firstLine((err as Error).message)}`;
  }
  if (plan === null) return null;
  if (typeof plan === 'string') return { kind: 'declined', reason: `hybrid: ${plan}` };
  const load = new HybridLoad(tx.connection, tx.evidenceId, file, plan);
  let reason: string | null;
  let result: ParseFileResult | null = null;
  try {
    load.start();
    result = await parse(true, (f, source) => load.addEvents(f, source), (f) => load.addWarnings(f));
    reason = await load.finish(result);
  } catch (err) {
    if (isInterrupted() || !(err instanceof HybridDeclined)) throw err;
    reason = err.message;
  } finally {
    await load.close();
  }
  if (reason === null && result) return { kind: 'stored', result };
  await tx.restart();
  return { kind: 'declined', reason: `hybrid: ${reason}` };
}
