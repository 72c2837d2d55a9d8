/**
 * The watch list: what `dwell watch` alerts on. Built from a findings run (the attacker's
 * addresses, keys, principals, accounts, back doors, user agents, payload hosts and the detection
 * rules that fired on the attack) and edited by analysts (`--add`, `--remove`), each change stored
 * with its author and time. An entry removed stays in the table, marked, so a findings run does
 * not bring it back and the case keeps the list's history.
 */
import type { Findings } from '../correlate/findings-types.js';
import { canonicalIp } from '../core/ip.js';
import type { CaseDb } from '../store/case-db.js';
import { ENTRY_KINDS, type Severity } from './match.js';

export interface WatchEntry {
  kind: string;
  value: string;
  host: string | null;
  severity: Severity;
  reason: string;
}

export interface StoredEntry extends WatchEntry {
  entry_id: number;
  origin: string;
  added_by: string;
  added_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

export class WatchListError extends Error {}

/** Kinds as an analyst writes them (`ip:…`), mapped to stored kinds. */
const KIND_NAMES: Record<string, string> = {
  ip: 'ip',
  key: 'access_key',
  access_key: 'access_key',
  principal: 'iam_principal',
  user: 'local_user',
  db_role: 'db_role',
  session: 'session',
  ua: 'user_agent',
  user_agent: 'user_agent',
  file: 'file',
  host: 'payload_host',
  payload_host: 'payload_host',
  rule: 'rule',
};

/** Parses `kind:value` (users and db roles may be `name@host`); `=severity` may follow a value given with --add. */
export function parseEntry(text: string, severity: Severity = 'high'): WatchEntry {
  const i = text.indexOf(':');
  const kind = i > 0 ? KIND_NAMES[text.slice(0, i).toLowerCase()] : undefined;
  if (!kind) throw new WatchListError(`watch entry "${text}" must be kind:value with kind one of ${Object.keys(KIND_NAMES).join(', ')}`);
  let value = text.slice(i + 1).trim();
  if (!value) throw new WatchListError(`watch entry "${text}" has no value`);
  let host: string | null = null;
  if (kind === 'local_user' || kind === 'db_role') {
    const at = value.lastIndexOf('@');
    if (at > 0) {
      host = value.slice(at + 1);
      value = value.slice(0, at);
    }
  }
  if (kind === 'ip') value = canonicalIp(value);
  return { kind, value, host, severity, reason: 'added by an analyst' };
}

/** What a findings run says to watch, each with a severity and why. */
export function entriesFromFindings(f: Findings, extra: { userAgents: string[]; payloadHosts: string[] }): WatchEntry[] {
  const out: WatchEntry[] = [];
  const add = (kind: string, value: string | null | undefined, host: string | null, severity: Severity, reason: string) => {
    if (!value) return;
    out.push({ kind, value, host, severity, reason });
  };
  for (const e of f.entities ?? []) {
    const roles = e.roles.join(', ');
    if (e.kind === 'ip') add('ip', e.value, null, 'high', `attacker address (${roles || 'in the footprint'})`);
    else if (e.kind === 'access_key') add('access_key', e.value, null, e.roles.includes('backdoor') ? 'critical' : 'high', `access key used by the attacker (${roles})`);
    else if (e.kind === 'iam_principal') add('iam_principal', e.value, null, e.roles.includes('backdoor') ? 'critical' : 'high', `principal used by the attacker (${roles})`);
    else if (e.kind === 'local_user') add('local_user', e.value, e.host, e.roles.includes('backdoor') ? 'critical' : 'medium', `account used by the attacker (${roles})`);
    else if (e.kind === 'db_role') add('db_role', e.value, e.host, e.roles.includes('backdoor') ? 'critical' : 'medium', `database role used by the attacker (${roles})`);
    // Hosts are the victims and sessions end with the attack: watching them would alert on everything.
  }
  for (const b of f.backdoors ?? []) {
    const why = `back door (${b.kind}) created ${b.created_at ?? ''} by ${b.created_by ?? 'the attacker'}`.replace('  ', ' ');
    if (b.kind === 'local_user') add('local_user', b.value, b.host, 'critical', why);
    else if (b.kind === 'db_role') add('db_role', b.value, b.host, 'critical', why);
    else if (b.kind === 'iam_access_key') add('access_key', b.value, null, 'critical', why);
    else if (b.kind === 'iam_user' && b.value.startsWith('arn:')) add('iam_principal', b.value, null, 'critical', why);
    else if (b.kind === 'ssh_authorized_key') add('file', b.value.split(': ')[0], b.host, 'critical', why);
    else if ((b.kind === 'cron' || b.kind === 'rc_file') && b.value.startsWith('/')) add('file', b.value, b.host, 'critical', why);
    else if (b.kind === 'systemd_unit') add('file', b.value, b.host, 'critical', why);
  }
  for (const ua of extra.userAgents) add('user_agent', ua, null, 'medium', "user agent seen only in the attacker's events");
  for (const h of extra.payloadHosts) add('payload_host', h, null, 'high', "host the attacker's commands fetched from");
  for (const d of f.detections ?? []) {
    if (d.hits > 0 && !d.error) add('rule', d.rule_id, null, d.level === 'critical' ? 'critical' : d.level === 'high' ? 'high' : d.level === 'low' ? 'low' : 'medium', `rule fired during the attack: ${d.title}`);
  }
  // One entry per kind/value/host: the most severe reason wins.
  const rank = (s: Severity) => ['low', 'medium', 'high', 'critical'].indexOf(s);
  const byKey = new Map<string, WatchEntry>();
  for (const e of out) {
    const k = `${e.kind}\0${e.value}\0${e.host ?? ''}`;
    const had = byKey.get(k);
    if (!had || rank(e.severity) > rank(had.severity)) byKey.set(k, e);
  }
  return [...byKey.values()].sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
}

/**
 * User agents and payload hosts of the attacker's events in a findings run: user agents that no
 * event outside the attack carries, and the hosts of URLs in the attacker's commands.
 */
export async function attackerExtras(db: CaseDb, findingsId: number): Promise<{ userAgents: string[]; payloadHosts: string[] }> {
  const uas = await db.all<{ ua: string }>(
    `SELECT DISTINCT e.user_agent AS ua FROM attack_events a JOIN events e USING (event_id)
     WHERE a.findings_id = $f AND e.user_agent IS NOT NULL AND e.user_agent <> ''
       AND NOT EXISTS (SELECT 1 FROM events o WHERE o.user_agent = e.user_agent
                       AND o.event_id NOT IN (SELECT event_id FROM attack_events WHERE findings_id = $f))
     ORDER BY ua`,
    { f: findingsId },
  );
  const cmds = await db.all<{ command: string }>(
    `SELECT DISTINCT e.command FROM attack_events a JOIN events e USING (event_id) WHERE a.findings_id = $f AND e.command LIKE '%://%'`,
    { f: findingsId },
  );
  const hosts = new Set<string>();
  for (const c of cmds) for (const m of c.command.matchAll(/\b(?:https?|ftp):\/\/([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])/g)) hosts.add(m[1]!.toLowerCase());
  return { userAgents: uas.map((r) => r.ua), payloadHosts: [...hosts].sort() };
}

/** Adds the entries of findings run `findingsId` not already in the list (a removed entry stays removed). Returns how many were added. */
export async function syncFromFindings(db: CaseDb, findingsId: number, entries: WatchEntry[], author: string): Promise<number> {
  let added = 0;
  for (const e of entries) {
    const known = await db.one(`SELECT 1 FROM watchlist WHERE kind = $k AND value = $v AND host IS NOT DISTINCT FROM $h`, { k: e.kind, v: e.value, h: e.host });
    if (known) continue;
    await insertEntry(db, e, `findings #${findingsId}`, findingsId, author);
    added++;
  }
  return added;
}

async function insertEntry(db: CaseDb, e: WatchEntry, origin: string, findingsId: number | null, author: string): Promise<void> {
  await db.run(
    `INSERT INTO watchlist VALUES (nextval('watch_entry_id_seq'), $k, $v, $h, $s, $o, $f, $r, $by, now()::TIMESTAMP, NULL, NULL)`,
    { k: e.kind, v: e.value, h: e.host, s: e.severity, o: origin, f: findingsId, r: e.reason, by: author },
  );
}

/** An analyst's entry: added (or brought back when it was removed). */
export async function addEntry(db: CaseDb, e: WatchEntry, author: string): Promise<'added' | 'restored' | 'present'> {
  if (!(ENTRY_KINDS as readonly string[]).includes(e.kind)) throw new WatchListError(`unknown watch entry kind ${e.kind}`);
  const known = await db.one<{ entry_id: number; removed_at: string | null }>(
    `SELECT entry_id, removed_at FROM watchlist WHERE kind = $k AND value = $v AND host IS NOT DISTINCT FROM $h ORDER BY entry_id DESC LIMIT 1`,
    { k: e.kind, v: e.value, h: e.host },
  );
  if (known && known.removed_at === null) return 'present';
  await insertEntry(db, e, 'analyst', null, author);
  return known ? 'restored' : 'added';
}

/** Marks an entry removed (by kind:value, or by its id as `#N`). Returns how many were removed. */
export async function removeEntry(db: CaseDb, spec: string, author: string): Promise<number> {
  const byId = /^#?(\d+)$/.exec(spec);
  const before = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM watchlist WHERE removed_at IS NULL`);
  if (byId) {
    await db.run(`UPDATE watchlist SET removed_by = $by, removed_at = now()::TIMESTAMP WHERE entry_id = $id AND removed_at IS NULL`, { by: author, id: Number(byId[1]) });
  } else {
    const e = parseEntry(spec);
    await db.run(
      `UPDATE watchlist SET removed_by = $by, removed_at = now()::TIMESTAMP WHERE kind = $k AND value = $v AND ($h IS NULL OR host = $h) AND removed_at IS NULL`,
      { by: author, k: e.kind, v: e.value, h: e.host },
    );
  }
  const after = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM watchlist WHERE removed_at IS NULL`);
  return before!.n - after!.n;
}

export async function listEntries(db: CaseDb, includeRemoved = false): Promise<StoredEntry[]> {
  return db.all<StoredEntry>(
    `SELECT entry_id, kind, value, host, severity, origin, reason, added_by, strftime(added_at, '%Y-%m-%dT%H:%M:%SZ') AS added_at,
            removed_by, strftime(removed_at, '%Y-%m-%dT%H:%M:%SZ') AS removed_at
     FROM watchlist ${includeRemoved ? '' : 'WHERE removed_at IS NULL'} ORDER BY entry_id`,
  );
}
