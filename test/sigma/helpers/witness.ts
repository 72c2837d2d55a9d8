/**
 * Test events built from a Sigma rule's own detection: a positive that satisfies its condition and
 * a near miss (the same event with one matched value altered) that does not — decided by a small
 * JavaScript evaluator of Sigma's semantics written here for the tests (an oracle independent of
 * the SQL dwell compiles). The events are then written as the log records the rule's log source
 * reads (a CloudTrail record, a Zeek JSON line, a syslog line, a VPC flow log line, a PostgreSQL
 * log line) and go through dwell's real parsers.
 */
import { checkIdentifiers, matchIdentifiers, parseCondition, type Cond } from '../../../src/sigma/condition.js';
import { anyPatternRegex, cidrRange } from '../../../src/sigma/sql.js';
import type { SigmaRule } from '../../../src/sigma/types.js';
import { fieldMatch, type FieldMatch, type MatchValue, type Part } from '../../../src/sigma/values.js';

/** An abstract event: Sigma field → value (undefined: absent), and text the raw record must contain. */
export interface Abstract {
  fields: Record<string, string | number | boolean | undefined>;
  keywords: string[];
}

type Search = { kind: 'or'; alts: Search[] } | { kind: 'and'; items: Search[] } | { kind: 'match'; fm: FieldMatch };

function searchOf(v: unknown): Search {
  const ctx = { placeholders: {} };
  if (Array.isArray(v)) {
    const maps = v.filter((x) => x !== null && typeof x === 'object');
    const plain = v.filter((x) => x === null || typeof x !== 'object');
    const alts: Search[] = maps.map((m) => searchOf(m));
    if (plain.length > 0) alts.push({ kind: 'match', fm: fieldMatch('', plain, ctx) });
    return alts.length === 1 ? alts[0]! : { kind: 'or', alts };
  }
  if (v && typeof v === 'object') return { kind: 'and', items: Object.entries(v).map(([k, x]) => ({ kind: 'match' as const, fm: fieldMatch(k, x, ctx) })) };
  return { kind: 'match', fm: fieldMatch('', [v], ctx) };
}

// ---- the oracle ---------------------------------------------------------------------------------

function jsRegex(re2: string): RegExp {
  // anyPatternRegex writes (?s) / (?is) in front; JavaScript takes them as flags.
  const m = /^\(\?([a-z]+)\)/.exec(re2);
  return m ? new RegExp(re2.slice(m[0].length), m[1]!.replace(/[^ims]/g, '')) : new RegExp(re2);
}

function ipHex(s: string): { v: 4 | 6; hex: string } | null {
  const r = cidrRange(s.includes(':') ? `${s}/128` : `${s}/32`);
  return r ? { v: r.v, hex: r.lo } : null;
}

/** How a writer names fields (aliases resolved) and what every record it writes holds anyway. */
export interface Shape {
  canon: (field: string) => string;
  defaults: Record<string, string | number | boolean>;
}

export const PLAIN: Shape = { canon: (f) => f, defaults: {} };

function valueMatches(v: MatchValue, x: string | number | boolean | undefined, fm: FieldMatch, ev: Abstract, raw: string, shape: Shape): boolean {
  const text = x === undefined ? undefined : String(x);
  switch (v.k) {
    case 'pattern': {
      const parts: Part[] = fm.field === null ? [{ w: '*' }, ...v.parts, { w: '*' }] : v.parts;
      const target = fm.field === null ? raw : text;
      return target !== undefined && jsRegex(anyPatternRegex([parts], fm.cased)).test(target);
    }
    case 're':
      return text !== undefined && new RegExp(v.source, v.flags.replace(/[^ims]/g, '')).test(text);
    case 'cidr': {
      const r = cidrRange(v.cidr)!;
      const h = text ? ipHex(text) : null;
      return h !== null && h.v === r.v && h.hex >= r.lo && h.hex <= r.hi;
    }
    case 'cmp': {
      const n = Number(text);
      if (text === undefined || !Number.isFinite(n)) return false;
      return v.op === 'lt' ? n < v.n : v.op === 'lte' ? n <= v.n : v.op === 'gt' ? n > v.n : n >= v.n;
    }
    case 'null':
      return text === undefined;
    case 'exists':
      return (text !== undefined) === v.present;
    case 'fieldref': {
      const o = get(ev, v.field, shape);
      if (text === undefined || o === undefined) return false;
      const [a, b] = fm.cased ? [text, String(o)] : [text.toLowerCase(), String(o).toLowerCase()];
      return v.mode === 'eq' ? a === b : v.mode === 'contains' ? a.includes(b) : v.mode === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'time':
      return false;
  }
}

function get(ev: Abstract, field: string, shape: Shape): string | number | boolean | undefined {
  const k = shape.canon(field);
  return k in ev.fields ? ev.fields[k] : shape.defaults[k];
}

function fmMatches(fm: FieldMatch, ev: Abstract, raw: string, shape: Shape): boolean {
  const x = fm.field === null ? undefined : get(ev, fm.field, shape);
  const each = fm.values.map((v) => valueMatches(v, x, fm, ev, raw, shape));
  const r = fm.all ? each.every(Boolean) : each.some(Boolean);
  return fm.neq ? !r : r;
}

function searchMatches(s: Search, ev: Abstract, raw: string, shape: Shape): boolean {
  if (s.kind === 'match') return fmMatches(s.fm, ev, raw, shape);
  if (s.kind === 'and') return s.items.every((i) => searchMatches(i, ev, raw, shape));
  return s.alts.some((a) => searchMatches(a, ev, raw, shape));
}

function evalCond(c: Cond, truth: (name: string) => boolean, names: string[]): boolean {
  switch (c.t) {
    case 'and':
      return c.args.every((a) => evalCond(a, truth, names));
    case 'or':
      return c.args.some((a) => evalCond(a, truth, names));
    case 'not':
      return !evalCond(c.arg, truth, names);
    case 'id':
      return truth(c.name);
    case 'of': {
      const ids = matchIdentifiers(c.pattern, names);
      return c.all ? ids.every(truth) : ids.some(truth);
    }
  }
}

export class Oracle {
  readonly names: string[];
  private readonly searches = new Map<string, Search>();
  private readonly conds: Cond[];

  constructor(
    readonly rule: SigmaRule,
    private readonly shape: Shape = PLAIN,
  ) {
    const det = rule.detection;
    this.names = Object.keys(det).filter((k) => k !== 'condition');
    for (const n of this.names) this.searches.set(n, searchOf(det[n]));
    const texts = (Array.isArray(det.condition) ? det.condition : [det.condition]) as string[];
    this.conds = texts.map((t) => {
      const c = parseCondition(t);
      checkIdentifiers(c, this.names, t);
      return c;
    });
  }

  matches(ev: Abstract, raw: string): boolean {
    const truth = (n: string) => searchMatches(this.searches.get(n)!, ev, raw, this.shape);
    return this.conds.some((c) => evalCond(c, truth, this.names));
  }

  // ---- witnesses ------------------------------------------------------------------------------

  /** A positive and a near miss, or the reason none was found. */
  witness(materialize: (ev: Abstract) => string): { positive: Abstract; negative: Abstract } | { none: string } {
    const names = this.names;
    const k = Math.min(names.length, 10);
    const assignments: boolean[][] = [];
    for (let mask = 0; mask < 1 << k; mask++) assignments.push(names.map((_, i) => i < k && Boolean(mask & (1 << i))));
    // Fewest identifiers made true first.
    assignments.sort((a, b) => a.filter(Boolean).length - b.filter(Boolean).length);
    for (const a of assignments) {
      const truth = (n: string) => a[names.indexOf(n)]!;
      if (!this.conds.some((c) => evalCond(c, truth, names))) continue;
      for (let variant = 0; variant < 4; variant++) {
        const ev: Abstract = { fields: {}, keywords: [] };
        let ok = true;
        names.forEach((n, i) => {
          if (ok && a[i]) ok = satisfy(this.searches.get(n)!, ev, variant, this.shape);
        });
        if (!ok) continue;
        if (!this.matches(ev, materialize(ev))) continue;
        const negative = this.nearMiss(ev, materialize);
        if (negative) return { positive: ev, negative };
      }
    }
    return { none: 'no assignment of the search identifiers gave a positive event with a near miss' };
  }

  private nearMiss(ev: Abstract, materialize: (ev: Abstract) => string): Abstract | null {
    // Alter one keyword or one field value (a character in the middle of it), then drop it.
    const tries: Abstract[] = [];
    ev.keywords.forEach((kw, i) => {
      for (const alt of mutations(kw)) tries.push({ fields: { ...ev.fields }, keywords: ev.keywords.map((x, j) => (j === i ? alt : x)) });
    });
    for (const [f, v] of Object.entries(ev.fields)) {
      if (v === undefined) continue;
      for (const alt of mutations(String(v))) tries.push({ fields: { ...ev.fields, [f]: typeof v === 'number' && /^-?\d+$/.test(alt) ? Number(alt) : alt }, keywords: [...ev.keywords] });
    }
    for (const [f, v] of Object.entries(this.shape.defaults)) {
      if (f in ev.fields) continue;
      for (const alt of mutations(String(v))) tries.push({ fields: { ...ev.fields, [f]: alt }, keywords: [...ev.keywords] });
    }
    ev.keywords.forEach((_, i) => tries.push({ fields: { ...ev.fields }, keywords: ev.keywords.filter((__, j) => j !== i) }));
    for (const f of Object.keys(ev.fields)) tries.push({ fields: { ...ev.fields, [f]: undefined }, keywords: [...ev.keywords] });
    // A rule that matches by what is absent (`not selection`): make that selection true.
    for (const n of this.names) {
      for (let variant = 0; variant < 3; variant++) {
        const t: Abstract = { fields: { ...ev.fields }, keywords: [...ev.keywords] };
        if (satisfy(this.searches.get(n)!, t, variant, this.shape)) tries.push(t);
      }
    }
    for (const t of tries) if (!this.matches(t, materialize(t))) return t;
    return null;
  }
}

/** The value with one character in its middle changed (to a letter, digit or dot of another kind). */
function mutations(s: string): string[] {
  const out: string[] = [];
  const idx = Array.from(s, (_, i) => i).filter((i) => /[A-Za-z0-9]/.test(s[i]!));
  const order = [idx[Math.floor(idx.length / 2)], idx[0], idx[idx.length - 1]].filter((x): x is number => x !== undefined);
  for (const i of order) {
    const c = s[i]!;
    const r = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c.toLowerCase() === 'q' ? 'j' : 'q';
    out.push(s.slice(0, i) + r + s.slice(i + 1));
  }
  return [...new Set(out)];
}

/** Makes a search true in the event (variant picks among list alternatives); false on a conflict. */
function satisfy(s: Search, ev: Abstract, variant: number, shape: Shape): boolean {
  if (s.kind === 'or') return satisfy(s.alts[variant % s.alts.length]!, ev, variant, shape);
  if (s.kind === 'and') return s.items.every((i) => satisfy(i, ev, variant, shape));
  const fm = s.fm;
  const field = fm.field === null ? null : shape.canon(fm.field);
  const pick = (list: MatchValue[]) => (fm.all ? list : [list[variant % list.length]!]);
  if (fm.neq) {
    if (field) ev.fields[field] ??= 'dwell-other-value';
    return true;
  }
  if (field === null) {
    for (const v of pick(fm.values)) if (v.k === 'pattern') ev.keywords.push(concrete(v.parts));
    return true;
  }
  const values = pick(fm.values);
  let text: string | number | boolean | undefined;
  if (values.every((v) => v.k === 'pattern')) {
    text = values.map((v) => concrete((v as { parts: Part[] }).parts)).join(' ');
  } else {
    const v = values[0]!;
    switch (v.k) {
      case 're':
        text = regexExample(v.source);
        break;
      case 'cidr':
        text = addressIn(v.cidr);
        break;
      case 'cmp':
        text = v.op === 'gt' ? v.n + 1 : v.op === 'lt' ? v.n - 1 : v.n;
        break;
      case 'null':
        text = undefined;
        break;
      case 'exists':
        text = v.present ? 'dwell-present' : undefined;
        break;
      case 'fieldref': {
        const other = shape.canon(v.field);
        ev.fields[other] ??= 'dwell-same-value';
        text = ev.fields[other];
        break;
      }
      default:
        return false;
    }
  }
  const prior = ev.fields[field];
  if (prior !== undefined && text !== undefined && String(prior) !== String(text)) {
    // Two conditions on one field (name|contains: X with name|endswith: Y): both in one value.
    if (typeof prior !== 'string' || typeof text !== 'string') return false;
    text = prior + text;
  }
  ev.fields[field] = text;
  return true;
}

/** A concrete text for a Sigma pattern (`*` → nothing, `?` → x). */
function concrete(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.w === '?' ? 'x' : '')).join('');
}

function addressIn(cidr: string): string {
  const r = cidrRange(cidr)!;
  if (r.v === 4) return r.lo.match(/../g)!.map((h) => parseInt(h, 16)).join('.');
  const groups = r.lo.match(/..../g)!.map((g) => parseInt(g, 16).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** A string the (simple) regular expression matches: first alternative, minimal repeats. */
export function regexExample(re: string): string {
  let i = 0;
  const seq = (): string => {
    let out = '';
    while (i < re.length && re[i] !== ')' && re[i] !== '|') {
      let atom: string;
      const c = re[i]!;
      if (c === '^' || c === '$') {
        i++;
        continue;
      }
      if (c === '(') {
        i++;
        if (re[i] === '?') i = re.indexOf(':', i) + 1;
        atom = alt();
        i++; // )
      } else if (c === '[') {
        const end = re.indexOf(']', i + 2);
        const body = re.slice(i + 1, end);
        atom = body.startsWith('^') ? 'x' : body[0] === '\\' ? body[1]! : body[0]!;
        i = end + 1;
      } else if (c === '\\') {
        const n = re[i + 1]!;
        atom = n === 'd' ? '1' : n === 'w' ? 'a' : n === 's' ? ' ' : n;
        i += 2;
      } else if (c === '.') {
        atom = 'a';
        i++;
      } else {
        atom = c;
        i++;
      }
      const q = re[i];
      if (q === '*' || q === '?') {
        atom = '';
        i++;
      } else if (q === '+') i++;
      else if (q === '{') {
        const m = /^\{(\d+)/.exec(re.slice(i))!;
        atom = atom.repeat(Number(m[1]));
        i = re.indexOf('}', i) + 1;
      }
      out += atom;
    }
    return out;
  };
  const alt = (): string => {
    const first = seq();
    while (re[i] === '|') {
      i++;
      seq();
    }
    return first;
  };
  return alt();
}
