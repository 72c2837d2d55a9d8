/**
 * Conformance over every real auth sample in ../shared/corpus/auth: no crash, every line accounted
 * for, and where the origin ships its own parsed output, user, source IP, port, outcome and time match.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authLog } from '../../src/parsers/auth-log.js';
import { query } from '../helpers/case.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { corpusDir, isCorpusMeta, listFiles, parseCsv } from '../helpers/corpus.js';
import { runParser } from '../helpers/run-parser.js';

const dir = corpusDir('auth');

describe.skipIf(!dir)('auth corpus conformance', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'corpus.duckdb');
  let result: Awaited<ReturnType<typeof dwell>>;
  beforeAll(async () => {
    result = await dwell(['ingest', '-q', '--case', casePath, dir!]);
  });
  afterAll(() => tmp.cleanup());

  it('ingests every sample and reports the non-log files as unrecognized', async () => {
    expect(result.stderr).not.toMatch(/Error|TypeError|at .*\.js/);
    const rows = await query<{ path: string; status: string }>(casePath, 'SELECT path, status FROM evidence ORDER BY path');
    const files = listFiles(dir!);
    expect(rows).toHaveLength(files.length);
    for (const r of rows) {
      if (isCorpusMeta(basename(r.path))) expect(r.status, r.path).toBe('unrecognized');
      else expect(r.status, r.path).toBe('ingested');
    }
    expect(result.code).toBe(3);
  });

  it('accounts for every line of every sample', async () => {
    const rows = await query<{ path: string; lines: number; record_lines: number; continuation_lines: number; meta_lines: number; blank_lines: number; warning_lines: number; events: number }>(
      casePath,
      `SELECT path, lines, record_lines, continuation_lines, meta_lines, blank_lines, warning_lines, events FROM evidence WHERE status = 'ingested'`,
    );
    for (const r of rows) {
      expect(r.record_lines + r.continuation_lines + r.meta_lines + r.blank_lines + r.warning_lines, r.path).toBe(r.lines);
      expect(r.events, r.path).toBeGreaterThanOrEqual(r.record_lines);
    }
    const [{ n }] = await query<{ n: number }>(casePath, `SELECT count(*)::INTEGER AS n FROM events`);
    const [{ s }] = await query<{ s: number }>(casePath, `SELECT sum(events)::INTEGER AS s FROM evidence`);
    expect(n).toBe(s);
  });

  it('matches Elastic’s expected ECS output for test-secure-rhel7.log', async () => {
    // PROVENANCE: the expected file belongs to a revision where 202.109.143.106 became 89.160.20.156,
    // and year-less times were resolved to 2022 in UTC.
    const input = readFileSync(join(dir!, 'elastic-integrations', 'test-secure-rhel7.log'), 'utf8').replaceAll('202.109.143.106', '89.160.20.156');
    const expected = (JSON.parse(readFileSync(join(dir!, 'elastic-integrations', 'test-secure-rhel7.log-expected.json'), 'utf8')) as { expected: Record<string, any>[] }).expected;
    const run = await runParser(authLog, input, { year: 2022, tz: 'UTC' });
    expect(run.events).toHaveLength(expected.length);
    expected.forEach((x, i) => {
      const e = run.events[i]!;
      expect(new Date(e.ts / 1000).toISOString(), `line ${i + 1}`).toBe(x['@timestamp']);
      if (x.user?.name) expect(e.actor, `line ${i + 1}`).toBe(x.user.name);
      if (x.source?.ip) expect(e.src_ip, `line ${i + 1}`).toBe(x.source.ip);
      if (x.source?.port) expect(e.src_port, `line ${i + 1}`).toBe(x.source.port);
      if (x.event?.outcome) expect(e.outcome, `line ${i + 1}`).toBe(x.event.outcome);
      expect(e.host).toBe(x.host.hostname);
    });
  });

  for (const name of ['OpenSSH_2k.log', 'Linux_2k.log']) {
    it(`matches loghub’s structured output for ${name}`, async () => {
      const input = readFileSync(join(dir!, 'loghub', name));
      const rows = parseCsv(readFileSync(join(dir!, 'loghub', `${name}_structured.csv`), 'utf8'));
      const header = rows.shift()!;
      const col = (r: string[], n: string) => r[header.indexOf(n)]!;
      const run = await runParser(authLog, input, { year: 2026 });
      const byLine = new Map(run.events.map((e) => [e.line, e]));
      let checkedUsers = 0;
      let checkedIps = 0;
      for (const r of rows) {
        const e = byLine.get(Number(col(r, 'LineId')));
        expect(e, `line ${col(r, 'LineId')}`).toBeDefined();
        const d = new Date(e!.ts / 1000);
        const month = header.includes('Month') ? col(r, 'Month') : col(r, 'Date');
        const day = header.includes('Month') ? col(r, 'Date') : col(r, 'Day');
        expect(d.toUTCString().slice(5, 11).replace(/^0/, ''), `line ${col(r, 'LineId')}`).toBe(`${day} ${month}`);
        expect(d.toISOString().slice(11, 19)).toBe(col(r, 'Time'));
        const pid = header.includes('PID') ? col(r, 'PID') : col(r, 'Pid');
        if (pid) expect(e!.session ?? `none: ${e!.raw}`, `line ${col(r, "LineId")}`).toMatch(new RegExp(`\\[${pid}\\]$`));
        // Values of the template's <*> slots, matched against the message.
        const template = col(r, 'EventTemplate');
        const re = new RegExp('^' + template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<\\\*>/g, '(.*?)') + '\\s*$');
        const m = re.exec(col(r, 'Content').trim());
        if (!m) continue;
        const slots = m.slice(1);
        const userSlot = /(?:for|invalid user|user) <\*>/.exec(template);
        if (/^(Accepted|Failed) password for <\*> from <\*> port <\*>/.test(template) || /for invalid user <\*> from <\*> port <\*>/.test(template)) {
          expect(e!.actor).toBe(slots[0]);
          expect(e!.src_ip).toBe(slots[1]);
          expect(e!.src_port).toBe(Number(slots[2]));
          expect(e!.outcome).toBe(template.startsWith('Accepted') ? 'success' : 'failure');
          checkedUsers++;
          checkedIps++;
        } else if (/^Invalid user <\*> from <\*>$/.test(template)) {
          expect([e!.actor, e!.src_ip, e!.outcome]).toEqual([slots[0], slots[1], 'failure']);
          checkedUsers++;
          checkedIps++;
        } else if (/rhost=<\*>/.test(template)) {
          const ip = slots[template.slice(0, template.indexOf('rhost=<*>')).split('<*>').length - 1]!.trim();
          if (/^[\d.]+$/.test(ip)) {
            expect(e!.src_ip).toBe(ip);
            checkedIps++;
          }
          expect(e!.outcome).toBe('failure');
        }
        void userSlot;
      }
      expect(checkedIps).toBeGreaterThan(100);
      if (name.startsWith('OpenSSH')) expect(checkedUsers).toBeGreaterThan(100);
    });
  }
});
