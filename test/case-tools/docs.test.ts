/**
 * The three commands are documented where a responder looks: every option `--help` lists is in
 * README.md (the command's own section, or the shared filters anywhere), README queries a case
 * with `dwell sql` rather than a `duckdb` binary a fresh machine lacks, and every SQL example of
 * docs/schema.md runs as is in `dwell sql` (the page says so).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { fixtureCase } from './helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README section of `### \`dwell NAME\``, up to the next heading. */
function section(name: string): string {
  const start = README.indexOf(`### \`dwell ${name}\``);
  expect(start, `README has a section for dwell ${name}`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n#', start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Each option line of `--help` as its flags (`-o`, `--output`). */
function helpFlags(help: string): string[][] {
  return help
    .split('\n')
    .map((l) => /^\s{2}((?:-\w, )?--[\w-]+)/.exec(l)?.[1])
    .filter((f): f is string => f !== undefined && f !== '--help' && f !== '-h, --help')
    .map((f) => f.split(', '));
}

/** Options every command taking the timeline filters shares (src/cli/filter-options.ts). */
const SHARED = ['--source', '--phase', '--host', '--actor', '--user', '--ip', '--action', '--outcome', '--key', '--session', '--from', '--to', '--text', '--include-relative'];

describe('documentation of dwell info, search and sql', () => {
  for (const name of ['info', 'search', 'sql']) {
    it(`dwell ${name}: --help, and every option it lists is in README`, async () => {
      const r = await dwell([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: dwell ${name} `));
      const own = section(name);
      const flags = helpFlags(r.stdout);
      expect(flags.length).toBeGreaterThan(1);
      for (const names of flags) {
        const where = SHARED.includes(names[names.length - 1]!) ? README : own;
        expect(
          names.some((f) => where.includes(`\`${f}`) || where.includes(` ${f} `) || where.includes(`${f}\``)),
          `dwell ${name} ${names.join(', ')} is in README`,
        ).toBe(true);
      }
    });
  }

  it('README queries a case with dwell sql, never with a duckdb binary', () => {
    expect(README).toMatch(/npx dwell sql --case \/cases\/acme\.duckdb "SELECT/);
    // Reading an export with DuckDB (another tool) is fine; a case is dwell sql's.
    expect(README.split('\n').filter((l) => /\bduckdb\s+\S*\.duckdb\b/.test(l) && !l.includes('dwell'))).toEqual([]);
    expect(readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8')).toMatch(/`dwell sql --case case\.duckdb`/);
  });

  describe('every SQL example of docs/schema.md runs in dwell sql', () => {
    const tmp = tempDir('dwell-docs-sql-');
    const casePath = join(tmp.path, 'case.duckdb');
    beforeAll(() => fixtureCase(casePath));
    afterAll(() => tmp.cleanup());

    it('each block, as written', async () => {
      const blocks = [...readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
      expect(blocks.length).toBeGreaterThanOrEqual(5);
      // One session for all of them (each block is one or more statements; a session costs ~1 s under load).
      const r = await dwell(['sql', '--case', casePath, '--json', blocks.map((b) => (b.endsWith(';') ? b : `${b};`)).join('\n')]);
      expect(r.code, r.stderr).toBe(0);
      // The key chain example follows the fixture's CloudTrail key (fixtures/cloudtrail/lines/lake-export.jsonl).
      expect(r.stdout).toContain('"access_key":"AKIA4EXAMPLEDEPLOY6Q"');
    });
  });
});
