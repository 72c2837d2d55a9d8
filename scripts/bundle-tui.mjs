#!/usr/bin/env node
/**
 * Bundles `dwell tui` (dist/tui/run.js with Ink, React and the TUI's own modules) into one file,
 * dist/tui/run.bundle.js, run by `npm run build` after tsc.
 *
 * Why: loading Ink 6 as separate ES modules costs ≈ 400 ms of the TUI's start (hundreds of small
 * files resolved and compiled one by one); the same code as one bundle loads in ≈ 95 ms, which is
 * what brings process start → first frame under the one second the TUI promises. DuckDB stays
 * external (a native addon). When the bundle is missing, `dwell tui` loads dist/tui/run.js.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}dist/tui/run.js`;
if (!existsSync(entry)) {
  process.stderr.write('bundle-tui: dist/tui/run.js is missing (run tsc first)\n');
  process.exit(1);
}
await build({
  entryPoints: [entry],
  outfile: `${root}dist/tui/run.bundle.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@duckdb/node-api'],
  // Ink imports react-devtools-core only when DEV=true; it is not installed, so a stub keeps the
  // bundle self-contained (DEV=true then reports that devtools are unavailable instead of crashing).
  alias: { 'react-devtools-core': `${root}scripts/react-devtools-stub.mjs` },
  define: { 'process.env.NODE_ENV': '"production"' },
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __dwellCreateRequire } from 'node:module'; const require = __dwellCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
