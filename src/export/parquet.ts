/**
 * `--format parquet -o DIR`: the case as a data-lake table set, written by DuckDB's COPY (no row
 * passes through JavaScript), hive-partitioned so Athena, Trino, Spark and DuckDB read each folder
 * as one table with `source` and `date` as partition columns:
 *
 *   DIR/events/source=auth_log/date=2026-01-02/data_0.parquet     every (filtered) event
 *   DIR/attack_events/source=…/date=…/…                            attacker events of every findings run
 *   DIR/detections/source=…/date=…/…                               rule hits of every findings run
 *   DIR/findings/findings.parquet                                  one row per correlate run (body = dwell.findings/v1 JSON)
 *   DIR/evidence/evidence.parquet                                  chain of custody: file, SHA-256, status
 *
 * `--what attack` writes DIR/attack/source=…/date=…: the attacker's events of the newest findings
 * run with their phase and technique. Partition values are not repeated inside the files
 * (DuckDB's default), as Athena requires. The output path is a bound parameter.
 *
 * DIR goes through the output module's DirectoryOutput (src/core/output/directory.ts): checked
 * against the evidence and the case, written into a staging folder, then moved into place with a
 * manifest (DIR/_dwell-export.json) of every file written — `--overwrite` removes only those.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryOutput } from '../core/output/directory.js';
import { CaseError } from '../store/case-db.js';
import { DWELL_VERSION } from '../version.js';
import { EVENT_COLUMNS } from '../core/event.js';
import { selectQuery, type ViewQuery } from './event-query.js';
import { viewQuery } from './line-export.js';
import type { ExportContext, ExportFormat, ExportResult } from './types.js';

/** Sub-folders this export writes (and, with --overwrite, replaces — nothing else in DIR is touched). */
export const PARQUET_TABLES = ['events', 'attack', 'attack_events', 'detections', 'findings', 'evidence'] as const;
const TIMELINE_TABLES = ['events', 'attack_events', 'detections', 'findings', 'evidence'];
const ATTACK_TABLES = ['attack'];

const PARTITIONED = `(FORMAT parquet, PARTITION_BY (source, "date"), COMPRESSION zstd)`;
const SINGLE = `(FORMAT parquet, COMPRESSION zstd)`;

/** Event columns as stored, without `source` (a partition column). */
const EVENT_COLS = EVENT_COLUMNS.map(([n]) => n).filter((n) => n !== 'source');

/** Runs one COPY, showing DuckDB's own progress percentage. */
async function copy(ctx: ExportContext, label: string, sql: string, params: Record<string, unknown>): Promise<number> {
  ctx.progress.start(label, null);
  const timer = setInterval(() => ctx.progress.percent(ctx.db.conn.progress.percentage), 250);
  try {
    const r = await ctx.db.conn.run(sql, params as never);
    return r.rowsChanged;
  } finally {
    clearInterval(timer);
    ctx.progress.stop();
  }
}

async function copyEvents(ctx: ExportContext, q: ViewQuery, dir: string, name: string): Promise<number> {
  const cols = EVENT_COLS.map((c) => `e."${c}"`);
  if (q.view === 'attack') cols.splice(2, 0, 'a.phase', 'a.technique', 'a.reason AS attack_reason');
  // No ORDER BY: a sort of every row would cost memory and time, and the date partitions already
  // let engines skip by time.
  const { sql, params } = selectQuery(q, `${cols.join(', ')}, e.source, CAST(e.ts AS DATE) AS "date"`, { order: false });
  return copy(ctx, name, `COPY (${sql}) TO $out ${PARTITIONED}`, { ...params, out: join(dir, name) });
}

/** attack_events / detections rows whose event is in the exported (filtered) events. */
async function copyFindingsTable(ctx: ExportContext, q: ViewQuery, dir: string, table: 'attack_events' | 'detections'): Promise<number> {
  const from = `FROM ${table} t\nJOIN events e ON e.event_id = t.event_id`;
  const { sql, params } = selectQuery({ ...q, view: 'timeline' }, `t.*, e.source, CAST(t.ts AS DATE) AS "date"`, { order: false, from });
  return copy(ctx, table, `COPY (${sql}\nORDER BY t.findings_id, t.ts, t.event_id) TO $out ${PARTITIONED}`, { ...params, out: join(dir, table) });
}

export const parquet: ExportFormat = {
  name: 'parquet',
  whats: ['timeline', 'attack'],
  description: 'hive-partitioned Parquet (source=…/date=…) for Athena, Trino, Spark, DuckDB',
  target: 'directory',
  filtered: true,
  async run(ctx): Promise<ExportResult> {
    if (!ctx.output || ctx.output === '-') throw new CaseError('--format parquet writes a directory of tables\n help: give it with -o DIR');
    const view = ctx.what === 'attack' ? 'attack' : 'timeline';
    const q = await viewQuery(ctx, view);
    const out = DirectoryOutput.open(ctx.output, ctx.guard, {
      tables: view === 'attack' ? ATTACK_TABLES : TIMELINE_TABLES,
      overwrite: ctx.options.overwrite,
      description: `dwell export --what ${ctx.what} --format parquet of ${ctx.db.path}`,
      dwellVersion: DWELL_VERSION,
    });
    try {
      const dir = out.staging;
      let count: number;
      if (view === 'attack') {
        count = await copyEvents(ctx, q, dir, 'attack');
        mkdirSync(join(dir, 'attack'), { recursive: true });
      } else {
        count = await copyEvents(ctx, q, dir, 'events');
        for (const t of ['attack_events', 'detections'] as const) await copyFindingsTable(ctx, q, dir, t);
        mkdirSync(join(dir, 'findings'), { recursive: true });
        await copy(ctx, 'findings', `COPY (SELECT findings_id, generated_at, dwell_version, CAST(parameters AS VARCHAR) AS parameters, CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id) TO $out ${SINGLE}`, { out: join(dir, 'findings', 'findings.parquet') });
        mkdirSync(join(dir, 'evidence'), { recursive: true });
        await copy(ctx, 'evidence', `COPY (SELECT * REPLACE (CAST(info AS VARCHAR) AS info) FROM evidence ORDER BY evidence_id) TO $out ${SINGLE}`, { out: join(dir, 'evidence', 'evidence.parquet') });
        // An empty view writes no partition: its table folder still exists (engines read it as empty).
        for (const t of ['events', 'attack_events', 'detections']) mkdirSync(join(dir, t), { recursive: true });
      }
      const { files, kept } = out.commit();
      const notes = kept.length ? [`kept ${kept.length} file(s) in the export folder that dwell did not write: ${kept.slice(0, 3).join(', ')}${kept.length > 3 ? ', …' : ''}`] : undefined;
      return { count, unit: 'events', files, notes };
    } catch (err) {
      out.abort();
      throw err;
    }
  },
};
