/** Shared by the database query log tests: fixtures and the fields their expected files pin down. */
import { readFileSync } from 'node:fs';
import type { DwellEvent } from '../../src/core/event.js';
import { essentials, type ParserRun } from '../helpers/run-parser.js';

export const FIX = new URL('../../fixtures/dbquery/', import.meta.url);
export const EXPECTED = new URL('../../fixtures/expected/dbquery/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIX));
}

export function expectedPath(name: string): string {
  return new URL(name.replace(/\//g, '__') + '.jsonl', EXPECTED).pathname;
}

/**
 * What an expected file holds for a database event: the normalized columns, what the statement
 * touched (attrs.sql without its fingerprint id, which is tested on its own), which fields came
 * from the session, duration, pgaudit fields and the summary (to see passwords masked).
 */
export function dbEssentials(e: DwellEvent): Record<string, unknown> {
  const out = essentials(e);
  const a = (e.attrs ?? {}) as Record<string, unknown>;
  if (a.sql) {
    const { fingerprint, parser, ...sql } = a.sql as Record<string, unknown>;
    void fingerprint;
    void parser;
    out.sql = sql;
  }
  for (const k of ['from_session', 'duration_ms', 'rows_examined', 'audit', 'prepared', 'parameters', 'error', 'time_inherited', 'connection_id', 'program_name', 'client_host']) {
    if (a[k] !== undefined) out[k] = a[k];
  }
  out.summary = e.summary;
  return out;
}

/** Every line is used exactly once. */
export function accounted(run: ParserRun): boolean {
  const d = run.dispositions;
  return d.record + d.continuation + d.warning + d.meta + d.blank === run.lines;
}

/** For an uncompressed file, the bytes at byte_offset/byte_length are the event's raw text. */
export function rawMatchesBytes(buf: Buffer, events: DwellEvent[]): string[] {
  const bad: string[] = [];
  for (const e of events) {
    const bytes = buf.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8');
    if (bytes !== e.raw) bad.push(`line ${e.line}: ${JSON.stringify(bytes.slice(0, 80))} != ${JSON.stringify(e.raw.slice(0, 80))}`);
  }
  return bad;
}
