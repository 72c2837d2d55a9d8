/**
 * The pure parts of dwell info / search / sql: the table renderer (escaping before measuring,
 * the highlight added after escaping), the statement end of the SQL prompt, the search highlight
 * from DuckDB's split and matches, and the error messages of the sandbox.
 */
import { describe, expect, it } from 'vitest';
import { segments } from '../../src/case-tools/search.js';
import { sandboxRefusal } from '../../src/case-tools/session.js';
import { explainSqlError } from '../../src/case-tools/sql-errors.js';
import { endsStatement } from '../../src/case-tools/statement-end.js';
import { columnWidths, renderTable } from '../../src/case-tools/table.js';
import { chooseFormat } from '../../src/case-tools/output.js';
import { historyPath } from '../../src/case-tools/history.js';
import { addressText } from '../../src/case-tools/info-text.js';

const MARK = ['<', '>'] as const;

describe('renderTable', () => {
  it('escapes every cell before measuring it: control and bidi characters are shown, never sent', () => {
    const lines = renderTable([{ name: 'user' }, { name: 'n', align: 'right' }], [['\x1b]0;pwned\x07', '7'], ['adm\u202enimda', '12']]);
    const u1 = '\\x1b]0;pwned\\x07';
    const u2 = 'adm\\u202enimda';
    expect(lines).toEqual([`${'user'.padEnd(u1.length)}   n`, `${u1}   7`, `${u2.padEnd(u1.length)}  12`]);
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
  });

  it('adds the highlight after escaping: an escape sequence inside a match stays text', () => {
    const [, row] = renderTable([{ name: 'm' }], [[[{ text: 'a ', match: false }, { text: '\x1b[2Jx', match: true }]]], { mark: MARK });
    expect(row).toBe('a <\\x1b[2Jx>');
  });

  it('fits the width by shrinking the widest column first, cutting with … (paths from the start)', () => {
    const cols = [{ name: 'time', min: 5 }, { name: 'summary', min: 6 }, { name: 'file', cut: 'start' as const, min: 8 }];
    const rows = [['02:16:40', 'Accepted password for deploy from 203.0.113.77', 'evidence/web-01/var/log/auth.log:9']];
    const lines = renderTable(cols, rows, { width: 50 });
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(50);
    expect(lines[1]).toMatch(/^02:16:40  Accepted [^…]*…  /);
    expect(lines[1]).toMatch(/  …[a-z/]*auth\.log:9$/);
    expect(columnWidths(cols, rows)).toEqual([8, 46, 34]);
  });

  it('keeps a highlight whole or drops it when the cut falls inside the match, never leaving it open', () => {
    const [, row] = renderTable([{ name: 'm' }], [[[{ text: 'abc ', match: false }, { text: 'MATCHING', match: true }, { text: ' tail', match: false }]]], { mark: MARK, width: 8 });
    expect(row).toBe('abc <MAT>…');
    expect(row!.split('<').length).toBe(row!.split('>').length);
  });
});

describe('the SQL prompt: where a statement ends', () => {
  it.each([
    ['SELECT 1;', true],
    ['SELECT 1', false],
    ['SELECT 1; -- done', true],
    ["SELECT 'a;b'", false],
    ["SELECT 'a;b';", true],
    ["SELECT 'it''s';", true],
    ['SELECT "a;" FROM t', false],
    ['SELECT 1 /* ; */', false],
    ['SELECT 1 /* ; */ ;', true],
    ['SELECT 1\n-- ;', false],
    ['SELECT\n  count(*)\nFROM events\n;', true],
  ])('%j → %s', (text, complete) => {
    expect(endsStatement(text)).toBe(complete);
  });
});

describe('search highlight', () => {
  it('interleaves the pieces around the matches with the matches', () => {
    expect(segments('Accepted password for deploy', ['Accepted password for ', ''], ['deploy'])).toEqual([
      { text: 'Accepted password for ', match: false },
      { text: 'deploy', match: true },
    ]);
  });

  it('shows the text without highlight when split and matches do not rebuild it (empty matches)', () => {
    expect(segments('abc', ['a', 'b', 'c'], ['', '', '', ''])).toEqual([{ text: 'abc', match: false }]);
    expect(segments('abc', ['a', 'c'], ['X'])).toEqual([{ text: 'abc', match: false }]);
  });

  it('starts a long raw record shortly before its first match', () => {
    const segs = segments('x'.repeat(100) + 'HIT', ['x'.repeat(100), ''], ['HIT'], 5);
    expect(segs[0]).toEqual({ text: '…xxxxx', match: false });
    expect(segs[1]).toEqual({ text: 'HIT', match: true });
  });
});

describe('sandbox refusals in words', () => {
  it('a write on the read-only case', () => {
    const e = explainSqlError(new Error('Invalid Input Error: Cannot execute statement of type "DELETE" on database "c" which is attached in read-only mode!'));
    expect(e.message).toMatch(/^the case is read-only here: DELETE is not run, and the case is unchanged\n reason: .*\n help: /);
  });
  it('a file, escaped', () => {
    const e = explainSqlError(new Error('Permission Error: Cannot access file "/ev/\x1b[2Jx" - file system operations are disabled by configuration'));
    expect(e.message).toContain('"/ev/\\x1b[2Jx" was refused');
    expect(e.message).not.toContain('\x1b');
  });
  it('out of memory: the budget and how to raise it (issue 14)', () => {
    const before = process.env.DWELL_DUCKDB_MEMORY;
    delete process.env.DWELL_DUCKDB_MEMORY;
    try {
      const e = explainSqlError(new Error('Out of Memory Error: failed to allocate data of size 2.0 MiB (486.8 MiB/488.2 MiB used)\n\nPossible solutions:\n* Reducing the number of threads (SET threads=X)'));
      expect(e.message).toMatch(/^the query needs more memory than dwell sql gives DuckDB \(512MB\): failed to allocate data of size 2\.0 MiB \(486\.8 MiB\/488\.2 MiB used\)\n reason: .*\n help: DWELL_DUCKDB_MEMORY=4GB dwell sql/);
    } finally {
      if (before !== undefined) process.env.DWELL_DUCKDB_MEMORY = before;
    }
  });
  it('a cancelled query', () => {
    expect(explainSqlError(new Error('INTERRUPT Error: Interrupted!')).cancelled).toBe(true);
  });
  it('any other error keeps DuckDB’s words, escaped', () => {
    expect(explainSqlError(new Error('Failed to extract statements: Parser Error: syntax error at or near "\x07"')).message).toBe('Parser Error: syntax error at or near "\\x07"');
  });
});

describe('statements refused before they run (session.ts)', () => {
  it.each([
    "CALL enable_logging(storage := 'file', storage_path := '/ev/logs')",
    'SELECT * FROM "ENABLE_LOGGING"()',
    // Hidden from a tokenizer by a dollar-quoted string holding a quote: the whole text is checked.
    "SELECT $$'$$; CALL enable_logging(storage := 'file', storage_path := '/ev/logs') --'",
  ])('logging: %j', (sql) => {
    expect(sandboxRefusal(sql)).toMatch(/^DuckDB's logging cannot be turned on/);
  });
  it.each([
    ["SELECT * FROM query('SELECT * FROM enable_' || 'logging(storage := ''file'')')", 'query'],
    ["FROM Query_Table('events')", 'query_table'],
    ['SELECT * FROM "query" (\'SELECT 1\')', 'query'],
    ["SELECT json_execute_serialized_sql(x) FROM t", 'json_execute_serialized_sql'],
  ])('SQL from a string: %j', (sql, fn) => {
    expect(sandboxRefusal(sql)).toMatch(new RegExp(`^SQL run from a string cannot be used in dwell sql: ${fn}\\(\\) is refused\n reason: .*\n help: `));
  });
  it.each(['SELECT query_id, action FROM events', "SELECT * FROM events WHERE summary ILIKE '%query%'", 'SELECT count(*) FROM view'])('%j runs', (sql) => {
    expect(sandboxRefusal(sql)).toBeNull();
  });
});

describe('output choices', () => {
  it('format: one flag, else the file extension, else the default', () => {
    expect(chooseFormat({}, 'table')).toBe('table');
    expect(chooseFormat({ output: 'x.CSV' }, 'table')).toBe('csv');
    expect(chooseFormat({ output: 'x.ndjson' }, 'table')).toBe('json');
    expect(chooseFormat({ json: true, output: 'x.csv' }, 'table')).toBe('json');
    expect(() => chooseFormat({ json: true, csv: true }, 'table')).toThrow(/choose one/);
  });
  it('history file: DWELL_HISTORY, else XDG_STATE_HOME, else ~/.dwell_history', () => {
    expect(historyPath({ DWELL_HISTORY: '/x/h' })).toBe('/x/h');
    expect(historyPath({ DWELL_HISTORY: '' })).toBeNull();
    expect(historyPath({ XDG_STATE_HOME: '/state' })).toBe('/state/dwell/history');
    expect(historyPath({})).toMatch(/\.dwell_history$/);
  });
});

describe('dwell info: a host\'s learned addresses on one line', () => {
  const row = (address: string | null, how: string, ambiguous = false) => ({ address, how, reason: 'r', first_seen: null, last_seen: null, events: 1, ambiguous });
  it('each address once with every way it was learned; names without an address left to --json', () => {
    expect(addressText([row('10.0.1.25', 'own_log'), row(null, 'self_named'), row('10.0.1.25', 'inbound_flow'), row('10.0.9.9', 'dns', true)])).toBe('10.0.1.25 (own_log, inbound_flow), 10.0.9.9 (dns, ambiguous)');
    expect(addressText([row(null, 'evidence_path')])).toBe('');
  });
});
