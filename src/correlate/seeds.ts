/**
 * Seeds: what the responders know when they start (`--seed ip:185.220.101.34`, `user:deploy@web-01`,
 * `key:AKIA…`, `principal:arn:aws:iam::…`, `host:web-01`, `db_role:app@db-01`). Without seeds (or
 * with --auto) dwell proposes them from its highest-confidence detections, checks each against the
 * baseline of the evidence (an address with weeks of routine logins before the first detection is
 * its owner's), and says which it used and which it set aside, and why.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isoFromMicros } from '../core/time.js';
import { canonicalIp, isIp } from '../core/ip.js';
import { all } from '../store/case-db.js';
import { UNTRUSTED_TIME_SQL } from './case-view.js';
import { THRESHOLDS } from './knowledge.js';
import type { Seed } from './model.js';
import { VOCAB_LISTS } from './sql-vocabulary.js';

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

/** Parses `kind:value` (users and db roles as `name@host`); addresses come out canonical. */
export function parseSeed(text: string): Seed {
  const i = text.indexOf(':');
  if (i <= 0) throw new SeedError(`seed "${text}" must be kind:value (ip:…, user:name@host, key:AKIA…, principal:arn:…, host:…, db_role:name@host)`);
  const kindText = text.slice(0, i).toLowerCase();
  const value = text.slice(i + 1).trim();
  const kind = KINDS[kindText];
  if (!kind) throw new SeedError(`unknown seed kind "${kindText}" (use ip, user, key, principal, host or db_role)`);
  if (!value) throw new SeedError(`seed "${text}" has no value`);
  if (kind === 'ip') {
    const ip = canonicalIp(value.trim().replace(/^\[(.*)\]$/, '$1'));
    const bare = ip.split('%')[0]!;
    if (!isIp(ip) && !isIp(bare)) throw new SeedError(`seed "${text}": "${value}" is not an IP address`);
    // The case stores addresses canonically (core/ip.ts): ::ffff:203.0.113.77 is 203.0.113.77.
    return { kind, value: ip, host: null };
  }
  if (kind === 'host') {
    const ip = canonicalIp(value.trim());
    return { kind, value: isIp(ip.split('%')[0]) ? ip : value, host: null };
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

export interface SetAside {
  seed: Seed;
  reason: string;
}

/** The detections --auto proposes seeds from, strongest first, and what their hit key names. */
const PROPOSING: readonly { rule: string; kind: Seed['kind'] }[] = [
  { rule: 'access.ssh_success_after_bruteforce', kind: 'ip' },
  { rule: 'access.cloud_key_new_address', kind: 'access_key' },
  { rule: 'access.ssh_success_after_connection_burst', kind: 'ip' },
  // IDS alerts: the attacker's end of an alert that says an attack worked, then of an attempt to get in.
  { rule: 'actions.ids_compromise_alert', kind: 'ip' },
  { rule: 'access.ids_access_alert', kind: 'ip' },
];

const iso = (us: number) => isoFromMicros(us).replace(/\.000Z$/, 'Z');

/**
 * Proposes seeds from the strongest detections, checked against baselines. Needs the view `ev`.
 * An address is set aside when it logged in routinely before the first detection (on
 * `ownerBaselineDays` days over `ownerBaselineSpanDays` or more) and the logins the detection
 * flagged are of the accounts it always used: that is the owner, mistyping, not an attacker. It is
 * kept when the flagged login is of an account the address never used before (the detection says
 * an account was taken).
 */
export async function proposeSeeds(conn: DuckDBConnection, findingsId: number): Promise<{ proposed: ProposedSeed[]; setAside: SetAside[] }> {
  const rows = await all<{ rule_id: string; hit_key: string; n: number; first_us: number }>(
    conn,
    `SELECT rule_id, hit_key, count(*)::INTEGER AS n, epoch_us(min(ts)) AS first_us FROM detections
     WHERE findings_id = $f AND rule_id IN (${PROPOSING.map((p) => `'${p.rule}'`).join(', ')})
     GROUP BY rule_id, hit_key ORDER BY CASE rule_id ${PROPOSING.map((p, i) => `WHEN '${p.rule}' THEN ${i}`).join(' ')} END, n DESC, hit_key LIMIT 10`,
    { f: findingsId },
  );
  const proposed: ProposedSeed[] = [];
  const setAside: SetAside[] = [];
  for (const r of rows) {
    const kind = PROPOSING.find((p) => p.rule === r.rule_id)!.kind;
    const seed: Seed = { kind, value: r.hit_key, host: null };
    const why = `detection ${r.rule_id} (${r.n} events from ${iso(r.first_us)})`;
    if (kind === 'ip') {
      const owner = await routineOwner(conn, findingsId, r.rule_id, r.hit_key, r.first_us);
      if (owner) {
        setAside.push({ seed, reason: `${why}, but ${owner}` });
        continue;
      }
    }
    if (proposed.length < 5) proposed.push({ ...seed, reason: `${why}; no routine use of it before` });
  }
  return { proposed, setAside };
}

/**
 * Why an address is its owner's, or null. Before the first detection it logged in routinely (on
 * `ownerBaselineDays` days over `ownerBaselineSpanDays`) or with a key the host trusts (on two days
 * or more: whoever brute-forces a password holds no key), and every login the detection flagged
 * is of an account it had used before or that was created on that host after one of its own logins
 * (its own test account). A flagged login of any other account says an account was taken: kept.
 * Without such a baseline, an address that had already logged in to every account it then failed
 * on and got into held their passwords (heldPasswords).
 */
async function routineOwner(conn: DuckDBConnection, findingsId: number, ruleId: string, ip: string, firstHitUs: number): Promise<string | null> {
  const [b] = await all<{ logins: number; days: number; key_days: number; from_us: number | null; accounts: string[] | null }>(
    conn,
    `SELECT count(*)::INTEGER AS logins, count(DISTINCT date_trunc('day', ts))::INTEGER AS days,
            count(DISTINCT date_trunc('day', ts)) FILTER (WHERE attrs->>'method' = 'publickey')::INTEGER AS key_days,
            epoch_us(min(ts)) AS from_us, list(DISTINCT actor) FILTER (WHERE actor IS NOT NULL) AS accounts
     FROM ev WHERE action IN ${VOCAB_LISTS.remote_login} AND outcome = 'success' AND src_ip = $ip AND epoch_us(ts) < $t`,
    { ip, t: firstHitUs },
  );
  if (!b || b.logins === 0 || b.from_us === null) return null;
  const spanDays = (firstHitUs - b.from_us) / 86400e6;
  const routine = b.days >= THRESHOLDS.ownerBaselineDays && spanDays >= THRESHOLDS.ownerBaselineSpanDays;
  const keyHolder = b.key_days >= 2;
  if (!routine && !keyHolder) return heldPasswords(conn, findingsId, ruleId, ip, b);
  const flagged = await all<{ actor: string | null; host: string | null; ts_us: number }>(
    conn,
    `SELECT e.actor, e.host, epoch_us(min(e.ts)) AS ts_us FROM detections d JOIN ev e USING (event_id)
     WHERE d.findings_id = $f AND d.rule_id = $r AND d.hit_key = $ip AND e.action IN ${VOCAB_LISTS.remote_login} AND e.outcome = 'success'
     GROUP BY e.actor, e.host ORDER BY e.actor`,
    { f: findingsId, r: ruleId, ip },
  );
  const usual = new Set(b.accounts ?? []);
  for (const f of flagged) {
    if (f.actor === null || usual.has(f.actor)) continue;
    // Its own test account: created on that host after one of this address's logins there.
    const [own] = await all<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n FROM ev c WHERE c.action = 'user_created' AND c.target = $a AND c.host IS NOT DISTINCT FROM $h AND epoch_us(c.ts) <= $t
         AND EXISTS (SELECT 1 FROM ev l WHERE l.action IN ${VOCAB_LISTS.remote_login} AND l.outcome = 'success' AND l.src_ip = $ip AND l.host IS NOT DISTINCT FROM $h
                       AND l.ts <= c.ts AND l.ts >= c.ts - INTERVAL 12 HOUR)`,
      { a: f.actor, h: f.host, t: f.ts_us, ip },
    );
    if ((own?.n ?? 0) === 0) return null;
  }
  const accounts = [...new Set(flagged.map((f) => f.actor).filter((a): a is string => a !== null))].sort();
  const basis = routine ? `${b.logins} routine login(s) on ${b.days} day(s) since ${iso(b.from_us)}` : `key-authenticated logins on ${b.key_days} day(s) since ${iso(b.from_us)} (it holds a key the host trusts)`;
  return `it is the owner's: ${basis}, before the first detection; the flagged login(s) (${accounts.join(', ') || '?'}) are of accounts it used before or created itself`;
}

/**
 * Why an address without a routine baseline still is no password guesser, or null: every account
 * the detection shows it failing on and getting into had already logged in from this address
 * before the failures began. It held their passwords and mistyped them — a test client, a user
 * with a wrong saved password — where a guesser tries accounts it has not got (a name it never
 * logged in as, an invalid user, root on its first try, keeps the address).
 */
async function heldPasswords(conn: DuckDBConnection, findingsId: number, ruleId: string, ip: string, before: { logins: number; from_us: number | null; accounts: string[] | null }): Promise<string | null> {
  const known = new Set(before.accounts ?? []);
  if (known.size === 0 || before.from_us === null) return null;
  const tried = await all<{ actor: string | null }>(
    conn,
    `SELECT DISTINCT e.actor FROM detections d JOIN ev e USING (event_id) WHERE d.findings_id = $f AND d.rule_id = $r AND d.hit_key = $ip ORDER BY e.actor`,
    { f: findingsId, r: ruleId, ip },
  );
  if (tried.length === 0 || tried.some((t) => t.actor === null || !known.has(t.actor))) return null;
  const accounts = tried.map((t) => t.actor!);
  return `it already held the passwords: ${before.logins} login(s) from it since ${iso(before.from_us)}, before the failures, to every account the detection shows (${accounts.join(', ')}) — mistyped known passwords, not guessing`;
}

/** How many events (of the correlation's view `ev`) a seed names directly: zero means it matches nothing. */
export async function countSeedMatches(conn: DuckDBConnection, s: Seed): Promise<number> {
  const rows = await all<{ n: number }>(conn, `SELECT count(*)::BIGINT AS n FROM ev WHERE ${seedWhere(s)}`, seedParams(s));
  return Number(rows[0]?.n ?? 0);
}

function seedWhere(s: Seed): string {
  const where: Record<Seed['kind'], string> = {
    ip: 'src_ip = $v OR dst_ip = $v',
    local_user: 'host = $h AND (actor = $v OR target = $v)',
    access_key: 'access_key = $v',
    iam_principal: "actor = $v OR attrs->>'issuer_arn' = $v",
    session: 'actor = $v OR session = $v',
    host: 'host = $v OR src_ip = $v OR dst_ip = $v',
    db_role: 'actor = $v AND host = $h',
  };
  return where[s.kind];
}

function seedParams(s: Seed): Record<string, string | null> {
  return { v: s.value, ...(seedWhere(s).includes('$h') ? { h: s.host } : {}) };
}

/**
 * What to say when a seed matches nothing: whether it matches events left out for their time,
 * values of the same kind that look like it, and how to look.
 */
export async function seedHint(conn: DuckDBConnection, s: Seed): Promise<string> {
  const hints: string[] = [];
  const [hidden] = await all<{ n: number }>(conn, `SELECT count(*)::BIGINT AS n FROM events WHERE (${seedWhere(s)}) AND ${UNTRUSTED_TIME_SQL}`, seedParams(s));
  if (Number(hidden?.n ?? 0) > 0) hints.push(`${hidden!.n} event(s) with a relative or implausible time match it: correlate with --include-relative to use them`);
  const like = await similarValues(conn, s);
  if (like.length) hints.push(`similar in the case: ${like.join(', ')}`);
  const [range] = await all<{ n: number; from_us: number | null; to_us: number | null }>(conn, `SELECT count(*)::BIGINT AS n, epoch_us(min(ts)) AS from_us, epoch_us(max(ts)) AS to_us FROM ev`);
  if (range && range.from_us !== null && range.to_us !== null) hints.push(`the case holds ${range.n} event(s) from ${iso(range.from_us)} to ${iso(range.to_us)}`);
  const filter = s.kind === 'ip' ? `--ip ${s.value}` : s.kind === 'access_key' ? `--key ${s.value}` : s.kind === 'local_user' ? `--user ${s.value} --host ${s.host}` : s.kind === 'host' ? `--host ${s.value}` : `--actor ${s.value}`;
  hints.push(`check with: dwell export --case … --what timeline --format csv ${filter}`);
  return hints.join('\n help: ');
}

async function similarValues(conn: DuckDBConnection, s: Seed): Promise<string[]> {
  if (s.kind === 'local_user' || s.kind === 'db_role') {
    // The account elsewhere, or the host's accounts.
    const rows = await all<{ v: string }>(
      conn,
      `SELECT v FROM (SELECT DISTINCT actor || '@' || host AS v FROM ev WHERE actor IS NOT NULL AND host IS NOT NULL AND (lower(actor) = lower($v) OR lower(host) = lower($h))) ORDER BY v LIMIT 5`,
      { v: s.value, h: s.host },
    );
    return rows.map((r) => r.v);
  }
  const column = { ip: 'src_ip', host: 'host', access_key: 'access_key', iam_principal: 'actor', session: 'actor' }[s.kind];
  // Same /24 (or /48) for addresses; the same start or another case for names and keys.
  const probe = s.kind === 'ip' ? s.value.replace(/\.\d+$/, '.').replace(/^((?:[0-9a-f]*:){3}).*$/i, '$1') : s.value.slice(0, Math.max(3, Math.floor(s.value.length / 2)));
  const rows = await all<{ v: string }>(
    conn,
    `SELECT v FROM (SELECT DISTINCT ${column} AS v FROM ev WHERE ${column} IS NOT NULL AND (starts_with(lower(${column}), lower($p)) OR lower(${column}) = lower($s))) ORDER BY v LIMIT 5`,
    { p: probe, s: s.value },
  );
  return rows.map((r) => r.v);
}
