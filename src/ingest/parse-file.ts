/**
 * Parses one evidence file into CSV batches: read once (hash + decompress), sniff the head, run
 * the parser, encode events and warnings. Runs in a worker thread during `dwell ingest` (so the
 * main thread is free to hand batches to DuckDB) or in-process; it never touches the case.
 */
import { Readable } from 'node:stream';
import type { DwellEvent } from '../core/event.js';
import { LocalZone } from '../core/time.js';
import { parserByName } from '../parsers/registry.js';
import type { LineDisposition, ParseContext, ParseWarning, SourceParser } from '../parsers/types.js';
import { encodeEvent, encodeWarning } from '../store/staging-rows.js';
import { DecodeError, openEvidence, type Compression, type EvidenceStream } from './evidence-reader.js';
import { EventSanity, PLAUSIBLE_FROM_US } from './event-sanity.js';
import { BatchFile } from './batch-file.js';
import { LineSplitter } from './line-splitter.js';
import { makeHead, sniff } from './sniff.js';
import { readHead } from './read-head.js';
import { LineEndScan, type ScanResult } from './fast/scan.js';

export interface ParseFileOptions {
  /** The file's path (display form: what parsers and messages see). */
  path: string;
  /** What opens it when that differs from `path`: the name's exact bytes (not UTF-8; see core/evidence-path.ts). */
  readPath?: string | Uint8Array;
  /** Folder for staging batch files (beside the case, never beside the evidence). */
  stagingDir: string;
  mtimeMs: number;
  tz: string;
  year?: number;
  format?: string;
  extra: Record<string, string>;
  /** Bytes per batch file handed to the store. */
  batchBytes?: number;
  /** Warnings stored individually per file; beyond, they are counted. */
  maxStoredWarnings?: number;
  /** Decompression ratio at which a compressed file stops being read (0 = no limit; default 1000). */
  maxRatio?: number;
  /** When the ingest started (ms since the epoch): times more than a day later are implausible. Default: now. */
  ingestMs?: number;
  /**
   * DuckDB reads this file's lines itself (fast/hybrid-lines.ts): an event that is exactly one
   * whole line is staged without raw, byte_offset and byte_length, and the result carries the
   * line-end scan the load checks DuckDB's read against.
   */
  hybrid?: boolean;
}

export interface Batch {
  kind: 'events' | 'warnings';
  /** The `source` of the events (the parser's source name). */
  source: string;
  /** Staging CSV file holding the rows; the store deletes it once loaded. */
  file: string;
  count: number;
}

export type FileStatus = 'ingested' | 'partial' | 'unrecognized' | 'skipped' | 'recorded' | 'failed';

export interface ParseFileResult {
  status: FileStatus;
  compression: Compression;
  format: string | null;
  parserVersion: string | null;
  sniffReason: string;
  sha256: string;
  bytes: number;
  message: string | null;
  lines: number | null;
  dispositions: Record<LineDisposition, number>;
  events: number;
  warnings: number;
  firstTs: number | null;
  lastTs: number | null;
  yearShift: number;
  /** Events whose year was inferred (year-less syslog): their file's rotation order is checked after the run. */
  yearInferred: number;
  info: Record<string, unknown>;
  /** Line ends, NULs and bytes of the decompressed content (hybrid reads only). */
  scan?: ScanResult;
}

export interface ParseFileHooks {
  /** Called with each full batch; the parse waits for it (back-pressure). */
  onBatch(batch: Batch): Promise<void>;
  /** Raw bytes read so far, for progress. */
  onProgress?(rawBytes: number, events: number): void;
  /** Checked between chunks: true stops the parse with a ParseCancelled error (Ctrl-C). */
  isCancelled?(): boolean;
}

/** The parse was stopped from outside (the ingest was interrupted); nothing of the file is kept. */
export class ParseCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

const DEFAULT_MAX_WARNINGS = 10_000;
const WARNING_TEXT = 512;
/** A summary is one readable line; the full text stays in raw/command. */
const MAX_SUMMARY = 1000;
const MAX_TEXT = 1 << 20;


export async function parseFile(opts: ParseFileOptions, hooks: ParseFileHooks): Promise<ParseFileResult> {
  // A Buffer crosses to a worker thread as a plain Uint8Array: make it a Buffer again.
  const readPath = opts.readPath === undefined ? opts.path : typeof opts.readPath === 'string' ? opts.readPath : Buffer.from(opts.readPath);
  const ev = await openEvidence(readPath, { maxRatio: opts.maxRatio });
  try {
    return await parseOpened(ev, opts, hooks);
  } catch (err) {
    // Whatever went wrong, the file is closed (a long-lived parse thread must not keep it open).
    ev.destroy();
    throw err;
  }
}

async function parseOpened(ev: EvidenceStream, opts: ParseFileOptions, hooks: ParseFileHooks): Promise<ParseFileResult> {
  const checkCancelled = () => {
    if (hooks.isCancelled?.()) {
      ev.destroy();
      throw new ParseCancelled();
    }
  };
  const maxWarnings = opts.maxStoredWarnings ?? DEFAULT_MAX_WARNINGS;
  const dispositions: Record<LineDisposition, number> = { record: 0, continuation: 0, warning: 0, meta: 0, blank: 0 };
  const info: Record<string, unknown> = {};
  let events = 0;
  let warnings = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  let yearShift = 0;
  let yearInferred = 0;
  let sourceName = 'unknown';
  let recordOnlyReason: string | null = null;
  const sanity = new EventSanity(opts.ingestMs ?? Date.now());

  // Batches are built synchronously by the parser; handing them over is async. We queue them and
  // let the reading loop await the queue between chunks, which is where back-pressure applies.
  const queue: Batch[] = [];
  const flushQueue = async () => {
    while (queue.length > 0) await hooks.onBatch(queue.shift()!);
  };
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const eventBatches = new BatchFile(opts.stagingDir, `events-${tag}`, (b) => queue.push({ kind: 'events', source: sourceName, file: b.file, count: b.count }), opts.batchBytes);
  const warnBatches = new BatchFile(opts.stagingDir, `warnings-${tag}`, (b) => queue.push({ kind: 'warnings', source: sourceName, file: b.file, count: b.count }), 1 << 20);
  const cutEvents = () => eventBatches.cut();
  // Hybrid reads: where the last lines started and how long they were (a ring; an event is emitted
  // a few lines after its own, when the next record starts), to tell an event that is exactly its line.
  const RING = 64;
  const ringNo = new Float64Array(RING).fill(-1);
  const ringOff = new Float64Array(RING);
  const ringLen = new Float64Array(RING);
  const hybrid = opts.hybrid === true;
  const lineEnds = hybrid ? new LineEndScan() : null;
  const isWholeLine = (e: DwellEvent): boolean => {
    const i = e.line % RING;
    return ringNo[i] === e.line && ringOff[i] === e.byte_offset && ringLen[i] === e.byte_length && e.byte_length <= MAX_TEXT && e.raw.indexOf('\n') < 0;
  };
  const cutWarnings = () => warnBatches.cut();

  const warn = (w: ParseWarning) => {
    warnings++;
    if (warnings <= maxWarnings) {
      warnBatches.add(encodeWarning(w.line, w.byte_offset, w.raw.slice(0, WARNING_TEXT), w.reason));
    }
  };

  const ctx: ParseContext = {
    path: opts.path,
    mtimeMs: opts.mtimeMs,
    options: { tz: new LocalZone(opts.tz), year: opts.year, extra: opts.extra },
    emit(e: DwellEvent) {
      if (!Number.isFinite(e.ts)) {
        warn({ line: e.line, byte_offset: e.byte_offset, raw: e.raw, reason: 'record has no valid time; kept as a warning' });
        return;
      }
      // Canonical addresses and sane times, whatever the parser (event-sanity.ts).
      sanity.apply(e);
      if (e.summary.length > MAX_SUMMARY) e.summary = e.summary.slice(0, MAX_SUMMARY) + '…';
      // Decided before raw is bounded: a line cut here is not the line DuckDB holds.
      const lineHeld = hybrid && isWholeLine(e);
      // Bounded rows (the evidence keeps every byte; offset and length lead back to it).
      if (e.raw.length > MAX_TEXT) e.raw = e.raw.slice(0, MAX_TEXT);
      if (e.command && e.command.length > MAX_TEXT) e.command = e.command.slice(0, MAX_TEXT);
      eventBatches.add(encodeEvent(events, e, lineHeld));
      events++;
      if (e.time_quality === 'year_inferred') yearInferred++;
      if (firstTs === null || e.ts < firstTs) firstTs = e.ts;
      if (lastTs === null || e.ts > lastTs) lastTs = e.ts;
    },
    warn,
    setYearShift(years: number) {
      yearShift = years;
    },
    setFileInfo(key: string, value: unknown) {
      info[key] = value;
    },
    recordOnly(reason: string) {
      recordOnlyReason = reason;
    },
  };

  // Read the head (first 64 KiB decompressed) for sniffing, then replay it to the parser.
  const { chunks: headChunks, head, ended, error: streamError, rest: iterator } = await readHead(ev, checkCancelled);

  const base = {
    compression: ev.compression,
    dispositions,
    info,
    yearShift: 0,
    yearInferred: 0,
  };

  const finishUnparsed = async (status: FileStatus, format: string | null, reason: string, message: string) => {
    // Nothing more to decode: the raw bytes are still read to the end so the hash covers the file.
    ev.skipRest();
    const d = await ev.digest;
    checkCancelled();
    return {
      ...base,
      status,
      format,
      parserVersion: null,
      sniffReason: reason,
      sha256: d.sha256,
      bytes: d.bytes,
      message: streamError && status !== 'failed' ? `${message}; ${describeStreamError(streamError, ev.compression)}` : message,
      lines: null,
      events: 0,
      warnings: 0,
      firstTs: null,
      lastTs: null,
    };
  };

  if (ev.compression === 'zip') {
    return finishUnparsed('skipped', null, 'zip archive', 'zip archives are recorded and hashed but not opened: extract them read-only and ingest the extracted folder');
  }

  // A compressed file that breaks before anything could be decoded is a failure, not an unknown format.
  if (streamError && head.length === 0) {
    const why = describeStreamError(streamError, ev.compression, false);
    return finishUnparsed('failed', null, why, `${why}; nothing could be read from it`);
  }

  let parser: SourceParser | undefined;
  let sniffReason: string;
  if (opts.format) {
    parser = parserByName(opts.format);
    if (!parser) throw new Error(`unknown format ${opts.format}`);
    sniffReason = `forced with --format ${opts.format}`;
  } else {
    const s = sniff(makeHead(opts.path, head));
    sniffReason = s.reason;
    parser = s.winner?.parser;
    if (!parser) {
      if (s.candidates.length > 0) sniffReason += ` (closest: ${s.candidates[0]!.parser.name} at ${s.candidates[0]!.match.confidence}%)`;
      if (streamError) {
        const why = describeStreamError(streamError, ev.compression, false);
        return finishUnparsed('failed', null, sniffReason, `${why}; the ${head.length} bytes decoded before it are not recognized (${sniffReason})`);
      }
      return finishUnparsed('unrecognized', null, sniffReason, `no parser recognizes this file: ${sniffReason}`);
    }
  }

  sourceName = parser.source;

  // The decompressed stream again from its first byte: the head we already read, then the rest.
  async function* replay(): AsyncGenerator<Buffer> {
    for (const c of headChunks) yield c;
    if (ended) return;
    if (streamError) throw streamError;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      yield r.value;
    }
  }

  let lines: number | null = null;
  let parseError: Error | null = null;
  let progressTick = 0;
  if (parser.kind === 'lines') {
    const handler = parser.open(ctx);
    let invalidUtf8 = 0;
    let longLines = 0;
    const splitter = new LineSplitter(
      (text, lineNo, offset, byteLength) => {
        if (hybrid) {
          const i = lineNo % RING;
          ringNo[i] = lineNo;
          ringOff[i] = offset;
          ringLen[i] = byteLength;
        }
        let d: LineDisposition;
        try {
          d = handler.line(text, lineNo, offset, byteLength);
        } catch (err) {
          // A parser bug must not lose the line: keep it as a warning and carry on.
          warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, WARNING_TEXT), reason: `parser error: ${(err as Error).message}` });
          d = 'warning';
        }
        dispositions[d]++;
      },
      {
        invalidUtf8: (lineNo, offset) => {
          invalidUtf8++;
          if (invalidUtf8 === 1) warn({ line: lineNo, byte_offset: offset, raw: '', reason: 'invalid UTF-8 bytes (shown as U+FFFD; the evidence keeps the original bytes); later lines with invalid UTF-8 are counted in the evidence info, not listed' });
        },
        longLine: (lineNo, offset, len) => {
          longLines++;
          warn({ line: lineNo, byte_offset: offset, raw: '', reason: `line of ${len} bytes cut to ${1 << 20} bytes for parsing (byte_length keeps the full length)` });
        },
      },
    );
    try {
      for await (const chunk of replay()) {
        checkCancelled();
        lineEnds?.push(chunk);
        splitter.push(chunk);
        if (queue.length > 0) await flushQueue();
        if (hooks.onProgress && ++progressTick % 8 === 0) hooks.onProgress(ev.rawBytesRead(), events);
      }
    } catch (err) {
      if (err instanceof ParseCancelled) throw err;
      parseError = err as Error;
    }
    try {
      splitter.end();
      handler.end();
    } catch (err) {
      parseError ??= err as Error;
    }
    lines = splitter.lines;
    if (invalidUtf8 > 0) info.invalid_utf8_lines = invalidUtf8;
    if (longLines > 0) info.long_lines = longLines;
  } else {
    // Each pull of the next chunk first hands over the batches the parser has cut: back-pressure.
    async function* replayWithFlush(): AsyncGenerator<Buffer> {
      for await (const chunk of replay()) {
        checkCancelled();
        if (queue.length > 0) await flushQueue();
        if (hooks.onProgress && ++progressTick % 8 === 0) hooks.onProgress(ev.rawBytesRead(), events);
        yield chunk;
      }
    }
    const input = Readable.from(replayWithFlush(), { objectMode: false });
    try {
      const stats = await parser.parse(input, ctx);
      lines = stats.lines ?? null;
      info.records = stats.records;
    } catch (err) {
      parseError = err as Error;
    }
    checkCancelled();
  }
  noteTimeSanity(sanity, yearInferred, opts.mtimeMs, info, warn);
  cutEvents();
  cutWarnings();
  if (warnings > maxWarnings) {
    warnBatches.add(encodeWarning(0, 0, '', `${warnings - maxWarnings} more warnings were counted but not stored individually (limit ${maxWarnings} per file)`));
    cutWarnings();
  }
  await flushQueue();
  // Everything is written: the buffers serve the next file of this thread.
  eventBatches.release();
  warnBatches.release();

  // Finish hashing whatever the parser did not consume.
  if (parseError) ev.skipRest();
  const d = await ev.digest;
  checkCancelled();
  if (yearShift !== 0) {
    const shiftUs = (t: number) => shiftYears(t, yearShift);
    if (firstTs !== null) firstTs = shiftUs(firstTs);
    if (lastTs !== null) lastTs = shiftUs(lastTs);
  }
  return {
    ...base,
    yearShift,
    yearInferred,
    status: parseError ? 'partial' : recordOnlyReason !== null && events === 0 ? 'recorded' : 'ingested',
    format: parser.name,
    parserVersion: parser.version,
    sniffReason,
    sha256: d.sha256,
    bytes: d.bytes,
    message: parseError ? describeStreamError(parseError, ev.compression) : recordOnlyReason,
    info: parseError instanceof DecodeError && parseError.kind === 'ratio' ? { ...info, decompression_stopped: { bytes_out: ev.bytesOut(), limit: opts.maxRatio ?? null } } : info,
    lines,
    events,
    warnings,
    firstTs,
    lastTs,
    ...(lineEnds ? { scan: lineEnds.result } : {}),
  };
}

/**
 * What the time checks found, on the evidence row (`info`) and as one warning per kind naming the
 * first event, so the ingest summary and `parse_warnings` say it where the responder looks.
 */
export function noteTimeSanity(sanity: EventSanity, yearInferred: number, mtimeMs: number, info: Record<string, unknown>, warn: (w: ParseWarning) => void): void {
  const c = sanity.counts;
  const until = new Date(sanity.plausibleUntilUs / 1000).toISOString();
  if (c.implausible > 0) {
    const f = c.firstImplausible!;
    info.implausible_times = c.implausible;
    info.implausible_after = until;
    warn({
      line: f.line,
      byte_offset: f.byte_offset,
      raw: f.raw.slice(0, WARNING_TEXT),
      reason: `${c.implausible} event(s) dated before 1990-01-01 or after ${until} (first: ${describeUs(f.ts)}): kept with time_quality = implausible, left out of default views and exports (--include-relative shows them)`,
    });
  }
  if (c.relative > 0) info.relative_times = c.relative;
  if (c.addresses > 0) info.addresses_canonicalized = c.addresses;
  // Year-less lines take their year from the mtime: an implausible mtime dates them all wrongly.
  if (yearInferred > 0 && (mtimeMs * 1000 < PLAUSIBLE_FROM_US || mtimeMs * 1000 > sanity.plausibleUntilUs)) {
    info.implausible_mtime = new Date(mtimeMs).toISOString();
    warn({
      line: 0,
      byte_offset: 0,
      raw: '',
      reason: `the year of ${yearInferred} year-less line(s) was inferred from the file's mtime ${describeUs(mtimeMs * 1000)}, which is not a plausible date: pass --year with the year of the file's first line`,
    });
  }
}

/** A time for a message: ISO 8601 when the Date can show it, else the microseconds. */
function describeUs(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? `${us} µs since 1970` : d.toISOString();
}

function shiftYears(us: number, years: number): number {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime() * 1000 + (us - ms * 1000);
}

function describeStreamError(err: Error, compression: Compression, kept = true): string {
  if (err instanceof DecodeError) {
    const help = err.kind === 'ratio' ? '; to read it whole, ingest it with --max-ratio 0 (into a new case: this one now holds its first part)' : '';
    return `${err.message}${kept ? '; events read before it are kept' : ''}${help}`;
  }
  const msg = err.message || String(err);
  if (compression !== 'none') return `${compression} data is damaged: ${msg}${kept ? '; events read before the error are kept' : ''}`;
  return `read error: ${msg}`;
}
