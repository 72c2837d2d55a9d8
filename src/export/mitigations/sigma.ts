/**
 * Sigma rules (SigmaHQ format, specification v2.1) for the log sources the case holds: one rule per
 * source kind matching the attacker's indicators (addresses, access keys, users it created), and
 * one per ATT&CK technique the attacker's CloudTrail calls showed (event source and name, from the
 * case). Field names are those of the SigmaHQ rules for each log source. Each rule's id is derived
 * from its content, so the same findings give the same ids. Validated against the Sigma JSON
 * schema by test/export/mitigations.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Findings } from '../../correlate/findings-types.js';
import { comment } from './text.js';
import type { MitigationPlan } from './plan.js';
import { toYaml, type YamlValue } from './yaml.js';

export interface CloudCall {
  /** e.g. iam.amazonaws.com */
  service: string;
  /** e.g. CreateUser */
  name: string;
  technique: string;
}

export type SigmaRule = { [k: string]: YamlValue };

const NETWORK = new Set(['vpc_flow', 'zeek', 'argus', 'nfdump', 'suricata', 'netflow']);
const LINUX_AUTH = new Set(['auth_log', 'journald']);

function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // RFC 4122 layout, version 5 style (name-based), variant 10xx.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function tagOf(technique: string): string {
  return `attack.${technique.toLowerCase()}`;
}

function rule(r: Omit<SigmaRule, 'id'> & { title: string }, date: string): SigmaRule {
  const { title, ...rest } = r;
  const body: SigmaRule = { title, id: '', status: 'experimental', description: r.description ?? title, author: 'dwell', date, ...rest };
  body.id = uuidOf(JSON.stringify({ ...body, id: '', date: '' }));
  return body;
}

export function buildSigma(p: MitigationPlan, f: Findings, calls: CloudCall[]): SigmaRule[] {
  const date = (f.generated_at ?? new Date().toISOString()).slice(0, 10);
  const sources = new Set(f.case?.sources ?? []);
  const ips = p.addresses.map((a) => a.ip);
  const out: SigmaRule[] = [];
  const fp = ['Legitimate use of the same address or account before or after the incident'];
  if (sources.has('cloudtrail')) {
    const detection: { [k: string]: YamlValue } = {};
    if (ips.length) detection.selection_ip = { sourceIPAddress: ips };
    const keys = [...p.keysUsed, ...p.keysCreated];
    if (keys.length) detection.selection_key = { 'userIdentity.accessKeyId': keys };
    if (p.iamUsersCreated.length) detection.selection_user = { 'userIdentity.userName': p.iamUsersCreated };
    if (Object.keys(detection).length) {
      detection.condition = '1 of selection_*';
      out.push(rule({ title: 'AWS activity from the incident attacker addresses, keys or users', description: 'CloudTrail events from an address, access key or IAM user dwell found in the attack.', logsource: { product: 'aws', service: 'cloudtrail' }, detection, falsepositives: fp, level: 'high', tags: ['attack.initial-access', 'attack.t1078.004'] }, date));
    }
    const byTech = new Map<string, CloudCall[]>();
    for (const c of calls) byTech.set(c.technique, [...(byTech.get(c.technique) ?? []), c]);
    for (const [tech, cs] of [...byTech.entries()].sort()) {
      const det: { [k: string]: YamlValue } = {};
      const bySvc = new Map<string, Set<string>>();
      for (const c of cs) bySvc.set(c.service, (bySvc.get(c.service) ?? new Set()).add(c.name));
      for (const [svc, names] of [...bySvc.entries()].sort()) det[`selection_${svc.split('.')[0]!.replace(/[^a-z0-9_]/gi, '_')}`] = { eventSource: svc, eventName: [...names].sort() };
      det.condition = '1 of selection_*';
      out.push(rule({ title: `AWS calls the incident attacker used for ${tech}`, description: `CloudTrail calls that served technique ${tech} in the attack dwell reconstructed.`, logsource: { product: 'aws', service: 'cloudtrail' }, detection: det, falsepositives: ['Administrators and automation making the same calls'], level: 'medium', tags: [tagOf(tech)] }, date));
    }
  }
  if ([...sources].some((s) => LINUX_AUTH.has(s))) {
    if (ips.length) out.push(rule({ title: 'SSH activity from the incident attacker addresses', description: 'sshd log lines that name an address dwell found in the attack.', logsource: { product: 'linux', service: 'sshd' }, detection: { keywords: ips, condition: 'keywords' }, falsepositives: fp, level: 'high', tags: ['attack.initial-access', 'attack.t1133'] }, date));
    const users = [...new Set(p.localUsersCreated.map((u) => u.value))];
    if (users.length) {
      out.push(rule({ title: 'Login as a local account the incident attacker created', description: 'sshd accepting a login for an account dwell found created by the attacker.', logsource: { product: 'linux', service: 'sshd' }, detection: { keywords: users.flatMap((u) => [`Accepted password for ${u} `, `Accepted publickey for ${u} `]), condition: 'keywords' }, falsepositives: ['An administrator re-creating an account with the same name'], level: 'high', tags: ['attack.persistence', 'attack.t1136.001'] }, date));
    }
  }
  if ([...sources].some((s) => NETWORK.has(s)) && ips.length) {
    out.push(rule({ title: 'Network traffic to or from the incident attacker addresses', description: 'Firewall or flow records with an address dwell found in the attack (attacker source or exfiltration destination).', logsource: { category: 'firewall' }, detection: { selection_src: { src_ip: ips }, selection_dst: { dst_ip: ips }, condition: '1 of selection_*' }, falsepositives: fp, level: 'high', tags: ['attack.command-and-control', 'attack.exfiltration', 'attack.t1048'] }, date));
  }
  return out;
}

export function renderSigma(rules: SigmaRule[], generatedAt: string): string {
  const head = [comment(`dwell mitigations: Sigma rules (specification v2.1), generated ${generatedAt} from the case's newest findings. Review before deploying.`)];
  if (rules.length === 0) return [...head, comment('No rule: the findings hold no indicator for a log source of this case.'), ''].join('\n');
  return head.join('\n') + '\n' + rules.map((r) => `---\n${toYaml(r)}`).join('');
}
