/**
 * Rules the demo scenario gives nothing to see (the attacker there never opens a root shell, never
 * shares a snapshot…): each is run on a handful of events written for it, firing on the attack
 * and silent on its look-alike.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/correlate/rules.js';
import { MiniCase } from '../helpers/mini-case.js';
import { SCENARIO_RULES, UNIT_TESTED_RULES } from '../helpers/rule-expectations.js';

type Ev = Partial<Record<'ts' | 'source' | 'class' | 'action' | 'outcome' | 'host' | 'actor' | 'src_ip' | 'target' | 'command' | 'attrs', string>>;

const rules = new Map(loadRules().map((r) => [r.id, r]));
let mini: MiniCase;
let conn: DuckDBConnection;

async function hits(ruleId: string, events: Ev[]): Promise<string[]> {
  await conn.run('DELETE FROM events');
  let id = 1;
  for (const e of events) {
    await conn.run(
      `INSERT INTO events (event_id, ts, time_quality, source, class, action, outcome, host, actor, src_ip, target, command, attrs, summary, evidence_id, line, byte_offset, byte_length, raw)
       VALUES ($id, $ts::TIMESTAMP, 'exact', $source, $class, $action, $outcome, $host, $actor, $src_ip, $target, $command, $attrs::JSON, 's', 1, $id, 0, 0, 'r')`,
      { id: id++, ts: e.ts ?? '2026-01-01 00:00:00', source: e.source ?? 'auth_log', class: e.class ?? 'authentication', action: e.action ?? 'other', outcome: e.outcome ?? 'success', host: e.host ?? 'h', actor: e.actor ?? null, src_ip: e.src_ip ?? null, target: e.target ?? null, command: e.command ?? null, attrs: e.attrs ?? null },
    );
  }
  const sql = rules.get(ruleId)!.sql.replaceAll('$sensitive_tables', "['public.customers']::VARCHAR[]");
  const r = await conn.runAndReadAll(`SELECT DISTINCT CAST(hit_key AS VARCHAR) AS k FROM (\n${sql}\n) ORDER BY k`);
  return r.getRowObjectsJS().map((x) => String(x.k));
}

beforeAll(async () => {
  mini = await MiniCase.create();
  conn = mini.conn;
});
afterAll(() => mini.close());

describe('rules on events written for them', () => {
  it('actions.sudo_root_shell: sudo bash / sudo -i / sudo su, not sudo ls', async () => {
    const sudo = (actor: string, command: string): Ev => ({ action: 'sudo', class: 'process_activity', actor, target: 'root', command });
    expect(await hits('actions.sudo_root_shell', [sudo('mallory', '/bin/bash'), sudo('eve', '-i'), sudo('trent', '/usr/bin/su -'), sudo('alice', '/bin/ls /root'), sudo('bob', '/usr/bin/bashtop')])).toEqual(['eve@h', 'mallory@h', 'trent@h']);
  });

  it('actions.su_root: another account becoming root, not root su-ing down', async () => {
    const su = (actor: string, target: string, outcome = 'success'): Ev => ({ action: 'su', actor, target, outcome });
    expect(await hits('actions.su_root', [su('deploy', 'root'), su('root', 'postgres'), su('bob', 'root', 'failure')])).toEqual(['deploy@h']);
  });

  it('access.login_unusual_hour: first login at a new hour after ten daytime logins', async () => {
    const login = (day: number, hour: number, actor = 'deploy'): Ev => ({ action: 'ssh_login', actor, src_ip: '192.0.2.10', ts: `2026-01-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:05:00` });
    const daytime = Array.from({ length: 11 }, (_, i) => login(i + 1, 9 + (i % 3)));
    expect(await hits('access.login_unusual_hour', [...daytime, login(20, 3), login(21, 10)])).toEqual(['deploy@h']);
  });

  it('exfiltration.cloud_snapshot_shared: sharing with another account or the public, not a tag change', async () => {
    const call = (name: string, params: object): Ev => ({ source: 'cloudtrail', class: 'api_activity', action: `ec2.amazonaws.com:${name}`, actor: 'arn:aws:iam::111122223333:user/x', attrs: JSON.stringify({ request_parameters: params }) });
    expect(
      await hits('exfiltration.cloud_snapshot_shared', [
        call('ModifySnapshotAttribute', { snapshotId: 'snap-1', createVolumePermission: { add: { items: [{ userId: '999988887777' }] } } }),
        call('CreateTags', { resourcesSet: { items: [{ resourceId: 'snap-1' }] } }),
      ]),
    ).toEqual(['arn:aws:iam::111122223333:user/x']);
  });

  it('access.ssh_success_after_connection_burst: a login after 20 connections a sensor could not see into, not after a few', async () => {
    const conn = (ip: string, i: number): Ev => ({ source: 'zeek', class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', host: null as never, src_ip: ip, ts: `2026-01-01 00:${String(i).padStart(2, '0')}:00` });
    const ok = (ip: string): Ev => ({ source: 'zeek', class: 'authentication', action: 'ssh_login', outcome: 'success', host: null as never, src_ip: ip, ts: '2026-01-01 00:30:00' });
    expect(await hits('access.ssh_success_after_connection_burst', [...Array.from({ length: 25 }, (_, i) => conn('198.51.100.3', i)), ok('198.51.100.3'), ...Array.from({ length: 3 }, (_, i) => conn('192.0.2.8', i)), ok('192.0.2.8')])).toEqual(['198.51.100.3']);
  });

  it('access.db_auth_failure_burst: five failed logins from one client in ten minutes', async () => {
    const fail = (min: number, ip: string): Ev => ({ source: 'postgres_log', action: 'db_auth_failed', outcome: 'failure', actor: 'postgres', src_ip: ip, ts: `2026-01-01 00:${String(min).padStart(2, '0')}:00` });
    expect(await hits('access.db_auth_failure_burst', [...[1, 2, 3, 4, 5].map((m) => fail(m, '198.51.100.5')), fail(1, '10.0.1.11'), fail(30, '10.0.1.11')])).toEqual(['198.51.100.5']);
  });
});

it('every rule is tested: on the scenario or on events written for it', () => {
  const tested = new Set([...Object.keys(SCENARIO_RULES), ...UNIT_TESTED_RULES]);
  expect([...rules.keys()].filter((id) => !tested.has(id))).toEqual([]);
});
