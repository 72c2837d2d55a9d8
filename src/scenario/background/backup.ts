/**
 * The nightly backup (01:30 local): cron on db-01 runs pg_dump as the `backup` role over the local
 * socket — it reads every table with COPY … TO stdout after catalog queries — then uploads the dump
 * to s3://acme-backups with db-01's instance role (a multipart upload of ~400 MB to S3's public
 * addresses: large egress that is not exfiltration).
 */
import { assumedRole, awsDate, awsService, ctRecord, type RoleSession, s3DataEvent, sessionArn, sessionToken, UA } from '../cloudtrail.js';
import { ACCOUNT, BUCKETS, DB, HOSTS, IAM, REGION, S3_VPC_ENDPOINT, UIDS, WINDOW } from '../estate.js';
import { cronSession, ephemeralPort } from '../hostlog.js';
import { backupDumpSize, backupKey } from '../objects.js';
import { pgConnect, pgDisconnect, pgStatement } from '../pglog.js';
import { DAY, HOUR, localHour, MIN, SEC } from '../time.js';
import { S3_IPS } from './app.js';
import type { Actor, Bg } from './common.js';

export const TABLE_COLUMNS: Record<string, string[]> = {
  'public.addresses': ['id', 'customer_id', 'street', 'city', 'postal_code', 'country'],
  'public.coupons': ['code', 'percent_off', 'valid_until'],
  'public.customers': ['id', 'email', 'full_name', 'password_hash', 'created_at', 'updated_at'],
  'public.inventory': ['product_id', 'quantity', 'updated_at'],
  'public.order_items': ['id', 'order_id', 'product_id', 'quantity', 'unit_price_cents'],
  'public.orders': ['id', 'customer_id', 'status', 'total_cents', 'currency', 'created_at', 'updated_at'],
  'public.payment_methods': ['id', 'customer_id', 'card_brand', 'card_last4', 'card_exp_month', 'card_exp_year', 'billing_zip', 'is_default', 'token'],
  'public.products': ['id', 'name', 'category', 'price_cents', 'active'],
};

const PREAMBLE = [
  "SELECT pg_catalog.set_config('search_path', '', false);",
  'SET DATESTYLE = ISO',
  'SET INTERVALSTYLE = POSTGRES',
  'SET extra_float_digits TO 3',
  'SET synchronize_seqscans TO off',
  'SET statement_timeout = 0',
  'SET lock_timeout = 0',
  'SET idle_in_transaction_session_timeout = 0',
  'SET row_security = off',
  'BEGIN',
  'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY',
  'SELECT pg_catalog.pg_is_in_recovery()',
  "SELECT tableoid, oid, datname, datdba, datacl, acldefault('d', datdba) AS acldefault, datistemplate, datconnlimit, pg_encoding_to_char(encoding) AS encoding, datcollate, datctype, datfrozenxid, datminmxid, daticulocale, daticurules, datlocprovider, (SELECT spcname FROM pg_tablespace t WHERE t.oid = dattablespace) AS tablespace, shobj_description(oid, 'pg_database') AS description FROM pg_database WHERE datname = current_database()",
  "SELECT set_config(name, 'pg_catalog', false) FROM pg_settings WHERE name = 'search_path'",
  'SELECT n.tableoid, n.oid, n.nspname, n.nspowner, n.nspacl, acldefault(\'n\', n.nspowner) AS acldefault FROM pg_namespace n',
  `SELECT c.tableoid, c.oid, c.relname, c.relnamespace, c.relkind, c.reltype, c.relowner, c.relchecks, c.relhasindex, c.relhasrules, c.relpages, c.relhastriggers, c.relpersistence, c.reloftype, c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner) AS acldefault, CASE WHEN c.relkind = 'f' THEN (SELECT ftserver FROM pg_catalog.pg_foreign_table WHERE ftrelid = c.oid) ELSE 0 END AS foreignserver, c.relfrozenxid, tc.relfrozenxid AS tfrozenxid, tc.oid AS toid, tc.relpages AS toastpages, tc.reloptions AS toast_reloptions, d.refobjid AS owning_tab, d.refobjsubid AS owning_col, tsp.spcname AS reltablespace, false AS relhasoids, c.relispopulated, c.relreplident, c.relrowsecurity, c.relforcerowsecurity, c.relminmxid, tc.relminmxid AS tminmxid, array_remove(array_remove(c.reloptions,'check_option=local'),'check_option=cascaded') AS reloptions, CASE WHEN 'check_option=local' = ANY (c.reloptions) THEN 'LOCAL'::text WHEN 'check_option=cascaded' = ANY (c.reloptions) THEN 'CASCADED'::text ELSE NULL END AS checkoption, am.amname, (d.deptype = 'i') IS TRUE AS is_identity_sequence, c.relispartition AS ispartition
FROM pg_class c
LEFT JOIN pg_depend d ON (c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.objsubid = 0 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
LEFT JOIN pg_tablespace tsp ON (tsp.oid = c.reltablespace)
LEFT JOIN pg_am am ON (c.relam = am.oid)
LEFT JOIN pg_class tc ON (c.reltoastrelid = tc.oid AND c.relkind <> 'p')
WHERE c.relkind IN ('r', 'S', 'v', 'c', 'm', 'f', 'p')
ORDER BY c.oid`,
  'SELECT oid, tableoid, pol.polrelid, pol.polname, pol.polcmd, pol.polpermissive, CASE WHEN pol.polroles = \'{0}\' THEN NULL ELSE pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(rolname) from pg_catalog.pg_roles WHERE oid = ANY(pol.polroles)), \', \') END AS polroles, pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS polqual, pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS polwithcheck FROM pg_catalog.pg_policy pol',
  'SELECT a.attrelid, a.attnum, a.attname, a.atttypmod, a.attstattarget, a.attstorage, t.typstorage, a.attnotnull, a.atthasdef, a.attisdropped, a.attlen, a.attalign, a.attislocal, pg_catalog.format_type(t.oid, a.atttypmod) AS atttypname, array_to_string(a.attoptions, \', \') AS attoptions, CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation ELSE 0 END AS attcollation, pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || \' \' || pg_catalog.quote_literal(option_value) FROM pg_catalog.pg_options_to_table(attfdwoptions) ORDER BY option_name), E\',\\n    \') AS attfdwoptions, a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_type t ON a.atttypid = t.oid WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum',
];

export class Backup implements Actor {
  private creds: RoleSession;
  private nextRefresh: number;

  constructor(private readonly bg: Bg) {
    this.creds = this.newCreds(WINDOW.pgStart - 3 * HOUR);
    this.nextRefresh = WINDOW.pgStart + bg.rng.int(1, 6) * HOUR;
  }

  private newCreds(t: number): RoleSession {
    return { role: IAM.backupRole, roleId: IAM.backupRoleId, session: HOSTS['db-01'].instanceId, accessKeyId: this.bg.rng.accessKeyId('ASIA'), creationDate: new Date(t / 1000).toISOString().replace(/\.\d+Z$/, 'Z'), ec2: true };
  }

  hour(h0: number): void {
    const { rng, E } = this.bg;
    if (this.nextRefresh < h0 + HOUR) {
      const t = Math.max(this.nextRefresh, h0);
      this.creds = this.newCreds(t);
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${IAM.backupRole}`;
      E.ct(t, REGION, ctRecord(rng, {
        t, identity: awsService('ec2.amazonaws.com'), source: 'sts.amazonaws.com', name: 'AssumeRole', ip: 'ec2.amazonaws.com', ua: 'ec2.amazonaws.com',
        req: { roleArn, roleSessionName: this.creds.session },
        resp: { credentials: { accessKeyId: this.creds.accessKeyId, sessionToken: sessionToken(rng), expiration: awsDate(t + 6 * HOUR + 25 * MIN) }, assumedRoleUser: { assumedRoleId: `${IAM.backupRoleId}:${this.creds.session}`, arn: sessionArn(this.creds) } },
        readOnly: true, resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
      }));
      this.nextRefresh = t + rng.int(5, 6) * HOUR + rng.int(0, 59) * MIN;
    }
    if (localHour(h0).hour !== 1 || h0 < WINDOW.pgStart) return;
    const c = { E, rng };
    const start = h0 + 30 * MIN + rng.int(1, 3) * SEC;
    const day = Math.floor((h0 + HOUR) / DAY) * DAY;
    const pid = E.pids['db-01'].next(start, rng.int(2, 8));
    const { session } = pgConnect(c, { t: start + rng.int(300, 900) * 1000, pid, user: DB.backupRole, client: '[local]', port: null, app: 'pg_dump', method: 'peer', identity: 'postgres', hbaLine: 118 });
    let t = session.start + rng.int(20, 80) * 1000;
    for (const sql of PREAMBLE) {
      pgStatement(c, session, t, sql);
      t += rng.int(2, 60) * 1000;
    }
    const tables = Object.keys(TABLE_COLUMNS).sort();
    for (const tb of tables) {
      pgStatement(c, session, t, `LOCK TABLE ${tb} IN ACCESS SHARE MODE`);
      t += rng.int(1, 8) * 1000;
    }
    for (const tb of tables) {
      pgStatement(c, session, t, `COPY ${tb} (${TABLE_COLUMNS[tb]!.join(', ')}) TO stdout;`);
      t += (tb === 'public.orders' || tb === 'public.order_items' || tb === 'public.customers' ? rng.int(25, 70) : rng.int(1, 9)) * SEC + rng.int(0, 999) * 1000;
    }
    pgDisconnect(c, session, t + rng.int(50, 400) * 1000);
    // Upload: aws s3 cp (multipart) to the backups bucket.
    const size = backupDumpSize(day);
    const k = backupKey(day);
    const up = t + rng.int(3, 9) * SEC;
    const identity = assumedRole(this.creds);
    const ip = HOSTS['db-01'].privateIp;
    const uploadId = rng.alnum(86);
    const part = 8 * 1024 * 1024;
    const parts = Math.ceil(size / part);
    E.ct(up, REGION, s3DataEvent(rng, { t: up, identity, ip, ua: UA.backupCli, name: 'CreateMultipartUpload', bucket: BUCKETS.backups, key: k, vpce: S3_VPC_ENDPOINT, req: { uploads: '' }, resp: { bucketName: BUCKETS.backups, key: k, uploadId } }));
    let u = up + rng.int(200, 700) * 1000;
    for (let i = 1; i <= parts; i++) {
      const bytes = i < parts ? part : size - part * (parts - 1);
      E.ct(u, REGION, s3DataEvent(rng, { t: u, identity, ip, ua: UA.backupCli, name: 'UploadPart', bucket: BUCKETS.backups, key: k, vpce: S3_VPC_ENDPOINT, bytesIn: bytes, req: { partNumber: String(i), uploadId } }));
      if (i % 10 === 0) u += rng.int(1, 3) * SEC;
    }
    u += rng.int(1, 3) * SEC;
    E.ct(u, REGION, s3DataEvent(rng, { t: u, identity, ip, ua: UA.backupCli, name: 'CompleteMultipartUpload', bucket: BUCKETS.backups, key: k, vpce: S3_VPC_ENDPOINT, req: { uploadId } }));
    const pk = Math.ceil(size / 1_388);
    E.conn({ start: up - 400_000, dur: u - up + SEC, src: ip, sport: ephemeralPort(rng), dst: rng.pick(S3_IPS), dport: 443, proto: 'tcp', origPkts: pk, origIpBytes: size + pk * 52, respPkts: Math.ceil(pk / 3), respIpBytes: Math.ceil(pk / 3) * 52 + 9_400, service: 'ssl', history: 'ShADadFf', state: 'SF' }, rng);
    cronSession(c, 'db-01', start - rng.int(200, 900) * 1000, 'postgres', UIDS.postgres!, Math.ceil((u - start) / SEC) + 2);
  }
}
