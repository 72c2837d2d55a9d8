/**
 * Staging batches of synthetic PostgreSQL-like events, written the way the parse workers write
 * them, for tests that drive an evidence transaction directly (no parser in between).
 */
import { writeFileSync } from 'node:fs';
import type { DwellEvent } from '../../src/core/event.js';
import type { EvidenceRow } from '../../src/store/evidence-writer.js';
import { encodeEvent } from '../../src/store/staging-rows.js';

/** The event of sequence number `seq` (line seq + 1): the same every time. */
export function stagedEvent(seq: number): DwellEvent {
  const raw = `2025-12-20 10:00:00.123 CET [${1000 + (seq % 500)}] app@shop LOG:  statement: SELECT * FROM t${seq % 97} WHERE id = ${seq}`;
  return {
    ts: 1766221200000000 + seq * 1000, ts_end: null, time_quality: 'exact', class: 'datastore_activity', action: 'db.query', outcome: 'success', host: 'db-01',
    actor: 'app', src_ip: null, src_port: null, dst_ip: null, dst_port: null, protocol: null, session: String(1000 + (seq % 500)), access_key: null,
    target: `t${seq % 97}`, database: 'shop', bytes_in: null, bytes_out: null, packets_in: null, packets_out: null, rows: null, command: raw.slice(50),
    community_id: null, user_agent: null, summary: `app@shop SELECT t${seq % 97}`, attrs: null, line: seq + 1, byte_offset: seq * 120, byte_length: raw.length, raw,
  } as DwellEvent;
}

/** Writes one staging batch of events [from, from + n) to `file`; returns the file. */
export function stageEvents(file: string, from: number, n: number): string {
  let text = '';
  for (let i = from; i < from + n; i++) text += encodeEvent(i, stagedEvent(i));
  writeFileSync(file, text);
  return file;
}

/** The evidence row a test commits with: file `id`, `events` events, nothing else known. */
export function stagedEvidenceRow(id: number, events: number): EvidenceRow {
  return {
    evidence_id: id, run_id: 0, path: 'x', abs_path: '/x', size: 0, mtime_ms: 0, sha256: 'x', compression: null, format: 'postgres_log', parser_version: null,
    sniff_reason: null, status: 'ingested', message: null, lines: null, record_lines: null, continuation_lines: null, meta_lines: null, blank_lines: null,
    warning_lines: null, events, warnings: 0, first_ts_us: null, last_ts_us: null, year_shift: null, duplicate_of: null, info: null,
  };
}
