/**
 * Where a Sigma field is in dwell's events: a column, a path into `attrs` or `raw` (JSON), or an
 * expression over columns. Every field compiles to SQL text giving its value as VARCHAR (or a
 * VARCHAR[] when the value may be a list: Zeek sets, JSON arrays — any element may match).
 */
import type { Params } from './sql.js';

export interface FieldRef {
  /** The value as text: VARCHAR, or VARCHAR[] when `list`. */
  text: string;
  list: boolean;
  /** SQL that is true when the event has the field (|exists). */
  exists: string;
  /** The value as a number for |lt … |gte (default TRY_CAST of text). */
  num?: string;
  /** The value as a timestamp for |minute … |year. */
  time?: string;
  /**
   * When the value depends only on these columns (all low-cardinality: source, class, action,
   * dst_port), rules can be narrowed on the case's distinct values of them before any row is read.
   */
  dict?: readonly string[];
}

/** The low-cardinality columns a hunt narrows rules on (run.ts reads their distinct values first). */
export const DICT_COLUMNS = ['source', 'class', 'action', 'dst_port'] as const;

/** A column as text. */
export function column(name: string, opts: { dict?: boolean; numeric?: boolean; time?: boolean } = {}): FieldRef {
  const text = opts.numeric || opts.time ? `CAST(${name} AS VARCHAR)` : name;
  return {
    text,
    list: false,
    exists: `(${name} IS NOT NULL)`,
    ...(opts.numeric ? { num: `CAST(${name} AS DOUBLE)` } : {}),
    ...(opts.time ? { time: name } : {}),
    ...(opts.dict ? { dict: [name] } : {}),
  };
}

/** An SQL expression as a field (the columns it reads, when all are dictionary columns). */
export function expr(text: string, exists: string, dict?: readonly string[]): FieldRef {
  return { text, list: false, exists, ...(dict ? { dict } : {}) };
}

/** `$."a"."b"` for a path (keys quoted: field names may hold dots, dashes, @). */
export function jsonPath(segments: string[], suffix = ''): string {
  return '$' + segments.map((s) => `."${s}"`).join('') + suffix;
}

/** Paths a value may be reached by when any step may go through an array: at most this many variants. */
const MAX_ARRAY_VARIANTS = 16;

/**
 * A path into a JSON column. `arrays`: the value or any step before it may be a JSON array whose
 * elements are searched one by one (CloudTrail `requestParameters.containerDefinitions.command`),
 * and an object or array is matched as its JSON text and as every value inside it
 * (`requestParameters|contains: 'Suspended'`; a policy document held as a JSON string inside
 * `requestParameters` is searched unescaped). The field is then the list of all those values.
 */
export function json(doc: 'attrs' | 'raw', segments: string[], p: Params, arrays: boolean): FieldRef {
  const path = jsonPath(segments);
  const exists = `coalesce(json_exists(${doc}, ${p.add(path)}), false)`;
  const scalar = `json_extract_string(${doc}, ${p.add(path)})`;
  if (!arrays) return { text: scalar, list: false, exists };
  const variants: string[] = [];
  const steps = segments.length - 1;
  const combos = Math.min(1 << steps, MAX_ARRAY_VARIANTS);
  for (let mask = 0; mask < combos; mask++) {
    // Bit i: step i goes through an array. Then whatever is found may hold more values.
    let s = '$';
    segments.forEach((seg, i) => {
      s += `."${seg}"`;
      if (i < steps && mask & (1 << i)) s += '[*]';
    });
    if (mask !== 0) variants.push(`json_extract_string(${doc}, ${p.add(s)})`);
    variants.push(`json_extract_string(${doc}, ${p.add(s + '..*')})`);
  }
  return { text: `list_concat([${scalar}], ${variants.join(', ')})`, list: true, exists };
}
