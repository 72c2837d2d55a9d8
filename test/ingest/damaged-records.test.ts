/**
 * One damaged record in a file costs that record only: it becomes one warning naming the file, the
 * line and the byte offset of the damage (in the ingest report and in parse_warnings), and every
 * other record of the file is ingested. Inputs are generated here: JSON lines (Zeek, journald),
 * CSV (PostgreSQL csvlog), the journal export format and XML (MySQL audit).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, tempDir, type CliResult } from '../helpers/cli.js';

const zeek = (i: number) =>
  JSON.stringify({ ts: 1767320400 + i, uid: `CsShaBcDeFgHiJk${i}`, 'id.orig_h': '203.0.113.77', 'id.orig_p': 40000 + i, 'id.resp_h': '10.0.1.25', 'id.resp_p': 22, proto: 'tcp', conn_state: 'SF', orig_bytes: 10, resp_bytes: 20 });
const journal = (i: number) =>
  JSON.stringify({ __REALTIME_TIMESTAMP: String(1767320400_000000 + i * 1_000_000), _HOSTNAME: 'web-01', SYSLOG_IDENTIFIER: 'sshd', _PID: String(4200 + i), _TRANSPORT: 'syslog', MESSAGE: `Failed password for root from 203.0.113.77 port ${40000 + i} ssh2` });
const csv = (i: number) =>
  `2026-01-02 02:30:0${i}.120 UTC,"app","shop",4711,"203.0.113.77:40210",6957a1b6.1267,${i},"SELECT",2026-01-02 02:29:58 UTC,3/4${i},0,LOG,00000,"statement: SELECT ${i}",,,,,,,,,"psql","client backend",,0`;

interface Case {
  name: string;
  lines: string[];
  /** 0-based index of the damaged line. */
  damaged: number;
}

const CASES: Case[] = [
  { name: 'conn.json', lines: [zeek(1), zeek(2), zeek(3).slice(0, 50), zeek(4), zeek(5)], damaged: 2 },
  { name: 'journal.json', lines: [journal(1), journal(2), journal(3), journal(4).slice(0, 90), journal(5)], damaged: 3 },
  { name: 'postgresql.csv', lines: [csv(1), csv(2).slice(0, 62), csv(3), csv(4), csv(5)], damaged: 1 },
];

describe('damaged records', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  const evidence = join(tmp.path, 'evidence');
  let result: CliResult;

  beforeAll(async () => {
    mkdirSync(evidence);
    for (const c of CASES) writeFileSync(join(evidence, c.name), c.lines.join('\n') + '\n');
    result = await dwell(['ingest', '--case', casePath, evidence]);
  });
  afterAll(() => tmp.cleanup());

  for (const c of CASES) {
    it(`${c.name}: one warning naming the line and byte offset, every other record ingested`, async () => {
      const path = join(evidence, c.name);
      const offset = c.lines.slice(0, c.damaged).join('\n').length + 1;
      const [ev] = await query<{ status: string; events: number; warnings: number }>(casePath, 'SELECT status, events::INTEGER AS events, warnings::INTEGER AS warnings FROM evidence WHERE path = $p', { p: path });
      expect(ev).toMatchObject({ status: 'ingested', events: c.lines.length - 1, warnings: 1 });
      const w = await query<{ line: number; byte_offset: number }>(casePath, 'SELECT line::INTEGER AS line, byte_offset::INTEGER AS byte_offset FROM parse_warnings JOIN evidence USING (evidence_id) WHERE path = $p', { p: path });
      expect(w).toEqual([{ line: c.damaged + 1, byte_offset: offset }]);
      // The report names the file, the line and the byte offset.
      expect(result.stderr).toContain(`${path}:${c.damaged + 1} (byte ${offset})`);
    });
  }

  it('exits 0: damage in a record is not a failed file', () => {
    expect(result.code).toBe(0);
  });
});
