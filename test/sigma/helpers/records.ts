/**
 * Abstract test events (Sigma field → value, keywords) written as the log records each log source
 * is read from, so the conformance test goes through dwell's real parsers.
 */
import { ZEEK_ALIASES } from '../../../src/sigma/logsources.js';
import { PLAIN, type Abstract, type Shape } from './witness.js';

export interface Writer {
  /** The evidence file the records go to. */
  file: string;
  /** First line of that file, if it needs one. */
  header?: string;
  shape: Shape;
  /** The record's text (one line) for an abstract event; `n` makes each record unique. */
  line(ev: Abstract, n: number): string;
}

/** The writer for a log source target (src/sigma/logsources.ts keys). */
export function writerFor(key: string): Writer | null {
  const [group, service] = key.split('/') as [string, string];
  if (key === 'aws/cloudtrail') return { file: 'cloudtrail.jsonl', shape: CLOUDTRAIL_SHAPE, line: cloudtrailLine };
  if (group === 'zeek' || key === 'category/dns' || key === 'category/http') {
    const svc = group === 'zeek' ? service : key === 'category/dns' ? 'dns' : 'http';
    return { file: 'zeek.json', shape: zeekShape(svc), line: (e, n) => zeekLine(svc, e, n) };
  }
  if (key === 'network/flow') return { file: 'vpc-flow.log', header: VPC_HEADER, shape: VPC_SHAPE, line: vpcLine };
  if (group === 'linux') {
    const svc = service === '*' ? undefined : service;
    return { file: 'auth.log', shape: svc === 'sudo' ? { canon: (f) => f, defaults: { USER: 'root' } } : PLAIN, line: (e, n) => authLine(svc, e, n) };
  }
  if (key === 'category/database') return { file: 'postgresql.log', shape: PLAIN, line: postgresLine };
  return null;
}

const CLOUDTRAIL_DEFAULTS = {
  eventSource: 'dwelltest.amazonaws.com',
  eventName: 'DwellTestCall',
  'userIdentity.type': 'IAMUser',
  'userIdentity.arn': 'arn:aws:iam::111122223333:user/tester',
  userAgent: 'aws-cli/2.15.30',
  sourceIPAddress: '198.51.100.24',
  eventType: 'AwsApiCall',
  awsRegion: 'eu-west-1',
};
const CLOUDTRAIL_SHAPE: Shape = { canon: (f) => f, defaults: CLOUDTRAIL_DEFAULTS };

function zeekName(f: string): string {
  const alias = ZEEK_ALIASES[f];
  return Array.isArray(alias) ? alias[0]! : (alias ?? f);
}

function zeekDefaults(service: string): Record<string, string | number> {
  const d: Record<string, string | number> = { 'id.orig_h': '203.0.113.5', 'id.orig_p': 50000, 'id.resp_h': '198.51.100.9', 'id.resp_p': 80, proto: 'tcp' };
  if (service === 'dns') Object.assign(d, { query: 'dwell.example.org', qtype_name: 'A', rcode_name: 'NOERROR', 'id.resp_p': 53, proto: 'udp' });
  if (service === 'http') Object.assign(d, { method: 'GET', host: 'www.example.org', uri: '/dwell', status_code: 200 });
  return d;
}

function zeekShape(service: string): Shape {
  return { canon: zeekName, defaults: zeekDefaults(service) };
}

const VPC_NAMES: Record<string, string> = { 'destination.port': 'dst_port', 'source.port': 'src_port', 'destination.ip': 'dst_ip', 'source.ip': 'src_ip', DestinationIp: 'dst_ip', SourceIp: 'src_ip', DestinationPort: 'dst_port', SourcePort: 'src_port' };
const VPC_SHAPE: Shape = { canon: (f) => VPC_NAMES[f] ?? f, defaults: { src_ip: '10.1.2.3', dst_ip: '10.9.8.7', src_port: 50000, dst_port: 443, action: 'accept', blocked: 'false' } };

function withDefaults(ev: Abstract, shape: Shape): Record<string, string | number | boolean | undefined> {
  return { ...shape.defaults, ...ev.fields };
}

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function setPath(o: Record<string, unknown>, path: string[], v: unknown): void {
  let cur = o;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (v === undefined) delete cur[last];
  else cur[last] = v;
}

/** CloudTrail: the Sigma fields are the record's dotted paths. */
export function cloudtrailLine(ev: Abstract, n: number): string {
  const rec: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/tester', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLEEXAMPLE00', userName: 'tester' },
    eventTime: new Date(T0 + n * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: 'dwelltest.amazonaws.com',
    eventName: 'DwellTestCall',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.24',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { dwellCase: n },
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
  };
  for (const [f, v] of Object.entries(withDefaults(ev, CLOUDTRAIL_SHAPE))) {
    const path = f.split('.');
    // A whole section compared as text (requestParameters|contains: …): a value inside it.
    if (path.length === 1 && ['requestParameters', 'responseElements', 'additionalEventData'].includes(f) && typeof v === 'string') setPath(rec, [f], { dwell: v });
    else setPath(rec, path, v);
  }
  if (ev.keywords.length > 0) rec.dwellNote = ev.keywords.join(' ');
  return JSON.stringify(rec);
}

/** Zeek JSON (one object per line, `_path` names the log). */
export function zeekLine(service: string, ev: Abstract, n: number): string {
  const rec: Record<string, unknown> = { _path: service, ts: (T0 + n * 1000) / 1000, uid: `Cdwell${n}` };
  for (const [f, v] of Object.entries({ ...zeekDefaults(service), ...ev.fields })) {
    const name = zeekName(f);
    if (v === undefined) delete rec[name];
    // Zeek writes sets and vectors as arrays: answers, resp_mime_types…
    else if (['answers', 'resp_mime_types', 'orig_mime_types', 'TTLs', 'tunnel_parents'].includes(name)) rec[name] = [v];
    else if (/\.(orig|resp)_p$/.test(name) && /^\d+$/.test(String(v))) rec[name] = Number(v);
    else rec[name] = v;
  }
  if (ev.keywords.length > 0) rec.dwell_note = ev.keywords.join(' ');
  return JSON.stringify(rec);
}

/** Programs a syslog line is written as, per Linux service. */
const PROGRAM: Record<string, string> = { sshd: 'sshd', sudo: 'sudo', cron: 'CRON', clamav: 'clamd', vsftpd: 'vsftpd', guacamole: 'guacd', syslog: 'named', auth: 'sshd' };

/** A syslog line (auth.log): keywords in the message; sudo's USER in a sudo line. */
export function authLine(service: string | undefined, ev: Abstract, n: number): string {
  const d = new Date(T0 + n * 1000);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const time = `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
  const words = ev.keywords.join(' ');
  if (ev.fields.USER !== undefined || service === 'sudo') {
    const user = ev.fields.USER ?? 'root';
    return `${time} web-01 sudo[${1000 + n}]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=${user} ; COMMAND=/usr/bin/id ${words}`.trimEnd();
  }
  const prog = service ? (PROGRAM[service] ?? service) : 'bash';
  return `${time} web-01 ${prog}[${1000 + n}]: ${words || `dwell test message ${n}`}`;
}

/** A VPC flow log line (default format v2); firewall/netflow fields. */
export function vpcLine(ev: Abstract, n: number): string {
  const f = withDefaults(ev, VPC_SHAPE);
  const start = Math.floor(T0 / 1000) + n;
  const verdict = f.action === 'reject' || f.blocked === 'true' ? 'REJECT' : 'ACCEPT';
  return ['2', '111122223333', 'eni-0dwell', f.src_ip ?? '-', f.dst_ip ?? '-', f.src_port ?? '-', f.dst_port ?? '-', '6', '10', '840', start, start + 60, verdict, 'OK'].join(' ');
}

export const VPC_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** A PostgreSQL stderr log line (default prefix); keywords in the statement. */
export function postgresLine(ev: Abstract, n: number): string {
  const d = new Date(T0 + n * 1000).toISOString().replace('T', ' ').replace('Z', '');
  return `${d} UTC [${2000 + n}] LOG:  statement: ${ev.keywords.join(' ') || `SELECT ${n}`}`;
}
