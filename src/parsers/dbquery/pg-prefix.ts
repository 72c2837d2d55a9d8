/**
 * PostgreSQL `log_line_prefix` → a regular expression that reads the prefix fields and the
 * severity of a stderr log line, as pgbadger's `--prefix` does.
 *
 * The prefix is the server's own setting (`SHOW log_line_prefix`), passed as
 * `-O pg-prefix='%m [%p] %q%u@%d '`; without it the common prefixes below are tried on each
 * line (the last one that matched first), which covers the stock, Debian/Ubuntu, RDS, Cloud SQL,
 * Heroku and the usual pgbadger-documented settings.
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
}

export interface PrefixMatch {
  fields: PrefixFields;
  severity: string;
  /** The message after `SEVERITY:  `. */
  message: string;
  prefix: CompiledPrefix;
}

const TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?`;
const TIME_MS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,6}(?: [A-Za-z]{1,6}| ?[+-]\d\d(?::?\d\d)?)?`;

const ESCAPES: Record<string, [keyof PrefixFields, string]> = {
  t: ['time', TIME],
  m: ['time', TIME_MS],
  n: ['epoch', String.raw`\d+\.\d+`],
  p: ['pid', String.raw`\d+`],
  P: ['leaderPid', String.raw`\d*`],
  // Names and addresses without spaces: a lazy `.*?` here would let a statement that contains
  // `@` and ` LOG:` re-shape the prefix (log text is attacker-controlled).
  u: ['user', String.raw`\S*?`],
  d: ['database', String.raw`\S*?`],
  h: ['host', String.raw`\S*?`],
  r: ['remote', String.raw`\S*?`],
  a: ['app', '.*?'],
  c: ['sessionId', String.raw`[0-9a-f]+\.[0-9a-f]+`],
  l: ['lineNum', String.raw`\d+`],
  s: ['sessionStart', TIME],
  v: ['vxid', String.raw`[-\d/]*`],
  x: ['xid', String.raw`\d*`],
  e: ['sqlstate', String.raw`[0-9A-Z]{5}`],
  i: ['commandTag', '.*?'],
  b: ['backendType', '.*?'],
  Q: ['queryId', String.raw`-?\d*`],
  L: ['localAddress', String.raw`\S*?`],
};

const GROUP_OF: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([k, [f]]) => [k, f]));

export class PrefixError extends Error {}

/** Builds the matcher for one log_line_prefix. Throws PrefixError on an unknown escape. */
export function compilePrefix(template: string): CompiledPrefix {
  let re = '';
  let optionalFrom = -1;
  const used = new Set<string>();
  let hasTime = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '%') {
      let j = i + 1;
      // Padding such as %-10u or %10p: PostgreSQL pads with spaces.
      let padded = false;
      while (j < template.length && /[-0-9]/.test(template[j]!)) {
        j++;
        padded = true;
      }
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
      const group = used.has(e) ? '' : `?<${e}>`;
      used.add(e);
      re += `${padded ? ' *' : ''}(${group}${spec[1]})${padded ? ' *' : ''}`;
      continue;
    }
    if (c === ' ') {
      let j = i;
      while (template[j + 1] === ' ') j++;
      i = j;
      re += ' +';
      continue;
    }
    re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // %q: what follows is printed only by session processes.
  if (optionalFrom >= 0) re = re.slice(0, optionalFrom) + '(?:' + re.slice(optionalFrom) + ')?';
  // A prefix ending in a space is followed directly by the severity; otherwise allow spaces.
  const sep = template.endsWith(' ') ? '' : ' *';
  return { template, re: new RegExp(`^${re}${sep}(?<sev>${PG_SEVERITIES}): *`), hasTime };
}

export function matchPrefix(line: string, prefix: CompiledPrefix): PrefixMatch | null {
  const m = prefix.re.exec(line);
  if (!m) return null;
  const g = m.groups!;
  const fields: PrefixFields = {};
  for (const k in g) {
    if (k === 'sev') continue;
    const v = g[k];
    if (v === undefined) continue;
    const name = GROUP_OF[k] as keyof PrefixFields;
    fields[name] = v;
  }
  return { fields, severity: g.sev!, message: line.slice(m[0].length), prefix };
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
