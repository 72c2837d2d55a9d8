/**
 * Deterministic CloudTrail records for the fast-path equality tests, on one line each as
 * CloudTrail writes them, covering what the normalizer distinguishes: identity types, sessions
 * (with the basic-form creation date), sign-in answers and MFA, errors, issued keys, targets from
 * parameters, arrays, responses and resources, byte counts as numbers and strings, service
 * sources, escaped and non-ASCII text, times before 1990 (implausible).
 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNT = '111122223333';
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: () => number, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');

function identity(r: () => number, iso: string): Record<string, unknown> | undefined {
  const x = r();
  const user = pick(r, ['alice', 'bob', 'ci-deploy', 'zoë']);
  if (x < 0.3) return { type: 'IAMUser', principalId: `AIDA${hex(r, 12)}`, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, accountId: ACCOUNT, accessKeyId: `AKIA${hex(r, 16)}`, userName: user };
  if (x < 0.6) {
    const role = pick(r, ['Admin', 'ReadOnly']);
    const sess = `s-${hex(r, 6)}`;
    return {
      type: 'AssumedRole',
      principalId: `AROA${hex(r, 12)}:${sess}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${sess}`,
      accountId: ACCOUNT,
      accessKeyId: `ASIA${hex(r, 16)}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: `AROA${hex(r, 12)}`, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role },
        webIdFederationData: r() < 0.2 ? { federatedProvider: 'accounts.google.com' } : {},
        attributes: { creationDate: r() < 0.2 ? iso.replace(/[-:]/g, '') : iso, mfaAuthenticated: pick(r, ['true', 'false']) },
        ...(r() < 0.2 ? { sourceIdentity: 'build-42', ec2RoleDelivery: '2.0' } : {}),
      },
    };
  }
  if (x < 0.7) return { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
  if (x < 0.8) return { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' };
  if (x < 0.85) return { type: 'IdentityCenterUser', accountId: ACCOUNT, onBehalfOf: { userId: `u-${hex(r, 8)}`, identityStoreArn: 'arn:aws:identitystore::1:identitystore/d-1' }, credentialId: hex(r, 20) };
  if (x < 0.9) return { type: 'SAMLUser', principalId: 'saml:user', userName: 'saml-user', identityProvider: 'arn:aws:iam::1:saml-provider/okta' };
  if (x < 0.95) return undefined;
  return { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' };
}

const CALLS: [string, string, (r: () => number) => unknown][] = [
  ['s3.amazonaws.com', 'GetObject', (r) => ({ bucketName: 'acme-data', key: `exports/part-${Math.floor(r() * 99)}.csv` })],
  ['s3.amazonaws.com', 'CopyObject', () => ({ bucketName: 'acme-data', key: 'b', 'x-amz-copy-source': '/other/a' })],
  ['ec2.amazonaws.com', 'StopInstances', (r) => ({ instancesSet: { items: [{ instanceId: `i-${hex(r, 8)}` }, { instanceId: `i-${hex(r, 8)}` }] }, force: false })],
  ['ec2.amazonaws.com', 'RunInstances', () => ({ instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 1 }] } })],
  ['iam.amazonaws.com', 'CreateAccessKey', (r) => (r() < 0.5 ? { userName: 'bob' } : null)],
  ['iam.amazonaws.com', 'AttachUserPolicy', () => ({ userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
  ['iam.amazonaws.com', 'ListUsers', () => null],
  ['sts.amazonaws.com', 'AssumeRole', (r) => ({ roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, roleSessionName: `s-${hex(r, 4)}`, durationSeconds: 3600 })],
  ['sts.amazonaws.com', 'GetSessionToken', () => ({ durationSeconds: 900 })],
  ['signin.amazonaws.com', 'ConsoleLogin', () => null],
  ['ssm.amazonaws.com', 'GetParameters', () => ({ names: ['/prod/db', '/prod/api', 7], withDecryption: true })],
  ['ssm.amazonaws.com', 'GetParameter', () => ({ name: '/prod/db/password', withDecryption: true })],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', () => ({ secretId: 'prod/api-key "quoted" \\ back' })],
  ['kms.amazonaws.com', 'Decrypt', () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: 'arn:aws:kms:us-east-1:1:key/1234' })],
  ['ec2.amazonaws.com', 'DescribeSnapshots', () => ({ snapshotIds: ['snap-1', 'snap-2'], instanceIds: ['i-1'] })],
];

/** Record `i` of stream `seed`, as one JSON line. */
export function generatedRecord(seed: number, i: number): string {
  const r = prng(seed * 100_003 + i);
  const old = r() < 0.01;
  const t = (old ? Date.UTC(1985, 0, 1) : Date.UTC(2026, 1, 11)) + Math.floor(r() * 86_400_000);
  const iso = r() < 0.2 ? new Date(t).toISOString() : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const [source, name, params] = pick(r, CALLS);
  const ui = identity(r, iso.replace(/\.\d{3}Z$/, 'Z'));
  const rec: Record<string, unknown> = { eventVersion: '1.09' };
  if (ui) rec.userIdentity = ui;
  rec.eventTime = iso;
  rec.eventSource = source;
  rec.eventName = name;
  rec.awsRegion = 'us-east-1';
  rec.sourceIPAddress = ui?.type === 'AWSService' ? 'ec2.amazonaws.com' : r() < 0.05 ? 'AWS Internal' : `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  if (r() < 0.9) rec.userAgent = pick(r, ['aws-cli/2.15.30 Python/3.11.8', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) — «é»', 'console.amazonaws.com']);
  const denied = r() < 0.1;
  if (denied) {
    rec.errorCode = 'AccessDenied';
    rec.errorMessage = `User is not authorized to perform: ${name}\nwith "quotes"`;
  }
  rec.requestParameters = params(r);
  rec.responseElements = null;
  if (name === 'ConsoleLogin') rec.responseElements = { ConsoleLogin: denied ? 'Failure' : pick(r, ['Success', 'Failure']) };
  if (name === 'AssumeRole' && !denied) {
    rec.responseElements = { credentials: { accessKeyId: `ASIA${hex(r, 16)}`, sessionToken: hex(r, 20), expiration: 'Mar 3, 2026, 1:00:00 PM' }, assumedRoleUser: { assumedRoleId: 'AROA1:s', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/s` } };
  }
  if (name === 'GetSessionToken' && !denied) rec.responseElements = { credentials: { accessKeyId: `ASIA${hex(r, 16)}`, expiration: 'Mar 3, 2026, 1:00:00 PM' } };
  if (name === 'CreateAccessKey' && !denied) rec.responseElements = { accessKey: { userName: 'bob', accessKeyId: `AKIA${hex(r, 16)}`, status: 'Active' } };
  if (name === 'RunInstances' && !denied) rec.responseElements = { instancesSet: { items: [{ instanceId: `i-${hex(r, 8)}` }] } };
  if (name === 'ConsoleLogin') rec.additionalEventData = { MFAUsed: pick(r, ['Yes', 'No']), LoginTo: 'https://console.aws.amazon.com/' };
  if (source === 's3.amazonaws.com') {
    rec.additionalEventData = { bytesTransferredIn: r() < 0.5 ? 0 : String(Math.floor(r() * 1000)), bytesTransferredOut: Math.floor(r() * 5e6), 'x-amz-id-2': hex(r, 20) };
    rec.resources = [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::acme-data/exports/x' }, { accountId: ACCOUNT, type: 'AWS::S3::Bucket', arn: 'arn:aws:s3:::acme-data' }, { ARN: null, arn: 'arn:x' }];
  }
  rec.requestID = hex(r, 16);
  rec.eventID = hex(r, 16);
  rec.readOnly = r() < 0.1 ? 'true' : r() < 0.5;
  rec.eventType = 'AwsApiCall';
  rec.managementEvent = source !== 's3.amazonaws.com';
  rec.recipientAccountId = ACCOUNT;
  if (r() < 0.3) rec.tlsDetails = { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: `${source}` };
  return JSON.stringify(rec);
}

export function generatedRecords(seed: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => generatedRecord(seed, i));
}
