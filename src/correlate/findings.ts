/**
 * Turns the footprint into `dwell.findings/v1` (docs/findings.md): the runbook's answers, the
 * attacker's entities and timeline, back doors, compromised data, credentials to rotate, addresses,
 * exfiltration and the gaps in the evidence. Deterministic: everything is sorted.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isoFromMicros } from '../core/time.js';
import { inGroup, isCloudCall } from '../core/vocabulary.js';
import { all } from '../store/case-db.js';
import { PLAUSIBLE_FROM_US, UNTRUSTED_TIME_SQL } from './case-view.js';
import { cloudEventName, EVENT_FIELDS, eventFields, parseAttrs, type EventRow } from './classify.js';
import type { Seed } from './model.js';
import { FINDINGS_SCHEMA, type AnnotationOut, type Answers, type Backdoor, type CompromisedItem, type Credential, type DbQuery, type DetectionOut, type EntityOut, type Exfiltration, type Findings, type Gap, type HostAddress, type RulesParameters, type SeedProvenance, type TimelineItem, type TimeUncertainty } from './findings-types.js';
import { CREDENTIAL_FILE_PATTERNS, CREDENTIAL_FILE_RE, FILE_READ_COMMAND, isPrivateIp, SENSITIVE_CONFIG_FILE, THRESHOLDS } from './knowledge.js';
import type { PersistenceFound } from './links/persistence.js';
import { transferBytes, transfersOut } from './transfers.js';
import { foldIntoCreatedAccounts } from './backdoor-accounts.js';
import type { Entity, Footprint } from './model.js';
import { PHASES } from './rules.js';
import type { RuleResult } from './run-rules.js';

export { FINDINGS_SCHEMA };
export type { Findings };

export interface FindingsParams {
  seeds: Seed[];
  seedsUsed: { kind: string; value: string; reason: string }[];
  detectedAtUs: number | null;
  containedAtUs: number | null;
  sensitive: string[];
  /** Relative and implausible times were kept in the correlation. */
  includeRelative: boolean;
  /** Events each seed matched directly, in the order of seedsUsed. */
  seedMatches: number[];
  /** Rule options, when any was given (--rules, --rule-param, --disable, --min-level). */
  rules?: RulesParameters;
}

export const iso = (us: number | null | undefined): string | null => (us === null || us === undefined ? null : isoFromMicros(us).replace(/\.000Z$/, 'Z'));

interface TimelineRow extends EventRow {
  path: string;
  sha256: string | null;
  line: number;
  summary: string;
  time_quality: string;
}

export async function buildFindings(
  conn: DuckDBConnection,
  fp: Footprint,
  params: FindingsParams,
  rules: RuleResult[],
  dwellVersion: string,
  mapping: { src: string; host: string; targets: Set<string>; ports: Set<number>; firstUs: number; lastUs: number; eventIds: number[] }[] = [],
  failedStatements: Set<number> = new Set(),
  persistence: PersistenceFound[] = [],
): Promise<Findings> {
  const ids = [...fp.events.keys()].sort((a, b) => a - b);
  const rows = ids.length
    ? await all<TimelineRow>(
        conn,
        `SELECT ${eventFields('e')}, e.summary, e.time_quality, v.path, v.sha256, e.line
         FROM ev e JOIN evidence v USING (evidence_id) WHERE e.event_id IN (SELECT unnest($ids::BIGINT[])) ORDER BY e.ts, e.event_id`,
        { ids: `[${ids.join(',')}]` } as never,
      )
    : [];
  const timeline = rows.map((r): TimelineItem => {
    const a = fp.events.get(r.event_id)!;
    return {
      event_id: r.event_id,
      ts: iso(r.ts_us),
      phase: a.phase,
      technique: a.technique,
      source: r.source,
      host: r.host,
      actor: r.actor,
      src_ip: r.src_ip,
      summary: r.summary,
      reason: a.reason,
      time_quality: r.time_quality,
      evidence: { file: r.path, sha256: r.sha256, line: r.line },
    };
  });

  const phaseOf = (r: EventRow) => fp.events.get(r.event_id)!.phase;
  const phases = PHASES.map((phase) => {
    const evs = rows.filter((r) => phaseOf(r) === phase);
    return { phase, first: iso(evs[0]?.ts_us), last: iso(evs[evs.length - 1]?.ts_us), events: evs.length };
  });

  // Answers.
  const accessEvents = rows.filter((r) => phaseOf(r) === 'access' && r.outcome === 'success' && isAccessSuccess(r));
  const initial = accessEvents[0] ?? null;
  const reconFirst = rows.find((r) => phaseOf(r) === 'recon') ?? null;
  const last = rows[rows.length - 1] ?? null;
  const initialUs = initial?.ts_us ?? null;
  const answers: Answers = {
    first_recon_at: iso(reconFirst?.ts_us),
    initial_access_at: iso(initialUs),
    initial_access_vector: initial ? describeAccess(initial, rows) : null,
    detected_at: iso(params.detectedAtUs),
    last_attacker_activity_at: iso(last?.ts_us),
    contained_at: iso(params.containedAtUs),
    dwell_time_seconds: initialUs !== null && params.detectedAtUs !== null ? Math.round((params.detectedAtUs - initialUs) / 1e6) : null,
    access_duration_seconds: initialUs !== null && last ? Math.round((last.ts_us - initialUs) / 1e6) : null,
  };

  const entities = [...fp.entities.values()]
    .filter((e) => e.eventIds.size > 0 || e.reason === 'seed')
    .map((e) => entityOut(e))
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : (a.host ?? '') < (b.host ?? '') ? -1 : 1));

  const dbQueries = rows
    .filter((r) => r.class === 'datastore_activity' && r.command)
    .map((r): DbQuery => {
      const sql = (parseAttrs(r).sql ?? {}) as Record<string, any>;
      return {
        event_id: r.event_id,
        ts: iso(r.ts_us),
        database: r.database,
        role: r.actor,
        client: r.src_ip,
        application: (parseAttrs(r).application_name as string | undefined) ?? null,
        session: r.session,
        tables: uniq([...(sql.tables_read ?? []), ...(sql.tables_written ?? [])]),
        classification: dbClassification(sql),
        rows: r.rows,
        statement: r.command,
      };
    });

  const backdoors = buildBackdoors(rows, fp, params.containedAtUs, failedStatements, persistence);
  const compromised = buildCompromisedData(rows, params.sensitive);
  const credentials = buildCredentials(rows, fp);
  const ips = [...fp.entities.values()]
    .filter((e) => e.kind === 'ip' && !isPrivateIp(e.value) && e.eventIds.size > 0)
    .map((e) => ({ ip: e.value, roles: [...e.roles].sort(), first_seen: iso(e.firstSeenUs), last_seen: iso(e.lastSeenUs) }))
    .sort((a, b) => (a.ip < b.ip ? -1 : 1));
  const exfilIps = new Set([...fp.entities.values()].filter((e) => e.kind === 'ip' && e.roles.has('exfil_destination')).map((e) => e.value));
  const exfiltration = buildExfiltration(rows, exfilIps);
  const gaps = await buildGaps(conn, rows, initialUs, last?.ts_us ?? null);
  const annotations = await all<AnnotationOut>(
    conn,
    `SELECT event_id, kind, text, author, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at FROM annotations ORDER BY created_at, annotation_id`,
  );
  const caseInfo = await all<{ events: number; files: number; from_us: number | null; to_us: number | null }>(
    conn,
    `SELECT (SELECT count(*) FROM events)::BIGINT AS events, (SELECT count(*) FROM evidence)::INTEGER AS files,
            (SELECT epoch_us(min(ts)) FROM events) AS from_us, (SELECT epoch_us(max(ts)) FROM events) AS to_us`,
  );
  const sources = await all<{ source: string }>(conn, `SELECT DISTINCT source FROM events ORDER BY source`);

  const uncertainty = {
    time: await timeUncertainty(conn, rows, params.includeRelative),
    seeds: params.seedsUsed.map((s, i): SeedProvenance => ({ kind: s.kind, value: s.value, provenance: s.reason === 'given' ? 'given' : 'proposed', reason: s.reason, matched_events: params.seedMatches[i] ?? 0 })),
    gaps: gaps.length,
  };

  return {
    schema: FINDINGS_SCHEMA,
    generated_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    dwell_version: dwellVersion,
    case: {
      events: caseInfo[0]?.events ?? 0,
      evidence_files: caseInfo[0]?.files ?? 0,
      sources: sources.map((s) => s.source),
      from: iso(caseInfo[0]?.from_us),
      to: iso(caseInfo[0]?.to_us),
    },
    parameters: {
      seeds: params.seeds.map((s) => ({ kind: s.kind, value: s.value, ...(s.host ? { host: s.host } : {}) })),
      seeds_used: params.seedsUsed,
      detected_at: iso(params.detectedAtUs),
      contained_at: iso(params.containedAtUs),
      sensitive: params.sensitive,
      include_relative: params.includeRelative,
      ...(params.rules ? { rules: params.rules } : {}),
    },
    answers,
    entities,
    phases,
    timeline,
    db_queries: dbQueries,
    backdoors,
    compromised_data: compromised,
    credentials_to_rotate: credentials,
    ips,
    exfiltration,
    network_mapping: mapping
      .map((m) => ({ src: m.src, host: m.host, targets: m.targets.size, ports: [...m.ports].sort((a, b) => a - b), first: iso(m.firstUs), last: iso(m.lastUs), event_ids: [...m.eventIds].sort((a, b) => a - b) }))
      .sort((a, b) => ((a.first ?? '') < (b.first ?? '') ? -1 : 1)),
    gaps,
    detections: rules
      .filter((r) => r.hits > 0 || r.error)
      .map((r): DetectionOut => ({
        rule_id: r.rule.id,
        title: r.rule.title,
        phase: r.rule.phase,
        technique: r.rule.technique,
        level: r.rule.level,
        hits: r.hits,
        keys: r.keys,
        first: r.first,
        last: r.last,
        ...(r.error ? { error: r.error } : {}),
      })),
    annotations,
    notes: fp.notes,
    host_addresses: hostAddresses(fp),
    uncertainty,
  };
}

/** Each compromised host's addresses (and the other names the evidence gives the machine), with why. */
function hostAddresses(fp: Footprint): HostAddress[] {
  const out: HostAddress[] = [];
  for (const h of fp.ofKind('host')) {
    for (const a of fp.hosts.addressesOf(h.value)) out.push({ ip: a.ip, host: h.value, how: a.how, reason: a.reason });
    for (const a of fp.hosts.aliasesOf(h.value)) out.push({ ip: a.ip, host: a.alias, how: a.how, reason: `${a.reason} (the same machine as ${h.value})` });
  }
  return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.how < b.how ? -1 : 1));
}

const TIME_NOTES: Record<string, string> = {
  year_inferred: "the source wrote no year: it was inferred from the file's modification time (and December→January roll-overs); no zone either, --tz was applied",
  zone_assumed: 'the source wrote no time zone: --tz (default UTC) was applied',
  relative: "the source's clock is relative (e.g. seconds since a capture started): the dates are not real",
  implausible: 'a time before 1990 or after the day of ingest: a zeroed or broken clock',
};

/**
 * Events whose time is less than exact, per source and quality: how many, when, how many of them
 * are in the attacker timeline, and whether they were left out of the correlation.
 */
async function timeUncertainty(conn: DuckDBConnection, rows: TimelineRow[], includeRelative: boolean): Promise<TimeUncertainty[]> {
  const groups = await all<{ source: string; q: string; n: number; from_us: number | null; to_us: number | null }>(
    conn,
    `SELECT source, CASE WHEN ${UNTRUSTED_TIME_SQL} AND time_quality NOT IN ('relative', 'implausible')
                         THEN (CASE WHEN attrs->>'relative_time' = 'true' THEN 'relative' ELSE 'implausible' END) ELSE time_quality END AS q,
            count(*)::BIGINT AS n, epoch_us(min(ts)) AS from_us, epoch_us(max(ts)) AS to_us
     FROM events WHERE time_quality <> 'exact' OR ${UNTRUSTED_TIME_SQL} GROUP BY ALL ORDER BY source, q`,
  );
  const attacker = new Map<string, number>();
  for (const r of rows) {
    const q = r.ts_us < PLAUSIBLE_FROM_US && r.time_quality !== 'relative' && r.time_quality !== 'implausible' ? (parseAttrs(r).relative_time === true ? 'relative' : 'implausible') : r.time_quality;
    if (q !== 'exact') attacker.set(`${r.source}|${q}`, (attacker.get(`${r.source}|${q}`) ?? 0) + 1);
  }
  return groups.map((g) => ({
    source: g.source,
    time_quality: g.q,
    events: g.n,
    attacker_events: attacker.get(`${g.source}|${g.q}`) ?? 0,
    from: iso(g.from_us),
    to: iso(g.to_us),
    left_out: !includeRelative && (g.q === 'relative' || g.q === 'implausible'),
    note: (TIME_NOTES[g.q] ?? g.q) + (!includeRelative && (g.q === 'relative' || g.q === 'implausible') ? '; left out of the answers and the timeline (--include-relative keeps them)' : ''),
  }));
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)].sort();
}

function entityOut(e: Entity): EntityOut {
  return {
    kind: e.kind,
    value: e.value,
    host: e.host,
    roles: [...e.roles].sort(),
    first_seen: iso(e.firstSeenUs),
    last_seen: iso(e.lastSeenUs),
    reason: e.reason,
    event_ids: [...e.eventIds].sort((a, b) => a - b),
  };
}

function isAccessSuccess(r: EventRow): boolean {
  if (isCloudCall(r.action)) return true;
  return inGroup('access_granted', r.action);
}

function describeAccess(initial: EventRow, rows: EventRow[]): string {
  if (inGroup('remote_login', initial.action)) {
    const fails = rows
      .filter((r) => r.src_ip === initial.src_ip && r.ts_us < initial.ts_us && /^(ssh_login_failed|ssh_invalid_user)$/.test(r.action))
      .reduce((n, r) => n + (Number(parseAttrs(r).repeated) || 1), 0);
    const method = parseAttrs(initial).method as string | undefined;
    const what = `ssh ${method ? `${method} ` : ''}${fails >= THRESHOLDS.bruteForceVector ? 'brute force' : 'login'}`;
    const account = initial.actor && initial.host ? `${initial.actor}@${initial.host}` : `${initial.actor ?? 'an account'} on ${initial.host ?? initial.dst_ip ?? '?'}${initial.dst_port ? ` port ${initial.dst_port}` : ''}`;
    const unseen = initial.actor ? '' : ' (the account is not visible to the source)';
    return `${what} of ${account} from ${initial.src_ip}${fails >= THRESHOLDS.bruteForceVector ? ` (${fails} failed attempts before)` : ''}${unseen}`;
  }
  if (isCloudCall(initial.action)) return `${cloudEventName(initial)} with access key ${initial.access_key ?? '?'} from ${initial.src_ip ?? '?'}`;
  return `${initial.action} of ${initial.actor ?? '?'} on ${initial.host ?? '?'} from ${initial.src_ip ?? '?'}`;
}

function dbClassification(sql: Record<string, any>): string[] {
  const out: string[] = [];
  if (sql.catalog_recon) out.push('catalog_recon');
  if (sql.unfiltered_read) out.push('bulk_read');
  if (sql.exports || sql.data_export) out.push('export');
  if (sql.privilege_change) out.push('privilege_change');
  if (sql.destructive) out.push('destructive');
  if (out.length === 0 && sql.type) out.push(String(sql.type));
  return out;
}

/** Credential files and configuration files: what a read in an attacker session exposed. */
const SECRET_FILES = new RegExp(`${CREDENTIAL_FILE_RE}|(${SENSITIVE_CONFIG_FILE})`, 'g');

function buildCompromisedData(rows: EventRow[], sensitive: string[]): CompromisedItem[] {
  type Item = { kind: string; value: string; host: string | null; access: string; rows: number | null; bytes: number | null; firstUs: number; lastUs: number; event_ids: number[] };
  const items = new Map<string, Item>();
  // One line per item, with the strongest access seen (an exported table was also read).
  const strength: Record<string, number> = { read: 0, write: 1, bulk_read: 2, delete: 3, export: 4 };
  const add = (kind: string, value: string, host: string | null, access: string, r: EventRow, rowsN: number | null, bytes: number | null) => {
    const key = `${kind}|${host ?? ''}|${value}`;
    const it = items.get(key) ?? { kind, value, host, access, rows: null, bytes: null, firstUs: r.ts_us, lastUs: r.ts_us, event_ids: [] };
    if ((strength[access] ?? 0) > (strength[it.access] ?? 0)) it.access = access;
    it.firstUs = Math.min(it.firstUs, r.ts_us);
    it.lastUs = Math.max(it.lastUs, r.ts_us);
    if (rowsN !== null) it.rows = (it.rows ?? 0) + rowsN;
    if (bytes !== null) it.bytes = (it.bytes ?? 0) + bytes;
    it.event_ids.push(r.event_id);
    items.set(key, it);
  };
  for (const r of rows) {
    if ((r.action === 'sudo' || r.action === 'cron_command') && r.command && FILE_READ_COMMAND.test(r.command)) {
      for (const m of r.command.matchAll(SECRET_FILES)) add('file', m[0], r.host, 'read', r, null, null);
    }
    if (isCloudCall(r.action) && r.outcome !== 'failure') {
      const name = cloudEventName(r);
      if (name === 'GetObject' && r.target) add('s3_object', r.target, null, 'read', r, null, r.bytes_out);
      if ((name === 'GetSecretValue' || name === 'BatchGetSecretValue') && r.target) add('secret', r.target, null, 'read', r, null, null);
      if (/^GetParameters?$/.test(name) && r.target) add('secret', r.target, null, 'read', r, null, null);
    }
    if (r.class === 'datastore_activity') {
      const sql = (parseAttrs(r).sql ?? {}) as Record<string, any>;
      const reads: string[] = sql.tables_read ?? [];
      const writes: string[] = sql.tables_written ?? [];
      const access = sql.exports || sql.data_export ? 'export' : sql.unfiltered_read ? 'bulk_read' : 'read';
      // Counting rows reads no data: sizing queries are reconnaissance, not compromise.
      const aggregateOnly = !!r.command && /^\s*select\s+count\s*\(/i.test(r.command) && !sql.unfiltered_read && !sql.exports;
      if (!aggregateOnly) for (const t of reads) if (!/^(pg_catalog|information_schema|mysql|performance_schema|sys)\./.test(t)) add('db_table', t, r.host, access, r, r.rows, null);
      for (const t of writes) add('db_table', t, r.host, sql.destructive ? 'delete' : 'write', r, r.rows, null);
    }
  }
  void sensitive;
  return [...items.values()]
    .sort((a, b) => a.firstUs - b.firstUs || (a.value < b.value ? -1 : 1))
    .map((it) => ({ kind: it.kind, value: it.value, host: it.host, access: it.access, rows: it.rows, bytes: it.bytes, first: iso(it.firstUs), last: iso(it.lastUs), event_ids: it.event_ids.sort((a, b) => a - b) }));
}

function buildCredentials(rows: EventRow[], fp: Footprint): Credential[] {
  const out = new Map<string, { kind: string; value: string; host: string | null; reason: string; event_ids: number[] }>();
  const add = (kind: string, value: string, host: string | null, reason: string, ids: number[]) => {
    const key = `${kind}|${host ?? ''}|${value}`;
    const prior = out.get(key);
    if (prior) prior.event_ids.push(...ids);
    else out.set(key, { kind, value, host, reason, event_ids: [...ids] });
  };
  for (const e of fp.entities.values()) {
    if (e.eventIds.size === 0) continue;
    const ids = [...e.eventIds];
    if (e.kind === 'local_user' && !e.createdByAttacker) add('local_password', e.value, e.host, 'account used by the attacker', ids);
    // Temporary keys (ASIA…) expire on their own; the long-term keys behind them are what to rotate.
    if (e.kind === 'access_key' && !e.createdByAttacker && !e.value.startsWith('ASIA')) add('access_key', e.value, null, 'used by the attacker', ids);
    if (e.kind === 'access_key' && e.createdByAttacker && e.roles.has('backdoor')) add('access_key', e.value, null, 'created by the attacker: delete it', ids);
    if (e.kind === 'db_role') add('db_password', e.value, e.host, e.createdByAttacker ? 'database role created by the attacker: drop it' : 'database role used by the attacker', ids);
  }
  for (const r of rows) {
    if (inGroup('host_command', r.action) && r.command) {
      for (const c of CREDENTIAL_FILE_PATTERNS) {
        const m = c.re.exec(r.command);
        if (m) add(c.kind, m[0], r.host, `${m[0]} was read: ${c.what}`, [r.event_id]);
      }
    }
    if (isCloudCall(r.action) && r.outcome !== 'failure' && /^(GetSecretValue|BatchGetSecretValue)$/.test(cloudEventName(r)) && r.target) add('secret', r.target, null, 'secret value read by the attacker', [r.event_id]);
    if (isCloudCall(r.action) && r.outcome !== 'failure' && /^(CreateLoginProfile|UpdateLoginProfile)$/.test(cloudEventName(r))) {
      const user = (parseAttrs(r).request_parameters ?? {}).userName ?? r.target;
      if (user) add('iam_user_password', String(user), null, 'console password set by the attacker', [r.event_id]);
    }
    // Keys the attacker logged in with: whoever holds them can come back.
    if (inGroup('remote_login', r.action) && r.outcome === 'success') {
      const fpr = parseAttrs(r).key_fingerprint as string | undefined;
      // The private key lives where the login came from: the source host for lateral movement.
      const holder = fp.hostOf(r.src_ip) ?? (isPrivateIp(r.src_ip) ? null : 'the attacker');
      if (fpr) add('ssh_key', fpr, holder === 'the attacker' ? null : holder ?? r.host, `SSH key ${r.actor} logged in with to ${r.host} from ${r.src_ip ?? '?'}${holder && holder !== 'the attacker' ? ` (held on ${holder})` : ''}`, [r.event_id]);
    }
  }
  // A file of credentials needs no line of its own when the credential it held is already listed.
  const listed = (kind: string) => [...out.values()].some((c) => c.kind === kind && !c.value.includes('/'));
  for (const [key, c] of out) if (c.value.includes('/') && c.kind !== 'ssh_key' && c.kind !== 'local_password' && listed(c.kind)) out.delete(key);
  return [...out.values()].map((c) => ({ ...c, event_ids: [...new Set(c.event_ids)].sort((a, b) => a - b) })).sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : 1));
}

function buildBackdoors(rows: EventRow[], fp: Footprint, containedAtUs: number | null, failedStatements: Set<number>, persistence: PersistenceFound[]): Backdoor[] {
  type B = { kind: string; value: string; host: string | null; created_at: string | null; created_by: string | null; used_after_containment: boolean; attempted_after_containment: boolean; event_ids: number[] };
  const out: B[] = [];
  // What the attacker's commands installed (links/persistence.ts): cron tables and files, units, rc files, groups, passwords.
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  for (const p of persistence) {
    const r = byId.get(p.eventId);
    if (!r) continue;
    const by = p.actor === 'root' || p.actor === null ? (sessionUser(fp, r) ?? p.actor) : p.actor;
    out.push({ kind: p.kind, value: p.value, host: p.host, created_at: iso(p.tsUs), created_by: by, used_after_containment: false, attempted_after_containment: false, event_ids: [p.eventId] });
  }
  const after = (ids: Iterable<number>, okOnly: boolean) =>
    containedAtUs !== null &&
    [...ids].some((id) => {
      const ev = fp.events.get(id);
      const row = rows.find((r) => r.event_id === id);
      return ev && ev.tsUs >= containedAtUs && row && (!okOnly || row.outcome === 'success') && row.class !== 'account_change';
    });
  for (const r of rows) {
    if (r.action === 'user_created' && r.outcome === 'success' && r.target) {
      const ent = fp.get('local_user', r.target, r.host);
      const creator = rows.filter((x) => x.host === r.host && x.action === 'sudo' && x.ts_us <= r.ts_us).pop();
      const useIds = ent ? [...ent.eventIds].filter((id) => id !== r.event_id) : [];
      out.push({ kind: 'local_user', value: r.target, host: r.host, created_at: iso(r.ts_us), created_by: creator?.actor ?? null, used_after_containment: after(useIds, true), attempted_after_containment: after(useIds, false), event_ids: [r.event_id, ...useIds].sort((a, b) => a - b) });
    }
    if (inGroup('host_command', r.action) && r.command && /authorized_keys/.test(r.command) && /(>>|>|tee|cp |mv )/.test(r.command)) {
      const file = (r.command.match(/[~\w./-]*authorized_keys\d?/) ?? ['authorized_keys'])[0];
      const key = (r.command.match(/(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+) \S+( [^'">\n]+)?/) ?? [null])[0];
      out.push({ kind: 'ssh_authorized_key', value: key ? `${file}: ${key.trim()}` : file, host: r.host, created_at: iso(r.ts_us), created_by: r.actor, used_after_containment: false, attempted_after_containment: false, event_ids: [r.event_id] });
    }
    if (isCloudCall(r.action) && r.outcome !== 'failure') {
      const name = cloudEventName(r);
      const a = parseAttrs(r);
      const req = (a.request_parameters ?? {}) as Record<string, any>;
      const kind = name === 'CreateAccessKey' ? 'iam_access_key' : name === 'CreateUser' ? 'iam_user' : /^(CreateLoginProfile|UpdateLoginProfile)$/.test(name) ? 'iam_login_profile' : /^(CreateRole|UpdateAssumeRolePolicy)$/.test(name) ? 'iam_role' : null;
      if (!kind) continue;
      const account = (a.recipient_account ?? a.account) as string | undefined;
      const userArn = req.userName && account ? `arn:aws:iam::${account}:user/${req.userName}` : null;
      const value = kind === 'iam_access_key' ? String(a.issued_access_key ?? r.target ?? '?') : kind === 'iam_user' ? String(userArn ?? req.userName ?? r.target ?? '?') : String(req.userName ?? req.roleName ?? r.target ?? '?');
      const ent = kind === 'iam_access_key' ? fp.get('access_key', value) : userArn ? fp.get('iam_principal', userArn) : undefined;
      const useIds = ent ? [...ent.eventIds].filter((id) => id !== r.event_id) : [];
      out.push({ kind, value, host: null, created_at: iso(r.ts_us), created_by: r.actor, used_after_containment: after(useIds, true), attempted_after_containment: after(useIds, false), event_ids: [r.event_id, ...useIds].sort((x, y) => x - y) });
    }
    if (r.class === 'datastore_activity' && r.action === 'db_query' && r.outcome !== 'failure' && !failedStatements.has(r.event_id) && r.command && /\bcreate\s+(role|user)\b/i.test(r.command)) {
      const m = /\bcreate\s+(?:role|user)\s+(?:if\s+not\s+exists\s+)?["'`]?([\w$-]+)/i.exec(r.command);
      if (!m) continue;
      const ent = fp.get('db_role', m[1]!, r.host);
      const useIds = ent ? [...ent.eventIds].filter((id) => id !== r.event_id) : [];
      out.push({ kind: 'db_role', value: m[1]!, host: r.host, created_at: iso(r.ts_us), created_by: r.actor, used_after_containment: after(useIds, true), attempted_after_containment: after(useIds, false), event_ids: [r.event_id, ...useIds].sort((x, y) => x - y) });
    }
  }
  return foldIntoCreatedAccounts(out, byId).sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? -1 : (a.created_at ?? '') > (b.created_at ?? '') ? 1 : a.value < b.value ? -1 : 1));
}

/** The user of the attacker SSH session a root-run event belongs to (cron files written from a root shell). */
function sessionUser(fp: Footprint, r: EventRow): string | null {
  const sessions = [...fp.entities.values()].filter((e) => e.kind === 'session' && e.host === r.host && e.firstSeenUs !== null && e.firstSeenUs <= r.ts_us && (e.lastSeenUs ?? 0) >= r.ts_us);
  for (const s of sessions) {
    const user = [...fp.entities.values()].find((u) => u.kind === 'local_user' && u.host === r.host && [...u.eventIds].some((id) => s.eventIds.has(id)));
    if (user) return user.value;
  }
  return null;
}

/**
 * Per destination, what the estate carried out to it (transfers.ts: uploads and pulls, not a
 * beacon's requests nor a shell's output), as the attacker events show it.
 */
function buildExfiltration(rows: EventRow[], destinations: Set<string>): Exfiltration[] {
  const flows = rows.filter((r) => inGroup('flow', r.action) && ((r.dst_ip !== null && destinations.has(r.dst_ip)) || (r.src_ip !== null && destinations.has(r.src_ip))));
  return transfersOut(flows, (ip) => isPrivateIp(ip) && !destinations.has(ip!))
    .filter((t) => !isPrivateIp(t.dst_ip) && destinations.has(t.dst_ip))
    .map((t) => {
      const bytes = transferBytes(t);
      const ts = t.events.map((e) => e.ts_us);
      return { dst_ip: t.dst_ip, bytes, bytes_by_source: Object.fromEntries([...t.bySource.entries()].sort()), first: iso(Math.min(...ts)), last: iso(Math.max(...ts)), sources: [...t.bySource.keys()].sort() };
    })
    .filter((d) => d.bytes >= THRESHOLDS.exfilBytes)
    .sort((a, b) => b.bytes - a.bytes || (a.dst_ip < b.dst_ip ? -1 : 1));
}

async function buildGaps(conn: DuckDBConnection, rows: EventRow[], fromUs: number | null, toUs: number | null): Promise<Gap[]> {
  const gaps: { source: string; from: string | null; to: string | null; reason: string }[] = [];
  // CloudTrail logging stopped by someone until started again.
  const trail = await all<EventRow>(
    conn,
    `SELECT ${EVENT_FIELDS} FROM events WHERE outcome <> 'failure' AND (action LIKE '%:StopLogging' OR action LIKE '%:StartLogging' OR action LIKE '%:DeleteTrail') ORDER BY ts, event_id`,
  );
  let stopped: EventRow | null = null;
  for (const t of trail) {
    const name = cloudEventName(t);
    if (name === 'StopLogging' || name === 'DeleteTrail') stopped ??= t;
    else if (name === 'StartLogging' && stopped) {
      gaps.push({ source: stopped.source, from: iso(stopped.ts_us), to: iso(t.ts_us), reason: `${cloudEventName(stopped)} by ${stopped.actor ?? '?'}` });
      stopped = null;
    }
  }
  if (stopped) gaps.push({ source: stopped.source, from: iso(stopped.ts_us), to: null, reason: `${cloudEventName(stopped)} by ${stopped.actor ?? '?'} (never restarted in the evidence)` });
  // Flow logs that say nothing was recorded.
  const nodata = await all<{ source: string; from_us: number; to_us: number; n: number }>(
    conn,
    `SELECT source, epoch_us(min(ts)) AS from_us, epoch_us(max(coalesce(ts_end, ts))) AS to_us, count(*)::INTEGER AS n FROM events
     WHERE action IN ('flow_log_nodata', 'flow_log_skipdata') GROUP BY source, action ORDER BY source`,
  );
  for (const n of nodata) gaps.push({ source: n.source, from: iso(n.from_us), to: iso(n.to_us), reason: `${n.n} flow-log records say nothing was logged (NODATA/SKIPDATA)` });
  // Whole days of the attack with no evidence from a source that has evidence on other days.
  if (fromUs !== null && toUs !== null) {
    const days = await all<{ source: string; day: string }>(
      conn,
      `WITH d AS (SELECT unnest(range(date_trunc('day', make_timestamp($f::BIGINT)), date_trunc('day', make_timestamp($t::BIGINT)) + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS day),
            s AS (SELECT DISTINCT source FROM events)
       SELECT s.source, strftime(d.day, '%Y-%m-%d') AS day FROM s CROSS JOIN d
       WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.source = s.source AND e.ts >= d.day AND e.ts < d.day + INTERVAL 1 DAY)
       ORDER BY s.source, d.day`,
      { f: fromUs, t: toUs },
    );
    for (const d of days) gaps.push({ source: d.source, from: `${d.day}T00:00:00Z`, to: `${d.day}T23:59:59Z`, reason: 'no evidence from this source on this day of the attack' });
  }
  void rows;
  return gaps;
}

