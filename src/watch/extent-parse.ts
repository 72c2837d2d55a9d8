/**
 * Parses one extent of a followed file: the complete lines appended since the last read, with the
 * file's parser and options. Line numbers and byte offsets are the file's (the extent's start is
 * added), so every event leads back to its bytes as with `dwell ingest`.
 *
 * Each extent gets a fresh line handler, first primed with the file's head (the lines up to its
 * first record, e.g. a Zeek `#fields` header) whose output is discarded, then fed the extent and
 * ended: a record is emitted as soon as its line is read, not when the next one arrives (an alert
 * must not wait for the attacker's next line). Year-less lines are dated from the file's mtime at
 * the time of the read, which dates the newest line, as `dwell ingest` does for a whole file.
 */
import type { DwellEvent } from '../core/event.js';
import { LocalZone } from '../core/time.js';
import { LineSplitter } from '../ingest/line-splitter.js';
import type { LineDisposition, LineParser, ParseContext, ParseWarning } from '../parsers/types.js';

export interface ExtentInput {
  parser: LineParser;
  path: string;
  /** The file's head (its first bytes), replayed to prime the handler; empty at offset 0. */
  head: Buffer;
  /** The extent's bytes: complete lines only. */
  bytes: Buffer;
  /** Byte offset of `bytes` in the file. */
  start: number;
  /** Lines of the file before `start`. */
  linesBefore: number;
  mtimeMs: number;
  tz: string;
  year?: number;
  extra: Record<string, string>;
}

export interface ExtentParse {
  events: DwellEvent[];
  warnings: ParseWarning[];
  lines: number;
  dispositions: Record<LineDisposition, number>;
  info: Record<string, unknown>;
}

const MAX_PRIME_LINES = 200;

export function parseExtent(input: ExtentInput): ExtentParse {
  const events: DwellEvent[] = [];
  const warnings: ParseWarning[] = [];
  const info: Record<string, unknown> = {};
  let yearShift = 0;
  let priming = input.start > 0;
  const ctx: ParseContext = {
    path: input.path,
    mtimeMs: input.mtimeMs,
    options: { tz: new LocalZone(input.tz), year: input.year, extra: input.extra },
    emit(e) {
      // Records of the head belong to earlier extents (already stored): only this extent's count.
      if (e.byte_offset < input.start) return;
      if (!Number.isFinite(e.ts)) {
        warnings.push({ line: e.line, byte_offset: e.byte_offset, raw: e.raw, reason: 'record has no valid time; kept as a warning' });
        return;
      }
      events.push(e);
    },
    warn(w) {
      if (!priming && w.byte_offset >= input.start) warnings.push(w);
    },
    setYearShift(years) {
      yearShift = years;
    },
    setFileInfo(key, value) {
      info[key] = value;
    },
    recordOnly() {},
  };
  const handler = input.parser.open(ctx);
  if (priming) {
    // Lines up to and including the first record: headers that give the meaning of later lines.
    let done = false;
    const primer = new LineSplitter((text, lineNo, offset, byteLength) => {
      if (done || offset + byteLength > input.start || lineNo > MAX_PRIME_LINES) {
        done = true;
        return;
      }
      let d: LineDisposition = 'warning';
      try {
        d = handler.line(text, lineNo, offset, byteLength);
      } catch {
        /* a parser error on the head was reported when the head was stored */
      }
      if (d === 'record') done = true;
    });
    primer.push(input.head);
    priming = false;
  }
  const dispositions: Record<LineDisposition, number> = { record: 0, continuation: 0, warning: 0, meta: 0, blank: 0 };
  const splitter = new LineSplitter(
    (text, lineNo, offset, byteLength) => {
      const line = lineNo + input.linesBefore;
      const at = offset + input.start;
      let d: LineDisposition;
      try {
        d = handler.line(text, line, at, byteLength);
      } catch (err) {
        warnings.push({ line, byte_offset: at, raw: text.slice(0, 512), reason: `parser error: ${(err as Error).message}` });
        d = 'warning';
      }
      dispositions[d]++;
    },
    {
      invalidUtf8: (lineNo, offset) =>
        warnings.push({ line: lineNo + input.linesBefore, byte_offset: offset + input.start, raw: '', reason: 'invalid UTF-8 bytes (shown as U+FFFD; the evidence keeps the original bytes)' }),
    },
  );
  splitter.push(input.bytes);
  splitter.end();
  try {
    handler.end();
  } catch (err) {
    warnings.push({ line: input.linesBefore + splitter.lines, byte_offset: input.start + input.bytes.length, raw: '', reason: `parser error at the end of the extent: ${(err as Error).message}` });
  }
  if (yearShift !== 0) for (const e of events) if (e.time_quality === 'year_inferred') e.ts = shiftYears(e.ts, yearShift);
  return { events, warnings, lines: splitter.lines, dispositions, info };
}

function shiftYears(us: number, years: number): number {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime() * 1000 + (us - ms * 1000);
}
