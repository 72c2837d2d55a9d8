/**
 * Attacks written independently of the scenario generator (fixtures/attacks/<case>/, see its
 * README.md): each case is ingested with the real CLI as a responder would, correlated from the
 * seed the responder had, and the findings (`dwell export --what findings --format json`) are
 * compared with the case's expected.json — one test per expected statement.
 *
 * The findings format is changing (dwell.findings/v1, typed): everything this file knows about it
 * is in `observe()`, the one adapter. Statements today's correlation gets wrong are listed in
 * KNOWN_GAPS with the reason observed and run as `it.fails`: they pass while dwell is wrong and
 * fail — to be turned into plain `it` — once correlation gets them right.
 *
 * Besides correlation, each case checks its own truth: the evidence is what its generator writes,
 * every address the statements name is in the evidence, and the stated bytes are the flows' bytes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const ATTACKS = join(ROOT, 'fixtures', 'attacks');
const CASES = ['helsinki-wms', 'kestrel-aws', 'tallgrass-rhel'];

/**
 * What today's correlation gets wrong, per case: statement name → the reason observed. Delete an
 * entry when correlation gets the statement right (the `it.fails` then fails and says so).
 */
const KNOWN_GAPS: Record<string, Record<string, string>> = {};

// ---- expected.json (fixtures/attacks/README.md describes every field) -------------------------

interface Expected {
  case: string;
  ingest: Array<{ args: string[]; paths: string[] }>;
  correlate: { seeds: string[]; detected_at: string | null; contained_at: string | null; sensitive: string[] };
  attacker_ips: Array<{ ip: string; role: string }>;
  victim_hosts: Array<{ host: string; addresses: string[] }>;
  compromised_accounts: Array<{ kind: string; value: string; host?: string | null }>;
  backdoors: Array<{ kind: string; host: string | null; match: string; value: string; used_after_containment?: boolean; attempted_after_containment?: boolean }>;
  first_recon?: TimeStatement;
  first_access: TimeStatement;
  last_activity: TimeStatement;
  exfiltration: Array<{ dst_ip: string; bytes_min: number; bytes_max: number }>;
  s3_read?: { bucket: string; objects: number; bytes: number };
  db_queries: Array<{ role: string; client: string; application?: string; contains: string }>;
  key_events: Array<{ host: string | null; at: string; text: string; what: string }>;
  compromised_data: Array<{ kind: string; value: string; host?: string | null; access: string[] }>;
  credentials_to_rotate: Array<{ kind: string; value: string; host?: string | null }>;
  must_not_report: NotReported[];
}
interface TimeStatement {
  at: string;
  tolerance_seconds: number;
}
type NotReported =
  | { kind: 'ip' | 'exfil_destination' | 'host'; value: string; why: string }
  | { kind: 'account'; value: string; host: string; why: string }
  | { kind: 'backdoor'; backdoor_kind: string; host?: string; match: string; value: string; why: string }
  | { kind: 'db_session'; role: string; client: string; application?: string; from: string; to: string; why: string }
  | { kind: 'event'; host?: string; actor?: string; text: string; from: string; to: string; why: string };

// ---- the adapter: findings → what the statements are about ------------------------------------

interface Observed {
  /** Every address the findings attribute to the attacker. */
  ips: Set<string>;
  /** Compromised hosts → the addresses the findings give them. */
  hosts: Map<string, Set<string>>;
  /** Identities the findings say the attacker used (accounts, roles, principals). */
  accounts: Array<{ kind: string; value: string; host: string | null }>;
  backdoors: Array<{ kind: string; value: string; host: string | null; usedAfter: boolean | null; attemptedAfter: boolean | null }>;
  firstRecon: string | null;
  initialAccess: string | null;
  lastActivity: string | null;
  /** Exfiltration destination → bytes. */
  exfil: Map<string, number>;
  dbQueries: Array<{ ts: string; role: string | null; client: string | null; application: string | null; statement: string }>;
  data: Array<{ kind: string; value: string; host: string | null; access: string | null; bytes: number | null }>;
  credentials: Array<{ kind: string; value: string; host: string | null }>;
  timeline: Array<{ ts: string; host: string | null; actor: string | null; summary: string }>;
}

/** One place that reads the findings format (dwell.findings/v1 as of docs/findings.md). */
function observe(f: any): Observed {
  const hosts = new Map<string, Set<string>>();
  for (const e of f.entities ?? []) if (e.kind === 'host') hosts.set(e.value, hosts.get(e.value) ?? new Set());
  for (const h of f.host_addresses ?? []) {
    if (!hosts.has(h.host)) continue;
    hosts.get(h.host)!.add(canonicalIp(h.ip));
  }
  const accounts = (f.entities ?? [])
    .filter((e: any) => ['local_user', 'db_role', 'iam_principal'].includes(e.kind))
    .map((e: any) => ({ kind: e.kind, value: e.value, host: e.host ?? null }));
  return {
    ips: new Set([...(f.ips ?? []).map((i: any) => canonicalIp(i.ip)), ...(f.entities ?? []).filter((e: any) => e.kind === 'ip').map((e: any) => canonicalIp(e.value))]),
    hosts,
    accounts,
    backdoors: (f.backdoors ?? []).map((b: any) => ({
      kind: b.kind,
      // `crontab:USER` (before v1 was typed) and `crontab of USER` name the same thing
      value: typeof b.value === 'string' ? b.value.replace(/^crontab:(.+)$/, 'crontab of $1') : String(b.value),
      host: b.host ?? null,
      usedAfter: b.used_after_containment ?? null,
      attemptedAfter: b.attempted_after_containment ?? null,
    })),
    firstRecon: f.answers?.first_recon_at ?? null,
    initialAccess: f.answers?.initial_access_at ?? null,
    lastActivity: f.answers?.last_attacker_activity_at ?? null,
    exfil: new Map((f.exfiltration ?? []).map((x: any) => [canonicalIp(x.dst_ip), Number(x.bytes)])),
    dbQueries: (f.db_queries ?? []).map((q: any) => ({ ts: q.ts, role: q.role ?? null, client: q.client ? canonicalIp(q.client) : null, application: q.application ?? null, statement: q.statement ?? '' })),
    data: (f.compromised_data ?? []).map((d: any) => ({ kind: d.kind, value: d.value, host: d.host ?? null, access: d.access ?? null, bytes: d.bytes ?? null })),
    credentials: (f.credentials_to_rotate ?? []).map((c: any) => ({ kind: c.kind, value: c.value, host: c.host ?? null })),
    timeline: (f.timeline ?? []).map((e: any) => ({ ts: e.ts, host: e.host ?? null, actor: e.actor ?? null, summary: e.summary ?? '' })),
  };
}

/** IPv4 as written; IPv4-mapped IPv6 as IPv4; other IPv6 compressed lower case (RFC 5952, as URL does it). */
function canonicalIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
const near = (got: string | null, want: string, seconds: number) => got !== null && Math.abs(Date.parse(got) - Date.parse(want)) <= seconds * 1000;
const within = (ts: string, from: string, to: string) => Date.parse(ts) >= Date.parse(from) && Date.parse(ts) < Date.parse(to);
const sameHost = (got: string | null, want: string | null | undefined) => want === undefined || want === null || got === want;

// ---- expected statements → tests ----------------------------------------------------------------

interface Statement {
  name: string;
  check: (o: Observed) => void;
}

function statements(x: Expected): Statement[] {
  const out: Statement[] = [];
  const add = (name: string, check: (o: Observed) => void) => out.push({ name, check });

  for (const a of x.attacker_ips) add(`names ${a.ip} as the attacker's (${a.role})`, (o) => expect([...o.ips]).toContain(canonicalIp(a.ip)));
  for (const h of x.victim_hosts) {
    add(`names ${h.host} a compromised host`, (o) => expect([...o.hosts.keys()]).toContain(h.host));
    for (const ip of h.addresses) add(`knows ${h.host} by its address ${ip}, learned from the evidence`, (o) => expect([...(o.hosts.get(h.host) ?? [])]).toContain(ip));
  }
  for (const c of x.compromised_accounts) {
    add(`finds ${c.kind} ${c.value}${c.host ? `@${c.host}` : ''} in the attacker's hands`, (o) =>
      expect(o.accounts.filter((a) => a.kind === c.kind && a.value === c.value && sameHost(a.host, c.host)), JSON.stringify(o.accounts)).not.toEqual([]));
  }
  for (const b of x.backdoors) {
    const find = (o: Observed) => o.backdoors.filter((d) => d.kind === b.kind && sameHost(d.host, b.host) && new RegExp(b.match).test(d.value));
    add(`finds the back door ${b.kind} ${b.value}${b.host ? ` on ${b.host}` : ''}`, (o) => expect(find(o), JSON.stringify(o.backdoors)).not.toEqual([]));
    if (b.used_after_containment !== undefined) {
      add(`says whether ${b.value} was used after containment (${b.used_after_containment})`, (o) => expect(find(o).map((d) => d.usedAfter)).toEqual(expect.arrayContaining([b.used_after_containment])));
    }
    if (b.attempted_after_containment !== undefined) {
      add(`says whether ${b.value} was tried after containment (${b.attempted_after_containment})`, (o) => expect(find(o).map((d) => d.attemptedAfter)).toEqual(expect.arrayContaining([b.attempted_after_containment])));
    }
  }
  add('lists each back door once', (o) => {
    const keys = o.backdoors.map((b) => `${b.kind} ${b.value} ${b.host}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
  if (x.first_recon) {
    const w = x.first_recon;
    add(`dates the first reconnaissance ${w.at} (±${w.tolerance_seconds} s)`, (o) => expect(near(o.firstRecon, w.at, w.tolerance_seconds), `got ${o.firstRecon}`).toBe(true));
  }
  add(`dates the initial access ${x.first_access.at} (±${x.first_access.tolerance_seconds} s)`, (o) =>
    expect(near(o.initialAccess, x.first_access.at, x.first_access.tolerance_seconds), `got ${o.initialAccess}`).toBe(true));
  add(`dates the last attacker activity ${x.last_activity.at} (±${x.last_activity.tolerance_seconds} s)`, (o) =>
    expect(near(o.lastActivity, x.last_activity.at, x.last_activity.tolerance_seconds), `got ${o.lastActivity}`).toBe(true));
  for (const e of x.exfiltration) {
    add(`measures ${e.bytes_min}–${e.bytes_max} bytes out to ${e.dst_ip}`, (o) => {
      const got = o.exfil.get(canonicalIp(e.dst_ip));
      expect(got, `exfiltration: ${JSON.stringify([...o.exfil])}`).toBeGreaterThanOrEqual(e.bytes_min);
      expect(got).toBeLessThanOrEqual(e.bytes_max);
    });
  }
  if (x.s3_read) {
    const s = x.s3_read;
    add(`counts ${s.objects} objects and ${s.bytes} bytes read from s3://${s.bucket}`, (o) => {
      const objs = o.data.filter((d) => d.kind === 's3_object' && d.value.startsWith(`s3://${s.bucket}/`));
      expect(objs.length).toBe(s.objects);
      expect(objs.reduce((n, d) => n + (d.bytes ?? 0), 0)).toBe(s.bytes);
    });
  }
  for (const q of x.db_queries) {
    add(`attributes "${q.contains}" by ${q.role} from ${q.client}${q.application ? ` (${q.application})` : ''} to the attacker`, (o) =>
      expect(o.dbQueries.filter((d) => d.role === q.role && d.client === q.client && (!q.application || d.application === q.application) && squash(d.statement).includes(squash(q.contains)))).not.toEqual([]));
  }
  for (const k of x.key_events) {
    add(`puts ${k.what} (${k.at}${k.host ? `, ${k.host}` : ''}) in the attacker's timeline`, (o) =>
      expect(o.timeline.filter((e) => near(e.ts, k.at, 1) && sameHost(e.host, k.host) && squash(e.summary).includes(squash(k.text)))).not.toEqual([]));
  }
  for (const d of x.compromised_data) {
    add(`lists ${d.kind} ${d.value} as compromised (${d.access.join(' or ')})`, (o) =>
      expect(o.data.filter((g) => g.kind === d.kind && g.value === d.value && sameHost(g.host, d.host) && d.access.includes(g.access ?? '')), JSON.stringify(o.data.filter((g) => g.kind !== 's3_object'))).not.toEqual([]));
  }
  for (const c of x.credentials_to_rotate) {
    add(`asks to rotate ${c.kind} ${c.value}${c.host ? ` on ${c.host}` : ''}`, (o) =>
      expect(o.credentials.filter((g) => g.kind === c.kind && g.value.endsWith(c.value) && sameHost(g.host, c.host)), JSON.stringify(o.credentials)).not.toEqual([]));
  }
  for (const n of x.must_not_report) out.push(notReported(n));
  return out;
}

function notReported(n: NotReported): Statement {
  switch (n.kind) {
    case 'ip':
      return { name: `does not blame ${n.value}: ${n.why}`, check: (o) => expect([...o.ips]).not.toContain(canonicalIp(n.value)) };
    case 'exfil_destination':
      return { name: `does not count traffic to ${n.value} as exfiltration: ${n.why}`, check: (o) => expect([...o.exfil.keys()]).not.toContain(canonicalIp(n.value)) };
    case 'host':
      return { name: `does not call ${n.value} compromised: ${n.why}`, check: (o) => expect([...o.hosts.keys()]).not.toContain(n.value) };
    case 'account':
      return {
        name: `does not call ${n.value}@${n.host} compromised: ${n.why}`,
        check: (o) => {
          expect(o.accounts.filter((a) => a.value === n.value && sameHost(a.host, n.host))).toEqual([]);
          expect(o.credentials.filter((c) => c.value === n.value && sameHost(c.host, n.host))).toEqual([]);
        },
      };
    case 'backdoor':
      return {
        name: `does not call ${n.backdoor_kind} /${n.match}/${n.host ? ` on ${n.host}` : ''} a back door: ${n.why}`,
        check: (o) => expect(o.backdoors.filter((b) => b.kind === n.backdoor_kind && sameHost(b.host, n.host) && new RegExp(n.match).test(b.value))).toEqual([]),
      };
    case 'db_session':
      return {
        name: `does not attribute ${n.role}'s queries from ${n.client}${n.application ? ` (${n.application})` : ''} to the attacker: ${n.why}`,
        check: (o) => expect(o.dbQueries.filter((q) => q.role === n.role && q.client === n.client && (!n.application || q.application === n.application) && within(q.ts, n.from, n.to))).toEqual([]),
      };
    case 'event':
      return {
        name: `keeps "${n.text}" events${n.actor ? ` of ${n.actor}` : ''}${n.host ? ` on ${n.host}` : ''} out of the attacker's timeline: ${n.why}`,
        check: (o) =>
          expect(o.timeline.filter((e) => sameHost(e.host, n.host) && (!n.actor || e.actor === n.actor) && squash(e.summary).includes(squash(n.text)) && within(e.ts, n.from, n.to))).toEqual([]),
      };
  }
}

// ---- the statements can pass and can fail --------------------------------------------------------

/** What findings that state exactly the expected statements would look like, through the adapter. */
function perfect(x: Expected): Observed {
  const s3 = x.s3_read;
  return {
    ips: new Set(x.attacker_ips.map((a) => canonicalIp(a.ip))),
    hosts: new Map(x.victim_hosts.map((h) => [h.host, new Set(h.addresses)])),
    accounts: x.compromised_accounts.map((c) => ({ kind: c.kind, value: c.value, host: c.host ?? null })),
    backdoors: x.backdoors.map((b) => ({ kind: b.kind, value: b.value, host: b.host, usedAfter: b.used_after_containment ?? null, attemptedAfter: b.attempted_after_containment ?? null })),
    firstRecon: x.first_recon?.at ?? null,
    initialAccess: x.first_access.at,
    lastActivity: x.last_activity.at,
    exfil: new Map(x.exfiltration.map((e) => [canonicalIp(e.dst_ip), e.bytes_min])),
    dbQueries: x.db_queries.map((q) => ({ ts: x.first_access.at, role: q.role, client: q.client, application: q.application ?? null, statement: q.contains })),
    data: [
      ...x.compromised_data.map((d) => ({ kind: d.kind, value: d.value, host: d.host ?? null, access: d.access[0]!, bytes: null })),
      ...(s3 ? Array.from({ length: s3.objects }, (_, i) => ({ kind: 's3_object', value: `s3://${s3.bucket}/${i}`, host: null, access: 'read', bytes: i === 0 ? s3.bytes : 0 })) : []),
    ],
    credentials: x.credentials_to_rotate.map((c) => ({ kind: c.kind, value: c.value, host: c.host ?? null })),
    timeline: x.key_events.map((k) => ({ ts: k.at, host: k.host, actor: null, summary: k.text })),
  };
}

/** The same findings, also blaming one look-alike. */
function blaming(o: Observed, n: NotReported): Observed {
  const b: Observed = { ...o, ips: new Set(o.ips), hosts: new Map(o.hosts), exfil: new Map(o.exfil), accounts: [...o.accounts], backdoors: [...o.backdoors], dbQueries: [...o.dbQueries], timeline: [...o.timeline] };
  switch (n.kind) {
    case 'ip': b.ips.add(canonicalIp(n.value)); break;
    case 'exfil_destination': b.exfil.set(canonicalIp(n.value), 1); break;
    case 'host': b.hosts.set(n.value, new Set()); break;
    case 'account': b.accounts.push({ kind: 'local_user', value: n.value, host: n.host }); break;
    case 'backdoor': b.backdoors.push({ kind: n.backdoor_kind, value: n.value, host: n.host ?? null, usedAfter: null, attemptedAfter: null }); break;
    case 'db_session': b.dbQueries.push({ ts: n.from, role: n.role, client: n.client, application: n.application ?? 'psql', statement: 'SELECT 1' }); break;
    case 'event': b.timeline.push({ ts: n.from, host: n.host ?? null, actor: n.actor ?? null, summary: n.text }); break;
  }
  return b;
}

const passes = (s: Statement, o: Observed) => {
  try {
    s.check(o);
    return true;
  } catch {
    return false;
  }
};

// ---- the fixture's own truth ------------------------------------------------------------------

/** Every file under `dir`, relative, with its text (gzip decompressed). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), (p.endsWith('.gz') ? gunzipSync(readFileSync(p)) : readFileSync(p)).toString('utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Addresses a statement says the evidence holds: the attacker's, and the benign ones that must not be blamed. */
function namedAddresses(x: Expected): string[] {
  const traps = x.must_not_report.flatMap((n) => (n.kind === 'ip' || n.kind === 'exfil_destination' ? [n.value] : []));
  return [...x.attacker_ips.map((a) => a.ip), ...traps];
}

// ---- the cases ---------------------------------------------------------------------------------

/** A case's responder run: its ingest steps in order, correlate, export; the findings observed. */
async function investigate(name: string, dir: string, expected: Expected, tmpPath: string): Promise<Observed> {
  const casePath = join(tmpPath, `${name}.duckdb`);
  for (const step of expected.ingest) {
    const r = await dwell(['ingest', '-q', '--case', casePath, ...step.args, ...step.paths.map((p) => join(dir, p))]);
    expect(r.code, r.stderr).toBe(0);
  }
  const c = expected.correlate;
  const args = ['correlate', '--case', casePath, ...c.seeds.flatMap((s) => ['--seed', s]), ...c.sensitive.flatMap((s) => ['--sensitive', s])];
  if (c.detected_at) args.push('--detected-at', c.detected_at);
  if (c.contained_at) args.push('--contained-at', c.contained_at);
  const cor = await dwell(args);
  expect(cor.code, cor.stderr).toBe(0);
  const out = join(tmpPath, 'findings.json');
  const exp = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'json', '-o', out]);
  expect(exp.code, exp.stderr).toBe(0);
  return observe(JSON.parse(readFileSync(out, 'utf8')));
}

/**
 * The cases' runs, each in a folder and case of its own: the first case's beforeAll starts all of
 * them side by side, each case's beforeAll waits for its own (and fails with its own error).
 */
const runs = new Map<string, () => Promise<Observed>>();
const started = new Map<string, Promise<Observed>>();
function observedOf(name: string): Promise<Observed> {
  if (!started.size) {
    for (const [n, start] of runs) {
      const p = start();
      p.catch(() => {}); // reported by that case's own beforeAll, not as an unhandled rejection
      started.set(n, p);
    }
  }
  return started.get(name)!;
}

for (const name of CASES) {
  const dir = join(ATTACKS, name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const gaps = KNOWN_GAPS[name] ?? {};

  describe(`independent attack ${name}`, () => {
    const tmp = tempDir('dwell-attack-');
    const casePath = join(tmp.path, `${name}.duckdb`);
    let observed: Observed;
    runs.set(name, () => investigate(name, dir, expected, tmp.path));

    beforeAll(async () => {
      observed = await observedOf(name);
    }, 600_000);
    afterAll(() => tmp.cleanup());

    describe('the fixture', () => {
      it('is what its generator writes (the evidence was not edited by hand)', () => {
        const out = join(tmp.path, 'regenerated');
        execFileSync(process.execPath, [join(dir, 'generate.mjs'), '--out', out], { cwd: ROOT });
        const want = snapshot(join(dir, 'evidence'));
        const got = snapshot(out);
        expect([...got.keys()]).toEqual([...want.keys()]);
        for (const [file, text] of want) expect(got.get(file) === text, file).toBe(true);
      });

      it('holds every address its statements name (attacker and traps alike)', async () => {
        for (const ip of namedAddresses(expected)) {
          const [row] = await query<{ n: number }>(casePath, 'SELECT count(*)::INTEGER AS n FROM events WHERE src_ip = $ip OR dst_ip = $ip OR command LIKE $like', { ip, like: `%${ip}%` });
          expect(row!.n, ip).toBeGreaterThan(0);
        }
      });

      it('holds every look-alike its statements name (accounts, database sessions, events, hosts)', async () => {
        for (const n of expected.must_not_report) {
          let sql: string | null = null;
          let params: Record<string, string> = {};
          if (n.kind === 'account') [sql, params] = ['actor = $v AND host = $h', { v: n.value, h: n.host }];
          else if (n.kind === 'host') [sql, params] = ['host = $v', { v: n.value }];
          else if (n.kind === 'db_session') [sql, params] = ['actor = $r AND src_ip = $c AND ts >= $f::TIMESTAMP AND ts < $t::TIMESTAMP', { r: n.role, c: n.client, f: n.from.replace('Z', ''), t: n.to.replace('Z', '') }];
          else if (n.kind === 'event') {
            sql = `summary ILIKE $x AND ts >= $f::TIMESTAMP AND ts < $t::TIMESTAMP${n.host ? ' AND host = $h' : ''}${n.actor ? ' AND actor = $a' : ''}`;
            params = { x: `%${n.text}%`, f: n.from.replace('Z', ''), t: n.to.replace('Z', ''), ...(n.host ? { h: n.host } : {}), ...(n.actor ? { a: n.actor } : {}) };
          }
          if (!sql) continue;
          const [row] = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM events WHERE ${sql}`, params);
          expect(row!.n, JSON.stringify(n)).toBeGreaterThan(0);
        }
      });

      it('states the exfiltrated bytes its flows carry', async () => {
        const victims = expected.victim_hosts.flatMap((h) => h.addresses);
        for (const e of expected.exfiltration) {
          // per sensor, then the largest: two sensors seeing one connection do not double it
          const rows = await query<{ source: string; bytes: number }>(
            casePath,
            `SELECT source, sum(bytes_out)::BIGINT AS bytes FROM events WHERE action = 'flow' AND dst_ip = $dst AND list_contains(string_split($victims, ','), src_ip) GROUP BY source`,
            { dst: e.dst_ip, victims: victims.join(',') },
          );
          const bytes = Math.max(...rows.map((r) => Number(r.bytes)));
          expect(bytes, e.dst_ip).toBeGreaterThanOrEqual(e.bytes_min);
          expect(bytes, e.dst_ip).toBeLessThanOrEqual(e.bytes_max);
        }
      });

      it('has evidence of the initial access at the stated time', async () => {
        const [row] = await query<{ n: number }>(
          casePath,
          `SELECT count(*)::INTEGER AS n FROM events WHERE outcome = 'success' AND abs(epoch(ts) - epoch($at::TIMESTAMP)) <= 1`,
          { at: expected.first_access.at.replace('Z', '') },
        );
        expect(row!.n).toBeGreaterThan(0);
      });
    });

    describe('the statements', () => {
      const all = statements(expected);
      const traps = new Set(expected.must_not_report.map((n) => notReported(n).name));
      it('all hold on findings that state exactly what expected.json says', () => {
        expect(all.filter((s) => !passes(s, perfect(expected))).map((s) => s.name)).toEqual([]);
      });
      it('each positive statement fails on empty findings', () => {
        const empty = observe({});
        expect(all.filter((s) => !traps.has(s.name) && s.name !== 'lists each back door once' && passes(s, empty)).map((s) => s.name)).toEqual([]);
      });
      it('each look-alike statement fails when its look-alike is blamed', () => {
        for (const n of expected.must_not_report) expect(passes(notReported(n), blaming(perfect(expected), n)), notReported(n).name).toBe(false);
      });
      it('the back-door statement fails on a back door listed twice', () => {
        const o = perfect(expected);
        const twice = { ...o, backdoors: [...o.backdoors, o.backdoors[0]!] };
        expect(passes(all.find((s) => s.name === 'lists each back door once')!, twice)).toBe(false);
      });
    });

    describe('the findings', () => {
      for (const s of statements(expected)) {
        const gap = gaps[s.name];
        if (gap) it.fails(`${s.name} — ${gap}`, () => s.check(observed));
        else it(s.name, () => s.check(observed));
      }
      it('lists no stale known gap (every KNOWN_GAPS entry names a statement of this case)', () => {
        const names = new Set(statements(expected).map((s) => s.name));
        expect(Object.keys(gaps).filter((g) => !names.has(g))).toEqual([]);
      });
    });
  });
}

