/**
 * Deterministic synthetic CloudTrail for the benchmark: an S3-layout tree
 * (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz)
 * of `{"Records":[…]}` files on one line, as CloudTrail delivers them. The mix resembles a busy
 * account: IAM users and role sessions calling EC2/S3/IAM/STS/KMS/SSM, S3 data events with bytes,
 * denied calls, service-invoked calls, console logins, AssumeRole chains.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

function prng(seed) {
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
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const USERS = ['alice', 'bob', 'ci-deploy', 'backup-bot', 'carol'];
const ROLES = ['Admin', 'ReadOnly', 'DataPipeline', 'OrganizationAccountAccessRole'];
const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.cp',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#legacy Botocore/1.34.69',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  'aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0',
];
const CALLS = [
  ['ec2.amazonaws.com', 'DescribeInstances', true, () => ({ instancesSet: {}, filterSet: {} })],
  ['ec2.amazonaws.com', 'StopInstances', false, (r) => ({ instancesSet: { items: [{ instanceId: `i-0${hex(r, 16)}` }] }, force: false })],
  ['s3.amazonaws.com', 'GetObject', true, (r) => ({ bucketName: 'acme-data', Host: 'acme-data.s3.amazonaws.com', key: `exports/2026/part-${Math.floor(r() * 9999)}.parquet` })],
  ['s3.amazonaws.com', 'PutObject', false, (r) => ({ bucketName: 'acme-logs', Host: 'acme-logs.s3.amazonaws.com', key: `app/${Math.floor(r() * 99999)}.log.gz` })],
  ['s3.amazonaws.com', 'ListObjects', true, () => ({ bucketName: 'acme-data', Host: 'acme-data.s3.amazonaws.com', prefix: 'exports/', 'list-type': '2' })],
  ['iam.amazonaws.com', 'ListUsers', true, () => null],
  ['iam.amazonaws.com', 'CreateAccessKey', false, (r) => ({ userName: USERS[Math.floor(r() * USERS.length)] })],
  ['iam.amazonaws.com', 'AttachUserPolicy', false, (r) => ({ userName: USERS[Math.floor(r() * USERS.length)], policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
  ['sts.amazonaws.com', 'GetCallerIdentity', true, () => null],
  ['sts.amazonaws.com', 'AssumeRole', false, (r) => ({ roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLES[Math.floor(r() * ROLES.length)]}`, roleSessionName: `s-${hex(r, 8)}`, durationSeconds: 3600 })],
  ['kms.amazonaws.com', 'Decrypt', true, () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` })],
  ['ssm.amazonaws.com', 'GetParameter', true, () => ({ name: '/prod/db/password', withDecryption: true })],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true, () => ({ secretId: 'prod/api-key' })],
  ['cloudtrail.amazonaws.com', 'LookupEvents', true, () => ({ maxResults: 50 })],
];

function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}
const KEYCHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function key(r, prefix) {
  let s = prefix;
  for (let i = 0; i < 16; i++) s += KEYCHARS[Math.floor(r() * 32)];
  return s;
}
function uuid(r) {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
}
function ip(r) {
  return `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 254) + 1}`;
}

function identity(r, iso) {
  const x = r();
  if (x < 0.45) {
    const u = USERS[Math.floor(r() * USERS.length)];
    return { type: 'IAMUser', principalId: `AIDA${hex(r, 16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${u}`, accountId: ACCOUNT, accessKeyId: key(r, 'AKIA'), userName: u };
  }
  if (x < 0.9) {
    const role = ROLES[Math.floor(r() * ROLES.length)];
    const sess = `s-${hex(r, 8)}`;
    return {
      type: 'AssumedRole',
      principalId: `AROA${hex(r, 16).toUpperCase()}:${sess}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${sess}`,
      accountId: ACCOUNT,
      accessKeyId: key(r, 'ASIA'),
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: `AROA${hex(r, 16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role },
        webIdFederationData: {},
        attributes: { creationDate: iso, mfaAuthenticated: r() < 0.3 ? 'true' : 'false' },
      },
    };
  }
  return { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' };
}

/** One record; `t` is the event time in ms. */
export function record(r, t, region) {
  const iso = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const [source, name, readOnly, params] = CALLS[Math.floor(r() * CALLS.length)];
  const ui = identity(r, iso);
  const denied = r() < 0.05;
  const rec = {
    eventVersion: '1.09',
    userIdentity: ui,
    eventTime: iso,
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: ui.type === 'AWSService' ? 'ec2.amazonaws.com' : ip(r),
    userAgent: ui.type === 'AWSService' ? 'ec2.amazonaws.com' : AGENTS[Math.floor(r() * AGENTS.length)],
  };
  if (denied) {
    rec.errorCode = 'AccessDenied';
    rec.errorMessage = `User: ${ui.arn ?? 'service'} is not authorized to perform: ${source.split('.')[0]}:${name}`;
  }
  rec.requestParameters = params(r);
  rec.responseElements = null;
  if (!denied && name === 'AssumeRole') {
    rec.responseElements = {
      credentials: { accessKeyId: key(r, 'ASIA'), sessionToken: 'IQoJb3JpZ2luX2VjE' + hex(r, 64), expiration: 'Mar 3, 2026, 1:00:00 PM' },
      assumedRoleUser: { assumedRoleId: `AROA${hex(r, 16).toUpperCase()}:${rec.requestParameters.roleSessionName}`, arn: rec.requestParameters.roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/') + '/' + rec.requestParameters.roleSessionName },
    };
  }
  if (!denied && name === 'CreateAccessKey') {
    rec.responseElements = { accessKey: { userName: rec.requestParameters.userName, accessKeyId: key(r, 'AKIA'), status: 'Active', createDate: 'Mar 3, 2026, 12:00:00 PM' } };
  }
  if (source === 's3.amazonaws.com') {
    rec.additionalEventData = {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: name === 'PutObject' ? Math.floor(r() * 1e6) : 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': hex(r, 40),
      bytesTransferredOut: name === 'GetObject' ? Math.floor(r() * 5e6) : 0,
    };
    rec.resources = [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${rec.requestParameters.bucketName}/${rec.requestParameters.key ?? ''}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${rec.requestParameters.bucketName}` },
    ];
  }
  rec.requestID = uuid(r);
  rec.eventID = uuid(r);
  rec.readOnly = readOnly;
  rec.eventType = 'AwsApiCall';
  rec.managementEvent = source !== 's3.amazonaws.com';
  rec.recipientAccountId = ACCOUNT;
  rec.eventCategory = source === 's3.amazonaws.com' ? 'Data' : 'Management';
  rec.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.${region}.amazonaws.com` };
  return rec;
}

/**
 * Writes `files` .json.gz files of `perFile` records each under `dir`. Returns the paths and the
 * decompressed size.
 */
export function writeTree(dir, { files = 500, perFile = 2000, seed = 7 } = {}) {
  const r = prng(seed);
  const paths = [];
  let bytes = 0;
  const start = Date.UTC(2026, 2, 1);
  for (let f = 0; f < files; f++) {
    const region = REGIONS[f % REGIONS.length];
    const t0 = start + f * 5 * 60_000;
    const recs = [];
    for (let i = 0; i < perFile; i++) recs.push(record(r, t0 + Math.floor(r() * 300_000), region));
    const body = JSON.stringify({ Records: recs });
    bytes += Buffer.byteLength(body);
    const d = new Date(t0 + 300_000);
    const ymd = d.toISOString().slice(0, 10).split('-');
    const stamp = d.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
    const p = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', region, ...ymd, `${ACCOUNT}_CloudTrail_${region}_${stamp}_${hex(r, 16)}.json.gz`);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, gzipSync(body, { level: 6 }));
    paths.push(p);
  }
  return { paths, bytes };
}
