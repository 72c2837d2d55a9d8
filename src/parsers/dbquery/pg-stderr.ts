/**
 * Assembles PostgreSQL stderr-format records from lines: a line with a prefix and a severity
 * starts a record; DETAIL / HINT / CONTEXT / STATEMENT / QUERY / LOCATION lines of the same
 * process, and TAB-indented lines, continue it. Used for plain stderr files and for the same text
 * inside wrappers (syslog, Heroku logplex, Cloud SQL's textPayload), which give time and pid.
 */
import type { TimeQuality } from '../../core/event.js';
import type { LocalZone } from '../../core/time.js';
import type { ParseContext } from '../types.js';
import type { PgInterpreter, PgRecord } from './pg-record.js';
import type { PrefixFields, PrefixMatch } from './pg-prefix.js';
import { parseZonedTime } from './tz-abbrev.js';

/** What a wrapper (syslog header, JSON envelope) says about a line. */
export interface Wrapper {
  ts?: number;
  quality?: TimeQuality;
  host?: string | null;
  pid?: string | null;
  extra?: Record<string, unknown>;
}

type Field = 'message' | 'detail' | 'hint' | 'context' | 'statement' | 'query' | 'location';
const FIELD_OF: Record<string, Field> = { DETAIL: 'detail', HINT: 'hint', CONTEXT: 'context', STATEMENT: 'statement', QUERY: 'query', LOCATION: 'location' };

/** A record's text stops growing here (a runaway continuation must not exhaust memory). */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;
const MAX_WARNING_TEXT = 512;

interface Pending {
  rec: PgRecord;
  last: Field;
  truncated: boolean;
}

export class StderrAssembler {
  private pending: Pending | null = null;
  private readonly zoneNotes = new Set<string>();

  constructor(
    private readonly ctx: ParseContext,
    private readonly interp: PgInterpreter,
    private readonly tz: LocalZone,
  ) {}

  get hasPending(): boolean {
    return this.pending !== null;
  }

  get pendingPid(): string | null {
    return this.pending?.rec.pid ?? null;
  }

  /**
   * A line whose prefix matched. Returns how it was used: it starts a record, or continues the
   * pending one (DETAIL/STATEMENT/… of the same process).
   */
  matched(m: PrefixMatch, wrapper: Wrapper, lineNo: number, offset: number, byteLength: number, raw: string): 'record' | 'continuation' {
    const f = m.fields;
    const pid = wrapper.pid ?? f.pid ?? null;
    const field = FIELD_OF[m.severity];
    const p = this.pending;
    if (field && p && p.rec.pid === pid && (p.rec.sessionId ?? null) === (f.sessionId ?? null)) {
      this.appendField(p, field, m.message);
      this.extendRaw(p, raw, offset, byteLength);
      return 'continuation';
    }
    this.flush();
    const time = this.timeOf(f, wrapper, lineNo, offset, raw);
    const rec: PgRecord = {
      ts: time.us,
      quality: time.quality,
      zone: time.zone,
      zoneNote: time.zoneNote,
      severity: m.severity,
      message: field ? '' : m.message,
      pid,
      sessionId: f.sessionId ?? null,
      lineNum: f.lineNum ?? null,
      user: f.user ?? null,
      database: f.database ?? null,
      remote: f.remote ?? f.host ?? null,
      app: f.app ?? null,
      sqlstate: f.sqlstate ?? null,
      vxid: f.vxid ?? null,
      xid: f.xid ?? null,
      backendType: f.backendType ?? null,
      queryId: f.queryId ?? null,
      commandTag: f.commandTag ?? null,
      sessionStart: f.sessionStart ?? null,
      leaderPid: f.leaderPid ?? null,
      // %L is the server address the client connected to: it names the server.
      host: wrapper.host ?? (f.localAddress && !/^\[/.test(f.localAddress) ? f.localAddress : null),
      extra: wrapper.extra,
      line: lineNo,
      byte_offset: offset,
      byte_length: byteLength,
      raw,
    };
    // A DETAIL/STATEMENT/… whose record is not pending (another process wrote in between, or
    // the file starts here): a record of its own, its text in its own field.
    if (field) rec[field] = m.message;
    this.pending = { rec, last: field ?? 'message', truncated: false };
    return 'record';
  }

  /**
   * A continuation line of the pending record (TAB-indented in stderr; `#011` in syslog).
   * `newline` is false for a syslog chunk that continues the same line.
   */
  continuation(text: string, byteLength: number, raw: string, newline = true): boolean {
    const p = this.pending;
    if (!p) return false;
    // PostgreSQL writes a TAB after each newline of a message: the TAB is not part of the text.
    const t = text.charCodeAt(0) === 9 ? text.slice(1) : text;
    this.appendText(p, p.last, t, newline);
    p.rec.raw = p.rec.raw.length + raw.length < MAX_RECORD_CHARS ? p.rec.raw + '\n' + raw : p.rec.raw;
    p.rec.byte_length += 1 + byteLength;
    return true;
  }

  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (p.truncated) p.rec.extra = { ...(p.rec.extra ?? {}), truncated: true };
    this.interp.emit(p.rec);
  }

  private appendField(p: Pending, field: Field, text: string): void {
    const cur = p.rec[field];
    if (cur === undefined || cur === '') p.rec[field] = text;
    else this.appendText(p, field, text, true);
    p.last = field;
  }

  private appendText(p: Pending, field: Field, text: string, newline: boolean): void {
    const cur = p.rec[field] ?? '';
    if (cur.length + text.length > MAX_RECORD_CHARS) {
      p.truncated = true;
      return;
    }
    p.rec[field] = cur + (newline ? '\n' : '') + text;
  }

  private extendRaw(p: Pending, raw: string, offset: number, byteLength: number): void {
    if (p.rec.raw.length + raw.length < MAX_RECORD_CHARS) p.rec.raw += '\n' + raw;
    else p.truncated = true;
    p.rec.byte_length = offset + byteLength - p.rec.byte_offset;
  }

  private timeOf(f: PrefixFields, wrapper: Wrapper, lineNo: number, offset: number, raw: string): { us: number; quality: TimeQuality; zone?: string; zoneNote?: string } {
    if (f.time) {
      const t = parseZonedTime(f.time, this.tz);
      if (t) {
        if (t.zoneNote && t.zone && !this.zoneNotes.has(t.zone)) {
          this.zoneNotes.add(t.zone);
          this.ctx.warn({ line: lineNo, byte_offset: offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason: `${t.zoneNote} (said once per file; such events are marked zone_assumed)` });
        }
        return t;
      }
    }
    if (f.epoch) {
      const secs = Number(f.epoch);
      if (Number.isFinite(secs)) return { us: Math.round(secs * 1e6), quality: 'exact' };
    }
    if (wrapper.ts !== undefined) return { us: wrapper.ts, quality: wrapper.quality ?? 'exact' };
    return { us: NaN, quality: 'exact' };
  }
}

/**
 * A line that looks like PostgreSQL stderr output but matched no known prefix: time at the
 * start and `SEVERITY:  ` later. Read without its prefix fields, with a warning that says how to
 * give the prefix.
 */
export const UNKNOWN_PREFIX_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?)(.*?)\b(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION): {2}/s;

export function unknownPrefixMatch(line: string): PrefixMatch | null {
  const m = UNKNOWN_PREFIX_LINE.exec(line);
  if (!m) return null;
  return {
    fields: { time: m[1] },
    severity: m[3]!,
    message: line.slice(m[0].length),
    prefix: { template: '(unknown)', re: UNKNOWN_PREFIX_LINE, hasTime: true },
    unparsed: m[2]!.trim(),
  };
}

