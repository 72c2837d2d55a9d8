/** The shared corpus of real samples (../shared/corpus), when present. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './cli.js';

export const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');

export function corpusDir(kind: string): string | null {
  const dir = join(CORPUS, kind);
  if (!existsSync(dir)) {
    // Said once per kind so a run without the corpus is visibly a partial run.
    console.warn(`conformance: ${dir} is absent; the ${kind} corpus tests are skipped`);
    return null;
  }
  return dir;
}

/** Files that document the corpus rather than being samples. */
export function isCorpusMeta(name: string): boolean {
  return /^(LICENSE\.origin|PROVENANCE\.md|README\.md)$/.test(name) || /-expected\.(json|out)$|_structured\.csv$|_templates\.csv$/.test(name);
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Minimal RFC 4180 CSV reader for the origins' expected-output files. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
