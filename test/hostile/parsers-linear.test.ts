/**
 * Every parser is linear in its input (issue 18, item 8): log text is attacker-controlled, and a
 * slow log with one query over 80,000 comment lines ran past 7 minutes (the statement was
 * re-joined on every line). Each case below is an adversarial shape at a size where a quadratic
 * parser takes minutes and a linear one about a second; the bounds are generous for a loaded
 * two-core machine. `node bench/hostile.mjs` measures such shapes (before/after: bench/RESULTS.md).
 *
 * The inputs are generated here, through the real per-file parse (splitter, parser, event gate).
 */
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../../src/parsers/registry.js';
import { parseThroughGate } from '../helpers/gate.js';

/**
 * Seconds a case may take. Every case is sized so that the quadratic code it guards against takes
 * minutes (the slow log before the fix: 80,000 comment lines, over 7 minutes), while the linear
 * code takes about a second on an idle two-core machine; the bound leaves room for a loaded CI.
 */
const BOUND_S = 30;
/** vitest's own limit for a case (the bound, plus generating the input). */
const TIMEOUT_MS = 4 * BOUND_S * 1000;

async function timed(format: string, content: string | Buffer): Promise<{ seconds: number; events: number; warnings: number; lines: number | null }> {
  const started = performance.now();
  const run = await parseThroughGate(content, { format });
  return { seconds: (performance.now() - started) / 1000, events: run.result.events, warnings: run.result.warnings, lines: run.result.lines };
}

const repeat = (line: string, n: number) => (line + '\n').repeat(n);

describe('many-line records', () => {
  it('mysql_slow_log: one query followed by 100,000 comment lines', async () => {
    const entry = '# Time: 2019-03-24T14:01:47.811234Z\n# User@Host: root[root] @ localhost []  Id: 14\n# Query_time: 2.4  Lock_time: 0.0 Rows_sent: 10  Rows_examined: 3\nSET timestamp=1553436105;\nSELECT 1\n';
    const r = await timed('mysql_slow_log', entry + repeat('# just a comment in the statement', 100_000));
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S);
  }, TIMEOUT_MS);

  it('mysql_slow_log: 100,000 comment lines before the statement', async () => {
    const r = await timed('mysql_slow_log', '# Time: 2019-03-24T14:01:47.811234Z\n' + repeat('# note: a header line', 100_000) + 'SELECT 1;\n');
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S);
  }, TIMEOUT_MS);

  it('mysql_slow_log: a statement of 1,000,000 lines', async () => {
    const r = await timed('mysql_slow_log', '# Time: 2019-03-24T14:01:47.811234Z\n# Query_time: 1\nSELECT\n' + repeat('  a,', 1_000_000) + '  1;\n');
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S * 2);
  }, 2 * TIMEOUT_MS);

  it('mysql_general_log: a query of 1,000,000 lines', async () => {
    const r = await timed('mysql_general_log', '2025-08-15T14:04:36.592572Z\t   10 Query\tSELECT\n' + repeat('  a,', 1_000_000) + '  1\n');
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S * 2);
  }, 2 * TIMEOUT_MS);

  it('postgres_log: a statement of 1,000,000 continuation lines', async () => {
    const r = await timed('postgres_log', '2025-08-13 01:46:10.568 PDT [12389] LOG:  statement: SELECT\n' + repeat('\ta,', 1_000_000) + '\t1;\n');
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S * 2);
  }, 2 * TIMEOUT_MS);

  it('postgres_csvlog: a quoted field that never closes, then 100,000 record-like lines', async () => {
    const line = '2025-04-21 03:27:13.529 EDT,"postgres","template1",40397,"[local]",6805f351.627c5,2,"idle",2025-04-21 03:27:13 EDT,3/1,0,LOG,00000,"statement: SELECT 1",,,,,,,,,"psql","client backend",,0';
    const r = await timed('postgres_csvlog', line.replace('"statement: SELECT 1"', '"statement: SELECT \'') + '\n' + repeat(line, 100_000));
    expect(r.events).toBeGreaterThan(99_000);
    expect(r.seconds).toBeLessThan(BOUND_S);
  }, TIMEOUT_MS);

  it('auth_log: one record with 200,000 indented continuation lines', async () => {
    const r = await timed('auth_log', 'Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2\n' + repeat('\tcontinued', 200_000));
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S);
  }, TIMEOUT_MS);

  it('cloudtrail: one pretty-printed record of 200,000 lines', async () => {
    const body = '{"Records":[{"eventVersion":"1.09","eventTime":"2026-02-11T09:14:03Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"198.51.100.24","requestParameters":{"keys":[\n' + repeat('"k",', 200_000) + '"k"]}}]}\n';
    const r = await timed('cloudtrail', body);
    expect(r.events).toBe(1);
    expect(r.seconds).toBeLessThan(BOUND_S);
  }, TIMEOUT_MS);
});

describe('SQL the analyzers read', () => {
  const shapes: Record<string, string> = {
    'unterminated comments': '/*'.repeat(200_000),
    'unterminated quotes': "'".repeat(200_001),
    'unterminated dollar quotes': '$a$'.repeat(100_000),
    'deep parentheses': 'SELECT ' + '('.repeat(200_000) + '1' + ')'.repeat(200_000),
    'a long select list': 'SELECT ' + 'a, '.repeat(200_000) + 'b FROM t',
    'many joins': 'SELECT * FROM t ' + 'JOIN t ON 1=1 '.repeat(50_000),
    'many statements': 'SELECT 1; '.repeat(100_000),
  };
  for (const [name, sql] of Object.entries(shapes)) {
    it(`${name} (${(sql.length / 1e6).toFixed(1)} MB) in postgres_log and mysql_general_log`, async () => {
      const pg = await timed('postgres_log', `2025-08-13 01:46:10.568 PDT [12389] LOG:  statement: ${sql}\n`);
      const my = await timed('mysql_general_log', `2025-08-15T14:04:36.592572Z\t   10 Query\t${sql}\n`);
      expect([pg.events, my.events]).toEqual([1, 1]);
      expect(pg.seconds + my.seconds).toBeLessThan(BOUND_S);
    }, TIMEOUT_MS);
  }
});

describe('deeply nested JSON', () => {
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const lines: Record<string, (inner: string) => string> = {
    cloudtrail: (x) => `{"eventVersion":"1.09","eventTime":"2026-02-11T09:14:03Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","requestParameters":${x}}`,
    suricata_eve: (x) => `{"timestamp":"2024-06-16T11:47:20.399556+0200","event_type":"alert","src_ip":"10.0.1.25","dest_ip":"198.51.100.7","alert":${x}}`,
    zeek_json: (x) => `{"ts":1718530010.118921,"uid":"C1","id.orig_h":"10.0.1.25","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"tcp","extra":${x}}`,
    postgres_jsonlog: (x) => `{"timestamp":"2024-06-27 00:00:07.369 CEST","pid":1,"error_severity":"LOG","message":"x","extra":${x}}`,
    mysql_audit_log: (x) => `{"audit_record":{"name":"Query","record":"1_2020-01-01T00:00:00","timestamp":"2020-10-19T19:31:25 UTC","connection_id":"1","user":"u","host":"h","ip":"10.0.0.5","db":"d","sqltext":"SELECT 1","extra":${x}}}`,
  };
  for (const [format, line] of Object.entries(lines)) {
    it(`${format}: 100,000 levels, twice`, async () => {
      const one = line(deep(100_000));
      const r = await timed(format, `${one}\n${one}\n`);
      expect(r.events + r.warnings).toBeGreaterThanOrEqual(2);
      expect(r.seconds).toBeLessThan(BOUND_S);
    }, TIMEOUT_MS);
  }
});

/**
 * Long lines: each parser's samples with a run of a character its patterns care about inserted
 * at a separator, 100,000 characters long: a quadratic pattern takes seconds to minutes on one
 * such line, a linear parser milliseconds. One parse per (sample, cut) holds a line per filler.
 */
const FILLERS = [' ', '\t', 'a', '0', '(', '[', '@', ':', '=', ',', '"', "'", '\\', '.', '/*', ' ; ', ' from ', '\r', '\u2028', ' LOG:', ',client=', ' SSL enabled (', ':0::', '{', 'x=1 ', ', Version: '];
const RUN = 100_000;
const CUTS = 4;
/** A batch of long lines (one per filler) that takes longer than this has a superlinear pattern in it. */
const BATCH_BOUND_S = 20;

describe('long lines', () => {
  for (const parser of PARSERS) {
    it(`${parser.name}: ${RUN.toLocaleString('en-US')}-character runs at separators of its samples`, async () => {
      const slow: string[] = [];
      for (const sample of parser.samples) {
        const lines = sample.split('\n');
        const head = lines.slice(0, -1).join('\n');
        const last = lines[lines.length - 1]!;
        const cuts = [last.length];
        for (let i = 0; i < last.length; i++) if (/[ \t,:;=[\]{}"'()@]/.test(last[i]!)) cuts.push(i + 1);
        const step = Math.max(1, Math.ceil(cuts.length / CUTS));
        for (let k = 0; k < cuts.length; k += step) {
          const at = cuts[k]!;
          const body = FILLERS.map((f) => last.slice(0, at) + f.repeat(Math.ceil(RUN / f.length)) + last.slice(at)).join('\n');
          const r = await timed(parser.name, (head ? head + '\n' : '') + body + '\n');
          if (r.seconds > BATCH_BOUND_S) slow.push(`${r.seconds.toFixed(1)} s after ${JSON.stringify(last.slice(Math.max(0, at - 30), at))}`);
        }
      }
      expect(slow).toEqual([]);
    }, 10 * TIMEOUT_MS);
  }
});
