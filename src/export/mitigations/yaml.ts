/**
 * A small YAML writer for dwell's own data (Sigma rules): block mappings and sequences, every
 * string double-quoted as JSON (valid YAML 1.2), with the characters YAML wants escaped that JSON
 * leaves alone (DEL, C1, line and paragraph separators, BOM), and bidi controls, so the file reads
 * on a terminal as it parses. Keys are dwell's (field names, with
 * Sigma modifiers); one that is not a plain key is quoted too.
 */
type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.|-]*$/;

export function yamlString(s: string): string {
  return JSON.stringify(s).replace(/[\x7f-\x9f\u2028\u2029\ufeff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') return yamlString(v);
  if (v === null) return 'null';
  return String(v);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : yamlString(k);
}

function lines(v: Value, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${indent}[]`];
    return v.flatMap((x) => {
      if (x !== null && typeof x === 'object') {
        const inner = lines(x, `${indent}  `);
        return [`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
      }
      return [`${indent}- ${scalar(x)}`];
    });
  }
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => {
      if (x !== null && typeof x === 'object' && !(Array.isArray(x) && x.length === 0)) return [`${indent}${key(k)}:`, ...lines(x, `${indent}  `)];
      if (Array.isArray(x)) return [`${indent}${key(k)}: []`];
      return [`${indent}${key(k)}: ${scalar(x as string | number | boolean | null)}`];
    });
  }
  return [`${indent}${scalar(v)}`];
}

/** One YAML document (without the `---` separator). */
export function toYaml(v: { [k: string]: Value }): string {
  return lines(v, '').join('\n') + '\n';
}

export type { Value as YamlValue };
