/**
 * A hunt on a handful of hand-written events in an in-memory case: Sigma YAML in, the event ids
 * each rule hit out (plus the plan's problems).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseSigmaText } from '../../../src/sigma/load.js';
import { planHunt, sigmaRuleId, type PlanOptions } from '../../../src/sigma/plan.js';
import { runPlan, type RunOptions } from '../../../src/sigma/run.js';
import type { SigmaProblem } from '../../../src/sigma/types.js';
import { SCHEMA_SQL } from '../../../src/store/schema.js';

export interface Ev {
  id: number;
  ts?: string;
  source?: string | null;
  class?: string;
  action?: string;
  outcome?: string;
  host?: string | null;
  actor?: string | null;
  src_ip?: string | null;
  dst_ip?: string | null;
  src_port?: number | null;
  dst_port?: number | null;
  target?: string | null;
  command?: string | null;
  user_agent?: string | null;
  time_quality?: string;
  attrs?: Record<string, unknown> | null;
  raw?: string;
}

export interface MiniHunt {
  /** rule id → ids of the events it hit (sorted). */
  hits: Map<string, number[]>;
  problems: SigmaProblem[];
  conn: DuckDBConnection;
  close: () => void;
}

export async function miniHunt(yaml: string | Record<string, string>, events: Ev[], opts: PlanOptions & RunOptions = {}): Promise<MiniHunt> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const sql of SCHEMA_SQL) await conn.run(sql);
  for (const e of events) {
    await conn.run(
      `INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, dst_ip, src_port, dst_port, target, command, user_agent, attrs, summary, evidence_id, line, byte_offset, byte_length, raw)
       VALUES ($id, $ts::TIMESTAMP, $tq, $source, $class, $action, $outcome, $host, $actor, $src_ip, $dst_ip, $src_port, $dst_port, $target, $command, $ua, $attrs::JSON, 's', 1, $id, 0, 0, $raw)`,
      {
        id: e.id, ts: e.ts ?? '2026-01-02 00:00:00', tq: e.time_quality ?? 'exact', source: e.source === undefined ? 'cloudtrail' : e.source, class: e.class ?? 'api_activity', action: e.action ?? 'other',
        outcome: e.outcome ?? 'success', host: e.host ?? null, actor: e.actor ?? null, src_ip: e.src_ip ?? null, dst_ip: e.dst_ip ?? null, src_port: e.src_port ?? null, dst_port: e.dst_port ?? null,
        target: e.target ?? null, command: e.command ?? null, ua: e.user_agent ?? null, attrs: e.attrs ? JSON.stringify(e.attrs) : null, raw: e.raw ?? JSON.stringify(e.attrs ?? {}),
      },
    );
  }
  const files = typeof yaml === 'string' ? { 'rule.yml': yaml } : yaml;
  const documents = [];
  const problems = [];
  for (const [name, text] of Object.entries(files)) {
    const r = parseSigmaText(text, name);
    documents.push(...r.documents);
    problems.push(...r.problems);
  }
  const plan = planHunt({ documents, problems, files: Object.keys(files) }, opts);
  await runPlan(conn, plan, 1, opts);
  const rows = (await conn.runAndReadAll(`SELECT rule_id, list_sort(list(DISTINCT event_id)) AS ids FROM detections GROUP BY rule_id`)).getRowObjectsJS();
  const hits = new Map<string, number[]>();
  for (const r of rows) hits.set(String(r.rule_id), (r.ids as bigint[]).map(Number));
  // Rules that ran without a hit: an empty list (so a test can tell "ran, no hit" from "did not run").
  for (const r of plan.rules) if (!hits.has(sigmaRuleId(r.rule))) hits.set(sigmaRuleId(r.rule), []);
  return { hits, problems: plan.problems, conn, close: () => conn.closeSync() };
}

/** A detection rule's YAML with the given id, log source and detection block (indented YAML text). */
export function rule(id: string, logsource: string, detection: string, extra = ''): string {
  return `title: test rule ${id}
id: ${id}
status: test
level: medium
author: Test Author
tags:
    - attack.initial-access
    - attack.t1078.004
logsource:
${logsource.replace(/^/gm, '    ')}
detection:
${detection.replace(/^/gm, '    ')}
${extra}`;
}

export const CLOUDTRAIL = 'product: aws\nservice: cloudtrail';

/** A UUID for test rule n (the schema wants ids in UUID form). */
export function uid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
