/**
 * PostgreSQL `log_line_prefix` → a regular expression that reads the prefix fields and the
 * severity of a stderr log line, as pgbadger's `--prefix` does.
 *
 * The prefix is the server's own setting (`SHOW log_line_prefix`), passed as
 * `-O pg-prefix='%m [%p] %q%u@%d '`; without it the common prefixes below are tried on each
 * line (the last one that matched first), which covers the stock, Debian/Ubuntu, RDS, Cloud SQL,
 * Heroku and the usual pgbadger-documented settings.
 *
 * Log text is attacker-controlled, so a prefix matcher must cost the same on a 1 MB line as on a
 * real one: every field is bounded by what PostgreSQL can print there (names are at most 63
 * bytes, NAMEDATALEN - 1; host names 255), and a field followed by a separator character cannot
 * contain it, so no two fields can split the same run of characters in more than one way.
 */

/** Severities that start a message, and those that continue the previous one. */
export const PG_SEVERITIES = 'DEBUG[1-5]|DEBUG|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION';
export const PG_CONTINUING = new Set(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);

/** Fields a prefix can carry, by their `%` escape. */
export interface PrefixFields {
  /** %t / %m: time with zone abbreviation or offset. */
  time?: string;
  /** %n: epoch seconds with milliseconds. */
  epoch?: string;
  /** %p */
  pid?: string;
  /** %u */
  user?: string;
  /** %d */
  database?: string;
  /** %h: client host. */
  host?: string;
  /** %r: client host(port). */
  remote?: string;
  /** %a */
  app?: string;
  /** %c */
  sessionId?: string;
  /** %l */
  lineNum?: string;
  /** %s */
  sessionStart?: string;
  /** %v */
  vxid?: string;
  /** %x */
  xid?: string;
  /** %e */
  sqlstate?: string;
  /** %i */
  commandTag?: string;
  /** %b */
  backendType?: string;
  /** %Q */
  queryId?: string;
  /** %P */
  leaderPid?: string;
  /** %L: local (server) address. */
  localAddress?: string;
}

export interface CompiledPrefix {
  /** The log_line_prefix it was built from. */
  template: string;
  re: RegExp;
  /** Whether the prefix carries the time (%t, %m or %n). */
  hasTime: boolean;
  /**
   * The field each capture group of `re` fills, in order (null: a repeated escape, read by its
   * first group), then the severity. Plain numbered groups: a named-group match builds a `groups`
   * object per line, 10 % of a stderr file's parse (bench/RESULTS.md, "Database query logs").
   */
  groups?: ReadonlyArray<keyof PrefixFields | null>;
}

export interface PrefixMatch {
  fields: PrefixFields;
  severity: string;
  /** The message after `SEVERITY:  `. */
  message: string;
  prefix: CompiledPrefix;
  /** A line read without a known prefix: the prefix text between the time and the severity. */
  unparsed?: string;
}

const TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?`;
const TIME_MS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,6}(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?`;

/**
 * How a field is matched: a fixed pattern, a `name` (no spaces, at most `max` characters, never
 * holding the character that follows it in the prefix), or free `text` with spaces (application
 * name, command tag, backend type: lazy, at most `max` characters).
 */
type FieldSpec = { kind: 'fixed'; re: string } | { kind: 'name'; max: number } | { kind: 'host'; max: number } | { kind: 'text'; max: number };

const ESCAPES: Record<string, [keyof PrefixFields, FieldSpec]> = {
  t: ['time', { kind: 'fixed', re: TIME }],
  m: ['time', { kind: 'fixed', re: TIME_MS }],
  n: ['epoch', { kind: 'fixed', re: String.raw`\d{1,15}\.\d{1,9}` }],
  p: ['pid', { kind: 'fixed', re: String.raw`\d{1,10}` }],
  P: ['leaderPid', { kind: 'fixed', re: String.raw`\d{0,10}` }],
  // Names and addresses hold no spaces: a `.*?` here would let a statement that contains `@` and
  // ` LOG:` re-shape the prefix (log text is attacker-controlled).
  u: ['user', { kind: 'name', max: 63 }],
  d: ['database', { kind: 'name', max: 63 }],
  h: ['host', { kind: 'host', max: 255 }],
  // host(port), [local], or nothing (background processes): the port's parentheses end it, so an
  // IPv6 client (`2001:db8::5(5432)`) is read whole even between `:` separators.
  r: ['remote', { kind: 'fixed', re: String.raw`(?:[^\s()]{1,255}\(\d{1,5}\)|\[local\]|)` }],
  a: ['app', { kind: 'text', max: 63 }],
  c: ['sessionId', { kind: 'fixed', re: String.raw`[0-9a-f]{1,16}\.[0-9a-f]{1,16}` }],
  l: ['lineNum', { kind: 'fixed', re: String.raw`\d{1,20}` }],
  s: ['sessionStart', { kind: 'fixed', re: TIME }],
  v: ['vxid', { kind: 'fixed', re: String.raw`[-\d/]{0,41}` }],
  x: ['xid', { kind: 'fixed', re: String.raw`\d{0,20}` }],
  e: ['sqlstate', { kind: 'fixed', re: String.raw`[0-9A-Z]{5}` }],
  i: ['commandTag', { kind: 'text', max: 64 }],
  b: ['backendType', { kind: 'text', max: 64 }],
  Q: ['queryId', { kind: 'fixed', re: String.raw`-?\d{0,20}` }],
  L: ['localAddress', { kind: 'host', max: 255 }],
};

/** Spaces between fields: PostgreSQL writes the template's, a few more are tolerated. */
const GAP = ' {1,64}';

/** Regex text for one character, escaped. */
function literal(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The pattern of a field, given the template character that follows it ('' at the end, ' ' for a space). */
function fieldPattern(spec: FieldSpec, next: string): string {
  if (spec.kind === 'fixed') return spec.re;
  if (spec.kind === 'text') return `.{0,${spec.max}}?`;
  if (next === '' || next === ' ' || next === '%') return `\\S{0,${spec.max}}${next === '%' ? '?' : ''}`;
  const stop = `[^\\s${literal(next)}]{0,${spec.max}}`;
  // An IPv6 host holds `:` itself: before a `:` separator, an address is tried first.
  if (spec.kind === 'host' && next === ':') return `(?:[0-9A-Fa-f:.]{2,45}|${stop})`;
  return stop;
}

export class PrefixError extends Error {}

/** Builds the matcher for one log_line_prefix. Throws PrefixError on an unknown escape. */
export function compilePrefix(template: string): CompiledPrefix {
  let re = '';
  let optionalFrom = -1;
  const used = new Set<string>();
  const groups: Array<keyof PrefixFields | null> = [];
  let hasTime = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '%') {
      let j = i + 1;
      // Padding such as %-10u or %10p: PostgreSQL pads with spaces up to the width.
      let width = '';
      while (j < template.length && /[-0-9]/.test(template[j]!)) width += template[j++]!;
      const e = template[j];
      if (e === undefined) throw new PrefixError(`log_line_prefix ends with a lone %: ${JSON.stringify(template)}`);
      i = j;
      if (e === '%') {
        re += '%';
        continue;
      }
      if (e === 'q') {
        optionalFrom = re.length;
        continue;
      }
      const spec = ESCAPES[e];
      if (!spec) throw new PrefixError(`unknown escape %${e} in log_line_prefix ${JSON.stringify(template)} (PostgreSQL knows %a %u %d %r %h %L %b %p %P %t %m %n %i %e %c %l %s %v %x %q %Q %%)`);
      if (spec[0] === 'time' || spec[0] === 'epoch') hasTime = true;
      groups.push(used.has(e) ? null : spec[0]);
      used.add(e);
      const pad = width === '' ? '' : ` {0,${Math.min(Math.abs(Number(width)) || 0, 1000)}}`;
      // What follows the field decides how it ends (%q is skipped: it prints nothing).
      let k = j + 1;
      while (template.startsWith('%q', k)) k += 2;
      const next = template[k] ?? '';
      re += `${pad}(${fieldPattern(spec[1], pad === '' ? next : ' ')})${pad}`;
      continue;
    }
    if (c === ' ') {
      let j = i;
      while (template[j + 1] === ' ') j++;
      i = j;
      re += GAP;
      continue;
    }
    re += literal(c);
  }
  // %q: what follows is printed only by session processes.
  if (optionalFrom >= 0) re = re.slice(0, optionalFrom) + '(?:' + re.slice(optionalFrom) + ')?';
  // Padding next to a space is one run of spaces (` {0,10} {1,64}` would split a run every way).
  re = re.replace(/(?: \{\d+,\d+\}){2,}/g, (run) => {
    const bounds = [...run.matchAll(/\{(\d+),(\d+)\}/g)].reduce((s, m) => [s[0]! + Number(m[1]), s[1]! + Number(m[2])], [0, 0]);
    return ` {${bounds[0]},${bounds[1]}}`;
  });
  // A prefix ending in a space is followed directly by the severity; otherwise allow spaces.
  const sep = template.endsWith(' ') ? '' : ' {0,64}';
  return { template, re: new RegExp(`^${re}${sep}(${PG_SEVERITIES}): *`, 's'), hasTime, groups };
}

export function matchPrefix(line: string, prefix: CompiledPrefix): PrefixMatch | null {
  const m = prefix.re.exec(line);
  if (!m) return null;
  const groups = prefix.groups!;
  const fields: PrefixFields = {};
  for (let i = 0; i < groups.length; i++) {
    const name = groups[i];
    const v = m[i + 1];
    if (name && v !== undefined) fields[name] = v;
  }
  return { fields, severity: m[groups.length + 1]!, message: line.slice(m[0].length), prefix };
}

/**
 * Prefixes tried when the server's is not given, most specific first. Stock PostgreSQL
 * (`%m [%p] `), Debian/Ubuntu (`%m [%p] %q%u@%d `), AWS RDS (`%t:%r:%u@%d:[%p]:`), the ones
 * pgbadger documents, and those seen in the corpus.
 */
export const KNOWN_PREFIXES = [
  '%m [%p] [queryid=%Q] %q%u@%d ',
  '%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a ',
  '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ',
  '%m [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ',
  '%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ',
  '%m [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ',
  '%t [%p]: db=%d,user=%u,app=%a,client=%h ',
  '%m [%p]: db=%d,user=%u,app=%a,client=%h ',
  '%t [%p]: [%l-1] user=%u,db=%d ',
  '%m [%p]: [%l-1] user=%u,db=%d ',
  '%t [%p]: user=%u,db=%d ',
  '%m [%p] user=%u,db=%d,app=%a,client=%h ',
  '%m [%p] user=%u,db=%d ',
  '%t:%r:%u@%d:[%p]:',
  '%m:%r:%u@%d:[%p]:',
  '%t:%h:%u@%d:[%p]:',
  '%t [%p-%l] %q%u@%d ',
  '%m [%p-%l] %q%u@%d ',
  '%m [%p] %q%u@%d ',
  '%t [%p] %q%u@%d ',
  '%m [%p] ',
  '%t [%p] ',
  '%m [%p]: ',
  '%t [%p]: ',
  '%m ',
  '%t ',
];

/**
 * Prefixes inside wrappers that carry the time and pid themselves (syslog, Cloud SQL, Heroku,
 * CloudNativePG): what follows the wrapper's header.
 */
export const INNER_PREFIXES = [
  '[%p]: [%l-1] db=%d,user=%u ',
  'db=%d,user=%u,app=%a,client=%h ',
  'user=%u,db=%d,app=%a,client=%h ',
  'user=%u,db=%d,host=%h,app=%a ',
  'db=%d,user=%u ',
  'user=%u,db=%d ',
  ' sql_error_code = %e ',
  'sql_error_code = %e ',
  '%q%u@%d ',
  '',
];

/** Compiled matchers, tried in order, the last successful one first. */
export class PrefixSet {
  private readonly list: CompiledPrefix[];
  private last = 0;
  /** Lines read per prefix (file info). */
  readonly counts = new Map<string, number>();

  constructor(templates: string[]) {
    this.list = templates.map(compilePrefix);
  }

  match(line: string): PrefixMatch | null {
    const first = this.list[this.last]!;
    const m = matchPrefix(line, first);
    if (m) return this.count(m);
    for (let i = 0; i < this.list.length; i++) {
      if (i === this.last) continue;
      const r = matchPrefix(line, this.list[i]!);
      if (r) {
        this.last = i;
        return this.count(r);
      }
    }
    return null;
  }

  private count(m: PrefixMatch): PrefixMatch {
    this.counts.set(m.prefix.template, (this.counts.get(m.prefix.template) ?? 0) + 1);
    return m;
  }
}
