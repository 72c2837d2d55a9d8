#!/usr/bin/env node
/**
 * Adversarial input benchmark (issue 18): how long the per-file parse (parse-file.js: split, parse,
 * gate, staged batches) takes on shapes an attacker can write into a log, at a size given with
 * --n. The shapes are those of test/hostile/parsers-linear.test.ts, whose time bounds guard them;
 * this measures them, e.g. against an older build to show a fix:
 *
 *   node bench/hostile.mjs                          # this build, default sizes
 *   node bench/hostile.mjs --dist /tmp/old/dist --only slow-comments --n 10000
 *   options: --dist DIR  --n N (lines or characters per case)  --only name,name
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const dist = resolve(opt('dist', join(ROOT, 'dist')));
const n = Number(opt('n', 100_000));
const only = opt('only', null)?.split(',');
const { parseFile } = await import(join(dist, 'ingest', 'parse-file.js'));

const repeat = (line, k) => (line + '\n').repeat(k);
const CASES = {
  'slow-comments': ['mysql_slow_log', 'one slow-log query followed by N comment lines', () => '# Time: 2019-03-24T14:01:47.811234Z\n# Query_time: 2.4\nSET timestamp=1553436105;\nSELECT 1\n' + repeat('# just a comment in the statement', n)],
  'slow-headers': ['mysql_slow_log', 'N comment lines before the statement', () => '# Time: 2019-03-24T14:01:47.811234Z\n' + repeat('# note: a header line', n) + 'SELECT 1;\n'],
  'pg-statement': ['postgres_log', 'a statement of N continuation lines', () => '2025-08-13 01:46:10.568 PDT [12389] LOG:  statement: SELECT\n' + repeat('\ta,', n) + '\t1;\n'],
  'pg-prefix-tabs': ['postgres_log', 'N tabs inside an unknown log_line_prefix', () => `2025-08-13 01:46:10.568 ${'\t'.repeat(n)}PDT [12389] LOG:  x\n`],
  'sshd-spaces': ['auth_log', 'N spaces in an sshd disconnect reason', () => `Mar 11 19:26:39 web1 sshd[1]: Received disconnect from 1.2.3.4 port 22:11: ${' '.repeat(n)}x\n`],
  'sql-comments': ['postgres_log', 'N unterminated /* in a statement', () => `2025-08-13 01:46:10.568 PDT [12389] LOG:  statement: ${'/*'.repeat(n)}\n`],
  'deep-json': ['cloudtrail', 'a record nested N levels deep', () => `{"eventVersion":"1.09","eventTime":"2026-02-11T09:14:03Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","requestParameters":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}\n`],
};

const rows = [];
for (const [name, [format, what, make]] of Object.entries(CASES)) {
  if (only && !only.includes(name)) continue;
  const dir = mkdtempSync(join(tmpdir(), 'dwell-bench-hostile-'));
  try {
    const path = join(dir, 'evidence.log');
    writeFileSync(path, make());
    const started = performance.now();
    const r = await parseFile({ path, stagingDir: dir, mtimeMs: Date.now(), tz: 'UTC', format, extra: {} }, { onBatch: async (b) => rmSync(b.file, { force: true }) });
    rows.push(`| ${name} | ${what} | ${format} | ${n.toLocaleString('en-US')} | ${((performance.now() - started) / 1000).toFixed(2)} | ${r.events} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`dist: ${dist}\n\n| case | shape | parser | N | seconds | events |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
