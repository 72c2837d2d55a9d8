/**
 * `--what detections --format csv|jsonl`: every hit of the newest `dwell hunt` (Sigma rules) and
 * of the newest `dwell correlate` (dwell's rules, and Sigma rules given to it), one row per rule
 * and event: the rule's id, title, level, author and tags (a Sigma rule's licence asks for its
 * author with every hit), the rule file, and the event with its evidence file, line and SHA-256.
 * Cases made before these columns existed export NULL for them.
 */
import { INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { loadRules } from '../correlate/rules.js';
import type { CaseDb } from '../store/case-db.js';
import { csvLine } from './csv.js';
import { withSink } from './line-export.js';
import type { ExportFormat, ExportContext, ExportResult } from './types.js';

export const DETECTION_COLUMNS = [
  'run', 'run_id', 'engine', 'rule_id', 'title', 'level', 'author', 'tags', 'technique', 'phase', 'hit_key',
  'ts', 'event_id', 'source', 'host', 'action', 'actor', 'src_ip', 'dst_ip', 'summary', 'evidence_path', 'evidence_sha256', 'line', 'rule_file',
] as const;

const LEVEL_LIST = "['informational', 'low', 'medium', 'high', 'critical']";
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

async function columnsOf(db: CaseDb, table: string): Promise<Set<string>> {
  const rows = await db.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = $t`, { t: table });
  return new Set(rows.map((r) => r.column_name));
}

/**
 * The SELECT over the newest hunt's and the newest findings' detections (old cases included).
 * `--min-level` and `--disable` arrive as the bound $min_rank and $disabled.
 */
export async function detectionsQuery(db: CaseDb): Promise<string> {
  const d = await columnsOf(db, 'detections');
  const hasHunts = (await columnsOf(db, 'hunts')).size > 0;
  const col = (name: string, type = 'VARCHAR') => (d.has(name) ? `d.${name}` : `CAST(NULL AS ${type})`);
  const runs = [`SELECT 'findings' AS run, max(findings_id) AS id FROM findings`];
  if (hasHunts) runs.push(`SELECT 'hunt', max(hunt_id) FROM hunts`);
  return `WITH runs AS (${runs.join(' UNION ALL ')})
    SELECT r.run, d.findings_id AS run_id, coalesce(${col('engine')}, 'dwell') AS engine, d.rule_id, ${col('title')} AS title, d.level, ${col('author')} AS author,
           array_to_string(${col('tags', 'VARCHAR[]')}, ' ') AS tags, d.technique, d.phase, d.hit_key,
           strftime(d.ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, d.event_id, e.source, e.host, e.action, e.actor, e.src_ip, e.dst_ip, e.summary,
           v.path AS evidence_path, v.sha256 AS evidence_sha256, e.line, ${col('rule_file')} AS rule_file
    FROM detections d JOIN runs r ON d.findings_id = r.id JOIN events e ON e.event_id = d.event_id LEFT JOIN evidence v ON v.evidence_id = e.evidence_id
    WHERE coalesce(list_position(${LEVEL_LIST}, d.level), 1) >= $min_rank AND NOT list_contains($disabled, d.rule_id)
    ORDER BY d.ts, d.event_id, d.rule_id`;
}

async function exportDetections(ctx: ExportContext, line: (row: Record<string, unknown>) => string, header: string | null): Promise<ExportResult> {
  const sql = await detectionsQuery(ctx.db);
  // Rows stored before titles were (dwell's own rules): their titles from the rule files.
  const titles = new Map(loadRules().map((r) => [r.id, r.title]));
  const count = await withSink(ctx, async (sink) => {
    if (header !== null) await sink.write(header);
    const { minLevel, disable } = ctx.options;
    const result = await ctx.db.conn.stream(sql, { min_rank: minLevel === null ? 0 : LEVELS.indexOf(minLevel) + 1, disabled: listValue(disable) }, { min_rank: INTEGER, disabled: LIST(VARCHAR) });
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const names = result.columnNames();
      const rows = chunk.getRowObjects(names);
      let text = '';
      for (const row of rows) {
        const r: Record<string, unknown> = {};
        for (const k of DETECTION_COLUMNS) {
          const v = row[k];
          r[k] = typeof v === 'bigint' ? Number(v) : v === undefined ? null : v;
        }
        if (r.title === null && r.engine === 'dwell') r.title = titles.get(String(r.rule_id)) ?? null;
        text += line(r);
        n++;
      }
      await sink.write(text);
      if (sink.closedByReader) break;
    }
    return n;
  });
  return { count, unit: 'detections' };
}

export const detectionsCsv: ExportFormat = {
  name: 'csv',
  whats: ['detections'],
  description: 'one row per rule hit (newest hunt and newest findings): rule id, title, level, author, tags, the event and its evidence',
  target: 'file',
  filtered: false,
  run: (ctx) => exportDetections(ctx, (r) => csvLine(DETECTION_COLUMNS.map((c) => (r[c] === null ? '' : String(r[c])))), csvLine([...DETECTION_COLUMNS])),
};

export const detectionsJsonl: ExportFormat = {
  name: 'jsonl',
  whats: ['detections'],
  description: 'the same as JSON lines',
  target: 'file',
  filtered: false,
  run: (ctx) => exportDetections(ctx, (r) => JSON.stringify(r) + '\n', null),
};
