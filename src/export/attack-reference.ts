/**
 * ATT&CK Enterprise v18.1 reference for the techniques dwell's correlation emits (src/correlate:
 * rules, classify, expand) and their parents: names and tactics, and the 14 tactics in matrix
 * order. test/export/attack-reference.test.ts checks every entry against the full v18.1 list.
 *
 * From MITRE ATT&CK®, © 2025 The MITRE Corporation. This work is reproduced and distributed with
 * the permission of The MITRE Corporation (ATT&CK Terms of Use: https://attack.mitre.org/resources/terms-of-use/).
 */

export const ATTACK_VERSION = '18.1';

export interface Tactic {
  /** TA0001 */
  id: string;
  /** Navigator / kill_chain_phases shortname, e.g. initial-access */
  shortname: string;
  name: string;
}

/** The Enterprise tactics in matrix order. */
export const TACTICS: readonly Tactic[] = [
  { id: 'TA0043', shortname: 'reconnaissance', name: 'Reconnaissance' },
  { id: 'TA0042', shortname: 'resource-development', name: 'Resource Development' },
  { id: 'TA0001', shortname: 'initial-access', name: 'Initial Access' },
  { id: 'TA0002', shortname: 'execution', name: 'Execution' },
  { id: 'TA0003', shortname: 'persistence', name: 'Persistence' },
  { id: 'TA0004', shortname: 'privilege-escalation', name: 'Privilege Escalation' },
  { id: 'TA0005', shortname: 'defense-evasion', name: 'Defense Evasion' },
  { id: 'TA0006', shortname: 'credential-access', name: 'Credential Access' },
  { id: 'TA0007', shortname: 'discovery', name: 'Discovery' },
  { id: 'TA0008', shortname: 'lateral-movement', name: 'Lateral Movement' },
  { id: 'TA0009', shortname: 'collection', name: 'Collection' },
  { id: 'TA0011', shortname: 'command-and-control', name: 'Command and Control' },
  { id: 'TA0010', shortname: 'exfiltration', name: 'Exfiltration' },
  { id: 'TA0040', shortname: 'impact', name: 'Impact' },
];

export interface Technique {
  name: string;
  /** Tactic shortnames, matrix order. */
  tactics: readonly string[];
}

export const TECHNIQUES: Readonly<Record<string, Technique>> = {
  'T1021': { name: 'Remote Services', tactics: ['lateral-movement'] },
  'T1021.004': { name: 'SSH', tactics: ['lateral-movement'] },
  'T1046': { name: 'Network Service Discovery', tactics: ['discovery'] },
  'T1048': { name: 'Exfiltration Over Alternative Protocol', tactics: ['exfiltration'] },
  'T1053': { name: 'Scheduled Task/Job', tactics: ['execution', 'persistence', 'privilege-escalation'] },
  'T1053.003': { name: 'Cron', tactics: ['execution', 'persistence', 'privilege-escalation'] },
  'T1071': { name: 'Application Layer Protocol', tactics: ['command-and-control'] },
  'T1071.001': { name: 'Web Protocols', tactics: ['command-and-control'] },
  'T1078': { name: 'Valid Accounts', tactics: ['initial-access', 'persistence', 'privilege-escalation', 'defense-evasion'] },
  'T1078.004': { name: 'Cloud Accounts', tactics: ['initial-access', 'persistence', 'privilege-escalation', 'defense-evasion'] },
  'T1082': { name: 'System Information Discovery', tactics: ['discovery'] },
  'T1087': { name: 'Account Discovery', tactics: ['discovery'] },
  'T1087.004': { name: 'Cloud Account', tactics: ['discovery'] },
  'T1098': { name: 'Account Manipulation', tactics: ['persistence', 'privilege-escalation'] },
  'T1098.001': { name: 'Additional Cloud Credentials', tactics: ['persistence', 'privilege-escalation'] },
  'T1098.003': { name: 'Additional Cloud Roles', tactics: ['persistence', 'privilege-escalation'] },
  'T1098.004': { name: 'SSH Authorized Keys', tactics: ['persistence', 'privilege-escalation'] },
  'T1110': { name: 'Brute Force', tactics: ['credential-access'] },
  'T1110.001': { name: 'Password Guessing', tactics: ['credential-access'] },
  'T1110.003': { name: 'Password Spraying', tactics: ['credential-access'] },
  'T1133': { name: 'External Remote Services', tactics: ['initial-access', 'persistence'] },
  'T1136': { name: 'Create Account', tactics: ['persistence'] },
  'T1136.001': { name: 'Local Account', tactics: ['persistence'] },
  'T1136.003': { name: 'Cloud Account', tactics: ['persistence'] },
  'T1190': { name: 'Exploit Public-Facing Application', tactics: ['initial-access'] },
  'T1213': { name: 'Data from Information Repositories', tactics: ['collection'] },
  'T1530': { name: 'Data from Cloud Storage', tactics: ['collection'] },
  'T1537': { name: 'Transfer Data to Cloud Account', tactics: ['exfiltration'] },
  'T1548': { name: 'Abuse Elevation Control Mechanism', tactics: ['privilege-escalation', 'defense-evasion'] },
  'T1548.003': { name: 'Sudo and Sudo Caching', tactics: ['privilege-escalation', 'defense-evasion'] },
  'T1552': { name: 'Unsecured Credentials', tactics: ['credential-access'] },
  'T1552.001': { name: 'Credentials In Files', tactics: ['credential-access'] },
  'T1555': { name: 'Credentials from Password Stores', tactics: ['credential-access'] },
  'T1555.006': { name: 'Cloud Secrets Management Stores', tactics: ['credential-access'] },
  'T1562': { name: 'Impair Defenses', tactics: ['defense-evasion'] },
  'T1562.008': { name: 'Disable or Modify Cloud Logs', tactics: ['defense-evasion'] },
  'T1568.002': { name: 'Domain Generation Algorithms', tactics: ['command-and-control'] },
  'T1580': { name: 'Cloud Infrastructure Discovery', tactics: ['discovery'] },
  'T1595': { name: 'Active Scanning', tactics: ['reconnaissance'] },
  'T1595.001': { name: 'Scanning IP Blocks', tactics: ['reconnaissance'] },
  'T1619': { name: 'Cloud Storage Object Discovery', tactics: ['discovery'] },
};
