/**
 * Streams the rows of a timeline or attack view to a sink in DuckDB's chunks (2,048 rows), one
 * time window of ~100,000 rows after the other: neither JavaScript nor DuckDB ever holds the whole
 * result, and writing waits for the sink to drain, so memory stays bounded on a case of any size. Two shapes: DuckDB renders each line itself
 * (CSV, JSON lines — cheapest), or rows come as objects for a mapping in JavaScript (OCSF).
 */
import type { DuckDBDataChunk } from '@duckdb/node-api';
import { CaseError } from '../store/case-db.js';
import { newestFindingsId, selectQuery, timeWindows, type EventView, type ViewQuery } from './event-query.js';
import { withSink as withOutput, type Sink } from '../core/output/sink.js';
import type { ExportContext, ExportResult } from './types.js';

export async function viewQuery(ctx: ExportContext, view: EventView): Promise<ViewQuery> {
  const findingsId = await newestFindingsId(ctx.db);
  if (view === 'attack' && findingsId === null) {
    throw new CaseError(`case ${ctx.db.path} has no findings yet, so there is no attack to export\n help: run dwell correlate --case ${ctx.db.path} --seed … first`);
  }
  return { view, filters: ctx.filters, findingsId };
}

/**
 * Runs `fn` with the export's sink (ctx.output, checked by the case's output guard, or standard
 * output); the file appears under its name only when `fn` succeeded.
 */
export function withSink<T>(ctx: ExportContext, fn: (sink: Sink) => Promise<T>): Promise<T> {
  return withOutput(ctx.output, ctx.guard, fn);
}

/** Rows per time window: each is sorted on its own (see timeWindows). */
export const WINDOW_ROWS = 100_000;

/**
 * Runs `select` over the view window by window and hands over each DuckDB chunk (2,048 rows) in
 * time order; `onChunk` is awaited, so a slow sink slows the reading instead of filling memory.
 */
async function forEachChunk(ctx: ExportContext, q: ViewQuery, select: string, label: string, onChunk: (chunk: DuckDBDataChunk) => Promise<boolean>): Promise<number> {
  const windows = await timeWindows(ctx.db, q, WINDOW_ROWS);
  ctx.progress.start(label, windows.reduce((n, w) => n + w.rows, 0));
  let done = 0;
  try {
    for (const window of windows) {
      const { sql, params } = selectQuery(q, select, { window });
      const result = await ctx.db.conn.stream(sql, params);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        done += chunk.rowCount;
        if (!(await onChunk(chunk))) return done;
        ctx.progress.rows(done);
      }
    }
    return done;
  } finally {
    ctx.progress.stop();
  }
}

export interface LineExport {
  view: EventView;
  /** SQL expression (over e, v, a) giving one complete line of text per row, without terminator. */
  line: string;
  header?: string;
  /** `\n` (JSON lines) or `\r\n` (CSV, RFC 4180). */
  eol: string;
  label: string;
}

/** DuckDB renders every line; JavaScript only joins a chunk's lines and writes them. */
export async function exportLines(ctx: ExportContext, spec: LineExport): Promise<ExportResult> {
  const q = await viewQuery(ctx, spec.view);
  const count = await withSink(ctx, async (sink) => {
    if (spec.header !== undefined) await sink.write(spec.header + spec.eol);
    return forEachChunk(ctx, q, `${spec.line} AS line`, spec.label, async (chunk) => {
      await sink.write((chunk.getColumnValues(0) as string[]).join(spec.eol) + spec.eol);
      return !sink.closedByReader;
    });
  });
  return { count, unit: 'events' };
}

export interface RowExport {
  view: EventView;
  /** Output name → SQL expression; each row arrives as one JSON object (DuckDB's to_json, parsed). */
  fields: readonly (readonly [string, string])[];
  label: string;
  /** One row → one line of text (no terminator). */
  render(row: Record<string, unknown>): string;
}

/**
 * Rows as objects, one chunk at a time, rendered in JavaScript (for mappings SQL can't express
 * well). DuckDB serializes each row to JSON and JavaScript parses it: several times cheaper than
 * converting every cell to a JavaScript value through the client API.
 */
export async function exportRows(ctx: ExportContext, spec: RowExport): Promise<ExportResult> {
  const q = await viewQuery(ctx, spec.view);
  const select = `to_json({${spec.fields.map(([n, expr]) => `'${n}': ${expr}`).join(', ')}})::VARCHAR AS row`;
  const count = await withSink(ctx, async (sink) =>
    forEachChunk(ctx, q, select, spec.label, async (chunk) => {
      let text = '';
      for (const j of chunk.getColumnValues(0) as string[]) text += spec.render(JSON.parse(j) as Record<string, unknown>) + '\n';
      await sink.write(text);
      return !sink.closedByReader;
    }),
  );
  return { count, unit: 'events' };
}
