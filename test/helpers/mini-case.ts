/**
 * A small case in memory for correlation unit tests: the real schema and vocabulary macros, an
 * evidence row per source file, and events written by hand (or produced by a real parser) — so a
 * rule or a footprint link can be run on a handful of events that show exactly one thing.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { DwellEvent } from '../../src/core/event.js';
import { EVENT_COLUMNS } from '../../src/core/event.js';
import { installSqlVocabulary } from '../../src/correlate/sql-vocabulary.js';
import { SCHEMA_SQL } from '../../src/store/schema.js';

/** A hand-written event: ISO time, the rest optional (provenance filled in). */
export type MiniEvent = Partial<Omit<DwellEvent, 'ts' | 'ts_end'>> & { ts: string; ts_end?: string; source?: string };

export const us = (iso: string): number => Date.parse(iso.endsWith('Z') || /[+-]\d\d:\d\d$/.test(iso) ? iso : iso + 'Z') * 1000;

export class MiniCase {
  private nextEvent = 1;
  private nextEvidence = 1;
  readonly ids = new Map<string, number>();

  private constructor(
    readonly db: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async create(): Promise<MiniCase> {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    for (const sql of SCHEMA_SQL) await conn.run(sql);
    await installSqlVocabulary(conn);
    return new MiniCase(db, conn);
  }

  /**
   * One evidence file of `source` at `path` holding these events. Events with a `label` in attrs
   * (`attrs.label`) can be found again by `id(label)`. Returns the event ids in order.
   */
  async file(source: string, path: string, events: (MiniEvent | DwellEvent)[]): Promise<number[]> {
    const evidenceId = this.nextEvidence++;
    await this.conn.run(
      `INSERT INTO evidence (evidence_id, run_id, path, abs_path, sha256, format, status, events, ingested_at)
       VALUES ($id, 1, $p, $p, repeat('0', 64), $s, 'ingested', $n, now()::TIMESTAMP)`,
      { id: evidenceId, p: path, s: source, n: events.length },
    );
    const ids: number[] = [];
    const cols = EVENT_COLUMNS.map(([n]) => n);
    for (const [i, e] of events.entries()) {
      const id = this.nextEvent++;
      ids.push(id);
      const ts = typeof e.ts === 'string' ? us(e.ts) : e.ts;
      const tsEnd = e.ts_end === undefined || e.ts_end === null ? null : typeof e.ts_end === 'string' ? us(e.ts_end) : e.ts_end;
      const label = (e.attrs as Record<string, unknown> | null | undefined)?.label;
      if (typeof label === 'string') this.ids.set(label, id);
      const row: Record<string, unknown> = {
        ...e,
        event_id: id,
        ts,
        ts_end: tsEnd,
        time_quality: e.time_quality ?? 'exact',
        source: (e as MiniEvent).source ?? source,
        class: e.class ?? 'other',
        action: e.action ?? 'other',
        outcome: e.outcome ?? 'unknown',
        summary: e.summary ?? `${e.action ?? 'other'} ${e.actor ?? ''}`.trim(),
        attrs: e.attrs ? JSON.stringify(e.attrs) : null,
        evidence_id: evidenceId,
        line: e.line ?? i + 1,
        byte_offset: e.byte_offset ?? i * 100,
        byte_length: e.byte_length ?? 100,
        raw: e.raw ?? JSON.stringify(e),
      };
      const values = cols.map((c) => (c === 'ts' || c === 'ts_end' ? `make_timestamp($${c}::BIGINT)` : c === 'attrs' ? `$${c}::JSON` : `$${c}`)).join(', ');
      const params: Record<string, string | number | boolean | null> = {};
      for (const c of cols) {
        const v = row[c];
        params[c] = v === undefined ? null : (v as string | number | null);
      }
      await this.conn.run(`INSERT INTO events (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${values})`, params);
    }
    return ids;
  }

  id(label: string): number {
    const id = this.ids.get(label);
    if (id === undefined) throw new Error(`no event labelled ${label}`);
    return id;
  }

  async rows<T = Record<string, unknown>>(sql: string, params?: Record<string, string | number | null>): Promise<T[]> {
    const r = await this.conn.runAndReadAll(sql, params as never);
    return r.getRowObjectsJS() as T[];
  }

  close(): void {
    this.conn.closeSync();
  }
}
