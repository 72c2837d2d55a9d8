/**
 * Every parser dwell knows. Adding a source = one parser file + one line here + a fixture with
 * its expected output + a test; test/parsers/registry.test.ts checks every parser's samples.
 */
import { argusFlow } from './argus-flow.js';
import { authLog } from './auth-log.js';
import { nfdumpCsv } from './nfdump-csv.js';
import { suricataEve } from './suricata-eve.js';
import { vpcFlow } from './vpc-flow.js';
import { zeekJson } from './zeek-json.js';
import { zeekTsv } from './zeek-tsv.js';
import type { SourceParser } from './types.js';

export const PARSERS: readonly SourceParser[] = [
  authLog,
  vpcFlow,
  zeekTsv,
  zeekJson,
  suricataEve,
  nfdumpCsv,
  argusFlow,
];

export function parserByName(name: string): SourceParser | undefined {
  return PARSERS.find((p) => p.name === name);
}

export function parserNames(): string[] {
  return PARSERS.map((p) => p.name);
}
