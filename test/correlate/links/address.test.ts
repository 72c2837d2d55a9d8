/** The address link on events written for it: phases before access, what a login opens, a sensor's view. */
import { afterEach, describe, expect, it } from 'vitest';
import { addressLink, eventsOfAddress } from '../../../src/correlate/links/address.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const A = '203.0.113.66';
const fail = (ts: string, user: string, label: string, port = 40000): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', host: 'edge-1', actor: user, src_ip: A, src_port: port, attrs: { label } });

describe('address link', () => {
  it('tags one guess per account name as recon, the hammering of one account as access, and opens account, session and host on login', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'edge-1/auth.log', [
      fail('2026-04-01T10:00:00Z', 'oracle', 'guess1', 40001),
      fail('2026-04-01T10:00:05Z', 'test', 'guess2', 40002),
      fail('2026-04-01T10:05:00Z', 'deploy', 'brute1', 40003),
      fail('2026-04-01T10:05:05Z', 'deploy', 'brute2', 40004),
      fail('2026-04-01T10:05:10Z', 'deploy', 'brute3', 40005),
      { ts: '2026-04-01T10:05:20Z', class: 'authentication', action: 'ssh_login', outcome: 'success', host: 'edge-1', actor: 'deploy', src_ip: A, src_port: 40006, session: 'sshd[9]', attrs: { label: 'ok' } },
    ]);
    const ctx = await linkContext(mini);
    const ip = ctx.fp.add('ip', A, null, null, 'seed');
    await addressLink.expand(ctx, ip);
    const phase = (l: string) => ctx.fp.events.get(mini.id(l))!.phase;
    expect([phase('guess1'), phase('guess2'), phase('brute1'), phase('brute3'), phase('ok')]).toEqual(['recon', 'recon', 'access', 'access', 'access']);
    expect(entityKeys(ctx.fp)).toEqual(['host edge-1', `ip ${A}`, 'local_user deploy@edge-1', 'session sshd[9]@edge-1']);
    expect(ctx.firstAccessUs).toBe(Date.parse('2026-04-01T10:05:20Z') * 1000);
    expect([...ip.roles].sort()).toEqual(['login_source']);
  });

  it('names a server a network sensor saw the login to by its learned name, else by its address', async () => {
    mini = await MiniCase.create();
    const zeekLogin = (ts: string, dst: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login', outcome: 'success', src_ip: A, src_port: 41000, dst_ip: dst, dst_port: 22, attrs: { user_visible: false } });
    await mini.file('zeek', 'ssh.log', [zeekLogin('2026-04-01T11:00:00Z', '10.5.0.8'), zeekLogin('2026-04-01T11:01:00Z', '10.5.0.9')]);
    await mini.file('auth_log', 'db-9/auth.log', [{ ts: '2026-04-01T09:00:00Z', class: 'network_activity', action: 'ssh_connection', outcome: 'unknown', host: 'db-9', src_ip: '10.5.0.1', src_port: 5000, dst_ip: '10.5.0.9', dst_port: 22 }]);
    const ctx = await linkContext(mini);
    await addressLink.expand(ctx, ctx.fp.add('ip', A, null, null, 'seed'));
    expect(entityKeys(ctx.fp)).toEqual(['host 10.5.0.8', 'host db-9', `ip ${A}`]);
    expect(ctx.hostWindows.get('10.5.0.8')).toEqual([[Date.parse('2026-04-01T11:00:00Z') * 1000, Date.parse('2026-04-01T11:00:00Z') * 1000]]);
  });

  it('takes keys and identities from API calls, roles from database logins, and flows both ways', async () => {
    mini = await MiniCase.create();
    await mini.file('cloudtrail', 'ct.json', [{ ts: '2026-04-01T12:00:00Z', class: 'api_activity', action: 's3.amazonaws.com:ListBuckets', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/ci', access_key: 'AKIAEXAMPLE0000001', src_ip: A }]);
    await mini.file('postgres_log', 'pg/postgresql.log', [{ ts: '2026-04-01T12:05:00Z', class: 'authentication', action: 'db_connect', outcome: 'success', actor: 'report', host: 'pg-1', src_ip: A, session: 's1' }]);
    await mini.file('zeek', 'conn.log', [{ ts: '2026-04-01T12:10:00Z', class: 'network_activity', action: 'flow', outcome: 'success', src_ip: '10.5.0.3', src_port: 50000, dst_ip: A, dst_port: 443, bytes_out: 5_000_000, attrs: { label: 'out' } }]);
    const ctx = await linkContext(mini);
    const ip = ctx.fp.add('ip', A, null, null, 'seed');
    await addressLink.expand(ctx, ip);
    expect(entityKeys(ctx.fp)).toEqual(['access_key AKIAEXAMPLE0000001', 'db_role report@pg-1', 'iam_principal arn:aws:iam::111122223333:user/ci', `ip ${A}`]);
    expect([...ip.roles].sort()).toEqual(['api_caller', 'exfil_destination']);
    expect(ctx.fp.events.has(mini.id('out'))).toBe(true);
  });
  it('reads each event of the address once, in time order, whether it is the source, the destination or both', async () => {
    // The query is two equality branches (pushed into the scan on a 10M-event case); an event
    // from the address to itself matches both and must still come back once.
    mini = await MiniCase.create();
    const flow = (ts: string, src: string, dst: string, label: string): MiniEvent => ({ ts, class: 'network_activity', action: 'flow', outcome: 'success', src_ip: src, src_port: 5000, dst_ip: dst, dst_port: 443, attrs: { label } });
    await mini.file('zeek', 'conn.log', [
      flow('2026-04-01T12:00:00Z', '10.5.0.4', '10.5.0.3', 'other'),
      flow('2026-04-01T12:00:02Z', '10.5.0.3', A, 'to'),
      flow('2026-04-01T12:00:01Z', A, '10.5.0.3', 'from'),
      flow('2026-04-01T12:00:03Z', A, A, 'both'),
    ]);
    const ctx = await linkContext(mini);
    const rows = await ctx.q(`${eventsOfAddress()} ORDER BY ts_us, event_id`, { ip: A });
    expect(rows.map((r) => r.event_id)).toEqual([mini.id('from'), mini.id('to'), mini.id('both')]);
    const flows = await ctx.q(`${eventsOfAddress(`action = 'flow' AND dst_ip = '10.5.0.3'`)} ORDER BY ts_us, event_id`, { ip: A });
    expect(flows.map((r) => r.event_id)).toEqual([mini.id('from')]);
  });
});
