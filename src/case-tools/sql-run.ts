/**
 * Runs the analyst's SQL — one or several statements — in a query session (session.ts) and hands
 * each result to a printer as it streams: a table for people, JSON lines or CSV for tools. Results
 * are read chunk by chunk (DuckDB's 2,048 rows), so `SELECT * FROM events` to a file holds one
 * chunk in memory, and a table holds only the rows it shows.
 */
import { DuckDBTypeId, JsonDuckDBValueConverter, ResultReturnType, type DuckDBResult, type DuckDBValue, type Json } from '@duckdb/node-api';
import { csvLine } from '../core/output/csv.js';
import { OutputError } from '../core/output/errors.js';
import type { Sink } from '../core/output/sink.js';
import type { CaseDb } from '../store/case-db.js';
import { sandboxRefusal } from './session.js';
import { explainSqlError, SqlError } from './sql-errors.js';
import { renderTable, type Column } from './table.js';
import type { OutputFormat } from './output.js';

const NUMERIC = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);
const INTEGER = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

export interface PrintOptions {
  format: OutputFormat;
  /** Table: the terminal's width to fit (unlimited when absent). */
  width?: number;
  /** Table: rows shown at most (0: all); the rest are counted. */
  maxRows: number;
}

/** A cell as DuckDB writes the value (`2026-01-02 02:16:40.118842`, `[1, 2]`, `{'a': 1}`), NULL as NULL. */
function cellText(v: DuckDBValue): string {
  return v === null ? 'NULL' : String(v);
}

/** JSON of one value: integers as numbers when JavaScript holds them exactly, JSON columns nested. */
function jsonValue(v: Json, typeId: DuckDBTypeId, alias: string | undefined): Json {
  if (typeof v === 'string' && INTEGER.has(typeId) && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (typeof v === 'string' && alias === 'JSON') {
    try {
      return JSON.parse(v) as Json;
    } catch {
      return v;
    }
  }
  return v;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Writes one result to the sink in the chosen format; returns the number of rows. */
export async function printResult(res: DuckDBResult, sink: Sink, opts: PrintOptions, first: boolean): Promise<number> {
  if (res.returnType === ResultReturnType.NOTHING) return 0;
  const names = res.columnNames();
  const types = res.columnTypes();
  if (opts.format === 'table') {
    const rows: string[][] = [];
    let total = 0;
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      const room = opts.maxRows === 0 ? chunk.rowCount : Math.max(0, opts.maxRows - rows.length);
      if (room > 0) for (const r of chunk.getRows().slice(0, room)) rows.push(r.map(cellText));
      total += chunk.rowCount;
      if (sink.closedByReader) break;
    }
    const columns: Column[] = names.map((name, i) => ({ name, align: NUMERIC.has(types[i]!.typeId) ? 'right' : 'left', min: Math.min(10, Math.max(4, name.length)) }));
    const lines = renderTable(columns, rows, { width: opts.width });
    const shown = rows.length < total ? `showing ${plural(rows.length, 'row')} of ${total.toLocaleString('en-US')} (--max-rows 0 shows all; --csv or --json -o FILE writes them)` : plural(total, 'row');
    await sink.write(`${first ? '' : '\n'}${lines.join('\n')}\n(${shown})\n`);
    return total;
  }
  if (res.returnType !== ResultReturnType.QUERY_RESULT) return 0;
  let total = 0;
  if (opts.format === 'csv') {
    await sink.write(`${first ? '' : '\r\n'}${csvLine(names)}`);
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      let text = '';
      for (const r of chunk.getRows()) text += csvLine(r.map((v) => (v === null ? null : String(v))));
      await sink.write(text);
      total += chunk.rowCount;
      if (sink.closedByReader) break;
    }
    return total;
  }
  const meta = types.map((t) => ({ id: t.typeId, alias: t.alias }));
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    let text = '';
    for (const r of chunk.convertRows(JsonDuckDBValueConverter)) {
      const o: Record<string, Json> = {};
      r.forEach((v, i) => (o[names[i]!] = v === null ? null : jsonValue(v, meta[i]!.id, meta[i]!.alias)));
      text += JSON.stringify(o) + '\n';
    }
    await sink.write(text);
    total += chunk.rowCount;
    if (sink.closedByReader) break;
  }
  return total;
}

export interface ScriptResult {
  statements: number;
  rows: number;
}

/**
 * Runs every statement of `sql` in order, printing each result; stops at the first error, which
 * is thrown as a SqlError in words (sql-errors.ts). `db.conn.interrupt()` cancels the running one.
 */
export async function runScript(db: CaseDb, sql: string, sink: Sink, opts: PrintOptions): Promise<ScriptResult> {
  let rows = 0;
  let printed = 0;
  let count = 0;
  const refused = sandboxRefusal(sql);
  if (refused) throw new SqlError(refused);
  try {
    const statements = await db.conn.extractStatements(sql);
    count = statements.count;
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      const res = await prepared.stream();
      const shows = res.returnType === ResultReturnType.QUERY_RESULT || (opts.format === 'table' && res.returnType === ResultReturnType.CHANGED_ROWS);
      rows += await printResult(res, sink, opts, printed === 0);
      if (shows) printed++;
      if (sink.closedByReader) break;
    }
  } catch (err) {
    // Errors of the output (a full disk, a refused path) are not the query's: passed on as they are.
    if (err instanceof SqlError || err instanceof OutputError || (err as NodeJS.ErrnoException).code !== undefined) throw err;
    throw explainSqlError(err);
  }
  return { statements: count, rows };
}
