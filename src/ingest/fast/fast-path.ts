/**
 * The ingest's DuckDB fast path (docs/ingest-fast-path.md): for a format DuckDB's reader handles,
 * DuckDB reads the file itself and SQL kept beside the parser (src/parsers/*.sql.ts) writes the
 * same `events` rows the JS parser would. JS still reads the file once, in parallel, to hash it
 * and to check what the SQL cannot promise (scan.ts). Whenever anything is off — a line the SQL
 * does not cover, a bare CR, invalid UTF-8, a damaged gzip, a file that changed, a count that
 * does not match — the file's rows are rolled back and the caller reads it with the JS parser:
 * the fast path may decline a file, never store it differently.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, constants as fsc, type BigIntStats } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { restoreAccessTime } from '../../core/evidence-read.js';
import { parserByName } from '../../parsers/registry.js';
import { cloudTrailInsertSql, planCloudTrailFast, type CloudTrailFastPlan } from '../../parsers/cloudtrail.sql.js';
import { planVpcFast, vpcInsertSql, type VpcFastPlan } from '../../parsers/vpc-flow.sql.js';
import { planPgCsvlogFast, type PgCsvlogFastPlan } from '../../parsers/postgres-csvlog.sql.js';
import { nonCanonicalAddress, planZeekTsvFast, ZEEK_V6_ADDRESSES_SQL, zeekTsvHeaderSql, zeekTsvInsertSql, type ZeekFastPlan } from '../../parsers/zeek-tsv.sql.js';
import { Declined, readPgCsvlog, type PgCsvlogRead } from './pg-csvlog.js';
import { openEvidence, type EvidenceStream } from '../evidence-reader.js';
import type { EvidenceFile } from '../evidence-files.js';
import { EventSanity } from '../event-sanity.js';
import { noteTimeSanity, ParseCancelled, type ParseFileResult } from '../parse-file.js';
import { makeHead, sniff } from '../sniff.js';
import { readHead } from '../read-head.js';
import { LineEndScan, lineEndProblem, linesOf, type ScanResult } from './scan.js';
import { linesTableSql, withInsertionOrder, withoutInsertionOrder } from './read-lines.js';
import type { StepTiming } from './step-timing.js';
import { readPrepared, runPrepared } from '../../store/prepared-cache.js';

export interface FastOptions {
  format?: string;
  extra: Record<string, string>;
  maxRatio?: number;
  ingestMs: number;
  mtimeMs: number;
  /** DWELL_TIMING=1: the file's steps (step-timing.ts). */
  steps?: StepTiming;
}

export type FastOutcome = { kind: 'stored'; result: ParseFileResult } | { kind: 'declined'; reason: string };

const LINES_TABLE = 'dwell_fast_lines';
/** Formats with a SQL path. */
const SQL_FORMATS = new Set(['vpc_flow', 'cloudtrail', 'postgres_csvlog', 'zeek_tsv']);
/**
 * Formats read by DuckDB unless DWELL_FAST_FORMATS (a comma list of the above) says otherwise.
 * CloudTrail's SQL stores the same rows but was measured slower than its JS parser
 * (bench/RESULTS.md, docs/ingest-fast-path.md): it runs only when asked for. Zeek conn logs
 * measured 1.6× less CPU than their JS parser (2M records, median of 3; bench/RESULTS.md): on.
 */
const DEFAULT_FAST_FORMATS = ['vpc_flow', 'zeek_tsv'];

function fastFormats(): Set<string> {
  const env = process.env.DWELL_FAST_FORMATS;
  if (env === undefined || env.trim() === '') return new Set(DEFAULT_FAST_FORMATS);
  return new Set(env.split(',').map((f) => f.trim()).filter((f) => SQL_FORMATS.has(f)));
}
/** A line DuckDB may hold: CloudTrail's one-line Records documents are as long as the file (gzip: its trailer's size). */
const MAX_LINE = 4 << 20;
const MAX_DOCUMENT_LINE = 256 << 20;

type Plan =
  | { format: 'vpc_flow'; vpc: VpcFastPlan; header: string | null }
  | { format: 'cloudtrail'; ct: CloudTrailFastPlan; header: null }
  | { format: 'postgres_csvlog'; pg: PgCsvlogFastPlan; header: null }
  | { format: 'zeek_tsv'; zeek: ZeekFastPlan; header: null };

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
  const steps = opts.steps;
  const before = await fsp.stat(file.fsPath, { bigint: true });

  const ev = await openEvidence(file.fsPath, { maxRatio: opts.maxRatio });
  steps?.mark('open');
  let consumed = false;
  /** DuckDB opened the file (without O_NOATIME): its access time is put back however the read ends. */
  let duckdbOpened = false;
  try {
    if (ev.compression !== 'none' && ev.compression !== 'gzip') return declined(`${ev.compression} compression`);
    const { chunks: headChunks, head, ended, error, rest: iterator } = await readHead(ev);
    if (error) throw error;
    steps?.mark('head');
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return declined('byte order mark');
    const sniffHead = makeHead(file.absPath, head);
    let sniffReason: string;
    let format: string;
    const FAST_FORMATS = fastFormats();
    if (opts.format) {
      if (!parserByName(opts.format)) return declined('unknown format');
      sniffReason = `forced with --format ${opts.format}`;
      if (!FAST_FORMATS.has(opts.format)) return declined(`format ${opts.format} has no SQL path${SQL_FORMATS.has(opts.format) ? ' enabled (DWELL_FAST_FORMATS)' : ''}`);
      format = opts.format;
    } else {
      const s = sniff(sniffHead);
      const name = s.winner?.parser.name ?? '';
      if (!FAST_FORMATS.has(name)) return declined(`format ${name || 'unrecognized'} has no SQL path${SQL_FORMATS.has(name) ? ' enabled (DWELL_FAST_FORMATS)' : ''}`);
      sniffReason = s.reason;
      format = s.winner!.parser.name;
    }
    const parser = parserByName(format)!;
    steps?.mark('sniff');
    let plan: Plan;
    let maxLine = MAX_LINE;
    if (format === 'vpc_flow') {
      const vpc = planVpcFast(file.absPath, sniffHead.lines, opts.extra);
      if (typeof vpc === 'string') return declined(vpc);
      plan = { format, vpc, header: vpc.header };
    } else if (format === 'postgres_csvlog') {
      const pg = planPgCsvlogFast(sniffHead.lines, opts.extra);
      if (typeof pg === 'string') return declined(pg);
      plan = { format, pg, header: null };
    } else if (format === 'zeek_tsv') {
      const zeek = planZeekTsvFast(sniffHead.lines, opts.extra);
      if (typeof zeek === 'string') return declined(zeek);
      plan = { format, zeek, header: null };
    } else {
      const ct = planCloudTrailFast(file.absPath, sniffHead.lines, opts.extra);
      if (typeof ct === 'string') return declined(ct);
      plan = { format: 'cloudtrail', ct, header: null };
      if (ct.shape === 'records') {
        const size = ev.compression === 'gzip' ? await gzipTrailerSize(file.fsPath) : file.size;
        if (size === null || size + 2 > MAX_DOCUMENT_LINE) return declined('a Records document larger than the SQL path reads');
        maxLine = Math.max(MAX_LINE, size + 2);
      }
    }
    const newline: 1 | 2 = head.includes('\r\n') ? 2 : 1;
    steps?.mark('plan');
    if (plan.format === 'postgres_csvlog' && newline === 2) return declined('CRLF line ends (the csvlog SQL reads LF files)');

    // JS: the rest of the read (hash + scan), while DuckDB reads the same file.
    consumed = true;
    duckdbOpened = true;
    const scanning = scanRest(ev, headChunks, ended ? null : iterator, plan.format === 'cloudtrail');
    scanning.catch(() => undefined);
    const sanity = new EventSanity(opts.ingestMs);
    let counts: { lines: number; blank: number; meta: number; chars: number };
    let stored: { n: number; first_us: number | null; last_us: number | null; implausible: number };
    let pg: PgCsvlogRead | null = null;
    let zeekHeaders = 0;
    try {
      if (plan.format === 'postgres_csvlog') {
        pg = await readPgCsvlog(conn, eid, file.absPath, ev.compression === 'gzip' ? 'gzip' : 'none', sanity.plausibleUntilUs, maxLine, plan.pg.columns);
        counts = { lines: pg.lines, blank: pg.blank, meta: 0, chars: pg.chars };
      } else {
        await withInsertionOrder(conn, async () => {
          // Zeek: every `#` line (directives, #close, comments) is a meta line, not a record.
          // The file is a parameter: the statement is planned once per lane connection (read-lines.ts).
          const sql = linesTableSql(LINES_TABLE, null, ev.compression === 'gzip' ? 'gzip' : 'none', newline, plan.format === 'zeek_tsv' ? '#' : plan.header !== null, maxLine);
          await runPrepared(conn, sql, { path: file.absPath, ...(plan.header === null ? {} : { header: plan.header }) });
        });
        steps?.mark('lines');
        const params = { eid, until: sanity.plausibleUntilUs, ...(plan.header === null ? {} : { header: plan.header }) };
        if (plan.format === 'zeek_tsv') {
          const h = await one(conn, zeekTsvHeaderSql(plan.zeek, LINES_TABLE), {});
          if (Number(h.later) > 0) throw new Declined('a Zeek header line after the first record (a second header block: the JS parser changes layout)');
          zeekHeaders = Number(h.headers);
        }
        // Row order is no matter here (event_id and line come from the lines table): a parallel insert (read-lines.ts).
        // Planned once per lane connection (prepared-cache.ts): the lines table's name is the same for every file.
        await withoutInsertionOrder(conn, () => (steps?.mark('set-order'), runPrepared(conn,
          plan.format === 'vpc_flow' ? vpcInsertSql(plan.vpc, LINES_TABLE, newline) : plan.format === 'zeek_tsv' ? zeekTsvInsertSql(plan.zeek, LINES_TABLE, newline) : cloudTrailInsertSql(plan.ct, LINES_TABLE, newline),
          params,
        )));
        steps?.mark('insert');
        if (plan.format === 'zeek_tsv') {
          const v6 = (await conn.runAndReadAll(ZEEK_V6_ADDRESSES_SQL, { eid })).getRows().map((r) => String(r[0]));
          const odd = nonCanonicalAddress(v6);
          if (odd !== null) throw new Declined(`IPv6 address ${JSON.stringify(odd.slice(0, 60))} is not canonical (the ingest gate rewrites it)`);
        }
        const meta = plan.format === 'zeek_tsv' ? `count(*) FILTER (WHERE starts_with(text, '#'))` : plan.header === null ? '0' : 'count(*) FILTER (WHERE text = $header)';
        counts = (await one(conn,
          `SELECT count(*)::BIGINT AS lines, count(*) FILTER (WHERE text IS NULL)::BIGINT AS blank,
                  ${meta}::BIGINT AS meta,
                  coalesce(sum(strlen(text)), 0)::BIGINT AS chars
           FROM ${LINES_TABLE}`, plan.header === null ? {} : { header: plan.header })) as typeof counts;
        steps?.mark('counts');
        await conn.run(`DROP TABLE ${LINES_TABLE}`);
        steps?.mark('drop');
      }
      stored = (await one(conn,
        `SELECT count(*)::BIGINT AS n, epoch_us(min(ts)) AS first_us, epoch_us(max(ts)) AS last_us,
                count(*) FILTER (WHERE time_quality = 'implausible')::BIGINT AS implausible
         FROM events WHERE evidence_id = $eid`, { eid })) as typeof stored;
      steps?.mark('minmax');
      if (stored.implausible > 0) {
        const f = (await one(conn,
          `SELECT line, byte_offset, raw, epoch_us(ts) AS ts FROM events WHERE evidence_id = $eid AND time_quality = 'implausible' ORDER BY line LIMIT 1`,
          { eid })) as unknown as { line: number; byte_offset: number; raw: string; ts: number };
        sanity.counts.implausible = stored.implausible;
        sanity.counts.firstImplausible = f;
      }
    } catch (err) {
      ev.destroy();
      if (isCancelled()) throw new ParseCancelled();
      if (err instanceof Declined) return declined(err.message);
      return declined(`DuckDB: ${firstLine((err as Error).message)}`);
    }
    const scan = await scanning;
    steps?.mark('hash-wait');
    if (isCancelled()) throw new ParseCancelled();
    if (scan.error) return declined(`read: ${firstLine(scan.error.message)}`);
    const problem = lineEndProblem(scan.result, newline);
    if (problem) return declined(problem);
    // What DuckDB read is what was hashed: the same lines and the same bytes in them.
    const nl = newline === 2 ? 2 : 1;
    if (counts.lines !== linesOf(scan.result) || counts.chars !== scan.result.bytes - scan.result.lfs * nl) {
      return declined(`DuckDB read ${counts.lines} lines / ${counts.chars} characters, the hash pass ${linesOf(scan.result)} lines / ${scan.result.bytes} bytes`);
    }
    if (plan.format === 'cloudtrail' && plan.ct.shape === 'records') {
      // One document: its line, and blank lines around it.
      if (counts.lines - counts.blank !== 1) return declined('more than one line besides the Records document');
    } else if (pg) {
      if (stored.n !== pg.records || counts.lines !== pg.records + pg.continuation + counts.blank) return declined('record counts do not add up');
    } else if (counts.lines !== stored.n + counts.blank + counts.meta) return declined('line counts do not add up');
    const after = await fsp.stat(file.fsPath, { bigint: true });
    if (changed(before, after) || Number(after.size) !== file.size || Number(after.size) !== scan.digest.bytes) {
      return declined('the file changed while it was read');
    }
    steps?.mark('stat');

    const n = Number(stored.n);
    // The evidence info the JS parser writes, in its order (cloudtrail.ts finish(), then parse-file.ts).
    const info: Record<string, unknown> =
      plan.format === 'vpc_flow'
        ? { ...plan.vpc.info }
        : plan.format === 'postgres_csvlog'
          ? { ...pg!.info }
          : plan.format === 'zeek_tsv'
            ? { zeek_headers: zeekHeaders }
          : { ...plan.ct.info, layout: plan.ct.shape === 'records' ? 'Records' : 'objects', lines: linesOf(scan.result), record_warnings: 0, content_sha256: scan.contentSha256, records: n };
    const warnings: Array<{ line: number; byte_offset: number; raw: string; reason: string }> = [];
    noteTimeSanity(sanity, 0, opts.mtimeMs, info, (w) => warnings.push(w));
    for (const w of warnings) {
      await conn.run(`INSERT INTO parse_warnings VALUES ($eid, $line, $off, $raw, $reason)`, { eid, line: w.line, off: w.byte_offset, raw: w.raw, reason: w.reason });
    }
    const stream = plan.format === 'cloudtrail';
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
        // A stream parser (CloudTrail) reports records, not line dispositions.
        lines: stream ? null : Number(counts.lines),
        dispositions: stream ? { record: 0, continuation: 0, warning: 0, meta: 0, blank: 0 } : { record: n, continuation: pg ? pg.continuation : 0, warning: 0, meta: Number(counts.meta), blank: Number(counts.blank) },
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
    // Declined too: the JS reader that reads the file next would otherwise keep the moved time.
    if (duckdbOpened) await putBackAccessTime(file.fsPath, before).catch(() => undefined);
  }
}

interface RestScan {
  result: ScanResult;
  /** SHA-256 of the decompressed content, when asked for (CloudTrail's evidence info `content_sha256`). */
  contentSha256: string | null;
  digest: { sha256: string; bytes: number };
  error: Error | null;
}

/** The head already read, then the rest of the decompressed stream, scanned; then the digest. */
async function scanRest(ev: EvidenceStream, head: Buffer[], rest: AsyncIterator<Buffer> | null, contentHash: boolean): Promise<RestScan> {
  const scan = new LineEndScan();
  const content = contentHash ? createHash('sha256') : null;
  for (const c of head) {
    scan.push(c);
    content?.update(c);
  }
  let error: Error | null = null;
  if (rest) {
    try {
      for (;;) {
        const r = await rest.next();
        if (r.done) break;
        scan.push(r.value);
        content?.update(r.value);
      }
    } catch (err) {
      error = err as Error;
      ev.skipRest();
    }
  }
  const digest = await ev.digest;
  return { result: scan.result, contentSha256: content ? content.digest('hex') : null, digest, error };
}

/** The uncompressed size a gzip file's trailer states (of its last member), or null. */
async function gzipTrailerSize(path: string): Promise<number | null> {
  const fh = await fsp.open(path, fsc.O_RDONLY | ((fsc as Record<string, number>).O_NOATIME ?? 0)).catch(() => fsp.open(path, fsc.O_RDONLY));
  try {
    const size = (await fh.stat()).size;
    if (size < 18) return null;
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, size - 4);
    return b.readUInt32LE(0);
  } finally {
    await fh.close();
  }
}

export function changed(a: BigIntStats, b: BigIntStats): boolean {
  return a.size !== b.size || a.mtimeNs !== b.mtimeNs || a.ino !== b.ino || a.dev !== b.dev;
}

/**
 * DuckDB opens the file without O_NOATIME: put the access time back as the JS reader does
 * (core/evidence-read.ts), through a descriptor of our own.
 */
export async function putBackAccessTime(path: string, before: BigIntStats): Promise<void> {
  const after = await fsp.stat(path, { bigint: true });
  if (after.atimeNs === before.atimeNs) return;
  const fh = await fsp.open(path, fsc.O_RDONLY | ((fsc as Record<string, number>).O_NOATIME ?? 0)).catch(() => fsp.open(path, fsc.O_RDONLY));
  try {
    await restoreAccessTime(fh, before).catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** The first row of a query on the file's connection (planned once per connection: prepared-cache.ts). */
async function one(conn: DuckDBConnection, sql: string, params: Record<string, string | number | null>): Promise<Record<string, number | null>> {
  const reader = await readPrepared(conn, sql, params);
  const row = reader.getRowObjectsJS()[0]!;
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : (v as number | null);
  return out;
}

export function firstLine(msg: string): string {
  const line = msg.split('\n')[0] ?? msg;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
