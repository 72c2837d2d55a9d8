/**
 * CloudTrail records as AWS writes them: the identity block by principal type, fields in
 * CloudTrail's order, S3 data events with their resources and byte counts, errors as AWS words
 * them, and the responses that name issued keys (AssumeRole, CreateAccessKey).
 */
import { ACCOUNT, BUCKETS, REGION } from './estate.js';
import type { Rng } from './rng.js';
import { isoUtc } from './time.js';

export type Identity = Record<string, unknown>;

export function iamUser(name: string, principalId: string, accessKeyId?: string, console?: { creationDate: string; mfa: boolean }): Identity {
  const id: Identity = { type: 'IAMUser', principalId, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT };
  if (accessKeyId) id.accessKeyId = accessKeyId;
  id.userName = name;
  if (console) id.sessionContext = { attributes: { creationDate: console.creationDate, mfaAuthenticated: console.mfa ? 'true' : 'false' } };
  return id;
}

export interface RoleSession {
  role: string;
  roleId: string;
  session: string;
  accessKeyId: string;
  creationDate: string;
  ec2?: boolean;
  webIdentity?: string;
}

export function assumedRole(s: RoleSession): Identity {
  const ctx: Record<string, unknown> = {
    sessionIssuer: { type: 'Role', principalId: s.roleId, arn: `arn:aws:iam::${ACCOUNT}:role/${s.role}`, accountId: ACCOUNT, userName: s.role },
  };
  if (s.webIdentity) ctx.webIdFederationData = { federatedProvider: s.webIdentity, attributes: {} };
  ctx.attributes = { creationDate: s.creationDate, mfaAuthenticated: 'false' };
  if (s.ec2) ctx.ec2RoleDelivery = '2.0';
  return {
    type: 'AssumedRole',
    principalId: `${s.roleId}:${s.session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${s.role}/${s.session}`,
    accountId: ACCOUNT,
    accessKeyId: s.accessKeyId,
    sessionContext: ctx,
  };
}

export function sessionArn(s: RoleSession): string {
  return `arn:aws:sts::${ACCOUNT}:assumed-role/${s.role}/${s.session}`;
}

export function awsService(service: string): Identity {
  return { type: 'AWSService', invokedBy: service };
}

export interface RecordOpts {
  t: number;
  identity: Identity;
  source: string;
  name: string;
  region?: string;
  ip: string;
  ua: string;
  req?: unknown;
  resp?: unknown;
  extra?: Record<string, unknown>;
  error?: { code: string; message: string };
  readOnly: boolean;
  resources?: unknown[];
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';
  data?: boolean;
  vpce?: string;
  host?: string;
  console?: boolean;
  requestId?: string;
  /** eventVersion; defaults by category. */
  version?: string;
}

/** A record with CloudTrail's field order. */
export function ctRecord(rng: Rng, o: RecordOpts): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  r.eventVersion = o.version ?? (o.data ? '1.10' : '1.11');
  r.userIdentity = o.identity;
  r.eventTime = isoUtc(o.t);
  r.eventSource = o.source;
  r.eventName = o.name;
  r.awsRegion = o.region ?? REGION;
  r.sourceIPAddress = o.ip;
  r.userAgent = o.ua;
  if (o.error) {
    r.errorCode = o.error.code;
    r.errorMessage = o.error.message;
  }
  r.requestParameters = o.req ?? null;
  r.responseElements = o.resp ?? null;
  if (o.extra) r.additionalEventData = o.extra;
  r.requestID = o.requestId ?? (o.source === 's3.amazonaws.com' ? rng.upperAlnum(16) : rng.uuid());
  r.eventID = rng.uuid();
  r.readOnly = o.readOnly;
  if (o.resources) r.resources = o.resources;
  r.eventType = o.eventType ?? 'AwsApiCall';
  r.managementEvent = !o.data;
  r.recipientAccountId = ACCOUNT;
  if (o.vpce) {
    r.vpcEndpointId = o.vpce;
    r.vpcEndpointAccountId = ACCOUNT;
  }
  r.eventCategory = o.data ? 'Data' : 'Management';
  if (o.host) r.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: o.host };
  if (o.console) r.sessionCredentialFromConsole = 'true';
  return r;
}

/** `Jan 1, 2026, 12:34:52 AM`: how IAM and STS responses write dates. */
export function awsDate(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

export function s3Host(bucket: string): string {
  return `${bucket}.s3.${REGION}.amazonaws.com`;
}

export interface S3Opts {
  t: number;
  identity: Identity;
  ip: string;
  ua: string;
  name: 'GetObject' | 'PutObject' | 'ListObjects' | 'HeadObject' | 'CreateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload';
  bucket: string;
  key?: string;
  bytesOut?: number;
  bytesIn?: number;
  vpce?: string;
  console?: boolean;
  error?: { code: string; message: string };
  prefix?: string;
  /** Extra request parameters (Range, partNumber, uploadId, …). */
  req?: Record<string, unknown>;
  resp?: Record<string, unknown> | null;
}

/** An S3 data event (object-level API call). */
export function s3DataEvent(rng: Rng, o: S3Opts): Record<string, unknown> {
  const host = s3Host(o.bucket);
  const req: Record<string, unknown> = { bucketName: o.bucket, Host: host };
  if (o.key) req.key = o.key;
  if (o.req) Object.assign(req, o.req);
  if (o.name === 'ListObjects') {
    req.prefix = o.prefix ?? '';
    req['list-type'] = '2';
    req['encoding-type'] = 'url';
  }
  const extra: Record<string, unknown> = {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: o.bytesIn ?? 0,
  };
  if (o.name !== 'ListObjects' && o.name !== 'HeadObject') extra.SSEApplied = 'Default_SSE_S3';
  extra.AuthenticationMethod = 'AuthHeader';
  extra['x-amz-id-2'] = rng.alnum(76) + '=';
  extra.bytesTransferredOut = o.bytesOut ?? 0;
  const resources: unknown[] = [];
  if (o.key) resources.push({ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${o.bucket}/${o.key}` });
  resources.push({ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${o.bucket}` });
  return ctRecord(rng, {
    t: o.t, identity: o.identity, source: 's3.amazonaws.com', name: o.name, ip: o.ip, ua: o.ua, req,
    resp: o.resp !== undefined ? o.resp : o.name === 'PutObject' || o.name === 'UploadPart' || o.name === 'CompleteMultipartUpload' ? { 'x-amz-server-side-encryption': 'AES256' } : null,
    extra, readOnly: o.name === 'GetObject' || o.name === 'ListObjects' || o.name === 'HeadObject', resources, data: true, vpce: o.vpce, host, console: o.console, error: o.error,
  });
}

export const UA = {
  attackerCli: (cmd: string) =>
    `aws-cli/2.22.26 md/awscrt#0.23.4 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#${cmd}`,
  bastionCli: (cmd: string) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/5.4.0-1103-aws exe/x86_64.ubuntu.18 prompt/off command/${cmd}`,
  browser: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  browserMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  appSdk: 'aws-sdk-js/3.716.0 ua/2.1 os/linux#6.1.0-28-cloud-amd64 lang/js md/nodejs#20.18.1 api/s3#3.716.0 m/E,W',
  appSecrets: 'aws-sdk-js/3.716.0 ua/2.1 os/linux#6.1.0-28-cloud-amd64 lang/js md/nodejs#20.18.1 api/secrets-manager#3.716.0 m/E',
  backupCli: 'aws-cli/2.22.26 md/awscrt#0.23.4 ua/2.0 os/linux#5.14.0-503.19.1.el9_5.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#rhel.9 md/prompt#off md/command#s3.cp',
  ciAction: 'aws-sdk-js/3.699.0 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.0 api/sts#3.699.0 m/E',
  terraform: (api: string) =>
    `APN/1.0 HashiCorp/1.0 Terraform/1.10.3 (+https://www.terraform.io) terraform-provider-aws/5.82.2 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/${api} m/E`,
  ec2: 'ec2.amazonaws.com',
};

export const BUCKET_LIST = [BUCKETS.exports, BUCKETS.assets, BUCKETS.backups];

/** An STS session token (opaque, long). */
export function sessionToken(rng: Rng): string {
  return 'IQoJb3JpZ2luX2VjE' + rng.alnum(380).replace(/(.{60})/g, '$1/') + '==';
}
