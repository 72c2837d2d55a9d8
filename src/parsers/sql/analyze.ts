/**
 * One entry point for "what did this statement touch": fingerprint → cache → tokens (+ the real
 * parser when it can be trusted with the text) → literal-independent facts; then, per event,
 * table names qualified with the session's default schema.
 *
 * One analyzer per file: its cache and its parser time budget are per file.
 */
import { astFacts } from './ast.js';
import { classifyTokens, isCatalog, type SqlFacts, type TableRef } from './classify.js';
import { fingerprintId, fingerprintText } from './fingerprint.js';
import { NameShapeCache, nameShape } from './name-shape.js';
import { tokenize, type Dialect } from './tokens.js';

export interface SqlAnalysis {
  facts: SqlFacts;
  /** 16 hex digits identifying the statement's shape (same for every literal value). */
  fingerprint: string;
  /** `node-sql-parser` when its AST gave the tables, `tokens` when the token scan did. */
  parser: 'node-sql-parser' | 'tokens';
}

export interface AnalyzerStats {
  statements: number;
  distinct: number;
  parsed: number;
  tokenOnly: number;
  parserMs: number;
  budgetExhausted: boolean;
}

/** Text longer than this is analyzed from tokens only and not cached (a 1 MB INSERT is not repeated). */
const MAX_CACHED_LENGTH = 64 * 1024;
/** node-sql-parser gets well-formed text up to this size and nesting. */
const MAX_PARSER_LENGTH = 16 * 1024;
const MAX_PARSER_DEPTH = 16;
const DEFAULT_BUDGET_MS = 20_000;
const MAX_CACHE = 50_000;

/** Exact texts remembered (prepared statements and BEGIN/COMMIT repeat verbatim): no fingerprinting for them. */
const MAX_EXACT = 20_000;
const MAX_EXACT_LENGTH = 2048;

export class SqlAnalyzer {
  private readonly cache = new Map<string, SqlAnalysis>();
  private readonly exact = new Map<string, SqlAnalysis>();
  /** Parser facts per name shape (statements that differ only in numbered names: report_1, report_2, …). */
  private readonly shapes: NameShapeCache;
  private readonly stats: AnalyzerStats = { statements: 0, distinct: 0, parsed: 0, tokenOnly: 0, parserMs: 0, budgetExhausted: false };

  constructor(
    readonly dialect: Dialect,
    private readonly budgetMs = DEFAULT_BUDGET_MS,
    /** node-sql-parser's facts (a test counts the parses through it). */
    private readonly parse: typeof astFacts = astFacts,
  ) {
    this.shapes = new NameShapeCache(dialect === 'pg');
  }

  analyze(sql: string): SqlAnalysis {
    this.stats.statements++;
    if (sql.length > MAX_CACHED_LENGTH) {
      this.stats.distinct++;
      this.stats.tokenOnly++;
      const { tokens } = tokenize(sql, this.dialect);
      return { facts: classifyTokens(tokens, this.dialect), fingerprint: fingerprintId(sql), parser: 'tokens' };
    }
    const same = this.exact.get(sql);
    if (same) return same;
    const fp = fingerprintText(sql, this.dialect);
    const hit = this.cache.get(fp);
    // Account names are string literals in MySQL ('bob'@'%'): account statements (rare) are
    // analyzed each time rather than sharing the first one's accounts.
    if (hit && hit.facts.type !== 'dcl') return this.remember(sql, hit);
    if (hit) return this.remember(sql, this.compute(sql, fp));
    this.stats.distinct++;
    const analysis = this.compute(sql, fp);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(fp, analysis);
    return this.remember(sql, analysis);
  }

  private remember(sql: string, a: SqlAnalysis): SqlAnalysis {
    if (sql.length <= MAX_EXACT_LENGTH) {
      if (this.exact.size >= MAX_EXACT) this.exact.clear();
      this.exact.set(sql, a);
    }
    return a;
  }

  summary(): AnalyzerStats {
    return { ...this.stats, parserMs: Math.round(this.stats.parserMs) };
  }

  private compute(sql: string, fp: string): SqlAnalysis {
    const tok = tokenize(sql, this.dialect);
    const facts = classifyTokens(tok.tokens, this.dialect);
    let parser: SqlAnalysis['parser'] = 'tokens';
    const worthParsing = facts.type === 'select' || facts.type === 'insert' || facts.type === 'update' || facts.type === 'delete' || facts.type === 'ddl';
    if (worthParsing && tok.wellFormed && tok.maxDepth <= MAX_PARSER_DEPTH && sql.length <= MAX_PARSER_LENGTH && !this.stats.budgetExhausted) {
      const dialect = this.dialect;
      const shape = nameShape(fp);
      let ast = shape ? this.shapes.get(shape) : undefined;
      if (ast === undefined) {
        const started = performance.now();
        ast = this.parse(sql, dialect, new Set(facts.cteNames), (t) => !isCatalog(t, dialect));
        this.stats.parserMs += performance.now() - started;
        if (this.stats.parserMs > this.budgetMs) this.stats.budgetExhausted = true;
        if (shape) this.shapes.set(shape, ast);
      }
      if (ast && ast.reads.length + ast.writes.length > 0) {
        const quoted = new Set(tok.tokens.filter((t) => t.k === 'q').map((t) => t.v));
        const norm = (t: TableRef): TableRef => this.normalizeCase(t, quoted);
        facts.reads = ast.reads.map(norm);
        facts.writes = ast.writes.map(norm);
        if (facts.type === 'select') facts.unfiltered = facts.unfiltered || ast.unfiltered;
        else facts.unfiltered = ast.unfiltered;
        facts.catalogRecon = facts.catalogRecon || facts.reads.some((t) => isCatalog(t, dialect));
        parser = 'node-sql-parser';
        this.stats.parsed++;
      } else this.stats.tokenOnly++;
    } else this.stats.tokenOnly++;
    return { facts, fingerprint: fingerprintId(fp), parser };
  }

  /** PostgreSQL folds unquoted names to lower case; node-sql-parser returns them as written. */
  private normalizeCase(t: TableRef, quoted: Set<string>): TableRef {
    let schema = t.schema;
    // x.y::z from a three-part name: keep the schema part.
    if (schema && schema.includes('.')) schema = schema.slice(schema.lastIndexOf('.') + 1);
    if (this.dialect !== 'pg') return { schema, name: t.name };
    const fold = (s: string) => (quoted.has(s) ? s : s.toLowerCase());
    return { schema: schema === null ? null : fold(schema), name: fold(t.name) };
  }
}

/**
 * Schema-qualified names: PostgreSQL's unqualified names get `pg_catalog` for `pg_*` catalog
 * relations and `public` otherwise (the default search_path); MySQL's get the session's
 * database, or stay unqualified when it is unknown (never guessed).
 */
export function qualify(refs: readonly TableRef[], dialect: Dialect, defaultSchema: string | null): string[] {
  const out: string[] = [];
  for (const t of refs) {
    let schema = t.schema;
    if (schema === null) {
      if (dialect === 'pg') schema = t.name.startsWith('pg_') ? 'pg_catalog' : 'public';
      else schema = defaultSchema;
    }
    const name = schema === null ? t.name : `${schema}.${t.name}`;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
