/**
 * What the report needs beyond the stored findings, read from the case (read-only, every value a
 * parameter): the evidence manifest with SHA-256 and per-file time quality, the analysts'
 * annotations as they are now (no re-run of correlate needed), event density over the incident
 * window in at most ~240 buckets (all events and the attacker's), and which sources name each
 * attacker host.
 */
import { basename, extname } from 'node:path';
import type { AnnotationOut, Findings } from '../correlate/findings-types.js';
import type { CaseDb } from '../store/case-db.js';
import type { CaseData, DensityBucket, HostSources, ManifestRow } from './model.js';
import { watchReport } from '../watch/report.js';

const ISO = `'%Y-%m-%dT%H:%M:%SZ'`;
export const DENSITY_BUCKETS = 240;

export async function loadManifest(db: CaseDb): Promise<ManifestRow[]> {
  const rows = await db.all<{ path: string; sha256: string | null; size: number | null; status: string; first: string | null; last: string | null; events: number; warnings: number; quality: string | null }>(
    `WITH q AS (SELECT evidence_id, time_quality, count(*)::BIGINT AS n FROM events GROUP BY ALL)
     SELECT e.path, e.sha256, e.size, e.status, strftime(e.first_ts, ${ISO}) AS first, strftime(e.last_ts, ${ISO}) AS last,
            e.events, e.warnings,
            (SELECT CAST(json_group_object(q.time_quality, q.n) AS VARCHAR) FROM q WHERE q.evidence_id = e.evidence_id) AS quality
     FROM evidence e ORDER BY e.path, e.evidence_id`,
  );
  return rows.map((r) => ({ ...r, events: Number(r.events), warnings: Number(r.warnings), size: r.size === null ? null : Number(r.size), quality: r.quality ? (JSON.parse(r.quality) as Record<string, number>) : {} }));
}

export async function loadAnnotations(db: CaseDb): Promise<AnnotationOut[]> {
  return db.all<AnnotationOut>(`SELECT event_id, kind, text, author, strftime(created_at, ${ISO}) AS created_at FROM annotations ORDER BY created_at, annotation_id`);
}

/** The incident window padded by a tenth on each side, or the case's span without findings times. */
function densityWindow(f: Findings): { fromMs: number; toMs: number } | null {
  const a = f.answers;
  const times = [a.first_recon_at, a.initial_access_at, a.last_attacker_activity_at, a.detected_at, a.contained_at]
    .filter((x): x is string => Boolean(x))
    .map((x) => Date.parse(x))
    .filter((x) => !Number.isNaN(x));
  if (times.length === 0) {
    const c = [f.case?.from, f.case?.to].filter((x): x is string => Boolean(x)).map((x) => Date.parse(x));
    if (c.length < 2) return null;
    return { fromMs: c[0]!, toMs: c[1]! };
  }
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max((hi - lo) / 10, 3_600_000);
  return { fromMs: lo - pad, toMs: hi + pad };
}

export async function loadDensity(db: CaseDb, f: Findings): Promise<{ buckets: DensityBucket[]; seconds: number }> {
  const w = densityWindow(f);
  if (!w) return { buckets: [], seconds: 0 };
  const seconds = Math.max(60, Math.ceil((w.toMs - w.fromMs) / 1000 / DENSITY_BUCKETS));
  const params = { f: w.fromMs * 1000, t: w.toMs * 1000, s: seconds };
  // Buckets are counted in DuckDB: a 10M-event case gives ~240 numbers, never 10M rows.
  const total = await db.all<{ b: number; n: number }>(
    `SELECT (epoch_us(ts) - $f::BIGINT) // ($s::BIGINT * 1000000) AS b, count(*)::BIGINT AS n FROM events
     WHERE ts >= make_timestamp($f::BIGINT) AND ts < make_timestamp($t::BIGINT) AND time_quality NOT IN ('relative', 'implausible') GROUP BY 1`,
    params,
  );
  const attacker = await db.all<{ b: number; n: number }>(
    `SELECT (epoch_us(ts) - $f::BIGINT) // ($s::BIGINT * 1000000) AS b, count(*)::BIGINT AS n FROM attack_events
     WHERE findings_id = (SELECT max(findings_id) FROM findings) AND ts >= make_timestamp($f::BIGINT) AND ts < make_timestamp($t::BIGINT) GROUP BY 1`,
    params,
  );
  const count = Math.ceil((w.toMs - w.fromMs) / 1000 / seconds);
  const buckets: DensityBucket[] = Array.from({ length: count }, (_, i) => ({ from: new Date(w.fromMs + i * seconds * 1000).toISOString().replace('.000Z', 'Z'), total: 0, attacker: 0 }));
  for (const r of total) if (buckets[Number(r.b)]) buckets[Number(r.b)]!.total = Number(r.n);
  for (const r of attacker) if (buckets[Number(r.b)]) buckets[Number(r.b)]!.attacker = Number(r.n);
  return { buckets, seconds };
}

export async function loadHostSources(db: CaseDb, f: Findings): Promise<HostSources[]> {
  const hosts = [...new Set((f.entities ?? []).filter((e) => e.kind === 'host').map((e) => e.value))].sort();
  const out: HostSources[] = [];
  for (const host of hosts) {
    const rows = await db.all<{ source: string }>(`SELECT DISTINCT source FROM events WHERE host = $h ORDER BY source`, { h: host });
    out.push({ host, sources: rows.map((r) => r.source) });
  }
  return out;
}

export async function loadReportData(db: CaseDb, f: Findings): Promise<CaseData> {
  const density = await loadDensity(db, f);
  return {
    caseName: basename(db.path, extname(db.path)),
    manifest: await loadManifest(db),
    annotations: await loadAnnotations(db),
    density: density.buckets,
    densityBucketSeconds: density.seconds,
    hostSources: await loadHostSources(db, f),
    watch: await watchReport(db, f.backdoors ?? []),
  };
}
