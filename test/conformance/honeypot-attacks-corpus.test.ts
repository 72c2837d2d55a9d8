/**
 * Conformance over the honeypot evidence of the real attack cases in ../shared/corpus-attacks
 * (Cowrie JSON and text logs, the DShield firewall log), through the built CLI: every record
 * ingested with no warning, each event checked against its raw record read here independently
 * (JSON.parse, plain string splitting), and the two Cowrie logs against each other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/case.js';
import { dwell, ROOT, tempDir } from '../helpers/cli.js';
import { listFiles } from '../helpers/corpus.js';

const ATTACKS = resolve(ROOT, '..', 'shared', 'corpus-attacks');
const present = existsSync(ATTACKS);
if (!present) console.warn(`conformance: ${ATTACKS} is absent; the honeypot attack-case tests are skipped`);

interface Ev {
  path: string;
  format: string;
  line: number;
  ts_us: number;
  action: string;
  outcome: string;
  actor: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  session: string | null;
  command: string | null;
  target: string | null;
  attrs: string;
}

describe.skipIf(!present)('honeypot logs of the attack cases', () => {
  const tmp = tempDir();
  const casePath = join(tmp.path, 'honeypot.duckdb');
  let files: string[] = [];
  let events: Ev[] = [];
  const of = (suffix: string) => events.filter((e) => e.path.endsWith(suffix)).sort((a, b) => a.line - b.line);

  beforeAll(async () => {
    files = listFiles(ATTACKS).filter((p) => /\/cowrie\/[^/]+\.(json|log)$|\/firewall\/dshield\.log$/.test(p));
    const r = await dwell(['ingest', '--case', casePath, ...files]);
    expect(r.code, r.stderr).toBe(0);
    events = await query<Ev>(
      casePath,
      `SELECT v.path, v.format, e.line::INTEGER AS line, epoch_us(ts)::DOUBLE AS ts_us, action, outcome, actor, src_ip, src_port, dst_ip, dst_port,
              session, command, target, attrs::VARCHAR AS attrs
       FROM events e JOIN evidence v USING (evidence_id)`,
    );
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('ingests every line of every file as an event, with no warning', async () => {
    expect(files.length).toBe(3);
    const rows = await query<{ path: string; events: number; warnings: number }>(
      casePath, `SELECT path, events::INTEGER AS events, warnings::INTEGER AS warnings FROM evidence ORDER BY path`,
    );
    for (const r of rows) {
      expect(r.warnings, r.path).toBe(0);
      const lines = readFileSync(r.path, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      expect(r.events, r.path).toBe(lines);
    }
  });

  it('maps each Cowrie JSON record to its event: time, eventid, client, session, account, command, URL', () => {
    const path = files.find((p) => p.endsWith('.json'))!;
    const recs = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const evs = of('.json');
    expect(evs).toHaveLength(recs.length);
    const expectedAction: Record<string, string> = {
      'cowrie.session.connect': 'ssh_connection', 'cowrie.login.success': 'ssh_login', 'cowrie.login.failed': 'ssh_login_failed', 'cowrie.command.input': 'shell_command',
      'cowrie.session.file_download.failed': 'file_download', 'cowrie.session.closed': 'ssh_connection_closed',
    };
    recs.forEach((r, i) => {
      const e = evs[i]!;
      const at = `${path}:${e.line}`;
      expect(e.line, at).toBe(i + 1);
      expect(e.ts_us, at).toBe(Date.parse(r.timestamp) * 1000 + Number(r.timestamp.slice(23, 26)));
      expect(JSON.parse(e.attrs).eventid, at).toBe(r.eventid);
      expect(e.action, at).toBe(expectedAction[r.eventid] ?? `cowrie_${r.eventid.slice(7).replace(/\./g, '_')}`);
      expect(e.src_ip, at).toBe(r.src_ip);
      expect(e.session, at).toBe(r.session);
      if (r.src_port !== undefined) expect(e.src_port, at).toBe(r.src_port);
      if (r.username !== undefined) expect(e.actor, at).toBe(r.username);
      if (r.input !== undefined) expect(e.command, at).toBe(r.input);
      if (r.url !== undefined) expect([e.target, e.outcome], at).toEqual([r.url, 'failure']);
    });
  });

  it('reads the text log’s logins, commands and connections as the JSON log records them (same times, accounts, passwords)', () => {
    const key = (e: Ev) => `${e.ts_us} ${e.action} ${e.actor ?? '-'} ${JSON.parse(e.attrs).password ?? '-'} ${e.command ?? '-'}`;
    const shared = new Set(['ssh_login', 'ssh_login_failed', 'shell_command', 'ssh_connection', 'ssh_connection_closed', 'cowrie_client_version', 'cowrie_client_kex']);
    const j = of('.json').filter((e) => shared.has(e.action)).map(key).sort();
    const t = of('.log').filter((e) => e.format === 'cowrie_log' && shared.has(e.action)).map(key).sort();
    expect(t).toEqual(j);
    // Each "New connection" line names both ends and Cowrie's session id.
    const path = files.find((p) => p.endsWith('cowrie.2024-01-10.log'))!;
    const text = readFileSync(path, 'utf8').split('\n');
    for (const e of of('.log').filter((x) => x.format === 'cowrie_log' && x.action === 'ssh_connection')) {
      const m = / New connection: ([\d.]+):(\d+) \(([\d.]+):(\d+)\) \[session: (\w+)\]$/.exec(text[e.line - 1]!)!;
      expect([e.src_ip, e.src_port, e.dst_ip, e.dst_port, e.session]).toEqual([m[1], Number(m[2]), m[3], Number(m[4]), m[5]]);
    }
  });

  it('reads each DShield firewall line as a one-packet flow with the addresses and ports of its SRC/DST/SPT/DPT', () => {
    const path = files.find((p) => p.endsWith('dshield.log'))!;
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    const evs = of('dshield.log');
    expect(evs).toHaveLength(lines.length);
    lines.forEach((l, i) => {
      const kv = Object.fromEntries(l.split(' ').filter((t) => t.includes('=')).map((t) => t.split('=')));
      const e = evs[i]!;
      expect(e.action).toBe('flow');
      expect(e.ts_us).toBe(Number(l.split(' ')[0]) * 1e6);
      expect([e.src_ip, e.dst_ip, e.src_port, e.dst_port]).toEqual([kv.SRC, kv.DST, Number(kv.SPT), Number(kv.DPT)]);
    });
  });
});
