/**
 * Sigma values and value modifiers (specification v2.1, "Value Modifiers" and the modifiers
 * appendix) → what one field must match, independent of SQL.
 *
 * A string value is a pattern: `*` any text, `?` one character, `\` escapes them (`\*`, `\?`,
 * `\\`; a backslash before anything else is itself). Matching is case-insensitive unless `cased`.
 * Modifiers apply left to right: transformations (contains, startswith, endswith, windash, base64,
 * base64offset, utf16/utf16le/utf16be/wide, expand) rewrite the values; the others (re, cidr,
 * fieldref, exists, all, cased, neq, lt/lte/gt/gte, minute…year) say how they are compared.
 */
import { SigmaError } from './types.js';

/** A piece of a Sigma string: literal text or a wildcard. */
export type Part = string | { w: '*' | '?' };

export type MatchValue =
  | { k: 'pattern'; parts: Part[] }
  | { k: 're'; source: string; flags: string }
  | { k: 'cidr'; cidr: string }
  | { k: 'cmp'; op: 'lt' | 'lte' | 'gt' | 'gte'; n: number }
  | { k: 'time'; unit: TimeUnit; n: number }
  | { k: 'null' }
  | { k: 'exists'; present: boolean }
  | { k: 'fieldref'; field: string; mode: 'eq' | 'contains' | 'startswith' | 'endswith' };

export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** One `field|modifiers: values` item (field null: a keyword search). */
export interface FieldMatch {
  field: string | null;
  /** Every value must match (`all`); otherwise any. */
  all: boolean;
  /** `neq`: the field must match none of the values. */
  neq: boolean;
  cased: boolean;
  values: MatchValue[];
}

export const MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'exists', 'cased', 'neq', 'windash', 're', 'i', 'm', 's',
  'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte',
  'minute', 'hour', 'day', 'week', 'month', 'year', 'cidr', 'expand', 'fieldref',
]);

/** `Foo\*bar*` → ['Foo*bar', {w:'*'}]: wildcards and the backslash escapes of the specification. */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push(lit);
    lit = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += c;
    } else if (c === '*' || c === '?') {
      flush();
      parts.push({ w: c });
    } else lit += c;
  }
  flush();
  return parts;
}

export function hasWildcards(parts: Part[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

export function plainText(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.w)).join('');
}

/** Options a hunt gives the modifiers: values for `expand` placeholders. */
export interface ValueContext {
  placeholders: Record<string, string[]>;
}

type Work =
  | { t: 'parts'; parts: Part[] }
  | { t: 'bytes'; b: Buffer }
  | { t: 'num'; n: number }
  | { t: 'null' }
  | { t: 'bool'; b: boolean };

/**
 * Parses `Field|mod1|mod2` and its value(s) into a FieldMatch. Throws SigmaError for an unknown
 * modifier or a combination the specification rules out.
 */
export function fieldMatch(key: string, raw: unknown, ctx: ValueContext): FieldMatch {
  const [fieldName, ...mods] = key.split('|');
  const field = fieldName === '' ? null : fieldName!;
  for (const m of mods) if (!MODIFIERS.has(m)) throw new SigmaError(`unknown value modifier "${m}" in "${key}" (the specification's modifiers: ${[...MODIFIERS].filter((x) => x.length > 1).join(', ')})`);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new SigmaError(`"${key}" has an empty list of values`);
  for (const v of list) {
    if (v !== null && typeof v === 'object') {
      throw new SigmaError(`"${key}": a value is a ${Array.isArray(v) ? 'list' : 'mapping'}; Sigma values are strings, numbers, booleans or null`);
    }
  }
  const out: FieldMatch = { field, all: mods.includes('all'), neq: mods.includes('neq'), cased: mods.includes('cased'), values: [] };
  if (out.all && list.length === 1 && !mods.some((m) => m === 'windash' || m === 'base64offset' || m === 'expand')) throw new SigmaError(`"${key}": |all needs a list of values (the specification forbids it on a single value)`);
  const flagless = mods.filter((m) => m !== 'all' && m !== 'neq' && m !== 'cased');

  // Comparisons whose values are not Sigma strings.
  const ri = flagless.indexOf('re');
  if (ri >= 0) {
    const flags = flagless.slice(ri + 1);
    if (ri !== 0 || flags.some((f) => f !== 'i' && f !== 'm' && f !== 's')) throw new SigmaError(`"${key}": |re takes only the flags |i |m |s after it`);
    for (const v of list) {
      if (typeof v !== 'string') throw new SigmaError(`"${key}": |re needs a string`);
      // The value is the regular expression as written: Sigma's wildcards and escapes do not apply.
      out.values.push({ k: 're', source: v, flags: [...new Set(flags)].sort().join('') });
    }
    return out;
  }
  const stray = flagless.find((m) => m === 'i' || m === 'm' || m === 's');
  if (stray) throw new SigmaError(`"${key}": |${stray} is a flag of |re and must follow it`);
  const single = (m: string, only: string[]) => {
    if (!flagless.includes(m)) return false;
    const other = flagless.find((x) => x !== m && !only.includes(x));
    if (other) throw new SigmaError(`"${key}": |${other} cannot be combined with |${m}`);
    return true;
  };
  if (single('cidr', [])) {
    for (const v of list) {
      if (typeof v !== 'string' || !v.includes('/')) throw new SigmaError(`"${key}": |cidr needs a network like 10.0.0.0/8`);
      out.values.push({ k: 'cidr', cidr: v.trim() });
    }
    return out;
  }
  if (single('fieldref', ['contains', 'startswith', 'endswith'])) {
    const mode = (flagless.find((x) => x !== 'fieldref') ?? 'eq') as 'eq' | 'contains' | 'startswith' | 'endswith';
    for (const v of list) {
      if (typeof v !== 'string' || v === '') throw new SigmaError(`"${key}": |fieldref needs a field name`);
      out.values.push({ k: 'fieldref', field: v, mode });
    }
    return out;
  }
  if (single('exists', [])) {
    if (list.length !== 1 || typeof list[0] !== 'boolean') throw new SigmaError(`"${key}": |exists takes true or false`);
    out.values.push({ k: 'exists', present: list[0] });
    return out;
  }
  for (const op of ['lt', 'lte', 'gt', 'gte'] as const) {
    if (!single(op, [])) continue;
    for (const v of list) {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new SigmaError(`"${key}": |${op} needs a number`);
      out.values.push({ k: 'cmp', op, n });
    }
    return out;
  }
  for (const unit of ['minute', 'hour', 'day', 'week', 'month', 'year'] as const) {
    if (!single(unit, [])) continue;
    for (const v of list) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new SigmaError(`"${key}": |${unit} needs a whole number`);
      out.values.push({ k: 'time', unit, n: v });
    }
    return out;
  }

  // Transformations, left to right.
  let work: Work[] = list.map((v): Work => (v === null ? { t: 'null' } : typeof v === 'number' ? { t: 'num', n: v } : typeof v === 'boolean' ? { t: 'bool', b: v } : { t: 'parts', parts: parseSigmaString(String(v)) }));
  let wildcardsAdded: string | null = null;
  const asParts = (w: Work, m: string): Part[] => {
    if (w.t === 'parts') return w.parts;
    if (w.t === 'num') return [String(w.n)];
    if (w.t === 'bool') return [String(w.b)];
    throw new SigmaError(`"${key}": |${m} applies to strings, not ${w.t === 'null' ? 'null' : 'an encoded value'}`);
  };
  for (const m of flagless) {
    switch (m) {
      case 'contains':
      case 'startswith':
      case 'endswith':
        if (work.some((w) => w.t === 'bytes')) throw new SigmaError(`"${key}": |${m} after a UTF-16 encoding compares bytes with text (add |base64 or |base64offset first)`);
        work = work.map((w) => ({ t: 'parts', parts: wrap(asParts(w, m), m) }));
        wildcardsAdded = m;
        break;
      case 'windash':
        work = work.flatMap((w) => windash(asParts(w, m)).map((parts): Work => ({ t: 'parts', parts })));
        break;
      case 'utf16le':
      case 'wide':
      case 'utf16be':
      case 'utf16':
        work = work.map((w) => ({ t: 'bytes', b: encodeUtf16(literalOnly(asParts(w, m), key, m), m) }));
        break;
      case 'base64':
      case 'base64offset': {
        if (wildcardsAdded) throw new SigmaError(`"${key}": |${m} after |${wildcardsAdded} would encode the wildcards; write |${m}|${wildcardsAdded}`);
        const next: Work[] = [];
        for (const w of work) {
          const bytes = w.t === 'bytes' ? w.b : Buffer.from(literalOnly(asParts(w, m), key, m), 'utf8');
          if (m === 'base64') next.push({ t: 'parts', parts: [bytes.toString('base64')] });
          else for (const s of base64Offsets(bytes)) next.push({ t: 'parts', parts: [s] });
        }
        work = next;
        break;
      }
      case 'expand':
        work = work.flatMap((w) => expand(asParts(w, m), ctx, key).map((parts): Work => ({ t: 'parts', parts })));
        break;
      default:
        throw new SigmaError(`"${key}": |${m} cannot be combined with the other modifiers here`);
    }
  }
  for (const w of work) {
    if (w.t === 'bytes') throw new SigmaError(`"${key}": a UTF-16 value can only be matched through |base64 or |base64offset`);
    out.values.push(w.t === 'null' ? { k: 'null' } : { k: 'pattern', parts: asParts(w, 'match') });
  }
  if (out.values.some((v) => v.k === 'null') && out.values.length > 1) throw new SigmaError(`"${key}": null cannot be part of a list of values (write a separate selection)`);
  return out;
}

function wrap(parts: Part[], m: 'contains' | 'startswith' | 'endswith'): Part[] {
  const out = [...parts];
  const star = (p: Part | undefined) => p !== undefined && typeof p !== 'string' && p.w === '*';
  if ((m === 'contains' || m === 'endswith') && !star(out[0])) out.unshift({ w: '*' });
  if ((m === 'contains' || m === 'startswith') && !star(out[out.length - 1])) out.push({ w: '*' });
  return out;
}

function literalOnly(parts: Part[], key: string, m: string): string {
  if (hasWildcards(parts)) throw new SigmaError(`"${key}": |${m} of a value with wildcards (* or ?) is not defined`);
  return parts.join('');
}

function encodeUtf16(s: string, m: string): Buffer {
  const le = Buffer.from(s, 'utf16le');
  if (m === 'utf16le' || m === 'wide') return le;
  const be = Buffer.from(le);
  be.swap16();
  return m === 'utf16be' ? be : Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
}

/**
 * The three base64 forms of a value found at any offset in an encoded text (pySigma's
 * base64offset): the value shifted by 0, 1 and 2 bytes, the partially encoded characters at each
 * end cut off.
 */
export function base64Offsets(val: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [0, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), val]).toString('base64');
    const e = end[(val.length + i) % 3]!;
    out.push(enc.slice(start[i], e === 0 ? undefined : e));
  }
  return out;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** A dash or slash starting a word (`\B[-/]\b`, as pySigma finds them). */
const WINDASH = /\B[-/]\b/g;
const MAX_WINDASH = 4;

/** Every permutation of -, /, –, —, ― where a command-line flag starts. */
export function windash(parts: Part[]): Part[][] {
  // Positions are found on the whole text so a flag right after a wildcard is still a word start.
  const text = parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
  const spots: number[] = [];
  for (const m of text.matchAll(WINDASH)) spots.push(m.index!);
  if (spots.length === 0) return [parts];
  if (spots.length > MAX_WINDASH) throw new SigmaError(`|windash on a value with ${spots.length} flags would give ${5 ** spots.length} variants (dwell allows ${MAX_WINDASH} flags)`, 'unsupported');
  const variants: Part[][] = [];
  const total = DASHES.length ** spots.length;
  for (let n = 0; n < total; n++) {
    const chars = [...text];
    let k = n;
    for (const s of spots) {
      chars[s] = DASHES[k % DASHES.length]!;
      k = Math.floor(k / DASHES.length);
    }
    // Back to parts: NULs were the wildcards, in order.
    const wild = parts.filter((p): p is { w: '*' | '?' } => typeof p !== 'string');
    const out: Part[] = [];
    let lit = '';
    let wi = 0;
    for (const c of chars) {
      if (c === '\u0000') {
        if (lit) out.push(lit);
        lit = '';
        out.push(wild[wi++]!);
      } else lit += c;
    }
    if (lit) out.push(lit);
    variants.push(out);
  }
  return variants;
}

/** `%name%` placeholders (only with |expand; `\%` is a plain percent) → every combination of their values. */
function expand(parts: Part[], ctx: ValueContext, key: string): Part[][] {
  // parseSigmaString kept `\%` as the two characters; placeholders are %word%.
  let variants: Part[][] = [[]];
  for (const p of parts) {
    if (typeof p !== 'string') {
      variants = variants.map((v) => [...v, p]);
      continue;
    }
    const pieces = p.split(/(\\%|%[A-Za-z0-9_.\-]+%)/);
    for (const piece of pieces) {
      if (!piece) continue;
      if (piece === '\\%') {
        variants = variants.map((v) => [...v, '%']);
      } else if (/^%[A-Za-z0-9_.\-]+%$/.test(piece)) {
        const name = piece.slice(1, -1);
        const values = ctx.placeholders[name] ?? ctx.placeholders[name.toLowerCase()];
        if (!values || values.length === 0) throw new SigmaError(`"${key}": placeholder %${name}% has no value (give one with --placeholder ${name}=VALUE[,VALUE…])`, 'unsupported');
        const next: Part[][] = [];
        for (const v of variants) for (const value of values) next.push([...v, ...parseSigmaString(value)]);
        variants = next;
        if (variants.length > 10000) throw new SigmaError(`"${key}": placeholders expand to more than 10,000 values`, 'unsupported');
      } else variants = variants.map((v) => [...v, piece]);
    }
  }
  return variants.map(merge);
}

function merge(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}
