/**
 * The fast path's PostgreSQL csvlog read (docs/ingest-fast-path.md): DuckDB reads the lines and
 * SQL (parsers/postgres-csvlog.sql.ts) turns the records into events; JS analyzes each statement
 * shape once — the first statement of each fingerprint, in file order, with the parser's own
 * SqlAnalyzer, so the cache answers exactly as it does for the JS parser — and replays the
 * sessions' full-table reads (the dump flags) over the few records that carry them.
 *
 * Everything runs in the caller's transaction; an error (a record the SQL does not cover, a check
 * here) means "decline": the caller rolls back and reads the file with the JS parser.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { canonicalIp } from '../../core/ip.js';
import { fullReadTables, statementFacts } from '../../parsers/dbquery/statement.js';
import { DUMP_SEQUENCE_TABLES } from '../../parsers/dbquery/session.js';
import { pgFieldsSql, pgInsertSql, pgLinesSql, pgRecordsSql } from '../../parsers/postgres-csvlog.sql.js';
import { SqlAnalyzer } from '../../parsers/sql/analyze.js';
import { withInsertionOrder } from './read-lines.js';

const LINES = 'dwell_pg_lines';
const FIELDS = 'dwell_pg_fields';
const RECS = 'dwell_pg_recs';
const FPS = 'dwell_pg_fps';
const DUMPSEQ = 'dwell_pg_dumpseq';
/** sql/analyze.ts MAX_CACHE: below it the analyzer's cache is never cleared, so one analysis per shape is exact. */
const MAX_SHAPES = 50_000;
/** dbquery/session.ts MAX_SESSIONS: below it no session is forgotten. */
const MAX_SESSIONS = 100_000;

export class Declined extends Error {}

export interface PgCsvlogRead {
  lines: number;
  blank: number;
  chars: number;
  records: number;
  continuation: number;
  info: Record<string, unknown>;
}

/** Reads the csvlog at `path` into `events` (evidence `eid`) or throws (Declined, or DuckDB's error). */
export async function readPgCsvlog(conn: DuckDBConnection, eid: number, path: string, compression: 'none' | 'gzip', until: number, maxLine: number, columns: number): Promise<PgCsvlogRead> {
  try {
    // Two reads of the file: its lines (raw text, line numbers, byte offsets) and its fields (DuckDB's CSV reader).
    await withInsertionOrder(conn, async () => {
      await conn.run(pgLinesSql(LINES, path, compression, maxLine));
      await conn.run(pgFieldsSql(FIELDS, path, compression, columns, Math.max(maxLine, 2 << 20)));
    });
    const l = await row(conn, `SELECT count(*) AS lines, count(*) FILTER (WHERE rn <> line) AS misordered, coalesce(max(cq), 0) % 2 AS open_quote,
        count(*) FILTER (WHERE text IS NULL AND (cq - qc) % 2 = 0) AS blank, coalesce(sum(strlen(text)), 0) AS chars, coalesce(max(nrec), 0) AS records
      FROM ${LINES}`);
    if (l.misordered! > 0) throw new Declined('DuckDB did not keep the line order');
    if (l.open_quote! > 0) throw new Declined('the file ends inside a quoted field');
    // Numbered alike: each record's fields are checked against its own text (same_text in the SQL).
    const f = await row(conn, `SELECT count(*) AS n FROM ${FIELDS}`);
    if (f.n !== l.records) throw new Declined(`DuckDB's CSV reader read ${f.n} records, the quote parity of the lines ${l.records}`);
    await conn.run(pgRecordsSql(LINES, FIELDS, RECS, columns));
    const s = await row(conn, `SELECT count(DISTINCT key) AS sessions, count(*) FILTER (WHERE command IS NOT NULL) AS statements FROM ${RECS}`);
    if (s.sessions! > MAX_SESSIONS) throw new Declined(`more than ${MAX_SESSIONS} sessions`);
    await sessionCheck(conn);

    const analysis = await analyzeShapes(conn);
    const dumpSeqs = await replayFullReads(conn, analysis.fullRead);
    await conn.run(`CREATE TEMP TABLE ${DUMPSEQ} (seq BIGINT)`);
    if (dumpSeqs.length > 0) await conn.run(`INSERT INTO ${DUMPSEQ} SELECT unnest(from_json($j, '["BIGINT"]'))`, { j: JSON.stringify(dumpSeqs) });
    await conn.run(pgInsertSql(RECS, FPS, DUMPSEQ, columns), { eid, until });

    const info: Record<string, unknown> = {};
    if (s.statements! > 0) info.sql_analysis = { ...analysis.stats, statements: s.statements };
    const records = Number(l.records);
    if (records > 0) info.csvlog_columns = { [columns]: records };
    return { lines: l.lines!, blank: l.blank!, chars: l.chars!, records, continuation: l.lines! - records - l.blank!, info };
  } finally {
    for (const t of [LINES, FIELDS, RECS, FPS, DUMPSEQ]) await conn.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

/**
 * A record that lacks a user, database, client, port or application name which an earlier record
 * of the same session key stated would take it from the session (attrs.from_session): the SQL
 * does not rebuild sessions, so such a file is declined. (Conservative: closes and restarts are
 * ignored, which can only decline more.) `connection received` opens a new session: exempt.
 */
async function sessionCheck(conn: DuckDBConnection): Promise<void> {
  const bad = await row(conn, `
    WITH firsts AS (
      SELECT key,
        min(seq) FILTER (WHERE line_user IS NOT NULL) AS fu, min(seq) FILTER (WHERE line_db IS NOT NULL) AS fd,
        min(seq) FILTER (WHERE cli_ip IS NOT NULL OR cli_host IS NOT NULL) AS fc, min(seq) FILTER (WHERE cli_port IS NOT NULL) AS fp,
        min(seq) FILTER (WHERE line_app IS NOT NULL) AS fa
      FROM ${RECS} WHERE key IS NOT NULL GROUP BY key)
    SELECT min(r.rline) AS line FROM ${RECS} r JOIN firsts f USING (key)
    WHERE r.kind <> 'recv' AND ((r.line_user IS NULL AND f.fu < r.seq) OR (r.line_db IS NULL AND f.fd < r.seq)
      OR (r.cli_ip IS NULL AND r.cli_host IS NULL AND f.fc < r.seq) OR (r.cli_port IS NULL AND f.fp < r.seq) OR (r.line_app IS NULL AND f.fa < r.seq))`);
  if (bad.line !== null) throw new Declined(`line ${bad.line}: a record that takes fields from its session`);
}

interface Shapes {
  /** fp_id → the qualified data tables it reads in full (only shapes that do). */
  fullRead: Map<string, string[]>;
  stats: Record<string, unknown>;
}

/** One analysis per statement shape, in order of first appearance; staged as FPS. */
async function analyzeShapes(conn: DuckDBConnection): Promise<Shapes> {
  const reader = await conn.runAndReadAll(`SELECT fp_id, arg_min(command, seq) AS sample FROM ${RECS} WHERE command IS NOT NULL GROUP BY fp_id ORDER BY min(seq)`);
  const shapes = reader.getRowObjectsJS() as Array<{ fp_id: string; sample: string }>;
  if (shapes.length >= MAX_SHAPES) throw new Declined(`${shapes.length} statement shapes (the JS analyzer's cache holds ${MAX_SHAPES})`);
  const analyzer = new SqlAnalyzer('pg');
  const fullRead = new Map<string, string[]>();
  const rows = shapes.map(({ fp_id, sample }) => {
    const a = analyzer.analyze(sample);
    // Account statements are analyzed each time (their literals name accounts): not one per shape.
    if (a.facts.type === 'dcl') throw new Declined('an account statement (analyzed per statement, not per shape)');
    const variant = (extra: string[]) => statementFacts(a, 'pg', null, extra);
    const v00 = variant([]);
    if (v00.target !== null && canonicalIp(v00.target) !== v00.target) throw new Declined('a statement target the ingest gate would rewrite');
    const full = fullReadTables(a, 'pg', null);
    if (full.length > 0) fullRead.set(fp_id, full);
    return {
      fp_id,
      target: v00.target,
      j00: JSON.stringify(v00.sql),
      j10: JSON.stringify(variant(['dump_client']).sql),
      j01: JSON.stringify(variant(['dump_sequence']).sql),
      j11: JSON.stringify(variant(['dump_client', 'dump_sequence']).sql),
    };
  });
  await conn.run(`CREATE TEMP TABLE ${FPS} (fp_id VARCHAR, target VARCHAR, j00 VARCHAR, j10 VARCHAR, j01 VARCHAR, j11 VARCHAR)`);
  if (rows.length > 0) {
    await conn.run(
      `INSERT INTO ${FPS} SELECT r.fp_id, r.target, r.j00, r.j10, r.j01, r.j11
       FROM (SELECT unnest(from_json($j, '[{"fp_id":"VARCHAR","target":"VARCHAR","j00":"VARCHAR","j10":"VARCHAR","j01":"VARCHAR","j11":"VARCHAR"}]')) AS r)`,
      { j: JSON.stringify(rows) },
    );
  }
  const st = analyzer.summary();
  return { fullRead, stats: { statements: 0, distinct: st.distinct, parsed: st.parsed, tokenOnly: st.tokenOnly, parserMs: st.parserMs, budgetExhausted: st.budgetExhausted } };
}

/**
 * describeStatement's dump_sequence: each session collects the data tables it read in full; a
 * full read that brings the session to DUMP_SEQUENCE_TABLES or more is flagged. Replayed in file
 * order over the records that open (connection received) or close (disconnection) a session,
 * restart the server (every session forgotten), or read in full. Returns the flagged seqs.
 */
async function replayFullReads(conn: DuckDBConnection, fullRead: Map<string, string[]>): Promise<number[]> {
  if (fullRead.size === 0) return [];
  const ids = [...fullRead.keys()];
  const reader = await conn.runAndReadAll(
    `SELECT seq, key, kind, fp_id FROM ${RECS}
     WHERE kind IN ('recv', 'disc', 'start') OR (key IS NOT NULL AND fp_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]'))))
     ORDER BY seq`,
    { ids: JSON.stringify(ids) },
  );
  const sessions = new Map<string, Set<string>>();
  const flagged: number[] = [];
  for (const r of reader.getRowObjectsJS() as Array<{ seq: bigint; key: string | null; kind: string; fp_id: string | null }>) {
    if (r.kind === 'start') sessions.clear();
    if (r.key === null) continue;
    if (r.kind === 'recv') sessions.set(r.key, new Set());
    const tables = r.fp_id === null ? undefined : fullRead.get(r.fp_id);
    if (tables) {
      let full = sessions.get(r.key);
      if (!full) sessions.set(r.key, (full = new Set()));
      for (const t of tables) if (full.size < 10_000) full.add(t);
      if (full.size >= DUMP_SEQUENCE_TABLES) flagged.push(Number(r.seq));
    }
    if (r.kind === 'disc') sessions.delete(r.key);
  }
  return flagged;
}

async function row(conn: DuckDBConnection, sql: string): Promise<Record<string, number | null>> {
  const r = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0]!;
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? Number(v) : (v as number | null);
  return out;
}
