/**
 * Twins: one program writing the same record in two formats (Cowrie's cowrie.json and cowrie.log).
 * Correlation's view of the case keeps one of each pair so nothing is counted twice; both stay in
 * the case, and same-format files (two sensors) are never twinned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTwins, createCaseView } from '../../src/correlate/case-view.js';
import { installSqlVocabulary } from '../../src/correlate/sql-vocabulary.js';
import { SCHEMA_SQL } from '../../src/store/schema.js';
import { MiniCase, type MiniEvent } from '../helpers/mini-case.js';

const login = (extra: Partial<MiniEvent> = {}): MiniEvent => ({
  ts: '2025-03-04T10:00:03.123456Z', source: 'cowrie', class: 'authentication', action: 'ssh_login', outcome: 'success', actor: 'root', src_ip: '203.0.113.50', ...extra,
});

describe('twins in the correlation view', () => {
  let mini: MiniCase;
  beforeEach(async () => (mini = await MiniCase.create()));
  afterEach(() => mini.close());
  const ev = async () => (await mini.rows<{ event_id: number }>('SELECT event_id FROM ev ORDER BY event_id')).map((r) => Number(r.event_id));

  it('keeps one of the same record written by one source in two formats: the one naming its session', async () => {
    const [text, textOnly] = await mini.file('cowrie_log', 'hp/cowrie.log', [login(), login({ action: 'cowrie_text_message', actor: null })]);
    const [json] = await mini.file('cowrie_json', 'hp/cowrie.json', [login({ session: 'a1b2c3d4e5f6', src_port: 51022 })]);
    await createCaseView(mini.conn);
    expect(await ev()).toEqual([textOnly, json]);
    expect(await countTwins(mini.conn)).toBe(1);
    expect(text).toBeLessThan(json!);
    const [{ n }] = await mini.rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events');
    expect(n).toBe(3);
  });

  it('does not twin files of the same format (two sensors), other sources, or records that differ in time, account or command', async () => {
    const a = await mini.file('zeek_tsv', 's1/ssh.log', [login({ source: 'zeek' })]);
    const b = await mini.file('zeek_tsv', 's2/ssh.log', [login({ source: 'zeek' })]);
    const c = await mini.file('auth_log', 'web/auth.log', [login({ source: 'auth_log' })]);
    const d = await mini.file('cowrie_json', 'hp/cowrie.json', [login({ actor: 'admin' }), login({ ts: '2025-03-04T10:00:03.124Z' }), login({ action: 'shell_command', command: 'id' })]);
    const e = await mini.file('cowrie_log', 'hp/cowrie.log', [login({ actor: 'root' }), login({ action: 'shell_command', command: 'uname -a' })]);
    await createCaseView(mini.conn);
    expect(await ev()).toEqual([...a, ...b, ...c, ...d, ...e]);
    expect(await countTwins(mini.conn)).toBe(0);
  });

  it('looks for twins without holding the events in memory when no two formats share a source (10M-event cases)', async () => {
    // Before: the paired files were a subquery, and DuckDB built the semi join's hash table on the
    // events side (0.9 GB on 8M events) even when no file was paired. Here: 400k events, a budget
    // of 24 MB and no spilling to disk, so a hash table over the events cannot be built.
    const dir = mkdtempSync(join(tmpdir(), 'dwell-twins-'));
    const db = await DuckDBInstance.create(join(dir, 'case.duckdb'), { temp_directory: '' });
    const conn = await db.connect();
    try {
      for (const sql of SCHEMA_SQL) await conn.run(sql);
      await installSqlVocabulary(conn);
      await conn.run(`INSERT INTO evidence (evidence_id, run_id, path, abs_path, format, status, ingested_at) VALUES (1, 1, 'web-01/auth.log', '/e/web-01/auth.log', 'auth_log', 'ingested', now()), (2, 1, 'db-01/postgresql.log', '/e/db-01/postgresql.log', 'postgres_stderr', 'ingested', now())`);
      await conn.run(`INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, command, target, session, summary, evidence_id, line, byte_offset, byte_length, raw)
        SELECT i, TIMESTAMP '2026-01-01' + to_seconds(i), 'exact', CASE WHEN i % 2 = 0 THEN 'auth_log' ELSE 'postgres_log' END, 'authentication', 'ssh_login', 'success',
               CASE WHEN i % 2 = 0 THEN 'web-01' END, 'user' || (i % 1000), '10.0.' || (i % 250) || '.' || (i % 199), 'command number ' || i, 'target ' || i, 'session ' || i, 's', 1 + i % 2, i, 0, 0, 'r'
        FROM range(1, 400001) r(i)`);
      await conn.run('CHECKPOINT');
      await conn.run(`SET memory_limit = '24MB'`);
      await createCaseView(conn);
      expect(await countTwins(conn)).toBe(0);
    } finally {
      conn.closeSync();
      db.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
