/** `dwell sniff` names, for each variant fixture, the parser that claims it and the variant it recognized. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dwell, ROOT } from '../helpers/cli.js';

const EXPECTED: Record<string, [string, RegExp]> = {
  'variants/journald/journal.json': ['journald_json', /journalctl -o json/],
  'variants/journald/journal.export': ['journald_export', /export format/],
  'variants/rfc5424/auth.log': ['auth_log', /syslog/],
  'variants/csvlog/pg12-native.csv': ['postgres_csvlog', /PostgreSQL 9\.0–12 \(23 columns\)/],
  'variants/csvlog/quote-all.csv': ['postgres_csvlog', /every field quoted/],
  'variants/csvlog/pandas-index.csv': ['postgres_csvlog', /header row/],
  'variants/mysql-audit/audit-new.xml': ['mysql_audit_log', /new-style XML/],
  'variants/mysql-audit/audit-old.xml': ['mysql_audit_log', /old-style XML/],
  'netflow/zeek/platform.json': ['zeek_json', /platform fields/],
  'netflow/zeek/shipped.json': ['zeek_json', /wrapped by a shipper/],
  'netflow/zeek/es-hits.json': ['zeek_json', /Elasticsearch hits/],
  'netflow/zeek/ssh.log': ['zeek_tsv', /Zeek log header/],
};

describe('dwell sniff on the format variants', () => {
  it('names the winning parser and the variant for each fixture', async () => {
    const paths = Object.keys(EXPECTED).map((p) => join(ROOT, 'fixtures', p));
    const r = await dwell(['sniff', '--json', ...paths]);
    expect(r.code, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as Array<{ path: string; winner: string | null; reason: string }>;
    expect(reports).toHaveLength(paths.length);
    for (const rep of reports) {
      const key = rep.path.slice(join(ROOT, 'fixtures').length + 1);
      const [parser, reason] = EXPECTED[key]!;
      expect(rep.winner, key).toBe(parser);
      expect(rep.reason, key).toMatch(reason);
    }
  });

  it('prints the variant on the terminal too', async () => {
    const r = await dwell(['sniff', join(ROOT, 'fixtures', 'netflow/zeek/shipped.json')]);
    expect(r.stdout).toMatch(/→ zeek_json: .*Zeek JSON wrapped by a shipper/);
  });
});
