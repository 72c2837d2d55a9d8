/**
 * Which newly stored events are the attacker coming back: SQL over the new event id range joined
 * with the active watch list, and the detection rules listed in it run over the same range. One
 * alert per event (the most severe entry wins; every entry it matched is listed). Values only
 * ever reach SQL as parameters or as rows of the watchlist table.
 */
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { all, type CaseDb } from '../store/case-db.js';
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
/** A rule entry's hit: the event and the watch-list entry (kind `rule`) whose rule returned it. */
export type RuleHit = [eventId: number, entryId: number];

/**
 * The columns the value entries and the alert row read. The new events are referenced twice (the
 * entries' union, the alert's join), so DuckDB materializes them: `SELECT *` copied every
 * event's raw line, summary and attributes into memory again — tens of MB per burst of extents,
 * a share of issue 15's soak peak.
 */
const MATCH_COLUMNS = 'event_id, ts, outcome, evidence_id, line, class, host, actor, target, src_ip, dst_ip, access_key, session, user_agent, command';

/** `event_id BETWEEN …` over the ranges, its bounds added to `params`. */
function rangeCondition(ranges: [number, number][], params: Record<string, DuckDBValue>): string {
  return ranges.map(([lo, hi], i) => ((params[`lo${i}`] = lo), (params[`hi${i}`] = hi), `event_id BETWEEN $lo${i} AND $hi${i}`)).join(' OR ');
}

/**
 * Inserts the alerts of the events in the ranges and returns how many; runs inside the caller's
 * transaction. `entries`: the value entries (cheap: the new events only); a list of rule hits
 * (evaluateRules): alerts for those of its events that have no alert yet.
 */
export async function matchNewEvents(db: CaseDb, r: MatchRange, what: 'entries' | RuleHit[]): Promise<number> {
  if (r.ranges.length === 0) return 0;
  const params: Record<string, DuckDBValue> = { run: r.runId, contained: r.containedAtUs };
  const inRange = rangeCondition(r.ranges, params);
  const kinds = what === 'entries' ? Object.entries(CONDITIONS) : [];
  const hits = kinds.map(([kind, c]) => `SELECT e.event_id, w.entry_id, w.kind, w.value, w.severity, ${c.matched} AS col FROM ev e JOIN watchlist w ON w.removed_at IS NULL AND w.kind = '${kind}' AND ${c.where}`);
  if (what !== 'entries' && what.length > 0) {
    params.hit_events = listValue(what.map(([e]) => BigInt(e)));
    params.hit_entries = listValue(what.map(([, w]) => w));
    hits.push(
      `SELECT h.event_id, w.entry_id, w.kind, w.value, w.severity, 'rule' AS col
       FROM (SELECT unnest($hit_events::BIGINT[]) AS event_id, unnest($hit_entries::INTEGER[]) AS entry_id) h
       JOIN watchlist w ON w.entry_id = h.entry_id AND w.removed_at IS NULL`,
    );
  }
  if (hits.length === 0) return 0;
  const rank = `CASE h.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`;
  const before = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM alerts`);
  await db.run(
    `INSERT INTO alerts
     WITH ev AS (SELECT ${MATCH_COLUMNS} FROM events WHERE ${inRange}),
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
     ${what !== 'entries' ? 'WHERE NOT EXISTS (SELECT 1 FROM alerts x WHERE x.event_id = e.event_id)' : ''}
     ORDER BY e.event_id`,
    params,
  );
  const after = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM alerts`);
  return after!.n - before!.n;
}

/**
 * The extents not yet given to the rules: per evidence file, the event id range of its pending
 * extents and the last of them (so only these are marked once their hits are stored, not the
 * extents that arrive while the rules run).
 */
export interface PendingRules {
  ranges: [number, number][];
  marks: { evidenceId: number; lastExtent: number }[];
}

export async function pendingRuleExtents(db: CaseDb): Promise<PendingRules | null> {
  const rows = await db.all<{ evidence_id: number; lo: number; hi: number; last: number }>(
    `SELECT evidence_id, min(first_seq)::BIGINT AS lo, max(first_seq + events - 1)::BIGINT AS hi, max(extent_no)::INTEGER AS last
     FROM evidence_extents WHERE NOT rules_matched GROUP BY evidence_id ORDER BY evidence_id`,
  );
  if (rows.length === 0) return null;
  return {
    ranges: rows.filter((p) => Number(p.hi) >= Number(p.lo)).map((p): [number, number] => [p.evidence_id * 4294967296 + Number(p.lo), p.evidence_id * 4294967296 + Number(p.hi)]),
    marks: rows.map((p) => ({ evidenceId: p.evidence_id, lastExtent: p.last })),
  };
}

/**
 * Runs the watch list's rules over the pending events, reading only, on a connection of its own
 * (the rules' vocabulary installed): the followed files are read and alerted on meanwhile.
 *
 * A rule that declares the span it relates events over (Rule.windowSeconds) sees only the events
 * within twice that span of the new ones (a hit's own context is within one span; the events a
 * hit returns with it, such as the failures before a success, within two): its cost follows the
 * new events, not the case. A rule that may look at the whole history runs over the whole case.
 */
export async function evaluateRules(conn: DuckDBConnection, p: PendingRules): Promise<RuleHit[]> {
  if (p.ranges.length === 0) return [];
  const entries = await all<{ entry_id: number; value: string }>(conn, `SELECT entry_id, value FROM watchlist WHERE removed_at IS NULL AND kind = 'rule' ORDER BY entry_id`);
  const runnable = entries.map((e) => ({ entry: e, rule: rulesById().get(e.value) })).filter((x): x is { entry: typeof x.entry; rule: Rule } => x.rule !== undefined && !unusable.has(x.entry.value));
  if (runnable.length === 0) return [];
  const rangeParams: Record<string, DuckDBValue> = {};
  const inRange = rangeCondition(p.ranges, rangeParams);
  const span = (await all<{ lo: number | null; hi: number | null }>(conn, `SELECT epoch_us(min(ts)) AS lo, epoch_us(max(ts)) AS hi FROM events WHERE ${inRange}`, rangeParams))[0];
  const hits: RuleHit[] = [];
  for (const { entry, rule } of runnable) {
    const params: Record<string, DuckDBValue> = { ...rangeParams };
    let sql = `SELECT DISTINCT event_id::BIGINT AS event_id FROM (\n${rule.sql}\n) WHERE ${inRange}`;
    if (rule.windowSeconds !== null && span?.lo != null && span.hi != null) {
      // `events` inside the rule's SQL is this window of the case's events table.
      params.from_us = Number(span.lo) - 2 * rule.windowSeconds * 1e6;
      params.to_us = Number(span.hi) + 2 * rule.windowSeconds * 1e6;
      // NOT MATERIALIZED: a rule that reads `events` twice would otherwise have the window copied
      // into memory with every column (raw lines included); inlined, each read takes only the
      // columns it needs and the ts filter prunes row groups by their zone maps.
      sql = `WITH events AS NOT MATERIALIZED (SELECT * FROM main.events WHERE ts BETWEEN make_timestamp($from_us::BIGINT) AND make_timestamp($to_us::BIGINT))\n${sql}`;
    }
    for (const r of await all<{ event_id: number }>(conn, sql, params)) hits.push([Number(r.event_id), entry.entry_id]);
  }
  return hits;
}

/**
 * Stores the rules' hits as alerts and marks the extents they were computed for, in one
 * transaction (a kill before it leaves the extents pending: the rules run again at the next start).
 */
export async function storeRuleHits(db: CaseDb, p: PendingRules, hits: RuleHit[], runId: number, containedAtUs: number | null): Promise<number> {
  await db.run('BEGIN TRANSACTION');
  try {
    const n = hits.length > 0 ? await matchNewEvents(db, { ranges: p.ranges, runId, containedAtUs }, hits) : 0;
    for (const m of p.marks) {
      await db.run(`UPDATE evidence_extents SET rules_matched = true WHERE NOT rules_matched AND evidence_id = $id AND extent_no <= $last`, { id: m.evidenceId, last: m.lastExtent });
    }
    await db.run('COMMIT');
    return n;
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
