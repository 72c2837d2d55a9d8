/**
 * The SQL prompt's own commands, sqlite3/duckdb style: `.tables`, `.schema [name]`, `.mode`,
 * `.help`, `.quit`. Names the analyst types reach SQL only as parameters.
 */
import type { CaseDb } from '../store/case-db.js';
import { renderTable } from './table.js';
import type { OutputFormat } from './output.js';

/** One line on what each table of the case holds (docs/schema.md has the columns). */
export const TABLE_NOTES: Readonly<Record<string, string>> = {
  events: 'the normalized timeline: one row per record, with its file, line and raw text',
  evidence: 'chain of custody: one row per file presented (path, SHA-256, status, counts)',
  ingest_runs: 'one row per dwell ingest (who, when, version, options)',
  parse_warnings: 'what could not be parsed, with file and line',
  detections: 'rule hits of each dwell correlate',
  findings: 'each dwell correlate: seeds, answers, the findings document (body)',
  attack_events: "the attacker's events of each findings run, with phase and technique",
  annotations: 'marks and notes from the TUI',
  hosts: 'hosts and the addresses the evidence shows for them (dwell correlate)',
  timeline: 'time-sorted copy of the list columns (the TUI index; derived)',
  timeline_meta: 'when the timeline index was built, over how many events',
  case_meta: 'schema version, creation time',
  cloud_key_chain: 'which access key issued which (CloudTrail)',
  view: 'the events you filtered (dwell sql filters; the TUI: the current view)',
};

export const DOT_HELP = [
  '.tables            tables and views of the case',
  '.schema [NAME]     how a table or view is defined (all of them without NAME)',
  '.mode table|json|csv   how results are printed',
  '.help              this help',
  '.quit              leave (also .exit, Ctrl-D, or Ctrl-C twice at an empty prompt)',
  '',
  'End a statement with ; — it may span lines. Ctrl-C cancels a running query.',
  'The case is read-only and the session reads and writes no file: results go to the screen',
  '(dwell sql --csv/--json -o FILE writes them). CREATE TEMP TABLE / VIEW and SET VARIABLE',
  'last until you leave. `view` holds the events of the filters given to dwell sql (or the',
  "TUI's current view); events with relative or implausible times are left out of it by default.",
];

export type DotResult = { kind: 'text'; lines: string[] } | { kind: 'mode'; mode: OutputFormat } | { kind: 'quit' } | { kind: 'error'; message: string };

export async function tablesLines(db: CaseDb, width?: number): Promise<string[]> {
  const rows = await db.all<{ name: string; kind: string; rows: number | string | null; temp: boolean }>(
    `SELECT table_name AS name, 'table' AS kind, estimated_size AS rows, temporary AS temp FROM duckdb_tables() WHERE NOT internal
     UNION ALL
     SELECT view_name, 'view', NULL, temporary FROM duckdb_views() WHERE NOT internal
     ORDER BY temp, kind, name`,
  );
  return renderTable(
    [{ name: 'name' }, { name: 'kind' }, { name: 'rows', align: 'right' }, { name: 'what', min: 20 }],
    rows.map((r) => [r.name, r.temp ? `temp ${r.kind}` : r.kind, r.rows === null ? '' : Number(r.rows).toLocaleString('en-US'), TABLE_NOTES[r.name] ?? '']),
    { width },
  );
}

/** Each table or view (or only `name`) with its columns and types; a view also with its definition. */
export async function schemaLines(db: CaseDb, name: string | undefined): Promise<string[] | null> {
  const objects = await db.all<{ name: string; kind: string; sql: string | null; temp: boolean }>(
    `SELECT table_name AS name, 'table' AS kind, NULL AS sql, temporary AS temp FROM duckdb_tables() WHERE NOT internal AND ($n IS NULL OR table_name = $n)
     UNION ALL
     SELECT view_name, 'view', sql, temporary FROM duckdb_views() WHERE NOT internal AND ($n IS NULL OR view_name = $n)
     ORDER BY temp, kind, name`,
    { n: name ?? null },
  );
  if (objects.length === 0) return null;
  const columns = await db.all<{ t: string; c: string; type: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type FROM duckdb_columns() WHERE NOT internal AND ($n IS NULL OR table_name = $n) ORDER BY table_name, column_index`,
    { n: name ?? null },
  );
  const out: string[] = [];
  for (const o of objects) {
    if (out.length > 0) out.push('');
    const note = TABLE_NOTES[o.name];
    out.push(`${o.name} (${o.temp ? 'temp ' : ''}${o.kind})${note ? ` — ${note}` : ''}`);
    const cols = columns.filter((c) => c.t === o.name);
    const w = Math.max(0, ...cols.map((c) => c.c.length));
    for (const c of cols) out.push(`  ${c.c.padEnd(w)}  ${c.type}`);
    if (o.sql) out.push(`  -- ${o.sql.replace(/\s+/g, ' ')}`);
  }
  return out;
}

/** Runs one dot command (the whole line, starting with `.`). */
export async function dotCommand(db: CaseDb, line: string, width?: number): Promise<DotResult> {
  const [cmd, ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case '.quit':
    case '.exit':
    case '.q':
      return { kind: 'quit' };
    case '.help':
      return { kind: 'text', lines: DOT_HELP };
    case '.tables':
      return { kind: 'text', lines: await tablesLines(db, width) };
    case '.schema': {
      const lines = await schemaLines(db, args[0]);
      return lines ? { kind: 'text', lines } : { kind: 'error', message: `no table or view named ${args[0]} (.tables lists them)` };
    }
    case '.mode': {
      const m = args[0];
      if (m === 'table' || m === 'json' || m === 'csv') return { kind: 'mode', mode: m };
      return { kind: 'error', message: '.mode takes table, json or csv' };
    }
    default:
      return { kind: 'error', message: `unknown command ${cmd} (.help lists them)` };
  }
}
