/**
 * The people who legitimately log in: admins from the office NAT (one address shared by everyone)
 * to the bastion and on to the servers (so web-01 and db-01 see logins from 10.0.0.10 all day,
 * like the attacker's lateral movement), the release manager using the shared `deploy` account
 * from the office with the occasional mistyped password, an admin's first login from a hotel, an
 * admin reading /etc/shop/app.env during maintenance, and the admins' AWS console sessions.
 */
import { ctRecord, iamUser, UA } from '../cloudtrail.js';
import { ADMIN_KEYS, ADMIN_TRAVEL_IP, ADMINS, DEPLOY_KEY, GLOBAL_REGION, HOSTS, IAM, OFFICE_NAT, REGION, UIDS, WINDOW, type HostName } from '../estate.js';
import { bin, type Ctx, sshLogin, sudo } from '../hostlog.js';
import { releaseAt, releaseRestart, workday } from '../objects.js';
import { pgConnect, pgDisconnect, pgStatement } from '../pglog.js';
import { DAY, HOUR, localHour, MIN, SEC, utc } from '../time.js';
import type { Actor, Bg } from './common.js';

const BASTION_CMDS = (h: HostName) => [
  `${bin(h, 'apt-get')} update`, `${bin(h, 'apt-get')} -y upgrade`, `${bin(h, 'journalctl')} -u ssh --since today`, `${bin(h, 'tail')} -n 100 /var/log/auth.log`,
  '/usr/sbin/ufw status', `${bin(h, 'systemctl')} status ssh`, `${bin(h, 'last')} -n 20`,
];
const WEB_CMDS = (h: HostName) => [`${bin(h, 'systemctl')} status shop-api`, `${bin(h, 'journalctl')} -u shop-api -n 200 --no-pager`, `${bin(h, 'apt-get')} update`, `${bin(h, 'du')} -sh /var/log/shop`, `${bin(h, 'tail')} -n 200 /var/log/shop/error.log`];
const DB_CMDS = (h: HostName) => [`${bin(h, 'systemctl')} status postgresql-16`, `${bin(h, 'tail')} -n 50 /var/log/postgresql/postgresql-16-main.log`, `${bin(h, 'du')} -sh /var/lib/pgsql`, `${bin(h, 'dnf')} check-update`];

/** carol reads the application's env file on web-01 while checking a migration (a benign look-alike). */
export const CAROL_APP_ENV_AT = utc(2025, 12, 18, 9, 42, 11);
/** bob's first login from a hotel network. */
export const BOB_TRAVEL_AT = utc(2025, 12, 29, 8, 12, 30);

export class Admins implements Actor {
  constructor(private readonly bg: Bg) {}

  hour(h0: number): void {
    if (h0 < WINDOW.authStart) return;
    const { rng } = this.bg;
    const c: Ctx = { E: this.bg.E, rng };
    const { hour } = localHour(h0);
    const work = workday(h0 + 30 * MIN);
    for (const admin of ADMINS) {
      const p = work ? (hour >= 8 && hour <= 18 ? 0.2 : hour >= 19 && hour <= 22 ? 0.03 : 0) : admin === 'carol' && hour >= 10 && hour <= 20 ? 0.05 : 0;
      if (rng.chance(p)) this.session(c, admin, h0 + rng.int(0, 55) * MIN + rng.int(0, 59) * SEC, OFFICE_NAT);
    }
    if (Math.floor(BOB_TRAVEL_AT / HOUR) === Math.floor(h0 / HOUR)) this.session(c, 'bob', BOB_TRAVEL_AT, ADMIN_TRAVEL_IP);
    if (Math.floor(CAROL_APP_ENV_AT / HOUR) === Math.floor(h0 / HOUR)) this.carolAppEnv(c);
    const day0 = Math.floor(h0 / DAY) * DAY;
    const rel = releaseAt(day0);
    if (rel !== null && rel >= h0 && rel < h0 + HOUR) this.release(c, rel);
    if (h0 >= WINDOW.netStart && work && (hour === 9 || hour === 14)) this.console(h0);
  }

  private session(c: Ctx, admin: string, start: number, from: string): void {
    const { rng } = this.bg;
    const dur = rng.int(4, 80) * MIN;
    const s = sshLogin(c, { host: 'bastion-01', user: admin, uid: UIDS[admin]!, method: 'publickey', key: ADMIN_KEYS[admin], src: from, start, end: start + dur });
    let t = s.from;
    for (let i = rng.int(0, 2); i > 0; i--) {
      t += rng.int(20, 300) * SEC;
      if (t < s.to) sudo(c, t, { host: 'bastion-01', user: admin, uid: UIDS[admin]!, tty: 'pts/0', pwd: `/home/${admin}`, command: rng.pick(BASTION_CMDS('bastion-01')), duration: rng.int(0, 20) });
    }
    if (rng.chance(0.55)) {
      const target = rng.weighted<HostName>([['web-01', 4], ['web-02', 3], ['db-01', 2]]);
      const js = Math.min(s.to - 2 * MIN, start + rng.int(1, 6) * MIN);
      const je = Math.min(s.to - 30 * SEC, js + rng.int(3, 40) * MIN);
      if (je > js + MIN) this.jump(c, admin, target, js, je);
    }
  }

  private jump(c: Ctx, admin: string, host: HostName, start: number, end: number): void {
    const { rng } = this.bg;
    const s = sshLogin(c, { host, user: admin, uid: host === 'db-01' ? UIDS[admin]! - 1 : UIDS[admin]!, method: 'publickey', key: ADMIN_KEYS[admin], src: HOSTS['bastion-01'].privateIp, start, end });
    const uid = host === 'db-01' ? UIDS[admin]! - 1 : UIDS[admin]!;
    let t = s.from;
    for (let i = rng.int(1, 3); i > 0; i--) {
      t += rng.int(15, 240) * SEC;
      if (t >= s.to) break;
      if (host === 'db-01' && rng.chance(0.3)) {
        sudo(c, t, { host, user: admin, uid, tty: 'pts/0', pwd: `/home/${admin}`, command: bin(host, 'psql'), runas: 'postgres', duration: 90 });
        this.adminPsql(t + 2 * SEC);
        t += 100 * SEC;
        continue;
      }
      const cmds = host === 'db-01' ? DB_CMDS(host) : WEB_CMDS(host);
      sudo(c, t, { host, user: admin, uid, tty: 'pts/0', pwd: `/home/${admin}`, command: rng.pick(cmds), duration: rng.int(0, 10) });
    }
  }

  /** `sudo -u postgres psql` on db-01: a local session as postgres looking at activity and sizes. */
  private adminPsql(t: number): void {
    const { rng, E } = this.bg;
    const pid = E.pids['db-01'].next(t, rng.int(1, 9));
    const { session } = pgConnect({ E, rng }, { t, pid, user: 'postgres', db: 'postgres', client: '[local]', port: null, app: 'psql', method: 'peer', identity: 'postgres', hbaLine: 116 });
    let u = t + rng.int(5, 20) * SEC;
    for (const sql of rng.pick([
      ['SELECT pid, usename, application_name, client_addr, state, query_start FROM pg_stat_activity;', "SELECT pg_size_pretty(pg_database_size('shop'));"],
      ['SELECT datname, numbackends, xact_commit, blks_read FROM pg_stat_database;'],
      ["SELECT relname, n_live_tup, n_dead_tup, last_autovacuum FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;"],
    ])) {
      pgStatement({ E, rng }, session, u, sql);
      u += rng.int(5, 30) * SEC + rng.int(0, 999) * 1000;
    }
    pgDisconnect({ E, rng }, session, u + rng.int(2, 20) * SEC);
  }

  private carolAppEnv(c: Ctx): void {
    const start = CAROL_APP_ENV_AT - 95 * SEC;
    sshLogin(c, { host: 'bastion-01', user: 'carol', uid: UIDS.carol!, method: 'publickey', key: ADMIN_KEYS.carol, src: OFFICE_NAT, start: start - 40 * SEC, end: start + 22 * MIN });
    sshLogin(c, { host: 'web-01', user: 'carol', uid: UIDS.carol!, method: 'publickey', key: ADMIN_KEYS.carol, src: HOSTS['bastion-01'].privateIp, start, end: start + 20 * MIN });
    sudo(c, CAROL_APP_ENV_AT, { host: 'web-01', user: 'carol', uid: UIDS.carol!, tty: 'pts/0', pwd: '/home/carol', command: `${bin('web-01', 'cat')} /etc/shop/app.env` });
    sudo(c, CAROL_APP_ENV_AT + 4 * MIN, { host: 'web-01', user: 'carol', uid: UIDS.carol!, tty: 'pts/0', pwd: '/home/carol', command: `${bin('web-01', 'journalctl')} -u shop-api -n 200 --no-pager` });
  }

  /** erik releases: `deploy` from the office (password), then deploy@web-01/web-02 restarts the app. */
  private release(c: Ctx, t: number): void {
    const { rng } = this.bg;
    const typo = rng.chance(0.4) ? 1 : 0;
    sshLogin(c, { host: 'bastion-01', user: 'deploy', uid: UIDS.deploy!, method: 'password', src: OFFICE_NAT, start: t, end: t + rng.int(16, 25) * MIN, typos: typo });
    for (const host of ['web-01', 'web-02'] as const) {
      const restart = releaseRestart(t, host);
      sshLogin(c, { host, user: 'deploy', uid: UIDS.deploy!, method: 'publickey', key: DEPLOY_KEY, src: HOSTS['bastion-01'].privateIp, start: restart - rng.int(70, 110) * SEC, end: restart + rng.int(2, 4) * MIN });
      sudo(c, restart, { host, user: 'deploy', uid: UIDS.deploy!, tty: 'pts/0', pwd: '/srv/shop', command: `${bin(host, 'systemctl')} restart shop-api` });
    }
  }

  /** alice or dave in the AWS console (MFA) from the office. */
  private console(h0: number): void {
    const { rng, E } = this.bg;
    if (!rng.chance(0.6)) return;
    const who = rng.pick(IAM.admins);
    let t = h0 + rng.int(0, 50) * MIN + rng.int(0, 59) * SEC;
    E.ct(t, GLOBAL_REGION, ctRecord(rng, {
      t, identity: iamUser(who.name, who.id), source: 'signin.amazonaws.com', name: 'ConsoleLogin', region: GLOBAL_REGION, ip: OFFICE_NAT, ua: UA.browserMac,
      resp: { ConsoleLogin: 'Success' }, extra: { LoginTo: 'https://console.aws.amazon.com/console/home?region=eu-central-1', MobileVersion: 'No', MFAUsed: 'Yes' },
      readOnly: false, eventType: 'AwsConsoleSignIn', host: 'signin.aws.amazon.com', version: '1.09',
    }));
    const key = rng.accessKeyId('ASIA');
    const id = iamUser(who.name, who.id, key, { creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), mfa: true });
    const calls: [string, string, unknown][] = [
      ['ec2.amazonaws.com', 'DescribeInstances', { instancesSet: {}, filterSet: {} }],
      ['ec2.amazonaws.com', 'DescribeInstanceStatus', { instancesSet: {}, filterSet: {}, includeAllInstances: true }],
      ['monitoring.amazonaws.com', 'DescribeAlarms', { maxRecords: 100 }],
      ['s3.amazonaws.com', 'ListBuckets', { Host: `s3.${REGION}.amazonaws.com` }],
      ['ce.amazonaws.com', 'GetCostAndUsage', null],
      ['health.amazonaws.com', 'DescribeEventAggregates', { aggregateField: 'eventTypeCategory' }],
    ];
    for (let i = rng.int(2, 6); i > 0; i--) {
      t += rng.int(5, 240) * SEC;
      const [source, name, req] = rng.pick(calls);
      const region = source === 'ce.amazonaws.com' ? GLOBAL_REGION : REGION;
      E.ct(t, region, ctRecord(rng, { t, identity: id, source, name, region, ip: OFFICE_NAT, ua: UA.browserMac, req, readOnly: true, console: true, host: `${source.split('.')[0]}.${region}.amazonaws.com` }));
    }
  }
}
