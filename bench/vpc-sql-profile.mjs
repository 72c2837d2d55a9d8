#!/usr/bin/env node
/**
 * Profile of the VPC fast path's INSERT (src/parsers/vpc-flow.sql.ts) — or the Zeek conn.log one
 * (zeek-tsv.sql.ts) for a file whose head has `#fields` — on one file, without the rest
 * of the ingest: the file's lines are read into the numbered lines table once (as read-lines.ts
 * does), then the INSERT runs REPS times into a fresh `events` table and is committed and
 * checkpointed (the write to disk is part of its cost). CPU time is the process's user+sys around
 * each step (DuckDB's threads run in this process), far less sensitive than wall time to a loaded
 * machine.
 *
 *   node bench/vpc-sql-profile.mjs FILE [--reps 3] [--threads N] [--explain] [--without 'raw;summary;raw,attrs']
 *
 * `--without` lists variants (`;` between them, `,` inside one) that store NULL in those columns
 * instead of their value (the optimizer then drops the work only they needed); each variant and
 * the full INSERT run in turn, REPS times, interleaved. The difference to the full run is what the
 * columns cost, the table issue 14 asks for ("say what each column costs"). `--explain` prints
 * EXPLAIN ANALYZE of one full INSERT first. `--threads` is DuckDB's (default: all cores, as the
 * ingest). Uses the built dist/.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { SCHEMA_SQL } = await import(join(ROOT, 'dist/store/schema.js'));
const { linesTableSql } = await import(join(ROOT, 'dist/ingest/fast/read-lines.js'));
const { planVpcFast, vpcInsertSql } = await import(join(ROOT, 'dist/parsers/vpc-flow.sql.js'));
const { planZeekTsvFast, zeekTsvInsertSql } = await import(join(ROOT, 'dist/parsers/zeek-tsv.sql.js'));
const { readFileSync } = await import('node:fs');
const { gunzipSync } = await import('node:zlib');

const argv = process.argv.slice(2);
const file = resolve(argv[0] ?? '');
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : argv[i + 1];
};
const reps = Number(opt('--reps', '3'));
const variants = [[], ...(opt('--without', '') || '').split(';').filter(Boolean).map((v) => v.split(','))];
const threads = opt('--threads', null);
const explain = argv.includes('--explain');

const gz = file.endsWith('.gz');
const headText = (gz ? gunzipSync(readFileSync(file)) : readFileSync(file)).subarray(0, 65536).toString('utf8');
const headLines = headText.split('\n').map((l) => l.replace(/\r$/, ''));
const zeek = headLines.some((l) => l.startsWith('#fields\t'));
const plan = zeek ? { ...planZeekTsvFast(headLines, {}), header: null } : planVpcFast(file, headLines, {});
if (typeof plan === 'string' || (zeek && !plan.layout)) throw new Error(`not for the SQL path: ${zeek ? planZeekTsvFast(headLines, {}) : plan}`);
const newline = headText.includes('\r\n') ? 2 : 1;

const full = zeek ? zeekTsvInsertSql(plan, 'lines', newline) : vpcInsertSql(plan, 'lines', newline);
/** The INSERT with the columns in `without` stored as NULL. */
function variantSql(without) {
  if (!without.length) return full;
  // The SELECT names every column (AS "name"): replace the chosen ones by NULL above it.
  return full.replace(/^INSERT INTO events\n/, `INSERT INTO events SELECT * REPLACE (${without.map((c) => `NULL AS "${c}"`).join(', ')}) FROM (\n`) + ')';
}

const dir = mkdtempSync(join(tmpdir(), 'vpc-profile-'));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const results = new Map(variants.map((v) => [v.join(',') || 'none', []]));

async function once(without, n, explainIt) {
  const path = join(dir, `case-${n}.duckdb`);
  const inst = await DuckDBInstance.create(path, { preserve_insertion_order: 'true', memory_limit: '640MB', ...(threads ? { threads } : {}) });
  const conn = await inst.connect();
  try {
    for (const s of SCHEMA_SQL) await conn.run(s);
    const params = plan.header === null ? {} : { header: plan.header };
    let c0 = cpu();
    let w0 = performance.now();
    await conn.run(linesTableSql('lines', file, gz ? 'gzip' : 'none', newline, zeek ? '#' : plan.header !== null), params);
    const read = { cpu: cpu() - c0, wall: (performance.now() - w0) / 1000 };
    await conn.run('SET preserve_insertion_order = false');
    await conn.run('BEGIN');
    const insertParams = { eid: 1, until: Date.now() * 1000 + 86400e6, ...params };
    c0 = cpu();
    w0 = performance.now();
    if (explainIt) {
      const r = await conn.runAndReadAll(`EXPLAIN ANALYZE ${variantSql(without)}`, insertParams);
      for (const row of r.getRows()) console.log(String(row[1]));
    } else await conn.run(variantSql(without), insertParams);
    const insert = { cpu: cpu() - c0, wall: (performance.now() - w0) / 1000 };
    c0 = cpu();
    w0 = performance.now();
    await conn.run('COMMIT');
    await conn.run('CHECKPOINT');
    const commit = { cpu: cpu() - c0, wall: (performance.now() - w0) / 1000 };
    const rows = (await conn.runAndReadAll('SELECT count(*)::INTEGER FROM events')).getRows()[0][0];
    console.error(`${without.join(',') || 'full'}: ${rows} rows; read ${read.cpu.toFixed(2)} s CPU; insert ${insert.cpu.toFixed(2)} s CPU (${insert.wall.toFixed(2)} wall); commit+checkpoint ${commit.cpu.toFixed(2)} s CPU (${commit.wall.toFixed(2)} wall)`);
    return { read, insert, commit, rows };
  } finally {
    conn.closeSync();
    inst.closeSync();
    rmSync(path, { force: true });
    rmSync(path + '.wal', { force: true });
  }
}

try {
  let n = 0;
  if (explain) await once([], n++, true);
  for (let rep = 0; rep < reps; rep++) for (const v of variants) results.get(v.join(',') || 'none').push(await once(v, n++, false));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`| stored as NULL | insert CPU s | commit+checkpoint CPU s | insert+commit CPU s | saved vs full | insert wall s |`);
console.log('|---|---|---|---|---|---|');
let base = null;
for (const [name, rs] of results) {
  const ins = median(rs.map((r) => r.insert.cpu));
  const com = median(rs.map((r) => r.commit.cpu));
  const tot = median(rs.map((r) => r.insert.cpu + r.commit.cpu));
  base ??= tot;
  console.log(`| ${name} | ${ins.toFixed(3)} | ${com.toFixed(3)} | ${tot.toFixed(3)} | ${name === 'none' ? '–' : ((base - tot) / base * 100).toFixed(0) + ' %'} | ${median(rs.map((r) => r.insert.wall)).toFixed(2)} |`);
}
