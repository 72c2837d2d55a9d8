/**
 * Seeds: what the responders know when they start (`--seed ip:185.220.101.34`, `user:deploy@web-01`,
 * `key:AKIA…`, `principal:arn:aws:iam::…`, `host:web-01`, `db_role:app@db-01`). Without seeds (or
 * with --auto) dwell proposes them from its highest-confidence detections and says which it used.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { canonicalIp, isIp } from '../core/ip.js';
import { all } from '../store/case-db.js';
import type { Seed } from './expand.js';

export class SeedError extends Error {}

const KINDS: Record<string, Seed['kind']> = {
  ip: 'ip',
  user: 'local_user',
  local_user: 'local_user',
  key: 'access_key',
  access_key: 'access_key',
  principal: 'iam_principal',
  iam_principal: 'iam_principal',
  host: 'host',
  db_role: 'db_role',
  role: 'db_role',
};

/** Parses `kind:value` (users and db roles as `name@host`). */
export function parseSeed(text: string): Seed {
  const i = text.indexOf(':');
  if (i <= 0) throw new SeedError(`seed "${text}" must be kind:value (ip:…, user:name@host, key:AKIA…, principal:arn:…, host:…, db_role:name@host)`);
  const kindText = text.slice(0, i).toLowerCase();
  const value = text.slice(i + 1).trim();
  const kind = KINDS[kindText];
  if (!kind) throw new SeedError(`unknown seed kind "${kindText}" (use ip, user, key, principal, host or db_role)`);
  if (!value) throw new SeedError(`seed "${text}" has no value`);
  if (kind === 'ip') {
    if (!isIp(value)) throw new SeedError(`seed "${text}": "${value}" is not an IP address`);
    // The case stores addresses canonically (core/ip.ts): ::ffff:203.0.113.77 is 203.0.113.77.
    return { kind, value: canonicalIp(value), host: null };
  }
  if (kind === 'local_user' || kind === 'db_role') {
    const at = value.lastIndexOf('@');
    if (at <= 0) throw new SeedError(`seed "${text}": write ${kindText === 'user' ? 'user' : 'db_role'}:name@host`);
    return { kind, value: value.slice(0, at), host: value.slice(at + 1) };
  }
  return { kind, value, host: null };
}

export function formatSeed(s: Seed): string {
  const prefix = { ip: 'ip', local_user: 'user', access_key: 'key', iam_principal: 'principal', host: 'host', db_role: 'db_role', session: 'session' }[s.kind];
  return `${prefix}:${s.value}${s.host && (s.kind === 'local_user' || s.kind === 'db_role') ? '@' + s.host : ''}`;
}

export interface ProposedSeed extends Seed {
  reason: string;
}

/**
 * Proposes seeds from the strongest detections: addresses that got in after brute force, keys
 * used from new addresses, attacker-looking defense evasion. Highest confidence first.
 */
export async function proposeSeeds(conn: DuckDBConnection, findingsId: number): Promise<ProposedSeed[]> {
  const rows = await all<{ rule_id: string; hit_key: string; n: number }>(
    conn,
    `SELECT rule_id, hit_key, count(*)::INTEGER AS n FROM detections
     WHERE findings_id = $f AND rule_id IN ('access.ssh_success_after_bruteforce', 'access.cloud_key_new_address', 'access.identity_from_new_address')
     GROUP BY rule_id, hit_key ORDER BY CASE rule_id WHEN 'access.ssh_success_after_bruteforce' THEN 0 ELSE 1 END, n DESC, hit_key LIMIT 5`,
    { f: findingsId },
  );
  const out: ProposedSeed[] = [];
  for (const r of rows) {
    if (r.rule_id === 'access.ssh_success_after_bruteforce') out.push({ kind: 'ip', value: r.hit_key, host: null, reason: `detection ${r.rule_id} (${r.n} events)` });
    else out.push({ kind: 'access_key', value: r.hit_key, host: null, reason: `detection ${r.rule_id} (${r.n} events)` });
  }
  return out;
}
