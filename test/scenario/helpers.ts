/** Shared by the scenario tests: the fixture's paths, file listing, source families and parsers. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PARSERS } from '../../src/parsers/registry.js';
import { ROOT } from '../helpers/cli.js';

export const SCENARIO = join(ROOT, 'fixtures', 'scenario');
export const EVIDENCE = join(SCENARIO, 'evidence');
export const EXPECTED_PATH = join(SCENARIO, 'expected.json');
/** The committed fixture is generated at scale 1 (see docs/scenario.md). */
export const FIXTURE_SCALE = 1;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Expected = any;

export function expected(): Expected {
  return JSON.parse(readFileSync(EXPECTED_PATH, 'utf8'));
}

/** Every file under `dir`, relative, sorted byte-wise. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function readText(path: string): string {
  const buf = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

export type Family = 'auth_log' | 'postgresql' | 'cloudtrail' | 'vpc_flow' | 'zeek_conn';
export const FAMILIES: Family[] = ['auth_log', 'postgresql', 'cloudtrail', 'vpc_flow', 'zeek_conn'];

/** Which source family a fixture file belongs to (by where it lies, as its tool writes it). */
export function familyOf(rel: string): Family {
  if (/\/var\/log\/(auth\.log|secure)/.test(rel)) return 'auth_log';
  if (/postgresql-\d+-main\.log/.test(rel)) return 'postgresql';
  if (/\/CloudTrail\//.test(rel)) return 'cloudtrail';
  if (/\/vpcflowlogs\//.test(rel)) return 'vpc_flow';
  if (/^zeek\//.test(rel)) return 'zeek_conn';
  throw new Error(`no family for ${rel}`);
}

/** How a parser of the family is recognized by its name or source (the parsers are written in parallel). */
const FAMILY_PARSER: Record<Family, RegExp> = {
  auth_log: /^auth_log$/,
  postgresql: /postgres|^pg[_-]?/i,
  cloudtrail: /cloudtrail/i,
  vpc_flow: /vpc/i,
  zeek_conn: /zeek/i,
};

export function formatMatches(family: Family, format: string | null): boolean {
  return format !== null && FAMILY_PARSER[family].test(format);
}

/** Families with a registered parser, checked at run time so the tests start running as parsers are merged. */
export function parsersPresent(): Record<Family, boolean> {
  const out = {} as Record<Family, boolean>;
  for (const f of FAMILIES) out[f] = PARSERS.some((p) => FAMILY_PARSER[f].test(p.name) || FAMILY_PARSER[f].test(p.source));
  return out;
}

/** The records of a file as multiset keys (lines; CloudTrail: one JSON record each). */
export function records(path: string, rel: string): string[] {
  const text = readText(path);
  if (familyOf(rel) === 'cloudtrail') {
    return (JSON.parse(text) as { Records: unknown[] }).Records.map((r) => JSON.stringify(r));
  }
  return text.split('\n').filter((l) => l.length > 0);
}
