/** Types shared by the TUI's data layer, its view state and its components. */
import type { FsPath } from '../../core/evidence-path.js';

export const PHASES = ['recon', 'access', 'actions', 'exfiltration'] as const;
/** Attack phases of docs/findings.md, in kill-chain order. */
export type Phase = (typeof PHASES)[number];

export function isPhase(s: string): s is Phase {
  return (PHASES as readonly string[]).includes(s);
}

/** Position of an event in time order: (ts, event_id) is unique and totally ordered. */
export interface RowKey {
  /** Microseconds since the epoch, UTC. */
  tsUs: number;
  eventId: number;
}

export function compareKeys(a: RowKey, b: RowKey): number {
  return a.tsUs - b.tsUs || a.eventId - b.eventId;
}

/** The evidence values of a list row, as stored: used as SQL parameters (pivot, filter), never printed. */
export interface RowValues {
  source: string | null;
  host: string | null;
  actor: string | null;
  action: string | null;
  outcome: string | null;
  srcIp: string | null;
  dstIp: string | null;
  session: string | null;
  accessKey: string | null;
  target: string | null;
}

/** What the list prints: every field escaped for the terminal (safeText), '' for NULL. */
export interface RowText {
  source: string;
  host: string;
  actor: string;
  action: string;
  summary: string;
}

export type MarkKind = 'mark' | 'note';

export interface TimelineRow extends RowKey {
  values: RowValues;
  text: RowText;
  /** Attack phase of the event in the newest findings run. */
  phase: Phase | null;
  /** Annotated: 'note' when any annotation is a note, else 'mark'. */
  mark: MarkKind | null;
}

/** Which table a query reads: the sorted timeline index, or `events` (no index, or export). */
export type TableKind = 'timeline' | 'events';

export interface PageResult {
  rows: TimelineRow[];
  /** No rows exist before rows[0] in this view. */
  atStart: boolean;
  /** No rows exist after the last row in this view. */
  atEnd: boolean;
  /** For `around`: index of the row to select (first row at or after the key). */
  cursor?: number;
}

/** One evidence file, for provenance. */
export interface EvidenceInfo {
  evidenceId: number;
  path: string;
  absPath: string;
  /** The path that opens the file (the exact bytes of a name that is not UTF-8; see core/evidence-path.ts). */
  fsPath: FsPath;
  sha256: string | null;
  size: number | null;
  compression: string | null;
  format: string | null;
  /** Followed by dwell watch: the hash covers the `size` bytes read, the file may have grown since. */
  followed?: boolean;
}

export interface Annotation {
  /** null while pending. */
  annotationId: number | null;
  eventId: number;
  kind: 'mark' | 'note';
  text: string | null;
  author: string;
  createdAt: string;
  /** Not in the case yet: waiting in the side file next to it (see pending-annotations.ts). */
  pending?: boolean;
}

/** Everything about one event, for the detail view. Strings are as stored: the view escapes them. */
export interface EventDetail {
  eventId: number;
  tsUs: number;
  /** Every column of `events` but raw and attrs, in schema order, NULLs left out. */
  fields: Array<[string, string]>;
  attrs: unknown;
  raw: string | null;
  line: number | null;
  byteOffset: number | null;
  byteLength: number | null;
  evidence: EvidenceInfo | null;
  attack: { phase: string; technique: string | null; reason: string | null } | null;
  /** Rules that hit the event in the newest correlation and the newest Sigma hunt (absent: none known). */
  detections?: DetectionInfo[];
  /** dwell watch alerted on this event (the case's alerts table). */
  alert?: { severity: string; matched: string; alertedAt: string; afterContainment: boolean | null } | null;
  annotations: Annotation[];
}

/** A rule hit shown in the detail: title, level and author (a Sigma rule's licence asks for it). */
export interface DetectionInfo {
  ruleId: string;
  title: string | null;
  level: string | null;
  author: string | null;
  engine: string;
}

export interface PhaseSummary {
  phase: Phase;
  first: string | null;
  last: string | null;
  events: number;
}

/** The newest findings run, as far as the TUI shows it. */
export interface FindingsInfo {
  findingsId: number;
  generatedAt: string;
  attackEvents: number;
  phases: PhaseSummary[];
  answers: {
    firstReconAt: string | null;
    initialAccessAt: string | null;
    initialAccessVector: string | null;
    detectedAt: string | null;
    lastAttackerActivityAt: string | null;
    containedAt: string | null;
    dwellTimeSeconds: number | null;
    accessDurationSeconds: number | null;
  };
}

export interface CaseInfo {
  path: string;
  events: number;
  evidenceFiles: number;
  sources: string[];
  /** Time span of the events the default view shows (those with trusted times). */
  from: string | null;
  to: string | null;
  /** Events with a relative or implausible time, left out unless the filter says `time=…`. */
  untrustedTimes: number;
  /** Which table the list pages through, and why. */
  index: { table: TableKind; note: string };
  findings: FindingsInfo | null;
  /** dwell watch's alerts in the case (none when the case has no alerts table). */
  alerts?: { count: number; critical: number; latest: string | null };
}

export interface DensityBucket {
  count: number;
  /** Most advanced attack phase with an event in this bucket, if any. */
  phase: Phase | null;
}

export interface Density {
  fromUs: number;
  toUs: number;
  bucketUs: number;
  buckets: DensityBucket[];
}
