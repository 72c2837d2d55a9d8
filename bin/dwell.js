#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script runs `tsc`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('error: dwell is not built (dist/ is missing)\n help: run `npm install` (or `npm run build`) in the project root\n');
  process.exit(2);
}
await import(entry.href);
