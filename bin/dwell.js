#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script runs `tsc`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('error: dwell is not built (dist/ is missing)\n help: run `npm install` (or `npm run build`) in the project root\n');
  process.exit(2);
}
// `dwell watch` runs for days and `dwell correlate` peaks on its heap's growth: V8's heap growth is
// capped before any module is loaded (loading them already grows it; src/watch/v8-heap.ts says why
// and what it saves).
// The module imports only node:v8; commands without flags of their own (V8_HEAP_FLAGS) keep V8's defaults.
(await import('../dist/watch/v8-heap.js')).capV8Heap(process.argv[2] ?? '');
await import(entry.href);
