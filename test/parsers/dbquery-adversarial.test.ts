/**
 * Attacker-written SQL and log lines that make naive regular expressions backtrack for minutes
 * (found by fuzzing the DB parsers). Each input is large; each must parse in linear time, so the
 * test's own timeout (10 s for all of them) is what fails if a quadratic or exponential pattern
 * comes back. The assertions check the records are still read, not only that nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { parserByName } from '../../src/parsers/registry.js';
import { maskPasswords } from '../../src/parsers/sql/mask.js';
import { fingerprintText } from '../../src/parsers/sql/fingerprint.js';
import { SqlAnalyzer } from '../../src/parsers/sql/analyze.js';
import { runParser } from '../helpers/run-parser.js';

const N = 100_000;

describe('SQL helpers on adversarial statements', () => {
  const inputs: Record<string, string> = {
    passwordSpaces: 'ALTER ROLE x PASSWORD' + ' '.repeat(N) + 'x',
    passwordComments: 'ALTER ROLE x PASSWORD' + '/* */ '.repeat(N / 6) + 'x',
    identifiedSpaces: 'CREATE USER a IDENTIFIED' + ' '.repeat(N) + 'x',
    identifiedWith: 'CREATE USER a IDENTIFIED WITH' + ' '.repeat(N) + 'p' + ' '.repeat(N),
    unterminatedComments: '/*'.repeat(N / 2),
    oddQuotes: "'" + "''".repeat(N / 2),
    fromParens: 'SELECT * FROM ('.repeat(N / 15),
    dollar: '$a$'.repeat(N / 3),
    commas: 'SELECT * FROM ' + 'a,'.repeat(N / 2),
  };
  for (const [name, sql] of Object.entries(inputs)) {
    it(name, { timeout: 10_000 }, () => {
      maskPasswords(sql);
      fingerprintText(sql, 'pg');
      fingerprintText(sql, 'mysql');
      new SqlAnalyzer('pg').analyze(sql);
      new SqlAnalyzer('mysql').analyze(sql);
    });
  }

  it('still masks after a long gap', () => {
    expect(maskPasswords("ALTER ROLE x PASSWORD" + ' '.repeat(1000) + "'s3cret'")).not.toContain('s3cret');
    expect(maskPasswords("CREATE USER a IDENTIFIED /* c */ BY\n'pw'")).toBe("CREATE USER a IDENTIFIED /* c */ BY\n'***'");
    expect(maskPasswords("SET PASSWORD = PASSWORD ( 'pw' )")).toBe("SET PASSWORD = PASSWORD ( '***' )");
    expect(maskPasswords("CREATE USER a IDENTIFIED BY PASSWORD '*AB12'")).toBe("CREATE USER a IDENTIFIED BY PASSWORD '***'");
  });
});

describe('DB log parsers on adversarial lines', () => {
  const cases: [string, string][] = [
    ['mysql_general_log', '2024-01-01T00:00:00Z\t 1 Connect\t' + 'a@'.repeat(N)],
    ['mysql_general_log', '2024-01-01T00:00:00Z\t 1 Query\t' + "SELECT '".repeat(N / 8)],
    ['mysql_slow_log', '# Time: 2024-01-01T00:00:00Z' + ' '.repeat(N) + '\n# Query_time: 1 Lock_time: 0 Rows_sent: 1 Rows_examined: 1\nSELECT 1;'],
    ['mysql_slow_log', '# Time: 2024-01-01T00:00:00Z\n# administrator command: Quit' + ' '.repeat(N)],
    ['postgres_log', '2024-01-01 00:00:00.000 UTC [1] ' + 'a@b '.repeat(N / 4)],
    ['postgres_log', '2024-01-01 00:00:00.000 UTC [1] LOG:  statement: ' + "'".repeat(N) + '(((('.repeat(1000)],
  ];
  for (const [name, input] of cases) {
    it(`${name}: ${input.slice(0, 40).replace(/\s+/g, ' ')}…`, { timeout: 10_000 }, async () => {
      const run = await runParser(parserByName(name)!, input + '\n');
      expect(run.events.length + run.warnings.length).toBeGreaterThan(0);
    });
  }
});
