/**
 * Tables and bulk reads from node-sql-parser's AST (PostgreSQL and MySQL grammars), for the
 * statements it accepts. It resolves what tokens cannot: aliases, sub-queries, comma joins,
 * UNION branches, WITH scoping.
 *
 * node-sql-parser is a PEG parser with exponential cases on malformed input (18 s for
 * `SELECT ((((((((((((((((1` measured here), so it is only given well-formed text of bounded
 * size and nesting; the caller keeps a time budget per file.
 */
import { createRequire } from 'node:module';
import type { TableRef } from './classify.js';
import type { Dialect } from './tokens.js';

interface NspParser {
  parse(sql: string, opt: { database: string }): { tableList: string[]; ast: unknown };
}

const require = createRequire(import.meta.url);
let pgParser: NspParser | null = null;
let myParser: NspParser | null = null;

function parserFor(dialect: Dialect): NspParser {
  // Loaded on first use: each grammar costs ~150 ms to load and most files need one at most.
  if (dialect === 'pg') {
    if (!pgParser) pgParser = new (require('node-sql-parser/build/postgresql.js') as { Parser: new () => NspParser }).Parser();
    return pgParser;
  }
  if (!myParser) myParser = new (require('node-sql-parser/build/mysql.js') as { Parser: new () => NspParser }).Parser();
  return myParser;
}

export interface AstFacts {
  reads: TableRef[];
  writes: TableRef[];
  unfiltered: boolean;
}

const WRITE_ACTIONS = new Set(['insert', 'update', 'delete', 'replace', 'create', 'drop', 'truncate', 'alter', 'rename']);

/**
 * Parses `sql`; returns null when node-sql-parser does not accept it. `isDataTable` tells
 * catalog tables apart (their unfiltered reads are reconnaissance, not bulk reads).
 */
export function astFacts(sql: string, dialect: Dialect, cteNames: Set<string>, isDataTable: (t: TableRef) => boolean): AstFacts | null {
  let result: { tableList: string[]; ast: unknown };
  try {
    result = parserFor(dialect).parse(sql, { database: dialect === 'pg' ? 'PostgresQL' : 'MySQL' });
  } catch {
    return null;
  }
  const reads: TableRef[] = [];
  const writes: TableRef[] = [];
  for (const entry of result.tableList ?? []) {
    const [action, db, table] = entry.split('::') as [string, string, string];
    if (!table || table === 'null') continue;
    const schema = db && db !== 'null' ? db : null;
    const ref = { schema, name: table };
    if (schema === null && cteNames.has(table)) continue;
    if (action.toLowerCase() === 'select') reads.push(ref);
    else if (WRITE_ACTIONS.has(action.toLowerCase())) writes.push(ref);
  }
  return { reads, writes, unfiltered: hasUnfilteredSelect(result.ast, cteNames, isDataTable) };
}

const AGGREGATE_TYPES = new Set(['aggr_func']);

/** Any SELECT (top level, UNION branch, sub-query, CTE body) that reads a data table with no WHERE and no LIMIT. */
function hasUnfilteredSelect(ast: unknown, cteNames: Set<string>, isDataTable: (t: TableRef) => boolean): boolean {
  let found = false;
  const seen = new Set<unknown>();
  const visit = (node: unknown, depth: number) => {
    if (found || depth > 200 || node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const n of node) visit(n, depth + 1);
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.type === 'select' && Array.isArray(o.from)) {
      const tables = (o.from as Record<string, unknown>[]).filter((f) => typeof f?.table === 'string' && f.table !== 'dual');
      const data = tables.some((f) => {
        const schema = typeof f.db === 'string' ? f.db : null;
        if (schema === null && cteNames.has(f.table as string)) return false;
        return isDataTable({ schema, name: f.table as string });
      });
      const limited = o.limit && typeof o.limit === 'object' && Array.isArray((o.limit as { value?: unknown[] }).value) && (o.limit as { value: unknown[] }).value.length > 0;
      const cols = Array.isArray(o.columns) ? (o.columns as { expr?: { type?: string } }[]) : [];
      const aggregateOnly = cols.length > 0 && cols.every((c) => AGGREGATE_TYPES.has(c?.expr?.type ?? '')) && !o.groupby;
      if (data && !o.where && !limited && !aggregateOnly) {
        found = true;
        return;
      }
    }
    for (const k in o) {
      if (k === 'loc') continue;
      visit(o[k], depth + 1);
    }
  };
  visit(ast, 0);
  return found;
}
