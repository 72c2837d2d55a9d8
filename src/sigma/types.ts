/**
 * Sigma documents as dwell reads them (the SigmaHQ specification v2.1, docs/sigma.md): detection
 * rules, correlation rules, and what went wrong with each file.
 */

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const SIGMA_LEVELS: readonly SigmaLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
}

/** What every Sigma document carries, detection or correlation. */
export interface SigmaMeta {
  /** The file the document came from, as given (directories walked). */
  file: string;
  /** 0-based index of the document in a multi-document YAML file. */
  doc: number;
  id: string | null;
  /** Name used by correlation rules to refer to a rule (optional). */
  name: string | null;
  title: string;
  status: string | null;
  level: SigmaLevel | null;
  /** The rule's author(s), shown with every hit (the Detection Rule License asks for it). */
  author: string | null;
  tags: string[];
  description: string | null;
  references: string[];
  falsepositives: string[];
  /** The file's YAML document, with dates as written (text). */
  raw: Record<string, unknown>;
}

export interface SigmaRule extends SigmaMeta {
  kind: 'detection';
  logsource: Logsource;
  detection: Record<string, unknown>;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export type CountOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface SigmaCorrelation extends SigmaMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** Referred rules, by id or name, as written. */
  rules: string[];
  groupBy: string[];
  /** Seconds. */
  timespan: number;
  timespanText: string;
  /** Count (or value) conditions, ANDed; empty for temporal (all referred rules must occur). */
  condition: Array<{ op: CountOp; value: number }>;
  /** value_count / value_sum / value_avg: the field aggregated. */
  field: string | null;
  /** alias → referred rule name → field in that rule's events. */
  aliases: Record<string, Record<string, string>>;
  /** generate: true → the referred rules also report their own hits. */
  generate: boolean;
}

export type SigmaDocument = SigmaRule | SigmaCorrelation;

/**
 * Something dwell could not do with a document, never silent:
 * - `rejected`: the document is malformed (bad YAML, schema violation, unknown modifier, condition
 *   naming a missing selection, a regular expression RE2 refuses, a catastrophic regex);
 * - `unsupported`: valid Sigma that dwell cannot run (a construct or field it lacks), named;
 * - `not_held`: its log source is not one dwell reads (e.g. Windows), so it cannot hit this case;
 * - `skipped`: not run on purpose (status deprecated or unsupported, below --min-level).
 */
export interface SigmaProblem {
  kind: 'rejected' | 'unsupported' | 'not_held' | 'skipped';
  file: string;
  doc: number | null;
  ruleId: string | null;
  title: string | null;
  /** The construct dwell lacks, or what is wrong. */
  reason: string;
}

export class SigmaError extends Error {
  constructor(
    message: string,
    readonly kind: 'rejected' | 'unsupported' | 'not_held' = 'rejected',
  ) {
    super(message);
  }
}
