/**
 * CTU-Malware-Capture-Botnet-355-1 (NARRATIVE.md): Simda on 192.168.1.116 looks up DGA names (129
 * NXDOMAIN) and polls /login.php on 200 DGA hosts at 21 addresses. Times are relative (1970).
 * Seed: the infected host's address, as a DGA alert names it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { attackDir, correlateJson, ingestCase } from '../helpers/attacks.js';

const dir = attackDir('ctu-355-1-simda-dga-zeek');

describe.skipIf(!dir)('CTU 355-1 Simda: DGA lookups and C2 polling from one host', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let f: any;
  beforeAll(async () => {
    await ingestCase(casePath, ['conn.log', 'dns.log', 'http.log'].map((n) => join(dir!, n)));
    const r = await correlateJson(casePath, ['--seed', 'ip:192.168.1.116', '--include-relative']);
    expect(r.code, r.stderr).toBe(0);
    f = r.f;
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it("puts every HTTP request of the infected host (all 992 of the excerpt are its) in the timeline", async () => {
    const http = await query<{ n: number }>(casePath, `SELECT count(*) AS n FROM events WHERE action = 'http_request' AND src_ip = '192.168.1.116'`);
    expect(Number(http[0]!.n)).toBe(992);
    const ids = new Set(f.timeline.map((t: any) => t.event_id));
    const all = await query<{ event_id: number }>(casePath, `SELECT event_id FROM events WHERE action = 'http_request' AND src_ip = '192.168.1.116'`);
    expect(all.filter((e) => !ids.has(Number(e.event_id)))).toEqual([]);
  });

  it('does not call the resolvers attacker infrastructure', () => {
    for (const resolver of ['8.8.8.8', 'fd77:48a1:c0bb::1']) expect(JSON.stringify(f.ips)).not.toContain(resolver);
  });

  it.fails('detects the DGA: many NXDOMAIN names from one host (known failure: DGA-like DNS detection is not built yet)', () => {
    expect(f.detections.map((d: any) => d.rule_id).join(' ')).toMatch(/dga|nxdomain/i);
  });

  it.fails('names the C2 servers that answered the polling (208.100.26.251, 23.253.126.58, 35.225.160.245, 104.239.157.210) as attacker infrastructure (known failure: the network-only link is not built yet)', () => {
    const ips = f.ips.map((i: any) => i.ip);
    for (const c2 of ['208.100.26.251', '23.253.126.58', '35.225.160.245', '104.239.157.210']) expect(ips).toContain(c2);
  });
});
