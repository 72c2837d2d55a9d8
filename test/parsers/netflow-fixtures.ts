/** Shared by the network flow parser tests: fixture reading and the fields expected files pin. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import type { SourceParser } from '../../src/parsers/types.js';
import { compareExpected } from '../helpers/expected.js';
import { essentials, runParser, type ParserRun, type RunOptions } from '../helpers/run-parser.js';

export const FIX = new URL('../../fixtures/netflow/', import.meta.url);
const EXPECTED = new URL('../../fixtures/expected/netflow/', import.meta.url);

export function fixture(name: string): Buffer {
  const buf = readFileSync(new URL(name, FIX));
  return name.endsWith('.gz') ? gunzipSync(buf) : buf;
}

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace('Z', String(((us % 1000) + 1000) % 1000).padStart(3, '0') + 'Z');
}

/** essentials() plus what flows add: the end time and everything kept in attrs. */
export function flowEssentials(e: DwellEvent): Record<string, unknown> {
  const out = essentials(e);
  if (e.ts_end !== null && e.ts_end !== undefined) out.ts_end = iso(e.ts_end);
  out.summary = e.summary;
  if (e.attrs && Object.keys(e.attrs).length > 0) out.attrs = e.attrs;
  return out;
}

/**
 * Runs `parser` on a fixture and holds it to its reviewed expected output (events, then warnings),
 * checking that every line is accounted for and that raw/offsets lead back to the bytes.
 */
export async function expectFixture(parser: SourceParser, name: string, opts: RunOptions = {}): Promise<ParserRun> {
  const input = fixture(name);
  const run = await runParser(parser, input, { path: name, ...opts });
  const actual = [
    ...run.events.map(flowEssentials),
    ...run.warnings.map((w) => ({ warning: { line: w.line, reason: w.reason } })),
  ];
  const expected = compareExpected(new URL(name.replace(/\//g, '__') + '.jsonl', EXPECTED).pathname, actual);
  expect(actual).toEqual(expected);
  const d = run.dispositions;
  expect(d.record + d.continuation + d.warning + d.meta + d.blank).toBe(run.lines);
  for (const e of run.events) {
    expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
  }
  return run;
}
