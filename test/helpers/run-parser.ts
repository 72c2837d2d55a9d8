/**
 * Runs one parser on in-memory input the way ingest does (line splitting with offsets, or the
 * stream), collecting events and warnings as objects instead of CSV batches.
 */
import { Readable } from 'node:stream';
import type { DwellEvent } from '../../src/core/event.js';
import { LocalZone } from '../../src/core/time.js';
import { LineSplitter } from '../../src/ingest/line-splitter.js';
import type { LineDisposition, ParseContext, ParseWarning, SourceParser } from '../../src/parsers/types.js';

export interface ParserRun {
  events: DwellEvent[];
  warnings: ParseWarning[];
  dispositions: Record<LineDisposition, number>;
  lines: number | null;
  yearShift: number;
  info: Record<string, unknown>;
}

export interface RunOptions {
  year?: number;
  tz?: string;
  /** File mtime for year inference (default 2026-06-30T12:00:00Z). */
  mtimeMs?: number;
  extra?: Record<string, string>;
  path?: string;
}

export async function runParser(parser: SourceParser, input: string | Buffer, opts: RunOptions = {}): Promise<ParserRun> {
  const events: DwellEvent[] = [];
  const warnings: ParseWarning[] = [];
  const info: Record<string, unknown> = {};
  let yearShift = 0;
  const dispositions: Record<LineDisposition, number> = { record: 0, continuation: 0, warning: 0, meta: 0, blank: 0 };
  const ctx: ParseContext = {
    path: opts.path ?? 'test.log',
    mtimeMs: opts.mtimeMs ?? Date.UTC(2026, 5, 30, 12),
    options: { tz: new LocalZone(opts.tz ?? 'UTC'), year: opts.year, extra: opts.extra ?? {} },
    emit: (e) => events.push(e),
    warn: (w) => warnings.push(w),
    setYearShift: (y) => (yearShift = y),
    setFileInfo: (k, v) => (info[k] = v),
    recordOnly: (reason) => (info.record_only = reason),
  };
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let lines: number | null = null;
  if (parser.kind === 'lines') {
    const h = parser.open(ctx);
    const splitter = new LineSplitter((text, n, off, len) => dispositions[h.line(text, n, off, len)]++);
    // Feed in small chunks so chunk boundaries are exercised.
    for (let i = 0; i < buf.length; i += 4096) splitter.push(buf.subarray(i, i + 4096));
    splitter.end();
    h.end();
    lines = splitter.lines;
  } else {
    const stats = await parser.parse(Readable.from([buf]), ctx);
    lines = stats.lines ?? null;
    info.records = stats.records;
  }
  return { events, warnings, dispositions, lines, yearShift, info };
}

/** The fields an expected-output file pins down for each event. */
export function essentials(e: DwellEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    line: e.line,
    ts: new Date(Math.floor(e.ts / 1000)).toISOString().replace('Z', String(e.ts % 1000).padStart(3, '0') + 'Z'),
    time_quality: e.time_quality,
    class: e.class,
    action: e.action,
    outcome: e.outcome,
  };
  for (const k of ['host', 'actor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'protocol', 'session', 'access_key', 'target', 'database', 'bytes_in', 'bytes_out', 'packets_in', 'packets_out', 'rows', 'command', 'community_id'] as const) {
    const v = e[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}
