/**
 * expected.json: the ground truth in the findings schema (docs/findings.md), computed from the
 * attack's items as they were written (times as the evidence states them, files and lines where
 * they landed). Independent of --scale by construction: only attack items and fixed facts are used.
 */
import type { AttackFacts } from './attack.js';
import { ATTACKER, DB, HOSTS, IAM, INCIDENT } from './estate.js';
import type { Item, Phase, Source } from './model.js';
import type { Story } from './story.js';
import { key as markKey } from './story.js';
import { isoUtc } from './time.js';
import { traps } from './traps.js';

/** The event time a parser reads from the record (µs) and how many fraction digits the evidence has. */
export function evidenceTime(it: Item): { us: number; frac: 0 | 3 | 6 } {
  switch (it.sink) {
    case 'auth':
      return HOSTS[it.host].os === 'rhel9' ? { us: it.t, frac: 6 } : { us: Math.floor(it.t / 1e6) * 1e6, frac: 0 };
    case 'pg':
      return { us: Math.floor(it.t / 1000) * 1000, frac: 3 };
    case 'ct':
      return { us: Math.floor(it.t / 1e6) * 1e6, frac: 0 };
    case 'vpc':
      return { us: it.start, frac: 0 };
    case 'zeek':
      return { us: it.ts, frac: 6 };
  }
}

function iso(it: Item): string {
  const { us, frac } = evidenceTime(it);
  return isoUtc(us, frac);
}

function us(it: Item): number {
  return evidenceTime(it).us;
}

/** A substring of the record that identifies it (for tests: raw LIKE %…%). */
function rawContains(it: Item): string {
  switch (it.sink) {
    case 'auth':
      return `${it.program}${it.pid === null ? '' : `[${it.pid}]`}: ${it.msg}`;
    case 'pg':
      return `[${it.pid}] ${it.who ? it.who + ' ' : ''}${it.level}:  ${it.msg.split('\n')[0]!.slice(0, 200)}`;
    case 'ct':
      return String(it.rec.eventID);
    case 'vpc':
      return `${it.eni} ${it.src} ${it.dst} ${it.sport} ${it.dport} ${it.proto} ${it.pkts} ${it.bytes} ${Math.floor(it.start / 1e6)}`;
    case 'zeek':
      return it.uid;
  }
}

/** The text of the record, to find which items mention an entity. */
function text(it: Item): string {
  switch (it.sink) {
    case 'auth':
      return it.msg;
    case 'pg':
      return `${it.who ?? ''} ${it.msg}`;
    case 'ct':
      return JSON.stringify(it.rec);
    case 'vpc':
      return `${it.src} ${it.dst}`;
    case 'zeek':
      return `${it.orig} ${it.resp}`;
  }
}

/** A one-line description of a record that has no hand-written summary. */
function describe(it: Item): string {
  switch (it.sink) {
    case 'auth':
      return `${it.host} ${it.program}: ${it.msg}`.slice(0, 160);
    case 'pg':
      return `db-01 ${it.who ?? ''} ${it.level}: ${it.msg.split('\n')[0]}`.slice(0, 160);
    case 'ct':
      return `${String(it.rec.eventName)} from ${String(it.rec.sourceIPAddress)}`;
    case 'vpc':
      return `flow ${it.src}:${it.sport} → ${it.dst}:${it.dport} ${it.bytes} bytes (${it.action})`;
    case 'zeek':
      return `conn ${it.orig}:${it.origPort} → ${it.resp}:${it.respPort} ${it.service ?? it.proto} orig_ip_bytes ${it.origIpBytes}`;
  }
}

function sources(items: Item[]): Source[] {
  return [...new Set(items.map((it) => it.tag!.source!))].sort();
}

function span(items: Item[]): { first: Item; last: Item } {
  let first = items[0]!;
  let last = items[0]!;
  for (const it of items) {
    if (us(it) < us(first)) first = it;
    if (us(it) > us(last)) last = it;
  }
  markKey(first);
  markKey(last);
  return { first, last };
}

const byTime = <T extends { at: number; value?: string }>(a: T, b: T) => a.at - b.at || String(a.value ?? '').localeCompare(String(b.value ?? ''));

export function buildExpected(story: Story, facts: AttackFacts, seed: number): Record<string, unknown> {
  const S = story;
  const named = (k: string) => S.named.get(k)!;
  const all = S.items.filter((it) => it.tag?.evidence);
  const lastActivity = all.reduce((a, b) => (us(b) > us(a) ? b : a));
  markKey(lastActivity);
  const initial = named('initial_access');
  const phases: Phase[] = ['recon', 'access', 'actions', 'exfiltration'];

  const entities = S.entities.map((e) => {
    const group = (S.groups.get(e.key) ?? []).filter((it) => it.tag?.evidence);
    const needle = e.kind === 'iam_principal' || e.kind === 'session' ? e.value : e.kind === 'host' ? null : e.value;
    const items = needle ? group.filter((it) => text(it).includes(needle)) : group;
    if (items.length === 0) throw new Error(`entity ${e.key} has no evidence`);
    const { first, last } = span(items);
    return { at: us(first), value: e.value, out: { kind: e.kind, value: e.value, host: e.host, roles: e.roles, first_seen: iso(first), last_seen: iso(last), reason: e.reason, sources: sources(items) } };
  }).sort(byTime).map((x) => x.out);

  const backdoors = S.backdoors.map((b) => {
    markKey(b.created);
    for (const a of b.afterContainment) markKey(a.item);
    return {
      at: us(b.created), value: b.value,
      out: {
        kind: b.kind, value: b.value, host: b.host, created_at: iso(b.created), created_by: b.createdBy,
        used_after_containment: b.afterContainment.some((a) => a.success),
        attempted_after_containment: b.afterContainment.length > 0,
        after_containment: b.afterContainment.map((a) => ({ at: iso(a.item), success: a.success })),
        removed: b.removedBy ?? null,
      },
    };
  }).sort(byTime).map((x) => x.out);

  const data = S.data.map((d) => {
    const { first, last } = span(d.items);
    return { at: us(first), value: d.value, out: { kind: d.kind, value: d.value, host: d.host, access: d.access, rows: d.rows, bytes: d.bytes, first: iso(first), last: iso(last), events: d.items.length, sources: sources(d.items) } };
  }).sort(byTime).map((x) => x.out);

  const credentials = S.credentials.map((c) => {
    const { first } = span(c.items);
    return { at: us(first), value: c.value, out: { kind: c.kind, value: c.value, host: c.host, reason: c.reason } };
  }).sort(byTime).map((x) => x.out);

  const ips = [...S.ipRoles].map(([ip, roles]) => {
    const e = S.entities.find((x) => x.kind === 'ip' && x.value === ip)!;
    const items = (S.groups.get(e.key) ?? []).filter((it) => it.tag?.evidence && text(it).includes(ip));
    const { first, last } = span(items);
    return { at: us(first), value: ip, out: { ip, roles: [...roles].sort(), first_seen: iso(first), last_seen: iso(last) } };
  }).sort(byTime).map((x) => x.out);

  const exfiltration = [...S.exfil].map(([dst, x]) => {
    const vpc = x.vpc.filter((v) => v.tag?.evidence);
    const { first, last } = span(vpc);
    for (const z of x.zeek) markKey(z);
    const bytes = vpc.reduce((s, v) => s + v.bytes!, 0);
    return {
      at: us(first), value: dst,
      out: {
        dst_ip: dst, bytes, first: iso(first), last: iso(last), sources: ['vpc_flow', 'zeek_conn'], from_hosts: [...x.hosts].sort(),
        zeek_orig_ip_bytes: x.zeek.reduce((s, z) => s + z.origIpBytes, 0),
        zeek_orig_bytes: x.zeek.reduce((s, z) => s + (z.origBytes ?? 0), 0),
        connections: x.zeek.length,
      },
    };
  }).sort(byTime).map((x) => x.out);

  const dbQueries = S.dbQueries.map((q) => ({
    at: us(q.item),
    out: { ts: iso(q.item), database: q.database, role: q.role, client: q.client, session_pid: q.session, tables: q.tables, classification: q.classification, rows: null, statement: q.statement },
  })).sort(byTime).map((x) => x.out);

  const mapping = S.mapping.map((m) => {
    const { first, last } = span(m.items);
    return { src: m.src, targets: m.targets.size, ports: [...m.ports].sort((a, b) => a - b), first: iso(first), last: iso(last) };
  });

  const gaps = S.gaps.map((g) => {
    markKey(g.from);
    markKey(g.to);
    return { source: g.source, from: iso(g.from), to: iso(g.to), reason: g.reason };
  });

  const phaseList = phases.map((p) => {
    const items = all.filter((it) => it.tag!.phase === p);
    const { first, last } = span(items);
    return { phase: p, first: iso(first), last: iso(last), records: items.length };
  });

  const firstRecon = all.filter((it) => it.tag!.phase === 'recon').reduce((a, b) => (us(b) < us(a) ? b : a));
  markKey(initial);
  const answers = {
    first_recon_at: iso(firstRecon),
    initial_access_at: iso(initial),
    initial_access_vector: `ssh password brute force of deploy@bastion-01 from ${ATTACKER.sshIp}`,
    detected_at: isoUtc(INCIDENT.detectedAt),
    last_attacker_activity_at: iso(lastActivity),
    contained_at: isoUtc(INCIDENT.containedAt),
    dwell_time_seconds: Math.round((INCIDENT.detectedAt - us(initial)) / 1e6),
    access_duration_seconds: Math.round((us(lastActivity) - us(initial)) / 1e6),
  };

  const counts: Record<Source, number> = { auth_log: 0, postgresql: 0, cloudtrail: 0, vpc_flow: 0, zeek_conn: 0 };
  for (const it of all) counts[it.tag!.source!]++;

  // Host logs and Zeek rotate by time, so their file does not depend on --scale; S3 deliveries
  // (CloudTrail, VPC) are grouped per interval, and line numbers always depend on the background.
  const stableFile = (it: Item) => (it.sink === 'auth' || it.sink === 'pg' || it.sink === 'zeek' ? it.tag!.evidence!.file : null);
  const keyEvents = all.filter((it) => it.tag!.key).sort((a, b) => us(a) - us(b) || a.seq! - b.seq!).map((it) => ({
    ts: iso(it), source: it.tag!.source, host: it.tag!.host ?? null, file: stableFile(it), phase: it.tag!.phase, technique: it.tag!.technique,
    summary: it.tag!.summary ?? describe(it), raw_contains: rawContains(it),
  }));

  return {
    schema: 'dwell.findings/v1',
    kind: 'scenario_ground_truth',
    scenario: 'acme-shop new-year breach 2025-12-30 … 2026-01-02',
    generator: { seed, command: `npm run gen:scenario -- --out DIR --seed ${seed} --scale S (any S: this file does not change)` },
    ingest: { tz: 'Europe/Berlin', year: 2025 },
    seed: { kind: 'ip', value: ATTACKER.sshIp },
    alternate_seeds: [{ kind: 'access_key', value: IAM.opsKey }],
    parameters: {
      detected_at: isoUtc(INCIDENT.detectedAt),
      contained_at: isoUtc(INCIDENT.containedAt),
      sensitive: ['db:public.customers', 'db:public.orders', 'db:public.payment_methods', 's3:acme-customer-exports', 's3:acme-backups'],
    },
    answers,
    phases: phaseList,
    entities,
    backdoors,
    compromised_data: data,
    credentials_to_rotate: credentials,
    ips,
    exfiltration,
    db_queries: dbQueries,
    network_mapping: mapping,
    gaps,
    attacker_records: counts,
    key_events: keyEvents,
    traps: traps(seed),
    notes: [
      'Times are UTC as the evidence states them: seconds for syslog, CloudTrail and VPC records, milliseconds for PostgreSQL, microseconds for RFC 3339 syslog and Zeek.',
      'rows is null for database tables: PostgreSQL statement logging does not record row counts.',
      'exfiltration.bytes is the sum of the VPC flow records from the estate host to the destination (IP bytes); the Zeek records of the same connections carry the same orig_ip_bytes.',
      `The CloudTrail gap is real: no record between StopLogging and StartLogging; what the attacker did then is not in the evidence and not in this file.`,
      'key_events[] are the notable attacker records: raw_contains is a substring of exactly that record (auth: program[pid]: message; PostgreSQL: [pid] user@db LEVEL:  message; CloudTrail: its eventID; VPC: the record\'s fields; Zeek: its uid), file is its file relative to the evidence folder where that does not depend on --scale (host logs, PostgreSQL, Zeek).',
      `The database role ${DB.appRole} is the application's and the attacker's: only the attacker's psql sessions belong in db_queries.`,
    ],
    created_keys: { access_key: facts.createdKey, console_session_key: facts.consoleKey, role_session_keys: facts.sessionKeys },
  };
}
