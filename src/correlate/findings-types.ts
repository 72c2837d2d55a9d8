/**
 * `dwell.findings/v1`: what `dwell correlate` stores and the exporters read. The JSON Schema in
 * docs/findings.schema.json describes the same object (a test validates every findings object the
 * tests produce against it); docs/findings.md explains each field.
 *
 * All times are ISO 8601 UTC strings (`2026-01-02T02:16:40Z`), null when unknown. Every list is
 * sorted, so the same case and parameters give the same findings (generated_at aside).
 */
import type { EntityKind, Phase } from './rules.js';

export const FINDINGS_SCHEMA = 'dwell.findings/v1';

export type Iso = string;

export interface CaseSummary {
  events: number;
  evidence_files: number;
  sources: string[];
  from: Iso | null;
  to: Iso | null;
}

export interface SeedGiven {
  kind: string;
  value: string;
  host?: string;
}

export interface SeedUsed {
  kind: string;
  value: string;
  /** `given`, or why dwell proposed it. */
  reason: string;
}

export interface Parameters {
  seeds: SeedGiven[];
  seeds_used: SeedUsed[];
  detected_at: Iso | null;
  contained_at: Iso | null;
  sensitive: string[];
  /** Events with a relative or implausible time were included (`--include-relative`). */
  include_relative: boolean;
  /** Present only when the rules were tuned: which ran with which params. */
  rules?: RulesParameters;
}

/** `--rules` folders, `--rule-param` values (`rule.id.param` → value), `--disable`, `--min-level`. */
export interface RulesParameters {
  dirs: string[];
  params: Record<string, string>;
  disabled: string[];
  min_level: 'informational' | 'low' | 'medium' | 'high' | 'critical' | null;
  /** Sigma rule files and folders run beside (correlate --sigma). */
  sigma?: string[];
}

export interface Answers {
  first_recon_at: Iso | null;
  initial_access_at: Iso | null;
  initial_access_vector: string | null;
  detected_at: Iso | null;
  last_attacker_activity_at: Iso | null;
  contained_at: Iso | null;
  dwell_time_seconds: number | null;
  access_duration_seconds: number | null;
}

export interface EntityOut {
  kind: EntityKind;
  value: string;
  host: string | null;
  roles: string[];
  first_seen: Iso | null;
  last_seen: Iso | null;
  reason: string;
  event_ids: number[];
}

export interface PhaseOut {
  phase: Phase;
  first: Iso | null;
  last: Iso | null;
  events: number;
}

export interface TimelineItem {
  event_id: number;
  ts: Iso | null;
  phase: Phase;
  technique: string | null;
  source: string;
  host: string | null;
  actor: string | null;
  src_ip: string | null;
  summary: string;
  reason: string;
  /** How far the time can be trusted (exact, year_inferred, zone_assumed, relative, implausible). */
  time_quality: string;
  evidence: { file: string; sha256: string | null; line: number };
}

export interface DbQuery {
  event_id: number;
  ts: Iso | null;
  database: string | null;
  role: string | null;
  client: string | null;
  application: string | null;
  session: string | null;
  tables: string[];
  classification: string[];
  rows: number | null;
  statement: string | null;
}

export interface Backdoor {
  kind: string;
  value: string;
  host: string | null;
  created_at: Iso | null;
  created_by: string | null;
  used_after_containment: boolean;
  attempted_after_containment: boolean;
  event_ids: number[];
}

export interface CompromisedItem {
  kind: string;
  value: string;
  host: string | null;
  access: string;
  rows: number | null;
  bytes: number | null;
  first: Iso | null;
  last: Iso | null;
  event_ids: number[];
}

export interface Credential {
  kind: string;
  value: string;
  host: string | null;
  reason: string;
  event_ids: number[];
}

export interface IpOut {
  ip: string;
  roles: string[];
  first_seen: Iso | null;
  last_seen: Iso | null;
}

export interface Exfiltration {
  dst_ip: string;
  bytes: number;
  bytes_by_source: Record<string, number>;
  first: Iso | null;
  last: Iso | null;
  sources: string[];
}

export interface NetworkMapping {
  src: string;
  host: string;
  targets: number;
  ports: number[];
  first: Iso | null;
  last: Iso | null;
  event_ids: number[];
}

export interface Gap {
  source: string;
  from: Iso | null;
  to: Iso | null;
  reason: string;
}

export interface DetectionOut {
  rule_id: string;
  title: string;
  phase: Phase;
  technique: string;
  level: string;
  hits: number;
  keys: number;
  first: Iso | null;
  last: Iso | null;
  error?: string;
}

export interface AnnotationOut {
  event_id: number;
  kind: string;
  text: string | null;
  author: string;
  created_at: Iso | null;
}

/** An address of a compromised host, learned from the evidence (or inferred during correlation), with why. */
export interface HostAddress {
  ip: string;
  /** The host's name, or another name of the same machine (a VPC interface id, an instance id). */
  host: string;
  /** own_log, inbound_flow, flow_interface, cloud_instance, cloud_name_tag, dhcp, dns, inferred (docs/schema.md#hosts). */
  how: string;
  reason: string;
}

/** Events whose time is less than exact, per source and quality. */
export interface TimeUncertainty {
  source: string;
  /** year_inferred (and zone assumed), zone_assumed, relative, implausible. */
  time_quality: string;
  /** Events of the case with this quality. */
  events: number;
  /** Of them, in the attacker timeline. */
  attacker_events: number;
  from: Iso | null;
  to: Iso | null;
  /** Left out of the correlation (relative or implausible times, without --include-relative). */
  left_out: boolean;
  /** What it means for the answers, in words. */
  note: string;
}

export interface SeedProvenance {
  kind: string;
  value: string;
  /** given on the command line, or proposed by --auto. */
  provenance: 'given' | 'proposed';
  reason: string;
  /** Events the seed matched directly. */
  matched_events: number;
}

export interface Uncertainty {
  time: TimeUncertainty[];
  seeds: SeedProvenance[];
  /** How many entries `gaps` holds: what the evidence could not see. */
  gaps: number;
}

export interface Findings {
  schema: typeof FINDINGS_SCHEMA;
  generated_at: Iso;
  dwell_version: string;
  case: CaseSummary;
  parameters: Parameters;
  answers: Answers;
  entities: EntityOut[];
  phases: PhaseOut[];
  timeline: TimelineItem[];
  db_queries: DbQuery[];
  backdoors: Backdoor[];
  compromised_data: CompromisedItem[];
  credentials_to_rotate: Credential[];
  ips: IpOut[];
  exfiltration: Exfiltration[];
  network_mapping: NetworkMapping[];
  gaps: Gap[];
  detections: DetectionOut[];
  annotations: AnnotationOut[];
  notes: string[];
  host_addresses: HostAddress[];
  uncertainty: Uncertainty;
}
