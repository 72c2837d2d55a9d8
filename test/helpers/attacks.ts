/**
 * Real attack cases (../shared/corpus-attacks, each with a NARRATIVE.md): ingested as a responder
 * would, correlated from the seed the narrative's alert names. Skipped, saying so, when absent.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { dwell, ROOT } from './cli.js';
import { expectValidFindings } from './findings-schema.js';

export const ATTACKS = resolve(ROOT, '..', 'shared', 'corpus-attacks');

export function attackDir(name: string): string | null {
  const dir = join(ATTACKS, name);
  if (!existsSync(dir)) {
    console.warn(`attack tests: ${dir} is absent; the ${name} case is skipped`);
    return null;
  }
  return dir;
}

/** Ingests the evidence (exit 0, or 3 when some file, e.g. the narrative itself, is not evidence). */
export async function ingestCase(casePath: string, inputs: string[], extra: string[] = []): Promise<void> {
  const r = await dwell(['ingest', '-q', '--case', casePath, ...extra, ...inputs]);
  expect([0, 3], r.stderr).toContain(r.code);
}

export async function correlateJson(casePath: string, args: string[]): Promise<{ code: number | null; f: any; stderr: string }> {
  const r = await dwell(['correlate', '--case', casePath, '--json', ...args]);
  const f = r.code === 0 ? JSON.parse(r.stdout) : null;
  if (f) expectValidFindings(f);
  return { code: r.code, f, stderr: r.stderr };
}

/** An ISO time within `seconds` of the expected one. */
export function near(got: string | null, expected: string, seconds: number): boolean {
  return got !== null && Math.abs(Date.parse(got) - Date.parse(expected)) <= seconds * 1000;
}
