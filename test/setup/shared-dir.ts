/**
 * vitest globalSetup: one temporary folder for the whole run, shared by the test files (each runs
 * in its own worker), where a costly read-only fixture is built once — by the first file that asks
 * for it — instead of once per file (test/helpers/shared-fixture.ts). Creating the folder costs
 * nothing; a run of files that never ask for a fixture builds none. Removed at the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    sharedDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'dwell-test-shared-'));
  project.provide('sharedDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
