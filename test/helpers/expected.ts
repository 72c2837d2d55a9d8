/**
 * Expected-output files (JSON lines) for fixtures. `UPDATE_EXPECTED=1 npm test` rewrites them:
 * only do that after reading the diff — the files are the reviewed truth the tests hold parsers to.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function compareExpected(path: string, actual: Record<string, unknown>[]): Record<string, unknown>[] {
  if (process.env.UPDATE_EXPECTED === '1' || !existsSync(path)) {
    if (process.env.UPDATE_EXPECTED !== '1') throw new Error(`missing expected file ${path} (run with UPDATE_EXPECTED=1 to create it, then review it)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual.map((a) => JSON.stringify(a)).join('\n') + '\n');
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
