/**
 * What a case holds (`dwell info`), Plaso pinfo's role: ingest runs, evidence files per source
 * with their time quality, events per source and host, hosts and their addresses, findings,
 * annotations, the timeline index. Every number is read from the case's tables at the time of
 * asking (nothing cached), so `--json` and the screen agree with any query over the same tables.
 */
import { statSync } from 'node:fs';
import type { CaseDb } from '../store/case-db.js';
import { timelineIndexStatus, type TimelineIndexStatus } from '../store/timeline-index.js';
import { pendingPath, readPending } from '../tui/data/pending-annotations.js';
import { OFF_TIMELINE_QUALITIES } from '../core/event.js';

/** Time qualities, in the order shown (src/core/event.ts). */
export const QUALITIES = ['exact', 'zone_assumed', 'year_inferred', 'relative', 'implausible'] as const;

export type QualityCounts = Record<string, number>;

export interface IngestRunInfo {
  run_id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  dwell_version: string;
  operator: string | null;
  hostname: string | null;
  argv: string[] | null;
  tz: string;
  year: number | null;
  forced_format: string | null;
  files: number | null;
  events: number | null;
  warnings: number | null;
  failed: number | null;
}

export interface SourceInfo {
  /** The parser that read the files (evidence.format), or the status of files no parser read. */
  source: string;
  files: number;
  bytes: number;
  events: number;
  warnings: number;
  /** First and last event time among trusted times (relative/implausible ones are counted, not placed). */
  first: string | null;
  last: string | null;
  time_quality: QualityCounts;
}

/** One row of the `hosts` table (docs/schema.md#hosts): a name, an address, how it was learned. */
export interface HostAddress {
  /** null: a name known without an address (self_named, evidence_path). */
  address: string | null;
  how: string | null;
  reason: string | null;
  first_seen: string | null;
  last_seen: string | null;
  /** Events behind the row. */
  events: number | null;
  ambiguous: boolean | null;
}

export interface HostInfo {
  /** null: events with no host (flows without a sensor name, CloudTrail). */
  host: string | null;
  events: number;
  sources: Record<string, number>;
  /** The `hosts` table's rows for this name (learned by dwell correlate), when the case has the table. */
  addresses: HostAddress[];
}

export interface FindingsRunInfo {
  findings_id: number;
  generated_at: string;
  dwell_version: string;
  seeds: unknown;
  seeds_used: unknown;
  answers: Record<string, unknown> | null;
  attack_events: number;
}

export interface CaseInfo {
  case: { path: string; bytes: number | null; schema_version: string | null; created_at: string | null };
  ingest_runs: IngestRunInfo[];
  evidence: { files: number; bytes: number; warnings: number; by_status: Record<string, number>; by_source: SourceInfo[] };
  events: { total: number; first: string | null; last: string | null; time_quality: QualityCounts; untrusted_times: number; by_source: Record<string, number> };
  hosts: HostInfo[];
  /**
   * Rows of the `hosts` table, which every dwell correlate rebuilds: 0 before the first correlate,
   * null on a case made before the table existed.
   */
  hosts_learned: number | null;
  findings: FindingsRunInfo[];
  annotations: { total: number; marks: number; notes: number; authors: number; waiting: number; waiting_file: string };
  timeline_index: TimelineIndexStatus & { events: number };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const TS = (col: string) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%fZ')`;

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

async function tableExists(db: CaseDb, name: string): Promise<boolean> {
  return Boolean(await db.one(`SELECT 1 AS x FROM information_schema.tables WHERE table_name = $n`, { n: name }));
}

async function columnsOf(db: CaseDb, table: string): Promise<Set<string>> {
  const rows = await db.all<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = $t`, { t: table });
  return new Set(rows.map((r) => r.c));
}

export async function caseInfo(db: CaseDb): Promise<CaseInfo> {
  const meta = Object.fromEntries((await db.all<{ key: string; value: string }>(`SELECT key, value FROM case_meta`)).map((r) => [r.key, r.value]));
  let bytes: number | null = null;
  try {
    bytes = statSync(db.path).size;
  } catch {
    /* :memory: */
  }

  const runs = (
    await db.all<Record<string, unknown>>(
      `SELECT run_id, ${TS('started_at')} AS started_at, ${TS('finished_at')} AS finished_at, status, dwell_version, operator, hostname,
              CAST(argv AS VARCHAR) AS argv, tz, year, forced_format, files, events, warnings, failed
       FROM ingest_runs ORDER BY run_id`,
    )
  ).map((r) => ({ ...r, argv: parseJson(r.argv) as string[] | null }) as unknown as IngestRunInfo);

  const untrusted = OFF_TIMELINE_QUALITIES.map((q) => `'${q}'`).join(', ');
  // Events grouped per file first (an integer key), then per source: one pass over events.
  const perFile = `SELECT evidence_id, time_quality, count(*) AS n,
                          min(ts) FILTER (WHERE time_quality IS NULL OR time_quality NOT IN (${untrusted})) AS first,
                          max(ts) FILTER (WHERE time_quality IS NULL OR time_quality NOT IN (${untrusted})) AS last
                   FROM events GROUP BY ALL`;
  const quality = await db.all<{ source: string; q: string | null; n: number; first: string | null; last: string | null }>(
    `SELECT coalesce(v.format, v.status, '?') AS source, f.time_quality AS q, sum(f.n) AS n, ${TS('min(f.first)')} AS first, ${TS('max(f.last)')} AS last
     FROM (${perFile}) f LEFT JOIN evidence v ON v.evidence_id = f.evidence_id GROUP BY ALL`,
  );
  const files = await db.all<{ source: string; status: string; files: number; bytes: number; warnings: number }>(
    `SELECT coalesce(format, status) AS source, status, count(*) AS files, coalesce(sum(size), 0) AS bytes, coalesce(sum(warnings), 0) AS warnings FROM evidence GROUP BY ALL`,
  );
  const sources = new Map<string, SourceInfo>();
  const source = (name: string) => {
    let s = sources.get(name);
    if (!s) sources.set(name, (s = { source: name, files: 0, bytes: 0, events: 0, warnings: 0, first: null, last: null, time_quality: {} }));
    return s;
  };
  const byStatus: Record<string, number> = {};
  for (const f of files) {
    const s = source(f.source);
    s.files += num(f.files);
    s.bytes += num(f.bytes);
    s.warnings += num(f.warnings);
    byStatus[f.status] = (byStatus[f.status] ?? 0) + num(f.files);
  }
  const totalQuality: QualityCounts = {};
  for (const q of quality) {
    const s = source(q.source);
    const key = q.q ?? 'unknown';
    s.events += num(q.n);
    s.time_quality[key] = (s.time_quality[key] ?? 0) + num(q.n);
    totalQuality[key] = (totalQuality[key] ?? 0) + num(q.n);
    if (q.first && (!s.first || q.first < s.first)) s.first = q.first;
    if (q.last && (!s.last || q.last > s.last)) s.last = q.last;
  }
  const bySource = [...sources.values()].sort((a, b) => b.events - a.events || b.files - a.files || a.source.localeCompare(b.source));

  const hostRows = await db.all<{ host: string | null; source: string; n: number }>(`SELECT host, source, count(*) AS n FROM events GROUP BY ALL`);
  const hosts = new Map<string | null, HostInfo>();
  const eventsBySource: Record<string, number> = {};
  for (const r of hostRows) {
    let h = hosts.get(r.host);
    if (!h) hosts.set(r.host, (h = { host: r.host, events: 0, sources: {}, addresses: [] }));
    h.events += num(r.n);
    h.sources[r.source] = (h.sources[r.source] ?? 0) + num(r.n);
    eventsBySource[r.source] = (eventsBySource[r.source] ?? 0) + num(r.n);
  }
  // The hosts table (dwell correlate) may be absent, or older or newer than this code: read the
  // columns it has.
  const hostCols = (await tableExists(db, 'hosts')) ? await columnsOf(db, 'hosts') : new Set<string>();
  const hostsTable = hostCols.has('host') && hostCols.has('address');
  let hostsLearned: number | null = null;
  if (hostsTable) {
    const col = (c: string, as: string, ts = false) => (hostCols.has(c) ? `${ts ? TS(c) : c} AS ${as}` : `NULL AS ${as}`);
    const learned = await db.all<{ host: string } & Omit<HostAddress, 'events'> & { events: unknown }>(
      `SELECT host, address, ${col('how', 'how')}, ${col('reason', 'reason')}, ${col('first_seen', 'first_seen', true)}, ${col('last_seen', 'last_seen', true)},
              ${col('events', 'events')}, ${col('ambiguous', 'ambiguous')}
       FROM hosts ORDER BY host, address NULLS LAST, ${hostCols.has('how') ? 'how' : '1'}`,
    );
    hostsLearned = learned.length;
    for (const a of learned) {
      let h = hosts.get(a.host);
      if (!h) hosts.set(a.host, (h = { host: a.host, events: 0, sources: {}, addresses: [] }));
      h.addresses.push({
        address: a.address,
        how: a.how,
        reason: a.reason,
        first_seen: a.first_seen,
        last_seen: a.last_seen,
        events: a.events === null || a.events === undefined ? null : num(a.events),
        ambiguous: a.ambiguous,
      });
    }
  }
  const hostList = [...hosts.values()].sort((a, b) => b.events - a.events || String(a.host).localeCompare(String(b.host)));

  const span = await db.one<{ first: string | null; last: string | null }>(
    `SELECT ${TS('min(ts)')} AS first, ${TS('max(ts)')} AS last FROM events WHERE time_quality IS NULL OR time_quality NOT IN (${untrusted})`,
  );
  const total = Object.values(totalQuality).reduce((a, b) => a + b, 0);
  const untrustedTimes = OFF_TIMELINE_QUALITIES.reduce((a, q) => a + (totalQuality[q] ?? 0), 0);

  const findings = (
    await db.all<Record<string, unknown>>(
      `SELECT f.findings_id, ${TS('f.generated_at')} AS generated_at, f.dwell_version,
              CAST(f.body->'parameters'->'seeds' AS VARCHAR) AS seeds, CAST(f.body->'parameters'->'seeds_used' AS VARCHAR) AS seeds_used,
              CAST(f.body->'answers' AS VARCHAR) AS answers,
              (SELECT count(*) FROM attack_events a WHERE a.findings_id = f.findings_id) AS attack_events
       FROM findings f ORDER BY f.findings_id`,
    )
  ).map((r) => ({
    findings_id: num(r.findings_id),
    generated_at: r.generated_at as string,
    dwell_version: r.dwell_version as string,
    seeds: parseJson(r.seeds),
    seeds_used: parseJson(r.seeds_used),
    answers: parseJson(r.answers) as Record<string, unknown> | null,
    attack_events: num(r.attack_events),
  }));

  const ann = await db.one<{ total: number; marks: number; notes: number; authors: number }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE kind = 'mark') AS marks, count(*) FILTER (WHERE kind = 'note') AS notes, count(DISTINCT author) AS authors FROM annotations`,
  );
  let waiting = 0;
  if (db.path !== ':memory:') {
    try {
      waiting = (await readPending(db.path)).items.length;
    } catch {
      /* no side file */
    }
  }

  const index = await timelineIndexStatus(db);
  const evidenceTotals = await db.one<{ files: number; bytes: number; warnings: number }>(`SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes, coalesce(sum(warnings), 0) AS warnings FROM evidence`);

  return {
    case: { path: db.path, bytes, schema_version: meta.schema_version ?? null, created_at: meta.created_at ?? null },
    ingest_runs: runs,
    evidence: { files: num(evidenceTotals?.files), bytes: num(evidenceTotals?.bytes), warnings: num(evidenceTotals?.warnings), by_status: byStatus, by_source: bySource },
    events: { total, first: span?.first ?? null, last: span?.last ?? null, time_quality: totalQuality, untrusted_times: untrustedTimes, by_source: eventsBySource },
    hosts: hostList,
    hosts_learned: hostsLearned,
    findings,
    annotations: { total: num(ann?.total), marks: num(ann?.marks), notes: num(ann?.notes), authors: num(ann?.authors), waiting, waiting_file: db.path === ':memory:' ? '' : pendingPath(db.path) },
    timeline_index: { ...index, events: total },
  };
}
