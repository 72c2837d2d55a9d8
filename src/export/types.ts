/** The export registry's vocabulary: what is exported, in which format, with which options. */
import type { OutputGuard } from '../core/output/guard.js';
import type { CaseDb } from '../store/case-db.js';
import type { TimelineFilters } from './filters.js';
import type { ExportProgress } from './progress.js';

export type What = 'timeline' | 'attack' | 'findings' | 'iocs' | 'mitigations' | 'detections';
export const WHATS: readonly What[] = ['timeline', 'attack', 'findings', 'iocs', 'mitigations', 'detections'];

export type Tlp = 'white' | 'green' | 'amber' | 'red';

export interface ExportOptions {
  /** STIX objects and the report (md, html): TLP marking (default amber). */
  tlp: Tlp;
  /** Report (md, html): the case id in the title (default: the case file's name). */
  caseId?: string;
  /** STIX: name of the identity that produced the bundle (default "dwell"). */
  identity: string;
  /** STIX: indicators stay valid this many days after the last sighting (default 90). */
  validDays: number;
  /** Parquet: replace the files of an existing output directory. */
  overwrite: boolean;
  /** Detections and findings: leave out hits of rules below this level (`--min-level`). */
  minLevel: string | null;
  /** Detections and findings: leave out hits of these rule ids (`--disable`). */
  disable: string[];
}

export const DEFAULT_OPTIONS: ExportOptions = { tlp: 'amber', identity: 'dwell', validDays: 90, overwrite: false, minLevel: null, disable: [] };

/** Whether a hit of this rule and level is exported under --min-level and --disable. */
export function ruleShown(o: Pick<ExportOptions, 'minLevel' | 'disable'>, ruleId: string, level: string | null | undefined): boolean {
  const order = ['informational', 'low', 'medium', 'high', 'critical'];
  if (o.disable.includes(ruleId)) return false;
  return o.minLevel === null || order.indexOf(level ?? 'informational') >= order.indexOf(o.minLevel);
}

export interface ExportContext {
  db: CaseDb;
  what: What;
  filters: TimelineFilters;
  /** File (or directory for Parquet); undefined = standard output. */
  output?: string;
  /** Checks every path the export writes (never evidence, the case, or a non-file). */
  guard: OutputGuard;
  progress: ExportProgress;
  options: ExportOptions;
  /** Time stamped on generated objects (STIX created/modified, layer metadata). */
  now: Date;
}

export interface ExportResult {
  /** Rows, events or objects written (what the format counts). */
  count: number;
  unit: string;
  /** Files written (Parquet). */
  files?: string[];
  /** Worth telling the analyst (e.g. files found in a replaced export folder that dwell did not write, and kept). */
  notes?: string[];
}

export interface ExportFormat {
  name: string;
  /** What this format can export. */
  whats: readonly What[];
  description: string;
  /** `file`: one stream (file or stdout); `directory`: needs -o DIR. */
  target: 'file' | 'directory';
  /** Whether the timeline filters apply. */
  filtered: boolean;
  run(ctx: ExportContext): Promise<ExportResult>;
}
