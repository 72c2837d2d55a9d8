/**
 * Loading Sigma rule files: folders walked for `.yml`/`.yaml`, every YAML document of a file read
 * (correlations and the rules they name often share one file), checked against the
 * specification's JSON schemas, and turned into SigmaRule / SigmaCorrelation. A document that
 * cannot be used is a problem with its file, rule id and reason — the others load.
 *
 * YAML is read with the YAML 1.2 core schema: `date: 2024-01-01` stays the text the schema
 * expects (a YAML 1.1 loader would make it a date object and fail the schema's pattern).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { schemaErrors } from './validate.js';
import { SIGMA_LEVELS, type CorrelationType, type CountOp, type SigmaCorrelation, type SigmaDocument, type SigmaLevel, type SigmaMeta, type SigmaProblem, type SigmaRule } from './types.js';

export interface LoadResult {
  documents: SigmaDocument[];
  problems: SigmaProblem[];
  /** Files read, in order. */
  files: string[];
}

/** YAML files larger than this are refused (a rule is a few KB; SigmaHQ's largest is ~60 KB). */
const MAX_FILE_BYTES = 4 << 20;

/** Every `.yml`/`.yaml` under the paths given (files as given), byte-wise sorted per folder. */
export function listRuleFiles(paths: string[]): { files: string[]; problems: SigmaProblem[] } {
  const files: string[] = [];
  const problems: SigmaProblem[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 32) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    } catch (err) {
      problems.push(problem('rejected', dir, null, null, null, `cannot read the folder: ${(err as Error).message}`));
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // a dangling link
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && /\.ya?ml$/i.test(n) && !seen.has(p)) {
        seen.add(p);
        files.push(p);
      }
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      problems.push(problem('rejected', p, null, null, null, `no such file or folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
      continue;
    }
    if (st.isDirectory()) walk(p, 0);
    else if (!seen.has(p)) {
      seen.add(p);
      files.push(p);
    }
  }
  return { files, problems };
}

/** Loads every Sigma document under the paths given. */
export function loadSigma(paths: string[]): LoadResult {
  const { files, problems } = listRuleFiles(paths);
  const documents: SigmaDocument[] = [];
  for (const f of files) {
    let text: string;
    try {
      if (statSync(f).size > MAX_FILE_BYTES) {
        problems.push(problem('rejected', f, null, null, null, `file larger than ${MAX_FILE_BYTES >> 20} MiB: not a Sigma rule file`));
        continue;
      }
      text = readFileSync(f, 'utf8');
    } catch (err) {
      problems.push(problem('rejected', f, null, null, null, `cannot read: ${(err as Error).message}`));
      continue;
    }
    const r = parseSigmaText(text, f);
    documents.push(...r.documents);
    problems.push(...r.problems);
  }
  return { documents, problems, files };
}

/** Parses one file's text (exported for tests). */
export function parseSigmaText(text: string, file: string): { documents: SigmaDocument[]; problems: SigmaProblem[] } {
  const documents: SigmaDocument[] = [];
  const problems: SigmaProblem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { schema: 'core', uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (err) {
    problems.push(problem('rejected', file, null, null, null, `bad YAML: ${firstLine((err as Error).message)}`));
    return { documents, problems };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((d, i) => {
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      const line = e.linePos?.[0]?.line;
      problems.push(problem('rejected', file, i, null, null, `bad YAML${line ? ` at line ${line}` : ''}: ${firstLine(e.message)}`));
      return;
    }
    let value: unknown;
    try {
      value = textDates(d.toJS({ maxAliasCount: 100 }));
    } catch (err) {
      problems.push(problem('rejected', file, i, null, null, `bad YAML: ${firstLine((err as Error).message)}`));
      return;
    }
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(problem('rejected', file, i, null, null, 'the document is not a mapping of Sigma fields'));
      return;
    }
    const r = toDocument(value as Record<string, unknown>, file, i);
    if ('problem' in r) problems.push(r.problem);
    else documents.push(r.doc);
  });
  return { documents, problems };
}

function toDocument(o: Record<string, unknown>, file: string, doc: number): { doc: SigmaDocument } | { problem: SigmaProblem } {
  const id = typeof o.id === 'string' ? o.id : null;
  const title = typeof o.title === 'string' ? o.title : null;
  const fail = (kind: SigmaProblem['kind'], reason: string) => ({ problem: problem(kind, file, doc, id, title, reason) });
  if (typeof o.action === 'string') return fail('unsupported', `Sigma v1 rule collection (action: ${o.action}): split it into complete rules`);
  if ('filter' in o && !('detection' in o)) return fail('unsupported', 'Sigma filter documents (global filters) are not applied by dwell');
  const kind = 'correlation' in o ? 'correlation' : 'detection';
  // The specification allows a list of conditions (their `or`); its JSON schema types the field as
  // a string. A list of strings is checked as its first.
  const det = o.detection as Record<string, unknown> | undefined;
  const condList = det && Array.isArray(det.condition) && det.condition.length > 0 && det.condition.every((c) => typeof c === 'string');
  const errors = schemaErrors(condList ? { ...o, detection: { ...det, condition: (det!.condition as string[])[0] } } : o, kind);
  if (errors.length > 0) {
    const why = `not a valid Sigma ${kind === 'correlation' ? 'correlation ' : ''}rule (specification v2.1 JSON schema): ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; … ${errors.length - 3} more` : ''}`;
    // SigmaHQ's deprecated/ and unsupported/ folders keep v1 rules on purpose: say so rather than call them broken.
    if (o.status === 'deprecated' || o.status === 'unsupported') return fail('skipped', `status ${o.status}, and ${why}`);
    return fail('rejected', why);
  }
  const meta: SigmaMeta = {
    file,
    doc,
    id,
    name: typeof o.name === 'string' ? o.name : null,
    title: title ?? '',
    status: typeof o.status === 'string' ? o.status : null,
    level: typeof o.level === 'string' && SIGMA_LEVELS.includes(o.level as SigmaLevel) ? (o.level as SigmaLevel) : null,
    author: typeof o.author === 'string' ? o.author : null,
    tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : [],
    description: typeof o.description === 'string' ? o.description : null,
    references: Array.isArray(o.references) ? o.references.filter((t): t is string => typeof t === 'string') : [],
    falsepositives: Array.isArray(o.falsepositives) ? o.falsepositives.map(String) : typeof o.falsepositives === 'string' ? [o.falsepositives] : [],
    raw: o,
  };
  if (kind === 'detection') {
    const ls = o.logsource as Record<string, unknown>;
    const rule: SigmaRule = {
      ...meta,
      kind: 'detection',
      logsource: {
        ...(typeof ls.product === 'string' ? { product: ls.product.toLowerCase() } : {}),
        ...(typeof ls.service === 'string' ? { service: ls.service.toLowerCase() } : {}),
        ...(typeof ls.category === 'string' ? { category: ls.category.toLowerCase() } : {}),
      },
      detection: o.detection as Record<string, unknown>,
    };
    return { doc: rule };
  }
  const c = o.correlation as Record<string, unknown>;
  const span = parseTimespan(String(c.timespan));
  if (span === null) return fail('rejected', `correlation timespan "${String(c.timespan)}" is not a number followed by s, m, h, d, w (e.g. 10m)`);
  const cond = (c.condition ?? {}) as Record<string, unknown>;
  const condition: SigmaCorrelation['condition'] = [];
  for (const op of ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as CountOp[]) {
    if (cond[op] === undefined) continue;
    const v = cond[op];
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail('rejected', `correlation condition ${op}: ${JSON.stringify(v)} is not a number`);
    condition.push({ op, value: v });
  }
  for (const k of Object.keys(cond)) if (!['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'field'].includes(k)) return fail('rejected', `correlation condition has an unknown operator "${k}" (gt, gte, lt, lte, eq, neq)`);
  const type = c.type as CorrelationType;
  if (condition.length === 0 && type !== 'temporal' && type !== 'temporal_ordered') return fail('rejected', `a ${type} correlation needs a condition (e.g. gte: 10)`);
  let field: string | null = null;
  if (Array.isArray(cond.field)) {
    if (cond.field.length !== 1) return fail('unsupported', `correlation condition field with ${cond.field.length} fields: dwell counts one field`);
    field = String(cond.field[0]);
  } else if (typeof cond.field === 'string') field = cond.field;
  if ((type === 'value_count' || type === 'value_sum' || type === 'value_avg' || type === 'value_percentile') && !field) return fail('rejected', `a ${type} correlation needs condition.field`);
  const aliases: SigmaCorrelation['aliases'] = {};
  for (const [alias, m] of Object.entries((c.aliases ?? {}) as Record<string, unknown>)) {
    if (!m || typeof m !== 'object' || Array.isArray(m)) return fail('rejected', `correlation alias ${alias} must map rule names to field names`);
    aliases[alias] = Object.fromEntries(Object.entries(m as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  const groupBy = Array.isArray(c['group-by']) ? (c['group-by'] as unknown[]).map(String) : [];
  const correlation: SigmaCorrelation = {
    ...meta,
    kind: 'correlation',
    type,
    rules: (c.rules as unknown[]).map(String),
    groupBy,
    timespan: span,
    timespanText: String(c.timespan),
    condition,
    field,
    aliases,
    generate: c.generate === true,
  };
  return { doc: correlation };
}

/** `90m` → 5400 (seconds); s, m, h, d and w (M and y are not fixed lengths). */
export function parseTimespan(text: string): number | null {
  const m = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return n > 0 ? n * unit : null;
}

/** Dates tagged explicitly (`!!timestamp`) or by a `%YAML 1.1` document stay text, as the schema wants. */
function textDates(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString().slice(0, 10);
  if (Array.isArray(v)) return v.map(textDates);
  if (v && typeof v === 'object' && !(v instanceof Map)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = textDates(x);
    return out;
  }
  return v;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

export function problem(kind: SigmaProblem['kind'], file: string, doc: number | null, ruleId: string | null, title: string | null, reason: string): SigmaProblem {
  return { kind, file, doc, ruleId, title, reason };
}
