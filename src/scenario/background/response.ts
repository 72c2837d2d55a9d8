/**
 * The responders after the MSSP's alert (2 Jan, 09:15Z): alice reviews the bastion, deactivates the
 * two access keys she finds in CloudTrail, deletes sysupdate, locks deploy on both hosts, removes
 * the cron file and the planted key. She misses support-audit's console password and the dbsync
 * role. Not attacker activity — and it looks like it (sudo reads of the attacker's cron file).
 */
import { ctRecord, iamUser, UA } from '../cloudtrail.js';
import { ADMIN_KEYS, GLOBAL_REGION, HOSTS, IAM, OFFICE_NAT, UIDS } from '../estate.js';
import type { Emitter } from '../emit.js';
import { bin, type Ctx, sshLogin, sudo } from '../hostlog.js';
import { Rng } from '../rng.js';
import { MIN, SEC, utc } from '../time.js';

export function runResponse(E: Emitter, seed: number, createdKey: string): void {
  const rng = new Rng(seed, 'response');
  const c: Ctx = { E, rng };
  const at = (h: number, m: number, s: number) => utc(2026, 1, 2, h, m, s);
  sshLogin(c, { host: 'bastion-01', user: 'alice', uid: UIDS.alice!, method: 'publickey', key: ADMIN_KEYS.alice, src: OFFICE_NAT, start: at(9, 52, 10), end: at(11, 6, 40) });
  const su = (t: number, command: string) => sudo(c, t, { host: 'bastion-01', user: 'alice', uid: UIDS.alice!, tty: 'pts/0', pwd: '/home/alice', command });
  su(at(9, 58, 4), `${bin('bastion-01', 'last')} -F -n 50`);
  su(at(10, 1, 31), `${bin('bastion-01', 'grep')} -E Accepted|useradd|COMMAND /var/log/auth.log`);
  su(at(10, 3, 12), `${bin('bastion-01', 'ls')} -la /etc/cron.d`);
  su(at(10, 5, 2), `${bin('bastion-01', 'cat')} /etc/cron.d/sysupdate`);
  su(at(10, 41, 8), `${bin('bastion-01', 'userdel')} -r sysupdate`);
  const pid = E.pids['bastion-01'].next(at(10, 41, 9), 3);
  E.auth('bastion-01', at(10, 41, 9), 'userdel', pid, "delete user 'sysupdate'");
  E.auth('bastion-01', at(10, 41, 9) + 2_000, 'userdel', pid, "removed group 'sysupdate' owned by 'sysupdate'");
  E.auth('bastion-01', at(10, 41, 9) + 3_000, 'userdel', pid, "removed shadow group 'sysupdate' owned by 'sysupdate'");
  su(at(10, 43, 20), `${bin('bastion-01', 'usermod')} -L deploy`);
  E.auth('bastion-01', at(10, 43, 20) + 40_000, 'usermod', E.pids['bastion-01'].next(at(10, 43, 21), 2), "lock user 'deploy' password");
  su(at(10, 44, 2), `${bin('bastion-01', 'rm')} /etc/cron.d/sysupdate`);
  su(at(10, 45, 37), `${bin('bastion-01', 'sed')} -i /kali@kali/d /root/.ssh/authorized_keys`);
  sshLogin(c, { host: 'web-01', user: 'alice', uid: UIDS.alice!, method: 'publickey', key: ADMIN_KEYS.alice, src: HOSTS['bastion-01'].privateIp, start: at(10, 52, 3), end: at(11, 2, 48) });
  sudo(c, at(10, 55, 40), { host: 'web-01', user: 'alice', uid: UIDS.alice!, tty: 'pts/0', pwd: '/home/alice', command: `${bin('web-01', 'usermod')} -L deploy` });
  E.auth('web-01', at(10, 55, 40) + 35_000, 'usermod', E.pids['web-01'].next(at(10, 55, 41), 2), "lock user 'deploy' password");
  // In the console: find and deactivate the keys.
  const alice = IAM.admins[0]!;
  let t = at(10, 12, 44);
  E.ct(t, GLOBAL_REGION, ctRecord(rng, {
    t, identity: iamUser(alice.name, alice.id), source: 'signin.amazonaws.com', name: 'ConsoleLogin', region: GLOBAL_REGION, ip: OFFICE_NAT, ua: UA.browserMac,
    resp: { ConsoleLogin: 'Success' }, extra: { LoginTo: 'https://console.aws.amazon.com/console/home?region=eu-central-1', MobileVersion: 'No', MFAUsed: 'Yes' },
    readOnly: false, eventType: 'AwsConsoleSignIn', host: 'signin.aws.amazon.com', version: '1.09',
  }));
  const id = iamUser(alice.name, alice.id, rng.accessKeyId('ASIA'), { creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), mfa: true });
  const iam = (u: number, name: string, req: unknown, readOnly: boolean) =>
    E.ct(u, GLOBAL_REGION, ctRecord(rng, { t: u, identity: id, source: 'iam.amazonaws.com', name, region: GLOBAL_REGION, ip: OFFICE_NAT, ua: UA.browserMac, req, readOnly, console: true, host: 'iam.amazonaws.com' }));
  t += 2 * MIN;
  iam(t, 'ListUsers', null, true);
  iam((t += 51 * SEC), 'ListAccessKeys', { userName: IAM.opsUser }, true);
  iam((t += 33 * SEC), 'GetAccessKeyLastUsed', { accessKeyId: IAM.opsKey }, true);
  iam(at(10, 20, 14), 'UpdateAccessKey', { userName: IAM.opsUser, accessKeyId: IAM.opsKey, status: 'Inactive' }, false);
  iam(at(10, 23, 2), 'GetAccessKeyLastUsed', { accessKeyId: createdKey }, true);
  iam(at(10, 24, 31), 'UpdateAccessKey', { userName: 'support-audit', accessKeyId: createdKey, status: 'Inactive' }, false);
}
