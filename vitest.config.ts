import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that leave no state behind in their process (no process.env, timer, mock or test-config
 * change; docs/testing.md says what to check) run one after the other in a reused worker:
 * each file's fresh process and module imports (DuckDB's binding, Ink, the parsers) cost about as
 * much as the tests of a small file (docs/testing.md, "Test suite time").
 */
const SHARED_PROCESS = [
  'test/parsers/**/*.test.ts',
  'test/sigma/**/*.test.ts',
  // Not the readers of a fixture built once per run (test/helpers/shared-cases.ts): the global
  // setup's folder is per project, and the isolated files read the same fixtures.
  'test/correlate/!(rule-scans|scenario).test.ts',
  'test/correlate/*/**/*.test.ts',
  'test/tui/state/**/*.test.ts',
  'test/tui/data/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores in CI: keep end-to-end tests from starving each other.
    maxWorkers: 2,
    // One temporary folder per run for fixtures built once and shared (test/helpers/shared-fixture.ts).
    globalSetup: ['test/setup/shared-dir.ts'],
    projects: [
      { extends: true, test: { name: 'shared-process', include: SHARED_PROCESS, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: [...configDefaults.exclude, ...SHARED_PROCESS] } },
    ],
  },
});
