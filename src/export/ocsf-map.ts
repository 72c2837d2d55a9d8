/**
 * One dwell event → one OCSF 1.8 event in its class, chosen by the `class` column:
 *
 * | dwell class          | OCSF class                 | activity from                                   |
 * |----------------------|----------------------------|-------------------------------------------------|
 * | authentication       | Authentication 3002        | logoff / account switch (su, sudo) / logon      |
 * | account_change       | Account Change 3001        | create, password change, lock, policy, delete…  |
 * | api_activity         | API Activity 6003          | the operation's verb: Create/Read/Update/Delete |
 * | datastore_activity   | Datastore Activity 6005    | the statement type (select → Query, …)          |
 * | network_activity     | Network Activity 4001      | flow → Traffic, connection open/close/fail      |
 * | process_activity     | Process Activity 1007      | Launch (sudo, cron)                             |
 * | system_activity, other | Base Event 0             | Other (activity_name = dwell's action)          |
 *
 * Every event carries the attributes its class requires (validated against the 1.8 schema files
 * in the test suite), `time` (ms) and `time_dt` (RFC 3339 with microseconds, the `datetime`
 * profile), `device` (the host, `host` profile), `message`, `raw_data`, `observables`, and
 * dwell's own facts in `unmapped.dwell` (source, action, attrs, evidence file/SHA-256/line/bytes).
 * Where a class requires something the evidence does not say (the user of an authentication
 * failure that named none), the object says `unknown` with type_id 0 rather than inventing a value.
 */
import { DWELL_VERSION } from '../version.js';
import { ATTACK_VERSION, TECHNIQUES } from './attack-reference.js';
import { tacticByShortname, tacticFor } from './attack-tactics.js';

export const OCSF_VERSION = '1.8.0';

/** One exported row (SQL in ocsf.ts): numbers as JS numbers, times as µs, attrs as JSON text. */
export interface OcsfRow {
  event_id: number;
  ts_us: number;
  ts_end_us: number | null;
  ts_iso: string;
  ts_end_iso: string | null;
  time_quality: string | null;
  source: string;
  class: string;
  action: string;
  outcome: string | null;
  host: string | null;
  actor: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  protocol: string | null;
  session: string | null;
  access_key: string | null;
  target: string | null;
  database: string | null;
  bytes_in: number | null;
  bytes_out: number | null;
  packets_in: number | null;
  packets_out: number | null;
  rows: number | null;
  command: string | null;
  community_id: string | null;
  user_agent: string | null;
  summary: string | null;
  /** The source's attributes (nested JSON; JSON text is parsed too). */
  attrs: Record<string, unknown> | string | null;
  evidence_id: number | null;
  evidence_file: string | null;
  evidence_sha256: string | null;
  line: number | null;
  byte_offset: number | null;
  byte_length: number | null;
  raw: string | null;
  phase?: string | null;
  technique?: string | null;
  attack_reason?: string | null;
  /** Highest level of the detections that hit the event (attack view). */
  level?: string | null;
}

type Obj = Record<string, unknown>;

interface ClassInfo {
  uid: number;
  name: string;
  categoryUid: number;
  categoryName: string;
}

export const CLASSES: Record<string, ClassInfo> = {
  authentication: { uid: 3002, name: 'Authentication', categoryUid: 3, categoryName: 'Identity & Access Management' },
  account_change: { uid: 3001, name: 'Account Change', categoryUid: 3, categoryName: 'Identity & Access Management' },
  api_activity: { uid: 6003, name: 'API Activity', categoryUid: 6, categoryName: 'Application Activity' },
  datastore_activity: { uid: 6005, name: 'Datastore Activity', categoryUid: 6, categoryName: 'Application Activity' },
  network_activity: { uid: 4001, name: 'Network Activity', categoryUid: 4, categoryName: 'Network Activity' },
  process_activity: { uid: 1007, name: 'Process Activity', categoryUid: 1, categoryName: 'System Activity' },
};
const BASE: ClassInfo = { uid: 0, name: 'Base Event', categoryUid: 0, categoryName: 'Uncategorized' };

/** Activity ids and captions per class (OCSF 1.8). */
const ACTIVITIES: Record<number, Record<number, string>> = {
  3002: { 1: 'Logon', 2: 'Logoff', 3: 'Authentication Ticket', 4: 'Service Ticket Request', 5: 'Service Ticket Renew', 6: 'Preauth', 7: 'Account Switch' },
  3001: { 1: 'Create', 2: 'Enable', 3: 'Password Change', 4: 'Password Reset', 5: 'Disable', 6: 'Delete', 7: 'Attach Policy', 8: 'Detach Policy', 9: 'Lock', 10: 'MFA Factor Enable', 11: 'MFA Factor Disable', 12: 'Unlock' },
  6003: { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete' },
  6005: { 1: 'Read', 2: 'Update', 3: 'Connect', 4: 'Query', 5: 'Write', 6: 'Create', 7: 'Delete', 8: 'List', 9: 'Encrypt', 10: 'Decrypt' },
  4001: { 1: 'Open', 2: 'Close', 3: 'Reset', 4: 'Fail', 5: 'Refuse', 6: 'Traffic', 7: 'Listen' },
  1007: { 1: 'Launch', 2: 'Terminate', 3: 'Open', 4: 'Inject', 5: 'Set User ID' },
  0: {},
};

const SEVERITY: Record<number, string> = { 0: 'Unknown', 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' };
const LEVEL_SEVERITY: Record<string, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const STATUS: Record<string, [number, string]> = { success: [1, 'Success'], failure: [2, 'Failure'] };

/** The operation name of an action written `service:Operation` (CloudTrail), else the action. */
function operation(action: string): { service: string | null; name: string } {
  const i = action.lastIndexOf(':');
  return i > 0 ? { service: action.slice(0, i), name: action.slice(i + 1) } : { service: null, name: action };
}

function parseAttrs(text: Obj | string | null): Obj {
  if (!text) return {};
  if (typeof text === 'object') return Array.isArray(text) ? { value: text } : text;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : { value: v };
  } catch {
    return { text };
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function int(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

/**
 * A copy without null/undefined members (OCSF attributes are absent, not null). Copying rather than
 * deleting keeps V8's fast object shapes: this runs for every object of millions of events.
 */
function clean<T extends Obj>(o: T): T {
  const out: Obj = {};
  for (const k in o) {
    const v = o[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out as T;
}

const UNKNOWN_USER = { name: 'unknown', type_id: 0, type: 'Unknown' };

/** A user object from dwell's actor/target text (an ARN becomes uid; an access key, credential_uid). */
function user(name: string | null, credential?: string | null): Obj {
  if (!name) return credential ? { uid: credential, credential_uid: credential } : { ...UNKNOWN_USER };
  if (name.startsWith('arn:')) {
    const last = name.split(/[/:]/).pop() || name;
    return clean({ uid: name, name: last, credential_uid: credential ?? null });
  }
  return clean({ name, credential_uid: credential ?? null });
}

function endpoint(ip: string | null, port: number | null, extra: Obj = {}): Obj | null {
  const e: Obj = clean({ ip, port, ...extra });
  return Object.keys(e).length > 0 && (e.ip || e.hostname || e.name || e.svc_name || e.uid) ? e : null;
}

function authActivity(action: string): number {
  if (/(_|^)session_closed$|session_removed$|^db_disconnect$|logout|logoff/i.test(action)) return 2;
  if (/^(su|sudo)(_|$)|SwitchRole$/.test(action)) return 7;
  if (/AssumeRole|GetSessionToken|GetFederationToken|GetRoleCredentials|CreateToken/.test(action)) return 99;
  return 1;
}

/** The account an authentication is about: the switched-to user for su/sudo and PAM sessions. */
function authUser(r: OcsfRow): string | null {
  if (/^(su|sudo)(_|$)|session_/.test(r.action)) return r.target ?? r.actor;
  return r.actor ?? r.target;
}

function accountActivity(action: string): number {
  const op = operation(action).name;
  if (/^(user_created|CreateUser|CreateLoginProfile)$/.test(op)) return 1;
  if (/^EnableMFADevice$|^CreateVirtualMFADevice$/.test(op)) return 10;
  if (/^(DeactivateMFADevice|DeleteVirtualMFADevice)$/.test(op)) return 11;
  if (/^(password_changed|password_change_failed|ChangePassword)$/.test(op)) return 3;
  if (/^(UpdateLoginProfile|password_reset)$/.test(op)) return 4;
  if (/^(user_deleted|DeleteUser)$/.test(op)) return 6;
  if (/^user_locked$/.test(op)) return 9;
  if (/^user_unlocked$/.test(op)) return 12;
  if (/^(Attach(User|Role|Group)Policy|Put(User|Role|Group)Policy)$/.test(op)) return 7;
  if (/^(Detach(User|Role|Group)Policy|Delete(User|Role|Group)Policy)$/.test(op)) return 8;
  if (/^Enable/.test(op)) return 2;
  if (/^(Disable|Deactivate)/.test(op)) return 5;
  return 99;
}

function apiActivity(action: string): number {
  const op = operation(action).name;
  if (/^(Create|Put|Run|Start|Attach|Add|Upload|Import|Copy|Register|Allocate|Issue|Request|Assume|Generate)/.test(op)) return 1;
  if (/^(Get|List|Describe|Head|Lookup|Search|Select|Scan|Query|BatchGet|Download|Check|Decrypt|View|Preview|Simulate|Estimate|Validate)/.test(op)) return 2;
  if (/^(Update|Modify|Set|Change|Enable|Disable|Tag|Untag|Reset|Replace|Associate|Disassociate|Stop|Reboot|Restore|Rotate|Apply|Authorize|Publish)/.test(op)) return 3;
  if (/^(Delete|Remove|Detach|Terminate|Revoke|Deregister|Deactivate|Release|Purge|Cancel)/.test(op)) return 4;
  return 99;
}

function datastoreActivity(action: string, attrs: Obj): number {
  if (/^db_(connect|authenticated|change_user)$/.test(action)) return 3;
  const sql = (attrs.sql && typeof attrs.sql === 'object' ? (attrs.sql as Obj) : attrs) as Obj;
  const type = str(sql.type);
  switch (type) {
    case 'select':
    case 'copy':
      return 4;
    case 'insert':
      return 5;
    case 'update':
      return 2;
    case 'delete':
      return 7;
    case 'ddl':
      return /^(CREATE)/i.test(str(sql.verb) ?? '') ? 6 : /^DROP/i.test(str(sql.verb) ?? '') ? 7 : 2;
  }
  if (/^db_(query|parse|bind|prepare|audit|error)$/.test(action)) return 4;
  if (/^db_table_access$/.test(action)) return 1;
  return 99;
}

function networkActivity(action: string): number {
  if (action === 'flow') return 6;
  if (/reset/.test(action)) return 3;
  if (/refused|reject/.test(action)) return 5;
  if (/no_identification|bad_protocol|negotiation_failed|incomplete_startup|_failed$/.test(action)) return 4;
  if (/closed|disconnect/.test(action)) return 2;
  if (/listening/.test(action)) return 7;
  if (/connection(_received)?$/.test(action)) return 1;
  return 99;
}

function processActivity(action: string): number {
  if (/^(sudo|cron_command|exec|process_start|launch)$/.test(action)) return 1;
  if (/^(process_end|exit|terminate)$/.test(action)) return 2;
  return 99;
}

function observables(pairs: [string, number, string, unknown][]): Obj[] {
  const out: Obj[] = [];
  for (const [name, typeId, type, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    out.push({ name, type_id: typeId, type, value: String(value) });
  }
  return out;
}

/** OCSF attack objects for the event's technique and phase (attack view). */
function attacks(r: OcsfRow): Obj[] | null {
  if (!r.technique) return null;
  const [parent] = r.technique.split('.');
  const isSub = r.technique.includes('.');
  const tactic = tacticFor(r.technique, r.phase);
  const t = tactic ? tacticByShortname(tactic) : undefined;
  return [
    clean({
      version: ATTACK_VERSION,
      technique: clean({ uid: parent, name: TECHNIQUES[parent!]?.name ?? null }),
      sub_technique: isSub ? clean({ uid: r.technique, name: TECHNIQUES[r.technique]?.name ?? null }) : null,
      tactic: t ? { uid: t.id, name: t.name } : null,
    }),
  ];
}

/** Where the actor's user object is: `user` when an authentication is the actor's own. */
function actorPath(r: OcsfRow, classUid: number): string {
  return classUid === 3002 && r.actor === authUser(r) ? 'user' : 'actor.user';
}

/** Maps one row. `attackView`: severity from the detection level, ATT&CK attributes included. */
export function toOcsf(r: OcsfRow, attackView = false): Obj {
  const attrs = parseAttrs(r.attrs);
  const info = CLASSES[r.class] ?? BASE;
  let activityId = 99;
  const ev: Obj = {};
  const profiles = ['datetime'];
  const actorUser = r.actor ? user(r.actor, r.access_key) : null;

  switch (info.uid) {
    case 3002: {
      activityId = authActivity(r.action);
      ev.user = user(authUser(r), r.actor === authUser(r) ? r.access_key : null);
      if (r.actor && r.actor !== authUser(r)) ev.actor = { user: user(r.actor, r.access_key) };
      ev.src_endpoint = endpoint(r.src_ip, r.src_port);
      ev.dst_endpoint = endpoint(r.dst_ip, r.dst_port, r.host && !r.dst_ip ? { hostname: r.host } : {});
      ev.is_remote = r.src_ip ? true : null;
      if (r.session) ev.session = { uid: r.session };
      const service = str(attrs.program) ?? r.protocol ?? (r.source === 'cloudtrail' ? operation(r.action).service : null) ?? r.source;
      ev.service = { name: service };
      if (activityId === 1 && r.protocol === 'ssh') Object.assign(ev, { logon_type_id: 10, logon_type: 'Remote Interactive' });
      if (activityId === 7) Object.assign(ev, { account_switch_type_id: 1, account_switch_type: 'Substitute User' });
      break;
    }
    case 3001: {
      activityId = accountActivity(r.action);
      const target = r.target?.replace(/^crontab:/, '') ?? null;
      ev.user = user(target ?? r.actor);
      if (actorUser) ev.actor = { user: actorUser };
      ev.src_endpoint = endpoint(r.src_ip, r.src_port);
      break;
    }
    case 6003: {
      activityId = apiActivity(r.action);
      const op = operation(r.action);
      ev.actor = clean({ user: actorUser ?? (r.access_key ? user(null, r.access_key) : { ...UNKNOWN_USER }), session: r.session ? { uid: r.session } : null });
      ev.api = clean({
        operation: op.name,
        service: op.service ? { name: op.service } : null,
        request: str(attrs.request_id) ? { uid: str(attrs.request_id) } : null,
      });
      ev.src_endpoint = endpoint(r.src_ip, r.src_port) ?? (str(attrs.source) ? { svc_name: str(attrs.source) } : { name: 'unknown' });
      if (r.user_agent) ev.http_request = { user_agent: r.user_agent };
      if (r.target) ev.resources = [{ uid: r.target }];
      if (r.source === 'cloudtrail') {
        profiles.push('cloud');
        ev.cloud = clean({ provider: 'AWS', region: str(attrs.region), account: str(attrs.recipient_account ?? attrs.account) ? { uid: str(attrs.recipient_account ?? attrs.account), type_id: 10, type: 'AWS Account' } : null });
      }
      break;
    }
    case 6005: {
      activityId = datastoreActivity(r.action, attrs);
      ev.actor = clean({ user: actorUser ?? { ...UNKNOWN_USER }, session: r.session ? { uid: r.session } : null });
      ev.src_endpoint = endpoint(r.src_ip, r.src_port) ?? (str(attrs.client_host) ? { hostname: str(attrs.client_host) } : { name: 'unknown' });
      ev.dst_endpoint = endpoint(r.dst_ip, r.dst_port, r.host && !r.dst_ip ? { hostname: r.host } : {});
      // The class needs a database, bucket or table: an unnamed database when the log names none.
      ev.database = r.database ? { name: r.database, type_id: 1, type: 'Relational' } : r.target ? null : { name: 'unknown', type_id: 0, type: 'Unknown' };
      if (r.command) ev.query_info = { uid: String(r.event_id), query_string: r.command };
      if (r.target) Object.assign(ev, { table: { name: r.target } });
      if (r.database || r.target) Object.assign(ev, { type_id: r.target ? 3 : 1, type: r.target ? 'Table' : 'Database' });
      break;
    }
    case 4001: {
      activityId = networkActivity(r.action);
      ev.src_endpoint = endpoint(r.src_ip, r.src_port);
      ev.dst_endpoint = endpoint(r.dst_ip, r.dst_port, r.host && !r.dst_ip ? { hostname: r.host } : {});
      // The class needs one endpoint at least.
      if (!ev.src_endpoint && !ev.dst_endpoint) ev.src_endpoint = { name: 'unknown' };
      const proto = r.protocol?.toLowerCase() ?? null;
      const num = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : proto === 'icmp' ? 1 : null;
      ev.connection_info = clean({ direction_id: 0, direction: 'Unknown', protocol_name: proto, protocol_num: num, community_uid: r.community_id });
      if (r.bytes_in !== null || r.bytes_out !== null || r.packets_in !== null || r.packets_out !== null) {
        ev.traffic = clean({
          bytes_in: r.bytes_in,
          bytes_out: r.bytes_out,
          bytes: r.bytes_in !== null || r.bytes_out !== null ? (r.bytes_in ?? 0) + (r.bytes_out ?? 0) : null,
          packets_in: r.packets_in,
          packets_out: r.packets_out,
          packets: r.packets_in !== null || r.packets_out !== null ? (r.packets_in ?? 0) + (r.packets_out ?? 0) : null,
        });
      }
      if (r.ts_end_us !== null) {
        ev.start_time = Math.floor(r.ts_us / 1000);
        ev.end_time = Math.floor(r.ts_end_us / 1000);
        ev.start_time_dt = r.ts_iso;
        ev.end_time_dt = r.ts_end_iso;
        ev.duration = Math.max(0, Math.floor(r.ts_end_us / 1000) - Math.floor(r.ts_us / 1000));
      }
      break;
    }
    case 1007: {
      activityId = processActivity(r.action);
      const program = str(attrs.program);
      const pid = int(attrs.pid);
      ev.actor = actorUser ? { user: actorUser } : program && pid !== null ? { process: { name: program, pid } } : { user: { ...UNKNOWN_USER } };
      const exe = r.command?.trim().split(/\s+/)[0] ?? null;
      ev.process = clean({
        uid: `dwell-event-${r.event_id}`,
        name: exe ? exe.split('/').pop() || exe : null,
        cmd_line: r.command,
        user: r.target ? { name: r.target } : null,
        parent_process: program && pid !== null ? { name: program, pid } : null,
      });
      break;
    }
    default:
      activityId = 99;
  }

  if (r.host) {
    ev.device = { hostname: r.host, type_id: 0, type: 'Unknown' };
    profiles.push('host');
  } else if (info.uid === 1007) {
    ev.device = { name: 'unknown', type_id: 0, type: 'Unknown' };
    profiles.push('host');
  }

  const activityName = ACTIVITIES[info.uid]?.[activityId] ?? r.action;
  const severityId = attackView ? (LEVEL_SEVERITY[r.level ?? ''] ?? 3) : 1;
  const [statusId, status] = STATUS[r.outcome ?? ''] ?? [0, 'Unknown'];
  const att = attackView ? attacks(r) : null;
  if (att) profiles.push('security_control');

  const out: Obj = {
    class_uid: info.uid,
    class_name: info.name,
    category_uid: info.categoryUid,
    category_name: info.categoryName,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: info.uid * 100 + activityId,
    type_name: `${info.name}: ${activityId === 99 ? 'Other' : activityName}`,
    time: Math.floor(r.ts_us / 1000),
    time_dt: r.ts_iso,
    severity_id: severityId,
    severity: SEVERITY[severityId],
    status_id: statusId,
    status,
    message: r.summary ?? r.action,
    ...clean(ev),
    attacks: att,
    metadata: clean({
      version: OCSF_VERSION,
      product: { name: 'dwell', vendor_name: 'dwell', version: DWELL_VERSION },
      profiles,
      uid: String(r.event_id),
      event_code: r.action,
      log_name: r.source,
      log_provider: 'dwell',
      log_source: r.evidence_file,
    }),
    observables: observables([
      ['src_endpoint.ip', 2, 'IP Address', r.src_ip],
      ['dst_endpoint.ip', 2, 'IP Address', r.dst_ip],
      ['device.hostname', 1, 'Hostname', r.host],
      [actorPath(r, info.uid) + '.name', 4, 'User Name', r.actor && !r.actor.startsWith('arn:') ? r.actor : null],
      [actorPath(r, info.uid) + '.credential_uid', 19, 'User Credential ID', r.access_key],
      ['process.cmd_line', 13, 'Command Line', info.uid === 1007 ? r.command : null],
      ['http_request.user_agent', 16, 'HTTP User-Agent', info.uid === 6003 ? r.user_agent : null],
    ]),
    raw_data: r.raw,
    unmapped: {
      dwell: clean({
        event_id: r.event_id,
        source: r.source,
        class: r.class,
        action: r.action,
        outcome: r.outcome,
        time_quality: r.time_quality,
        target: r.target,
        rows: r.rows,
        attrs: Object.keys(attrs).length > 0 ? attrs : null,
        phase: r.phase ?? null,
        technique: r.technique ?? null,
        attack_reason: r.attack_reason ?? null,
        evidence: clean({ evidence_id: r.evidence_id, file: r.evidence_file, sha256: r.evidence_sha256, line: r.line, byte_offset: r.byte_offset, byte_length: r.byte_length }),
      }),
    },
  };
  if ((out.observables as Obj[]).length === 0) delete out.observables;
  return clean(out);
}
