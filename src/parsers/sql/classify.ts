/**
 * What a statement does, read from its tokens: statement type, the tables it reads and writes,
 * and the flags an investigator asks about (bulk read, data leaving the database, catalog
 * reconnaissance, account/privilege change, destruction).
 *
 * This is the fallback for statements node-sql-parser does not accept (COPY, CREATE ROLE,
 * WITH … DELETE, MySQL SET PASSWORD, truncated text, …) and the source of the flags for all
 * statements: flags come from keywords and function names, which tokens give reliably.
 */
import { splitStatements, type Dialect, type Token } from './tokens.js';

export type { Dialect };

/** Statement type (docs/schema.md). TCL, SET, SHOW, cursors … are `other` with their `verb`. */
export type SqlType = 'select' | 'insert' | 'update' | 'delete' | 'copy' | 'ddl' | 'dcl' | 'other';

export interface TableRef {
  /** Schema (PostgreSQL) or database (MySQL) as written, or null when unqualified. */
  schema: string | null;
  name: string;
}

/** Literal-independent facts about one logged statement text (possibly several statements). */
export interface SqlFacts {
  type: SqlType;
  /** Leading command words, upper case: SELECT, COPY TO, CREATE TABLE, ALTER ROLE, BEGIN, SHOW TABLES, … */
  verb: string;
  reads: TableRef[];
  writes: TableRef[];
  /** A table is read with no WHERE and no LIMIT (and not only aggregated). */
  unfiltered: boolean;
  /** How data leaves the database server: copy_to_file, copy_to_program, copy_to_stdout, into_outfile, into_dumpfile, pg_read_file, lo_export, lo_import, load_file, dblink, mysqldump_query. */
  exports: string[];
  catalogRecon: boolean;
  privilegeChange: boolean;
  destructive: boolean;
  /** COPY … FROM/TO PROGRAM, sys_exec(): runs a program on the database server. */
  programExec: boolean;
  /** Reads stored password hashes: pg_authid, pg_shadow, mysql.user, … */
  credentialRead: boolean;
  /** Accounts created, altered, dropped, granted to or revoked from. */
  accounts: string[];
  /** `USE db` (MySQL): the session's database from now on. */
  useDatabase?: string;
  /** Names defined by WITH in this text (not tables). */
  cteNames: string[];
  statements: number;
}

const PG_CATALOG_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);
const MY_CATALOG_SCHEMAS = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);
const CREDENTIAL_TABLES = new Set(['pg_authid', 'pg_shadow', 'pg_user_mapping', 'pg_user_mappings', 'user', 'global_priv']);

/** Functions whose call sends server data or files out, by the export label they get. */
const EXPORT_FUNCTIONS: Record<string, string> = {
  pg_read_file: 'pg_read_file',
  pg_read_binary_file: 'pg_read_file',
  lo_export: 'lo_export',
  lo_import: 'lo_import',
  load_file: 'load_file',
  dblink: 'dblink',
  dblink_exec: 'dblink',
  dblink_connect: 'dblink',
  dblink_send_query: 'dblink',
};
const RECON_FUNCTIONS = new Set([
  'version', 'current_user', 'session_user', 'user', 'system_user', 'current_database', 'database', 'schema',
  'current_schema', 'current_schemas', 'inet_server_addr', 'inet_server_port', 'pg_ls_dir', 'pg_stat_file',
  'pg_ls_logdir', 'pg_ls_waldir', 'pg_postmaster_start_time', 'has_table_privilege', 'has_database_privilege',
  'pg_has_role', 'has_schema_privilege', 'connection_id', 'pg_ls_tmpdir', 'pg_ls_archive_statusdir',
]);
const RECON_KEYWORDS = new Set(['current_user', 'session_user', 'current_role', 'current_catalog', 'current_schema', 'system_user']);
const RECON_VARIABLES = new Set(['version', 'version_comment', 'hostname', 'datadir', 'basedir', 'secure_file_priv', 'plugin_dir', 'global.secure_file_priv', 'port', 'server_id']);
const EXEC_FUNCTIONS = new Set(['sys_exec', 'sys_eval', 'pg_execute_server_program']);
const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'group_concat', 'json_agg', 'jsonb_agg', 'stddev', 'variance']);
/** FROM inside these calls is not a table clause: EXTRACT(YEAR FROM ts), SUBSTRING(s FROM 2). */
const FROM_FUNCTIONS = new Set(['extract', 'substring', 'substr', 'trim', 'overlay', 'position', 'date_part']);
/** MySQL SHOW variants that are not reconnaissance. */
const QUIET_SHOW = new Set(['warnings', 'errors', 'profile', 'profiles', 'count']);
/** PostgreSQL SHOW settings that reveal the server (SHOW search_path and the like are routine). */
const PG_RECON_SHOW = new Set(['all', 'server_version', 'server_version_num', 'data_directory', 'hba_file', 'config_file', 'ident_file', 'log_directory', 'ssl_key_file']);

/** Words that cannot be a table name after FROM/JOIN/INTO (so `FROM (`, `DELETE FROM ONLY t` work). */
const NOT_NAMES = new Set([
  'select', 'where', 'only', 'lateral', 'join', 'on', 'using', 'set', 'values', 'default', 'as', 'with', 'table',
  'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural', 'group', 'order', 'limit', 'having', 'union',
  'into', 'from', 'returning', 'if', 'not', 'exists', 'ignore', 'low_priority', 'delayed', 'high_priority', 'quick',
  'straight_join', 'window', 'offset', 'fetch', 'for', 'outfile', 'dumpfile', 'local', 'temporary', 'temp', 'unlogged',
]);
/** Words after a table name that are not an alias. */
const NOT_ALIAS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural', 'on', 'using', 'group', 'order',
  'limit', 'having', 'union', 'except', 'intersect', 'set', 'values', 'select', 'returning', 'window', 'offset',
  'fetch', 'for', 'into', 'partition', 'tablesample', 'to', 'from', 'with', 'default', 'force', 'use', 'lock',
  'straight_join', 'cascade', 'restrict', 'owner', 'add', 'drop', 'alter', 'rename', 'do', 'when', 'overriding',
  'procedure', 'as', 'rows', 'row', 'character', 'fields', 'columns', 'lines', 'ignore', 'replace', 'only', 'restart',
  'continue', 'instead', 'validate', 'enable', 'disable', 'attach', 'detach', 'inherit', 'no', 'cluster', 'reset',
  'options', 'on', 'tablespace', 'distributed', 'analyze', 'verbose', 'freeze', 'nowait', 'in',
]);

const EMPTY: SqlFacts = {
  type: 'other', verb: '', reads: [], writes: [], unfiltered: false, exports: [], catalogRecon: false,
  privilegeChange: false, destructive: false, programExec: false, credentialRead: false, accounts: [], cteNames: [], statements: 0,
};

export function isCatalog(t: TableRef, dialect: Dialect): boolean {
  const schema = t.schema?.toLowerCase() ?? null;
  if (dialect === 'pg') return schema !== null ? PG_CATALOG_SCHEMAS.has(schema) : t.name.toLowerCase().startsWith('pg_');
  return schema !== null && MY_CATALOG_SCHEMAS.has(schema);
}

function isCredentialTable(t: TableRef, dialect: Dialect): boolean {
  const name = t.name.toLowerCase();
  if (!CREDENTIAL_TABLES.has(name)) return false;
  if (dialect === 'pg') return name !== 'user' && name !== 'global_priv' && (t.schema === null || t.schema.toLowerCase() === 'pg_catalog');
  return t.schema?.toLowerCase() === 'mysql' && (name === 'user' || name === 'global_priv');
}

/** Analyzes a whole logged text (one or more statements) from its tokens. */
export function classifyTokens(tokens: Token[], dialect: Dialect): SqlFacts {
  keepCase = dialect === 'mysql';
  const stmts = splitStatements(tokens);
  if (stmts.length === 0) return { ...EMPTY, exports: [], reads: [], writes: [], accounts: [], cteNames: [] };
  const parts = stmts.map((s) => classifyOne(s, dialect));
  return mergeFacts(parts);
}

/** Merges the facts of several statements logged as one text: flags are OR-ed, tables united. */
export function mergeFacts(parts: SqlFacts[]): SqlFacts {
  if (parts.length === 1) return parts[0]!;
  // The statement that characterizes the text: the first that is not transaction control or SET.
  const main = parts.find((p) => p.type !== 'other') ?? parts.find((p) => !/^(BEGIN|COMMIT|ROLLBACK|START|END|SET|SAVEPOINT|RELEASE)\b/.test(p.verb)) ?? parts[0]!;
  const uniq = (xs: TableRef[]) => {
    const seen = new Set<string>();
    return xs.filter((t) => {
      const k = `${t.schema}\u0000${t.name}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  return {
    type: main.type,
    verb: main.verb,
    reads: uniq(parts.flatMap((p) => p.reads)),
    writes: uniq(parts.flatMap((p) => p.writes)),
    unfiltered: parts.some((p) => p.unfiltered),
    exports: [...new Set(parts.flatMap((p) => p.exports))],
    catalogRecon: parts.some((p) => p.catalogRecon),
    privilegeChange: parts.some((p) => p.privilegeChange),
    destructive: parts.some((p) => p.destructive),
    programExec: parts.some((p) => p.programExec),
    credentialRead: parts.some((p) => p.credentialRead),
    accounts: [...new Set(parts.flatMap((p) => p.accounts))],
    useDatabase: parts.reduce<string | undefined>((db, p) => p.useDatabase ?? db, undefined),
    cteNames: [...new Set(parts.flatMap((p) => p.cteNames))],
    statements: parts.reduce((n, p) => n + p.statements, 0),
  };
}

const isWord = (t: Token | undefined, ...words: string[]) => t !== undefined && t.k === 'w' && (words.length === 0 || words.includes(t.v));
const isOp = (t: Token | undefined, op: string) => t !== undefined && t.k === 'o' && t.v === op;

/**
 * Whether names keep their case: MySQL table names are case-sensitive on most systems, while
 * PostgreSQL folds unquoted names to lower case. Set per classification (single-threaded).
 */
let keepCase = false;

/** A possibly qualified name starting at `i`: returns it and the index after it. */
function readName(ts: Token[], i: number): { ref: TableRef; next: number } | null {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = ts[j];
    if (!t || (t.k !== 'w' && t.k !== 'q')) break;
    if (t.k === 'w' && parts.length === 0 && NOT_NAMES.has(t.v)) break;
    parts.push(t.k === 'w' && keepCase ? (t.r ?? t.v) : t.v);
    j++;
    if (isOp(ts[j], '.') && ts[j + 1] && (ts[j + 1]!.k === 'w' || ts[j + 1]!.k === 'q')) j++;
    else break;
  }
  if (parts.length === 0) return null;
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : null;
  return { ref: { schema, name }, next: j };
}

/** Skips an optional alias (`[AS] name`) after a table name. */
function skipAlias(ts: Token[], i: number): number {
  let j = i;
  if (isWord(ts[j], 'as')) j++;
  const t = ts[j];
  if (t && (t.k === 'q' || (t.k === 'w' && !NOT_ALIAS.has(t.v)))) {
    j++;
    // Column alias list: t AS x(a, b)
    if (isOp(ts[j], '(')) j = skipParens(ts, j);
  }
  return j;
}

function skipParens(ts: Token[], i: number): number {
  const d = ts[i]!.d;
  let j = i + 1;
  while (j < ts.length && !(isOp(ts[j], ')') && ts[j]!.d === d)) j++;
  return j + 1;
}

function upperVerb(words: string[]): string {
  return words.join(' ').toUpperCase();
}

function classifyOne(ts: Token[], dialect: Dialect): SqlFacts {
  const f: SqlFacts = { ...EMPTY, reads: [], writes: [], exports: [], accounts: [], cteNames: [], statements: 1 };
  let start = 0;
  while (isOp(ts[start], '(')) start++;
  // WITH name [(cols)] AS [NOT] [MATERIALIZED] ( … ), … main-statement
  if (isWord(ts[start], 'with')) {
    let j = start + 1;
    if (isWord(ts[j], 'recursive')) j++;
    for (;;) {
      const t = ts[j];
      if (!t || (t.k !== 'w' && t.k !== 'q')) break;
      f.cteNames.push(t.v);
      j++;
      if (isOp(ts[j], '(')) j = skipParens(ts, j);
      if (isWord(ts[j], 'as')) j++;
      if (isWord(ts[j], 'not')) j++;
      if (isWord(ts[j], 'materialized')) j++;
      if (isOp(ts[j], '(')) j = skipParens(ts, j);
      else break;
      if (isOp(ts[j], ',')) j++;
      else break;
    }
    start = j;
  }
  const w0 = ts[start]?.k === 'w' ? ts[start]!.v : '';
  const w = (k: number) => (ts[start + k]?.k === 'w' ? ts[start + k]!.v : '');
  let ddlTargetFrom = -1;

  switch (w0) {
    case 'select':
    case 'values':
    case 'table':
      f.type = 'select';
      f.verb = f.cteNames.length > 0 ? 'WITH SELECT' : w0.toUpperCase();
      if (w0 === 'table') {
        const r = readName(ts, start + 1);
        if (r) {
          f.reads.push(r.ref);
          f.unfiltered = true;
        }
      }
      break;
    case 'insert':
    case 'replace':
      f.type = 'insert';
      f.verb = w0.toUpperCase();
      break;
    case 'update':
      f.type = 'update';
      f.verb = 'UPDATE';
      break;
    case 'delete':
      f.type = 'delete';
      f.verb = 'DELETE';
      break;
    case 'merge':
      f.type = 'update';
      f.verb = 'MERGE';
      break;
    case 'copy':
      f.type = 'copy';
      copyFacts(ts, start, f);
      break;
    case 'load':
      // LOAD DATA [LOCAL] INFILE 'file' INTO TABLE t / LOAD XML
      f.type = w(1) === 'data' || w(1) === 'xml' ? 'insert' : 'other';
      f.verb = upperVerb(['load', w(1)]);
      break;
    case 'grant':
    case 'revoke':
      f.type = 'dcl';
      f.verb = w0.toUpperCase();
      f.privilegeChange = true;
      grantAccounts(ts, start, w0, f);
      break;
    case 'create':
    case 'alter':
    case 'drop':
    case 'rename': {
      let k = 1;
      const mods = new Set(['or', 'replace', 'temporary', 'temp', 'unique', 'global', 'local', 'unlogged', 'recursive', 'definer', 'sql', 'security', 'algorithm', 'online', 'offline', 'if', 'not', 'exists', 'trusted', 'procedural', 'constraint']);
      // CREATE DEFINER=`x`@`y` PROCEDURE: skip the definer clause.
      while (w(k) && mods.has(w(k))) {
        if (w(k) === 'definer') {
          k++;
          while (ts[start + k] && !(ts[start + k]!.k === 'w' && ['procedure', 'function', 'view', 'trigger', 'event'].includes(ts[start + k]!.v))) k++;
          break;
        }
        k++;
      }
      const obj = w(k);
      if (obj === 'role' || obj === 'user' || obj === 'group') {
        // CREATE USER MAPPING stores a login for a foreign server: an account change too (pgaudit's ROLE class).
        if (obj === 'user' && w(k + 1) === 'mapping') {
          f.type = 'dcl';
          f.verb = upperVerb([w0, 'user', 'mapping']);
          f.privilegeChange = true;
          f.destructive = w0 === 'drop';
          break;
        }
        f.type = 'dcl';
        f.verb = upperVerb([w0, obj]);
        f.privilegeChange = true;
        f.destructive = w0 === 'drop';
        let j = start + k + 1;
        if (isWord(ts[j], 'if')) j += isWord(ts[j + 1], 'not') ? 3 : 2;
        const acct = readAccount(ts, j);
        if (acct) f.accounts.push(acct);
        break;
      }
      f.type = 'ddl';
      f.verb = upperVerb([w0, obj === 'materialized' ? 'materialized view' : obj]);
      f.destructive = w0 === 'drop' || (w0 === 'alter' && ts.some((t, i) => i > start + k && t.k === 'w' && t.v === 'drop' && t.d === 0));
      if (['table', 'view', 'index', 'trigger', 'sequence'].includes(obj) || (obj === 'materialized' && w(k + 1) === 'view')) ddlTargetFrom = start + k + 1;
      // ALTER DEFAULT PRIVILEGES … GRANT: a privilege change.
      if (w0 === 'alter' && obj === 'default') {
        f.type = 'dcl';
        f.verb = 'ALTER DEFAULT PRIVILEGES';
        f.privilegeChange = true;
      }
      // CREATE FUNCTION … SONAME (MySQL UDF) / LANGUAGE C: native code on the server.
      if (w0 === 'create' && obj === 'function' && ts.some((t) => t.k === 'w' && t.v === 'soname')) f.programExec = true;
      break;
    }
    case 'truncate':
      f.type = 'ddl';
      f.verb = 'TRUNCATE';
      f.destructive = true;
      ddlTargetFrom = start + 1;
      break;
    case 'set':
      f.type = 'other';
      if (w(1) === 'password') {
        f.type = 'dcl';
        f.verb = 'SET PASSWORD';
        f.privilegeChange = true;
        if (isWord(ts[start + 2], 'for')) {
          const acct = readAccount(ts, start + 3);
          if (acct) f.accounts.push(acct);
        }
      } else f.verb = upperVerb(['set', ...(w(1) === 'role' || w(1) === 'session' ? [w(1)] : [])]);
      break;
    case 'show':
      f.type = 'other';
      f.verb = upperVerb(['show', w(1) === 'full' || w(1) === 'global' || w(1) === 'session' ? w(2) : w(1)]);
      if (dialect === 'mysql') f.catalogRecon = !QUIET_SHOW.has(w(1));
      else f.catalogRecon = PG_RECON_SHOW.has(w(1));
      break;
    case 'describe':
    case 'desc':
      f.type = 'other';
      f.verb = 'DESCRIBE';
      f.catalogRecon = true;
      break;
    case 'explain':
      f.type = 'other';
      f.verb = 'EXPLAIN';
      break;
    case 'use':
      f.type = 'other';
      f.verb = 'USE';
      if (ts[start + 1] && (ts[start + 1]!.k === 'w' || ts[start + 1]!.k === 'q')) f.useDatabase = ts[start + 1]!.v;
      break;
    case 'declare':
      // DECLARE c CURSOR FOR SELECT …: reads like its query.
      f.type = ts.some((t) => t.k === 'w' && t.v === 'select') ? 'select' : 'other';
      f.verb = 'DECLARE CURSOR';
      break;
    case 'prepare': {
      // PREPARE name [(types)] AS statement: classify the statement.
      let j = start + 2;
      if (isOp(ts[j], '(')) j = skipParens(ts, j);
      if (isWord(ts[j], 'as', 'from')) {
        const inner = classifyOne(ts.slice(j + 1), dialect);
        inner.verb = inner.verb ? `PREPARE ${inner.verb}` : 'PREPARE';
        return inner;
      }
      f.verb = upperVerb(['prepare', w(1) === 'transaction' ? 'transaction' : '']).trim();
      break;
    }
    case 'begin':
    case 'start':
    case 'commit':
    case 'rollback':
    case 'end':
    case 'abort':
    case 'savepoint':
    case 'release':
      f.type = 'other';
      f.verb = w0 === 'start' ? 'START TRANSACTION' : w0.toUpperCase();
      break;
    default:
      f.type = 'other';
      f.verb = w0.toUpperCase();
  }
  if (!f.verb) f.verb = w0.toUpperCase();

  // SHOW COLUMNS FROM t, REVOKE … FROM role, EXPLAIN: no table is read or written.
  if (f.type !== 'dcl' && !/^(SHOW|DESCRIBE|EXPLAIN|USE|SET|RESET|VACUUM|ANALYZE|LOCK|GRANT|REVOKE)\b/.test(f.verb)) scanTables(ts, start, f, dialect);
  if (ddlTargetFrom >= 0) ddlTargets(ts, ddlTargetFrom, f);
  scanFlags(ts, f, dialect);

  // Names defined by WITH are not tables.
  if (f.cteNames.length > 0) {
    const ctes = new Set(f.cteNames);
    f.reads = f.reads.filter((t) => t.schema !== null || !ctes.has(t.name));
  }
  for (const t of f.reads) {
    if (isCatalog(t, dialect)) f.catalogRecon = true;
    if (isCredentialTable(t, dialect)) f.credentialRead = true;
  }
  // COPY (SELECT …) TO reads like its query.
  if ((f.type === 'select' || (f.type === 'copy' && f.verb === 'COPY TO')) && !f.unfiltered) f.unfiltered = tokenUnfiltered(ts, start, f, dialect);
  if ((f.type === 'delete' || (f.type === 'update' && f.verb === 'UPDATE')) && !ts.some((t) => t.k === 'w' && t.v === 'where')) f.destructive = true;
  return f;
}

/** COPY table [(cols)] TO|FROM … / COPY (query) TO … */
function copyFacts(ts: Token[], start: number, f: SqlFacts): void {
  let j = start + 1;
  let table: TableRef | null = null;
  if (isOp(ts[j], '(')) j = skipParens(ts, j);
  else {
    const r = readName(ts, j);
    if (r) {
      table = r.ref;
      j = r.next;
      if (isOp(ts[j], '(')) j = skipParens(ts, j);
    }
  }
  const dir = isWord(ts[j], 'to') ? 'to' : isWord(ts[j], 'from') ? 'from' : '';
  const program = isWord(ts[j + 1], 'program');
  const target = ts[j + 1];
  f.verb = dir ? `COPY ${dir.toUpperCase()}` : 'COPY';
  if (program) f.programExec = true;
  if (dir === 'to') {
    if (table) {
      f.reads.push(table);
      f.unfiltered = true;
    }
    if (program) f.exports.push('copy_to_program');
    else if (isWord(target, 'stdout')) f.exports.push('copy_to_stdout');
    else f.exports.push('copy_to_file');
  } else if (dir === 'from' && table) f.writes.push(table);
}

function readAccount(ts: Token[], i: number): string | null {
  const t = ts[i];
  if (!t || (t.k !== 'w' && t.k !== 'q' && t.k !== 's')) return null;
  let name = t.v;
  // MySQL 'user'@'host' — the tokenizer sees '@' then a variable-like token or a string.
  const at = ts[i + 1];
  if (at && at.k === 'v') name += '@' + at.v;
  else if (at && at.k === 'o' && at.v === '@' && ts[i + 2]) name += '@' + ts[i + 2]!.v;
  return name;
}

function grantAccounts(ts: Token[], start: number, verb: string, f: SqlFacts): void {
  const key = verb === 'grant' ? 'to' : 'from';
  for (let i = start + 1; i < ts.length; i++) {
    if (isWord(ts[i], key) && ts[i]!.d === 0) {
      let j = i + 1;
      for (;;) {
        const acct = readAccount(ts, j);
        if (!acct) break;
        f.accounts.push(acct);
        j += acct.includes('@') ? (ts[j + 1]?.k === 'v' ? 2 : 3) : 1;
        if (isOp(ts[j], ',')) j++;
        else break;
      }
      break;
    }
  }
}

/** DROP TABLE [IF EXISTS] a, b / TRUNCATE [TABLE] [ONLY] a / ALTER TABLE t / CREATE TABLE t / CREATE INDEX i ON t. */
function ddlTargets(ts: Token[], from: number, f: SqlFacts): void {
  let j = from;
  const isIndexOrTrigger = f.verb.endsWith('INDEX') || f.verb.endsWith('TRIGGER');
  if (isIndexOrTrigger) {
    // The object written is the table after ON.
    while (j < ts.length && !(isWord(ts[j], 'on') && ts[j]!.d === 0)) j++;
    j++;
  }
  while (isWord(ts[j], 'table', 'if', 'not', 'exists', 'only', 'concurrently')) j++;
  for (;;) {
    const r = readName(ts, j);
    if (!r) break;
    f.writes.push(r.ref);
    j = r.next;
    if (isOp(ts[j], '*')) j++;
    if (isOp(ts[j], ',') && !f.verb.startsWith('CREATE') && !f.verb.startsWith('ALTER')) j++;
    else break;
  }
}

/** Tables after FROM / JOIN (read), INTO / UPDATE / DELETE FROM (written). */
function scanTables(ts: Token[], start: number, f: SqlFacts, dialect: Dialect): void {
  // The function whose parentheses enclose each depth (for EXTRACT(x FROM y)).
  const fnAt: string[] = [];
  const writeStart = f.type === 'insert' || f.type === 'update' || f.type === 'delete';
  let wroteMain = false;
  // From the first token: WITH bodies read tables too.
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.k === 'o' && t.v === '(') {
      const prev = ts[i - 1];
      fnAt[t.d + 1] = prev && prev.k === 'w' ? prev.v : '';
      continue;
    }
    if (t.k !== 'w') continue;
    const inFn = t.d > 0 && FROM_FUNCTIONS.has(fnAt[t.d] ?? '');
    if (t.v === 'from' && !inFn) {
      // COPY t FROM 'file' names a source, not a table.
      if (f.type === 'copy' && t.d === 0) continue;
      // DELETE FROM t (written); MySQL multi-table DELETE t1 FROM t1 JOIN t2: names before FROM are written.
      const isDeleteTarget = f.type === 'delete' && !wroteMain && t.d === 0;
      const end = readTableList(ts, i + 1, isDeleteTarget ? f.writes : f.reads, true);
      if (isDeleteTarget) wroteMain = true;
      i = end - 1;
      continue;
    }
    if (t.v === 'join' || (t.v === 'straight_join' && ts[i + 1]?.k !== 'o')) {
      i = readTableList(ts, i + 1, f.reads, false) - 1;
      continue;
    }
    if (t.v === 'using' && (f.type === 'delete' || f.verb === 'MERGE') && t.d === 0) {
      i = readTableList(ts, i + 1, f.reads, true) - 1;
      continue;
    }
    if (t.v === 'into' && !inFn) {
      const next = ts[i + 1];
      if (isWord(next, 'outfile', 'dumpfile')) continue;
      // SELECT … INTO @var / INTO var (MySQL, PL/pgSQL) is not a table.
      if (next && next.k === 'v') continue;
      let j = i + 1;
      if (isWord(ts[j], 'table')) j++;
      const r = readName(ts, j);
      if (r) {
        if (f.type === 'select' && dialect === 'mysql') continue;
        f.writes.push(r.ref);
        if (writeStart) wroteMain = true;
        i = r.next - 1;
      }
      continue;
    }
    if (t.v === 'update' && i === start) {
      let j = i + 1;
      while (isWord(ts[j], 'low_priority', 'ignore', 'only')) j++;
      i = readTableList(ts, j, f.writes, true) - 1;
      wroteMain = true;
      continue;
    }
    if (t.v === 'delete' && i === start && dialect === 'mysql' && !isWord(ts[i + 1], 'from') && !isWord(ts[i + 1], 'low_priority', 'quick', 'ignore')) {
      // DELETE t1, t2 FROM …: the listed tables are written.
      i = readTableList(ts, i + 1, f.writes, true) - 1;
      wroteMain = true;
      // FROM that follows lists read tables (the written ones repeat there).
      continue;
    }
    if (t.v === 'insert' && i === start && dialect === 'mysql' && !isWord(ts[i + 1], 'into')) {
      // INSERT [IGNORE] `t` VALUES …
      let j = i + 1;
      while (isWord(ts[j], 'low_priority', 'delayed', 'high_priority', 'ignore')) j++;
      if (!isWord(ts[j], 'into')) {
        const r = readName(ts, j);
        if (r) {
          f.writes.push(r.ref);
          wroteMain = true;
          i = r.next - 1;
        }
      }
    }
  }
  // MySQL DELETE t1 FROM t1 JOIN t2: t1 appears in both lists; it is written, not read.
  if (f.type === 'delete' && f.writes.length > 0) {
    const w = new Set(f.writes.map((x) => `${x.schema}.${x.name}`));
    f.reads = f.reads.filter((x) => !w.has(`${x.schema}.${x.name}`));
  }
}

/** Reads `name [alias] [, name [alias]]…` and pushes table names; returns the index after. */
function readTableList(ts: Token[], i: number, into: TableRef[], commas: boolean): number {
  let j = i;
  for (;;) {
    while (isWord(ts[j], 'only', 'lateral')) j++;
    if (isOp(ts[j], '(')) {
      // Subquery or parenthesized join: its own FROM is scanned separately.
      j = skipParens(ts, j);
      j = skipAlias(ts, j);
    } else {
      const r = readName(ts, j);
      if (!r) return j;
      j = r.next;
      // name( … ) is a function call (generate_series(1, 10)), not a table.
      if (isOp(ts[j], '(')) {
        j = skipParens(ts, j);
        j = skipAlias(ts, j);
      } else {
        into.push(r.ref);
        if (isOp(ts[j], '*')) j++;
        j = skipAlias(ts, j);
      }
    }
    if (commas && isOp(ts[j], ',')) {
      j++;
      continue;
    }
    return j;
  }
}

function scanFlags(ts: Token[], f: SqlFacts, dialect: Dialect): void {
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.k === 'w') {
      const callsIt = isOp(ts[i + 1], '(');
      if (callsIt) {
        const exp = EXPORT_FUNCTIONS[t.v];
        if (exp && !f.exports.includes(exp)) f.exports.push(exp);
        if (RECON_FUNCTIONS.has(t.v)) f.catalogRecon = true;
        if (EXEC_FUNCTIONS.has(t.v)) f.programExec = true;
      } else if (RECON_KEYWORDS.has(t.v) && dialect === 'pg' && !isOp(ts[i - 1], '.')) {
        f.catalogRecon = true;
      }
      if (t.v === 'into' && isWord(ts[i + 1], 'outfile', 'dumpfile')) {
        const label = ts[i + 1]!.v === 'outfile' ? 'into_outfile' : 'into_dumpfile';
        if (!f.exports.includes(label)) f.exports.push(label);
      }
      // mysqldump reads each table with SELECT /*!40001 SQL_NO_CACHE */ * FROM `t`.
      if (t.v === 'sql_no_cache' && dialect === 'mysql' && f.type === 'select' && isOp(ts[i + 1], '*') && !f.exports.includes('mysqldump_query')) {
        f.exports.push('mysqldump_query');
      }
    } else if (t.k === 'v' && RECON_VARIABLES.has(t.v.replace(/^(global|session)\./, ''))) {
      f.catalogRecon = true;
    }
  }
}

/** Token view of "reads a table without WHERE/LIMIT and not only aggregates". */
function tokenUnfiltered(ts: Token[], start: number, f: SqlFacts, dialect: Dialect): boolean {
  const data = f.reads.filter((t) => !isCatalog(t, dialect));
  if (data.length === 0) return false;
  let aggregateOnly = false;
  for (let i = start; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.k !== 'w') continue;
    if (t.v === 'where' || t.v === 'limit' || t.v === 'fetch' || t.v === 'top') return false;
    if (t.v === 'select' && !aggregateOnly) {
      const next = ts[i + 1];
      if (next && next.k === 'w' && AGGREGATES.has(next.v) && isOp(ts[i + 2], '(')) aggregateOnly = true;
    }
    if (t.v === 'group') aggregateOnly = false;
  }
  return !aggregateOnly;
}
