/**
 * The event vocabulary: every event class and action the parsers emit, with what it means.
 *
 * Parsers emit these names; correlation (rules, footprint links, phase tagging, findings) selects
 * on class, action, outcome and attrs — never on which parser wrote an event. A second source of
 * the same fact (Zeek's ssh.log beside sshd's auth.log, a journald export beside syslog) emits the
 * same action and feeds the same rules unchanged. docs/vocabulary.md is written from this list,
 * and a test checks that every action the parsers produce on their fixtures is declared here.
 */
import type { EventClass } from './event.js';

/** Event classes (OCSF class names, snake_case) and what each holds. */
export const EVENT_CLASSES: Record<EventClass, string> = {
  authentication: 'a credential checked: logins and their failures, session opens and closes, sudo/su authentication, cloud sign-ins and STS calls, database logins',
  account_change: 'an account, group, password or scheduled job changed (local accounts, IAM users/keys/policies, crontabs)',
  api_activity: 'a cloud API call (control or data plane) that is neither a sign-in nor an identity change',
  datastore_activity: 'a database statement or server message about data (queries, errors, audit records)',
  network_activity: 'a network connection: flow records, sensor logs (Zeek, Suricata), a service logging a connection it received',
  process_activity: 'a command run: sudo commands, cron jobs, ssh subsystems',
  system_activity: 'a service starting, stopping or reporting about itself',
  other: 'a record the parser keeps whole without understanding it (raw kept, action other)',
};

export interface ActionSpec {
  /** The action name, or for families a readable template (`zeek_<path>`, `<service>:<Operation>`). */
  action: string;
  /** For families: what the names look like. */
  pattern?: RegExp;
  /** Classes an event with this action may carry. */
  classes: readonly EventClass[];
  /** What it means, and which fields carry what. */
  meaning: string;
}

/** Every action (and action family) the parsers emit. */
export const ACTIONS: readonly ActionSpec[] = [
  // ---- remote logins (sshd in auth.log/secure/journald; Zeek ssh.log) ---------------------------------
  { action: 'ssh_login', classes: ['authentication'], meaning: 'an SSH login the server accepted (outcome success). actor = account (null when the source cannot see it, e.g. a network sensor), src_ip/src_port = client, host = server when the source names it, dst_ip = server address when it does, attrs.method = password|publickey|…' },
  { action: 'ssh_login_failed', classes: ['authentication'], meaning: 'a rejected SSH password or key (outcome failure); attrs.repeated = how many attempts the record stands for' },
  { action: 'ssh_login_partial', classes: ['authentication'], meaning: 'one factor of a multi-factor SSH login accepted' },
  { action: 'ssh_invalid_user', classes: ['authentication'], meaning: 'an SSH login attempt for an account that does not exist (user enumeration)' },
  { action: 'ssh_auth_failure', classes: ['authentication'], meaning: 'PAM authentication failure for sshd' },
  { action: 'ssh_max_auth_exceeded', classes: ['authentication'], meaning: 'sshd closed a connection after too many failed attempts' },
  { action: 'ssh_too_many_auth_failures', classes: ['authentication'], meaning: 'sshd disconnected a client for too many authentication failures' },
  { action: 'ssh_break_in_attempt', classes: ['authentication'], meaning: 'sshd reverse-mapping check failed ("POSSIBLE BREAK-IN ATTEMPT")' },
  { action: 'ssh_session_started', classes: ['authentication'], meaning: 'sshd started a session for an account (src_ip = client)' },
  { action: 'ssh_connection', classes: ['network_activity'], meaning: 'an SSH connection opened (src = client, dst = the server address and port it arrived on); its authentication outcome is not known from this record' },
  { action: 'ssh_connection_<verb>', pattern: /^ssh_connection_[a-z]+$/, classes: ['network_activity'], meaning: 'an SSH connection closed or reset (by the client or the server)' },
  { action: 'ssh_disconnected', classes: ['network_activity'], meaning: 'an SSH client disconnected' },
  { action: 'ssh_disconnect_received', classes: ['network_activity'], meaning: 'sshd received a disconnect from the client' },
  { action: 'ssh_no_identification', classes: ['network_activity'], meaning: 'a connection that never sent an SSH banner (probe, scanner)' },
  { action: 'ssh_bad_protocol', classes: ['network_activity'], meaning: 'a connection that spoke something else than SSH' },
  { action: 'ssh_negotiation_failed', classes: ['network_activity'], meaning: 'key exchange failed (no common algorithm): scanners and old clients' },
  { action: 'ssh_other', classes: ['network_activity'], meaning: 'another sshd message about a connection, kept whole' },
  { action: 'ssh_server_listening', classes: ['system_activity'], meaning: 'sshd listening on an address and port' },
  { action: 'ssh_server_stopped', classes: ['system_activity'], meaning: 'sshd stopping' },
  { action: 'service_started', classes: ['system_activity'], meaning: 'systemd started a unit it names (`Started x.service - Description.`): target = the unit' },
  { action: 'telnet_login', classes: ['authentication'], meaning: 'a telnet login the server accepted (Cowrie honeypot telnet sessions): actor = account, src_ip/src_port = client, dst_ip/dst_port = the server' },
  { action: 'telnet_login_failed', classes: ['authentication'], meaning: 'a rejected telnet login (outcome failure)' },
  { action: 'telnet_connection', classes: ['network_activity'], meaning: 'a telnet connection opened (src = client, dst = server); the login outcome is another record' },
  { action: 'shell_command', classes: ['process_activity'], meaning: 'a command line typed in a login session (Cowrie honeypot: what the attacker ran in the emulated shell): command = the line, actor = the session\'s account, session = the login session; outcome failure when the shell did not know the command' },
  { action: 'file_download', classes: ['network_activity'], meaning: 'a file fetched into the host from a URL during a session (Cowrie: wget/curl/tftp the attacker ran): target = the URL, src_ip = the session\'s client (the URL\'s server is in target and attrs.url_host, not dst_ip: the host fetched it, not the client); outcome failure when the fetch failed; attrs.shasum, attrs.outfile' },
  { action: 'file_upload', classes: ['network_activity'], meaning: 'a file the client sent to the host (Cowrie: SFTP/SCP uploads): target = the file name, attrs.shasum, attrs.outfile' },
  { action: 'cowrie_<event>', pattern: /^cowrie_[a-z0-9_]+$/, classes: ['network_activity', 'authentication', 'process_activity', 'system_activity'], meaning: 'another Cowrie honeypot record (client version and key exchange, terminal size, port-forward requests, TTY logs, the text log\'s own lines) with its fields in attrs' },
  { action: 'ssh_subsystem', classes: ['process_activity'], meaning: 'an ssh subsystem (sftp) requested; target = subsystem' },
  // ---- console and PAM ---------------------------------------------------------------------------------
  { action: 'login', classes: ['authentication'], meaning: 'a console login accepted' },
  { action: 'login_failed', classes: ['authentication'], meaning: 'a console login rejected' },
  { action: 'auth_failure', classes: ['authentication'], meaning: 'PAM authentication failure of another service' },
  { action: 'auth_failures_more', classes: ['authentication'], meaning: 'PAM: more authentication failures than logged one by one' },
  { action: 'auth_max_retries', classes: ['authentication'], meaning: 'PAM: maximum retries exceeded' },
  { action: 'auth_user_unknown', classes: ['authentication'], meaning: 'PAM: login attempt for an unknown account' },
  { action: 'auth_requirement_not_met', classes: ['authentication'], meaning: 'PAM: an account requirement (e.g. group membership) not met' },
  { action: 'pam_other', classes: ['authentication'], meaning: 'another PAM message, kept whole' },
  { action: '<service>_session_<opened|closed>', pattern: /^[a-z0-9_-]+_session_(opened|closed)$|^session_(opened|closed)$/, classes: ['authentication'], meaning: 'a PAM session of a service opened or closed (ssh, sudo, su, cron, login, …): actor = who, target = as whom' },
  { action: 'logind_session_new', classes: ['authentication'], meaning: 'systemd-logind started a login session (session = logind:ID)' },
  { action: 'logind_session_removed', classes: ['authentication'], meaning: 'systemd-logind removed a login session' },
  // ---- privilege use -------------------------------------------------------------------------------------
  { action: 'sudo', classes: ['process_activity'], meaning: 'a command run through sudo: actor = who ran it, target = as whom, command = the command line' },
  { action: 'sudo_failed', classes: ['authentication'], meaning: 'sudo refused a command (wrong password, not allowed)' },
  { action: 'sudo_auth_failure', classes: ['authentication'], meaning: 'PAM authentication failure for sudo' },
  { action: 'su', classes: ['authentication'], meaning: 'su from actor to target (outcome success or failure)' },
  { action: 'su_auth_failure', classes: ['authentication'], meaning: 'PAM authentication failure for su' },
  // ---- accounts and scheduled jobs -------------------------------------------------------------------
  { action: 'user_created', classes: ['account_change'], meaning: 'a local account created (target = account)' },
  { action: 'user_deleted', classes: ['account_change'], meaning: 'a local account deleted' },
  { action: 'user_modified', classes: ['account_change'], meaning: 'a local account changed (attrs.change says what)' },
  { action: 'user_renamed', classes: ['account_change'], meaning: 'a local account renamed' },
  { action: 'user_locked', classes: ['account_change'], meaning: 'a local account locked' },
  { action: 'password_changed', classes: ['account_change'], meaning: 'a password changed (target = account)' },
  { action: 'password_change_failed', classes: ['account_change'], meaning: 'a password change refused' },
  { action: 'group_<verb>', pattern: /^group_(created|deleted|modified|member_added|member_removed|members_set)$/, classes: ['account_change'], meaning: 'a local group created, deleted or changed; member_added: target = account, attrs.group = group' },
  { action: 'account_other', classes: ['account_change'], meaning: 'another account-management message, kept whole' },
  { action: 'cron_command', classes: ['process_activity'], meaning: 'cron ran a job: actor = as whom, command = the job (the job file is not named)' },
  { action: 'crontab_<verb>', pattern: /^crontab_[a-z_]+$/, classes: ['account_change', 'process_activity'], meaning: 'crontab(1) used: replace, delete, begin/end edit, list; actor = who, target = crontab:USER whose table it was' },
  { action: 'last_message_repeated', classes: ['other'], meaning: 'syslog "last message repeated N times" (attrs.repeated)' },
  // ---- cloud ------------------------------------------------------------------------------------------
  { action: '<service>:<Operation>', pattern: /^[a-z0-9][a-z0-9.-]*:[A-Za-z][A-Za-z0-9]*$/, classes: ['api_activity', 'authentication', 'account_change'], meaning: 'a cloud API call (CloudTrail: eventSource:eventName): actor = principal (role session ARN for assumed roles, attrs.issuer_arn = its role), access_key = key used, src_ip = caller when it is an address, target = what was acted on; keys issued in attrs.issued_access_key / issued_to' },
  // ---- databases ------------------------------------------------------------------------------------
  { action: 'db_connection_received', classes: ['network_activity'], meaning: 'the database server accepted a TCP connection (src_ip/src_port = client, host = server)' },
  { action: 'db_connect', classes: ['authentication'], meaning: 'a database login accepted: actor = role, database, src_ip = client, attrs.application_name' },
  { action: 'db_authenticated', classes: ['authentication'], meaning: 'the server authenticated a client (method in attrs)' },
  { action: 'db_auth_failed', classes: ['authentication'], meaning: 'a database login rejected' },
  { action: 'db_connect_failed', classes: ['authentication'], meaning: 'a database connection failed before authentication' },
  { action: 'db_change_user', classes: ['authentication'], meaning: 'MySQL COM_CHANGE_USER within a session' },
  { action: 'db_disconnect', classes: ['authentication'], meaning: 'a database session ended' },
  { action: 'db_query', classes: ['datastore_activity'], meaning: 'a statement: command = SQL, attrs.sql = what it touched (tables_read/written, unfiltered_read, exports, catalog_recon, privilege_change, destructive), rows when logged' },
  { action: 'db_error', classes: ['datastore_activity'], meaning: 'the server reported an error (command = the statement when logged)' },
  { action: 'db_warning', classes: ['datastore_activity'], meaning: 'the server reported a warning' },
  { action: 'db_log', classes: ['datastore_activity', 'system_activity'], meaning: 'another server message, kept whole' },
  { action: 'db_duration', classes: ['datastore_activity'], meaning: 'a statement duration line' },
  { action: 'db_audit', classes: ['datastore_activity'], meaning: 'an audit-log record (pgaudit, MySQL/Percona/MariaDB audit)' },
  { action: 'db_<statement step>', pattern: /^db_(use|prepare|parse|bind|command|table_access|binlog_dump|temp_file)$/, classes: ['datastore_activity'], meaning: 'a protocol step of a statement (USE, prepare/parse/bind, COM_* commands, table access audit, binlog dump, temp file)' },
  { action: 'db_server_<event>', pattern: /^db_(server_[a-z_]+|incomplete_startup|config_changed)$/, classes: ['system_activity'], meaning: 'the database server starting, stopping, ready, reconfigured' },
  // ---- network ------------------------------------------------------------------------------------------
  { action: 'flow', classes: ['network_activity'], meaning: 'one connection or flow record: src = originator, bytes_out = sent by src, bytes_in = sent back, outcome failure when refused/unanswered, host = the sensor or interface that recorded it (VPC ENI id)' },
  { action: 'flow_log_nodata', classes: ['network_activity'], meaning: 'a flow-log window in which nothing was recorded (a gap, not silence)' },
  { action: 'flow_log_skipdata', classes: ['network_activity'], meaning: 'a flow-log window whose records were skipped (a gap)' },
  { action: 'ids_alert', classes: ['network_activity'], meaning: 'an IDS alert (Suricata alert, Zeek notice): attrs.alert.signature, category, severity (Suricata) or attrs.note, msg (Zeek)' },
  { action: 'dns_query', classes: ['network_activity'], meaning: 'a DNS question seen by a network sensor (Zeek dns.log): target = the name asked, outcome failure for NXDOMAIN/SERVFAIL/REFUSED, answers in attrs; host = the sensor' },
  { action: 'http_request', classes: ['network_activity'], meaning: 'an HTTP request seen by a network sensor (Zeek http.log): target = http://host[:port]/uri, user_agent, outcome from the status code; host = the sensor' },
  { action: 'zeek_<path>', pattern: /^zeek_[a-z0-9_]+$/, classes: ['network_activity', 'system_activity'], meaning: 'another Zeek log record (dns, http, ssl, notice, dhcp, known_hosts, …) with its fields in attrs' },
  { action: 'suricata_<event_type>', pattern: /^suricata_[a-z0-9_]+$/, classes: ['network_activity', 'system_activity'], meaning: 'another Suricata eve record (dns, http, tls, fileinfo, anomaly, stats, …) with its payload in attrs' },
  { action: 'other', classes: ['other', 'authentication', 'network_activity', 'system_activity'], meaning: 'a record kept whole (raw) that the parser does not interpret' },
];

const EXACT = new Map(ACTIONS.filter((a) => !a.pattern).map((a) => [a.action, a]));
const FAMILIES = ACTIONS.filter((a) => a.pattern);

/** The declaration of an action, or undefined when it is not in the vocabulary. */
export function actionSpec(action: string): ActionSpec | undefined {
  return EXACT.get(action) ?? FAMILIES.find((f) => f.pattern!.test(action));
}

const CLOUD_CALL = FAMILIES.find((f) => f.action === '<service>:<Operation>')!.pattern!;

/** A cloud API call (`service:Operation`, e.g. `s3.amazonaws.com:GetObject`). */
export function isCloudCall(action: string): boolean {
  return CLOUD_CALL.test(action);
}

/** The operation of a cloud API call (`GetObject` of `s3.amazonaws.com:GetObject`). */
export function cloudOperation(action: string): string {
  const i = action.lastIndexOf(':');
  return i >= 0 ? action.slice(i + 1) : action;
}

/**
 * Named sets of actions that mean the same thing to correlation, whatever wrote them. Rules use
 * them as `{{vocab.NAME}}` (an SQL list), code through `inGroup`.
 */
export const ACTION_GROUPS = {
  /** A remote interactive login a host accepted. */
  remote_login: ['ssh_login', 'telnet_login'],
  /** Logins that grant access (initial access candidates), besides cloud calls. */
  access_granted: ['ssh_login', 'telnet_login', 'login', 'db_connect', 'db_authenticated'],
  /** A wrong password or key for an existing account (brute force). */
  password_failure: ['ssh_login_failed', 'telnet_login_failed', 'ssh_max_auth_exceeded', 'ssh_too_many_auth_failures', 'auth_failures_more', 'ssh_auth_failure'],
  /** Guessing accounts that may not exist (enumeration). */
  account_guess: ['ssh_invalid_user', 'auth_user_unknown'],
  /** Connections that never tried to authenticate (banner grabs, scanners). */
  ssh_probe: ['ssh_no_identification', 'ssh_bad_protocol', 'ssh_negotiation_failed', 'ssh_break_in_attempt'],
  /** Commands and identity switches made with privileges on a host. */
  privilege_use: ['sudo', 'sudo_failed', 'su', 'sudo_session_opened', 'sudo_session_closed', 'su_session_opened', 'su_session_closed'],
  /** Host records that carry a command line (not SQL). */
  host_command: ['sudo', 'sudo_failed', 'cron_command', 'shell_command'],
  /** The end of a host login session. */
  session_end: ['ssh_session_closed', 'ssh_disconnected', 'ssh_disconnect_received', 'logind_session_removed'],
  /** A cron job run. */
  cron_run: ['cron_session_opened', 'cron_session_closed', 'cron_command'],
  /** crontab(1) writing a table. */
  crontab_write: ['crontab_replace', 'crontab_delete', 'crontab_end_edit'],
  /** One connection or flow record. */
  flow: ['flow'],
  /** Flow-log windows that recorded nothing. */
  flow_gap: ['flow_log_nodata', 'flow_log_skipdata'],
} as const satisfies Record<string, readonly string[]>;

export type ActionGroup = keyof typeof ACTION_GROUPS;

const GROUP_SETS = new Map(Object.entries(ACTION_GROUPS).map(([k, v]) => [k, new Set<string>(v)]));

export function inGroup(group: ActionGroup, action: string): boolean {
  return GROUP_SETS.get(group)!.has(action);
}

/** A database event (statements, logins, server messages): its action starts with `db_`. */
export function isDbAction(action: string): boolean {
  return action.startsWith('db_');
}

/**
 * Events of the host-log vocabulary (sshd, PAM, sudo, su, accounts, cron, logind): a record a
 * host wrote about itself, so its `host` is that host's own name.
 */
export function isHostLogEvent(e: { class: string; action: string }): boolean {
  if (isCloudCall(e.action) || isDbAction(e.action) || /^(zeek|suricata)_/.test(e.action) || /^(flow|ids_alert|dns_query|http_request|flow_log_nodata|flow_log_skipdata)$/.test(e.action)) return false;
  return e.class !== 'datastore_activity' && e.class !== 'api_activity';
}
