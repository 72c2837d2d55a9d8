/**
 * A line holding U+2028 became a warning instead of an event (issue 18, item 10): JavaScript's `.`
 * stops at U+2028, U+2029, CR and LF, so a pattern like `(.*)$` failed on a message that carried
 * one. Files are split on LF only; any other separator inside a line is the line's text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { parseThroughGate } from '../helpers/gate.js';

/** One record per parser with `§` where a separator goes: inside free text the source carries. */
const LINES: Record<string, string> = {
  auth_log: 'Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy§ from 203.0.113.9 port 50115 ssh2',
  postgres_log: '2025-08-13 01:46:10.568 PDT [12389] LOG:  statement: SELECT 1 /* note§ */',
  postgres_csvlog:
    '2025-04-21 03:27:13.529 EDT,"postgres","template1",40397,"[local]",6805f351.627c5,2,"idle",2025-04-21 03:27:13 EDT,3/1,0,LOG,00000,"statement: SELECT \'a§b\'",,,,,,,,,"psql","client backend",,0',
  postgres_jsonlog: '{"timestamp":"2024-06-27 00:00:07.369 CEST","pid":58151,"error_severity":"LOG","message":"statement: SELECT \'a§b\'","backend_type":"client backend"}',
  mysql_general_log: "2016-06-07T19:07:02.565999Z\t    6 Query\tSELECT 'a§b' FROM t",
  mysql_slow_log: "# Time: 2019-03-24T14:01:47.811234Z\n# User@Host: root[root] @ localhost []  Id:    14\n# Query_time: 2.475469  Lock_time: 0.000287 Rows_sent: 10  Rows_examined: 3145718\nSET timestamp=1553436105;\nSELECT 'a§b' FROM t;",
  mysql_audit_log: '{"audit_record":{"name":"Query","record":"1_2020-01-01T00:00:00","timestamp":"2020-10-19T19:31:25 UTC","connection_id":"1","user":"u","host":"h","ip":"10.0.0.5","db":"d","sqltext":"SELECT \'a§b\'"}}',
  cloudtrail: '{"eventVersion":"1.09","eventTime":"2026-02-11T09:14:03Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","sourceIPAddress":"198.51.100.24","userAgent":"aws-cli§/2.15"}',
  zeek_json: '{"ts":1718530010.118921,"uid":"C1","id.orig_h":"10.0.1.25","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"tcp","service":"ss§l"}',
  suricata_eve: '{"timestamp":"2024-06-16T11:47:20.399556+0200","event_type":"alert","src_ip":"10.0.1.25","src_port":1,"dest_ip":"198.51.100.7","dest_port":2,"proto":"TCP","alert":{"signature":"ET x§y"}}',
};
// Flow exports (VPC, nfdump, Argus, Zeek TSV conn) are fields of numbers, addresses and enums, with
// no free text for a separator to sit in.

const SEPARATORS: Record<string, string> = { 'U+2028': '\u2028', 'U+2029': '\u2029', 'lone CR': '\r', 'U+0085': '\u0085' };
/** JSON allows U+2028 and U+2029 raw in a string, but not a control character such as CR. */
const JSON_FORMATS = new Set(['postgres_jsonlog', 'mysql_audit_log', 'cloudtrail', 'zeek_json', 'suricata_eve']);

describe('a line separator inside a line is the line’s text', () => {
  for (const [format, line] of Object.entries(LINES)) {
    it(`${format}: the record stays one event, with the separator in its raw text`, async () => {
      const plain = await parseThroughGate(line.replace('§', '') + '\n', { format });
      expect(plain.events.length).toBeGreaterThan(0);
      for (const [name, sep] of Object.entries(SEPARATORS)) {
        if (sep === '\r' && JSON_FORMATS.has(format)) continue;
        const run = await parseThroughGate(line.replace('§', sep) + '\n', { format });
        expect(run.events.map((e) => e.action), name).toEqual(plain.events.map((e) => e.action));
        expect(run.warnings.map((w) => w.reason), name).toEqual(plain.warnings.map((w) => w.reason));
        expect(run.events.some((e) => String(e.raw).includes(sep)), `${name} kept in raw`).toBe(true);
      }
    });
  }

  it('auth_log: a message ending in U+2028, and a sudo command holding one', async () => {
    const run = await parseThroughGate(
      'Mar 11 19:26:39 web1 kernel: boot\u2028\nFeb 21 23:35:33 web1 sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/echo a\u2028b\n',
      { format: 'auth_log' },
    );
    expect(run.warnings).toEqual([]);
    expect(run.events.map((e) => [e.action, e.command])).toEqual([
      ['other', null],
      ['sudo', '/bin/echo a\u2028b'],
    ]);
  });
});

/** Regular expressions in src/parsers: literal `/…/flags` and `new RegExp(…, flags)`. */
function parserRegexes(): { where: string; source: string; flags: string }[] {
  const out: { where: string; source: string; flags: string }[] = [];
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
  for (const file of walk(join(ROOT, 'src', 'parsers'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${file.slice(ROOT.length)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = n.getText();
        const end = text.lastIndexOf('/');
        out.push({ where: where(n), source: text.slice(1, end), flags: text.slice(end + 1) });
      } else if (ts.isNewExpression(n) && n.expression.getText() === 'RegExp') {
        const flags = n.arguments?.[1];
        out.push({ where: where(n), source: n.arguments?.[0]?.getText() ?? '', flags: flags && ts.isStringLiteral(flags) ? flags.text : '' });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

/** True when the pattern has a `.` outside a character class (an escaped `\.` is a dot character). */
function hasWildcardDot(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '.') return true;
  }
  return false;
}

describe('parser patterns', () => {
  const all = parserRegexes();

  it('are found (the scan works)', () => {
    expect(all.length).toBeGreaterThan(150);
    expect(all.some((r) => r.flags.includes('s'))).toBe(true);
  });

  it('give `.` the s flag, so it matches U+2028, U+2029 and CR like any other character', () => {
    const missing = all.filter((r) => hasWildcardDot(r.source) && !r.flags.includes('s')).map((r) => `${r.where} /${r.source}/${r.flags}`);
    expect(missing).toEqual([]);
  });

  it('use no m flag: `^` and `$` would then match around U+2028 inside a line', () => {
    expect(all.filter((r) => r.flags.includes('m')).map((r) => r.where)).toEqual([]);
  });
});
