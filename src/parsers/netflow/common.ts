/**
 * What the flow parsers share: a tally for conditions that repeat over a whole file (warned once at
 * the first line, then summarised with a count and the last line, so a 10M-line file in
 * milliseconds gives two clear warnings rather than ten million), the raw-text cut for warnings,
 * and outcome mapping.
 */
import type { Outcome } from '../../core/event.js';
import type { ParseContext } from '../types.js';

export const MAX_WARNING_TEXT = 512;

interface TallyEntry {
  count: number;
  first: number;
  last: number;
  reason: string;
}

/** Conditions that typically hold for a whole file: warned at the first line, counted after. */
export class Tally {
  private readonly entries = new Map<string, TallyEntry>();

  constructor(private readonly ctx: ParseContext) {}

  note(key: string, lineNo: number, offset: number, raw: string, reason: string): void {
    const e = this.entries.get(key);
    if (e) {
      e.count++;
      e.last = lineNo;
      return;
    }
    this.entries.set(key, { count: 1, first: lineNo, last: lineNo, reason });
    this.ctx.warn({ line: lineNo, byte_offset: offset, raw: raw.slice(0, MAX_WARNING_TEXT), reason });
  }

  count(key: string): number {
    return this.entries.get(key)?.count ?? 0;
  }

  /** Summaries for conditions seen more than once; call from the handler's end(). */
  end(): void {
    for (const e of this.entries.values()) {
      if (e.count > 1) {
        this.ctx.warn({
          line: e.last,
          byte_offset: 0,
          raw: '',
          reason: `the same problem on ${e.count} lines in all (lines ${e.first}–${e.last}); the first (line ${e.first}): ${e.reason}`,
        });
      }
    }
  }
}

/**
 * Records whose clock is relative (1970: seconds since a replayed capture started). They are kept
 * and marked `time_quality = 'relative'`; the file gets one warning at the end saying how many and
 * where (the ingest report shows it), and the count on its evidence row (`info.relative_time_records`).
 */
export class RelativeTimes {
  private count = 0;
  private first = 0;
  private firstOffset = 0;
  private last = 0;
  private firstRaw = '';
  private firstReason = '';

  constructor(private readonly ctx: ParseContext) {}

  note(lineNo: number, offset: number, raw: string, reason: string): void {
    if (this.count++ === 0) {
      this.first = lineNo;
      this.firstOffset = offset;
      this.firstRaw = raw.slice(0, MAX_WARNING_TEXT);
      this.firstReason = reason;
    }
    this.last = lineNo;
  }

  end(): void {
    if (this.count === 0) return;
    this.ctx.setFileInfo('relative_time_records', this.count);
    const where = this.count === 1 ? `line ${this.first}` : `lines ${this.first}–${this.last}`;
    this.ctx.warn({
      line: this.first,
      byte_offset: this.firstOffset,
      raw: this.firstRaw,
      reason: `${this.count} record(s) with a relative time (${where}); the first: ${this.firstReason}`,
    });
  }
}

/** VPC / TGW `action`: ACCEPT → success, REJECT → failure. */
export function acceptOutcome(action: string | null): Outcome {
  if (action === 'ACCEPT') return 'success';
  if (action === 'REJECT') return 'failure';
  return 'unknown';
}

/**
 * Zeek conn_state → outcome. Established connections (SF, S1, S2, S3, RSTO, RSTR) succeeded; a
 * rejected (REJ) or unanswered TCP attempt (S0) failed; everything else (half-seen, mid-stream,
 * non-TCP S0, OTH) is unknown.
 */
export function connStateOutcome(state: string | null, proto: number): Outcome {
  switch (state) {
    case 'SF':
    case 'S1':
    case 'S2':
    case 'S3':
    case 'RSTO':
    case 'RSTR':
      return 'success';
    case 'REJ':
      return 'failure';
    case 'S0':
      return proto === 6 ? 'failure' : 'unknown';
    default:
      return 'unknown';
  }
}

/** "10.0.0.1:443" or "[2001:db8::1]:443" or the bare address when there is no port. */
export function endpoint(ip: string | null | undefined, port: number | null | undefined): string {
  const host = ip ?? '?';
  if (port === null || port === undefined) return host;
  return host.indexOf(':') >= 0 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One readable line for a flow. */
export function flowSummary(
  verb: string,
  protocol: string | null,
  srcIp: string | null | undefined,
  srcPort: number | null | undefined,
  dstIp: string | null | undefined,
  dstPort: number | null | undefined,
  bytesOut: number | null | undefined,
  bytesIn: number | null | undefined,
): string {
  let s = `${verb} ${protocol ?? '?'} ${endpoint(srcIp, srcPort)} -> ${endpoint(dstIp, dstPort)}`;
  if (bytesOut !== null && bytesOut !== undefined) s += ` ${bytesOut} B out`;
  if (bytesIn !== null && bytesIn !== undefined) s += ` ${bytesIn} B in`;
  return s;
}
