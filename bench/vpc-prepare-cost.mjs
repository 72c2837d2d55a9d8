#!/usr/bin/env node
/**
 * A small VPC file's SQL steps, planned per file or once (issue 14, per-file cost): the first N
 * `.log.gz` files of DIR, one transaction each on one DuckDB thread, as the ingest's fast path runs
 * them — lines table, the INSERT prepared then executed, DROP, COMMIT — and the median CPU (process
 * user+sys) and wall ms of each step. MODE: `each` prepares the INSERT for every file (as before
 * the vpcfile branch), `reuse` prepares it once on the connection and runs it again for each file
 * (the lines table is dropped and created again: DuckDB rebinds), `keep` also keeps the lines table.
 * Writes a scratch case under /work/bench-cases/vpcfile/. Uses the built dist/.
 *
 *   node bench/vpc-prepare-cost.mjs DIR [N=40] [each|reuse|keep]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { SCHEMA_SQL } = await import(join(ROOT, 'dist/store/schema.js'));
const { linesTableSql } = await import(join(ROOT, 'dist/ingest/fast/read-lines.js'));
const { planVpcFast, vpcInsertSql } = await import(join(ROOT, 'dist/parsers/vpc-flow.sql.js'));
const dir = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.gz')).sort().slice(0, Number(process.argv[3] ?? 40)).map((f) => join(dir, f));
mkdirSync('/work/bench-cases/vpcfile', { recursive: true });
const path = '/work/bench-cases/vpcfile/plan.duckdb';
rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
const inst = await DuckDBInstance.create(path, { preserve_insertion_order: 'true', memory_limit: '512MB', threads: '1', checkpoint_threshold: '256MB', ...(process.env.ALLOC ? { allocator_flush_threshold: '16MB', allocator_background_threads: 'true', max_vacuum_tasks: '0' } : {}) });
const setup = await inst.connect();
for (const s of SCHEMA_SQL) await setup.run(s);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t = {};
const add = (k, c0, w0) => { (t[k] ??= []).push([cpu() - c0, performance.now() - w0]); };
let eid = 1;
const mode = process.argv[4] ?? 'each';
let conn = null, prepared = null;
for (const file of files) {
  const head = gunzipSync(readFileSync(file)).subarray(0, 65536).toString('utf8').split('\n');
  const plan = planVpcFast(file, head, {});
  if (mode === 'each' || !conn) { conn = await inst.connect(); }
  let c0 = cpu(), w0 = performance.now();
  await conn.run('BEGIN');
  add('begin', c0, w0); c0 = cpu(); w0 = performance.now();
  let lsql = linesTableSql('lines', file, 'gzip', 1, plan.header !== null);
  if (mode === 'keep') {
    if (!prepared) await conn.run('CREATE TEMP TABLE lines (line BIGINT, text VARCHAR, end_offset BIGINT, skipped BIGINT)');
    lsql = lsql.replace('CREATE TEMP TABLE lines AS', 'INSERT INTO lines');
  }
  await conn.run(lsql, plan.header === null ? {} : { header: plan.header });
  add('lines', c0, w0); c0 = cpu(); w0 = performance.now();
  await conn.run('SET preserve_insertion_order = false');
  const sql = vpcInsertSql(plan, 'lines', 1);
  let p = prepared;
  if (!p || mode === 'each') { p = await conn.prepare(sql); }
  if (mode !== 'each') prepared = p;
  add('prepare', c0, w0); c0 = cpu(); w0 = performance.now();
  p.bind({ eid: eid, until: Date.now() * 1000 + 86400e6, ...(plan.header === null ? {} : { header: plan.header }) });
  await p.run();
  add('execute', c0, w0); c0 = cpu(); w0 = performance.now();
  await conn.run(mode === 'keep' ? 'DELETE FROM lines' : 'DROP TABLE lines');
  await conn.run('SET preserve_insertion_order = true');
  add('drop', c0, w0); c0 = cpu(); w0 = performance.now();
  await conn.run('COMMIT');
  add('commit', c0, w0);
  if (eid === 1 || eid === files.length) { const r = await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM events WHERE evidence_id = ' + eid); console.log('file', eid, 'rows', r.getRows()[0][0]); }
  if (mode === 'each') conn.closeSync();
  eid++;
}
let tc = 0;
for (const [k, v] of Object.entries(t)) {
  tc += v.reduce((a, x) => a + x[0], 0);
  const m = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  console.log(k.padEnd(8), 'median cpu', m(v.map((x) => x[0])).toFixed(1), 'wall', m(v.map((x) => x[1])).toFixed(1), 'ms');
}
console.log('total cpu', (tc/1000).toFixed(2), 's');
