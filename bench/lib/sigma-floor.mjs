/**
 * The floor under a Sigma hunt (bench/sigma.mjs): DuckDB's plain scan of the event columns the
 * compiled rules read, over the sources they read — what any one-pass evaluation must at least
 * pay. `node bench/lib/sigma-floor.mjs CASE RULES` prints { columns, sources, rows, ms } as JSON.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { EVENT_COLUMNS } from '../../dist/core/event.js';
import { render } from '../../dist/sigma/compile.js';
import { loadSigma } from '../../dist/sigma/load.js';
import { planHunt } from '../../dist/sigma/plan.js';

const [casePath, rules] = process.argv.slice(2);
const plan = planHunt(loadSigma([rules]));
const names = EVENT_COLUMNS.map(([n]) => n);
const columns = new Set(['event_id', 'ts', 'time_quality']);
const sources = new Set();
for (const r of plan.rules) {
  const sql = render(r.cond, 'full');
  for (const n of names) if (new RegExp(`\\b${n}\\b`).test(sql)) columns.add(n);
  for (const s of r.target.sources) sources.add(s);
}
const db = await DuckDBInstance.create(casePath, { access_mode: 'READ_ONLY', memory_limit: process.env.DWELL_DUCKDB_MEMORY ?? '1GB' });
const conn = await db.connect();
// Every value of every column read (length() for text, count() otherwise), so no column is skipped.
const touch = [...columns].map((c) => {
  const type = EVENT_COLUMNS.find(([n]) => n === c)[1];
  return /VARCHAR|JSON/.test(type) ? `sum(length("${c}"))` : `count("${c}")`;
});
const t0 = Date.now();
const list = [...sources];
const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, ${touch.join(', ')} FROM events WHERE source IN (${list.map((_, i) => `$p${i}`).join(', ')})`, Object.fromEntries(list.map((s, i) => [`p${i}`, s])));
const ms = Date.now() - t0;
process.stdout.write(JSON.stringify({ columns: [...columns], sources: list, rows: Number(r.getRowObjectsJS()[0].n), ms }) + '\n');
conn.closeSync();
