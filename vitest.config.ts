import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores in CI: keep end-to-end tests from starving each other.
    maxWorkers: 2,
    // One temporary folder per run for fixtures built once and shared (test/helpers/shared-fixture.ts).
    globalSetup: ['test/setup/shared-dir.ts'],
  },
});
