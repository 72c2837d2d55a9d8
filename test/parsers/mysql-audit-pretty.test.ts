/**
 * MySQL Enterprise Audit and Percona audit_log JSON pretty-printed over several lines (`jq .`, an
 * editor, the manual's own examples): the same events as the one-line records of the same log.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { mysqlAuditLog } from '../../src/parsers/mysql-audit-log.js';
import { runParser } from '../helpers/run-parser.js';

const read = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url));
const meaning = (e: DwellEvent) => ({ ts: e.ts, action: e.action, outcome: e.outcome, actor: e.actor, src_ip: e.src_ip, database: e.database, session: e.session, command: e.command });

describe('mysql_audit_log, JSON over several lines', () => {
  it('reads pretty-printed Enterprise Audit records as the one-line log gives them, each placed at its opening brace', async () => {
    const input = read('variants/mysql-audit/audit-pretty.json');
    const [pretty, lines] = [await runParser(mysqlAuditLog, input), await runParser(mysqlAuditLog, read('dbquery/my-01/audit.log'))];
    expect(pretty.events.map(meaning)).toEqual(lines.events.map(meaning));
    expect(pretty.warnings).toEqual([]);
    expect(pretty.info.audit_formats).toEqual({ enterprise_json_pretty: 6 });
    for (const e of pretty.events) {
      expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
      expect(e.raw.trimStart().startsWith('{\n')).toBe(true);
    }
    expect(pretty.lines).toBe(input.toString().split('\n').length - 1);
  });

  it('reads pretty-printed Percona records; a damaged one is one warning at its first line and the records after it are read', async () => {
    const input = read('variants/mysql-audit/audit-percona-pretty.json');
    const [pretty, lines] = [await runParser(mysqlAuditLog, input), await runParser(mysqlAuditLog, read('dbquery/my-01/audit-percona.log'))];
    expect(pretty.events.slice(0, 4).map(meaning)).toEqual(lines.events.map(meaning));
    expect(pretty.events).toHaveLength(5);
    const text = input.toString().split('\n');
    const damaged = text.findIndex((l) => l.includes('14:41:00 UTC,')) - 3 + 1;
    expect(pretty.warnings).toEqual([expect.objectContaining({ line: damaged, reason: expect.stringMatching(/^invalid JSON: .*\(the record of lines \d+–\d+\)$/s) })]);
  });

  it('does not let a one-line record cut short swallow the records after it', async () => {
    const one = read('dbquery/my-01/audit.log').toString().split('\n');
    const cut = [one[0], one[1]!.slice(0, 120), ...one.slice(2)].join('\n');
    const run = await runParser(mysqlAuditLog, cut);
    expect(run.warnings).toEqual([expect.objectContaining({ line: 2, reason: expect.stringMatching(/^invalid JSON/) })]);
    expect(run.events).toHaveLength(5);
  });

  it('is claimed by mysql_audit_log, which says the records are pretty-printed', () => {
    for (const [f, kind] of [['audit-pretty.json', 'MySQL Enterprise Audit'], ['audit-percona-pretty.json', 'Percona audit_log']] as const) {
      const w = sniff(makeHead(f, read(`variants/mysql-audit/${f}`))).winner;
      expect(w?.parser.name, f).toBe('mysql_audit_log');
      expect(w?.match.reason, f).toBe(`${kind} JSON records pretty-printed over several lines`);
    }
  });
});
