/**
 * What the TUI asks of a case. The view never sees SQL: it is handed a TimelineSource (Shopify
 * CLI's page-source-as-function pattern), so components and hooks can be tested against any
 * implementation and the DuckDB one can be benchmarked alone.
 */
import type { VerifyResult } from '../../store/verify.js';
import type { ViewQuery } from '../state/filters.js';
import type { ExportFormat } from './sql.js';
import type { PendingAnnotation } from './pending-annotations.js';
import type { Annotation, CaseInfo, Density, EventDetail, EvidenceInfo, MarkKind, PageResult, RowKey } from './types.js';

export interface AnnotateResult {
  annotation: Annotation;
  /** saved: in the case. pending: on disk in `file`, merged into the case when it is free. */
  state: 'saved' | 'pending';
  /** Why the case could not take it now (pending). */
  reason: string | null;
  file: string;
  /** See TimelineSource.waiting. */
  waiting: number;
}

export type PageFrom = { kind: 'start' } | { kind: 'end' } | { kind: 'after'; key: RowKey } | { kind: 'before'; key: RowKey };

export interface TimelineSource {
  readonly info: CaseInfo;
  /**
   * `limit` rows from the start, the end, or after/before a key — always in time order. `ahead`:
   * a prefetch, run beside (not before) what the next key waits for.
   */
  page(q: ViewQuery, from: PageFrom, limit: number, opts?: { ahead?: boolean }): Promise<PageResult>;
  /** Up to `before` rows before `key` and `after` rows at or after it; `cursor` = first row at or after it. */
  around(q: ViewQuery, key: RowKey, before: number, after: number): Promise<PageResult>;
  /** Next (1) or previous (-1) row whose shown text contains `text`, case-insensitive. */
  find(q: ViewQuery, text: string, from: RowKey, dir: 1 | -1, inclusive?: boolean): Promise<RowKey | null>;
  /** Rows in the view, or before `before`. */
  count(q: ViewQuery, before?: RowKey): Promise<number>;
  /** Time range of the view (null when empty). */
  range(q: ViewQuery): Promise<{ fromUs: number; toUs: number } | null>;
  density(q: ViewQuery, fromUs: number, toUs: number, buckets: number): Promise<Density>;
  detail(eventId: number): Promise<EventDetail | null>;
  /** Re-hashes the evidence file (cached per file; `force` hashes again). */
  verify(ev: EvidenceInfo, force?: boolean): Promise<VerifyResult>;
  /** Do the bytes at the event's offset still equal its raw text? Uncompressed files only. */
  checkBytes(d: EventDetail): Promise<{ state: 'match' | 'differs' | 'unavailable'; detail: string }>;
  /**
   * Saves a mark or note: into the case when it is free, else into the side file next to it
   * (pending, merged when the case is free). Throws only when neither could be written.
   */
  annotate(eventId: number, kind: MarkKind, text: string | null, author: string): Promise<AnnotateResult>;
  /** Annotations written nowhere (neither the case nor the side file could be written): printed on quit. */
  unsaved(): PendingAnnotation[];
  /** This TUI's annotations not in the case yet (side file or unsaved). */
  waiting(): number;
  exportView(q: ViewQuery, path: string, format: ExportFormat): Promise<number>;
  /** Stops the running queries and closes; false when one would not stop (the case is left open: see CaseHandle.close). */
  close(): Promise<boolean>;
}
