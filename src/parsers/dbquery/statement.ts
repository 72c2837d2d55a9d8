/**
 * The part of a database event that describes its SQL statement: `attrs.sql` (what it touched),
 * `target` (the main table or account) and a one-line, password-masked rendering for `summary`.
 * Shared by the PostgreSQL and MySQL parsers so both fill the same documented fields.
 */
import { qualify, type SqlAnalysis, type SqlAnalyzer } from '../sql/analyze.js';
import { isCatalog } from '../sql/classify.js';
import type { Dialect } from '../sql/tokens.js';
import { maskPasswords } from '../sql/mask.js';
import { DUMP_CLIENTS, DUMP_SEQUENCE_TABLES, type DbSession } from './session.js';

export interface StatementFacts {
  /** attrs.sql (docs/schema.md, "What each statement touched"). */
  sql: Record<string, unknown>;
  target: string | null;
}

/**
 * Analyzes `sql` and qualifies its tables with `defaultSchema` (MySQL: the session's database).
 * Tracks the session's full-table reads to flag dump-like sequences.
 */
export function describeStatement(analyzer: SqlAnalyzer, sql: string, defaultSchema: string | null, session?: DbSession): StatementFacts {
  const a: SqlAnalysis = analyzer.analyze(sql);
  const dialect = analyzer.dialect;
  const extra: string[] = [];
  if (session?.app && DUMP_CLIENTS.test(session.app)) extra.push('dump_client');
  if (session) {
    const data = fullReadTables(a, dialect, defaultSchema);
    if (data.length > 0) {
      const full = (session.fullReads ??= new Set());
      for (const t of data) if (full.size < 10_000) full.add(t);
      if (full.size >= DUMP_SEQUENCE_TABLES) extra.push('dump_sequence');
    }
  }
  // The same statement shape in the same database gives the same facts: built once, shared
  // (events only serialize them).
  const key = `${defaultSchema ?? ''}\u0000${extra.join(',')}`;
  let byKey = built.get(a);
  if (!byKey) built.set(a, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const result = statementFacts(a, dialect, defaultSchema, extra);
  if (byKey.size < 64) byKey.set(key, result);
  return result;
}

/**
 * The data tables (catalogs left out, qualified) a statement reads in full — an unfiltered read or
 * a copy out — which count towards a session's dump sequence; empty for any other statement.
 */
export function fullReadTables(a: SqlAnalysis, dialect: Dialect, defaultSchema: string | null): string[] {
  const f = a.facts;
  if (!(f.unfiltered || f.exports.includes('copy_to_stdout') || f.exports.includes('copy_to_file') || f.exports.includes('mysqldump_query'))) return [];
  const data = f.reads.filter((t) => !isCatalog(t, dialect));
  return data.length > 0 ? qualify(data, dialect, defaultSchema) : [];
}

/**
 * attrs.sql and the target of an analyzed statement, with the session's extra export flags
 * (`dump_client`, `dump_sequence`, in that order). The PostgreSQL csvlog SQL path
 * (postgres-csvlog.sql.ts) builds its variants per statement shape with it.
 */
export function statementFacts(a: SqlAnalysis, dialect: Dialect, defaultSchema: string | null, extra: readonly string[]): StatementFacts {
  const f = a.facts;
  const read = qualify(f.reads, dialect, defaultSchema);
  const written = qualify(f.writes, dialect, defaultSchema);
  const exports = extra.length > 0 ? [...new Set([...f.exports, ...extra])] : f.exports;
  // Flags and lists are present only when set (false / empty are left out: millions of events,
  // and `attrs.sql.destructive = true` reads the same either way).
  const out: Record<string, unknown> = { type: f.type, verb: f.verb, tables_read: read, tables_written: written };
  if (f.unfiltered) out.unfiltered_read = true;
  if (exports.length > 0) out.exports = exports;
  if (f.catalogRecon) out.catalog_recon = true;
  if (f.privilegeChange) out.privilege_change = true;
  if (f.destructive) out.destructive = true;
  if (f.programExec) out.program_exec = true;
  if (f.credentialRead) out.credential_read = true;
  out.fingerprint = a.fingerprint;
  out.parser = a.parser;
  if (f.accounts.length > 0) out.accounts = f.accounts;
  if (f.statements > 1) out.statements = f.statements;
  const target = written[0] ?? f.accounts[0] ?? read.find((t) => !/^(pg_catalog|information_schema)\./.test(t)) ?? read[0] ?? null;
  return { sql: out, target };
}

/** Facts already built per analysis and (database, session extras). */
const built = new WeakMap<SqlAnalysis, Map<string, StatementFacts>>();

const MAX_SUMMARY_SQL = 300;
const lineCache = new Map<string, string>();

/**
 * Text that is already one line: no white space but single spaces inside, none at the ends, and no
 * password keyword to mask. Most statements are; one native scan then replaces the mask, collapse
 * and trim passes and the cache look-up (each hashed or copied the whole statement).
 */
const NOT_ONE_LINE = /[^\S ]|  |^ | $|password|identified/i;

/** The statement on one line, passwords masked, cut to a readable length. */
export function oneLineSql(sql: string): string {
  if (sql.length <= 4000 && !NOT_ONE_LINE.test(sql)) return sql.length > MAX_SUMMARY_SQL ? sql.slice(0, MAX_SUMMARY_SQL) + '…' : sql;
  // Statements repeat verbatim (prepared statements, BEGIN/COMMIT): remember the last few thousand.
  const cached = lineCache.get(sql);
  if (cached !== undefined) return cached;
  const line = toOneLine(sql);
  if (sql.length <= 1024) {
    if (lineCache.size >= 5000) lineCache.clear();
    lineCache.set(sql, line);
  }
  return line;
}

function toOneLine(sql: string): string {
  const head = sql.length > 4000 ? sql.slice(0, 4000) : sql;
  const line = maskPasswords(head).replace(/\s+/g, ' ').trim();
  return line.length > MAX_SUMMARY_SQL || sql.length > 4000 ? line.slice(0, MAX_SUMMARY_SQL) + '…' : line;
}

/** `user@db` / `user` / `db` / `?` for summaries. */
export function who(user: string | null | undefined, database: string | null | undefined): string {
  if (user && database) return `${user}@${database}`;
  return user ?? (database ? `@${database}` : '?');
}

/** Text for the client in summaries. */
export function clientText(ip: string | null | undefined, port: number | null | undefined, host: string | null | undefined): string {
  const h = ip ?? host;
  if (!h) return '';
  return port !== null && port !== undefined ? ` from ${h}:${port}` : ` from ${h}`;
}
