/**
 * Twins: one program writing the same record in two formats (Cowrie's cowrie.json and cowrie.log).
 * Correlation's view of the case keeps one of each pair so nothing is counted twice; both stay in
 * the case, and same-format files (two sensors) are never twinned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTwins, createCaseView } from '../../src/correlate/case-view.js';
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
});
