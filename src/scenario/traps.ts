/**
 * The benign look-alikes a correlation must not report, as listed in expected.json. Values come
 * from the same functions the background actors use, and none depends on --scale.
 */
import { analyticsIps, paymentIps, S3_IPS } from './background/app.js';
import { runnerIps } from './background/ci.js';
import { noisePool } from './background/noise.js';
import { ACCOUNT, ADMIN_TRAVEL_IP, DB, IAM, OFFICE_NAT, VULN_SCANNER } from './estate.js';

export interface Trap {
  kind: string;
  value: string;
  host?: string;
  description: string;
  must_not_appear_in: string[];
}

export function traps(seed: number): Trap[] {
  const ipLists = ['entities', 'ips'];
  const out: Trap[] = [
    { kind: 'ip', value: VULN_SCANNER, description: 'authorised vulnerability scanner: nightly top-100 TCP sweep of bastion-01 (full 1-1024 on Saturdays), SSH banner grab and HTTP probe of sshd', must_not_appear_in: ipLists },
    { kind: 'ip', value: OFFICE_NAT, description: 'office NAT shared by every admin (alice, bob, carol, dave) and by the release manager logging in as deploy with a password, sometimes after a typo', must_not_appear_in: ipLists },
    { kind: 'ip', value: ADMIN_TRAVEL_IP, description: 'bob\'s first login to bastion-01 from a hotel network (29 Dec, publickey)', must_not_appear_in: ipLists },
    { kind: 'iam_principal', value: `arn:aws:iam::${ACCOUNT}:role/${IAM.ciRole}`, description: 'CI: GitHub Actions via OIDC (AssumeRoleWithWebIdentity), terraform plan bursts of Describe*/List*/Get* calls, ListUsers, GetBucketPolicy errors', must_not_appear_in: ['entities'] },
    { kind: 'iam_principal', value: `arn:aws:iam::${ACCOUNT}:role/${IAM.webRole}`, description: 'the app\'s instance role: GetObject/PutObject on acme-app-assets all day, GetSecretValue of prod/shop/stripe-api-key at every restart', must_not_appear_in: ['entities'] },
    { kind: 'iam_principal', value: `arn:aws:iam::${ACCOUNT}:role/${IAM.backupRole}`, description: 'db-01\'s instance role: nightly multipart upload of the database dump to acme-backups', must_not_appear_in: ['entities'] },
    { kind: 'iam_principal', value: `arn:aws:iam::${ACCOUNT}:user/alice`, description: 'responder: console logins with MFA from the office; deactivated the attacker\'s keys on 2 Jan', must_not_appear_in: ['entities'] },
    { kind: 'db_role', value: DB.backupRole, host: 'db-01', description: 'nightly pg_dump (application_name=pg_dump, local socket): catalog queries, LOCK TABLE and COPY … TO stdout of every table', must_not_appear_in: ['entities', 'db_queries', 'backdoors'] },
    { kind: 'db_application', value: 'pg_dump', host: 'db-01', description: 'the nightly backup\'s statements are dump-like reads of every table, not exfiltration', must_not_appear_in: ['db_queries'] },
    { kind: 'db_application', value: DB.appName, host: 'db-01', description: 'the application: role shop_app (the role the attacker borrowed) from 10.0.1.11 and 10.0.1.12, extended-protocol parameterized statements with WHERE, all day; only the psql sessions belong to the attacker', must_not_appear_in: ['db_queries'] },
    { kind: 'db_role', value: 'postgres', host: 'db-01', description: 'admins\' `sudo -u postgres psql` sessions on the local socket (pg_stat_activity, sizes)', must_not_appear_in: ['entities', 'db_queries'] },
    { kind: 'local_user', value: 'alice', host: 'bastion-01', description: 'responder on 2 Jan from the office: sudo reads of the attacker\'s cron file, userdel sysupdate, usermod -L deploy', must_not_appear_in: ['entities'] },
    { kind: 'local_user', value: 'carol', host: 'web-01', description: 'admin reading /etc/shop/app.env with sudo on 18 Dec during maintenance (the same file the attacker read)', must_not_appear_in: ['entities'] },
    ...S3_IPS.map((ip) => ({ kind: 'ip', value: ip, description: 'Amazon S3 (eu-central-1): the nightly ~400 MB backup upload from db-01 and the app\'s asset traffic — large egress that is not exfiltration', must_not_appear_in: ['entities', 'ips', 'exfiltration'] })),
    ...paymentIps(seed).map((ip) => ({ kind: 'ip', value: ip, description: 'the payment provider\'s API, called by web-01/web-02 at every checkout', must_not_appear_in: ['entities', 'ips', 'exfiltration'] })),
    ...analyticsIps(seed).map((ip) => ({ kind: 'ip', value: ip, description: 'the product-analytics collector the app reports to over HTTPS all day', must_not_appear_in: ['entities', 'ips', 'exfiltration'] })),
    ...runnerIps(seed).map((ip) => ({ kind: 'ip', value: ip, description: 'GitHub Actions runner calling AWS as ci-deployer', must_not_appear_in: ipLists })),
    ...noisePool(seed).map((ip) => ({ kind: 'ip', value: ip, description: 'internet SSH password guessing against bastion-01 that never succeeded', must_not_appear_in: ipLists })),
  ];
  return out;
}
