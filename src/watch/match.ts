/**
 * Which newly stored events are the attacker coming back: SQL over the new event id range joined
 * with the active watch list, and the detection rules listed in it run over the same range. One
 * alert per event (the most severe entry wins; every entry it matched is listed). Values only
 * ever reach SQL as parameters or as rows of the watchlist table.
 */
import type { CaseDb } from '../store/case-db.js';
import { loadRules, type Rule } from '../correlate/rules.js';
import { installSqlVocabulary } from '../correlate/sql-vocabulary.js';

export interface MatchRange {
  /** Event id ranges [from, to] of the new events. */
  ranges: [number, number][];
  runId: number;
  /** Containment time (µs) from the findings, to mark alerts after it; null when not given. */
  containedAtUs: number | null;
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The column an entry kind matches, as a SQL condition on `e` (events) and `w` (watchlist), and
 * the name of what matched. Text kinds that name a file or a host match inside commands too.
 */
const CONDITIONS: Record<string, { where: string; matched: string }> = {
  ip: { where: `(e.src_ip = w.value OR e.dst_ip = w.value)`, matched: `CASE WHEN e.src_ip = w.value THEN 'src_ip' ELSE 'dst_ip' END` },
  access_key: { where: `e.access_key = w.value`, matched: `'access_key'` },
  iam_principal: { where: `(e.actor = w.value OR e.target = w.value)`, matched: `CASE WHEN e.actor = w.value THEN 'actor' ELSE 'target' END` },
  local_user: {
    where: `((e.actor = w.value OR e.target = w.value) AND e.class <> 'datastore_activity' AND (w.host IS NULL OR e.host = w.host))`,
    matched: `CASE WHEN e.actor = w.value THEN 'actor' ELSE 'target' END`,
  },
  db_role: { where: `(e.actor = w.value AND e.class = 'datastore_activity' AND (w.host IS NULL OR e.host = w.host))`, matched: `'actor'` },
  session: { where: `e.session = w.value`, matched: `'session'` },
  user_agent: { where: `e.user_agent = w.value`, matched: `'user_agent'` },
  // Back doors that are files (cron, authorized_keys, systemd units, rc files) and payload hosts.
  file: { where: `(e.target = w.value OR contains(e.command, w.value))`, matched: `CASE WHEN e.target = w.value THEN 'target' ELSE 'command' END` },
  payload_host: {
    where: `(e.dst_ip = w.value OR contains(e.command, w.value) OR contains(e.target, w.value))`,
    matched: `CASE WHEN e.dst_ip = w.value THEN 'dst_ip' WHEN contains(e.command, w.value) THEN 'command' ELSE 'target' END`,
  },
};

export const ENTRY_KINDS = [...Object.keys(CONDITIONS), 'rule'] as const;

let rulesCache: Map<string, Rule> | null = null;
function rulesById(): Map<string, Rule> {
  rulesCache ??= new Map(loadRules().map((r) => [r.id, r]));
  return rulesCache;
}

/** Rules of the watch list that cannot run here (unknown id, need --sensitive, or fail): left out with why. */
const unusable = new Map<string, string>();

/**
 * Installs the rules' SQL vocabulary on the connection and tries each rule of the watch list once
 * (on an empty range), so a rule that cannot run is reported at start instead of failing every match.
 */
export async function prepareRules(db: CaseDb): Promise<Map<string, string>> {
  await installSqlVocabulary(db.conn);
  unusable.clear();
  const rules = await db.all<{ value: string }>(`SELECT DISTINCT value FROM watchlist WHERE removed_at IS NULL AND kind = 'rule' ORDER BY value`);
  for (const { value } of rules) {
    const rule = rulesById().get(value);
    if (!rule) unusable.set(value, 'no rule with this id');
    else if (rule.sql.includes('$sensitive')) unusable.set(value, 'needs the sensitive data given to dwell correlate');
    else {
      try {
        await db.all(`SELECT count(*) FROM (${rule.sql}
) WHERE event_id < 0 LIMIT 0`);
      } catch (err) {
        unusable.set(value, (err as Error).message.split('\n')[0]!);
      }
    }
  }
  return new Map(unusable);
}

/**
 * Inserts the alerts of the events in the ranges and returns how many; runs inside the caller's
 * transaction. `entries`: the value entries (cheap: the new events only); `rules`: the rule
 * entries, for events that have no alert yet.
 */
export async function matchNewEvents(db: CaseDb, r: MatchRange, what: 'entries' | 'rules'): Promise<number> {
  if (r.ranges.length === 0) return 0;
  const params: Record<string, number | null> = { run: r.runId, contained: r.containedAtUs };
  const inRange = r.ranges.map(([lo, hi], i) => ((params[`lo${i}`] = lo), (params[`hi${i}`] = hi), `event_id BETWEEN $lo${i} AND $hi${i}`)).join(' OR ');
  const kinds = what === 'entries' ? Object.entries(CONDITIONS) : [];
  const hits = kinds.map(([kind, c]) => `SELECT e.event_id, w.entry_id, w.kind, w.value, w.severity, ${c.matched} AS col FROM ev e JOIN watchlist w ON w.removed_at IS NULL AND w.kind = '${kind}' AND ${c.where}`);
  const rules =
    what === 'rules' ? await db.all<{ entry_id: number; value: string; severity: string }>(`SELECT entry_id, value, severity FROM watchlist WHERE removed_at IS NULL AND kind = 'rule' ORDER BY entry_id`) : [];
  for (const entry of rules) {
    const rule = rulesById().get(entry.value);
    if (!rule || unusable.has(entry.value)) continue;
    // The rule's own SQL over the whole case (its thresholds need the context), kept to the new events.
    hits.push(
      `SELECT h.event_id, ${entry.entry_id}::INTEGER AS entry_id, 'rule' AS kind, '${rule.id}' AS value, '${entry.severity}' AS severity, 'rule' AS col FROM (SELECT DISTINCT event_id::BIGINT AS event_id FROM (\n${rule.sql}\n) WHERE ${inRange}) h`,
    );
  }
  if (hits.length === 0) return 0;
  const rank = `CASE h.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`;
  const before = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM alerts`);
  await db.run(
    `INSERT INTO alerts
     WITH ev AS (SELECT * FROM events WHERE ${inRange}),
     h AS (${hits.join('\nUNION ALL\n')}),
     best AS (
       SELECT event_id, arg_max(entry_id, ${rank} * 1000000 - entry_id) AS entry_id, max(${rank}) AS rank,
              string_agg(DISTINCT kind || ':' || value || ' (' || col || ')', ', ' ORDER BY kind || ':' || value || ' (' || col || ')') AS matched
       FROM h GROUP BY event_id
     )
     -- Numbered in event order (one writer per case: the highest id + the row's rank).
     SELECT (SELECT coalesce(max(alert_id), 0) FROM alerts) + row_number() OVER (ORDER BY e.event_id), now()::TIMESTAMP, $run, e.event_id, e.ts,
            -- A failed attempt is one level less severe than the same entry used successfully.
            ['low', 'medium', 'high', 'critical'][greatest(1, b.rank - CASE WHEN e.outcome = 'failure' THEN 1 ELSE 0 END)],
            w.entry_id, w.kind, w.value, b.matched, e.outcome,
            CASE WHEN $contained::BIGINT IS NULL THEN NULL ELSE epoch_us(e.ts) > $contained::BIGINT END,
            e.evidence_id, e.line, NULL
     FROM best b JOIN ev e USING (event_id) JOIN watchlist w ON w.entry_id = b.entry_id
     ${what === 'rules' ? 'WHERE NOT EXISTS (SELECT 1 FROM alerts x WHERE x.event_id = e.event_id)' : ''}
     ORDER BY e.event_id`,
    params,
  );
  const after = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM alerts`);
  return after!.n - before!.n;
}

/**
 * Runs the watch list's rules over the events of the extents not yet given to them (crash-safe:
 * the extents are marked in the same transaction as the alerts). Returns the alerts added.
 */
export async function matchPendingRules(db: CaseDb, runId: number, containedAtUs: number | null): Promise<number> {
  const pending = await db.all<{ evidence_id: number; lo: number; hi: number }>(
    `SELECT evidence_id, min(first_seq)::BIGINT AS lo, max(first_seq + events - 1)::BIGINT AS hi FROM evidence_extents
     WHERE NOT rules_matched AND events > 0 GROUP BY evidence_id ORDER BY evidence_id`,
  );
  const any = await db.one(`SELECT 1 FROM evidence_extents WHERE NOT rules_matched LIMIT 1`);
  if (!any) return 0;
  await db.run('BEGIN TRANSACTION');
  try {
    const ranges = pending.map((p): [number, number] => [p.evidence_id * 4294967296 + Number(p.lo), p.evidence_id * 4294967296 + Number(p.hi)]);
    const n = await matchNewEvents(db, { ranges, runId, containedAtUs }, 'rules');
    await db.run(`UPDATE evidence_extents SET rules_matched = true WHERE NOT rules_matched`);
    await db.run('COMMIT');
    return n;
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
