#!/usr/bin/env node
/**
 * `npm run bench [-- NAME…]`: runs the benchmarks (all by default), prints each as Markdown to
 * paste into bench/RESULTS.md, and writes bench/out/<name>.json. Requires the built dist/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['auth', 'cloudtrail', 'dbquery', 'netflow', 'formats', 'correlate', 'sigma', 'tui', 'export', 'output-guard', 'decompress', 'report', 'watch'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ALL;
mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
for (const name of names) {
  const file = join(ROOT, 'bench', `${name}.mjs`);
  if (!existsSync(file)) {
    process.stderr.write(`bench ${name}: not present, skipped\n`);
    continue;
  }
  const source = (await import('node:fs')).readFileSync(file, 'utf8');
  process.stderr.write(`bench ${name}: running…\n`);
  if (!/export (async )?function run\b/.test(source)) {
    // A standalone script: run it and pass its output through.
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [file], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
    continue;
  }
  const mod = await import(file);
  const report = await mod.run({});
  writeFileSync(join(ROOT, 'bench', 'out', `${name}.json`), JSON.stringify(report, null, 2));
  process.stdout.write((mod.markdown ? mod.markdown(report) : JSON.stringify(report, null, 2)) + '\n\n');
}
