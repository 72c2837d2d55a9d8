/**
 * Sigma rule files are someone else's text too (shared rule sets, pasted rules): a rule whose
 * title, author or values carry terminal escapes, bidi overrides, spreadsheet formulas or SQL
 * cannot rewrite the terminal, run in a spreadsheet or reach DuckDB as SQL. Rules and hostile
 * evidence are generated here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { query } from '../helpers/case.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';
import { BIDI, FORMULA, hostileCase, OSC52, TERMINAL_UNSAFE, TITLE, type HostileEvidence } from './corpus.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const hasScript = spawnSync('script', ['--version']).status === 0;
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** YAML double-quoted scalar (escapes the control characters). */
const yq = (s: string) => JSON.stringify(s);

const HOSTILE_RULE = (id: string, title: string, author: string, detection: string) => `title: ${yq(title)}
id: ${id}
status: test
level: high
author: ${yq(author)}
logsource:
    product: linux
    service: sshd
detection:
${detection}
`;

describe('hostile Sigma rules', () => {
  let tmp: { path: string; cleanup: () => void };
  let c: HostileEvidence & { casePath: string };
  let rules: string;

  beforeAll(async () => {
    tmp = tempDir('dwell-hostile-sigma-');
    c = await hostileCase(tmp.path);
    rules = join(tmp.path, 'rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'title.yml'), HOSTILE_RULE('00000000-0000-4000-8000-0000000000a1', `${FORMULA}${TITLE}Invalid user${BIDI}`, `${OSC52}Mallory`, "    keywords:\n        - 'Invalid user'\n    condition: keywords"));
    writeFileSync(join(rules, 'sql.yml'), HOSTILE_RULE('00000000-0000-4000-8000-0000000000a2', 'quotes', 'x', "    keywords:\n        - \"'); DROP TABLE events; --\"\n        - 'Invalid user'\n    condition: keywords"));
    writeFileSync(join(rules, 'field.yml'), HOSTILE_RULE('00000000-0000-4000-8000-0000000000a3', 'field', 'x', "    selection:\n        \"USER'); DROP TABLE events; --\": x\n    condition: selection"));
    writeFileSync(join(rules, 'modifier.yml'), HOSTILE_RULE('00000000-0000-4000-8000-0000000000a4', 'modifier', 'x', `    selection:\n        ${yq(`USER|con${TITLE}tains`)}: x\n    condition: selection`));
  }, 600_000);
  afterAll(() => tmp?.cleanup());

  it('rule values and field names never reach DuckDB as SQL', async () => {
    const before = await query<{ n: number }>(c.casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    const r = await dwell(['hunt', '--case', c.casePath, '--sigma', rules, '--json']);
    expect(r.code, r.stderr).toBe(1); // the modifier rule is malformed
    const j = JSON.parse(r.stdout);
    const hits = Object.fromEntries(j.rules.map((x: { rule_id: string; hits: number }) => [x.rule_id, x.hits]));
    expect(hits['00000000-0000-4000-8000-0000000000a2']).toBeGreaterThan(0);
    const field = j.problems.find((p: { rule_id: string }) => p.rule_id === '00000000-0000-4000-8000-0000000000a3');
    expect(field.kind).toBe('unsupported');
    const after = await query<{ n: number }>(c.casePath, 'SELECT count(*)::INTEGER AS n FROM events');
    expect(after).toEqual(before);
  });

  it.skipIf(!hasScript)('hunt output on a terminal shows escapes and overrides as text', () => {
    for (const args of [['hunt', '--case', c.casePath, '--sigma', rules], ['hunt', '--case', c.casePath, '--sigma', rules, '--json']]) {
      const cmd = `${[process.execPath, BIN, ...args].map(q).join(' ')} 2>/dev/null`;
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 });
      expect(r.stdout).toMatch(/Mallory/);
      const bad = r.stdout.match(TERMINAL_UNSAFE);
      expect(bad, `${args.join(' ')}: ${JSON.stringify(bad?.[0])} reached the terminal`).toBeNull();
    }
  });

  it('the detections CSV neutralizes a rule title that is a formula; JSON keeps it as written', async () => {
    await dwell(['hunt', '--case', c.casePath, '--sigma', join(rules, 'title.yml')]);
    const csv = await dwell(['export', '--case', c.casePath, '--what', 'detections', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`"'${FORMULA.replace(/"/g, '""')}`);
    expect(csv.stdout).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const jsonl = await dwell(['export', '--case', c.casePath, '--what', 'detections', '--format', 'jsonl']);
    const titles = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l).title as string);
    expect(titles).toContain(`${FORMULA}${TITLE}Invalid user${BIDI}`);
  });
});
