/**
 * Stolen credentials traced back, and lateral movement under another account, on events written
 * for them: a bastion `jump` (10.0.0.4, shared by several people) and a worker `worker` whose cloud
 * key's credentials file is read in a session that came through the bastion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { accessKeyLink } from '../../../src/correlate/links/cloud-key.js';
import { sshSessionLink } from '../../../src/correlate/links/ssh-session.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const KEY = 'AKIAEXAMPLE0000001';
/** A login as the host logged it; `on` is the address it arrived on (sshd's "on ADDR port 22"): the host's own. */
const login = (ts: string, host: string, on: string, user: string, ip: string, session: string, label?: string): MiniEvent => ({
  ts, class: 'authentication', action: 'ssh_login', outcome: 'success', host, actor: user, src_ip: ip, src_port: 50000, dst_ip: on, dst_port: 22, session, attrs: label ? { label } : null,
});
const closed = (ts: string, host: string, user: string, session: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host, actor: user, session });
const sudo = (ts: string, host: string, user: string, command: string, label?: string): MiniEvent => ({ ts, class: 'process_activity', action: 'sudo', outcome: 'success', host, actor: user, target: 'root', command, attrs: label ? { label } : null });
const call = (ts: string, ip: string, label: string): MiniEvent => ({
  ts, class: 'api_activity', action: 's3.amazonaws.com:ListBuckets', outcome: 'success', actor: 'arn:aws:iam::111122223333:user/etl', access_key: KEY, src_ip: ip, attrs: { label },
});

async function estate(extraJump: MiniEvent[] = [], extraWorker: MiniEvent[] = []) {
  mini = await MiniCase.create();
  await mini.file('auth_log', 'jump/auth.log', [
    // three people hop through the bastion every day: its address is shared
    login('2026-06-01T09:00:00Z', 'jump', '10.0.0.4', 'ann', '192.0.2.30', 'sshd[10]'),
    login('2026-06-01T09:10:00Z', 'jump', '10.0.0.4', 'bob', '192.0.2.30', 'sshd[11]'),
    login('2026-06-01T09:20:00Z', 'jump', '10.0.0.4', 'dev', '192.0.2.30', 'sshd[12]', 'dev-owner'),
    closed('2026-06-01T10:00:00Z', 'jump', 'dev', 'sshd[12]'),
    login('2026-06-04T02:00:00Z', 'jump', '10.0.0.4', 'dev', '198.51.100.7', 'sshd[20]', 'attacker-login'),
    closed('2026-06-04T03:00:00Z', 'jump', 'dev', 'sshd[20]'),
    ...extraJump,
  ]);
  await mini.file('auth_log', 'worker/auth.log', [
    login('2026-06-01T09:05:00Z', 'worker', '10.0.0.9', 'ann', '10.0.0.4', 'sshd[30]'),
    login('2026-06-01T09:15:00Z', 'worker', '10.0.0.9', 'bob', '10.0.0.4', 'sshd[31]'),
    login('2026-06-01T09:25:00Z', 'worker', '10.0.0.9', 'dev', '10.0.0.4', 'sshd[32]'),
    login('2026-06-01T09:26:00Z', 'worker', '10.0.0.9', 'ops', '10.0.0.4', 'sshd[33]'),
    sudo('2026-06-01T09:30:00Z', 'worker', 'ann', '/usr/bin/vi /home/etl/.aws/credentials', 'admin-read'),
    closed('2026-06-01T09:40:00Z', 'worker', 'dev', 'sshd[32]'),
    login('2026-06-04T02:05:00Z', 'worker', '10.0.0.9', 'dev', '10.0.0.4', 'sshd[40]', 'hop'),
    sudo('2026-06-04T02:10:00Z', 'worker', 'dev', '/usr/bin/cat /home/etl/.aws/credentials', 'read'),
    closed('2026-06-04T02:50:00Z', 'worker', 'dev', 'sshd[40]'),
    ...extraWorker,
  ]);
  await mini.file('cloudtrail', 'ct.json', [call('2026-06-01T08:00:00Z', '10.0.0.9', 'workload'), call('2026-06-04T04:00:00Z', '203.0.113.99', 'misuse')]);
}

describe('stolen credentials traced back', () => {
  it('a stolen key leads to the session open when its credentials file was last read, though it came from a shared internal address', async () => {
    await estate();
    const ctx = await linkContext(mini);
    await accessKeyLink.expand(ctx, ctx.fp.add('access_key', KEY, null, null, 'seed'));
    const keys = entityKeys(ctx.fp);
    expect(keys).toContain('session sshd[40]@worker');
    expect(keys).toContain('local_user dev@worker');
    expect(keys).toContain('host worker');
    // the bastion's shared address is not the attacker's, and the admin's earlier read blames no one
    expect(keys).not.toContain('ip 10.0.0.4');
    expect(keys.filter((k) => k.includes('ann'))).toEqual([]);
  });

  it('a session that came from another host is traced back to the same account\'s session there, open at the hop, and to its external source', async () => {
    await estate();
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[40]', 'worker', null, 'test'));
    const keys = entityKeys(ctx.fp);
    expect(keys).toContain('session sshd[20]@jump');
    expect(keys).toContain('local_user dev@jump');
    expect(keys).toContain('host jump');
    expect(keys).toContain('ip 198.51.100.7');
    // dev's own session of 1 June was closed long before the hop: not the attacker's
    expect(keys).not.toContain('session sshd[12]@jump');
    expect(keys).not.toContain('ip 192.0.2.30');
  });

  it('does not trace back when the same account\'s session on the source host had closed before the hop', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'jump/auth.log', [login('2026-06-04T01:00:00Z', 'jump', '10.0.0.4', 'dev', '198.51.100.7', 'sshd[20]'), closed('2026-06-04T01:30:00Z', 'jump', 'dev', 'sshd[20]')]);
    await mini.file('auth_log', 'worker/auth.log', [login('2026-06-04T02:05:00Z', 'worker', '10.0.0.9', 'dev', '10.0.0.4', 'sshd[40]')]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[40]', 'worker', null, 'test'));
    expect(entityKeys(ctx.fp)).toEqual(['session sshd[40]@worker']);
  });
});

describe('lateral movement under another account', () => {
  it("takes a login from the attacker's host by an account that never logged in there before, not one that routinely does", async () => {
    await estate([], [
      login('2026-06-04T02:20:00Z', 'worker', '10.0.0.9', 'nagios', '10.0.0.4', 'sshd[50]', 'backdoor-use'),
      login('2026-06-04T02:25:00Z', 'worker', '10.0.0.9', 'ops', '10.0.0.4', 'sshd[51]', 'routine-hop'),
      login('2026-06-04T05:00:00Z', 'worker', '10.0.0.9', 'svc', '10.0.0.4', 'sshd[52]', 'after-session'),
    ]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[20]', 'jump', null, 'test'));
    expect(['backdoor-use', 'routine-hop', 'after-session'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['backdoor-use']);
    const keys = entityKeys(ctx.fp);
    expect(keys).toContain('local_user nagios@worker');
    expect(keys).toContain('session sshd[50]@worker');
    expect(keys).not.toContain('local_user ops@worker');
  });
});
