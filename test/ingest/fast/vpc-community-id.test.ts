/**
 * The Community ID the VPC fast path computes in SQL (src/parsers/vpc-flow.sql.ts: the 16 input
 * bytes as one 128-bit integer, BIT → BLOB, SHA-1, base64) equals the spec's published vectors and
 * the JS implementation (netflow/community-id.ts). Every IPv4 vector of the spec that a VPC record
 * can carry (seed 0; TCP, UDP, SCTP and a port-less protocol; VPC records have no ICMP type, so
 * ICMP gets no Community ID on either path) is written as a flow line, ingested through DuckDB,
 * and its stored value compared; generated tuples (both directions, equal addresses ordered by
 * port, port-less protocols, extreme addresses and ports) are compared with the JS function.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/pipeline.js';
import { communityId } from '../../../src/parsers/netflow/community-id.js';
import { query } from '../../helpers/case.js';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { parseCsv } from '../../helpers/corpus.js';
import { INGEST_MS } from './compare.js';

const SPEC = join(ROOT, '..', 'shared', 'specs', 'community-id', 'baseline');
const haveSpec = existsSync(SPEC);
if (!haveSpec) console.warn(`vpc-community-id: ${SPEC} is absent; the spec's vectors are skipped (generated tuples still run)`);

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

interface Tuple {
  proto: number;
  saddr: string;
  daddr: string;
  sport: number | null;
  dport: number | null;
  want: string;
}

const isV4 = (a: string) => /^\d+\.\d+\.\d+\.\d+$/.test(a);

function specVectors(): Tuple[] {
  if (!haveSpec) return [];
  const out: Tuple[] = [];
  const json = JSON.parse(readFileSync(join(SPEC, 'baseline_deflt.json'), 'utf8')) as Array<{ proto: number; saddr: string; daddr: string; sport: number | null; dport: number | null; communityid: string }>;
  for (const v of json) out.push({ proto: v.proto, saddr: v.saddr, daddr: v.daddr, sport: v.sport, dport: v.dport, want: v.communityid });
  const rows = parseCsv(readFileSync(join(SPEC, 'readme_tables.csv'), 'utf8')).filter((r) => r.length > 8);
  const h = rows.shift()!;
  const col = (r: string[], n: string) => r[h.indexOf(n)]!;
  for (const r of rows) {
    if (col(r, 'seed') !== '0' || col(r, 'base64') !== 'true') continue;
    const port = (s: string) => (s === '' ? null : Number(s));
    out.push({ proto: Number(col(r, 'proto')), saddr: col(r, 'saddr'), daddr: col(r, 'daddr'), sport: port(col(r, 'sport')), dport: port(col(r, 'dport')), want: col(r, 'community_id') });
  }
  // What a VPC record can carry and the SQL path takes: IPv4 (IPv6 goes to JS), no ICMP.
  return out.filter((v) => isV4(v.saddr) && isV4(v.daddr) && v.proto !== 1 && v.proto !== 58);
}

function generatedTuples(): Tuple[] {
  let seed = 7;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ip = () => `${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const raw: Array<Omit<Tuple, 'want'>> = [
    { proto: 6, saddr: '10.0.0.1', daddr: '10.0.0.1', sport: 5353, dport: 53 },
    { proto: 6, saddr: '10.0.0.1', daddr: '10.0.0.1', sport: 53, dport: 5353 },
    { proto: 17, saddr: '10.0.0.1', daddr: '10.0.0.1', sport: 53, dport: 53 },
    { proto: 47, saddr: '10.0.0.1', daddr: '10.0.0.1', sport: 0, dport: 0 },
    { proto: 6, saddr: '255.255.255.255', daddr: '0.0.0.0', sport: 65535, dport: 0 },
    { proto: 132, saddr: '0.0.0.0', daddr: '255.255.255.255', sport: 0, dport: 65535 },
    { proto: 0, saddr: '192.0.2.1', daddr: '198.51.100.2', sport: 0, dport: 0 },
    { proto: 255, saddr: '198.51.100.2', daddr: '192.0.2.1', sport: 0, dport: 0 },
  ];
  for (let i = 0; i < 400; i++) {
    const proto = [6, 17, 132, 47, 50, 41][i % 6]!;
    raw.push({ proto, saddr: ip(), daddr: ip(), sport: Math.floor(r() * 65536), dport: Math.floor(r() * 65536) });
  }
  return raw.map((t) => ({ ...t, want: communityId(t.proto, t.saddr, t.daddr, t.sport, t.dport)! }));
}

describe('Community ID computed in SQL by the VPC fast path', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('equals the spec vectors and the JS implementation, line by line', async () => {
    const spec = specVectors();
    if (haveSpec) expect(spec.length).toBeGreaterThanOrEqual(14);
    const tuples = [...spec, ...generatedTuples()];
    const lines = tuples.map((t, i) => `2 123456789012 eni-0a1b2c3d4e5f60718 ${t.saddr} ${t.daddr} ${t.sport ?? 0} ${t.dport ?? 0} ${t.proto} 10 840 ${1718530000 + i} ${1718530060 + i} ACCEPT OK`);
    const file = join(tmp.path, 'vectors.log');
    writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
    const casePath = join(tmp.path, 'case.duckdb');
    const report = await ingest({ casePath, inputs: [file], tz: 'UTC', ingestMs: INGEST_MS, index: false });
    // Read by DuckDB: otherwise this would compare the JS implementation with itself.
    expect(report.files.map((f) => f.readBy)).toEqual(['sql']);
    const rows = await query<{ line: number; community_id: string | null }>(casePath, `SELECT line::INTEGER AS line, community_id FROM events ORDER BY line`);
    expect(rows.length).toBe(tuples.length);
    for (const row of rows) {
      const t = tuples[row.line - 2]!;
      expect(row.community_id, `line ${row.line}: ${JSON.stringify(t)}`).toBe(t.want);
    }
  });
});
