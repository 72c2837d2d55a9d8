/**
 * systemd journal exports as JSON: `journalctl -o json` (one entry per line), and its `json-seq`
 * (RFC 7464, each line after an RS byte), `json-sse` (`data: {…}`) and `json-pretty` (one entry over
 * several lines: `{`, one `"FIELD" : value` per line, `}`) forms. Each entry gives the
 * event its message gives as a syslog line (sshd, sudo, su, useradd, … — src/parsers/auth), with
 * the journal's exact time (journald/entry.ts).
 *
 * JSON values as journalctl writes them: strings; an array of numbers for a value that is not
 * valid UTF-8 or holds control characters (decoded as UTF-8 here; the raw line keeps the numbers);
 * an array of values for a field the entry repeats; null for a value journalctl left out (over
 * 4096 bytes without `--all`).
 */
import { JournalAssembler, isJournalEntry, type JournalFields } from './journald/entry.js';
import type { LineDisposition, LineHandler, LineParser, ParseContext, SniffHead, SniffMatch } from './types.js';

const SAMPLES = [
  '{"__CURSOR":"s=8f2e3d4c5b6a79880f1e2d3c4b5a6978;i=4a1;b=0a1b2c3d4e5f60718293a4b5c6d7e8f9;m=2b3c4d5e;t=646a1b2c3d4e5;x=9f8e7d6c5b4a3921","__REALTIME_TIMESTAMP":"1767320461004400","__MONOTONIC_TIMESTAMP":"725894494","_BOOT_ID":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","_TRANSPORT":"syslog","PRIORITY":"6","SYSLOG_FACILITY":"4","SYSLOG_IDENTIFIER":"sshd","SYSLOG_PID":"4242","_PID":"4242","_UID":"0","_COMM":"sshd","_HOSTNAME":"web-01","_SYSTEMD_UNIT":"ssh.service","MESSAGE":"Accepted password for deploy from 203.0.113.77 port 40110 ssh2","_SOURCE_REALTIME_TIMESTAMP":"1767320461004102"}',
];

const MAX_WARNING_TEXT = 512;

export const journaldJson: LineParser = {
  kind: 'lines',
  name: 'journald_json',
  version: '1',
  source: 'auth_log',
  description: 'systemd journal as JSON (journalctl -o json / json-seq / json-sse): sshd, sudo, su, account changes with exact times',
  samples: SAMPLES,
  sniff: sniffJournalJson,
  open: (ctx) => new JournalJsonHandler(ctx),
};

/** The JSON text of a line in any of journalctl's JSON forms, or null. */
function jsonText(line: string): { text: string; form: 'json' | 'json-seq' | 'json-sse' } | null {
  let t = line;
  let form: 'json' | 'json-seq' | 'json-sse' = 'json';
  if (t.charCodeAt(0) === 0x1e) {
    t = t.slice(1);
    form = 'json-seq';
  } else if (t.startsWith('data: ')) {
    t = t.slice(6);
    form = 'json-sse';
  }
  t = t.trim();
  return t.charCodeAt(0) === 123 ? { text: t, form } : null;
}

function sniffJournalJson(head: SniffHead): SniffMatch | null {
  let considered = 0;
  let entries = 0;
  let form = 'json';
  const lines = head.text.length >= 65536 ? head.lines.slice(0, -1) : head.lines;
  for (const line of lines.slice(0, 30)) {
    if (line.trim() === '') continue;
    considered++;
    const j = jsonText(line);
    if (!j) continue;
    let o: unknown;
    try {
      o = JSON.parse(j.text);
    } catch {
      continue;
    }
    if (o && typeof o === 'object' && !Array.isArray(o) && isJournalEntry(Object.keys(o))) {
      entries++;
      form = j.form;
    }
  }
  if (entries === 0) {
    const pretty = sniffPretty(lines);
    if (pretty) return pretty;
  }
  // SSE streams interleave `id:` lines with `data:` lines.
  if (entries === 0 || entries < (form === 'json-sse' ? 0.3 : 0.5) * considered) return null;
  return { confidence: 95, reason: `${entries}/${considered} head lines are systemd journal entries (journalctl -o ${form}: MESSAGE, __REALTIME_TIMESTAMP, _HOSTNAME …)` };
}

/** `"FIELD" : value` as json-pretty writes each field of an entry, one per line. */
const PRETTY_FIELD = /^\s*"([A-Za-z0-9_]{1,64})" : /;

/** `journalctl -o json-pretty`: the head opens an object on its own line and its fields are journal fields. */
function sniffPretty(lines: string[]): SniffMatch | null {
  const start = lines.findIndex((l) => l.trim() !== '');
  if (start < 0 || lines[start]!.trim() !== '{') return null;
  const keys: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '}') break;
    const m = PRETTY_FIELD.exec(l);
    if (!m) return null;
    keys.push(m[1]!);
  }
  if (!isJournalEntry(keys)) return null;
  return { confidence: 95, reason: `a systemd journal entry over several lines (journalctl -o json-pretty: ${keys.length} fields in the first, MESSAGE, __REALTIME_TIMESTAMP, _HOSTNAME …)` };
}

/** A JSON value as journalctl writes it → text, several texts, or null when left out. */
function fieldValue(v: unknown): string | string[] | null {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 256)) return Buffer.from(v as number[]).toString('utf8');
    const all = v.map((x) => fieldValue(x)).filter((x): x is string => typeof x === 'string');
    return all.length === 1 ? all[0]! : all;
  }
  return JSON.stringify(v);
}

/** Largest json-pretty entry held while its closing `}` is awaited (journalctl truncates fields at 4096 bytes without --all). */
const MAX_PRETTY_BYTES = 16 * 1024 * 1024;

class JournalJsonHandler implements LineHandler {
  private readonly asm: JournalAssembler;
  /** A json-pretty entry being read: its lines so far and where it started. */
  private pretty: { lines: string[]; line: number; offset: number; bytes: number } | null = null;

  constructor(private readonly ctx: ParseContext) {
    this.asm = new JournalAssembler(ctx);
  }

  line(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    if (this.pretty) return this.prettyLine(text, lineNo, offset, byteLength);
    if (text.trim() === '') return 'blank';
    if (text.trim() === '{') {
      this.pretty = { lines: [text], line: lineNo, offset, bytes: byteLength };
      return 'continuation';
    }
    // json-sse frames each entry with `id:` / `event:` lines.
    if (/^(id|event|retry):/.test(text) || text.startsWith(':')) return 'meta';
    const warn = (reason: string): LineDisposition => {
      this.asm.flush();
      this.ctx.warn({ line: lineNo, byte_offset: offset, raw: text.slice(0, MAX_WARNING_TEXT), reason });
      return 'warning';
    };
    const j = jsonText(text);
    if (!j) return warn('not a journal entry (journalctl -o json writes one JSON object per line)');
    let o: unknown;
    try {
      o = JSON.parse(j.text);
    } catch (err) {
      return warn(`invalid JSON: ${(err as Error).message} (a damaged or truncated entry)`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) return warn('not a JSON object');
    const f: JournalFields = {};
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) f[k] = fieldValue(v);
    return this.asm.entry(f, { line: lineNo, byte_offset: offset, byte_length: byteLength, raw: text });
  }

  /** A line of a json-pretty entry; the closing `}` makes the entry (its line and offset are the opening `{`'s). */
  private prettyLine(text: string, lineNo: number, offset: number, byteLength: number): LineDisposition {
    const p = this.pretty!;
    p.lines.push(text);
    p.bytes = offset + byteLength - p.offset;
    if (text.trim() !== '}') {
      if (p.bytes <= MAX_PRETTY_BYTES) return 'continuation';
      this.pretty = null;
      this.asm.flush();
      this.ctx.warn({ line: p.line, byte_offset: p.offset, raw: p.lines[0]!.slice(0, MAX_WARNING_TEXT), reason: `json-pretty entry still open after ${MAX_PRETTY_BYTES} bytes (lines ${p.line}–${lineNo}): not a journal entry; its lines are kept in the file, not read` });
      return 'warning';
    }
    this.pretty = null;
    const raw = p.lines.join('\n');
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (err) {
      this.asm.flush();
      this.ctx.warn({ line: p.line, byte_offset: p.offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: `invalid JSON in the json-pretty entry of lines ${p.line}–${lineNo}: ${(err as Error).message}` });
      return 'warning';
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      this.asm.flush();
      this.ctx.warn({ line: p.line, byte_offset: p.offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: 'not a JSON object' });
      return 'warning';
    }
    const f: JournalFields = {};
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) f[k] = fieldValue(v);
    return this.asm.entry(f, { line: p.line, byte_offset: p.offset, byte_length: p.bytes, raw });
  }

  end(): void {
    if (this.pretty) {
      const p = this.pretty;
      this.pretty = null;
      this.asm.flush();
      this.ctx.warn({ line: p.line, byte_offset: p.offset, raw: p.lines.join('\n').slice(0, MAX_WARNING_TEXT), reason: `json-pretty entry of lines ${p.line}–${p.line + p.lines.length - 1} never closed (a truncated export): not read` });
    }
    this.asm.end();
  }
}
