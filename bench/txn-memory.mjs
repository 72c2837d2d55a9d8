/**
 * Issue 14: what one large file's transaction holds in memory. Loads ROWS synthetic PostgreSQL-like
 * events in staging batches of BATCH rows into a fresh case in ONE transaction (as ingest stores a
 * file), the way the ingest does it (encodeEvent → staging file → loadStagedEvents), and samples
 * DuckDB's `in_memory_table` (transaction-local rows not yet in the case file) after each batch.
 * Each configuration runs in its own process under /usr/bin/time, interleaved: CPU (user + sys),
 * wall, peak RSS, the peak of in_memory_table and the case file's size before the commit.
 *
 *     npm run build && node bench/txn-memory.mjs [rows=600000] [batch=40000] [reps=1]
 *
 * Configurations: ingest's settings with preserve_insertion_order off (parallel insert, dwell before
 * 2026-12-07 21:00) and on (batch-index insert, row groups written as they fill).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');

async function child(caseFile, rows, batch, order) {
  const { CaseDb } = await import(join(ROOT, 'dist/store/case-db.js'));
  const { encodeEvent } = await import(join(ROOT, 'dist/store/staging-rows.js'));
  const { loadStagedEvents } = await import(join(ROOT, 'dist/store/evidence-writer.js'));
  const { ingestDuckdbConfig } = await import(join(ROOT, 'dist/ingest/pipeline.js'));
  for (const f of [caseFile, caseFile + '.wal']) rmSync(f, { force: true });
  const db = await CaseDb.open(caseFile, { create: true, config: { ...ingestDuckdbConfig({}), preserve_insertion_order: order } });
  const conn = await db.instance.connect();
  await conn.run('BEGIN TRANSACTION');
  let seq = 0;
  let peak = 0;
  for (let b = 0; seq < rows; b++) {
    let text = '';
    for (let i = 0; i < batch && seq < rows; i++, seq++) {
      const raw = `2025-12-20 10:${String(seq % 60).padStart(2, '0')}:00.123 CET [${1000 + (seq % 5000)}] app@shop LOG:  statement: SELECT id, name, price FROM products_${seq % 97} WHERE id = ${seq} AND owner = 'user${seq % 311}'`;
      text += encodeEvent(seq, {
        ts: 1766221200000000 + seq * 1000, ts_end: null, time_quality: 'exact', class: 'db', action: 'db.query', outcome: 'success', host: 'db-01', actor: 'app',
        src_ip: null, src_port: null, dst_ip: null, dst_port: null, protocol: null, session: String(1000 + (seq % 5000)), access_key: null, target: `products_${seq % 97}`,
        database: 'shop', bytes_in: null, bytes_out: null, packets_in: null, packets_out: null, rows: null, command: raw.slice(60), community_id: null, user_agent: null,
        summary: `app@shop SELECT products_${seq % 97}`, attrs: { pid: 1000 + (seq % 5000) }, line: seq + 1, byte_offset: seq * 200, byte_length: raw.length, raw,
      });
    }
    const f = `${caseFile}.batch-${b}.ndjson`;
    writeFileSync(f, text);
    await loadStagedEvents(conn, f, 'postgres_log', 1);
    const r = (await db.conn.runAndReadAll(`SELECT sum(memory_usage_bytes + temporary_storage_bytes)::BIGINT AS b FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`)).getRowObjectsJS();
    peak = Math.max(peak, Number(r[0]?.b ?? 0));
  }
  const before = statSync(caseFile).size;
  await conn.run('COMMIT');
  process.stdout.write(JSON.stringify({ peakInMemoryMb: Math.round(peak / 1048576), fileBeforeCommitMb: Math.round(before / 1048576) }) + '\n');
  conn.closeSync();
  db.close();
  rmSync(caseFile, { force: true });
}

export async function run({ rows = 600_000, batch = 40_000, reps = 1 } = {}) {
  mkdirSync(OUT, { recursive: true });
  const rowsOut = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const order of ['false', 'true']) {
      const tf = join(OUT, `txn-memory-time-${process.pid}`);
      const caseFile = join(OUT, `txn-memory-${order}.duckdb`);
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', tf, process.execPath, fileURLToPath(import.meta.url), '--child', caseFile, String(rows), String(batch), order], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const [wall, kb, user, sys] = readFileSync(tf, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
      rmSync(tf, { force: true });
      const m = JSON.parse(r.stdout.trim().split('\n').pop());
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      rowsOut.push({ preserve_insertion_order: order, wall, cpu: +(user + sys).toFixed(1), peakRssMb: Math.round(kb / 1024), ...m, load });
      process.stderr.write(JSON.stringify(rowsOut.at(-1)) + '\n');
    }
  }
  return { rows, batch, runs: rowsOut };
}

if (process.argv[2] === '--child') {
  const [caseFile, rows, batch, order] = process.argv.slice(3);
  await child(caseFile, Number(rows), Number(batch), order);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows, batch, reps] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await run({ rows: rows || undefined, batch: batch || undefined, reps: reps || undefined }), null, 1));
}
