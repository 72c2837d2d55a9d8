/** MySQL Enterprise Audit / Percona audit_log in XML (new style: elements; old style: attributes). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { auditXmlFields, xmlText } from '../../src/parsers/dbquery/audit-xml.js';
import { mysqlAuditLog } from '../../src/parsers/mysql-audit-log.js';
import { compareExpected } from '../helpers/expected.js';
import { runParser } from '../helpers/run-parser.js';
import { accounted, dbEssentials } from './dbquery-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/variants/mysql-audit/${name}`, import.meta.url));
const meaning = (e: DwellEvent) => ({ ts: e.ts, action: e.action, outcome: e.outcome, actor: e.actor, src_ip: e.src_ip, database: e.database, session: e.session, command: e.command });

describe('mysql_audit_log XML', () => {
  it('reads new-style XML records over several lines into the reviewed events; a record cut off is one warning naming its line and byte offset', async () => {
    const input = fixture('audit-new.xml');
    const run = await runParser(mysqlAuditLog, input);
    const actual = [...run.events.map(dbEssentials), ...run.warnings.map((w) => ({ warning: { line: w.line, byte_offset: w.byte_offset, reason: w.reason } }))];
    expect(actual).toEqual(compareExpected(new URL('../../fixtures/expected/variants/mysql-audit__audit-new.xml.jsonl', import.meta.url).pathname, actual));
    expect(accounted(run)).toBe(true);
    expect(run.events.map((e) => [e.action, e.outcome])).toEqual([
      ['other', 'success'], ['db_auth_failed', 'failure'], ['db_connect', 'success'], ['db_query', 'success'], ['db_error', 'failure'], ['db_disconnect', 'success'],
    ]);
    expect(run.events[3]!.command).toBe("SELECT email, card_last4\n  FROM customers\n WHERE created_at > '2026-01-01' AND notes <> '<b>&</b>'");
    expect(run.warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^damaged audit record: a new <AUDIT_RECORD> starts before this one closed/) })]);
    const w = run.warnings[0]!;
    expect(input.subarray(w.byte_offset, w.byte_offset + 15).toString()).toBe(' <AUDIT_RECORD>');
    expect(w.line).toBe(input.subarray(0, w.byte_offset).toString().split('\n').length);
    for (const e of run.events) expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
  });

  it('reads old-style XML (attributes) into the same events', async () => {
    const newer = await runParser(mysqlAuditLog, fixture('audit-new.xml'));
    const older = await runParser(mysqlAuditLog, fixture('audit-old.xml'));
    expect(older.events.map(meaning)).toEqual(newer.events.map(meaning));
    expect(older.warnings.map((w) => w.reason)).toEqual(newer.warnings.map((w) => w.reason));
    expect(older.info.audit_formats).toEqual({ xml_old: 6 });
  });

  it('unescapes XML text and keeps an empty element (<OS_LOGIN/>) from ending a new-style record', () => {
    expect(xmlText('a &lt;b&gt; &amp; &quot;c&quot; &#10;&#x41;')).toBe('a <b> & "c" \nA');
    const { fields } = auditXmlFields('<AUDIT_RECORD>\n<NAME>Query</NAME>\n<OS_LOGIN/>\n<RECORD_ID>7_x</RECORD_ID>\n</AUDIT_RECORD>');
    expect(fields).toEqual({ name: 'Query', record: '7_x' });
  });

  it('is claimed by content and says which style', () => {
    const why = (name: string) => sniff(makeHead(name, fixture(name))).winner;
    expect(why('audit-new.xml')).toMatchObject({ parser: { name: 'mysql_audit_log' }, match: { reason: expect.stringMatching(/new-style XML/) } });
    expect(why('audit-old.xml')).toMatchObject({ parser: { name: 'mysql_audit_log' }, match: { reason: expect.stringMatching(/old-style XML/) } });
  });
});
