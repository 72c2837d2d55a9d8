/**
 * CloudTrail rows in a table written for people by a Python tool (issue 13; the shape of the
 * honey-bucket alert export in ../shared/corpus/cloudtrail): labels instead of CloudTrail's names
 * (`Event Name`, `Event DateTime`, `Source IP`, `Request User Agent`, `User ID`), objects as Python
 * reprs, no eventSource column. Each row must give the event the native record gives, with the
 * service read from the request's S3 host and said so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { parsePythonLiteral } from '../../src/parsers/cloudtrail/variants/python-literal.js';
import { ROOT } from '../helpers/cli.js';
import { runParser } from '../helpers/run-parser.js';

const FILE = join(ROOT, 'fixtures', 'cloudtrail-labelled', 'python-table.csv');

describe('a labelled CloudTrail table with Python reprs', () => {
  it('is claimed by the CloudTrail CSV parser, saying which columns it read', () => {
    const r = sniff(makeHead(FILE, readFileSync(FILE)));
    expect(r.winner?.parser.name).toBe('cloudtrail_csv');
    expect(r.winner!.match.reason).toMatch(/Event Name, .*User ID/);
  });

  it('gives each row the native record’s event', async () => {
    const r = sniff(makeHead(FILE, readFileSync(FILE)));
    const run = await runParser(r.winner!.parser, readFileSync(FILE), { path: FILE });
    expect(run.warnings).toEqual([]);
    expect(run.events).toHaveLength(3);
    const [get, anon, plain] = run.events;
    expect(get).toMatchObject({
      action: 's3.amazonaws.com:GetObject',
      actor: 'arn:aws:iam::444455556666:user/reports',
      access_key: 'AKIA4EXAMPLEREPORT1',
      src_ip: '198.51.100.23',
      target: 's3://acme-exports/customers/2026-04.csv.gz',
      user_agent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.debian.12 command/s3.cp',
      line: 2,
    });
    expect(new Date(get!.ts / 1000).toISOString()).toBe('2026-04-14T03:21:40.000Z');
    expect(get!.attrs).toMatchObject({ event_source_from: 'requestParameters.Host', event_id: '0c1d2e3f-0000-4617-8a9b-c0d1e2f3a4b5', request_id: '7Q2W3E4R5T6Y7U8I' });
    // None and True are read as null and true.
    expect(anon).toMatchObject({ actor: 'ANONYMOUS_PRINCIPAL', src_ip: '203.0.113.140', target: 's3://acme-exports' });
    expect((anon!.attrs as { request_parameters: Record<string, unknown> }).request_parameters).toMatchObject({ prefix: null, 'fetch-owner': true });
    // A `User ID` that is a plain id is not taken for the identity object: it stays beside the record.
    expect(plain!.actor).toBeNull();
    expect((plain!.attrs as { unmapped: Record<string, unknown> }).unmapped['User ID']).toBe('AIDA4EXAMPLEREPORTS');
  });
});

describe('parsePythonLiteral', () => {
  it('reads dicts, lists, tuples, quotes, escapes and the constants', () => {
    expect(parsePythonLiteral(`{'a': 'it\\'s', "b": [1, -2.5, (3, 4)], 'c': {'d': None, 'e': True, 'f': False}, 'g': '\\x41\\u00e9\\n'}`)).toEqual({
      a: "it's",
      b: [1, -2.5, [3, 4]],
      c: { d: null, e: true, f: false },
      g: 'Aé\n',
    });
    expect(parsePythonLiteral('[]')).toEqual([]);
    expect(parsePythonLiteral('{}')).toEqual({});
  });

  it('leaves anything else as text (null)', () => {
    for (const s of ["{'a': 1", "{'a': open('x')}", "{'a' 1}", 'plain', "{'a': 'unterminated}", "{1, 2}", "['a'] trailing", "{'a': '\\xZZ'}"]) expect(parsePythonLiteral(s), s).toBeNull();
    // Nesting deeper than any CloudTrail object stays text instead of recursing without bound.
    expect(parsePythonLiteral('['.repeat(10_000) + ']'.repeat(10_000))).toBeNull();
  });
});
