/**
 * The fast path stores VPC flow logs exactly as the JS parser does: the full events rows (every
 * column, event ids included), the warnings and the evidence rows are compared on every VPC file
 * of the corpus, the fixtures and a generated file. Files the SQL path does not cover (IPv6,
 * CloudWatch exports, malformed lines) are declined and read by JS, which the test checks too.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { ingestBoth, numberedDirs } from './compare.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'netflow', 'elastic-integrations');
const FIXTURES = join(ROOT, 'fixtures', 'fast', 'vpc');

/** Who reads each corpus file: IPv6 addresses, a start and end years apart, … are the JS parser's. */
const EXPECTED_CORPUS_READER = {
  'test-ecs-samples.log': 'js',
  'test-extra-samples.log': 'js',
  'test-tcp-flag-sequence.log': 'sql',
  'test-tgw-samples.log': 'js',
  'test-v5-all-fields.log': 'js',
  'test-v8-samples.log': 'js',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** Deterministic v2 records: a header, then `n` lines (some blank, some NODATA, a few implausible). */
function generated(n: number): string {
  let seed = 42;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ip = () => `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const out = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  for (let i = 0; i < n; i++) {
    const t = (i % 997 === 0 ? 600000000 : 1718530000) + i;
    if (i % 500 === 0) out.push('');
    else if (i % 300 === 0) out.push(`2 123456789012 eni-${(i % 64).toString(16).padStart(17, '0')} - - - - - - - ${t} ${t + 60} - NODATA`);
    else {
      const proto = [6, 17, 1, 47, 132][i % 5];
      out.push(`2 123456789012 eni-${(i % 64).toString(16).padStart(17, '0')} ${ip()} ${ip()} ${Math.floor(r() * 65536)} ${Math.floor(r() * 65536)} ${proto} ${Math.floor(r() * 1000)} ${Math.floor(r() * 1e9)} ${t} ${t + Math.floor(r() * 600)} ${r() < 0.5 ? 'ACCEPT' : 'REJECT'} OK`);
    }
  }
  return out.join('\n') + '\n';
}

describe('VPC flow logs through DuckDB (fast path)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const dir = numberedDirs(tmp.path);

  it('stores the fixtures exactly as the JS parser, and reads them with DuckDB', async () => {
    const { fast, js, files } = await ingestBoth(dir(), [FIXTURES]);
    expect(files.map((f) => [f.path.split('/').pop(), f.readBy, f.fastDeclined])).toEqual(files.map((f) => [f.path.split('/').pop(), 'sql', undefined]));
    expect(fast.events.length).toBeGreaterThan(20);
    expect(fast).toEqual(js);
  });

  it('stores every VPC file of the corpus exactly as the JS parser', { timeout: 60_000 }, async () => {
    const vpc = existsSync(CORPUS) ? filesUnder(CORPUS).filter((f) => /test-(ecs|extra|tcp-flag|tgw|v5|v8)-.*\.log$/.test(f)) : [];
    expect(vpc.length).toBeGreaterThanOrEqual(6);
    const { fast, js, files } = await ingestBoth(dir(), vpc);
    // IPv6 addresses and malformed lines are the JS parser's: those files are declined, the others read by DuckDB.
    const by = Object.fromEntries(files.map((f) => [f.path.split('/').pop(), f.readBy]));
    expect(by).toEqual(EXPECTED_CORPUS_READER);
    expect(fast).toEqual(js);
  });

  it('stores a generated file (plain and gzipped) exactly as the JS parser', { timeout: 120_000 }, async () => {
    const d = dir();
    // 3,000 lines: blank lines, NODATA records and three implausible 1990 times among the records.
    const text = generated(3_000);
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'a.log'), text);
    writeFileSync(join(ev, 'b.log.gz'), gzipSync(text.replace(/1718/g, '1719')));
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => f.readBy)).toEqual(['sql', 'sql']);
    expect(fast.events.length).toBeGreaterThan(5_000);
    expect(fast.warnings.length).toBe(2); // the implausible 1990 times, one warning per file
    expect(fast).toEqual(js);
  });
});
