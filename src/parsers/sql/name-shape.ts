/**
 * node-sql-parser's table facts shared by statements that differ only in the numbers inside their
 * names: `report_17`, `orders_2019`, `tmp_3`, `table_40` (partitions, per-day and per-tenant tables,
 * temporary tables, a dump's tables). Each such statement is its own fingerprint (names are kept in
 * fingerprints), and parsing each one costs 1–3 ms, which made node-sql-parser the largest single
 * cost of a log with a long tail of such names (bench/RESULTS.md, "Database query logs").
 *
 * A name shape is the fingerprint with every `_<digits>` inside an unquoted name replaced by a
 * marker. Statements of one name shape have the same tokens in the same order; only those names
 * differ. The grammar has no keyword with `_<digits>` in it, so such a name is a plain identifier
 * in either statement and the parse has the same structure: the second statement's tables are the
 * first's with the names renamed one for one. What cannot be renamed that way is parsed afresh:
 * a name mapped two ways, a table name holding `_<digits>` that is not one of the renamed names,
 * or a quoted name holding `_<digits>` (it stays in the shape as written and could be confused with
 * a renamed one).
 *
 * Only the parser's tables and its bulk-read flag are shared; the token facts (type, verb, flags,
 * WITH names) are still computed per fingerprint from the statement's own tokens.
 */
import type { AstFacts } from './ast.js';
import type { TableRef } from './classify.js';

/** Quoted parts kept in a fingerprint (PostgreSQL "names", MySQL `names` and /*! executable comments *\/), or a bare word. */
const PARTS = /("(?:[^"]|"")*(?:"|$)|`(?:[^`]|``)*(?:`|$)|\/\*![\s\S]*?(?:\*\/|$))|[A-Za-z_][\w$]*/g;
const NUMBERED = /_\d/;
const DIGIT_RUNS = /_\d+/g;
/** Cannot occur in a fingerprint of log text read as UTF-8 text (a control character). */
const MARK = '_\u0001';
const MAX_SHAPES = 5_000;

export interface NameShape {
  /** The fingerprint with the numbers inside names replaced. */
  key: string;
  /** The names that hold `_<digits>`, in the order they appear. */
  names: string[];
}

/** The name shape of a fingerprint, or null when it has no numbered names (or one is quoted). */
export function nameShape(fp: string): NameShape | null {
  if (!NUMBERED.test(fp) || fp.includes('\u0001')) return null;
  const names: string[] = [];
  let quotedNumbered = false;
  const key = fp.replace(PARTS, (part: string, quoted: string | undefined) => {
    if (quoted !== undefined) {
      if (NUMBERED.test(quoted)) quotedNumbered = true;
      return part;
    }
    if (!NUMBERED.test(part)) return part;
    names.push(part);
    return part.replace(DIGIT_RUNS, MARK);
  });
  return quotedNumbered || names.length === 0 ? null : { key, names };
}

interface Entry {
  names: string[];
  /** null: the parser refused the statement (it refuses every statement of the shape alike). */
  facts: AstFacts | null;
}

/** Parser facts per name shape, for one analyzer (bounded: cleared when full, like its other caches). */
export class NameShapeCache {
  private readonly shapes = new Map<string, Entry>();

  constructor(private readonly lowerCaseNames: boolean) {}

  /**
   * The facts of an earlier statement of the same shape, renamed to `shape`'s names (null: the
   * parser refused it); undefined when there is none or it cannot be renamed.
   */
  get(shape: NameShape): AstFacts | null | undefined {
    const e = this.shapes.get(shape.key);
    if (!e || e.names.length !== shape.names.length) return undefined;
    const rename = new Map<string, string>();
    const back = new Map<string, string>();
    for (let i = 0; i < e.names.length; i++) {
      const from = e.names[i]!;
      const to = shape.names[i]!;
      if ((rename.get(from) ?? to) !== to || (back.get(to) ?? from) !== from) return undefined;
      rename.set(from, to);
      back.set(to, from);
    }
    if (this.lowerCaseNames) {
      // The parser returns names as written; the analyzer folds them later. A folded name is renamed by its folded form.
      for (const [from, to] of [...rename]) {
        const lower = from.toLowerCase();
        if (lower === from) continue;
        if ((rename.get(lower) ?? to.toLowerCase()) !== to.toLowerCase()) return undefined;
        rename.set(lower, to.toLowerCase());
      }
    }
    if (e.facts === null) return null;
    const name = (s: string): string | null => (NUMBERED.test(s) ? (rename.get(s) ?? null) : s);
    const refs = (list: TableRef[]): TableRef[] | null => {
      const out: TableRef[] = [];
      for (const t of list) {
        const n = name(t.name);
        const schema = t.schema === null ? null : name(t.schema);
        if (n === null || (schema === null && t.schema !== null)) return null;
        out.push({ schema, name: n });
      }
      return out;
    };
    const reads = refs(e.facts.reads);
    const writes = reads && refs(e.facts.writes);
    if (!reads || !writes) return undefined;
    return { reads, writes, unfiltered: e.facts.unfiltered };
  }

  set(shape: NameShape, facts: AstFacts | null): void {
    if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
    this.shapes.set(shape.key, { names: shape.names, facts });
  }

  get size(): number {
    return this.shapes.size;
  }
}
