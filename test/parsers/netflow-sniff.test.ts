/**
 * The flow sniffers are specific: across every sample of the other corpora (auth logs, CloudTrail,
 * database logs) none of them makes a claim, and on the flow fixtures each claims its own files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeHead, MIN_CONFIDENCE, SNIFF_BYTES } from '../../src/ingest/sniff.js';
import { argusFlow } from '../../src/parsers/argus-flow.js';
import { nfdumpCsv } from '../../src/parsers/nfdump-csv.js';
import { suricataEve } from '../../src/parsers/suricata-eve.js';
import { vpcFlow } from '../../src/parsers/vpc-flow.js';
import { zeekJson } from '../../src/parsers/zeek-json.js';
import { zeekTsv } from '../../src/parsers/zeek-tsv.js';
import { CORPUS, listFiles } from '../helpers/corpus.js';

const FLOW_PARSERS = [vpcFlow, zeekTsv, zeekJson, suricataEve, nfdumpCsv, argusFlow];

function head(path: string) {
  let buf = readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      return null;
    }
  }
  return makeHead(path, buf.subarray(0, SNIFF_BYTES));
}

describe('flow sniffers', () => {
  const others = ['auth', 'cloudtrail', 'dbquery'].map((k) => join(CORPUS, k)).filter((d) => existsSync(d));
  it.skipIf(others.length === 0)('claim no auth, CloudTrail or database log of the shared corpus', () => {
    let files = 0;
    for (const d of others) {
      for (const path of listFiles(d)) {
        if (/\.(bz2|xz|zip)$/.test(path)) continue;
        const h = head(path);
        if (!h) continue;
        files++;
        for (const p of FLOW_PARSERS) {
          const m = p.sniff(h);
          expect(m === null || m.confidence < MIN_CONFIDENCE, `${p.name} claims ${path}: ${m?.reason}`).toBe(true);
        }
      }
    }
    expect(files).toBeGreaterThan(10);
  });

  it('claim no typical line of another source', () => {
    const lines = [
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},"eventTime":"2026-01-02T02:40:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7"}',
      '{"Records":[{"eventVersion":"1.08","eventTime":"2026-01-02T02:40:00Z","eventName":"ConsoleLogin"}]}',
      '2026-01-02 02:40:00.123 UTC [4242] app@shop LOG:  statement: SELECT * FROM cards',
      '2026-01-02T02:40:00.123456Z\t  17 Query\tSELECT * FROM users',
      'Jan  2 02:14:09 web-01 sshd[21213]: Invalid user oracle from 203.0.113.77 port 39144',
      '203.0.113.77 - - [02/Jan/2026:02:40:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"',
      'timestamp,user,query\n2026-01-02 02:40:00,alice,SELECT 1',
    ];
    for (const text of lines) {
      const h = makeHead('x.log', Buffer.from(text + '\n'));
      for (const p of FLOW_PARSERS) expect(p.sniff(h), `${p.name} claims ${text.slice(0, 50)}`).toBeNull();
    }
  });
});
