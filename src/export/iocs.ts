/**
 * The indicators of the newest findings: attacker addresses, access keys, and accounts (backdoors
 * the attacker created, accounts and roles it used), each with its first and last sighting and the
 * number of events behind it (counted from the events themselves, so an entity whose first_seen
 * the findings left empty still gets its times), the ATT&CK techniques of those events, and why.
 * The STIX bundle and the IOC CSV are both built from this list.
 */
import { listValue } from '@duckdb/node-api';
import type { CaseDb } from '../store/case-db.js';
import { latestFindings } from './latest-findings.js';

export type IocKind = 'ipv4' | 'ipv6' | 'access_key' | 'local_user' | 'iam_principal' | 'db_role';

export interface Ioc {
  kind: IocKind;
  value: string;
  /** Host of a local account or database role. */
  host: string | null;
  /** `malicious-activity` (attacker infrastructure, backdoors) or `compromised` (legitimate, abused). */
  indicatorType: 'malicious-activity' | 'compromised';
  roles: string[];
  /** ISO 8601 UTC with microseconds. */
  firstSeen: string;
  lastSeen: string;
  events: number;
  techniques: string[];
  reason: string;
  /** IAM principal that owns an access key, when the events say. */
  principal: string | null;
  /** Numeric uid of a local account, when its creation was seen. */
  uid: string | null;
  eventIds: number[];
}

export interface IocSet {
  findingsId: number;
  generatedAt: string;
  /** The attack's time range: first and last attacker event. */
  attackFrom: string | null;
  attackTo: string | null;
  vector: string | null;
  iocs: Ioc[];
}


const KINDS = new Set(['ip', 'local_user', 'iam_principal', 'access_key', 'db_role']);

function ipKind(v: string): IocKind {
  return v.includes(':') ? 'ipv6' : 'ipv4';
}

interface Stats {
  first: string | null;
  last: string | null;
  n: number;
  techniques: string[];
}

/** Times, counts and techniques of a set of events (one query per indicator; there are few). */
async function stats(db: CaseDb, findingsId: number, ids: number[]): Promise<Stats> {
  if (ids.length === 0) return { first: null, last: null, n: 0, techniques: [] };
  const idList = listValue(ids.map((i) => BigInt(i)));
  const row = await db.one<{ first: string | null; last: string | null; n: number }>(
    `SELECT strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS last, count(*) AS n
     FROM events WHERE event_id IN (SELECT unnest($ids::BIGINT[]))`,
    { ids: idList },
  );
  const tech = await db.all<{ technique: string }>(
    `SELECT DISTINCT technique FROM attack_events WHERE findings_id = $f AND technique IS NOT NULL AND event_id IN (SELECT unnest($ids::BIGINT[])) ORDER BY technique`,
    { f: findingsId, ids: idList },
  );
  return { first: row?.first ?? null, last: row?.last ?? null, n: Number(row?.n ?? 0), techniques: tech.map((t) => t.technique) };
}

/** The attack's events for a value no entity lists (an exfiltration destination). */
async function eventIdsFor(db: CaseDb, findingsId: number, column: 'src_ip' | 'dst_ip', value: string): Promise<number[]> {
  const rows = await db.all<{ event_id: number }>(
    `SELECT a.event_id FROM attack_events a JOIN events e ON e.event_id = a.event_id WHERE a.findings_id = $f AND e.${column} = $v ORDER BY a.event_id`,
    { f: findingsId, v: value },
  );
  return rows.map((r) => Number(r.event_id));
}

async function principalOf(db: CaseDb, key: string): Promise<string | null> {
  const row = await db.one<{ actor: string | null }>(
    `SELECT actor FROM events WHERE access_key = $k AND actor IS NOT NULL GROUP BY actor ORDER BY count(*) DESC, actor LIMIT 1`,
    { k: key },
  );
  return row?.actor ?? null;
}

async function uidOf(db: CaseDb, name: string, host: string | null): Promise<string | null> {
  const row = await db.one<{ uid: string | null }>(
    `SELECT json_extract_string(attrs, '$.uid') AS uid FROM events
     WHERE action = 'user_created' AND target = $n AND (host = $h OR $h = '') AND json_extract_string(attrs, '$.uid') IS NOT NULL ORDER BY ts LIMIT 1`,
    { n: name, h: host ?? '' },
  );
  return row?.uid ?? null;
}

function sortIocs(a: Ioc, b: Ioc): number {
  return a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export async function collectIocs(db: CaseDb): Promise<IocSet> {
  const { findingsId, body } = await latestFindings(db);
  const f = body;
  const byKey = new Map<string, Ioc>();
  const backdoorUsers = new Set<string>((f.backdoors ?? []).filter((b) => b.kind === 'local_user' || b.kind === 'iam_user' || b.kind === 'db_role').map((b) => `${b.value}@${b.host ?? ''}`));

  const add = async (kind: IocKind, value: string, host: string | null, roles: string[], reason: string, ids: number[], malicious: boolean) => {
    const key = `${kind}|${value}|${host ?? ''}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.roles = [...new Set([...existing.roles, ...roles])].sort();
      existing.eventIds = [...new Set([...existing.eventIds, ...ids])].sort((a, b) => a - b);
      if (malicious) existing.indicatorType = 'malicious-activity';
      return;
    }
    byKey.set(key, {
      kind,
      value,
      host,
      indicatorType: malicious ? 'malicious-activity' : 'compromised',
      roles: [...new Set(roles)].sort(),
      firstSeen: '',
      lastSeen: '',
      events: 0,
      techniques: [],
      reason,
      principal: null,
      uid: null,
      eventIds: [...new Set(ids)].sort((a, b) => a - b),
    });
  };

  for (const e of f.entities ?? []) {
    if (!KINDS.has(e.kind) || typeof e.value !== 'string' || e.value === '') continue;
    const ids = ((e.event_ids ?? []) as unknown[]).map(Number).filter(Number.isSafeInteger);
    const roles = (e.roles ?? []) as string[];
    if (e.kind === 'ip') {
      await add(ipKind(e.value), e.value, null, roles, e.reason ?? 'attacker address', ids, true);
    } else {
      const backdoor = roles.includes('backdoor') || backdoorUsers.has(`${e.value}@${e.host ?? ''}`);
      await add(e.kind as IocKind, e.value, e.host ?? null, roles, e.reason ?? '', ids, backdoor);
    }
  }
  for (const ip of f.ips ?? []) {
    if (typeof ip.ip !== 'string') continue;
    const ids = byKey.get(`${ipKind(ip.ip)}|${ip.ip}|`)?.eventIds ?? (await eventIdsFor(db, findingsId, 'src_ip', ip.ip));
    await add(ipKind(ip.ip), ip.ip, null, ip.roles ?? [], 'attacker address', ids, true);
  }
  for (const x of f.exfiltration ?? []) {
    if (typeof x.dst_ip !== 'string') continue;
    await add(ipKind(x.dst_ip), x.dst_ip, null, ['exfil_destination'], 'exfiltration destination', await eventIdsFor(db, findingsId, 'dst_ip', x.dst_ip), true);
  }
  for (const c of f.credentials_to_rotate ?? []) {
    if (c.kind !== 'access_key' || typeof c.value !== 'string') continue;
    await add('access_key', c.value, null, ['credential_to_rotate'], c.reason ?? 'access key used by the attacker', ((c.event_ids ?? []) as unknown[]).map(Number), false);
  }

  const iocs: Ioc[] = [];
  for (const ioc of byKey.values()) {
    const s = await stats(db, findingsId, ioc.eventIds);
    const fallback = f.answers?.initial_access_at ?? f.phases?.find((p) => p.first)?.first ?? f.generated_at;
    ioc.firstSeen = s.first ?? toMicrosIso(fallback);
    ioc.lastSeen = s.last ?? ioc.firstSeen;
    ioc.events = s.n;
    ioc.techniques = s.techniques;
    if (ioc.kind === 'access_key') ioc.principal = await principalOf(db, ioc.value);
    if (ioc.kind === 'local_user') ioc.uid = await uidOf(db, ioc.value, ioc.host);
    iocs.push(ioc);
  }
  iocs.sort(sortIocs);
  const times = await db.one<{ first: string | null; last: string | null }>(
    `SELECT strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS last FROM attack_events WHERE findings_id = $f`,
    { f: findingsId },
  );
  return {
    findingsId,
    generatedAt: String(f.generated_at ?? ''),
    attackFrom: times?.first ?? null,
    attackTo: times?.last ?? null,
    vector: f.answers?.initial_access_vector ?? null,
    iocs,
  };
}

/** `2026-01-02T02:16:40Z` → `2026-01-02T02:16:40.000000Z` (the list's one time format). */
function toMicrosIso(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(t);
  return m ? `${m[1]}.${((m[2] ?? '') + '000000').slice(0, 6)}Z` : t;
}
