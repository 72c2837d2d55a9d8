/**
 * Finds CloudTrail records in a JSON byte stream without parsing the whole document: a byte
 * scanner that tracks strings, escapes and nesting, and hands each record's exact bytes (offset,
 * length, line) to a callback, which parses that slice alone with the native JSON.parse.
 *
 * It understands every shape CloudTrail arrives in:
 * - `{"Records":[…]}` (S3 delivery), `{"Events":[…]}` (`aws cloudtrail lookup-events`),
 *   `{"events":[…]}` (`aws logs filter-log-events`), `{"logEvents":[…]}` (CloudWatch Logs
 *   subscription / Firehose deliveries), `{"data":[…]}` (Datadog's log search API),
 *   `{"QueryResultRows":[…]}` (CloudTrail Lake `get-query-results`) and `{"hits":{"hits":[…]}}`
 *   (an Elasticsearch / OpenSearch `_search` response): the elements of that array are records,
 *   and what the wrapper holds before the array is handed over with it;
 * - a bare array `[…]`: its elements are records;
 * - top-level objects one after another (JSON lines, `jq .` output, a single pretty record),
 *   optionally behind a CloudWatch Logs export timestamp (`2021-07-05T13:03:37.000Z {…}`).
 *
 * Memory is bounded by the largest record kept (`maxRecordBytes`), never by the file. Damage is
 * reported, never thrown: text that is not JSON becomes a `junk` report with its line; a JSON
 * line cut short in a one-record-per-line file ends at its newline so the next line still parses;
 * a bracket that closes the wrong container is noted on the record it damaged; a comma missing
 * (or doubled) between two records is reported where it happens and both records are read.
 */

export interface RecordSlice {
  /** `element` of a record array, or a top-level `object`. */
  kind: 'element' | 'object';
  /** The wrapper key of the array (`Records`, `Events`, `events`), `''` for a bare array, null for objects. */
  container: string | null;
  /** 1-based index in its array (elements); 0 for top-level objects. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
  /** Byte offset of the record's first byte in the stream. */
  offset: number;
  /** Length of the record in bytes. */
  length: number;
  /** The record's bytes, or null when it is longer than the buffer limit. */
  bytes: Buffer | null;
  /** First byte of the record (`{` for an object). */
  first: number;
  /** Deepest nesting inside the record (1 for a flat object). */
  maxDepth: number;
  /** A structural problem the scanner saw (the record cannot be valid JSON), or null. */
  problem: string | null;
}

export interface JunkSlice {
  line: number;
  offset: number;
  length: number;
  /** The first bytes (at most JUNK_HEAD), decoded. */
  head: string;
  reason: string;
}

/** Damage between records (the records themselves are read). */
export interface SeparatorDamage {
  line: number;
  offset: number;
  reason: string;
}

export interface SplitterHandlers {
  record(slice: RecordSlice): void;
  junk(slice: JunkSlice): void;
  /**
   * A record array opened (its wrapper key, or '' for a bare array). `head` is the wrapper's
   * text before the array (`{"messageType":…,"logEvents":`), when it is at most WRAPPER_HEAD bytes.
   */
  array?(container: string, line: number, offset: number, head: string | null): void;
  damage?(d: SeparatorDamage): void;
}

export const DEFAULT_MAX_RECORD_BYTES = 32 * 1024 * 1024;
const JUNK_HEAD = 512;
/** Nesting levels whose container type is remembered (deeper ones are only counted). */
const STACK_CAP = 4096;

const OBJ = 1;
const ARR = 2;

// Top-level value kinds.
const TOP_NONE = 0;
const TOP_OBJECT = 1; // an object that is (so far) a record
const TOP_WRAPPER = 2; // an object holding a record array
const TOP_ARRAY = 3; // a bare array of records

const WRAPPER_KEYS = new Set(['Records', 'Events', 'events', 'logEvents', 'data', 'logs', 'QueryResultRows']);
/** Keys of a wrapper are read up to this length (the longest wrapper key is 15). */
const KEY_MAX = 16;
/** The wrapper's text before its record array is kept up to this size. */
const WRAPPER_HEAD = 64 * 1024;

// Between the elements of the record array.
const SEP_START = 0; // just opened
const SEP_IN = 1; // inside an element
const SEP_AFTER = 2; // an element ended: a comma or the closing bracket must follow
const SEP_COMMA = 3; // a comma: an element must follow
const CLOUDWATCH_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s$/;

export class RecordSplitter {
  private abs = 0; // absolute offset of the current chunk's first byte
  private lineNo = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly stack = new Uint8Array(STACK_CAP);
  private inString = false;
  private escaped = false;

  // Top-level value.
  private top = TOP_NONE;
  private topSingleLines = 0; // completed top-level objects that sat on one line
  private topMultiLines = 0; // … that spanned lines
  private topLine = 1;
  private topCol0 = false;
  private nlCheck = false; // a newline inside a top-level object: look at the next byte

  // Keys at depth `keyDepth` of a top-level object (to spot the wrapper key): 1, or 2 inside
  // the `hits` object of a search response.
  private keyDepth = 1;
  private expectKey = false;
  private capturingKey = false;
  private keyBytes: number[] = [];
  private valueKey: string | null = null;

  // The record array.
  private arrDepth = -1;
  private arrKey = '';
  private arrIndex = 0;
  private sep = SEP_START;
  private commaAt = 0; // offset and line of the last comma between elements
  private commaLine = 0;

  // The record being read.
  private inRecord = false;
  private recKind: 'element' | 'object' = 'object';
  private recScalar = false;
  private recStart = 0;
  private recLine = 0;
  private recIndex = 0;
  private recFirst = 0;
  private recBase = 0;
  private recMaxDepth = 0;
  private recProblem: string | null = null;
  private recPieces: Buffer[] = [];
  private recKept = 0;
  private recOverflow = false;
  private recStartInChunk = -1; // where it starts in the current chunk, -1 when in an earlier chunk

  // Text that is not JSON, up to the end of its line.
  private inJunk = false;
  private junkStart = 0;
  private junkLine = 0;
  private junkHead: number[] = [];
  private junkCR = false;

  /** CloudWatch Logs export timestamps skipped before records. */
  prefixes = 0;

  constructor(
    private readonly handlers: SplitterHandlers,
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {}

  /** Lines seen so far (the last one counted even without a newline). */
  get lines(): number {
    return this.abs === this.lineStart ? this.lineNo - 1 : this.lineNo;
  }

  get bytes(): number {
    return this.abs;
  }

  push(buf: Buffer): void {
    const len = buf.length;
    this.recStartInChunk = -1;
    let i = 0;
    // A UTF-8 byte order mark at the very start is not content.
    if (this.abs === 0 && len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    for (; i < len; i++) {
      let c = buf[i]!;
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        if (!this.capturingKey) {
          // Most bytes are string content: skip to the next quote, backslash or newline.
          while (c !== 0x22 && c !== 0x5c && c !== 0x0a) {
            if (++i === len) break;
            c = buf[i]!;
          }
          if (i === len) break;
        }
        if (c === 0x22) {
          this.inString = false;
          if (this.capturingKey) this.endKey();
        } else if (c === 0x5c) {
          this.escaped = true;
        } else if (c === 0x0a) {
          // A raw newline cannot be inside a JSON string: in a one-object-per-line file it means
          // the line was cut; elsewhere it damages the record it is in.
          this.newline(i);
          if (this.top === TOP_OBJECT || this.linesMode()) this.breakLine(buf, i);
          else if (this.inRecord) this.recProblem ??= 'a raw newline inside a string';
        } else if (this.capturingKey && this.keyBytes.length < KEY_MAX) {
          this.keyBytes.push(c);
        }
        continue;
      }
      if (this.nlCheck) {
        this.nlCheck = false;
        // `{` at the start of a line inside a top-level object: a new record of a one-per-line
        // file begins here and the previous line was cut short.
        if (c === 0x7b && this.top === TOP_OBJECT && this.topCol0) this.breakLine(buf, this.lineStart - 1 - this.abs);
      }
      if (this.inJunk) {
        if (c === 0x0a) {
          this.endJunk(i, i > 0 ? buf[i - 1] === 0x0d : this.junkCR);
          this.newline(i);
        } else if (c === 0x7b && this.junkHead.length < 40 && CLOUDWATCH_PREFIX.test(String.fromCharCode(...this.junkHead))) {
          // `2021-07-05T13:03:37.000Z {…}`: a CloudWatch Logs export line; the record follows.
          this.inJunk = false;
          this.prefixes++;
          this.open(buf, i, OBJ);
        } else if (this.junkHead.length < JUNK_HEAD) {
          this.junkHead.push(c);
        }
        this.junkCR = c === 0x0d;
        continue;
      }
      switch (c) {
        case 0x0a:
          this.newline(i);
          if (this.top !== TOP_NONE) {
            if (this.linesMode()) this.breakLine(buf, i);
            else if (this.top === TOP_OBJECT) this.nlCheck = true;
          }
          break;
        case 0x20:
        case 0x09:
        case 0x0d:
          break;
        case 0x7b:
          this.open(buf, i, OBJ);
          break;
        case 0x5b:
          this.open(buf, i, ARR);
          break;
        case 0x7d:
          this.close(buf, i, OBJ);
          break;
        case 0x5d:
          this.close(buf, i, ARR);
          break;
        case 0x22:
          if (this.depth === 0) {
            this.startJunk(i, c);
            break;
          }
          if (this.depth === this.arrDepth && !this.inRecord) this.startRecord(buf, i, c, true);
          this.inString = true;
          if (this.depth === this.keyDepth && this.top === TOP_OBJECT && this.expectKey) {
            this.capturingKey = true;
            this.keyBytes.length = 0;
          }
          break;
        case 0x2c:
          if (this.depth === this.arrDepth) {
            if (this.inRecord && this.recScalar) this.endRecord(buf, i);
            if (!this.inRecord) this.comma(i);
          }
          if (this.depth === this.keyDepth && this.top !== TOP_ARRAY) {
            this.expectKey = true;
            this.valueKey = null;
          }
          break;
        case 0x3a:
          if (this.depth === this.keyDepth) this.expectKey = false;
          break;
        default:
          if (this.depth === 0) this.startJunk(i, c);
          else if (this.depth === this.arrDepth && !this.inRecord) this.startRecord(buf, i, c, true);
      }
    }
    // Keep the part of a record that continues in the next chunk (copied: the chunk is not ours).
    if (this.inRecord && !this.recOverflow) {
      const from = this.recStartInChunk >= 0 ? this.recStartInChunk : 0;
      this.keep(buf.subarray(from));
    }
    this.recStartInChunk = -1;
    this.abs += len;
  }

  /** End of input: what is still open is reported as cut. */
  end(reason = 'the input ends inside this record'): void {
    if (this.inJunk) this.endJunk(-1, false);
    if (this.inRecord) {
      this.recProblem = reason;
      this.finishRecord(this.abs, this.recOverflow ? null : Buffer.concat(this.recPieces));
    } else if (this.top === TOP_WRAPPER || this.top === TOP_ARRAY) {
      this.handlers.junk({
        line: this.lineNo,
        offset: this.abs,
        length: 0,
        head: '',
        reason: `${reason}: the ${this.arrKey ? `"${this.arrKey}" ` : ''}array opened at line ${this.topLine} is not closed`,
      });
    }
    this.reset();
  }

  /** Every top-level value so far sat on one line: a newline inside one means it was cut. */
  private linesMode(): boolean {
    return this.topSingleLines > 0 && this.topMultiLines === 0;
  }

  private newline(i: number): void {
    this.lineNo++;
    this.lineStart = this.abs + i + 1;
  }

  private open(buf: Buffer, i: number, type: number): void {
    const d = this.depth;
    if (d === 0) {
      this.topLine = this.lineNo;
      this.topCol0 = this.abs + i === this.lineStart;
      if (type === OBJ) {
        this.top = TOP_OBJECT;
        this.expectKey = true;
        this.valueKey = null;
        this.startRecord(buf, i, 0x7b, false);
      } else {
        this.top = TOP_ARRAY;
        this.arrDepth = 1;
        this.arrKey = '';
        this.arrIndex = 0;
        this.sep = SEP_START;
        this.handlers.array?.('', this.lineNo, this.abs + i, null);
      }
    } else if (d === this.arrDepth && !this.inRecord) {
      this.startRecord(buf, i, type === OBJ ? 0x7b : 0x5b, true);
    } else if (d === this.keyDepth && this.top === TOP_OBJECT && this.valueKey !== null) {
      if (type === ARR && (d === 1 ? WRAPPER_KEYS.has(this.valueKey) : this.valueKey === 'hits')) {
        // `{"Records":[` — the object is a wrapper: its array's elements are the records.
        const head = this.wrapperHead(buf, i);
        this.top = TOP_WRAPPER;
        this.dropRecord();
        this.arrDepth = d + 1;
        this.arrKey = this.valueKey;
        this.arrIndex = 0;
        this.sep = SEP_START;
        this.handlers.array?.(this.valueKey, this.lineNo, this.abs + i, head);
      } else if (type === OBJ && d === 1 && this.valueKey === 'hits') {
        // `{"took":…,"hits":{"total":…,"hits":[` — a search response: read the keys inside.
        this.keyDepth = 2;
        this.expectKey = true;
      }
    }
    if (d === this.keyDepth) this.valueKey = null;
    if (d < STACK_CAP) this.stack[d] = type;
    this.depth = d + 1;
    if (this.inRecord && this.depth - this.recBase > this.recMaxDepth) this.recMaxDepth = this.depth - this.recBase;
  }

  private close(buf: Buffer, i: number, type: number): void {
    let d = this.depth;
    if (d === 0) {
      this.startJunk(i, buf[i]!);
      return;
    }
    if (d <= STACK_CAP && this.stack[d - 1] !== type) {
      // The bracket closes the wrong container: the JSON is damaged. Close up to the nearest
      // container of this type (or ignore the bracket when there is none) and mark the record.
      let m = Math.min(d, STACK_CAP) - 1;
      while (m >= 0 && this.stack[m] !== type) m--;
      if (this.inRecord) this.recProblem ??= `"${String.fromCharCode(buf[i]!)}" at byte ${this.abs + i} closes ${this.stack[d - 1] === OBJ ? 'an object' : 'an array'}`;
      if (m < 0) {
        if (!this.inRecord) this.startJunk(i, buf[i]!);
        return;
      }
      d = m + 1;
    }
    // A scalar element ends before the bracket that closes its array.
    if (this.inRecord && this.recScalar && d === this.arrDepth) this.endRecord(buf, i);
    if (d === this.arrDepth && !this.inRecord && this.sep === SEP_COMMA && type === ARR) {
      this.handlers.damage?.({ line: this.commaLine, offset: this.commaAt, reason: `a comma before the "]" that closes the ${this.arrayName()} (the file is not valid JSON; nothing is lost)` });
    }
    if (d === 2 && this.keyDepth === 2) {
      this.keyDepth = 1;
      this.expectKey = false;
    }
    this.depth = d - 1;
    const nd = this.depth;
    if (this.inRecord) {
      if (this.recKind === 'element' && nd <= this.arrDepth) {
        this.endRecord(buf, nd === this.arrDepth ? i + 1 : i);
      } else if (this.recKind === 'object' && nd === 0) {
        this.endRecord(buf, i + 1);
      }
    }
    if (this.arrDepth > 0 && nd < this.arrDepth) this.arrDepth = -1;
    if (nd === 0) this.endTop();
  }

  private endTop(): void {
    if (this.topLine === this.lineNo) this.topSingleLines++;
    else this.topMultiLines++;
    this.top = TOP_NONE;
    this.keyDepth = 1;
    this.arrDepth = -1;
    this.expectKey = false;
    this.valueKey = null;
    this.nlCheck = false;
  }

  /**
   * A line of a one-value-per-line file ended inside its value: report it and start afresh with
   * the next line. `nlIndex` is the newline's index in `buf` (negative: in an earlier chunk).
   */
  private breakLine(buf: Buffer, nlIndex: number): void {
    if (this.inRecord) {
      this.recProblem ??= 'the line ends inside the JSON value (cut or damaged line)';
      this.endRecord(buf, nlIndex);
    } else if (this.top === TOP_WRAPPER || this.top === TOP_ARRAY) {
      this.handlers.junk({ line: this.lineNo - 1, offset: this.abs + nlIndex, length: 0, head: '', reason: `the line ends inside the ${this.arrKey ? `"${this.arrKey}" ` : ''}array opened at line ${this.topLine} (cut or damaged line)` });
    }
    this.reset();
  }

  private reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.capturingKey = false;
    this.inRecord = false;
    this.recPieces = [];
    this.recKept = 0;
    this.top = TOP_NONE;
    this.keyDepth = 1;
    this.arrDepth = -1;
    this.expectKey = false;
    this.valueKey = null;
    this.nlCheck = false;
  }

  private endKey(): void {
    this.capturingKey = false;
    this.valueKey = this.keyBytes.length < KEY_MAX ? String.fromCharCode(...this.keyBytes) : null;
  }

  /** The wrapper object's text from its `{` up to the array at `i` (null when longer than WRAPPER_HEAD). */
  private wrapperHead(buf: Buffer, i: number): string | null {
    if (!this.inRecord || this.recOverflow || this.abs + i - this.recStart > WRAPPER_HEAD) return null;
    const part = this.recStartInChunk >= 0 ? buf.subarray(this.recStartInChunk, i) : Buffer.concat([...this.recPieces, buf.subarray(0, i)]);
    return part.toString('utf8');
  }

  private arrayName(): string {
    return this.arrKey ? `"${this.arrKey}" array` : 'array';
  }

  /** A comma between elements of the record array. */
  private comma(i: number): void {
    this.commaAt = this.abs + i;
    this.commaLine = this.lineNo;
    if (this.sep === SEP_AFTER) this.sep = SEP_COMMA;
    else this.damage(i, `${this.sep === SEP_START ? 'a comma before the first element of' : 'two commas in a row in'} the ${this.arrayName()} (the file is not valid JSON; nothing is lost)`);
  }

  private damage(i: number, reason: string): void {
    this.handlers.damage?.({ line: this.lineNo, offset: this.abs + i, reason });
  }

  private startRecord(buf: Buffer, i: number, first: number, element: boolean): void {
    if (element) {
      if (this.sep === SEP_AFTER) {
        this.damage(i, `no comma between records ${this.arrIndex} and ${this.arrIndex + 1} of the ${this.arrayName()}: the file is not valid JSON; both records are read`);
      }
      this.sep = SEP_IN;
    }
    this.inRecord = true;
    this.recKind = element ? 'element' : 'object';
    this.recScalar = element && first !== 0x7b && first !== 0x5b;
    this.recStart = this.abs + i;
    this.recStartInChunk = i;
    this.recLine = this.lineNo;
    this.recIndex = element ? ++this.arrIndex : 0;
    this.recFirst = first;
    this.recBase = this.depth;
    this.recMaxDepth = 0;
    this.recProblem = null;
    this.recPieces = [];
    this.recKept = 0;
    this.recOverflow = false;
  }

  private dropRecord(): void {
    this.inRecord = false;
    this.recPieces = [];
    this.recKept = 0;
    this.recStartInChunk = -1;
  }

  /**
   * The record ends before `endIndex` of `buf` (exclusive; negative when it ended in an earlier
   * chunk, whose bytes are then all in `recPieces`).
   */
  private endRecord(buf: Buffer, endIndex: number): void {
    let bytes: Buffer | null = null;
    const endAbs = this.abs + endIndex;
    if (!this.recOverflow && endAbs - this.recStart <= this.maxRecordBytes) {
      if (this.recStartInChunk >= 0) {
        bytes = buf.subarray(this.recStartInChunk, endIndex);
      } else {
        if (endIndex > 0) this.recPieces.push(buf.subarray(0, endIndex));
        bytes = Buffer.concat(this.recPieces).subarray(0, endAbs - this.recStart);
      }
    }
    this.finishRecord(endAbs, bytes);
  }

  private finishRecord(endAbs: number, bytes: Buffer | null): void {
    let length = endAbs - this.recStart;
    if (this.recScalar && bytes) {
      // A scalar element runs to the delimiter: trim the whitespace before it.
      let e = bytes.length;
      while (e > 0 && (bytes[e - 1] === 0x20 || bytes[e - 1] === 0x0a || bytes[e - 1] === 0x0d || bytes[e - 1] === 0x09)) e--;
      bytes = bytes.subarray(0, e);
      length = e;
    }
    const slice: RecordSlice = {
      kind: this.recKind,
      container: this.recKind === 'element' ? this.arrKey : null,
      index: this.recIndex,
      line: this.recLine,
      offset: this.recStart,
      length,
      bytes: this.recOverflow ? null : bytes,
      first: this.recFirst,
      maxDepth: this.recMaxDepth,
      problem: this.recProblem,
    };
    this.inRecord = false;
    this.recScalar = false;
    this.recPieces = [];
    this.recKept = 0;
    this.recStartInChunk = -1;
    if (slice.kind === 'element') this.sep = SEP_AFTER;
    this.handlers.record(slice);
  }

  private keep(part: Buffer): void {
    if (this.recKept + part.length > this.maxRecordBytes) {
      this.recOverflow = true;
      this.recPieces = [];
      this.recKept = 0;
      return;
    }
    this.recPieces.push(Buffer.from(part));
    this.recKept += part.length;
  }

  private startJunk(i: number, c: number): void {
    this.inJunk = true;
    this.junkCR = c === 0x0d;
    this.junkStart = this.abs + i;
    this.junkLine = this.lineNo;
    this.junkHead = [c];
  }

  /** Junk ends at the newline at `nlIndex` of the current chunk (-1: end of input). */
  private endJunk(nlIndex: number, cr: boolean): void {
    this.inJunk = false;
    const end = nlIndex < 0 ? this.abs : this.abs + nlIndex;
    const length = end - this.junkStart - (cr && nlIndex >= 0 ? 1 : 0);
    let head = Buffer.from(this.junkHead).toString('utf8');
    if (head.endsWith('\r')) head = head.slice(0, -1);
    this.handlers.junk({ line: this.junkLine, offset: this.junkStart, length, head, reason: 'not JSON' });
    this.junkHead = [];
  }
}
