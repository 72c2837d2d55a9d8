/**
 * How `dwell watch` hands an extent's events to DuckDB: as one string parameter typed by
 * json_transform (loadEventRows), not through a staging file and DuckDB's JSON reader, whose
 * 32 MiB buffer per scan was a third of the watcher's DuckDB budget (issue 15). The rows must be
 * exactly those `dwell ingest`'s staging-file load stores.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { loadEventRows, loadStagedEvents, loadStagedWarnings, loadWarningRows } from '../../src/store/evidence-writer.js';
import { SCHEMA_SQL } from '../../src/store/schema.js';
import { encodeEvent, encodeWarning } from '../../src/store/staging-rows.js';
import { tempDir } from '../helpers/cli.js';

/** Events with what log content throws at a loader: newlines, quotes, control characters, a lone surrogate, nested attrs, nulls, large numbers. */
function hostileEvents(n: number): DwellEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: 1_765_000_000_000_000 + i * 1000,
    ts_end: i % 3 === 0 ? 1_765_000_000_000_000 + i * 1000 + 5 : null,
    time_quality: 'year_inferred',
    class: 'authentication',
    action: i % 2 ? 'ssh_login_failed' : 'ssh_login',
    outcome: i % 2 ? 'failure' : 'success',
    host: 'web-01',
    actor: i % 5 === 0 ? null : `user'"${i}`,
    src_ip: `10.1.${i % 250}.${i % 7}`,
    src_port: 1024 + i,
    dst_ip: null,
    dst_port: i % 4 === 0 ? 22 : null,
    protocol: 'ssh',
    session: `s\n${i}`,
    access_key: null,
    target: i % 11 === 0 ? '/root/.ssh/authorized_keys' : null,
    database: null,
    bytes_in: i % 13 === 0 ? 9_007_199_254_740_991 : null,
    bytes_out: null,
    packets_in: null,
    packets_out: null,
    rows: null,
    command: i % 17 === 0 ? `curl http://x/$(id)\u001b[2J\r\n;rm -rf / ${'\ud800'}` : null,
    community_id: null,
    user_agent: null,
    summary: `Failed password for "root" from 10.1.${i % 250}.1 — é ✓ \t${i}`,
    attrs: i % 2 ? { pid: i, nested: { list: [1, 'two', null], q: 'a"b\\c\nd' } } : {},
    line: i + 1,
    byte_offset: i * 120,
    byte_length: 119,
    raw: `Dec  7 18:00:00 web-01 sshd[${i}]: Failed password for "root"\\x00 ${i}`,
  })) as unknown as DwellEvent[];
}

describe('watch extent rows', () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = tempDir('dwell-watch-rows-');
  });
  afterAll(() => dir.cleanup());

  async function openCase(name: string, memoryLimit: string) {
    const inst = await DuckDBInstance.create(join(dir.path, name), { memory_limit: memoryLimit, threads: '2' });
    const conn = await inst.connect();
    for (const sql of SCHEMA_SQL) await conn.run(sql);
    return { inst, conn };
  }

  it('stores exactly the rows the staging-file load stores, hostile content included', async () => {
    const { inst, conn } = await openCase('same.duckdb', '1GB');
    const events = hostileEvents(3000);
    const lines = events.map((e, i) => encodeEvent(i, e)).join('');
    const staged = join(dir.path, 'events.jsonl');
    writeFileSync(staged, lines);
    await loadStagedEvents(conn, staged, 'auth_log', 1);
    await loadEventRows(conn, lines, 'auth_log', 2);
    const warnings = [encodeWarning(7, 600, 'bad "line"\n\u0001', 'no timestamp'), encodeWarning(9, 800, '\ud800x', 'unparsed')].join('');
    const wfile = join(dir.path, 'warnings.jsonl');
    writeFileSync(wfile, warnings);
    await loadStagedWarnings(conn, wfile, 1);
    await loadWarningRows(conn, warnings, 2);
    const cols = `* EXCLUDE (event_id, evidence_id), event_id % 4294967296 AS seq`;
    const diff = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0]![0]);
    expect(await diff(`SELECT count(*) FROM events WHERE evidence_id = 2`)).toBe(3000);
    // Both directions: the same multiset of rows under each evidence id.
    expect(await diff(`SELECT count(*) FROM (SELECT ${cols} FROM events WHERE evidence_id = 1 EXCEPT ALL SELECT ${cols} FROM events WHERE evidence_id = 2)`)).toBe(0);
    expect(await diff(`SELECT count(*) FROM (SELECT ${cols} FROM events WHERE evidence_id = 2 EXCEPT ALL SELECT ${cols} FROM events WHERE evidence_id = 1)`)).toBe(0);
    expect(await diff(`SELECT count(*) FROM (SELECT * EXCLUDE (evidence_id) FROM parse_warnings WHERE evidence_id = 1 EXCEPT ALL SELECT * EXCLUDE (evidence_id) FROM parse_warnings WHERE evidence_id = 2)`)).toBe(0);
    expect(await diff(`SELECT count(*) FROM parse_warnings WHERE evidence_id = 2`)).toBe(2);
    // The content arrived intact (not merely equal on both sides).
    const row = (await conn.runAndReadAll(`SELECT session, command, attrs::VARCHAR FROM events WHERE event_id = 2 * 4294967296 + 17`)).getRows()[0]!;
    expect(row[0]).toBe('s\n17');
    expect(row[1]).toBe(`curl http://x/$(id)\u001b[2J\r\n;rm -rf / \ufffd`);
    expect(JSON.parse(String(row[2]))).toEqual({ pid: 17, nested: { list: [1, 'two', null], q: 'a"b\\c\nd' } });
    conn.closeSync();
    inst.closeSync();
  });

  it("stores an extent within a 40 MB DuckDB budget, where the staging file's JSON reader alone asks for 32 MiB", async () => {
    const { inst, conn } = await openCase('small.duckdb', '40MB');
    const lines = hostileEvents(5000).map((e, i) => encodeEvent(i, e)).join('');
    // What the watcher did before: the JSON reader's buffer does not fit beside the rest.
    const staged = join(dir.path, 'small.jsonl');
    writeFileSync(staged, lines);
    await expect(loadStagedEvents(conn, staged, 'auth_log', 1, 1 << 20)).rejects.toThrow(/Out of Memory/);
    await loadEventRows(conn, lines, 'auth_log', 2);
    expect(Number((await conn.runAndReadAll(`SELECT count(*) FROM events WHERE evidence_id = 2`)).getRows()[0]![0])).toBe(5000);
    conn.closeSync();
    inst.closeSync();
  });
});
