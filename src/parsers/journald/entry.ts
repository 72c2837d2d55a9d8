/**
 * A systemd journal entry (from `journalctl -o json` or `-o export`) → the auth event the same
 * message gives as a syslog line (auth/event.ts), with the journal's exact time and trusted fields.
 *
 * - Time: `_SOURCE_REALTIME_TIMESTAMP` (when the program logged) when present, else
 *   `__REALTIME_TIMESTAMP` (when journald received it), as `journalctl` shows them; both are
 *   microseconds since the epoch, UTC, so the time is `exact`. `attrs.time_field` names the one used.
 * - Host `_HOSTNAME`; program `SYSLOG_IDENTIFIER` (else `_COMM`); pid `SYSLOG_PID` (else `_PID`):
 *   the session key is the syslog one (`sshd[4242]`).
 * - `attrs.journal` keeps the trusted fields a responder pivots on (unit, uid, boot, cursor, audit
 *   session, …); the raw entry keeps every field.
 * - sudo's long commands are split over several entries (`(command continued)`), as in syslog: they
 *   are joined into one event.
 */
import type { DwellEvent } from '../../core/event.js';
import type { ParseContext } from '../types.js';
import { authEvent, continueSudo, sudoUserOf, type Provenance } from '../auth/event.js';

/** Field values as read: text, or several values when the entry repeats the field. */
export type JournalFields = Record<string, string | string[] | null>;

/** Journal fields kept in `attrs.journal` (everything else stays in the raw entry). */
const KEPT = [
  '__CURSOR', '__REALTIME_TIMESTAMP', '_SOURCE_REALTIME_TIMESTAMP', '_BOOT_ID', '_MACHINE_ID', '_TRANSPORT', '_UID', '_GID',
  '_COMM', '_EXE', '_CMDLINE', '_SYSTEMD_UNIT', '_SYSTEMD_USER_UNIT', '_SYSTEMD_SESSION', '_SYSTEMD_OWNER_UID',
  '_AUDIT_SESSION', '_AUDIT_LOGINUID', 'MESSAGE_ID', 'SYSLOG_IDENTIFIER', 'SYSLOG_PID', '_PID', 'SYSLOG_FACILITY', 'PRIORITY',
] as const;

const MAX_WARNING_TEXT = 512;

function first(v: string | string[] | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

/** A decimal count of microseconds since the epoch, or null. */
function micros(v: string | null): number | null {
  if (v === null || !/^\d{1,17}$/.test(v)) return null;
  return Number(v);
}

function int(v: string | null): number | null {
  return v !== null && /^\d{1,9}$/.test(v) ? Number(v) : null;
}

/** Turns journal entries into events; holds one back while a sudo command may continue. */
export class JournalAssembler {
  private pending: { event: DwellEvent; sudoUser?: string } | null = null;
  /** Entries whose time was _SOURCE_REALTIME_TIMESTAMP vs __REALTIME_TIMESTAMP, for the evidence row. */
  private readonly timeFields = new Map<string, number>();

  /** `separator`: the bytes between two entries (a newline in JSON lines, an empty line in the export format). */
  constructor(
    private readonly ctx: ParseContext,
    private readonly separator = '\n',
  ) {}

  /** One entry; returns 'record', 'continuation' (joined to the previous sudo event) or 'warning'. */
  entry(f: JournalFields, p: Provenance): 'record' | 'continuation' | 'warning' {
    const src = micros(first(f._SOURCE_REALTIME_TIMESTAMP));
    const rcv = micros(first(f.__REALTIME_TIMESTAMP));
    const ts = src ?? rcv;
    if (ts === null) {
      this.flush();
      this.ctx.warn({ line: p.line, byte_offset: p.byte_offset, raw: p.raw.slice(0, MAX_WARNING_TEXT), reason: 'journal entry without __REALTIME_TIMESTAMP or _SOURCE_REALTIME_TIMESTAMP: no time; kept as a warning' });
      return 'warning';
    }
    const timeField = src !== null ? '_SOURCE_REALTIME_TIMESTAMP' : '__REALTIME_TIMESTAMP';
    this.timeFields.set(timeField, (this.timeFields.get(timeField) ?? 0) + 1);
    const program = first(f.SYSLOG_IDENTIFIER) ?? first(f._COMM);
    const pid = int(first(f.SYSLOG_PID)) ?? int(first(f._PID));
    const rawMessage = f.MESSAGE;
    const message = first(rawMessage) ?? '';

    if (this.pending && continueSudo(this.pending.event, this.pending.sudoUser, program, message)) {
      const ev = this.pending.event;
      ev.raw += this.separator + p.raw;
      ev.byte_length = p.byte_offset + p.byte_length - ev.byte_offset;
      return 'continuation';
    }
    this.flush();

    const journal: Record<string, unknown> = {};
    for (const k of KEPT) if (f[k] !== undefined && f[k] !== null) journal[k] = f[k];
    const attrs: Record<string, unknown> = { time_field: timeField, journal };
    const priority = int(first(f.PRIORITY));
    const facility = int(first(f.SYSLOG_FACILITY));
    if (facility !== null) attrs.facility = facility;
    if (priority !== null) attrs.severity = priority;
    if (Array.isArray(rawMessage)) attrs.messages = rawMessage;
    if (rawMessage === null) attrs.message_omitted = 'journalctl left MESSAGE out (over 4096 bytes; journalctl --all keeps it)';
    const event = authEvent({ ts, quality: 'exact', host: first(f._HOSTNAME), program, pid, message, attrs }, p);
    this.pending = { event, sudoUser: sudoUserOf(event) };
    return 'record';
  }

  flush(): void {
    if (this.pending) {
      this.ctx.emit(this.pending.event);
      this.pending = null;
    }
  }

  end(): void {
    this.flush();
    if (this.timeFields.size > 0) this.ctx.setFileInfo('journal_time_fields', Object.fromEntries(this.timeFields));
  }
}

/** Whether a set of field names is a journal entry's (for sniffing). */
export function isJournalEntry(keys: Iterable<string>): boolean {
  let message = false;
  let journal = 0;
  for (const k of keys) {
    if (k === 'MESSAGE') message = true;
    else if (k === '__REALTIME_TIMESTAMP' || k === '__CURSOR' || k === '_HOSTNAME' || k === 'SYSLOG_IDENTIFIER' || k === '_SOURCE_REALTIME_TIMESTAMP' || k === '_BOOT_ID' || k === '_TRANSPORT') journal++;
  }
  return message && journal >= 2;
}
