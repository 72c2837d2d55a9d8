/**
 * systemd journal export format (`journalctl -o export`, systemd-journal-gatewayd; spec:
 * https://systemd.io/JOURNAL_EXPORT_FORMATS/): entries separated by an empty line, one field per
 * line as `KEY=value`, except fields whose value is not plain text (a newline, control or non-UTF-8
 * bytes), written as `KEY\n`, a 64-bit little-endian length, the bytes, and `\n`. Read as bytes
 * (a stream parser) because those binary values may hold newlines. Each entry gives the event its
 * message gives as a syslog line, with the journal's exact time (journald/entry.ts).
 *
 * Damage (a line that is not a field, a binary length past the end or over 64 MiB, a binary value
 * not followed by `\n`) costs the entry it is in: one warning with its line and byte offset, and
 * reading resumes at the next empty line.
 */
import type { Readable } from 'node:stream';
import { JournalAssembler, isJournalEntry, type JournalFields } from './journald/entry.js';
import type { ParseContext, SniffHead, SniffMatch, StreamParser, StreamStats } from './types.js';

const SAMPLES = [
  [
    '__CURSOR=s=8f2e3d4c5b6a79880f1e2d3c4b5a6978;i=4a1;b=0a1b2c3d4e5f60718293a4b5c6d7e8f9;m=2b3c4d5e;t=646a1b2c3d4e5;x=9f8e7d6c5b4a3921',
    '__REALTIME_TIMESTAMP=1767320461004400',
    '__MONOTONIC_TIMESTAMP=725894494',
    '_BOOT_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    '_TRANSPORT=syslog',
    'PRIORITY=6',
    'SYSLOG_IDENTIFIER=sshd',
    'SYSLOG_PID=4242',
    '_HOSTNAME=web-01',
    'MESSAGE=Accepted password for deploy from 203.0.113.77 port 40110 ssh2',
    '',
  ].join('\n'),
];

const FIELD_NAME = /^[A-Z0-9_]+$/;
const MAX_BINARY = 64 * 1024 * 1024;
const MAX_LINE = 16 * 1024 * 1024;
const MAX_WARNING_TEXT = 512;

export const journaldExport: StreamParser = {
  kind: 'stream',
  name: 'journald_export',
  version: '1',
  source: 'auth_log',
  description: 'systemd journal export format (journalctl -o export): sshd, sudo, su, account changes with exact times',
  samples: SAMPLES,
  sniff: sniffJournalExport,
  parse: (input, ctx) => new ExportReader(ctx).read(input),
};

function sniffJournalExport(head: SniffHead): SniffMatch | null {
  const keys: string[] = [];
  let fieldLines = 0;
  let considered = 0;
  for (const line of head.lines.slice(0, 40)) {
    if (line === '') continue;
    considered++;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!FIELD_NAME.test(key)) continue;
    fieldLines++;
    keys.push(key);
    if (eq < 0) break; // a binary field: what follows is not text
  }
  if (fieldLines < 3 || fieldLines < 0.8 * considered || !isJournalEntry(keys)) return null;
  return { confidence: 95, reason: `systemd journal export format (journalctl -o export): ${fieldLines} KEY=value field lines${keys.includes('__CURSOR') ? ', __CURSOR' : ''}` };
}

interface Entry {
  fields: JournalFields;
  offset: number;
  line: number;
}

/** Reads the export stream with a growable buffer: each byte is copied a bounded number of times. */
class ExportReader {
  private buf = Buffer.alloc(64 * 1024);
  private start = 0;
  private end = 0;
  /** Absolute offset and line number of buf[start]. */
  private abs = 0;
  private lineNo = 1;
  /** Where to resume looking for a newline in the current line. */
  private scanFrom = 0;
  private entry: Entry | null = null;
  /** Set while reading a binary field's length and bytes. */
  private binaryKey: string | null = null;
  private resync = false;
  private records = 0;
  private readonly asm: JournalAssembler;

  constructor(private readonly ctx: ParseContext) {
    this.asm = new JournalAssembler(ctx, '\n\n');
  }

  async read(input: Readable): Promise<StreamStats> {
    for await (const chunk of input) {
      this.push(chunk as Buffer);
      this.drain(false);
    }
    this.drain(true);
    this.asm.end();
    return { records: this.records, lines: this.lineNo - (this.endedWithNewline ? 1 : 0) };
  }

  private endedWithNewline = true;

  private push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      // Keep the current entry's bytes: they become its raw text.
      const keep = this.entry ? Math.max(0, this.start - (this.abs - this.entry.offset)) : this.start;
      const live = this.end - keep;
      const size = Math.max(this.buf.length, (live + chunk.length) * 2);
      const next = size > this.buf.length ? Buffer.alloc(size) : this.buf;
      this.buf.copy(next, 0, keep, this.end);
      this.buf = next;
      this.scanFrom -= keep;
      this.start -= keep;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
    this.endedWithNewline = chunk[chunk.length - 1] === 10;
  }

  /** The filled part of the buffer (beyond `end` are stale bytes). */
  private view(): Buffer {
    return this.buf.subarray(0, this.end);
  }

  private advance(n: number): void {
    for (let i = this.start; i < this.start + n; i++) if (this.buf[i] === 10) this.lineNo++;
    this.start += n;
    this.abs += n;
    this.scanFrom = this.start;
  }

  private drain(atEnd: boolean): void {
    for (;;) {
      if (this.resync) {
        // Skip to the empty line that ends the damaged entry.
        const i = this.view().indexOf('\n\n', Math.max(this.start, this.scanFrom - 1));
        if (i < 0) {
          if (atEnd) {
            this.advance(this.end - this.start);
            this.resync = false;
            return;
          }
          // Keep the last byte: it may be the first newline of the pair.
          if (this.end - this.start > 1) this.advance(this.end - this.start - 1);
          return;
        }
        this.advance(i + 2 - this.start);
        this.resync = false;
        continue;
      }
      if (this.binaryKey !== null) {
        if (!this.binary(atEnd)) return;
        continue;
      }
      const nl = this.view().indexOf(10, this.scanFrom);
      if (nl < 0) {
        this.scanFrom = this.end;
        if (!atEnd) {
          if (this.end - this.start > MAX_LINE) this.damage(`a line runs over ${MAX_LINE} bytes without a newline`);
          return;
        }
        if (this.end > this.start) {
          // A last line without its newline.
          this.fieldLine(this.end);
          continue;
        }
        this.finishEntry();
        return;
      }
      if (nl === this.start) {
        this.finishEntry();
        this.advance(1);
        continue;
      }
      if (!this.fieldLine(nl)) continue;
    }
  }

  /** One `KEY=value` or `KEY` line ending at `nl` (exclusive). Returns false when it caused a resync. */
  private fieldLine(nl: number): boolean {
    const lineStart = this.start;
    const eq = this.view().indexOf(61, lineStart);
    const keyEnd = eq >= 0 && eq < nl ? eq : nl;
    const key = this.buf.toString('latin1', lineStart, keyEnd);
    if (!FIELD_NAME.test(key)) {
      this.damage(`"${this.buf.toString('utf8', lineStart, Math.min(nl, lineStart + 60))}" is not a journal field (KEY=value or a binary KEY)`);
      return false;
    }
    if (!this.entry) this.entry = { fields: {}, offset: this.abs, line: this.lineNo };
    if (keyEnd === nl) {
      this.binaryKey = key;
      this.advance(nl + 1 - lineStart);
      return true;
    }
    this.add(key, this.buf.toString('utf8', eq + 1, nl));
    this.advance(Math.min(nl + 1, this.end) - lineStart);
    return true;
  }

  /** The length and bytes of a binary field. Returns false when more input is needed. */
  private binary(atEnd: boolean): boolean {
    const have = this.end - this.start;
    const truncated = () => {
      this.damage(`binary field ${this.binaryKey} claims more bytes than the file holds (a damaged length or a truncated file)`);
      this.binaryKey = null;
      return true;
    };
    if (have < 8) return atEnd ? truncated() : false;
    const size = this.buf.readBigUInt64LE(this.start);
    if (size > BigInt(MAX_BINARY)) {
      const key = this.binaryKey;
      this.binaryKey = null;
      this.damage(`binary field ${key} claims ${size} bytes (over ${MAX_BINARY}): damaged length`);
      return true;
    }
    const n = Number(size);
    if (have < 8 + n + 1) return atEnd ? truncated() : false;
    const key = this.binaryKey!;
    this.binaryKey = null;
    if (this.buf[this.start + 8 + n] !== 10) {
      this.damage(`binary field ${key} of ${n} bytes is not followed by a newline: damaged length`);
      return true;
    }
    this.add(key, this.buf.toString('utf8', this.start + 8, this.start + 8 + n));
    this.advance(8 + n + 1);
    return true;
  }

  private add(key: string, value: string): void {
    const f = this.entry!.fields;
    const prev = f[key];
    if (prev === undefined || prev === null) f[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else f[key] = [prev, value];
  }

  private finishEntry(): void {
    const e = this.entry;
    if (!e) return;
    this.entry = null;
    this.records++;
    // The entry's bytes, without the newline that ends its last field.
    const length = this.abs - e.offset - 1;
    const raw = this.rawOf(e.offset, Math.max(0, length));
    this.asm.entry(e.fields, { line: e.line, byte_offset: e.offset, byte_length: Math.max(0, length), raw });
  }

  /** Text of the bytes [offset, offset+length) when they are still in the buffer. */
  private rawOf(offset: number, length: number): string {
    const from = this.start - (this.abs - offset);
    if (from < 0) return '';
    return this.buf.toString('utf8', from, from + length);
  }

  /** The current entry is damaged: one warning, then skip to the next empty line. */
  private damage(reason: string): void {
    const e = this.entry;
    this.entry = null;
    this.records++;
    const line = e?.line ?? this.lineNo;
    const offset = e?.offset ?? this.abs;
    this.ctx.warn({ line, byte_offset: offset, raw: this.rawOf(offset, Math.min(MAX_WARNING_TEXT, this.abs - offset + (this.end - this.start))), reason: `damaged journal entry: ${reason}; the entry is kept as this warning and reading resumes at the next empty line` });
    this.asm.flush();
    this.resync = true;
    this.scanFrom = this.start;
  }
}
