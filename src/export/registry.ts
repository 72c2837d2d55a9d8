/**
 * Every export format, by what it exports. `dwell export --what W --format F` looks the pair up
 * here; docs/exports.md describes each and how to load it into its tool.
 */
import { detectionsCsv, detectionsJsonl } from './detections.js';
import { findingsCsv, findingsJson } from './findings.js';
import { iocsCsv } from './iocs-csv.js';
import { MITIGATION_FORMATS } from './mitigations/formats.js';
import { navigator } from './navigator.js';
import { ocsf } from './ocsf.js';
import { parquet } from './parquet.js';
import { reportHtml, reportMd } from './report.js';
import { stix } from './stix.js';
import { timelineCsv } from './timeline-csv.js';
import { timelineJsonl } from './timeline-jsonl.js';
import { timesketchCsv, timesketchJsonl } from './timesketch.js';
import { WHATS, type ExportFormat, type What } from './types.js';

export const FORMATS: readonly ExportFormat[] = [timelineCsv, timelineJsonl, timesketchJsonl, timesketchCsv, ocsf, parquet, navigator, stix, iocsCsv, findingsJson, reportMd, reportHtml, findingsCsv, detectionsCsv, detectionsJsonl, ...MITIGATION_FORMATS];

/** The format for a what/format pair, or undefined. */
export function findFormat(what: What, name: string): ExportFormat | undefined {
  return FORMATS.find((f) => f.name === name && f.whats.includes(what));
}

/** Format names per what, in registry order (for help and errors). */
export function formatsFor(what: What): string[] {
  return FORMATS.filter((f) => f.whats.includes(what)).map((f) => f.name);
}

export function isWhat(s: string): s is What {
  return (WHATS as readonly string[]).includes(s);
}
