/**
 * Sigma log sources onto dwell's events: which events a rule looks at, and where each of its
 * field names is in them (docs/sigma.md has the table).
 *
 * - `product: aws, service: cloudtrail` → CloudTrail events; fields are the record's own dotted
 *   paths (`eventName`, `userIdentity.arn`, `requestParameters.*`), read from the columns and
 *   attrs the parser filled (the same for every CloudTrail variant dwell reads), `raw` last.
 * - `product: zeek, service: X` → that Zeek log; Zeek's field names (`id.orig_h`, `query`…), and
 *   the generic names SigmaHQ's Zeek pipeline maps (`dst_ip`, `c-uri`, `answer`…).
 * - `category: dns` → DNS queries (dns_query events); `category: firewall`, `service: netflow` →
 *   flow records; `category: proxy|webserver` → HTTP requests (Zeek http.log).
 * - `product: linux` (any or no service) → auth/syslog lines (narrowed by program for sshd, sudo,
 *   cron…); keywords search the raw line; sudo's USER, COMMAND, TTY, PWD are fields.
 * - `category: database`, `product: sql` → database query logs; keywords search the raw record.
 *
 * Every target also accepts `dwell.<column>` and `dwell.attrs.<path>`: dwell's own fields.
 */
import { ATTR_NAMES } from '../parsers/cloudtrail/record.js';
import { column, expr, json, jsonPath, type FieldRef } from './fields.js';
import { FIELD_NAME, type Params } from './sql.js';
import type { Logsource } from './types.js';

export interface Target {
  /** Stable key (rules with the same key share a predicate). */
  key: string;
  /** For messages: "AWS CloudTrail", "Zeek dns.log". */
  label: string;
  /** events.source values this target reads (rules are run one pass per source group). */
  sources: readonly string[];
  /** SQL narrowing the events (dictionary columns only, so it is evaluated on distinct values). */
  where: string;
  /** A further SQL condition on each event (not on dictionary columns), or null. */
  rowWhere: string | null;
  /** Where a field is; null when this log source has no such field. */
  field(name: string, p: Params): FieldRef | null;
  /** What keyword searches (field-less values) look in. */
  keywords: FieldRef;
}

export type Resolution = { target: Target } | { notHeld: string } | { unsupported: string };

const RAW: FieldRef = { text: 'raw', list: false, exists: 'true' };

/**
 * Keywords over records kept as JSON text (CloudTrail, Zeek JSON): the raw record and every value
 * the parser kept, unescaped — in the JSON text `\\share\IPC$` is written `\\\\share\\IPC$`.
 */
const RAW_AND_VALUES: FieldRef = { text: `list_concat([raw], json_extract_string(attrs, '$..*'))`, list: true, exists: 'true' };

// ---- dwell's own fields --------------------------------------------------------------------------

const COLUMNS: Record<string, { numeric?: boolean; time?: boolean; dict?: boolean }> = {
  ts: { time: true }, ts_end: { time: true }, time_quality: {}, source: { dict: true }, class: { dict: true }, action: { dict: true },
  outcome: {}, host: {}, actor: {}, src_ip: {}, src_port: { numeric: true }, dst_ip: {}, dst_port: { numeric: true, dict: true },
  protocol: {}, session: {}, access_key: {}, target: {}, database: {}, bytes_in: { numeric: true }, bytes_out: { numeric: true },
  packets_in: { numeric: true }, packets_out: { numeric: true }, rows: { numeric: true }, command: {}, community_id: {},
  user_agent: {}, summary: {}, raw: {}, line: { numeric: true }, event_id: { numeric: true },
};

function dwellField(name: string, p: Params): FieldRef | null {
  if (!name.startsWith('dwell.')) return null;
  const rest = name.slice(6);
  if (rest.startsWith('attrs.')) return json('attrs', rest.slice(6).split('.'), p, true);
  const c = COLUMNS[rest];
  return c ? column(rest, c) : null;
}

function segments(name: string): string[] | null {
  if (!FIELD_NAME.test(name)) return null;
  const s = name.split('.');
  return s.some((x) => x === '') ? null : s;
}

// ---- CloudTrail --------------------------------------------------------------------------------

const OPERATION = `CASE WHEN strpos(action, ':') > 0 THEN nullif(split_part(action, ':', 2), 'unknown') END`;
const SERVICE = `CASE WHEN strpos(action, ':') > 0 THEN nullif(split_part(action, ':', 1), 'unknown') END`;

/** userIdentity fields the parser keeps in attrs (cloudtrail/identity.ts). */
const IDENTITY: Record<string, string> = {
  type: 'identity_type', principalId: 'principal_id', accountId: 'account', userName: 'user_name', invokedBy: 'invoked_by',
  identityProvider: 'identity_provider', credentialId: 'credential_id', identityStoreArn: 'identity_store_arn',
};
/** Top-level record fields that are never objects or arrays (the others are searched inside, element by element). */
const CT_SCALARS = new Set(['eventVersion', 'awsRegion', 'errorCode', 'errorMessage', 'requestID', 'eventID', 'readOnly', 'eventType', 'apiVersion', 'managementEvent', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'sessionCredentialFromConsole']);
const ISSUER: Record<string, string> = { arn: 'issuer_arn', type: 'issuer_type', userName: 'issuer_name', accountId: 'issuer_account', principalId: 'issuer_principal_id' };

function cloudtrailField(name: string, p: Params): FieldRef | null {
  const own = dwellField(name, p);
  if (own) return own;
  const seg = segments(name);
  if (!seg) return null;
  const [top, ...rest] = seg;
  const attr = (path: string[], arrays = rest.length > 0) => json('attrs', path, p, arrays);
  if (rest.length === 0) {
    switch (top) {
      case 'eventName':
        return expr(OPERATION, `(${OPERATION} IS NOT NULL)`, ['action']);
      case 'eventSource':
        return expr(SERVICE, `(${SERVICE} IS NOT NULL)`, ['action']);
      case 'userAgent':
        return column('user_agent');
      case 'eventTime':
        return { text: `strftime(ts, '%Y-%m-%dT%H:%M:%SZ')`, list: false, exists: '(ts IS NOT NULL)', time: 'ts' };
      case 'sourceIPAddress': {
        const ip = `coalesce(json_extract_string(attrs, ${p.add('$.source')}), src_ip)`;
        return expr(ip, `(${ip} IS NOT NULL)`);
      }
    }
  }
  if (top === 'userIdentity') {
    if (rest.length === 1 && rest[0] === 'accessKeyId') return column('access_key');
    if (rest.length === 1 && rest[0] === 'arn') {
      // The parser's actor is the ARN whenever the record has one (for the identity types that
      // carry it); otherwise the record itself.
      const arn = `coalesce(CASE WHEN starts_with(actor, 'arn:') THEN actor END, json_extract_string(raw, ${p.add('$.userIdentity.arn')}))`;
      return expr(arn, `(${arn} IS NOT NULL)`);
    }
    // What the parser keeps in attrs (the same for every variant), else the record as read.
    const kept = (key: string) => {
      const v = `coalesce(json_extract_string(attrs, ${p.add(jsonPath([key]))}), json_extract_string(raw, ${p.add(jsonPath(seg))}))`;
      return expr(v, `(${v} IS NOT NULL)`);
    };
    if (rest.length === 1 && IDENTITY[rest[0]!]) return kept(IDENTITY[rest[0]!]!);
    if (rest[0] === 'sessionContext' && rest[1] === 'sessionIssuer' && rest.length === 3 && ISSUER[rest[2]!]) return kept(ISSUER[rest[2]!]!);
    if (rest[0] === 'sessionContext' && rest[1] === 'attributes' && rest[2] === 'mfaAuthenticated' && rest.length === 3) return kept('mfa');
    if (rest[0] === 'sessionContext' && rest[1] === 'sourceIdentity' && rest.length === 2) return kept('source_identity');
    if (rest[0] === 'sessionContext' && rest[1] === 'webIdFederationData') return attr(['web_id_federation', ...rest.slice(2)], true);
    if (rest[0] === 'onBehalfOf') return attr(['on_behalf_of', ...rest.slice(1)], true);
    // Anything else of userIdentity: the record as read.
    return json('raw', seg, p, true);
  }
  const mapped = ATTR_NAMES[top!];
  if (mapped) return attr([mapped, ...rest], rest.length > 0 || !CT_SCALARS.has(top!));
  // Fields the parser does not know are kept in attrs.unmapped.
  return attr(['unmapped', ...seg], true);
}

const CLOUDTRAIL: Target = {
  key: 'aws/cloudtrail',
  label: 'AWS CloudTrail',
  sources: ['cloudtrail'],
  where: `source = 'cloudtrail'`,
  rowWhere: null,
  field: cloudtrailField,
  keywords: RAW_AND_VALUES,
};

// ---- Zeek ----------------------------------------------------------------------------------------

/**
 * Generic and other products' names → Zeek's (the mapping of SigmaHQ's Zeek pipelines:
 * legacy-sigmatools logstash-zeek-default-json, pySigma-backend-elasticsearch zeek_raw). A list
 * means any of those Zeek fields.
 */
export const ZEEK_ALIASES: Record<string, string | string[]> = {
  src_ip: 'id.orig_h', src_port: 'id.orig_p', dst_ip: 'id.resp_h', dst_port: 'id.resp_p', network_protocol: 'proto',
  answer: 'answers', record_type: 'qtype_name',
  'c-uri': 'uri', 'c-uri-extension': 'uri', 'c-uri-query': 'uri', 'c-uri-stem': 'uri', 'cs-uri': 'uri', 'c-useragent': 'user_agent',
  'cs-host': 'host', 'cs-method': 'method', 'cs-referer': 'referrer', 'cs-version': 'version', 'cs-bytes': 'request_body_len',
  'sc-bytes': 'response_body_len', 'sc-status': 'status_code', 'cs-cookie': 'cookie', 'c-cookie': 'cookie', 'r-dns': 'host', 'c-ip': 'id.orig_h',
  id_orig_h: 'id.orig_h', id_orig_p: 'id.orig_p', id_resp_h: 'id.resp_h', id_resp_p: 'id.resp_p',
  'source.ip': 'id.orig_h', 'source.port': 'id.orig_p', 'destination.ip': 'id.resp_h', 'destination.port': 'id.resp_p',
  clientip: 'id.orig_h', clientIP: 'id.orig_h', dest_ip: 'id.resp_h', dest_port: 'id.resp_p', DestinationAddress: 'id.resp_h',
  DestinationIp: 'id.resp_h', DestinationIP: 'id.resp_h', DestinationPort: 'id.resp_p', 'dst-ip': 'id.resp_h', dstip: 'id.resp_h', dstport: 'id.resp_p',
  SourceAddr: 'id.orig_h', SourceAddress: 'id.orig_h', SourceIP: 'id.orig_h', SourceIp: 'id.orig_h', SourceNetworkAddress: 'id.orig_h', SourcePort: 'id.orig_p', srcip: 'id.orig_h',
  dest_domain: ['query', 'host', 'server_name'], 'destination.hostname': ['query', 'host', 'server_name'], DestinationHostname: ['host', 'query', 'server_name'],
  Host: ['host', 'query', 'server_name'], http_host: ['host', 'query', 'server_name'], web_dest: ['host', 'query', 'server_name'], 'web.dest': ['host', 'query', 'server_name'],
  sender_domain: ['query', 'server_name'],
  http_uri: 'uri', http_url: 'uri', url: 'uri', URL: 'uri', url_query: 'uri', 'url.query': 'uri', uri_path: 'uri', request_url: 'uri', RequestUrl: 'uri', 'resource.url': 'uri', web_uri: 'uri', web_url: 'uri',
  http_user_agent: 'user_agent', 'user_agent.name': 'user_agent', 'user-agent': 'user_agent', 'User-Agent': 'user_agent', useragent: 'user_agent', UserAgent: 'user_agent', User_Agent: 'user_agent',
  HttpMethod: 'method', web_method: 'method', 'web.method': 'method', sc_status: 'status_code', Status: 'status_code', status: 'status_code', web_status: 'status_code', 'web.status': 'status_code',
  'http.request.body.content': 'post_body',
};

/** Zeek's names that the parsers put in columns (src/parsers/netflow/zeek-common.ts). */
function zeekColumn(name: string, p: Params): FieldRef | null {
  switch (name) {
    case 'ts':
      return column('ts', { time: true });
    case 'id.orig_h':
      return column('src_ip');
    case 'id.orig_p':
      return column('src_port', { numeric: true });
    case 'id.resp_h':
      return column('dst_ip');
    case 'id.resp_p':
      return column('dst_port', { numeric: true, dict: true });
    case 'orig_bytes':
      return column('bytes_out', { numeric: true });
    case 'resp_bytes':
      return column('bytes_in', { numeric: true });
    case 'orig_pkts':
      return column('packets_out', { numeric: true });
    case 'resp_pkts':
      return column('packets_in', { numeric: true });
    case 'proto': {
      // http/dns/ssh records carry the application protocol in the column and Zeek's proto in attrs.transport.
      const t = `coalesce(json_extract_string(attrs, ${p.add('$.transport')}), protocol)`;
      return expr(t, `(${t} IS NOT NULL)`);
    }
    case 'duration': {
      const d = `(epoch_us(ts_end) - epoch_us(ts)) / 1e6`;
      return { text: `CAST(${d} AS VARCHAR)`, list: false, exists: '(ts_end IS NOT NULL)', num: d };
    }
    case 'community_id': {
      const c = `coalesce(json_extract_string(attrs, ${p.add('$.source_community_id')}), community_id)`;
      return expr(c, `(${c} IS NOT NULL)`);
    }
    case '_system_name':
    case '_node_name':
      return column('host');
  }
  return null;
}

function zeekField(name: string, p: Params): FieldRef | null {
  const own = dwellField(name, p);
  if (own) return own;
  const alias = ZEEK_ALIASES[name];
  if (Array.isArray(alias)) {
    const refs = alias.map((a) => zeekOne(a, p)).filter((r): r is FieldRef => r !== null);
    if (refs.length === 0) return null;
    // Any of them: a list of the values.
    const text = `list_concat(${refs.map((r) => (r.list ? r.text : `[${r.text}]`)).join(', ')})`;
    return { text: refs.length === 1 ? refs[0]!.text : text, list: refs.length === 1 ? refs[0]!.list : true, exists: `(${refs.map((r) => r.exists).join(' OR ')})` };
  }
  return zeekOne(alias ?? name, p);
}

function zeekOne(name: string, p: Params): FieldRef | null {
  if (!FIELD_NAME.test(name)) return null;
  const col = zeekColumn(name, p);
  if (col) return col;
  // Every other field is kept in attrs under its name with dots as underscores (attrKey); sets and vectors are arrays.
  return json('attrs', [name.replace(/\./g, '_')], p, true);
}

/** Zeek logs dwell puts in its vocabulary (netflow/zeek-logs.ts), and conn.log's flows. */
const ZEEK_ACTIONS: Record<string, string[]> = {
  conn: ['flow'],
  dns: ['dns_query'],
  http: ['http_request'],
  ssh: ['ssh_login', 'ssh_login_failed', 'ssh_connection'],
  notice: ['ids_alert'],
};

function zeekTarget(service: string | undefined): Target {
  const actions = service ? (ZEEK_ACTIONS[service] ?? [`zeek_${service.replace(/[^a-z0-9_]+/g, '_')}`]) : null;
  return {
    key: `zeek/${service ?? '*'}`,
    label: service ? `Zeek ${service}.log` : 'Zeek logs',
    sources: ['zeek'],
    where: `source = 'zeek'${actions ? ` AND action IN (${actions.map((a) => `'${a}'`).join(', ')})` : ''}`,
    rowWhere: null,
    field: zeekField,
    keywords: RAW_AND_VALUES,
  };
}

// ---- generic network categories ------------------------------------------------------------------

const FLOW_SOURCES = ['vpc_flow', 'zeek', 'suricata', 'nfdump', 'argus'];

/** Firewall taxonomy (src_ip, dst_ip, src_port, dst_port, action, blocked) and ECS names on flow records. */
function flowField(name: string, p: Params): FieldRef | null {
  const own = dwellField(name, p);
  if (own) return own;
  switch (name) {
    case 'src_ip':
    case 'source.ip':
    case 'SourceIp':
      return column('src_ip');
    case 'dst_ip':
    case 'destination.ip':
    case 'DestinationIp':
      return column('dst_ip');
    case 'src_port':
    case 'source.port':
    case 'SourcePort':
      return column('src_port', { numeric: true });
    case 'dst_port':
    case 'destination.port':
    case 'DestinationPort':
      return column('dst_port', { numeric: true, dict: true });
    case 'network.transport':
    case 'protocol':
      return column('protocol');
    case 'source.bytes':
      return column('bytes_out', { numeric: true });
    case 'destination.bytes':
      return column('bytes_in', { numeric: true });
    case 'action': {
      // A firewall's verdict: only VPC flow logs record one (the security group / network ACL said ACCEPT or REJECT).
      const v = `CASE WHEN source = 'vpc_flow' THEN CASE outcome WHEN 'success' THEN 'accept' WHEN 'failure' THEN 'reject' END END`;
      return expr(v, `(${v} IS NOT NULL)`);
    }
    case 'blocked': {
      const v = `CASE WHEN source = 'vpc_flow' THEN CASE outcome WHEN 'success' THEN 'false' WHEN 'failure' THEN 'true' END END`;
      return expr(v, `(${v} IS NOT NULL)`);
    }
  }
  return null;
}

const FLOWS: Target = {
  key: 'network/flow',
  label: 'network flows (VPC flow logs, Zeek conn.log, Suricata, nfdump, Argus)',
  sources: FLOW_SOURCES,
  where: `action = 'flow'`,
  rowWhere: null,
  field: flowField,
  keywords: RAW,
};

function dnsField(name: string, p: Params): FieldRef | null {
  // The queried name is the event's target in the vocabulary, whichever sensor logged it.
  if (name === 'query' || name === 'dns.question.name' || name === 'QueryName') return column('target');
  return zeekField(name, p);
}

const DNS: Target = {
  key: 'category/dns',
  label: 'DNS queries (Zeek dns.log)',
  sources: ['zeek'],
  where: `action = 'dns_query'`,
  rowWhere: null,
  field: dnsField,
  keywords: RAW_AND_VALUES,
};

const HTTP: Target = {
  key: 'category/http',
  label: 'HTTP requests (Zeek http.log)',
  sources: ['zeek'],
  where: `action = 'http_request'`,
  rowWhere: null,
  field: zeekField,
  keywords: RAW_AND_VALUES,
};

// ---- Linux ---------------------------------------------------------------------------------------

/** Programs each Linux service writes as (syslog tag / journal SYSLOG_IDENTIFIER). */
const LINUX_PROGRAMS: Record<string, string[]> = {
  sshd: ['sshd', 'sshd-session'],
  sudo: ['sudo'],
  su: ['su'],
  cron: ['cron', 'crond', 'crontab', 'anacron'],
  clamav: ['clamd', 'freshclam', 'clamav-milter', 'clamscan'],
  vsftpd: ['vsftpd'],
  guacamole: ['guacd', 'guacamole', 'tomcat', 'tomcat9'],
  login: ['login'],
  useradd: ['useradd'],
  named: ['named'],
};

function linuxField(name: string, p: Params): FieldRef | null {
  const own = dwellField(name, p);
  if (own) return own;
  switch (name) {
    // sudo's KEY=value pairs (sudo / sudo_failed events).
    case 'USER':
      return expr(`CASE WHEN action IN ('sudo', 'sudo_failed') THEN target END`, `(action IN ('sudo', 'sudo_failed') AND target IS NOT NULL)`);
    case 'COMMAND':
      return column('command');
    case 'TTY':
      return json('attrs', ['tty'], p, false);
    case 'PWD':
      return json('attrs', ['pwd'], p, false);
    case 'GROUP':
      return json('attrs', ['runas_group'], p, false);
    // PAM's fields as the (legacy) Linux auth rules name them, and the generic names correlation
    // rules group by (the specification's examples: ComputerName, User, WorkstationName).
    case 'pam_user':
    case 'User':
    case 'user':
    case 'TargetUserName':
      return column('actor');
    case 'pam_rhost':
    case 'SourceIP':
    case 'IpAddress':
    case 'src_ip':
    case 'WorkstationName':
      return column('src_ip');
    case 'host':
    case 'hostname':
    case 'ComputerName':
    case 'Computer':
      return column('host');
    case 'program':
    case 'process.name':
      return json('attrs', ['program'], p, false);
  }
  return null;
}

function linuxTarget(service: string | undefined): Target | null {
  const programs = service && !['auth', 'syslog'].includes(service) ? LINUX_PROGRAMS[service] : undefined;
  if (service && !['auth', 'syslog'].includes(service) && !programs) return null;
  return {
    key: `linux/${service ?? '*'}`,
    label: service ? `Linux ${service} (auth/syslog lines)` : 'Linux auth/syslog lines',
    sources: ['auth_log'],
    where: `source = 'auth_log'`,
    rowWhere: programs ? `lower(json_extract_string(attrs, '$.program')) IN (${programs.map((x) => `'${x}'`).join(', ')})` : null,
    field: linuxField,
    keywords: RAW,
  };
}

// ---- databases -----------------------------------------------------------------------------------

const DB_SOURCES = ['postgres_log', 'postgres_csvlog', 'postgres_jsonlog', 'mysql_general_log', 'mysql_slow_log', 'mysql_audit_log'];

function dbField(name: string, p: Params): FieldRef | null {
  const own = dwellField(name, p);
  if (own) return own;
  switch (name) {
    case 'query':
    case 'statement':
      return column('command');
    case 'user':
    case 'username':
      return column('actor');
    case 'database':
      return column('database');
  }
  return null;
}

const DATABASE: Target = {
  key: 'category/database',
  label: 'database query logs (PostgreSQL, MySQL)',
  sources: DB_SOURCES,
  where: `source IN (${DB_SOURCES.map((s) => `'${s}'`).join(', ')})`,
  rowWhere: null,
  field: dbField,
  keywords: RAW,
};

// ---- resolution ----------------------------------------------------------------------------------

/** The events a rule's logsource names, or why dwell holds none. */
export function resolveLogsource(ls: Logsource): Resolution {
  const { product, service, category } = ls;
  const what = [product && `product: ${product}`, service && `service: ${service}`, category && `category: ${category}`].filter(Boolean).join(', ') || 'no product, service or category';
  if (product === 'aws') {
    if (service === 'cloudtrail' && !category) return { target: CLOUDTRAIL };
    return { notHeld: `log source ${what}: dwell reads AWS CloudTrail only (service: cloudtrail)` };
  }
  if (product === 'zeek') {
    if (category === 'dns' || (!category && service === 'dns')) return { target: category ? DNS : zeekTarget('dns') };
    if (category) return { notHeld: `log source ${what}: Zeek rules name a service (the log), not a category` };
    return { target: zeekTarget(service) };
  }
  if (product === 'linux') {
    if (category) return { notHeld: `log source ${what}: dwell reads Linux auth/syslog lines, not auditd or EDR telemetry (${category})` };
    const t = linuxTarget(service);
    return t ? { target: t } : { notHeld: `log source ${what}: dwell reads Linux auth/syslog lines; no program is known for service ${service}` };
  }
  if (!product || product === 'dns' || product === 'sql') {
    if (category === 'dns' || product === 'dns') return { target: DNS };
    if (category === 'firewall' || service === 'netflow') return { target: FLOWS };
    if (category === 'proxy' || category === 'webserver') return { target: HTTP };
    if (category === 'database' || product === 'sql') return { target: DATABASE };
  }
  return { notHeld: `log source ${what}: not one dwell reads (CloudTrail, Zeek, DNS, firewall/netflow, proxy, Linux auth/syslog, databases)` };
}
