/**
 * A Sigma detection → a boolean expression over one event, as a tree of SQL leaves. The tree is
 * rendered twice by the runner: whole (per event), and with every leaf that reads more than the
 * dictionary columns replaced by NULL — evaluated on the case's distinct (source, class, action,
 * dst_port) values, it tells which events a rule can possibly match before any row is read
 * (SQL's three-valued logic keeps it an over-approximation: FALSE only when no event can match).
 *
 * Search identifiers: a mapping is the AND of its fields, a list of mappings their OR, a list of
 * plain values a keyword search (OR; `'|all'` for AND) in the log source's keyword field. Leaves
 * that compare a missing field are false (never NULL), so `not filter` keeps events without it.
 */
import { checkIdentifiers, matchIdentifiers, parseCondition, type Cond } from './condition.js';
import type { FieldRef } from './fields.js';
import type { Target } from './logsources.js';
import { regexRisk } from './regex-check.js';
import { anyPatternRegex, cidrRange, type Params } from './sql.js';
import { SigmaError, type SigmaRule } from './types.js';
import { fieldMatch, type FieldMatch, type MatchValue, type Part, type ValueContext } from './values.js';

export type Node =
  | { t: 'and' | 'or'; args: Node[] }
  | { t: 'not'; arg: Node }
  | { t: 'leaf'; sql: string; dict: boolean; re?: LeafRegex };

/**
 * A leaf that is exactly `regexp_matches(text, $param)` on a scalar: the runner folds such leaves
 * of many rules into one prefilter per source (one regex pass over the raw line instead of one per
 * rule), and needs to know which leaves they are.
 */
export interface LeafRegex {
  /** The SQL text matched (`raw` for keyword searches). */
  text: string;
  /** The bound parameter holding the RE2 pattern (`$s12`). */
  param: string;
}

export interface CompiledRule {
  rule: SigmaRule;
  target: Target;
  cond: Node;
  /** Regular expressions from the rule's |re values (checked by RE2 before the hunt). */
  regexes: string[];
}

/** Renders the tree; in `dict` mode leaves that read non-dictionary columns are NULL (unknown). */
export function render(n: Node, mode: 'full' | 'dict'): string {
  switch (n.t) {
    case 'leaf':
      return mode === 'dict' && !n.dict ? 'NULL' : n.sql;
    case 'not':
      return `(NOT ${render(n.arg, mode)})`;
    default:
      return n.args.length === 1 ? render(n.args[0]!, mode) : `(${n.args.map((a) => render(a, mode)).join(n.t === 'and' ? ' AND ' : ' OR ')})`;
  }
}

export function compileRule(rule: SigmaRule, target: Target, p: Params, ctx: ValueContext): CompiledRule {
  const det = rule.detection;
  const names = Object.keys(det).filter((k) => k !== 'condition');
  if (det.timeframe !== undefined) throw new SigmaError('detection.timeframe is Sigma v1 (an aggregation window): write it as a correlation rule', 'unsupported');
  const regexes: string[] = [];
  const c = new Compiler(target, p, ctx, regexes);
  const searches = new Map<string, Node>();
  for (const name of names) {
    if (name === 'timeframe') continue;
    searches.set(name, c.search(name, det[name]));
  }
  const condText = det.condition;
  const conds = Array.isArray(condText) ? condText : [condText];
  if (conds.length === 0 || conds.some((x) => typeof x !== 'string')) throw new SigmaError('detection.condition must be a string or a list of strings');
  const parsed = (conds as string[]).map((text) => {
    const cond = parseCondition(text);
    checkIdentifiers(cond, names, text);
    return toNode(cond, searches, names);
  });
  const detection: Node = parsed.length === 1 ? parsed[0]! : { t: 'or', args: parsed };
  const parts: Node[] = [{ t: 'leaf', sql: `(${target.where})`, dict: true }];
  if (target.rowWhere) parts.push({ t: 'leaf', sql: `coalesce(${target.rowWhere}, false)`, dict: false });
  parts.push(detection);
  return { rule, target, cond: { t: 'and', args: parts }, regexes };
}

function toNode(c: Cond, searches: Map<string, Node>, names: string[]): Node {
  switch (c.t) {
    case 'and':
    case 'or':
      return { t: c.t, args: c.args.map((a) => toNode(a, searches, names)) };
    case 'not':
      return { t: 'not', arg: toNode(c.arg, searches, names) };
    case 'id':
      return searches.get(c.name)!;
    case 'of': {
      const ids = matchIdentifiers(c.pattern, names);
      const args = ids.map((id) => searches.get(id)!);
      return args.length === 1 ? args[0]! : { t: c.all ? 'and' : 'or', args };
    }
  }
}

class Compiler {
  private lambda = 0;

  constructor(
    private readonly target: Target,
    private readonly p: Params,
    private readonly ctx: ValueContext,
    private readonly regexes: string[],
  ) {}

  search(name: string, v: unknown): Node {
    if (v === null || v === undefined) throw new SigmaError(`search identifier "${name}" is empty`);
    if (Array.isArray(v)) {
      if (v.length === 0) throw new SigmaError(`search identifier "${name}" is an empty list`);
      const maps = v.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
      const plain = v.filter((x) => x === null || typeof x !== 'object');
      if (v.some((x) => Array.isArray(x))) throw new SigmaError(`search identifier "${name}" holds a list inside a list`);
      const args: Node[] = maps.map((m) => this.map(m as Record<string, unknown>));
      if (plain.length > 0) args.push(this.match(fieldMatch('', plain, this.ctx)));
      return args.length === 1 ? args[0]! : { t: 'or', args };
    }
    if (typeof v === 'object') return this.map(v as Record<string, unknown>);
    return this.match(fieldMatch('', [v], this.ctx));
  }

  private map(m: Record<string, unknown>): Node {
    const entries = Object.entries(m);
    if (entries.length === 0) throw new SigmaError('a selection is an empty mapping');
    const args = entries.map(([k, v]) => this.match(fieldMatch(k, v, this.ctx)));
    return args.length === 1 ? args[0]! : { t: 'and', args };
  }

  /** One `field|modifiers: values` → a node. */
  match(fm: FieldMatch): Node {
    const ref = fm.field === null ? this.target.keywords : this.field(fm.field);
    const keyword = fm.field === null;
    const leaves: Array<{ sql: string; dict: boolean; re?: LeafRegex }> = [];
    const dict = Boolean(ref.dict);
    const pats: Part[][] = [];
    for (const v of fm.values) {
      if (v.k === 'pattern') {
        // A keyword is found anywhere in the event (implicit * on both sides).
        const parts: Part[] = keyword ? [{ w: '*' }, ...v.parts, { w: '*' }] : v.parts;
        if (fm.all) leaves.push({ ...this.patterns(ref, [parts], fm.cased), dict });
        else pats.push(parts);
      } else leaves.push(this.value(ref, v, fm));
    }
    if (pats.length > 0) leaves.unshift({ ...this.patterns(ref, pats, fm.cased), dict });
    const nodes: Node[] = leaves.map((l) => ({ t: 'leaf', sql: `coalesce(${l.sql}, false)`, dict: l.dict, ...(l.re ? { re: l.re } : {}) }));
    let n: Node = nodes.length === 1 ? nodes[0]! : { t: fm.all ? 'and' : 'or', args: nodes };
    if (fm.neq) n = { t: 'not', arg: n };
    return n;
  }

  private field(name: string): FieldRef {
    const f = this.target.field(name, this.p);
    if (!f) throw new SigmaError(`field "${name}" is not in ${this.target.label} events as dwell reads them (docs/sigma.md lists the fields of each log source)`, 'unsupported');
    return f;
  }

  /** A predicate on each element of a list field, or on a scalar. */
  private each(ref: FieldRef, pred: (x: string) => string): string {
    if (!ref.list) return pred(ref.text);
    const x = `_v${this.lambda++}`;
    return `(len(list_filter(${ref.text}, lambda ${x}: coalesce(${pred(x)}, false))) > 0)`;
  }

  private patterns(ref: FieldRef, list: Part[][], cased: boolean): { sql: string; re?: LeafRegex } {
    return this.regex(ref, anyPatternRegex(list, cased));
  }

  private regex(ref: FieldRef, pattern: string): { sql: string; re?: LeafRegex } {
    const re = this.p.add(pattern);
    return { sql: this.each(ref, (x) => `regexp_matches(${x}, ${re})`), ...(ref.list ? {} : { re: { text: ref.text, param: re } }) };
  }

  private value(ref: FieldRef, v: MatchValue, fm: FieldMatch): { sql: string; dict: boolean; re?: LeafRegex } {
    const dict = Boolean(ref.dict);
    switch (v.k) {
      case 're': {
        const risk = regexRisk(v.source);
        if (risk) throw new SigmaError(`|re value ${JSON.stringify(v.source.slice(0, 120))} refused: ${risk}`);
        this.regexes.push(v.source);
        const flags = v.flags ? `(?${v.flags})` : '';
        return { ...this.regex(ref, flags + v.source), dict };
      }
      case 'cidr': {
        const r = cidrRange(v.cidr);
        if (!r) throw new SigmaError(`|cidr value "${v.cidr}" is not an IPv4 or IPv6 network`);
        const fn = r.v === 4 ? 'sigma_ip4_hex' : 'sigma_ip6_hex';
        const lo = this.p.add(r.lo);
        const hi = this.p.add(r.hi);
        return { sql: this.each(ref, (x) => `(${fn}(${x}) BETWEEN ${lo} AND ${hi})`), dict };
      }
      case 'cmp': {
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op];
        const n = this.p.add(v.n);
        if (!ref.list && ref.num) return { sql: `(${ref.num} ${op} ${n})`, dict };
        return { sql: this.each(ref, (x) => `(TRY_CAST(${x} AS DOUBLE) ${op} ${n})`), dict };
      }
      case 'time': {
        const n = this.p.add(v.n);
        if (!ref.list && ref.time) return { sql: `(date_part('${v.unit}', ${ref.time}) = ${n})`, dict };
        return { sql: this.each(ref, (x) => `(date_part('${v.unit}', TRY_CAST(${x} AS TIMESTAMP)) = ${n})`), dict };
      }
      case 'null':
        return { sql: ref.list ? `(len(list_filter(${ref.text}, lambda _n: _n IS NOT NULL)) = 0)` : `(${ref.text} IS NULL)`, dict };
      case 'exists':
        return { sql: v.present ? ref.exists : `(NOT ${ref.exists})`, dict };
      case 'fieldref': {
        const other = this.field(v.field);
        const cmp = (a: string, b: string) => {
          const [x, y] = fm.cased ? [a, b] : [`lower(${a})`, `lower(${b})`];
          return v.mode === 'eq' ? `(${x} = ${y})` : v.mode === 'contains' ? `contains(${x}, ${y})` : v.mode === 'startswith' ? `starts_with(${x}, ${y})` : `ends_with(${x}, ${y})`;
        };
        const sql = this.each(ref, (a) => this.each(other, (b) => cmp(a, b)));
        return { sql, dict: dict && Boolean(other.dict) };
      }
      case 'pattern':
        return { ...this.patterns(ref, [v.parts], fm.cased), dict };
    }
  }
}
