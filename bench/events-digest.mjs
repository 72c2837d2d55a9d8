/**
 * Digest of a case's events, for "nothing lost" comparisons of two ingests of the same evidence
 * (issue 14: the same events before and after a change, ids included). Prints, as JSON: the event
 * and warning counts, one order-independent digest per events column (so a difference names its
 * column), a digest of whole rows with each event tied to its evidence by SHA-256 and path rather
 * than by the evidence id (ids depend on the order lanes finished files; compared separately), and
 * the per-file event counts' digest.
 *
 *   node bench/events-digest.mjs CASE.duckdb [--per-column]
 *
 * Opens the case read-only. Requires the built dist/ only for nothing: it talks to DuckDB directly.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [, , caseFile, ...flags] = process.argv;
if (!caseFile) {
  process.stderr.write('usage: node bench/events-digest.mjs CASE.duckdb [--per-column]\n');
  process.exit(2);
}
const inst = await DuckDBInstance.create(caseFile, { access_mode: 'READ_ONLY', memory_limit: '512MB', threads: '2' });
const conn = await inst.connect();
const one = async (sql) => (await (await conn.runAndReadAll(sql)).getRowObjectsJson())[0];

const cols = (await (await conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`)).getRowObjectsJson()).map((r) => r.column_name);
const q = (c) => `"${c.replace(/"/g, '""')}"`;
const ownCols = cols.filter((c) => c !== 'evidence_id' && c !== 'event_id');
const out = {};
out.events = Number((await one(`SELECT count(*) AS n FROM events`)).n);
out.warnings = Number((await one(`SELECT count(*) AS n FROM parse_warnings`)).n);
out.warning_rows = String((await one(`SELECT bit_xor(hash(v.sha256, v.path, w.line, w.byte_offset, w.raw, w.reason))::VARCHAR AS d FROM parse_warnings w JOIN evidence v USING (evidence_id)`)).d);
// Whole rows, each tied to its evidence by content and path (not by id).
out.rows = String(
  (await one(`SELECT bit_xor(hash(v.sha256, v.path, ${ownCols.map((c) => `e.${q(c)}`).join(', ')}))::VARCHAR AS d
     FROM events e JOIN evidence v USING (evidence_id)`)).d,
);
// Ids: event ids with the evidence they belong to, by content.
out.ids = String((await one(`SELECT bit_xor(hash(v.sha256, v.path, e.event_id, e.line))::VARCHAR AS d FROM events e JOIN evidence v USING (evidence_id)`)).d);
out.per_file = String((await one(`SELECT bit_xor(hash(sha256, path, events, status))::VARCHAR AS d FROM evidence`)).d);
if (flags.includes('--per-column')) {
  out.columns = {};
  for (const c of ownCols) out.columns[c] = String((await one(`SELECT bit_xor(hash(e.${q(c)}, v.sha256, e.line))::VARCHAR AS d FROM events e JOIN evidence v USING (evidence_id)`)).d);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
conn.closeSync?.();
