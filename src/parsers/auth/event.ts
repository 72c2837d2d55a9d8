/**
 * One auth message → one event, whatever carried it: a syslog line (auth_log) or a systemd journal
 * entry (journald_json, journald_export). The same program and message give the same class, action,
 * actor, addresses and session, so rules and links see one vocabulary; only the time, its quality
 * and the provenance differ by carrier.
 */
import type { DwellEvent, TimeQuality } from '../../core/event.js';
import { recognize, SUDO_CONTINUED, unescapeSyslog } from './messages.js';

export interface AuthMessage {
  ts: number;
  quality: TimeQuality;
  host: string | null;
  program: string | null;
  pid: number | null;
  message: string;
  /** Carrier-specific facts (syslog facility/severity, journal fields) merged into attrs. */
  attrs?: Record<string, unknown>;
}

export interface Provenance {
  line: number;
  byte_offset: number;
  byte_length: number;
  raw: string;
}

/** The event a syslog line or journal entry with this program and message gives. */
export function authEvent(m: AuthMessage, p: Provenance): DwellEvent {
  const fields = recognize(m.program, m.message);
  const program = m.program;
  // The recognizer's attrs object is fresh per message: extend it rather than copying it.
  const attrs: Record<string, unknown> = fields?.attrs ?? {};
  if (program) attrs.program = program;
  if (m.pid !== null) attrs.pid = m.pid;
  if (m.attrs) Object.assign(attrs, m.attrs);
  const event: DwellEvent = {
    ts: m.ts,
    time_quality: m.quality,
    class: fields?.class ?? 'other',
    action: fields?.action ?? 'other',
    outcome: fields?.outcome ?? 'unknown',
    host: m.host,
    actor: fields?.actor ?? null,
    src_ip: fields?.src_ip ?? null,
    src_port: fields?.src_port ?? null,
    dst_ip: fields?.dst_ip ?? null,
    dst_port: fields?.dst_port ?? null,
    protocol: fields?.protocol ?? null,
    session: fields?.session ?? (program && m.pid !== null ? `${programName(program)}[${m.pid}]` : null),
    target: fields?.target ?? null,
    command: fields?.command ?? null,
    summary: fields?.summary ?? `${program ?? 'syslog'}: ${m.message}`,
    attrs,
    line: p.line,
    byte_offset: p.byte_offset,
    byte_length: p.byte_length,
    raw: p.raw,
  };
  // Set afterwards, not spread into the literal: a conditional spread built every event through a slow generic copy.
  if (fields?.packets_out !== undefined) {
    event.bytes_out = fields.bytes_out ?? null;
    event.packets_out = fields.packets_out;
    event.community_id = fields.community_id ?? null;
  }
  return event;
}

/** `sshd(pam_unix)` → `sshd`. Without a regular expression: `\(.*\)$` re-scanned a run of `(` from each one. */
function programName(program: string): string {
  const open = program.indexOf('(');
  return open >= 0 && program.endsWith(')') ? program.slice(0, open) : program;
}

/** The sudo user whose long command may continue in the next message, or undefined. */
export function sudoUserOf(e: DwellEvent): string | undefined {
  return e.action === 'sudo' || e.action === 'sudo_failed' ? (e.actor ?? undefined) : undefined;
}

/**
 * sudo splits long commands over several messages (`user : (command continued) …`). Appends the
 * continuation to `e` when `message` is one for `sudoUser`; returns whether it did.
 */
export function continueSudo(e: DwellEvent, sudoUser: string | undefined, program: string | null, message: string): boolean {
  if (!sudoUser || program !== 'sudo') return false;
  const cont = SUDO_CONTINUED.exec(message);
  if (!cont || cont[1] !== sudoUser) return false;
  const more = unescapeSyslog(cont[2]!);
  e.command = (e.command ?? '') + more;
  e.summary = e.summary + more.replace(/[\n\t]/g, ' ');
  return true;
}
