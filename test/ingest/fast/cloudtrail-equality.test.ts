/**
 * The fast path stores CloudTrail exactly as the JS parser does: the full events rows (every
 * column, event ids included), the warnings and the evidence rows are compared on every CloudTrail
 * file of the corpus and the real attack, and on a generated multi-file S3 tree. Files the SQL path
 * does not cover (pretty-printed documents, envelopes, lookup-events output, digests, damaged
 * records) are declined and read by JS, which the test checks too.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { enableCloudTrailFastPath, ingestBoth, numberedDirs } from './compare.js';
import { generatedRecord, generatedRecords } from './cloudtrail-gen.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'cloudtrail');
const ATTACKS = join(ROOT, '..', 'shared', 'corpus-attacks');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

const byName = (files: { path: string; readBy?: string }[]) => Object.fromEntries(files.map((f) => [f.path.split('/').pop(), f.readBy]));

describe('CloudTrail through DuckDB (fast path)', () => {
  const tmp = tempDir();
  enableCloudTrailFastPath({ beforeAll, afterAll });
  afterAll(() => tmp.cleanup());
  const dir = numberedDirs(tmp.path);

  it('stores every CloudTrail file of the corpus exactly as the JS parser', { timeout: 120_000 }, async () => {
    const files = existsSync(CORPUS) ? filesUnder(CORPUS).filter((f) => !/LICENSE|PROVENANCE|\.csv$/.test(f)) : [];
    expect(files.length).toBeGreaterThanOrEqual(10);
    const { fast, js, files: report } = await ingestBoth(dir(), files);
    expect(fast.events.length).toBeGreaterThan(40);
    expect(fast).toEqual(js);
    // One-record-per-line exports are read by DuckDB; pretty documents, lookup-events and digests by JS.
    const by = byName(report);
    expect(by).toMatchObject({
      'test-assume-role-json.log': 'sql',
      'test-console-login-json.log': 'sql',
      'test-copy-object-json.log': 'sql',
      'test-cloudtrail-digest-json.log': 'js',
      'aws_cloudtrail.jsonl': 'js',
      'LookupEvents.json': 'js',
      'test.json': 'js',
    });
  });

  it('stores the real attack (flaws2, S3 delivery files) exactly as the JS parser, read by DuckDB', { timeout: 120_000 }, async () => {
    const attack = join(ATTACKS, 'flaws2-defender-cloudtrail');
    const stratus = join(ATTACKS, 'stratus-red-team-datadog-export');
    expect(existsSync(attack)).toBe(true);
    const { fast, js, files } = await ingestBoth(dir(), [attack, stratus]);
    expect(fast.events.length).toBeGreaterThan(40);
    expect(fast).toEqual(js);
    // Seven delivery files are read by DuckDB; one writes "=" as \u003d, which only JSON.parse reads back as written.
    const gz = files.filter((f) => f.path.endsWith('.json.gz'));
    expect(gz.length).toBe(8);
    expect(gz.filter((f) => f.readBy === 'sql').length).toBe(7);
    expect(gz.find((f) => f.readBy === 'js')?.path).toMatch(/7J9NEIxrjJsrlXSd/);
  });

  it('stores a generated S3 tree and JSON-lines exports (plain, gzip, CRLF) exactly as the JS parser', { timeout: 180_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    const s3 = join(ev, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '02', '11');
    mkdirSync(s3, { recursive: true });
    for (let f = 0; f < 6; f++) {
      const recs = generatedRecords(f, 300);
      writeFileSync(join(s3, `111122223333_CloudTrail_us-east-1_20260211T09${10 + f}Z_f${f}.json.gz`), gzipSync(`{"Records":[${recs.join(',')}]}\n`));
    }
    const lines = generatedRecords(99, 500);
    writeFileSync(join(ev, 'lake-export.jsonl'), lines.join('\n') + '\n\n');
    writeFileSync(join(ev, 'lake-export-crlf.jsonl'), lines.slice(0, 50).join('\r\n') + '\r\n');
    writeFileSync(join(ev, 'lake-export.jsonl.gz'), gzipSync(lines.slice(100).join('\n')));
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(files.map((f) => [f.path.split('/').pop(), f.readBy, f.fastDeclined])).toEqual(files.map((f) => [f.path.split('/').pop(), 'sql', undefined]));
    expect(fast.events.length).toBe(6 * 300 + 500 + 50 + 400);
    expect(fast).toEqual(js);
  });

  it('declines what it cannot store exactly, and the JS parser stores it as before', { timeout: 120_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    const rec = (i: number) => generatedRecord(7, i);
    const write = (name: string, text: string) => writeFileSync(join(ev, name), text);
    write('damaged.jsonl', [rec(1), rec(2).slice(0, 200), rec(3)].join('\n') + '\n');
    write('pretty.json', JSON.stringify({ Records: [JSON.parse(rec(1)), JSON.parse(rec(2))] }, null, 2));
    write('escaped.jsonl', [rec(1), rec(2).replace('"eventVersion":"1.09"', '"eventVersion":"1.0\\u0039"')].join('\n') + '\n');
    write('float.jsonl', [rec(1), rec(2).replace('"eventVersion":"1.09"', '"eventVersion":"1.09","readOnly":1.5')].join('\n') + '\n');
    write('dupkey.jsonl', [rec(1), rec(2).replace('"eventVersion":"1.09"', '"eventVersion":"1.09","eventVersion":"2"')].join('\n') + '\n');
    write('unmapped.jsonl', [rec(1), rec(2).replace('"eventVersion":"1.09"', '"eventVersion":"1.09","newField":true')].join('\n') + '\n');
    write('ipv6.jsonl', [rec(1), rec(2).replace(/"sourceIPAddress":"[^"]*"/, '"sourceIPAddress":"2001:DB8::1"')].join('\n') + '\n');
    write('terminal.jsonl', [rec(1), rec(2).replace(/"eventName":"[^"]*"/, '"eventName":"Get\\u001b[2J"')].join('\n') + '\n');
    write('badtime.jsonl', [rec(1), rec(2).replace(/"eventTime":"[^"]*"/, '"eventTime":"2026-02-30T01:02:03Z"')].join('\n') + '\n');
    write('envelope.jsonl', JSON.stringify({ CloudTrailEvent: rec(1), EventTime: '2026-02-11T09:00:00Z' }) + '\n');
    write('records-two-lines.json', `{"Records":[${rec(1)}]}\n{"Records":[${rec(2)}]}\n`);
    const { fast, js, files } = await ingestBoth(d, [ev]);
    expect(fast).toEqual(js);
    expect(files.map((f) => [f.path.split('/').pop(), f.readBy])).toEqual(files.map((f) => [f.path.split('/').pop(), 'js']));
    for (const f of files) expect(f.fastDeclined, f.path).toBeTruthy();
  });

  it('is off unless DWELL_FAST_FORMATS names it: CloudTrail then goes to the JS parser and says why', { timeout: 60_000 }, async () => {
    const d = dir();
    const ev = join(d, 'evidence');
    mkdirSync(ev);
    writeFileSync(join(ev, 'lake.jsonl'), generatedRecords(5, 20).join('\n') + '\n');
    delete process.env.DWELL_FAST_FORMATS;
    try {
      const { fast, js, files } = await ingestBoth(d, [ev]);
      expect(files.map((f) => [f.readBy, f.fastDeclined])).toEqual([['js', 'format cloudtrail has no SQL path enabled (DWELL_FAST_FORMATS)']]);
      expect(fast).toEqual(js);
    } finally {
      process.env.DWELL_FAST_FORMATS = 'vpc_flow,cloudtrail';
    }
  });
});
