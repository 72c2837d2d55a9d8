/**
 * The parser plugin contract. A source = one parser file + one line in the registry + a fixture
 * with its expected output + a test (docs/parsers.md).
 *
 * Parsers never throw on bad input: what they cannot read becomes a warning with its line (or
 * record index), and every line they are handed is accounted for.
 */
import type { Readable } from 'node:stream';
import type { DwellEvent } from '../core/event.js';
import type { LocalZone } from '../core/time.js';

/** What a sniffer sees: the start of the decompressed evidence. */
export interface SniffHead {
  /** Base name of the file without compression suffix (auth.log for auth.log.2.gz). */
  name: string;
  /** Path as given. */
  path: string;
  /** The first bytes (up to 64 KiB) decoded as UTF-8. */
  text: string;
  /** The first lines of `text` (up to 50), without line terminators; the last may be partial. */
  lines: string[];
}

export interface SniffMatch {
  /** 0-100: how sure the parser is. The highest wins; below 20 is not a claim. */
  confidence: number;
  /** Why, in a few words (shown by `dwell sniff`). */
  reason: string;
}

export interface ParseWarning {
  /** 1-based line number (for a JSON record, the line it starts on; the reason names the record). */
  line: number;
  byte_offset: number;
  raw: string;
  reason: string;
}

/** Options in force for an ingest, as given on the CLI. */
export interface ParseOptions {
  /** Zone for timestamps that carry none (default UTC). */
  tz: LocalZone;
  /** Year for year-less timestamps, or undefined to infer. */
  year?: number;
  /** Parser-specific options, e.g. `pg-prefix`. */
  extra: Record<string, string>;
}

export interface ParseContext {
  /** Path as given on the command line. */
  path: string;
  /** Modification time of the evidence file (ms since epoch), used to infer missing years. */
  mtimeMs: number;
  options: ParseOptions;
  emit(event: DwellEvent): void;
  warn(warning: ParseWarning): void;
  /**
   * Shift every `year_inferred` event of this file by `years` once the file is read: a parser
   * learns the true year of year-less lines only at the end of the file.
   */
  setYearShift(years: number): void;
  /** Facts about the whole file to keep on its evidence row (e.g. a detected log_line_prefix). */
  setFileInfo(key: string, value: unknown): void;
  /**
   * The file is evidence the parser recognizes but that carries no events by design (e.g. a
   * CloudTrail digest file): it is hashed and recorded with status `recorded` and this reason.
   */
  recordOnly(reason: string): void;
}

/** How a line was used; the pipeline counts them so every line is accounted for. */
export type LineDisposition = 'record' | 'continuation' | 'warning' | 'meta' | 'blank';

export interface LineHandler {
  /**
   * One line (terminator removed; cut at the read limit when longer, `byteLength` is the full
   * length). `offset` is the byte offset of the line in the decompressed stream.
   */
  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition;
  /** End of input: flush what is pending. */
  end(): void;
}

interface ParserBase {
  /** Parser name, also the `--format` value (auth_log, cloudtrail, …). */
  name: string;
  /** Bumped when the parser's output changes; recorded on each evidence row. */
  version: string;
  /** The `source` column value of its events. */
  source: string;
  /** One line for `dwell sniff` and `--help`. */
  description: string;
  /** Real sample records (lines) this parser must parse and be the sniff winner for. */
  samples: string[];
  sniff(head: SniffHead): SniffMatch | null;
}

/** A parser fed line by line (syslog, stderr logs, TSV/CSV flows). */
export interface LineParser extends ParserBase {
  kind: 'lines';
  open(ctx: ParseContext): LineHandler;
}

/** A parser that reads the decompressed byte stream itself (JSON documents, CSV with quoted newlines). */
export interface StreamParser extends ParserBase {
  kind: 'stream';
  /**
   * Reads the whole stream. Resolves with the number of records seen (events + warnings +
   * skipped) when done; rejects only when the stream itself fails (e.g. a truncated gzip).
   */
  parse(input: Readable, ctx: ParseContext): Promise<StreamStats>;
}

export interface StreamStats {
  /** Records (or lines) read from the stream. */
  records: number;
  /** Lines in the stream, when the parser counts them. */
  lines?: number;
}

export type SourceParser = LineParser | StreamParser;
