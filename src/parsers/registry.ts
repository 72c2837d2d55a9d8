/**
 * Every parser dwell knows. Adding a source = one parser file + one line here + a fixture with
 * its expected output + a test; test/parsers/registry.test.ts checks every parser's samples.
 */
import { argusFlow } from './argus-flow.js';
import { authLog } from './auth-log.js';
import { cloudtrail } from './cloudtrail.js';
import { cloudtrailCsv } from './cloudtrail-csv.js';
import { cowrieJson } from './cowrie-json.js';
import { cowrieLog } from './cowrie-log.js';
import { dshieldFirewall } from './dshield-firewall.js';
import { journaldExport } from './journald-export.js';
import { journaldJson } from './journald-json.js';
import { mysqlAuditLog } from './mysql-audit-log.js';
import { mysqlGeneralLog } from './mysql-general-log.js';
import { mysqlSlowLog } from './mysql-slow-log.js';
import { postgresCsvlog } from './postgres-csvlog.js';
import { postgresJsonlog } from './postgres-jsonlog.js';
import { postgresLog } from './postgres-log.js';
import { nfdumpCsv } from './nfdump-csv.js';
import { suricataEve } from './suricata-eve.js';
import { vpcFlow } from './vpc-flow.js';
import { zeekJson } from './zeek-json.js';
import { zeekTsv } from './zeek-tsv.js';
import type { SourceParser } from './types.js';

export const PARSERS: readonly SourceParser[] = [
  authLog,
  journaldJson,
  journaldExport,
  cloudtrail,
  cloudtrailCsv,
  postgresLog,
  postgresCsvlog,
  postgresJsonlog,
  mysqlGeneralLog,
  mysqlSlowLog,
  mysqlAuditLog,
  vpcFlow,
  zeekTsv,
  zeekJson,
  suricataEve,
  nfdumpCsv,
  argusFlow,
  cowrieJson,
  cowrieLog,
  dshieldFirewall,
];

export function parserByName(name: string): SourceParser | undefined {
  return PARSERS.find((p) => p.name === name);
}

export function parserNames(): string[] {
  return PARSERS.map((p) => p.name);
}
