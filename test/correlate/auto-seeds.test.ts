/**
 * --auto proposes seeds a responder can trust: an address with routine (or key-authenticated)
 * logins before the first detection, whose flagged logins are of its own accounts, is its owner's
 * — mistyping, not an attacker — and is set aside with the reason; an unknown address that guessed
 * its way in is proposed; an owner's address that gets into an account it never used is kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCaseView } from '../../src/correlate/case-view.js';
import { loadRules } from '../../src/correlate/rules.js';
import { runRules } from '../../src/correlate/run-rules.js';
import { proposeSeeds } from '../../src/correlate/seeds.js';
import { MiniCase, type MiniEvent } from '../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const login = (ts: string, user: string, ip: string, method = 'password'): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login', outcome: 'success', host: 'srv', actor: user, src_ip: ip, src_port: 40000, attrs: { method } });
const failed = (ts: string, user: string, ip: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', host: 'srv', actor: user, src_ip: ip, src_port: 40000, attrs: { method: 'password' } });
const burst = (day: string, user: string, ip: string, n = 6) => Array.from({ length: n }, (_, i) => failed(`${day}T10:0${i}:00Z`, user, ip));

async function propose(events: MiniEvent[]) {
  mini = await MiniCase.create();
  await mini.file('auth_log', 'srv/auth.log', events);
  await runRules(mini.conn, 1, loadRules().filter((r) => r.id === 'access.ssh_success_after_bruteforce'), { tables: [], buckets: [] });
  await createCaseView(mini.conn);
  return proposeSeeds(mini.conn, 1);
}

describe('--auto seeds', () => {
  const ADMIN = '192.0.2.44';
  const routine = Array.from({ length: 10 }, (_, i) => login(`2026-03-${String(i + 1).padStart(2, '0')}T09:00:00Z`, 'alice', ADMIN));

  it("sets aside an administrator's address with weeks of routine logins that mistyped their own password", async () => {
    const r = await propose([...routine, ...burst('2026-03-20', 'alice', ADMIN), login('2026-03-20T10:07:00Z', 'alice', ADMIN)]);
    expect(r.proposed).toEqual([]);
    expect(r.setAside).toHaveLength(1);
    expect(r.setAside[0]!.seed.value).toBe(ADMIN);
    expect(r.setAside[0]!.reason).toMatch(/it is the owner's: 10 routine login\(s\) on 10 day\(s\)/);
  });

  it('sets aside a key holder that logs in to a test account it created itself', async () => {
    const keyLogins = [login('2026-03-18T09:00:00Z', 'ubuntu', ADMIN, 'publickey'), login('2026-03-19T09:00:00Z', 'ubuntu', ADMIN, 'publickey'), login('2026-03-20T09:30:00Z', 'ubuntu', ADMIN, 'publickey')];
    const created: MiniEvent = { ts: '2026-03-20T09:40:00Z', class: 'account_change', action: 'user_created', outcome: 'success', host: 'srv', target: 'test_user_1' };
    const r = await propose([...keyLogins, created, ...burst('2026-03-20', 'test_user_1', ADMIN), login('2026-03-20T10:07:00Z', 'test_user_1', ADMIN)]);
    expect(r.proposed).toEqual([]);
    expect(r.setAside[0]!.reason).toMatch(/holds a key the host trusts/);
  });

  it('sets aside a test client that mistyped passwords it had already used: every account it failed on it had logged in to before', async () => {
    // The Elastic auth.log sample: 24.151.103.17 logs in to its test accounts one day, fails 147 times on one of them the next.
    const TEST = '24.151.103.17';
    const firstDay = ['test_user_0', 'test_user_1', 'test_user_2'].map((u, i) => login(`2026-03-19T1${i}:00:00Z`, u, TEST));
    const r = await propose([...firstDay, ...burst('2026-03-20', 'test_user_0', TEST, 9), login('2026-03-20T10:09:00Z', 'test_user_0', TEST)]);
    expect(r.proposed).toEqual([]);
    expect(r.setAside.map((a) => a.seed.value)).toEqual([TEST]);
    expect(r.setAside[0]!.reason).toMatch(/already held the passwords: 3 login\(s\) .* \(test_user_0\)/);
  });

  it('keeps an address that got in once and then guessed at accounts it never had (a bot on a honeypot)', async () => {
    const BOT = '203.0.113.50';
    const tries = ['admin', 'oracle', 'admin', 'oracle', 'admin', 'oracle'].map((u, i) => failed(`2026-03-20T10:0${i}:00Z`, u, BOT));
    const r = await propose([login('2026-03-19T08:00:00Z', 'root', BOT), ...tries, login('2026-03-20T10:07:00Z', 'root', BOT)]);
    expect(r.proposed.map((p) => p.value)).toEqual([BOT]);
    expect(r.setAside).toEqual([]);
  });

  it('proposes an unknown address that guessed its way in, and keeps an owner address that got into an account it never used', async () => {
    const r = await propose([...routine, ...burst('2026-03-20', 'root', ADMIN), login('2026-03-20T10:07:00Z', 'root', ADMIN), ...burst('2026-03-21', 'deploy', '203.0.113.9'), login('2026-03-21T10:07:00Z', 'deploy', '203.0.113.9')]);
    expect(r.proposed.map((p) => p.value).sort()).toEqual(['192.0.2.44', '203.0.113.9']);
    expect(r.setAside).toEqual([]);
    expect(r.proposed[0]!.reason).toMatch(/^detection access\.ssh_success_after_bruteforce/);
  });
});
