/**
 * The ingest's DuckDB fast path (docs/ingest-fast-path.md): for a format DuckDB's reader handles,
 * DuckDB reads the file itself and SQL kept beside the parser (src/parsers/*.sql.ts) writes the
 * same `events` rows the JS parser would. JS still reads the file once, in parallel, to hash it
 * and to check what the SQL cannot promise (scan.ts). Whenever anything is off — a line the SQL
 * does not cover, a bare CR, invalid UTF-8, a damaged gzip, a file that changed, a count that
 * does not match — the file's rows are rolled back and the caller reads it with the JS parser:
 * the fast path may decline a file, never store it differently.
 */
import { promises as fsp, constants as fsc, type BigIntStats } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { restoreAccessTime } from '../../core/evidence-read.js';
import { parserByName } from '../../parsers/registry.js';
import { planVpcFast, vpcInsertSql } from '../../parsers/vpc-flow.sql.js';
import { openEvidence, type EvidenceStream } from '../evidence-reader.js';
import type { EvidenceFile } from '../evidence-files.js';
import { EventSanity } from '../event-sanity.js';
import { noteTimeSanity, ParseCancelled, type ParseFileResult } from '../parse-file.js';
import { makeHead, sniff, SNIFF_BYTES } from '../sniff.js';
import { LineEndScan, lineEndProblem, linesOf, type ScanResult } from './scan.js';
import { linesTableSql, withInsertionOrder } from './read-lines.js';

export interface FastOptions {
  format?: string;
  extra: Record<string, string>;
  maxRatio?: number;
  ingestMs: number;
  mtimeMs: number;
}

export type FastOutcome = { kind: 'stored'; result: ParseFileResult } | { kind: 'declined'; reason: string };

const LINES_TABLE = 'dwell_fast_lines';

/**
 * Reads `file` into the open transaction on `conn` (evidence id `eid`) through DuckDB, or declines
 * with the reason, leaving the transaction for the caller to roll back. Throws ParseCancelled when
 * `isCancelled()` (Ctrl-C): the caller rolls back and stops, as for the JS path.
 */
export async function tryFastPath(conn: DuckDBConnection, eid: number, file: EvidenceFile, opts: FastOptions, isCancelled: () => boolean): Promise<FastOutcome> {
  try {
    return await fastPath(conn, eid, file, opts, isCancelled);
  } catch (err) {
    // Unreadable, damaged, vanished: the JS path reads it again and says what it found.
    if (err instanceof ParseCancelled || isCancelled()) throw new ParseCancelled();
    return { kind: 'declined', reason: `read: ${firstLine((err as Error).message)}` };
  }
}

async function fastPath(conn: DuckDBConnection, eid: number, file: EvidenceFile, opts: FastOptions, isCancelled: () => boolean): Promise<FastOutcome> {
  const declined = (reason: string): FastOutcome => ({ kind: 'declined', reason });
  if (typeof file.fsPath !== 'string' || file.fsPath !== file.absPath) return declined('file name is not UTF-8');
  // DuckDB expands globs and reads URLs: only a plain absolute path goes to it.
  if (!file.absPath.startsWith('/') || /[*?[\]{}\\]/.test(file.absPath)) return declined('path has glob or escape characters');
  const before = await fsp.stat(file.fsPath, { bigint: true });

  const ev = await openEvidence(file.fsPath, { maxRatio: opts.maxRatio });
  let consumed = false;
  try {
    if (ev.compression !== 'none' && ev.compression !== 'gzip') return declined(`${ev.compression} compression`);
    const iterator = ev.data[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const headChunks: Buffer[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < SNIFF_BYTES) {
      const r = await iterator.next();
      if (r.done) {
        ended = true;
        break;
      }
      headChunks.push(r.value);
      headBytes += r.value.length;
    }
    const head = Buffer.concat(headChunks);
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return declined('byte order mark');
    const sniffHead = makeHead(file.absPath, head);
    let sniffReason: string;
    if (opts.format) {
      if (!parserByName(opts.format)) return declined('unknown format');
      sniffReason = `forced with --format ${opts.format}`;
      if (opts.format !== 'vpc_flow') return declined(`format ${opts.format} has no SQL path`);
    } else {
      const s = sniff(sniffHead);
      if (s.winner?.parser.name !== 'vpc_flow') return declined(`format ${s.winner?.parser.name ?? 'unrecognized'} has no SQL path`);
      sniffReason = s.reason;
    }
    const parser = parserByName('vpc_flow')!;
    const plan = planVpcFast(file.absPath, sniffHead.lines, opts.extra);
    if (typeof plan === 'string') return declined(plan);
    const newline: 1 | 2 = head.includes('\r\n') ? 2 : 1;

    // JS: the rest of the read (hash + scan), while DuckDB reads the same file.
    consumed = true;
    const scanning = scanRest(ev, headChunks, ended ? null : iterator);
    scanning.catch(() => undefined);
    const sanity = new EventSanity(opts.ingestMs);
    let counts: { lines: number; blank: number; meta: number; chars: number };
    let stored: { n: number; first_us: number | null; last_us: number | null; implausible: number };
    try {
      await withInsertionOrder(conn, async () => {
        const sql = linesTableSql(LINES_TABLE, file.absPath, ev.compression === 'gzip' ? 'gzip' : 'none', newline, plan.header !== null);
        await conn.run(sql, plan.header === null ? {} : { header: plan.header });
      });
      const params = { eid, until: sanity.plausibleUntilUs, ...(plan.header === null ? {} : { header: plan.header }) };
      await conn.run(vpcInsertSql(plan, LINES_TABLE, newline), params);
      counts = (await one(conn,
        `SELECT count(*)::BIGINT AS lines, count(*) FILTER (WHERE text IS NULL)::BIGINT AS blank,
                ${plan.header === null ? '0' : 'count(*) FILTER (WHERE text = $header)'}::BIGINT AS meta,
                coalesce(sum(strlen(text)), 0)::BIGINT AS chars
         FROM ${LINES_TABLE}`, plan.header === null ? {} : { header: plan.header })) as typeof counts;
      stored = (await one(conn,
        `SELECT count(*)::BIGINT AS n, epoch_us(min(ts)) AS first_us, epoch_us(max(ts)) AS last_us,
                count(*) FILTER (WHERE time_quality = 'implausible')::BIGINT AS implausible
         FROM events WHERE evidence_id = $eid`, { eid })) as typeof stored;
      if (stored.implausible > 0) {
        const f = (await one(conn,
          `SELECT line, byte_offset, raw, epoch_us(ts) AS ts FROM events WHERE evidence_id = $eid AND time_quality = 'implausible' ORDER BY line LIMIT 1`,
          { eid })) as unknown as { line: number; byte_offset: number; raw: string; ts: number };
        sanity.counts.implausible = stored.implausible;
        sanity.counts.firstImplausible = f;
      }
      await conn.run(`DROP TABLE ${LINES_TABLE}`);
    } catch (err) {
      ev.destroy();
      if (isCancelled()) throw new ParseCancelled();
      return declined(`DuckDB: ${firstLine((err as Error).message)}`);
    }
    const scan = await scanning;
    if (isCancelled()) throw new ParseCancelled();
    if (scan.error) return declined(`read: ${firstLine(scan.error.message)}`);
    const problem = lineEndProblem(scan.result, newline);
    if (problem) return declined(problem);
    // What DuckDB read is what was hashed: the same lines and the same bytes in them.
    const nl = newline === 2 ? 2 : 1;
    if (counts.lines !== linesOf(scan.result) || counts.chars !== scan.result.bytes - scan.result.lfs * nl) {
      return declined(`DuckDB read ${counts.lines} lines / ${counts.chars} characters, the hash pass ${linesOf(scan.result)} lines / ${scan.result.bytes} bytes`);
    }
    if (counts.lines !== stored.n + counts.blank + counts.meta) return declined('line counts do not add up');
    const after = await fsp.stat(file.fsPath, { bigint: true });
    if (changed(before, after) || Number(after.size) !== file.size || Number(after.size) !== scan.digest.bytes) {
      return declined('the file changed while it was read');
    }
    await putBackAccessTime(file.fsPath, before, after);

    const info: Record<string, unknown> = { ...plan.info };
    const warnings: Array<{ line: number; byte_offset: number; raw: string; reason: string }> = [];
    noteTimeSanity(sanity, 0, opts.mtimeMs, info, (w) => warnings.push(w));
    for (const w of warnings) {
      await conn.run(`INSERT INTO parse_warnings VALUES ($eid, $line, $off, $raw, $reason)`, { eid, line: w.line, off: w.byte_offset, raw: w.raw, reason: w.reason });
    }
    const n = Number(stored.n);
    return {
      kind: 'stored',
      result: {
        status: 'ingested',
        compression: ev.compression,
        format: parser.name,
        parserVersion: parser.version,
        sniffReason,
        sha256: scan.digest.sha256,
        bytes: scan.digest.bytes,
        message: null,
        lines: Number(counts.lines),
        dispositions: { record: n, continuation: 0, warning: 0, meta: Number(counts.meta), blank: Number(counts.blank) },
        events: n,
        warnings: warnings.length,
        firstTs: stored.first_us === null ? null : Number(stored.first_us),
        lastTs: stored.last_us === null ? null : Number(stored.last_us),
        yearShift: 0,
        yearInferred: 0,
        info,
      },
    };
  } finally {
    if (!consumed) ev.destroy();
  }
}

interface RestScan {
  result: ScanResult;
  digest: { sha256: string; bytes: number };
  error: Error | null;
}

/** The head already read, then the rest of the decompressed stream, scanned; then the digest. */
async function scanRest(ev: EvidenceStream, head: Buffer[], rest: AsyncIterator<Buffer> | null): Promise<RestScan> {
  const scan = new LineEndScan();
  for (const c of head) scan.push(c);
  let error: Error | null = null;
  if (rest) {
    try {
      for (;;) {
        const r = await rest.next();
        if (r.done) break;
        scan.push(r.value);
      }
    } catch (err) {
      error = err as Error;
      ev.skipRest();
    }
  }
  const digest = await ev.digest;
  return { result: scan.result, digest, error };
}

function changed(a: BigIntStats, b: BigIntStats): boolean {
  return a.size !== b.size || a.mtimeNs !== b.mtimeNs || a.ino !== b.ino || a.dev !== b.dev;
}

/**
 * DuckDB opens the file without O_NOATIME: put the access time back as the JS reader does
 * (core/evidence-read.ts), through a descriptor of our own.
 */
async function putBackAccessTime(path: string, before: BigIntStats, after: BigIntStats): Promise<void> {
  if (after.atimeNs === before.atimeNs) return;
  const fh = await fsp.open(path, fsc.O_RDONLY | ((fsc as Record<string, number>).O_NOATIME ?? 0)).catch(() => fsp.open(path, fsc.O_RDONLY));
  try {
    await restoreAccessTime(fh, before).catch(() => undefined);
  } finally {
    await fh.close();
  }
}

async function one(conn: DuckDBConnection, sql: string, params: Record<string, string | number | null>): Promise<Record<string, number | null>> {
  const reader = await conn.runAndReadAll(sql, params);
  const row = reader.getRowObjectsJS()[0]!;
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : (v as number | null);
  return out;
}

function firstLine(msg: string): string {
  const line = msg.split('\n')[0] ?? msg;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
