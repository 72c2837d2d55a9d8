/**
 * What the generator produces before it is written: one item per evidence record, routed to a
 * sink (auth log of a host, PostgreSQL log, CloudTrail, VPC flow logs, Zeek). Attack items carry
 * a Tag; the writer fills in where the record landed (file, line) so the ground truth can point
 * at it.
 */
import type { HostName } from './estate.js';

export type Phase = 'recon' | 'access' | 'actions' | 'exfiltration';

/** Marks an item as the attacker's; `evidence` and `ts` are filled in by the writer. */
export interface Tag {
  phase: Phase;
  technique: string;
  /** One line about it (for the ground truth's key events). */
  summary?: string;
  /** Listed in expected.json's key_events (set automatically when a ground-truth time refers to it). */
  key?: boolean;
  /** Written by the sink: relative path under the evidence folder, 1-based line (record index for CloudTrail). */
  evidence?: { file: string; line: number };
  /** Source family of the record (auth_log, postgresql, cloudtrail, vpc_flow, zeek_conn). */
  source?: Source;
  host?: string;
}

export type Source = 'auth_log' | 'postgresql' | 'cloudtrail' | 'vpc_flow' | 'zeek_conn';

interface ItemBase {
  /** When the record is written / ordered (µs UTC): log time, eventTime, flow start, Zeek close. */
  t: number;
  seq?: number;
  tag?: Tag;
}

export interface AuthItem extends ItemBase {
  sink: 'auth';
  host: HostName;
  program: string;
  pid: number | null;
  msg: string;
}

export interface PgItem extends ItemBase {
  sink: 'pg';
  pid: number;
  /** `user@db`, `[unknown]@[unknown]`, or null for background processes (the prefix stops at %q). */
  who: string | null;
  level: 'LOG' | 'DETAIL' | 'ERROR' | 'STATEMENT' | 'FATAL' | 'HINT' | 'WARNING';
  /** May contain newlines: written as TAB-continued lines. */
  msg: string;
}

export interface CtItem extends ItemBase {
  sink: 'ct';
  /** Delivery region folder (us-east-1 for global services). */
  region: string;
  rec: Record<string, unknown>;
}

export interface VpcItem extends ItemBase {
  sink: 'vpc';
  eni: string;
  src: string | null;
  dst: string | null;
  sport: number | null;
  dport: number | null;
  proto: number | null;
  pkts: number | null;
  bytes: number | null;
  start: number;
  end: number;
  action: 'ACCEPT' | 'REJECT' | null;
  status: 'OK' | 'NODATA' | 'SKIPDATA';
}

export interface ZeekItem extends ItemBase {
  sink: 'zeek';
  /** Connection start (µs). */
  ts: number;
  uid: string;
  orig: string;
  origPort: number;
  resp: string;
  respPort: number;
  proto: 'tcp' | 'udp' | 'icmp';
  service: string | null;
  duration: number | null;
  origBytes: number | null;
  respBytes: number | null;
  state: string;
  localOrig: boolean;
  localResp: boolean;
  history: string;
  origPkts: number;
  origIpBytes: number;
  respPkts: number;
  respIpBytes: number;
}

export type Item = AuthItem | PgItem | CtItem | VpcItem | ZeekItem;

/** A network connection; expanded into VPC records (per ENI, direction and 10-min window) and a Zeek record. */
export interface Conn {
  start: number;
  /** Duration (µs). */
  dur: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  proto: 'tcp' | 'udp' | 'icmp';
  /** IP-level bytes and packets each way. */
  origPkts: number;
  origIpBytes: number;
  respPkts: number;
  respIpBytes: number;
  /** REJECT: dropped by a security group (no answer, not mirrored to Zeek). */
  action?: 'ACCEPT' | 'REJECT';
  /** Zeek view; omitted = derived defaults. */
  service?: string | null;
  history?: string;
  state?: string;
}
