/**
 * `npm run build` bundles the TUI into one file (scripts/bundle-tui.mjs) that `dwell tui` loads for
 * a faster start. The tmux end-to-end test drives it through the CLI; this checks the bundle exists,
 * loads on its own (no missing require, no devtools import) and exposes the entry point.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('the TUI bundle', () => {
  const bundle = join(ROOT, 'dist', 'tui', 'run.bundle.js');
  it('is built by npm run build and loads with its entry point', async () => {
    expect(existsSync(bundle)).toBe(true);
    const mod = (await import(pathToFileURL(bundle).href)) as { runTui?: unknown };
    expect(typeof mod.runTui).toBe('function');
  });
});
