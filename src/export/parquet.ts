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
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CaseError } from '../store/case-db.js';
import { EVENT_COLUMNS } from '../core/event.js';
import { selectQuery, type ViewQuery } from './event-query.js';
import { viewQuery } from './line-export.js';
import type { ExportContext, ExportFormat, ExportResult } from './types.js';

/** Sub-folders this export writes (and, with --overwrite, replaces — nothing else in DIR is touched). */
export const PARQUET_TABLES = ['events', 'attack', 'attack_events', 'detections', 'findings', 'evidence'] as const;

const PARTITIONED = `(FORMAT parquet, PARTITION_BY (source, "date"), COMPRESSION zstd)`;
const SINGLE = `(FORMAT parquet, COMPRESSION zstd)`;

/** Event columns as stored, without `source` (a partition column). */
const EVENT_COLS = EVENT_COLUMNS.map(([n]) => n).filter((n) => n !== 'source');

function prepareDir(dir: string, overwrite: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CaseError(`${dir} exists and is not a directory\n help: --format parquet writes a directory of tables; give a new path with -o`);
    const ours = readdirSync(dir).filter((n) => (PARQUET_TABLES as readonly string[]).includes(n));
    if (ours.length > 0) {
      if (!overwrite) throw new CaseError(`${dir} already holds an export (${ours.join(', ')})\n help: add --overwrite to replace those folders, or give a new path with -o`);
      for (const n of ours) rmSync(join(dir, n), { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
}

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
    const dir = resolve(ctx.output);
    const view = ctx.what === 'attack' ? 'attack' : 'timeline';
    const q = await viewQuery(ctx, view);
    prepareDir(dir, ctx.options.overwrite);
    const files: string[] = [];
    let count: number;
    if (view === 'attack') {
      count = await copyEvents(ctx, q, dir, 'attack');
      files.push(join(dir, 'attack'));
    } else {
      count = await copyEvents(ctx, q, dir, 'events');
      files.push(join(dir, 'events'));
      for (const t of ['attack_events', 'detections'] as const) {
        await copyFindingsTable(ctx, q, dir, t);
        files.push(join(dir, t));
      }
      mkdirSync(join(dir, 'findings'), { recursive: true });
      await copy(ctx, 'findings', `COPY (SELECT findings_id, generated_at, dwell_version, CAST(parameters AS VARCHAR) AS parameters, CAST(body AS VARCHAR) AS body FROM findings ORDER BY findings_id) TO $out ${SINGLE}`, { out: join(dir, 'findings', 'findings.parquet') });
      mkdirSync(join(dir, 'evidence'), { recursive: true });
      await copy(ctx, 'evidence', `COPY (SELECT * REPLACE (CAST(info AS VARCHAR) AS info) FROM evidence ORDER BY evidence_id) TO $out ${SINGLE}`, { out: join(dir, 'evidence', 'evidence.parquet') });
      files.push(join(dir, 'findings'), join(dir, 'evidence'));
    }
    for (const f of files) mkdirSync(f, { recursive: true });
    return { count, unit: 'events', files };
  },
};
