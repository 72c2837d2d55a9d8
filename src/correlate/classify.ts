/**
 * Which phase of the attack an attacker event belongs to (recon → access → actions →
 * exfiltration) and which ATT&CK technique it shows, when no rule said so more precisely. Decided
 * by the event's vocabulary (cloud call, database, host log, network), not by its parser.
 */
import { cloudOperation, inGroup, isCloudCall, isDbAction, isHostLogEvent } from '../core/vocabulary.js';
import { ADMIN_PORTS, isPrivateIp, THRESHOLDS } from './knowledge.js';
import { openedBySource } from './transfers.js';
import type { Phase } from './rules.js';

export interface EventRow {
  event_id: number;
  ts_us: number;
  source: string;
  class: string;
  action: string;
  outcome: string;
  host: string | null;
  actor: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  session: string | null;
  access_key: string | null;
  target: string | null;
  database: string | null;
  command: string | null;
  bytes_in: number | null;
  bytes_out: number | null;
  rows: number | null;
  attrs: string | null;
}

const FIELD_NAMES = ['event_id', 'source', 'class', 'action', 'outcome', 'host', 'actor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'session', 'access_key', 'target', '"database"', 'command', 'bytes_in', 'bytes_out', '"rows"'];

/** The columns every correlation query selects, in EventRow's shape (optionally of a table alias). */
export function eventFields(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `${FIELD_NAMES.map((f) => p + f).join(', ')}, epoch_us(${p}ts) AS ts_us, CAST(${p}attrs AS VARCHAR) AS attrs`;
}

export const EVENT_FIELDS = eventFields();

export function parseAttrs(e: EventRow): Record<string, any> {
  if (!e.attrs) return {};
  try {
    return JSON.parse(e.attrs) as Record<string, any>;
  } catch {
    return {};
  }
}

export interface Classification {
  phase: Phase;
  technique: string | null;
}

const DISCOVERY = /^(Get|List|Describe|Lookup|Search|Head|Query|Scan|Check)/;
const CLOUD_ACCESS = /^(ConsoleLogin|AssumeRole|AssumeRoleWithWebIdentity|AssumeRoleWithSAML|GetSessionToken|GetFederationToken|CreateToken|GetRoleCredentials)$/;
const DATA_READ = /^(GetObject|SelectObjectContent|GetSecretValue|GetParameter|GetParameters|GetParametersByPath|Decrypt|BatchGetSecretValue|RestoreObject|CopyObject|UploadPartCopy)$/;

/** The operation of a cloud API call (action is `service:Operation`, CloudTrail's `eventSource:eventName`). */
export function cloudEventName(e: EventRow): string {
  return cloudOperation(e.action);
}

export function classify(e: EventRow, firstAccessUs: number | null): Classification {
  const before = firstAccessUs === null || e.ts_us < firstAccessUs;
  if (isCloudCall(e.action)) return classifyCloud(e);
  if (e.class === 'datastore_activity' || isDbAction(e.action)) return classifyDb(e, before);
  if (isHostLogEvent(e)) return classifyHost(e, before);
  if (e.class === 'network_activity') {
    if ((e.bytes_out ?? 0) >= THRESHOLDS.largeFlowBytes) return { phase: 'exfiltration', technique: 'T1048' };
    if (before) return { phase: 'recon', technique: 'T1046' };
    // A connection to a remote-login or administration port (either direction's record) is someone
    // getting in — the attacker's sessions, their attempts to come back — not what they did there.
    const servicePort = openedBySource(e) ? e.dst_port : e.src_port;
    if (inGroup('flow', e.action) && servicePort !== null && (ADMIN_PORTS as readonly number[]).includes(servicePort))
      return { phase: 'access', technique: isPrivateIp(e.src_ip) && isPrivateIp(e.dst_ip) ? 'T1021' : 'T1133' };
    return { phase: 'actions', technique: null };
  }
  return { phase: before ? 'recon' : 'actions', technique: null };
}

/** Records a host wrote about logins, sessions, privileges and accounts (sshd, PAM, sudo, su, cron). */
function classifyHost(e: EventRow, before: boolean): Classification {
  const a = e.action;
  if (inGroup('remote_login', a) && e.outcome === 'success') return { phase: 'access', technique: 'T1078' };
  if (inGroup('password_failure', a)) return { phase: 'access', technique: before ? 'T1110.001' : 'T1078' };
  if (inGroup('account_guess', a)) return { phase: before ? 'recon' : 'access', technique: 'T1595' };
  if (inGroup('ssh_probe', a)) return { phase: 'recon', technique: 'T1595' };
  if (a.startsWith('ssh_connection') || a === 'ssh_disconnected' || a === 'ssh_disconnect_received' || a === 'ssh_other') return { phase: before ? 'recon' : 'access', technique: null };
  if (a.endsWith('_session_opened') || a.endsWith('_session_closed') || a.startsWith('logind_') || a === 'ssh_session_started') return { phase: 'access', technique: null };
  if (a === 'sudo' || a === 'su') return { phase: 'actions', technique: a === 'sudo' ? 'T1548.003' : 'T1548' };
  if (e.class === 'account_change') return { phase: 'actions', technique: a.startsWith('crontab') ? 'T1053.003' : a === 'user_created' ? 'T1136.001' : 'T1098' };
  return { phase: before ? 'recon' : 'actions', technique: null };
}

function classifyCloud(e: EventRow): Classification {
  const name = cloudEventName(e);
  // Unauthenticated reads are what any visitor of a public bucket does: looking around, not taking.
  if (/^(ANONYMOUS_PRINCIPAL|anonymous)$/i.test(e.actor ?? '') && DATA_READ.test(name)) return { phase: 'recon', technique: 'T1593' };
  if (CLOUD_ACCESS.test(name)) return { phase: 'access', technique: 'T1078.004' };
  if (/^GetObject$|^SelectObjectContent$/.test(name)) return { phase: 'exfiltration', technique: 'T1530' };
  if (/^(GetSecretValue|BatchGetSecretValue|GetParameter|GetParameters|GetParametersByPath)$/.test(name)) return { phase: 'actions', technique: 'T1555.006' };
  if (DATA_READ.test(name)) return { phase: 'exfiltration', technique: 'T1530' };
  if (name === 'GetCallerIdentity') return { phase: 'recon', technique: 'T1087.004' };
  if (/^(StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|DeleteFlowLogs|DeleteDetector|UpdateDetector|StopConfigurationRecorder|DeleteConfigurationRecorder)$/.test(name))
    return { phase: 'actions', technique: 'T1562.008' };
  if (/^(CreateAccessKey|UpdateAccessKey)$/.test(name)) return { phase: 'actions', technique: 'T1098.001' };
  if (/^(CreateUser|CreateLoginProfile|UpdateLoginProfile)$/.test(name)) return { phase: 'actions', technique: 'T1136.003' };
  if (/^(Attach|Put)(User|Role|Group)Policy$|^UpdateAssumeRolePolicy$|^AddUserToGroup$/.test(name)) return { phase: 'actions', technique: 'T1098.003' };
  if (/^(ModifySnapshotAttribute|ModifyImageAttribute|ModifyDBSnapshotAttribute|ModifyDBClusterSnapshotAttribute)$/.test(name)) return { phase: 'exfiltration', technique: 'T1537' };
  if (DISCOVERY.test(name)) return { phase: 'recon', technique: name.startsWith('ListBuckets') || name.startsWith('GetBucket') ? 'T1619' : /User|Role|Group|Policy|AccessKey/.test(name) ? 'T1087.004' : 'T1580' };
  if (name === 'StartLogging') return { phase: 'actions', technique: 'T1562.008' };
  return { phase: 'actions', technique: null };
}

function classifyDb(e: EventRow, before: boolean): Classification {
  const sql = (parseAttrs(e).sql ?? {}) as Record<string, any>;
  if (e.class === 'authentication' || e.action === 'db_connect' || e.action === 'db_auth_failed') return { phase: 'access', technique: 'T1078' };
  if (sql.exports || sql.data_export) return { phase: 'exfiltration', technique: sql.exports === 'copy_to_program' || (Array.isArray(sql.exports) && sql.exports.includes('copy_to_program')) ? 'T1048' : 'T1213' };
  if (sql.catalog_recon) return { phase: 'recon', technique: 'T1082' };
  if (sql.privilege_change) return { phase: 'actions', technique: 'T1098' };
  if (sql.unfiltered_read) return { phase: 'exfiltration', technique: 'T1213' };
  // Sizing the data (count(*)) is reconnaissance; reading rows of a table is collection.
  if (sql.type === 'select' && e.command && /\bcount\s*\(/i.test(e.command) && !/\bselect\s+\*/i.test(e.command)) return { phase: 'recon', technique: 'T1082' };
  if (sql.type === 'select' && (sql.tables_read ?? []).some((t: string) => !/^(pg_catalog|information_schema)\./.test(t))) return { phase: 'exfiltration', technique: 'T1213' };
  void before;
  return { phase: 'actions', technique: null };
}
