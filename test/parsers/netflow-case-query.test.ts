/**
 * End to end: the flow fixtures through the built CLI, then the questions docs/schema.md answers
 * with one query each, run exactly as documented (the SQL is read from the docs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';

const FIX = join(ROOT, 'fixtures', 'netflow');

function documentedQuery(marker: string): string {
  const doc = readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8');
  const m = new RegExp(`<!-- query: ${marker} -->\\s*\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/schema.md has no query marked ${marker}`);
  return m[1]!;
}

describe('network flows in a case', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'flows.duckdb');
  let code: number | null;
  beforeAll(async () => {
    const r = await dwell(['ingest', '-q', '--case', casePath, join(FIX, 'vpc'), join(FIX, 'zeek', 'conn.log'), join(FIX, 'zeek', 'dns.log'), join(FIX, 'suricata')]);
    code = r.code;
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => tmp.cleanup());

  it('ingests VPC (S3 gzip, CloudWatch, custom, TGW), Zeek and Suricata files', async () => {
    expect(code).toBe(0);
    const rows = await query<{ format: string; n: number }>(casePath, `SELECT format, count(*)::INTEGER AS n FROM evidence GROUP BY format ORDER BY format`);
    expect(rows).toEqual([{ format: 'suricata_eve', n: 1 }, { format: 'vpc_flow', n: 4 }, { format: 'zeek_tsv', n: 2 }]);
  });

  it('answers "bytes sent from H to each external address between T1 and T2, across VPC and Zeek" with the documented query', async () => {
    const rows = await query<{ peer: string; vpc_bytes: string | null; zeek_bytes: string | null; connections: string }>(casePath, documentedQuery('bytes-sent-by-host'));
    expect(rows.map((r) => [r.peer, r.vpc_bytes === null ? null : Number(r.vpc_bytes), r.zeek_bytes === null ? null : Number(r.zeek_bytes), Number(r.connections)])).toEqual([
      // 7340032 + 8912896 (S3 file, connection :51544) + 1048576 (CloudWatch export, :51560); Zeek saw :51544.
      ['198.51.100.7', 17301504, 16252928, 2],
      ['52.94.5.10', 3145728, null, 1], // custom-format file: to S3 through the VPC endpoint
      ['192.0.2.44', 380, 380, 1],
      ['203.0.113.77', null, 56, 1], // the ICMP echo reply H sent: only Zeek records the responder's bytes
    ]);
  });

  it('joins the same connection across VPC, Zeek and Suricata by community_id', async () => {
    const rows = await query<{ seen_by: string[] }>(
      casePath,
      `SELECT list(DISTINCT source ORDER BY source) AS seen_by FROM events
       WHERE src_ip IN ('10.0.1.25', '198.51.100.7') AND dst_ip IN ('10.0.1.25', '198.51.100.7') AND (src_port = 51544 OR dst_port = 51544)
       GROUP BY community_id`,
    );
    expect(rows).toEqual([{ seen_by: ['suricata', 'vpc_flow', 'zeek'] }]);
  });

  it('says when the flow logs were silent', async () => {
    const rows = await query<{ action: string; host: string; ts: string; ts_end: string }>(
      casePath,
      `SELECT action, host, strftime(ts, '%H:%M') AS ts, strftime(ts_end, '%H:%M') AS ts_end FROM events
       WHERE action IN ('flow_log_nodata', 'flow_log_skipdata') ORDER BY ts, host`,
    );
    expect(rows).toEqual([
      { action: 'flow_log_nodata', host: 'i-0a1b2c3d4e5f60718', ts: '02:42', ts_end: '02:43' },
      { action: 'flow_log_nodata', host: 'tgw-attach-0a1b2c3d4e5f6071', ts: '02:45', ts_end: '02:46' },
      { action: 'flow_log_nodata', host: 'eni-0a1b2c3d4e5f60718', ts: '03:00', ts_end: '03:10' },
      { action: 'flow_log_skipdata', host: 'eni-0f9e8d7c6b5a40312', ts: '03:00', ts_end: '03:10' },
    ]);
  });
});
