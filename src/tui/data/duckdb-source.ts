/**
 * TimelineSource over a DuckDB case (see source.ts). Pages come from the time-sorted `timeline`
 * index when it is fresh, else from `events` (same SQL, same results, slower on big cases).
 * Evidence text is escaped (safeText) here, at the boundary, before any component sees it.
 */
import type { CaseDb } from '../../store/case-db.js';
import { OutputGuard } from '../../core/output/guard.js';
import { withSink } from '../../core/output/sink.js';
import { safeText } from '../../core/sanitize.js';
import { EVENT_COLUMNS } from '../../core/event.js';
import type { Row } from '../../store/case-db.js';
import { timelineIndexStatus } from '../../store/timeline-index.js';
import type { VerifyResult } from '../../store/verify.js';
import { fsPathOfEvidence } from '../../core/evidence-path.js';
import { NotRegularFileError, readEvidenceRange } from '../../core/evidence-read.js';
import { verifyEvidenceFile } from './verify-evidence.js';
import type { ViewQuery } from '../state/filters.js';
import { formatTs } from '../state/time-input.js';
import { CaseHandle, type Lane } from './case-handle.js';
import type { AnnotateResult, PageFrom, TimelineSource } from './source.js';
import { attackDensitySql, countSql, densitySql, exportSql, findSql, pageKeysSql, rangeSql, rowsSql, SHOWN_COLUMNS, type ExportFormat, type FindOptions, type SqlContext } from './sql.js';
import { countUntrusted, locateHidden, untrustedList } from './untrusted-times.js';
import { appendPending, busyReason, hasPending, mergePending, pendingPath, readPending, sameAnnotation, tryMerge, type PendingAnnotation } from './pending-annotations.js';
import {
  compareKeys,
  isPhase,
  PHASES,
  type Annotation,
  type CaseInfo,
  type Density,
  type DetectionInfo,
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

type KeysFrom = Parameters<typeof pageKeysSql>[2];

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
  /** Built on the first export: what an output may never be (the case's evidence, the case). */
  private guard: Promise<OutputGuard> | undefined;
  private verified = new Map<number, Promise<VerifyResult>>();
  /** Annotations of this TUI in the side file, not known to be in the case yet. */
  private journaled: PendingAnnotation[] = [];
  /** Annotations the side file could not take either (read-only folder, disk full): printed on quit. */
  private memory: PendingAnnotation[] = [];

  private constructor(
    private readonly h: CaseHandle,
    readonly info: CaseInfo,
    private readonly ctx: SqlContext,
    private readonly phases: Map<number, Phase> | null,
    private readonly marks: Map<number, MarkKind>,
    /** First and last time in the index (for windowed filtered pages); null without the index. */
    private readonly span: { fromUs: number; toUs: number } | null,
  ) {}

  static async open(path: string, opts: OpenSourceOptions = {}): Promise<DuckDbSource> {
    // Annotations left waiting by an earlier session go into the case now if it is free (one
    // readdir when there are none; a failed attempt costs ≈60 ms and leaves them waiting).
    if (await hasPending(path)) await tryMerge(path);
    const h = await CaseHandle.open(path);
    try {
      return await DuckDbSource.load(h, path, opts);
    } catch (err) {
      await h.close();
      throw err;
    }
  }

  private static async load(h: CaseHandle, path: string, opts: OpenSourceOptions): Promise<DuckDbSource> {
    const q = <T extends Row>(sql: string, params?: Record<string, string | number | bigint>) => h.all<T>('fg', sql, params);
    const [counts] = await q<{ events: number; files: number; sources: string[] | null; lo: string | null; hi: string | null }>(
      `SELECT (SELECT count(*) FROM events) AS events, count(*) AS files,
              list(DISTINCT format ORDER BY format) FILTER (WHERE events > 0) AS sources, min(first_ts) AS lo, max(last_ts) AS hi
       FROM evidence`,
    );
    const status = await timelineIndexStatus({ all: ((sql: string, params?: Record<string, string | number>) => h.all('fg', sql, params)) as unknown as CaseDb['all'] });
    let table: TableKind = 'events';
    let note: string;
    if (opts.noIndex) note = 'timeline index not used (--no-index)';
    else if (status.state === 'fresh') {
      table = 'timeline';
      note = 'timeline index';
    } else if (status.state === 'stale') note = `timeline index is stale (${status.indexedEvents} of ${counts!.events} events): paging events directly`;
    else note = 'no timeline index: paging events directly';

    // Where the events with untrusted times lie is found on its own connection, beside the rest.
    const untrusted = await countUntrusted(q);
    const located = untrusted > 0 ? locateHidden((sql, params) => h.all('bg', sql, params), untrusted) : Promise.resolve(null);
    located.catch(() => undefined);
    const findings = await loadFindings(h, untrusted > 0);
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
    // Waiting ones (another TUI's, or a session that ended while the case was busy) show too.
    for (const a of (await readPending(path).catch(() => ({ items: [] }))).items) {
      if (marks.get(a.eventId) !== 'note') marks.set(a.eventId, a.kind);
    }
    const hidden = await located;
    const alerts = await loadAlertSummary(q);
    const info: CaseInfo = {
      path,
      events: Number(counts!.events),
      evidenceFiles: Number(counts!.files),
      sources: counts!.sources ?? [],
      // The span of the events the default view shows: a 1970 relative clock is not where the case starts.
      from: hidden ? (hidden.trusted ? usToIso(hidden.trusted.fromUs) : null) : counts!.lo,
      to: hidden ? (hidden.trusted ? usToIso(hidden.trusted.toUs) : null) : counts!.hi,
      untrustedTimes: hidden?.count ?? 0,
      index: { table, note },
      findings,
      ...(alerts ? { alerts } : {}),
    };
    let span: { fromUs: number; toUs: number } | null = null;
    if (table === 'timeline') {
      // Sorted by time: the first and last rows are cheap to find (one row group each).
      const [lo] = await q<{ t: number }>(`SELECT epoch_us(ts) AS t FROM timeline ORDER BY ts LIMIT 1`);
      const [hi] = await q<{ t: number }>(`SELECT epoch_us(ts) AS t FROM timeline ORDER BY ts DESC LIMIT 1`);
      if (lo && hi) span = { fromUs: Number(lo.t), toUs: Number(hi.t) };
      // Paging windows are sized by the events' rate over their span: hidden 1970 times would
      // stretch the span over decades and the windows with it (results stay right, see keys()).
      if (span && hidden?.trusted) span = hidden.trusted;
    }
    return new DuckDbSource(h, info, { table, findingsId: findings?.findingsId ?? null, hidden }, phases, marks, span);
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
  private async decorate(rows: TimelineRow[], lane: Lane = 'fg'): Promise<TimelineRow[]> {
    if (this.phases || this.ctx.findingsId === null || rows.length === 0) return rows;
    const ids = rows.map((r) => r.eventId);
    const found = await this.h.all<{ event_id: number; phase: string }>(
      lane,
      `SELECT event_id, min(phase) AS phase FROM attack_events WHERE findings_id = $f AND event_id >= $lo AND event_id <= $hi AND list_contains($ids::BIGINT[], event_id) GROUP BY event_id`,
      { f: this.ctx.findingsId, lo: Math.min(...ids), hi: Math.max(...ids), ids: `[${ids.join(',')}]` },
    );
    const m = new Map(found.map((f) => [f.event_id, f.phase]));
    return rows.map((r) => {
      const ph = m.get(r.eventId);
      return ph && isPhase(ph) ? { ...r, phase: ph } : r;
    });
  }

  private async keysIn(q: ViewQuery, from: KeysFrom, limit: number, window: Parameters<typeof pageKeysSql>[4], lane: Lane): Promise<RowKey[]> {
    const { sql, params } = pageKeysSql(q, this.ctx, from, limit, window);
    const got = await this.h.all<{ ts_us: number; event_id: number }>(lane, sql, params);
    return got.map((r) => ({ tsUs: Number(r.ts_us), eventId: Number(r.event_id) }));
  }

  /**
   * Keys of a page, in the query's order (descending for end/before).
   *
   * On the time-sorted index, a page is asked for within a time window from its bound — about
   * four pages' worth of time at the case's average rate — so DuckDB reads one or two row groups:
   * without it, a descending top-N (G, PgUp, the rows above a jump) reads every row group up to
   * the bound, the threshold rising as it goes. Unfiltered, the window widens (×16) in the rare
   * quiet stretch where it holds too few rows; filtered, one window is tried (values common
   * enough to fill a page nearby) and then the whole range (rare values: one scan of the cheap,
   * hashed filter columns).
   */
  private async keys(q: ViewQuery, from: KeysFrom, limit: number, lane: Lane = 'fg'): Promise<RowKey[]> {
    const span = this.span;
    if (this.ctx.table !== 'timeline' || !span) return this.keysIn(q, from, limit, {}, lane);
    const filtered = q.attack || q.filters.length > 0;
    const down = from.kind === 'end' || from.kind === 'before';
    const origin = from.kind === 'after' || from.kind === 'before' ? from.key.tsUs : down ? span.toUs + 1 : span.fromUs - 1;
    let width = Math.max(1_000_000, (4 * limit * (span.toUs - span.fromUs + 1)) / Math.max(1, this.info.events));
    for (let attempt = 0; ; attempt++) {
      const covered = (filtered && attempt > 0) || (down ? origin - width <= span.fromUs : origin + width > span.toUs);
      const got = await this.keysIn(q, from, limit, covered ? {} : down ? { afterUs: origin - width } : { beforeUs: origin + width }, lane);
      if (got.length >= limit || covered) return got;
      width *= 16;
    }
  }

  /** The rows of `keys`, in time order. */
  private async rows(keys: RowKey[], lane: Lane = 'fg'): Promise<TimelineRow[]> {
    if (keys.length === 0) return [];
    const { sql, params } = rowsSql(this.ctx, keys);
    return this.decorate((await this.h.all<ListRow>(lane, sql, params)).map(this.toRow), lane);
  }

  async page(q: ViewQuery, from: PageFrom, limit: number, opts: { ahead?: boolean } = {}): Promise<PageResult> {
    const lane: Lane = opts.ahead ? 'ahead' : 'fg';
    const got = await this.keys(q, from, limit + 1, lane);
    const more = got.length > limit;
    const rows = await this.rows(got.slice(0, limit), lane);
    switch (from.kind) {
      case 'start':
        return { rows, atStart: true, atEnd: !more };
      case 'end':
        return { rows, atStart: !more, atEnd: true };
      case 'after':
        return { rows, atStart: false, atEnd: !more };
      case 'before':
        return { rows, atStart: !more, atEnd: false };
    }
  }

  async around(q: ViewQuery, key: RowKey, before: number, after: number): Promise<PageResult> {
    // Both directions at once on two connections: on a pivot or filter each side may take a
    // windowed query and then a full scan of the hashed columns; together they overlap.
    const [back, fwd] = await Promise.all([
      this.keys(q, { kind: 'before', key }, Math.max(1, before) + 1, 'fg'),
      this.keys(q, { kind: 'after', key, inclusive: true }, after + 1, 'fg2'),
    ]);
    const backKeys = before > 0 ? back.slice(0, before) : [];
    const fwdKeys = fwd.slice(0, after);
    const rows = await this.rows([...backKeys, ...fwdKeys]);
    const cursor = fwdKeys.length > 0 ? backKeys.length : Math.max(0, rows.length - 1);
    return { rows, atStart: before > 0 ? back.length <= before : back.length === 0, atEnd: fwd.length <= after, cursor };
  }

  private async findOnce(q: ViewQuery, text: string, from: RowKey, dir: 1 | -1, inclusive: boolean, opts: FindOptions): Promise<RowKey | null> {
    const { sql, params } = findSql(q, this.ctx, text, from, dir, inclusive, opts);
    const [r] = await this.h.all<{ ts_us: number; event_id: number }>('find', sql, params);
    return r ? { tsUs: Number(r.ts_us), eventId: Number(r.event_id) } : null;
  }

  /**
   * Search reads the raw lines, which only `events` has: a full scan of them costs seconds on
   * 10M events. With the index, the shown text is searched first on the time-sorted index, near
   * the selected event and then further (a nearby match costs milliseconds), then the raw
   * lines only between the selected event and that match (DuckDB skips the rest by time).
   * No match at all still reads every raw line (seconds on 10M events, on its own connection).
   */
  async find(q: ViewQuery, text: string, from: RowKey, dir: 1 | -1, inclusive = false): Promise<RowKey | null> {
    this.h.interrupt('find');
    const span = this.span;
    if (this.ctx.table !== 'timeline' || !span) return this.findOnce(q, text, from, dir, inclusive, {});
    // A nearby window first (about 4,096 events' worth of time), then the rest.
    const width = Math.max(1_000_000, (4096 * (span.toUs - span.fromUs + 1)) / Math.max(1, this.info.events));
    const near = dir === 1 ? { beforeUs: from.tsUs + width } : { afterUs: from.tsUs - width };
    let shown = await this.findOnce(q, text, from, dir, inclusive, { table: 'timeline', columns: SHOWN_COLUMNS, window: near });
    shown ??= await this.findOnce(q, text, from, dir, inclusive, { table: 'timeline', columns: SHOWN_COLUMNS });
    const rawWindow = shown ? (dir === 1 ? { beforeUs: shown.tsUs + 1 } : { afterUs: shown.tsUs - 1 }) : {};
    const raw = await this.findOnce(q, text, from, dir, inclusive, { table: 'events', columns: ['raw'], window: rawWindow });
    if (!shown || !raw) return shown ?? raw;
    return compareKeys(raw, shown) * dir < 0 ? raw : shown;
  }

  async count(q: ViewQuery, before?: RowKey): Promise<number> {
    // The default view's total is known without a scan (a count with a time range is one).
    const hidden = this.ctx.hidden;
    if (!before && hidden && !q.attack && q.filters.length === 0) return this.info.events - hidden.count;
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
    const [ev] = await this.h.all<{ evidence_id: number; path: string; abs_path: string; info: string | null; sha256: string | null; size: number | null; compression: string | null; format: string | null }>(
      'fg',
      `SELECT evidence_id, path, abs_path, info::VARCHAR AS info, sha256, size, compression, format FROM evidence WHERE evidence_id = $e`,
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
    const detections = await this.detectionsOf(eventId);
    // dwell watch's alert on this event, when the case has alerts (older cases have no table).
    const alert = this.info.alerts
      ? (
          await this.h.all<{ severity: string; matched: string; alerted_at: string; after_containment: boolean | null }>(
            'fg',
            `SELECT severity, matched, strftime(alerted_at, '%Y-%m-%d %H:%M:%S') AS alerted_at, after_containment FROM alerts WHERE event_id = $id::BIGINT ORDER BY alert_id LIMIT 1`,
            { id: BigInt(eventId) },
          )
        )[0]
      : undefined;
    const annotations = await this.h.all<{ annotation_id: number; event_id: number; kind: string; text: string | null; author: string; created_at: string }>(
      'fg',
      `SELECT annotation_id, event_id, kind, text, author, created_at FROM annotations WHERE event_id = $id::BIGINT ORDER BY annotation_id`,
      { id: BigInt(eventId) },
    );
    const stored: Annotation[] = annotations.map((a) => ({
      annotationId: a.annotation_id,
      eventId: a.event_id,
      kind: a.kind === 'note' ? 'note' : 'mark',
      text: a.text,
      author: a.author,
      createdAt: a.created_at,
    }));
    // Waiting ones: in the side file (any TUI's) or only in this TUI's memory.
    const side = (await readPending(this.h.path).catch(() => ({ items: [] as PendingAnnotation[] }))).items;
    const waiting = [...side, ...this.memory].filter((a) => a.eventId === eventId && !stored.some((b) => sameAnnotation(a, { ...b, createdAt: new Date(b.createdAt).toISOString() })));
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
        ? { evidenceId: ev.evidence_id, path: ev.path, absPath: ev.abs_path, fsPath: fsPathOfEvidence(ev.abs_path, ev.info), sha256: ev.sha256, size: ev.size, compression: ev.compression, format: ev.format, followed: isFollowed(ev.info) }
        : null,
      attack: attack ?? null,
      detections,
      alert: alert ? { severity: alert.severity, matched: alert.matched, alertedAt: alert.alerted_at, afterContainment: alert.after_containment } : null,
      annotations: [...stored, ...waiting.map((a): Annotation => ({ annotationId: null, ...a, pending: true }))],
    };
  }

  private detectionSql: Promise<string | null> | undefined;

  /** Rules that hit the event in the newest findings and the newest hunt; cases from before titles and hunts existed included. */
  private async detectionsOf(eventId: number): Promise<DetectionInfo[]> {
    this.detectionSql ??= (async () => {
      const cols = new Set((await this.h.all<{ t: string; c: string }>('fg', `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_name IN ('detections', 'hunts')`)).map((r) => `${r.t}.${r.c}`));
      if (!cols.has('detections.rule_id')) return null;
      const col = (c: string) => (cols.has(`detections.${c}`) ? c : `CAST(NULL AS VARCHAR) AS ${c}`);
      const runs = [`(SELECT max(findings_id) FROM findings)`];
      if (cols.has('hunts.hunt_id')) runs.push(`(SELECT max(hunt_id) FROM hunts)`);
      return `SELECT DISTINCT rule_id, ${col('title')}, level, ${col('author')}, ${cols.has('detections.engine') ? "coalesce(engine, 'dwell')" : "'dwell'"} AS engine
        FROM detections WHERE event_id = $id::BIGINT AND findings_id IN (${runs.join(', ')})
        ORDER BY CASE level WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, rule_id`;
    })();
    const sql = await this.detectionSql;
    if (!sql) return [];
    const rows = await this.h.all<{ rule_id: string; title: string | null; level: string | null; author: string | null; engine: string }>('fg', sql, { id: BigInt(eventId) });
    return rows.map((r) => ({ ruleId: r.rule_id, title: r.title, level: r.level, author: r.author, engine: r.engine }));
  }

  verify(ev: EvidenceInfo, force = false): Promise<VerifyResult> {
    let p = this.verified.get(ev.evidenceId);
    if (!p || force) {
      p = verifyEvidenceFile(ev);
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
    let bytes: Buffer;
    try {
      // Regular files only, access time kept (see evidence-read.ts).
      bytes = await readEvidenceRange(ev.fsPath, d.byteOffset, d.byteLength);
    } catch (err) {
      if (err instanceof NotRegularFileError) return { state: 'unavailable', detail: `the file is now ${err.kind}, not a regular file: not read` };
      const code = (err as NodeJS.ErrnoException).code;
      return { state: 'unavailable', detail: code === 'ENOENT' || code === 'ENOTDIR' ? 'file missing' : `cannot read: ${(err as Error).message}` };
    }
    const text = bytes.toString('utf8');
    if (text === d.raw) return { state: 'match', detail: `bytes ${d.byteOffset}–${d.byteOffset + d.byteLength} equal the raw line` };
    if (text.startsWith(d.raw)) return { state: 'match', detail: 'raw is the start of the record (long record cut at ingest)' };
    return { state: 'differs', detail: `bytes at offset ${d.byteOffset} differ from the raw line` };
  }

  /**
   * The side file first (on disk before anything else can go wrong), then a read-write turn on the
   * case that merges everything waiting — this TUI's, and any other's. See pending-annotations.ts.
   */
  async annotate(eventId: number, kind: MarkKind, text: string | null, author: string): Promise<AnnotateResult> {
    const a: PendingAnnotation = { eventId, kind, text, author, createdAt: new Date().toISOString() };
    const file = pendingPath(this.h.path);
    let journalError: unknown = null;
    try {
      await appendPending(this.h.path, a);
      this.journaled.push(a);
    } catch (err) {
      journalError = err;
      this.memory.push(a);
    }
    if (this.marks.get(eventId) !== 'note') this.marks.set(eventId, kind);
    try {
      const memory = [...this.memory];
      await this.h.write((db) => mergePending(db, this.h.path, memory));
      this.memory = this.memory.filter((m) => !memory.includes(m));
      this.journaled = [];
      return { annotation: { annotationId: null, ...a }, state: 'saved', reason: null, file, waiting: this.waiting() };
    } catch (err) {
      if (journalError) throw new Error(`${busyReason(err)}; and ${file} could not be written: ${(journalError as Error).message?.split('\n')[0]}`);
      return { annotation: { annotationId: null, ...a, pending: true }, state: 'pending', reason: busyReason(err), file, waiting: this.waiting() };
    }
  }

  unsaved(): PendingAnnotation[] {
    return [...this.memory];
  }

  waiting(): number {
    return this.journaled.length + this.memory.length;
  }

  /**
   * Writes the view to `path` through the output module, like `dwell export`: the path is checked
   * by the case's output guard (never evidence, the case or a non-file), written as a partial file
   * and renamed when complete. Lines stream in DuckDB's chunks, so memory stays bounded.
   */
  async exportView(q: ViewQuery, path: string, format: ExportFormat): Promise<number> {
    this.guard ??= OutputGuard.forCase(this.h.path, (sql) => this.h.withConnection('bg', async (conn) => (await conn.runAndReadAll(sql)).getRowObjectsJson())).catch((err: unknown) => {
      this.guard = undefined;
      throw err;
    });
    const guard = await this.guard;
    const { sql, params, header } = exportSql(q, this.ctx.findingsId, format);
    const eol = format === 'csv' ? '\r\n' : '\n';
    return withSink(path, guard, (sink) =>
      this.h.withConnection('bg', async (conn) => {
        if (header !== null) await sink.write(header + eol);
        const result = await conn.stream(sql, params);
        let n = 0;
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          n += chunk.rowCount;
          await sink.write((chunk.getColumnValues(0) as string[]).join(eol) + eol);
        }
        return n;
      }),
    );
  }

  close(): Promise<boolean> {
    return this.h.close();
  }
}

function usToIso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

/** `hidden`: attack events with untrusted times count in no phase (the attack view leaves them out too). */
async function loadFindings(h: CaseHandle, hidden: boolean): Promise<FindingsInfo | null> {
  const u = untrustedList();
  const [f] = await h.all<{ findings_id: number; generated_at: string; answers: string | null }>(
    'fg',
    `SELECT findings_id, generated_at, json_extract(body, '$.answers')::VARCHAR AS answers FROM findings ORDER BY findings_id DESC LIMIT 1`,
  );
  if (!f) return null;
  const per = await h.all<{ phase: string; first: string; last: string; n: number }>(
    'fg',
    `SELECT phase, min(ts) AS first, max(ts) AS last, count(*) AS n FROM attack_events WHERE findings_id = $f
     ${hidden ? `AND event_id NOT IN (SELECT event_id FROM events WHERE time_quality IN (${u.list}))` : ''}
     GROUP BY phase`,
    { f: f.findings_id, ...(hidden ? u.params : {}) },
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


/** dwell watch's alerts, counted for the header; null when the case has none (or no alerts table). */
async function loadAlertSummary(q: <T extends Row>(sql: string) => Promise<T[]>): Promise<CaseInfo['alerts'] | null> {
  const [t] = await q<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'alerts'`);
  if (!t || Number(t.n) === 0) return null;
  const [a] = await q<{ n: number; critical: number; latest: string | null }>(
    `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE severity = 'critical')::INTEGER AS critical, strftime(max(ts), '%Y-%m-%d %H:%M') AS latest FROM alerts`,
  );
  return a && Number(a.n) > 0 ? { count: Number(a.n), critical: Number(a.critical), latest: a.latest } : null;
}

function isFollowed(info: string | null): boolean {
  if (!info) return false;
  try {
    return Boolean((JSON.parse(info) as { followed?: unknown }).followed);
  } catch {
    return false;
  }
}
