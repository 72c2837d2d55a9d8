/**
 * The estate the scenario happens on: one AWS account, a bastion, an app tier, a PostgreSQL
 * server, S3, IAM and Secrets Manager; where evidence was collected and when the logs rotate.
 * Fixed facts, independent of the seed and the scale.
 */
import { HOUR, utc } from './time.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-central-1';
/** IAM and console sign-in are global services: CloudTrail delivers them under us-east-1. */
export const GLOBAL_REGION = 'us-east-1';
export const TRAIL_NAME = 'acme-security-trail';
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL_NAME}`;

export const VPC_CIDR_PREFIX = '10.0.';
export const FLOW_LOG_ID = 'fl-0d3a5c7e9b1f24680';
export const S3_VPC_ENDPOINT = 'vpce-0a7c3e5b9d1f24680';

export type HostName = 'bastion-01' | 'web-01' | 'web-02' | 'db-01';

export interface Host {
  name: HostName;
  privateIp: string;
  publicIp?: string;
  eni: string;
  instanceId: string;
  os: 'ubuntu1804' | 'debian12' | 'rhel9';
  /** sshd banner (what a client or Zeek sees). */
  sshBanner: string;
}

export const HOSTS: Record<HostName, Host> = {
  'bastion-01': { name: 'bastion-01', privateIp: '10.0.0.10', publicIp: '3.120.55.10', eni: 'eni-0b7d2e4f6a8c13579', instanceId: 'i-0c4f1a9e7b3d25801', os: 'ubuntu1804', sshBanner: 'SSH-2.0-OpenSSH_7.6p1 Ubuntu-4ubuntu0.7' },
  'web-01': { name: 'web-01', privateIp: '10.0.1.11', eni: 'eni-04c6e8a0b2d4f6813', instanceId: 'i-0e2a6c8b4d1f37902', os: 'debian12', sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' },
  'web-02': { name: 'web-02', privateIp: '10.0.1.12', eni: 'eni-09e1a3c5b7d9f0242', instanceId: 'i-0a9d3f5b7c1e48203', os: 'debian12', sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' },
  'db-01': { name: 'db-01', privateIp: '10.0.2.20', eni: 'eni-0f2b4d6a8c0e13465', instanceId: 'i-07b1d3f5a9c2e6604', os: 'rhel9', sshBanner: 'SSH-2.0-OpenSSH_8.7' },
};

export function hostByIp(ip: string): Host | undefined {
  for (const h of Object.values(HOSTS)) if (h.privateIp === ip) return h;
  return undefined;
}

export function isInternal(ip: string): boolean {
  return ip.startsWith(VPC_CIDR_PREFIX);
}

/** The ALB's private addresses (health checks and customer traffic to the app tier). */
export const ALB_IPS = ['10.0.10.41', '10.0.11.87'];
export const APP_PORT = 8080;

export const DB = {
  host: 'db-01' as const,
  name: 'shop',
  version: 16,
  hbaFile: '/etc/postgresql/16/main/pg_hba.conf',
  tables: ['public.customers', 'public.addresses', 'public.orders', 'public.order_items', 'public.payment_methods', 'public.products', 'public.inventory', 'public.coupons'],
  appRole: 'shop_app',
  appName: 'shop-api',
  backupRole: 'backup',
};

/** IAM and the keys that exist before the attack. */
export const IAM = {
  /** The IAM user whose key sits in /root/.aws/credentials on bastion-01 (used by a root cron job). */
  opsUser: 'svc-bastion-ops',
  opsUserId: 'AIDAQ3EGRX7KD2VTYB4LM',
  opsKey: 'AKIAQ3EGRX7KWNPD5H2Z',
  /** The role the ops user may assume (its profile is in /root/.aws/config). */
  opsRole: 'ops-automation',
  opsRoleId: 'AROAQ3EGRX7KFT2M6XJPB',
  webRole: 'shop-web-role',
  webRoleId: 'AROAQ3EGRX7KBN4C5ZHUW',
  backupRole: 'db-backup-role',
  backupRoleId: 'AROAQ3EGRX7KHQ9D3LVYE',
  ciRole: 'ci-deployer',
  ciRoleId: 'AROAQ3EGRX7KCM8W2PTRA',
  oidcProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  ciSubject: 'repo:acme-shop/shop-platform:ref:refs/heads/main',
  admins: [
    { name: 'alice', id: 'AIDAQ3EGRX7KAL1CE2XYZ' },
    { name: 'dave', id: 'AIDAQ3EGRX7KDA4VE7QRS' },
  ],
};

export const BUCKETS = {
  exports: 'acme-customer-exports',
  assets: 'acme-app-assets',
  backups: 'acme-backups',
};

export const SECRETS = {
  stripe: 'prod/shop/stripe-api-key',
  db: 'prod/shop/db-credentials',
};

/** People and places that are not the attacker. */
export const OFFICE_NAT = '192.0.2.10';
export const ADMIN_TRAVEL_IP = '192.0.2.77';
export const VULN_SCANNER = '192.0.2.200';
export const ADMINS = ['alice', 'bob', 'carol', 'dave'];
/** The release manager uses the shared `deploy` account from the office. */
export const RELEASE_MANAGER = 'erik';

/** Attacker infrastructure. */
export const ATTACKER = {
  /** Scans, brute-forces and logs in to the bastion. */
  sshIp: '203.0.113.77',
  /** Uses the stolen key, and later the backdoor IAM user's console password. */
  cloudIp: '198.51.100.23',
  /** Receives the app-tier exfiltration and serves the cron beacon. */
  exfilIp: '198.51.100.9',
  /** Receives COPY … TO PROGRAM output straight from db-01. */
  exfilIp2: '198.51.100.14',
};

/** Evidence windows (UTC). Hosts keep weeks of logs; cloud and network evidence was pulled for the incident days. */
export const WINDOW = {
  /** Collection: every source ends here. */
  end: utc(2026, 1, 3, 10, 0, 0),
  /** bastion-01 / web-01 auth logs (auth.log.2.gz starts at the rotation of Wed 17 Dec 00:00 local). */
  authStart: utc(2025, 12, 16, 23, 0, 0),
  /** db-01 secure (secure-20251228 starts at the rotation of Sun 21 Dec 00:00 local). */
  secureStart: utc(2025, 12, 20, 23, 0, 0),
  /** PostgreSQL log (…log.2.gz starts Sun 14 Dec 00:00 local). */
  pgStart: utc(2025, 12, 13, 23, 0, 0),
  /** CloudTrail, VPC flow logs and Zeek. */
  netStart: utc(2025, 12, 29, 0, 0, 0),
};

/** Weekly rotations at local midnight (UTC instants): Debian/Ubuntu hosts on Wednesdays, db-01 on Sundays. */
export const ROTATION = {
  debian: [utc(2025, 12, 23, 23, 0, 0), utc(2025, 12, 30, 23, 0, 0)],
  rhel: [utc(2025, 12, 27, 23, 0, 0)],
  pg: [utc(2025, 12, 20, 23, 0, 0), utc(2025, 12, 27, 23, 0, 0)],
};

/** Zeek rotates daily at midnight UTC; the current conn.log is the one open at collection. */
export const ZEEK_ROTATION = HOUR * 24;

/** The incident's fixed moments (UTC). */
export const INCIDENT = {
  /** The MSSP's alert: successful SSH logins to bastion-01 from 203.0.113.77 after a brute force. */
  detectedAt: utc(2026, 1, 2, 9, 15, 0),
  /** The incident lead declares containment after the responders' last step. */
  containedAt: utc(2026, 1, 2, 11, 40, 0),
  /** CloudTrail logging stopped by the attacker, and restarted. Nothing is recorded in between. */
  trailStopped: utc(2026, 1, 1, 1, 5, 33),
  trailStarted: utc(2026, 1, 1, 1, 52, 10),
};

/** Local accounts (uid) per host. */
export const UIDS: Record<string, number> = {
  ubuntu: 1000, admin: 1000, 'ec2-user': 1000, deploy: 1001, alice: 1002, bob: 1003, carol: 1004, dave: 1005, erik: 1006, sysupdate: 1007, postgres: 26,
};

/** The deploy account's key (bastion-01 → web tier), as sshd prints it. */
export const DEPLOY_KEY = 'ED25519 SHA256:q7Vd2Lr0bXh9tN4mWc8yPz1KsE5uJfA3gHiOn6QjR0U';
/** Admins' keys, as sshd prints them. */
export const ADMIN_KEYS: Record<string, string> = {
  alice: 'ED25519 SHA256:Yk3pX8sR2vW5nL9qT1cB7mZ4hF6jD0aG2eU8iO5rN3w',
  bob: 'ED25519 SHA256:Rb6tM1zQ9xK4cV7nH2wP5sL8dJ3fG0aY6eT1uI9oE4k',
  carol: 'RSA SHA256:Cw2nF7kP4qX9mT1vB6zL3sH8dR5jY0aG7eU2iN4oQ1c',
  dave: 'ED25519 SHA256:Dv8sK3mX6pQ1wN4zT9cB2hL7fR5jY0aE3gU6iO8rM1t',
  erik: 'ED25519 SHA256:Ek5rT2nW8qM1xZ4cV7bP9sL3dH6fJ0aY2gU5iO8eN1w',
};
