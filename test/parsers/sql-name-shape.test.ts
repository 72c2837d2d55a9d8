import { describe, expect, it } from 'vitest';
import { SqlAnalyzer } from '../../src/parsers/sql/analyze.js';
import { astFacts } from '../../src/parsers/sql/ast.js';
import { fingerprintText } from '../../src/parsers/sql/fingerprint.js';
import { NameShapeCache, nameShape } from '../../src/parsers/sql/name-shape.js';

// Counts node-sql-parser runs: the analyzer must parse once per name shape, not once per name.
const parses = { n: 0 };
const counted: typeof astFacts = (...args) => {
  parses.n++;
  return astFacts(...args);
};

type Dialect = 'pg' | 'mysql';

/** What one statement's analysis says, from a fresh analyzer (no cache shared with anything). */
function fresh(dialect: Dialect, sql: string) {
  return new SqlAnalyzer(dialect).analyze(sql);
}

describe('statements that differ only in numbered names share one parse', () => {
  it('parses report_1 … report_60 once, and each gets its own tables', () => {
    const a = new SqlAnalyzer('pg', undefined, counted);
    const before = parses.n;
    for (let i = 1; i <= 60; i++) {
      const sql = `SELECT col_${(i % 7) + 1}, count(*) FROM report_${i} r JOIN tenant_${i}.days_${i + 1} d ON d.id = r.day WHERE day >= '2025-03-0${(i % 9) + 1}' GROUP BY 1`;
      const got = a.analyze(sql);
      expect(got.facts.reads).toEqual([
        { schema: null, name: `report_${i}` },
        { schema: `tenant_${i}`, name: `days_${i + 1}` },
      ]);
      expect(got.parser).toBe('node-sql-parser');
    }
    expect(parses.n - before).toBe(1);
  });

  // Each statement analyzed after others of its shape gives what a fresh analyzer gives it alone.
  const families: Array<[Dialect, (i: number) => string]> = [
    ['pg', (i) => `SELECT * FROM report_${i}`],
    ['pg', (i) => `select a.x from Sales_${i} a, sales_${i + 1} b where a.id = b.id`],
    ['pg', (i) => `WITH t_${i} AS (SELECT * FROM src_${i}) SELECT * FROM t_${i} JOIN dst_${i} USING (id)`],
    ['pg', (i) => `INSERT INTO log_${i % 3} (a) SELECT a FROM stage_${i} LIMIT 10`],
    ['pg', (i) => `UPDATE acct_${i} SET v = v + 1 FROM acct_${i + 1} WHERE acct_${i}.id = acct_${i + 1}.id`],
    ['pg', (i) => `SELECT * FROM pg_${i}_x, "quoted_${i}"`],
    ['pg', (i) => `SELECT * FROM t_${i % 2} JOIN t_${(i + 1) % 2} ON true`],
    ['pg', (i) => `SELECT * FROM a_${i} WHERE x = ( SELECT max(y) FROM b_${i % 4}`],
    ['pg', (i) => `DELETE FROM queue_${i} WHERE id IN (SELECT id FROM queue_${i} LIMIT 5)`],
    ['mysql', (i) => `SELECT * FROM shop_${i}.orders_${i} o JOIN \`items_${i}\` i ON i.o = o.id`],
    ['mysql', (i) => `SELECT * FROM Shop_${i}.Orders_${i}`],
  ];
  for (const [dialect, make] of families) {
    it(`${dialect}: ${make(1)}`, () => {
      const a = new SqlAnalyzer(dialect);
      for (const i of [1, 2, 3, 10, 11, 200, 2, 1]) expect(a.analyze(make(i))).toEqual(fresh(dialect, make(i)));
    });
  }

  it('statements whose names collapse or split between two statements are parsed afresh', () => {
    const a = new SqlAnalyzer('pg', undefined, counted);
    expect(a.analyze('SELECT * FROM t_1 JOIN t_2 ON true')).toEqual(fresh('pg', 'SELECT * FROM t_1 JOIN t_2 ON true'));
    const before = parses.n;
    expect(a.analyze('SELECT * FROM t_3 JOIN t_3 ON true')).toEqual(fresh('pg', 'SELECT * FROM t_3 JOIN t_3 ON true'));
    expect(parses.n - before).toBe(1);
  });
});

describe('name shapes', () => {
  const shape = (sql: string) => nameShape(fingerprintText(sql, 'pg'));

  it('are the fingerprint with the numbers inside unquoted names marked', () => {
    const s1 = shape("SELECT * FROM report_5 WHERE d = '2025-01-01' AND n = 3")!;
    const s2 = shape("SELECT * FROM report_17 WHERE d = '2024-12-31' AND n = 4")!;
    expect(s1.key).toBe(s2.key);
    expect(s1.names).toEqual(['report_5']);
    expect(s2.names).toEqual(['report_17']);
    expect(shape('SELECT * FROM report WHERE n = 5')).toBeNull();
    expect(shape('SELECT * FROM t1')).toBeNull();
    expect(shape('SELECT * FROM "report_5"')).toBeNull();
    expect(shape('SELECT * FROM report_5 JOIN x_1')!.key).not.toBe(shape('SELECT * FROM report_5, x_1')!.key);
  });

  it('keep a bounded number of shapes', () => {
    const c = new NameShapeCache(true);
    for (let i = 0; i < 12_000; i++) c.set(shape(`SELECT * FROM t_1 ${'JOIN u_1 ON true '.repeat(i % 7)}WHERE c${i} = 1`)!, null);
    expect(c.size).toBeLessThanOrEqual(5_000);
  });

  it('rename the parser facts one for one, and refuse names they cannot account for', () => {
    const c = new NameShapeCache(true);
    c.set(shape('SELECT * FROM Report_5')!, { reads: [{ schema: null, name: 'report_5' }], writes: [], unfiltered: true });
    expect(c.get(shape('SELECT * FROM Report_9')!)).toEqual({ reads: [{ schema: null, name: 'report_9' }], writes: [], unfiltered: true });
    c.set(shape('SELECT * FROM a_1')!, { reads: [{ schema: null, name: 'b_1' }], writes: [], unfiltered: false });
    expect(c.get(shape('SELECT * FROM a_2')!)).toBeUndefined();
    c.set(shape('SELECT * FROM q_1 JOIN q_2 ON true')!, null);
    expect(c.get(shape('SELECT * FROM q_3 JOIN q_4 ON true')!)).toBeNull();
    expect(c.get(shape('SELECT * FROM q_3 JOIN q_3 ON true')!)).toBeUndefined();
  });
});
