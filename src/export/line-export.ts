/**
 * Streams the rows of a timeline or attack view to a sink in DuckDB's chunks (2,048 rows): the
 * whole query result is never in JavaScript at once, and writing waits for the sink to drain, so
 * memory stays bounded on a case of any size. Two shapes: DuckDB renders each line itself
 * (CSV, JSON lines — cheapest), or rows come as objects for a mapping in JavaScript (OCSF).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { CaseError } from '../store/case-db.js';
import { countRows, newestFindingsId, selectQuery, type EventView, type ViewQuery } from './event-query.js';
import { openSink, type Sink } from './sink.js';
import type { ExportContext, ExportResult } from './types.js';

export async function viewQuery(ctx: ExportContext, view: EventView): Promise<ViewQuery> {
  const findingsId = await newestFindingsId(ctx.db);
  if (view === 'attack' && findingsId === null) {
    throw new CaseError(`case ${ctx.db.path} has no findings yet, so there is no attack to export\n help: run dwell correlate --case ${ctx.db.path} --seed … first`);
  }
  return { view, filters: ctx.filters, findingsId };
}

/** Runs `fn` with an open sink; the file appears under its name only when `fn` succeeded. */
export async function withSink<T>(output: string | undefined, fn: (sink: Sink) => Promise<T>): Promise<T> {
  const sink = openSink(output);
  try {
    const r = await fn(sink);
    await sink.close();
    return r;
  } catch (err) {
    sink.abort();
    throw err;
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
  const total = await countRows(ctx.db, q);
  const { sql, params } = selectQuery(q, `${spec.line} AS line`);
  ctx.progress.start(spec.label, total);
  try {
    const count = await withSink(ctx.output, async (sink) => {
      if (spec.header !== undefined) await sink.write(spec.header + spec.eol);
      const result = await ctx.db.conn.stream(sql, params);
      let done = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const lines = chunk.getColumnValues(0) as string[];
        await sink.write(lines.join(spec.eol) + spec.eol);
        done += chunk.rowCount;
        ctx.progress.rows(done);
        if (sink.closedByReader) break;
      }
      return done;
    });
    return { count, unit: 'events' };
  } finally {
    ctx.progress.stop();
  }
}

export interface RowExport {
  view: EventView;
  /** Output name → SQL expression; values arrive as DuckDB values (BIGINT as bigint). */
  fields: readonly (readonly [string, string])[];
  label: string;
  /** One row → one line of text (no terminator). */
  render(row: Record<string, DuckDBValue>): string;
}

/** Rows as objects, one chunk at a time, rendered in JavaScript (for mappings SQL can't express well). */
export async function exportRows(ctx: ExportContext, spec: RowExport): Promise<ExportResult> {
  const q = await viewQuery(ctx, spec.view);
  const total = await countRows(ctx.db, q);
  const names = spec.fields.map(([n]) => n);
  const { sql, params } = selectQuery(q, spec.fields.map(([n, expr]) => `${expr} AS "${n}"`).join(', '));
  ctx.progress.start(spec.label, total);
  try {
    const count = await withSink(ctx.output, async (sink) => {
      const result = await ctx.db.conn.stream(sql, params);
      let done = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.getRowObjects(names);
        let text = '';
        for (const r of rows) text += spec.render(r) + '\n';
        await sink.write(text);
        done += chunk.rowCount;
        ctx.progress.rows(done);
        if (sink.closedByReader) break;
      }
      return done;
    });
    return { count, unit: 'events' };
  } finally {
    ctx.progress.stop();
  }
}
