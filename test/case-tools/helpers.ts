/** The small case of the case-tools tests: fixtures/case-tools (see its README) and a CloudTrail file, ingested by the real CLI. */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { dwell, ROOT } from '../helpers/cli.js';

export const FIXTURES = join(ROOT, 'fixtures', 'case-tools', 'evidence');
export const AUTH_LOG = join(FIXTURES, 'web-01', 'auth.log');
export const CONN_LOG = join(FIXTURES, 'sensor', 'conn.log');
export const CLOUDTRAIL = join(ROOT, 'fixtures', 'cloudtrail', 'lines', 'lake-export.jsonl');

/** Ingests the fixtures into `casePath` (with --year 2026, so times are fixed). */
export async function fixtureCase(casePath: string, extra: string[] = []): Promise<string> {
  const r = await dwell(['ingest', '--year', '2026', '-q', '--case', casePath, FIXTURES, CLOUDTRAIL, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return casePath;
}

/** What must not change: bytes (as a hash), size and modification time. */
export function fileState(path: string): { sha256: string; size: number; mtimeMs: number } {
  const st = statSync(path);
  return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), size: st.size, mtimeMs: st.mtimeMs };
}

export const dwellIn = dwell;
