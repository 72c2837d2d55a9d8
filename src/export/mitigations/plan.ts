/**
 * What to block and revoke, from the findings: the only input of every mitigation artefact
 * (blocklist, nft, iptables, aws-cli, waf-json, revoke-sh, sigma). Values come from evidence, so
 * each is validated for the place it will take in a command — an address must parse as an address
 * (canonical form, src/core/ip.ts), an access key must look like one, a user or role
 * name must be a plain name. What fails stays in the plan as `rejected`, shown to the reviewer only
 * as an escaped comment, never as part of a command.
 */
import { isIP } from 'node:net';
import type { Findings, TimelineItem } from '../../correlate/findings-types.js';
import { canonicalIp } from '../../core/ip.js';

export interface Address {
  ip: string;
  version: 4 | 6;
  roles: string[];
}

export interface Located {
  value: string;
  host: string | null;
  /** Where the evidence shows it (file:line), for the reviewer. */
  evidence: string | null;
}

export interface Rejected {
  what: string;
  value: string;
  why: string;
}

export interface MitigationPlan {
  addresses: Address[];
  /** Long-term keys the attacker used (to deactivate) and created (to delete). */
  keysUsed: string[];
  keysCreated: string[];
  /** IAM users the attacker created (delete, with login profile and keys). */
  iamUsersCreated: string[];
  /** IAM users that got a console password from the attacker. */
  loginProfiles: string[];
  /** Roles whose sessions the attacker held: revoke sessions issued before containment. */
  roles: string[];
  dbRolesCreated: Located[];
  dbRolesUsed: Located[];
  localUsersCreated: Located[];
  localUsersUsed: Located[];
  authorizedKeys: Located[];
  cron: Located[];
  /** Revoke role sessions issued before this time (containment, else the findings' time). */
  revokeBefore: string;
  caseFrom: string | null;
  rejected: Rejected[];
}

export const ACCESS_KEY = /^(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}$/;
/** IAM user and role names (AWS: alphanumerics and +=,.@_-). */
export const IAM_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** Linux user names (shadow-utils' default rule, plus a trailing $ for machine accounts). */
export const LOCAL_USER = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;
/** Database role names this plan will put in a quoted identifier. */
export const DB_ROLE = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The address in canonical form, or null when the text is not exactly one IPv4/IPv6 address. */
export function validIp(text: string): { ip: string; version: 4 | 6 } | null {
  const ip = canonicalIp(text);
  const v = isIP(ip);
  return v === 4 || v === 6 ? { ip, version: v } : null;
}

function iamName(arnOrName: string): string {
  // arn:aws:iam::123:user/path/name → name; arn:aws:sts::123:assumed-role/name/session → name
  const assumed = /^arn:aws[\w-]*:sts::\d+:assumed-role\/([^/]+)\//.exec(arnOrName);
  if (assumed) return assumed[1]!;
  const m = /^arn:aws[\w-]*:iam::\d+:(?:user|role)\/(?:.*\/)?([^/]+)$/.exec(arnOrName);
  return m ? m[1]! : arnOrName;
}

export function buildPlan(f: Findings): MitigationPlan {
  const rejected: Rejected[] = [];
  const byId = new Map<number, TimelineItem>((f.timeline ?? []).map((t) => [t.event_id, t]));
  const where = (ids: number[]) => {
    const t = ids.map((id) => byId.get(id)).find((x) => x?.evidence);
    return t ? `${t.evidence.file}:${t.evidence.line}` : null;
  };
  /** `original`: the value as the findings hold it (the reviewer sees that, not the name taken from it). */
  const check = (what: string, value: string, re: RegExp, why: string, original = value): boolean => {
    if (re.test(value)) return true;
    rejected.push({ what, value: original, why });
    return false;
  };
  const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];

  const addresses: Address[] = [];
  for (const i of f.ips ?? []) {
    const v = validIp(i.ip);
    if (v) addresses.push({ ...v, roles: i.roles ?? [] });
    else rejected.push({ what: 'address', value: i.ip, why: 'not an IPv4 or IPv6 address' });
  }

  const keysUsed: string[] = [];
  const keysCreated: string[] = [];
  for (const c of f.credentials_to_rotate ?? []) {
    if (c.kind !== 'access_key' || !check('access key', c.value, ACCESS_KEY, 'not an AWS access key id')) continue;
    (/created/.test(c.reason) ? keysCreated : keysUsed).push(c.value);
  }
  const iamUsersCreated: string[] = [];
  const loginProfiles: string[] = [];
  const roles: string[] = [];
  const dbRolesCreated: Located[] = [];
  const localUsersCreated: Located[] = [];
  const authorizedKeys: Located[] = [];
  const cron: Located[] = [];
  for (const b of f.backdoors ?? []) {
    const loc = { host: b.host, evidence: where(b.event_ids) };
    if (b.kind === 'iam_access_key' && check('access key', b.value, ACCESS_KEY, 'not an AWS access key id')) keysCreated.push(b.value);
    else if (b.kind === 'iam_user' && check('IAM user', iamName(b.value), IAM_NAME, 'not an IAM user name', b.value)) iamUsersCreated.push(iamName(b.value));
    else if (b.kind === 'iam_login_profile' && check('IAM user', iamName(b.value), IAM_NAME, 'not an IAM user name', b.value)) loginProfiles.push(iamName(b.value));
    else if (b.kind === 'iam_role' && check('IAM role', iamName(b.value), IAM_NAME, 'not an IAM role name', b.value)) roles.push(iamName(b.value));
    else if (b.kind === 'db_role' && check('database role', b.value, DB_ROLE, 'not a plain role name')) dbRolesCreated.push({ value: b.value, ...loc });
    else if (b.kind === 'local_user' && check('local user', b.value, LOCAL_USER, 'not a plain user name')) localUsersCreated.push({ value: b.value, ...loc });
    // Key lines and cron files are shown to the reviewer (escaped comments), never put in a command.
    else if (b.kind === 'ssh_authorized_key') authorizedKeys.push({ value: b.value, ...loc });
    else if (b.kind === 'cron') cron.push({ value: b.value, ...loc });
  }
  for (const e of f.entities ?? []) {
    if (e.kind !== 'iam_principal' && e.kind !== 'session') continue;
    if (!/:role\/|:assumed-role\//.test(e.value)) continue;
    const name = iamName(e.value);
    if (check('IAM role', name, IAM_NAME, 'not an IAM role name', e.value)) roles.push(name);
  }
  const dbRolesUsed: Located[] = [];
  const localUsersUsed: Located[] = [];
  const createdDb = new Set(dbRolesCreated.map((d) => d.value));
  const createdLocal = new Set(localUsersCreated.map((d) => `${d.host}|${d.value}`));
  for (const c of f.credentials_to_rotate ?? []) {
    const loc = { host: c.host, evidence: where(c.event_ids) };
    if (c.kind === 'db_password' && !createdDb.has(c.value) && check('database role', c.value, DB_ROLE, 'not a plain role name')) dbRolesUsed.push({ value: c.value, ...loc });
    if (c.kind === 'local_password' && !c.value.includes('/') && !createdLocal.has(`${c.host}|${c.value}`) && check('local user', c.value, LOCAL_USER, 'not a plain user name')) localUsersUsed.push({ value: c.value, ...loc });
  }
  const contained = f.answers?.contained_at && ISO.test(f.answers.contained_at) ? f.answers.contained_at : null;
  return {
    addresses: uniq(addresses, (a) => a.ip).sort((a, b) => a.version - b.version || a.ip.localeCompare(b.ip, 'en', { numeric: true })),
    keysUsed: [...new Set(keysUsed)].filter((k) => !keysCreated.includes(k)).sort(),
    keysCreated: [...new Set(keysCreated)].sort(),
    iamUsersCreated: [...new Set(iamUsersCreated)].sort(),
    loginProfiles: [...new Set(loginProfiles)].sort(),
    roles: [...new Set(roles)].sort(),
    dbRolesCreated: uniq(dbRolesCreated, (d) => `${d.host}|${d.value}`),
    dbRolesUsed: uniq(dbRolesUsed, (d) => `${d.host}|${d.value}`),
    localUsersCreated: uniq(localUsersCreated, (d) => `${d.host}|${d.value}`),
    localUsersUsed: uniq(localUsersUsed, (d) => `${d.host}|${d.value}`),
    authorizedKeys,
    cron,
    revokeBefore: contained ?? (ISO.test(f.generated_at) ? f.generated_at : new Date().toISOString()),
    caseFrom: f.case?.from ?? null,
    rejected,
  };
}
