/**
 * A session for SQL that dwell did not write — the analyst's, in `dwell sql` and the TUI's `:`
 * prompt. The case is evidence of the investigation, and the values a query reads are the
 * attacker's: whatever is typed, the session must leave the case as ingested and write nothing
 * anywhere, least of all beside the evidence. So DuckDB itself is told (settings checked on
 * DuckDB 1.5.6, see test/hostile/case-tools.test.ts):
 *
 *  - `access_mode = READ_ONLY`: INSERT, UPDATE, DELETE, CREATE, DROP on the case are refused;
 *  - `enable_external_access = false`: no file or network at all — COPY … TO/FROM, EXPORT and
 *    IMPORT DATABASE, ATTACH, read_csv/read_text/read_parquet/glob, INSTALL and LOAD. Reading a
 *    file is refused too (nothing outside the case is read; the evidence bytes are in `raw`);
 *  - no extension is installed, loaded or auto-loaded (json, parquet and icu are built in);
 *  - `lock_configuration = true`, last: no SET can undo the above, nor point a log or profile
 *    output (log_query_path, profiling_output) at a file.
 *
 * What stays: SELECT over every table, the documented views, and session-only state — TEMP
 * tables, views and macros, SET VARIABLE, PREPARE — which lives in memory and ends with the session.
 */
import { CaseDb } from '../store/case-db.js';
import { readDuckdbConfig } from '../store/read-budget.js';
import { SCHEMA_SQL } from '../store/schema.js';

/** DuckDB settings of a session running SQL that dwell did not write. */
export const SANDBOX_CONFIG: Readonly<Record<string, string>> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  allow_persistent_secrets: 'false',
  lock_configuration: 'true',
};

/**
 * Opens the case for the analyst's SQL: read-only and sandboxed (above), with the documented views,
 * within the read commands' memory budget (src/store/read-budget.ts; DWELL_DUCKDB_MEMORY overrides
 * it), which the locked settings then keep: a query cannot raise it.
 */
export async function openQuerySession(casePath: string): Promise<CaseDb> {
  const config: Record<string, string> = { ...readDuckdbConfig(), ...SANDBOX_CONFIG };
  const db = await CaseDb.open(casePath, { readOnly: true, config });
  try {
    await ensureDocumentedViews(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

const VIEW_DDL = /^\s*CREATE OR REPLACE VIEW (\w+) AS\b/;

/** The views the case schema defines (docs/schema.md), by name. */
export function schemaViews(): { name: string; sql: string }[] {
  return SCHEMA_SQL.flatMap((sql) => {
    const m = VIEW_DDL.exec(sql);
    return m ? [{ name: m[1]!, sql }] : [];
  });
}

/**
 * A case created before a view joined the schema lacks it, and a read-only case cannot get it: the
 * view is then created for this session only (TEMP, in memory), from the same definition.
 */
export async function ensureDocumentedViews(db: CaseDb): Promise<string[]> {
  const added: string[] = [];
  for (const v of schemaViews()) {
    const found = await db.one(`SELECT 1 AS x FROM information_schema.tables WHERE table_name = $n`, { n: v.name });
    if (found) continue;
    await db.run(v.sql.replace(VIEW_DDL, (_m, name: string) => `CREATE TEMP VIEW ${name} AS`));
    added.push(v.name);
  }
  return added;
}

/**
 * DuckDB's logging can be pointed at a folder by a function call (enable_logging), which the
 * locked settings do not stop: no file is written (external access is off), but every later
 * statement fails and the process aborts when the session closes — the TUI with it. Checked on the
 * whole text, string literals and comments included, so that no quoting hides the name; and SQL
 * run from a string (query(), query_table(), json_execute_serialized_sql()) is refused outright,
 * as its text is only known once it runs. Refused before anything runs (the rare query that only
 * mentions these names is refused too, and told why).
 */
const LOGGING = /enable_logging/i;
const DYNAMIC = /\b(query|query_table|json_execute_serialized_sql)"?\s*\(/i;

export function sandboxRefusal(sql: string): string | null {
  if (LOGGING.test(sql)) {
    return "DuckDB's logging cannot be turned on from dwell sql (the text names enable_logging)\n reason: it could be pointed at a file, and the session writes none\n help: EXPLAIN ANALYZE shows how a query runs";
  }
  const m = DYNAMIC.exec(sql);
  if (m) {
    return `SQL run from a string cannot be used in dwell sql: ${m[1]!.toLowerCase()}() is refused\n reason: the sandbox checks a statement before it runs, and a string's SQL is only known once it runs\n help: write the statement itself (FROM events, not FROM query_table('events'))`;
  }
  return null;
}
