/**
 * TimelineSource over a DuckDB case (see source.ts). Pages come from the time-sorted `timeline`
 * index when it is fresh, else from `events` (same SQL, same results, slower on big cases).
 * Evidence text is escaped (safeText) here, at the boundary, before any component sees it.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { safeText } from '../../core/sanitize.js';
import { EVENT_COLUMNS } from '../../core/event.js';
import type { Row } from '../../store/case-db.js';
import { timelineIndexStatus } from '../../store/timeline-index.js';
import { verifyOne, type VerifyResult } from '../../store/verify.js';
import type { ViewQuery } from '../state/filters.js';
import { formatTs } from '../state/time-input.js';
import { CaseHandle } from './case-handle.js';
import type { PageFrom, TimelineSource } from './source.js';
import { attackDensitySql, countSql, densitySql, exportSql, findSql, pageSql, rangeSql, type ExportFormat, type SqlContext } from './sql.js';
import {
  isPhase,
  PHASES,
  type Annotation,
  type CaseInfo,
  type Density,
  type EventDetail,
  type EvidenceInfo,
  type FindingsInfo,
  type MarkKind,
  type PageResult,
  type Phase,
  type RowKey,
  type TableKind,
  type TimelineRow,
} from './types.js';

/** Above this many attack events the phase of each row is looked up per page instead of held in memory. */
const PHASE_MAP_LIMIT = 1_000_000;

export interface OpenSourceOptions {
  /** Ignore the timeline index even when fresh (benchmarks, tests). */
  noIndex?: boolean;
}

type ListRow = {
  ts_us: number;
  event_id: number;
  source: string | null;
  host: string | null;
  actor: string | null;
  action: string | null;
  outcome: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  session: string | null;
  access_key: string | null;
  target: string | null;
  summary: string | null;
};

export class DuckDbSource implements TimelineSource {
  private verified = new Map<number, Promise<VerifyResult>>();
  private pending: Array<{ eventId: number; kind: MarkKind; text: string | null; author: string; createdAt: string }> = [];

  private constructor(
    private readonly h: CaseHandle,
    readonly info: CaseInfo,
    private readonly ctx: SqlContext,
    private readonly phases: Map<number, Phase> | null,
    private readonly marks: Map<number, MarkKind>,
  ) {}

  static async open(path: string, opts: OpenSourceOptions = {}): Promise<DuckDbSource> {
    const h = await CaseHandle.open(path);
    try {
      return await DuckDbSource.load(h, path, opts);
    } catch (err) {
      h.close();
      throw err;
    }
  }

  private static async load(h: CaseHandle, path: string, opts: OpenSourceOptions): Promise<DuckDbSource> {
    const q = <T extends Row>(sql: string, params?: Record<string, string | number>) => h.all<T>('fg', sql, params);
    const [counts] = await q<{ events: number; files: number; sources: string[] | null; lo: string | null; hi: string | null }>(
      `SELECT (SELECT count(*) FROM events) AS events, count(*) AS files,
              list(DISTINCT format ORDER BY format) FILTER (WHERE events > 0) AS sources, min(first_ts) AS lo, max(last_ts) AS hi
       FROM evidence`,
    );
    const status = await timelineIndexStatus({ all: (sql, params) => h.all('fg', sql, params) });
    let table: TableKind = 'events';
    let note: string;
    if (opts.noIndex) note = 'timeline index not used (--no-index)';
    else if (status.state === 'fresh') {
      table = 'timeline';
      note = 'timeline index';
    } else if (status.state === 'stale') note = `timeline index is stale (${status.indexedEvents} of ${counts!.events} events): paging events directly`;
    else note = 'no timeline index: paging events directly';

    const findings = await loadFindings(h);
    let phases: Map<number, Phase> | null = null;
    if (findings && findings.attackEvents <= PHASE_MAP_LIMIT) {
      const rows = await q<{ event_id: number; phase: string }>(`SELECT event_id, min(phase) AS phase FROM attack_events WHERE findings_id = $f GROUP BY event_id`, {
        f: findings.findingsId,
      });
      phases = new Map(rows.filter((r) => isPhase(r.phase)).map((r) => [r.event_id, r.phase as Phase]));
    }
    const marks = new Map<number, MarkKind>();
    for (const r of await q<{ event_id: number; kind: string }>(`SELECT event_id, max(kind) AS kind FROM annotations GROUP BY event_id`)) {
      marks.set(r.event_id, r.kind === 'note' ? 'note' : 'mark');
    }
    const info: CaseInfo = {
      path,
      events: Number(counts!.events),
      evidenceFiles: Number(counts!.files),
      sources: counts!.sources ?? [],
      from: counts!.lo,
      to: counts!.hi,
      index: { table, note },
      findings,
    };
    return new DuckDbSource(h, info, { table, findingsId: findings?.findingsId ?? null }, phases, marks);
  }

  private toRow = (r: ListRow): TimelineRow => ({
    tsUs: Number(r.ts_us),
    eventId: Number(r.event_id),
    values: {
      source: r.source,
      host: r.host,
      actor: r.actor,
      action: r.action,
      outcome: r.outcome,
      srcIp: r.src_ip,
      dstIp: r.dst_ip,
      session: r.session,
      accessKey: r.access_key,
      target: r.target,
    },
    text: { source: safeText(r.source), host: safeText(r.host), actor: safeText(r.actor), action: safeText(r.action), summary: safeText(r.summary) },
    phase: this.phases?.get(Number(r.event_id)) ?? null,
    mark: this.marks.get(Number(r.event_id)) ?? null,
  });

  /** Phases of rows when the attack set was too big to hold (one small query per page). */
  private async decorate(rows: TimelineRow[]): Promise<TimelineRow[]> {
    if (this.phases || this.ctx.findingsId === null || rows.length === 0) return rows;
    const ids = rows.map((r) => r.eventId);
    const found = await this.h.all<{ event_id: number; phase: string }>(
      'fg',
      `SELECT event_id, min(phase) AS phase FROM attack_events WHERE findings_id = $f AND event_id >= $lo AND event_id <= $hi AND list_contains($ids::BIGINT[], event_id) GROUP BY event_id`,
      { f: this.ctx.findingsId, lo: Math.min(...ids), hi: Math.max(...ids), ids: `[${ids.join(',')}]` },
    );
    const m = new Map(found.map((f) => [f.event_id, f.phase]));
    return rows.map((r) => {
      const ph = m.get(r.eventId);
      return ph && isPhase(ph) ? { ...r, phase: ph } : r;
    });
  }

  async page(q: ViewQuery, from: PageFrom, limit: number): Promise<PageResult> {
    const { sql, params } = pageSql(q, this.ctx, from, limit + 1);
    const got = await this.h.all<ListRow>('fg', sql, params);
    const more = got.length > limit;
    const rows = got.slice(0, limit).map(this.toRow);
    const desc = from.kind === 'end' || from.kind === 'before';
    if (desc) rows.reverse();
    const decorated = await this.decorate(rows);
    switch (from.kind) {
      case 'start':
        return { rows: decorated, atStart: true, atEnd: !more };
      case 'end':
        return { rows: decorated, atStart: !more, atEnd: true };
      case 'after':
        return { rows: decorated, atStart: false, atEnd: !more };
      case 'before':
        return { rows: decorated, atStart: !more, atEnd: false };
    }
  }

  async around(q: ViewQuery, key: RowKey, before: number, after: number): Promise<PageResult> {
    const back = await this.page(q, { kind: 'before', key }, Math.max(1, before));
    const fwdSql = pageSql(q, this.ctx, { kind: 'after', key, inclusive: true }, after + 1);
    const got = await this.h.all<ListRow>('fg', fwdSql.sql, fwdSql.params);
    const fwd = await this.decorate(got.slice(0, after).map(this.toRow));
    const rows = [...(before > 0 ? back.rows : []), ...fwd];
    const cursor = fwd.length > 0 ? rows.length - fwd.length : Math.max(0, rows.length - 1);
    return { rows, atStart: before > 0 ? back.atStart : back.rows.length === 0, atEnd: got.length <= after, cursor };
  }

  async find(q: ViewQuery, text: string, from: RowKey, dir: 1 | -1, inclusive = false): Promise<RowKey | null> {
    this.h.interrupt('find');
    const { sql, params } = findSql(q, this.ctx, text, from, dir, inclusive);
    const [r] = await this.h.all<{ ts_us: number; event_id: number }>('find', sql, params);
    return r ? { tsUs: Number(r.ts_us), eventId: Number(r.event_id) } : null;
  }

  async count(q: ViewQuery, before?: RowKey): Promise<number> {
    const { sql, params } = countSql(q, this.ctx, before);
    const [r] = await this.h.all<{ n: number }>('bg', sql, params);
    return Number(r?.n ?? 0);
  }

  async range(q: ViewQuery): Promise<{ fromUs: number; toUs: number } | null> {
    const { sql, params } = rangeSql(q, this.ctx);
    const [r] = await this.h.all<{ lo: number | null; hi: number | null }>('bg', sql, params);
    return r && r.lo !== null && r.hi !== null ? { fromUs: Number(r.lo), toUs: Number(r.hi) } : null;
  }

  async density(q: ViewQuery, fromUs: number, toUs: number, buckets: number): Promise<Density> {
    const n = Math.max(1, buckets);
    const bucketUs = Math.max(1, Math.ceil((toUs - fromUs + 1) / n));
    const out: Density = { fromUs, toUs, bucketUs, buckets: Array.from({ length: n }, () => ({ count: 0, phase: null })) };
    const d = densitySql(q, this.ctx, fromUs, bucketUs, n);
    for (const r of await this.h.all<{ b: number; n: number }>('bg', d.sql, d.params)) {
      if (r.b >= 0 && r.b < n) out.buckets[r.b]!.count = Number(r.n);
    }
    if (this.ctx.findingsId !== null) {
      const a = attackDensitySql(this.ctx.findingsId, fromUs, bucketUs, n);
      for (const r of await this.h.all<{ b: number; phase: string }>('bg', a.sql, a.params)) {
        const bucket = out.buckets[r.b];
        if (!bucket || !isPhase(r.phase)) continue;
        if (bucket.phase === null || PHASES.indexOf(r.phase) > PHASES.indexOf(bucket.phase)) bucket.phase = r.phase;
      }
    }
    return out;
  }

  async detail(eventId: number): Promise<EventDetail | null> {
    const [e] = await this.h.all<Row>(
      'fg',
      `SELECT * EXCLUDE (ts, ts_end, attrs), epoch_us(ts) AS ts_us, epoch_us(ts_end) AS ts_end_us, attrs::VARCHAR AS attrs_json FROM events WHERE event_id = $id::BIGINT`,
      { id: BigInt(eventId) },
    );
    if (!e) return null;
    const fields: Array<[string, string]> = [];
    for (const [name] of EVENT_COLUMNS) {
      if (name === 'raw' || name === 'attrs') continue;
      if (name === 'ts') fields.push(['ts', `${formatTs(Number(e.ts_us), 'full')} UTC`]);
      else if (name === 'ts_end') {
        if (e.ts_end_us !== null) fields.push(['ts_end', `${formatTs(Number(e.ts_end_us), 'full')} UTC`]);
      } else if (e[name] !== null && e[name] !== undefined) fields.push([name, String(e[name])]);
    }
    let attrs: unknown = null;
    if (typeof e.attrs_json === 'string') {
      try {
        attrs = JSON.parse(e.attrs_json);
      } catch {
        attrs = e.attrs_json;
      }
    }
    const [ev] = await this.h.all<{ evidence_id: number; path: string; abs_path: string; sha256: string | null; size: number | null; compression: string | null; format: string | null }>(
      'fg',
      `SELECT evidence_id, path, abs_path, sha256, size, compression, format FROM evidence WHERE evidence_id = $e`,
      { e: Number(e.evidence_id) },
    );
    const attack =
      this.ctx.findingsId === null
        ? undefined
        : (
            await this.h.all<{ phase: string; technique: string | null; reason: string | null }>(
              'fg',
              `SELECT phase, technique, reason FROM attack_events WHERE findings_id = $f AND event_id = $id::BIGINT ORDER BY phase LIMIT 1`,
              { f: this.ctx.findingsId, id: BigInt(eventId) },
            )
          )[0];
    const annotations = await this.h.all<{ annotation_id: number; event_id: number; kind: string; text: string | null; author: string; created_at: string }>(
      'fg',
      `SELECT annotation_id, event_id, kind, text, author, created_at FROM annotations WHERE event_id = $id::BIGINT ORDER BY annotation_id`,
      { id: BigInt(eventId) },
    );
    return {
      eventId,
      tsUs: Number(e.ts_us),
      fields,
      attrs,
      raw: (e.raw as string | null) ?? null,
      line: (e.line as number | null) ?? null,
      byteOffset: (e.byte_offset as number | null) ?? null,
      byteLength: (e.byte_length as number | null) ?? null,
      evidence: ev
        ? { evidenceId: ev.evidence_id, path: ev.path, absPath: ev.abs_path, sha256: ev.sha256, size: ev.size, compression: ev.compression, format: ev.format }
        : null,
      attack: attack ?? null,
      annotations: annotations.map((a) => ({
        annotationId: a.annotation_id,
        eventId: a.event_id,
        kind: a.kind === 'note' ? 'note' : 'mark',
        text: a.text,
        author: a.author,
        createdAt: a.created_at,
      })),
    };
  }

  verify(ev: EvidenceInfo, force = false): Promise<VerifyResult> {
    let p = this.verified.get(ev.evidenceId);
    if (!p || force) {
      p = verifyOne(ev.evidenceId, ev.path, ev.absPath, ev.sha256 ?? '');
      this.verified.set(ev.evidenceId, p);
    }
    return p;
  }

  async checkBytes(d: EventDetail): Promise<{ state: 'match' | 'differs' | 'unavailable'; detail: string }> {
    const ev = d.evidence;
    if (!ev || d.byteOffset === null || d.byteLength === null || d.byteLength < 0 || d.raw === null) {
      return { state: 'unavailable', detail: 'no byte range recorded' };
    }
    if (ev.compression !== 'none') return { state: 'unavailable', detail: `${ev.compression} file: offsets are in the decompressed stream` };
    if (!existsSync(ev.absPath)) return { state: 'unavailable', detail: 'file missing' };
    const fh = await fsp.open(ev.absPath, 'r');
    try {
      const buf = Buffer.alloc(d.byteLength);
      const { bytesRead } = await fh.read(buf, 0, d.byteLength, d.byteOffset);
      const text = buf.subarray(0, bytesRead).toString('utf8');
      if (text === d.raw) return { state: 'match', detail: `bytes ${d.byteOffset}–${d.byteOffset + d.byteLength} equal the raw line` };
      if (text.startsWith(d.raw)) return { state: 'match', detail: 'raw is the start of the record (long record cut at ingest)' };
      return { state: 'differs', detail: `bytes at offset ${d.byteOffset} differ from the raw line` };
    } finally {
      await fh.close();
    }
  }

  async annotate(eventId: number, kind: MarkKind, text: string | null, author: string): Promise<Annotation> {
    const createdAt = new Date().toISOString();
    this.pending.push({ eventId, kind, text, author, createdAt });
    const batch = [...this.pending];
    let saved: Annotation | null = null;
    await this.h.write(async (db) => {
      await db.run('BEGIN TRANSACTION');
      try {
        for (const a of batch) {
          const [r] = await db.all<{ annotation_id: number }>(
            `INSERT INTO annotations (annotation_id, event_id, kind, text, author, created_at)
             VALUES (nextval('annotation_id_seq'), $id::BIGINT, $kind, $text, $author, $at::TIMESTAMP) RETURNING annotation_id`,
            { id: BigInt(a.eventId), kind: a.kind, text: a.text, author: a.author, at: a.createdAt.replace('T', ' ').replace('Z', '') },
          );
          if (a === batch[batch.length - 1]) saved = { annotationId: r!.annotation_id, eventId, kind, text, author, createdAt };
        }
        await db.run('COMMIT');
      } catch (err) {
        await db.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    this.pending = this.pending.filter((a) => !batch.includes(a));
    for (const a of batch) if (this.marks.get(a.eventId) !== 'note') this.marks.set(a.eventId, a.kind);
    return saved!;
  }

  unsaved() {
    return [...this.pending];
  }

  async exportView(q: ViewQuery, path: string, format: ExportFormat): Promise<number> {
    const { sql, params } = exportSql(q, this.ctx.findingsId, path, format);
    await this.h.run('bg', sql, params);
    const c = countSql(q, { ...this.ctx, table: 'events' });
    const [r] = await this.h.all<{ n: number }>('bg', c.sql, c.params);
    return Number(r?.n ?? 0);
  }

  cancel(what: 'find' | 'bg'): void {
    this.h.interrupt(what);
  }

  close(): void {
    this.h.close();
  }
}

async function loadFindings(h: CaseHandle): Promise<FindingsInfo | null> {
  const [f] = await h.all<{ findings_id: number; generated_at: string; answers: string | null }>(
    'fg',
    `SELECT findings_id, generated_at, json_extract(body, '$.answers')::VARCHAR AS answers FROM findings ORDER BY findings_id DESC LIMIT 1`,
  );
  if (!f) return null;
  const per = await h.all<{ phase: string; first: string; last: string; n: number }>(
    'fg',
    `SELECT phase, min(ts) AS first, max(ts) AS last, count(*) AS n FROM attack_events WHERE findings_id = $f GROUP BY phase`,
    { f: f.findings_id },
  );
  let a: Record<string, unknown> = {};
  try {
    a = f.answers ? (JSON.parse(f.answers) as Record<string, unknown>) : {};
  } catch {
    a = {};
  }
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : null);
  const num = (k: string) => (typeof a[k] === 'number' ? (a[k] as number) : null);
  const byPhase = new Map(per.map((p) => [p.phase, p]));
  return {
    findingsId: f.findings_id,
    generatedAt: f.generated_at,
    attackEvents: per.reduce((s, p) => s + Number(p.n), 0),
    phases: PHASES.map((phase) => {
      const p = byPhase.get(phase);
      return { phase, first: p?.first ?? null, last: p?.last ?? null, events: Number(p?.n ?? 0) };
    }),
    answers: {
      firstReconAt: str('first_recon_at'),
      initialAccessAt: str('initial_access_at'),
      initialAccessVector: str('initial_access_vector'),
      detectedAt: str('detected_at'),
      lastAttackerActivityAt: str('last_attacker_activity_at'),
      containedAt: str('contained_at'),
      dwellTimeSeconds: num('dwell_time_seconds'),
      accessDurationSeconds: num('access_duration_seconds'),
    },
  };
}

