/**
 * CI: GitHub Actions assumes `ci-deployer` through OIDC (AssumeRoleWithWebIdentity) from
 * GitHub-hosted runners and runs `terraform plan`, a burst of Describe, List and Get calls that looks
 * like cloud discovery. Runs on working days, a few times a day; not scaled.
 */
import { assumedRole, awsDate, ctRecord, type RoleSession, sessionArn, sessionToken, UA } from '../cloudtrail.js';
import { ACCOUNT, BUCKETS, GLOBAL_REGION, IAM, REGION, SECRETS, TRAIL_NAME, WINDOW } from '../estate.js';
import { workday } from '../objects.js';
import { Rng } from '../rng.js';
import { HOUR, localHour, MIN, SEC } from '../time.js';
import type { Actor, Bg } from './common.js';

const RUNNER_FIRST = [4, 13, 20, 40, 51, 57, 68, 74, 135];

/** GitHub-hosted runner addresses seen in the window (fixed per seed). */
export function runnerIps(seed: number): string[] {
  const r = new Rng(seed, 'ci-runners');
  const out = new Set<string>();
  while (out.size < 24) out.add(`${r.pick(RUNNER_FIRST)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`);
  return [...out];
}

type Call = [source: string, name: string, req: unknown, api: string];

const PLAN: Call[] = [
  ['sts.amazonaws.com', 'GetCallerIdentity', null, 'sts#1.33.3'],
  ['ec2.amazonaws.com', 'DescribeVpcs', { vpcSet: { items: [{ vpcId: 'vpc-0a1b2c3d4e5f60789' }] }, filterSet: {} }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeSubnets', { subnetSet: {}, filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: 'vpc-0a1b2c3d4e5f60789' }] } }] } }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeInstances', { instancesSet: {}, filterSet: {} }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeRouteTables', { routeTableIdSet: {}, filterSet: {} }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', { networkInterfaceIdSet: {}, filterSet: {} }, 'ec2#1.198.1'],
  ['ec2.amazonaws.com', 'DescribeFlowLogs', { filterSet: {} }, 'ec2#1.198.1'],
  ['s3.amazonaws.com', 'ListBuckets', { Host: `s3.${REGION}.amazonaws.com` }, 's3#1.72.0'],
  ['s3.amazonaws.com', 'GetBucketAcl', 'BUCKET', 's3#1.72.0'],
  ['s3.amazonaws.com', 'GetBucketPolicy', 'BUCKET', 's3#1.72.0'],
  ['s3.amazonaws.com', 'GetBucketVersioning', 'BUCKET', 's3#1.72.0'],
  ['s3.amazonaws.com', 'GetBucketEncryption', 'BUCKET', 's3#1.72.0'],
  ['iam.amazonaws.com', 'GetRole', 'ROLE', 'iam#1.38.3'],
  ['iam.amazonaws.com', 'ListAttachedRolePolicies', 'ROLE', 'iam#1.38.3'],
  ['iam.amazonaws.com', 'ListRolePolicies', 'ROLE', 'iam#1.38.3'],
  ['iam.amazonaws.com', 'GetPolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/shop-web-s3` }, 'iam#1.38.3'],
  ['iam.amazonaws.com', 'GetPolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/shop-web-s3`, versionId: 'v4' }, 'iam#1.38.3'],
  ['iam.amazonaws.com', 'ListUsers', null, 'iam#1.38.3'],
  ['secretsmanager.amazonaws.com', 'DescribeSecret', 'SECRET', 'secretsmanager#1.34.8'],
  ['cloudtrail.amazonaws.com', 'DescribeTrails', { trailNameList: [TRAIL_NAME], includeShadowTrails: false }, 'cloudtrail#1.46.4'],
  ['cloudtrail.amazonaws.com', 'GetTrailStatus', { name: TRAIL_NAME }, 'cloudtrail#1.46.4'],
];

export class Ci implements Actor {
  private readonly runners: string[];

  constructor(private readonly bg: Bg) {
    this.runners = runnerIps(bg.seed);
  }

  hour(h0: number): void {
    if (h0 < WINDOW.netStart) return;
    const { hour } = localHour(h0);
    if (!workday(h0 + 30 * MIN) || hour < 8 || hour > 19) return;
    const { rng } = this.bg;
    if (rng.chance(0.35)) this.run(h0 + rng.int(0, 55) * MIN + rng.int(0, 59) * SEC);
  }

  private run(t: number): void {
    const { rng, E } = this.bg;
    const ip = rng.pick(this.runners);
    const sub = IAM.ciSubject;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${IAM.ciRole}`;
    const rs: RoleSession = { role: IAM.ciRole, roleId: IAM.ciRoleId, session: 'GitHubActions', accessKeyId: rng.accessKeyId('ASIA'), creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), webIdentity: IAM.oidcProvider };
    E.ct(t, REGION, ctRecord(rng, {
      t, identity: { type: 'WebIdentityUser', principalId: `${IAM.oidcProvider}:sts.amazonaws.com:${sub}`, userName: sub, identityProvider: IAM.oidcProvider },
      source: 'sts.amazonaws.com', name: 'AssumeRoleWithWebIdentity', ip, ua: UA.ciAction,
      req: { roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
      resp: {
        credentials: { accessKeyId: rs.accessKeyId, sessionToken: sessionToken(rng), expiration: awsDate(t + HOUR) },
        subjectFromWebIdentityToken: sub,
        assumedRoleUser: { assumedRoleId: `${IAM.ciRoleId}:GitHubActions`, arn: sessionArn(rs) },
        provider: IAM.oidcProvider,
        audience: 'sts.amazonaws.com',
      },
      extra: { identityProviderConnectionVerificationMethod: 'IAMTrustStore', RoleSessionName: 'GitHubActions' },
      readOnly: true, resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }], host: `sts.${REGION}.amazonaws.com`,
    }));
    const id = assumedRole(rs);
    let u = t + rng.int(8, 30) * SEC;
    for (const [source, name, req0, api] of PLAN) {
      const reps = req0 === 'BUCKET' ? [BUCKETS.exports, BUCKETS.assets, BUCKETS.backups] : req0 === 'ROLE' ? [IAM.webRole, IAM.backupRole, IAM.ciRole] : req0 === 'SECRET' ? [SECRETS.stripe, SECRETS.db] : [null];
      for (const x of reps) {
        let req: unknown = req0;
        if (req0 === 'BUCKET') req = { bucketName: x, Host: `${x}.s3.${REGION}.amazonaws.com`, [name === 'GetBucketAcl' ? 'acl' : name === 'GetBucketPolicy' ? 'policy' : name === 'GetBucketVersioning' ? 'versioning' : 'encryption']: '' };
        if (req0 === 'ROLE') req = { roleName: x };
        if (req0 === 'SECRET') req = { secretId: x };
        const region = source === 'iam.amazonaws.com' ? GLOBAL_REGION : REGION;
        const host = source === 'iam.amazonaws.com' ? 'iam.amazonaws.com' : source === 's3.amazonaws.com' ? (x ? `${x}.s3.${REGION}.amazonaws.com` : `s3.${REGION}.amazonaws.com`) : `${source.split('.')[0]}.${REGION}.amazonaws.com`;
        const error = name === 'GetBucketPolicy' && x !== BUCKETS.assets ? { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' } : undefined;
        E.ct(u, region, ctRecord(rng, { t: u, identity: id, source, name, region, ip, ua: UA.terraform(api), req, readOnly: true, host, error }));
        u += rng.int(50, 900) * 1000;
      }
    }
  }
}
