/**
 * Every parser dwell knows. Adding a source = one parser file + one line here + a fixture with
 * its expected output + a test; test/parsers/registry.test.ts checks every parser's samples.
 */
import { authLog } from './auth-log.js';
import { cloudtrail } from './cloudtrail.js';
import { mysqlAuditLog } from './mysql-audit-log.js';
import { mysqlGeneralLog } from './mysql-general-log.js';
import { mysqlSlowLog } from './mysql-slow-log.js';
import { postgresCsvlog } from './postgres-csvlog.js';
import { postgresJsonlog } from './postgres-jsonlog.js';
import { postgresLog } from './postgres-log.js';
import type { SourceParser } from './types.js';

export const PARSERS: readonly SourceParser[] = [
  authLog,
  cloudtrail,
  postgresLog,
  postgresCsvlog,
  postgresJsonlog,
  mysqlGeneralLog,
  mysqlSlowLog,
  mysqlAuditLog,
];

export function parserByName(name: string): SourceParser | undefined {
  return PARSERS.find((p) => p.name === name);
}

export function parserNames(): string[] {
  return PARSERS.map((p) => p.name);
}
