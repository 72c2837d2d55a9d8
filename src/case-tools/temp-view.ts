/**
 * A named view of the session (`view`: the filtered events in `dwell sql`, the TUI's current view
 * at its `:` prompt) from SQL that dwell built with parameters. A view definition cannot hold
 * parameters, and writing the analyst's or the evidence's values into its text would be SQL built
 * from data: each parameter becomes a session variable instead (SET VARIABLE with the value bound),
 * and the view reads it with getvariable(). The values never appear in the SQL text.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { CaseDb } from '../store/case-db.js';

export interface ParamSql {
  sql: string;
  params: Record<string, DuckDBValue>;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** `CREATE OR REPLACE TEMP VIEW name AS …` with `$param` placeholders read from session variables. */
export async function defineTempView(db: Pick<CaseDb, 'run'>, name: string, q: ParamSql): Promise<void> {
  if (!NAME.test(name)) throw new Error(`bad view name ${name}`);
  const variable = (param: string) => `dwell_${name}_${param}`;
  for (const [param, value] of Object.entries(q.params)) {
    if (!NAME.test(param.toLowerCase())) throw new Error(`bad parameter name ${param}`);
    await db.run(`SET VARIABLE ${variable(param)} = $value`, { value });
  }
  const body = q.sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, param: string) => (param in q.params ? `getvariable('${variable(param)}')` : m));
  await db.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${body}`);
}
