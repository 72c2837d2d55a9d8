/**
 * The report people act on (docs/report.md): one model that the Markdown and HTML renderers share,
 * built from the typed findings plus what only the case holds (the evidence manifest with hashes,
 * the analysts' annotations as they are now, event density). Pure: `buildReport` takes the data,
 * `loadReportData` (case-data.ts) reads it, so the structure is tested without a case.
 *
 * Text in the model is raw (from evidence, so attacker-controlled): each renderer escapes it for
 * its own output kind. Dwell's own words are segments too, so the renderers never trust a string.
 */
import type { AnnotationOut, Findings, TimelineItem } from '../correlate/findings-types.js';
import type { Tlp } from '../export/types.js';
import { keyEvents, type KeyEvent } from './key-events.js';
import { mergeGaps, type GapRange } from './gaps.js';
import { caveats, type Caveat } from './caveats.js';
import { executiveSummary, type SummaryLine } from './summary.js';
import type { HuntSummary } from '../export/hunt-section.js';
import type { AlertJson } from '../watch/alert-output.js';
import type { WatchReport } from '../watch/report.js';

/** One evidence file as legal needs it: what was read, its hash, and what it gave. */
export interface ManifestRow {
  path: string;
  sha256: string | null;
  size: number | null;
  status: string;
  first: string | null;
  last: string | null;
  events: number;
  warnings: number;
  /** Events per time quality (exact, year_inferred, zone_assumed, relative, implausible). */
  quality: Record<string, number>;
}

/** Events per time bucket, all and the attacker's (sampled: one bucket, not one node per event). */
export interface DensityBucket {
  from: string;
  total: number;
  attacker: number;
}

/** The sources that hold events for a host (for "sources missing for a host" caveats). */
export interface HostSources {
  host: string;
  sources: string[];
}

export interface CaseData {
  /** Case file name without folder and extension: the case id when none is given. */
  caseName: string;
  manifest: ManifestRow[];
  annotations: AnnotationOut[];
  density: DensityBucket[];
  densityBucketSeconds: number;
  hostSources: HostSources[];
  /** dwell watch's alerts and what it saw of the back doors (src/watch/report.ts); absent: never watched. */
  watch?: WatchReport;
  /** Sigma hits: those run with the correlation, then the newest hunt's (src/export/hunt-section.ts). */
  sigma?: HuntSummary[];
}

/** The "After containment: alerts" section: dwell watch's alerts, the most severe first. */
export interface AlertsSection {
  alerts: AlertJson[];
  /** Alerts left out to keep the section readable (the case holds them all). */
  omitted: number;
  total: number;
  afterContainment: number;
}

/** At most this many alerts in the report. */
export const MAX_REPORT_ALERTS = 100;

export interface ReportOptions {
  tlp: Tlp;
  caseId?: string;
  /** Where the full timeline was written (a sibling file), or undefined when it was not. */
  timelineFile?: string;
}

export interface ReportModel {
  title: string;
  caseId: string;
  tlp: Tlp;
  /** The incident's first and last attacker activity (not the export day). */
  incidentFrom: string | null;
  incidentTo: string | null;
  generatedAt: string;
  dwellVersion: string;
  summary: SummaryLine[];
  keyEvents: KeyEvent[];
  /** Key events left out to stay at 30 rows. */
  keyEventsOmitted: number;
  gaps: GapRange[];
  caveats: Caveat[];
  manifest: ManifestRow[];
  annotations: (AnnotationOut & { event?: TimelineItem })[];
  density: DensityBucket[];
  densityBucketSeconds: number;
  timelineFile?: string;
  /** dwell watch's alerts; null when the case was never watched (no section then). */
  alerts: AlertsSection | null;
  /** Sigma rules that hit, one section each (after the full timeline). */
  sigma: HuntSummary[];
  /** The findings, with what dwell watch saw of each back door after containment added to its flags. */
  findings: Findings;
}

/** Section anchors: the summary links its numbers to them; both renderers use the same ids. */
export const SECTIONS = {
  summary: 'executive-summary',
  answers: 'answers',
  keyEvents: 'key-events',
  phases: 'phases',
  backdoors: 'back-doors',
  data: 'compromised-data',
  exfiltration: 'exfiltration',
  credentials: 'credentials-to-rotate',
  ips: 'addresses-to-block',
  queries: 'database-queries',
  gaps: 'what-the-evidence-could-not-see',
  caveats: 'caveats',
  notes: 'analyst-notes',
  alerts: 'after-containment-alerts',
  entities: 'attacker-entities',
  detections: 'detections',
  attack: 'attck-techniques',
  manifest: 'evidence-manifest',
  timeline: 'full-timeline',
} as const;

function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '?';
}

const SEVERITY_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * The findings' back doors with what dwell watch saw after containment added: the findings were
 * made before the watch, so a back door the watch saw used must not read "no" beside its alert
 * (watchReport applies the findings' own rule, so the two never contradict each other).
 */
function withWatchedBackdoors(f: Findings, watch: WatchReport | undefined): Findings {
  if (!watch || watch.backdoors.length === 0 || !f.backdoors) return f;
  return {
    ...f,
    backdoors: f.backdoors.map((b) => {
      const w = watch.backdoors.find((x) => x.kind === b.kind && x.value === b.value && x.host === b.host);
      if (!w) return b;
      return { ...b, used_after_containment: b.used_after_containment || w.used_after_containment, attempted_after_containment: b.attempted_after_containment || w.attempted_after_containment };
    }),
  };
}

function alertsSection(watch: WatchReport | undefined): AlertsSection | null {
  if (!watch?.watched) return null;
  const sorted = [...watch.alerts].sort((x, y) => (SEVERITY_RANK[y.severity] ?? 0) - (SEVERITY_RANK[x.severity] ?? 0) || String(x.ts ?? '').localeCompare(String(y.ts ?? '')) || x.alert_id - y.alert_id);
  return {
    alerts: sorted.slice(0, MAX_REPORT_ALERTS),
    omitted: Math.max(0, sorted.length - MAX_REPORT_ALERTS),
    total: sorted.length,
    afterContainment: sorted.filter((x) => x.after_containment === true).length,
  };
}

export function buildReport(findings: Findings, data: CaseData, opts: ReportOptions): ReportModel {
  const f = withWatchedBackdoors(findings, data.watch);
  const a = f.answers;
  const incidentFrom = a.first_recon_at ?? a.initial_access_at ?? f.phases.find((p) => p.first)?.first ?? null;
  const incidentTo = [a.contained_at, a.last_attacker_activity_at].filter((x): x is string => Boolean(x)).sort().pop() ?? null;
  const caseId = opts.caseId ?? data.caseName;
  const dates = incidentFrom ? (day(incidentFrom) === day(incidentTo) ? day(incidentFrom) : `${day(incidentFrom)} → ${day(incidentTo)}`) : 'no attacker activity found';
  const byId = new Map(f.timeline.map((t) => [t.event_id, t]));
  const keys = keyEvents(f);
  const gaps = mergeGaps(f.gaps);
  return {
    title: `Incident report ${caseId}: ${dates}`,
    caseId,
    tlp: opts.tlp,
    incidentFrom,
    incidentTo,
    generatedAt: f.generated_at,
    dwellVersion: f.dwell_version,
    summary: executiveSummary(f, { gaps, keyEvents: keys.events.length }),
    keyEvents: keys.events,
    keyEventsOmitted: keys.omitted,
    gaps,
    caveats: caveats(f, { gaps, hostSources: data.hostSources, manifest: data.manifest }),
    manifest: data.manifest,
    annotations: data.annotations.map((n) => ({ ...n, event: byId.get(n.event_id) })),
    density: data.density,
    densityBucketSeconds: data.densityBucketSeconds,
    timelineFile: opts.timelineFile,
    alerts: alertsSection(data.watch),
    sigma: data.sigma ?? [],
    findings: f,
  };
}
