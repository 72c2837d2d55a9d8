import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { authLog } from '../../src/parsers/auth-log.js';
import { compareExpected } from '../helpers/expected.js';
import { essentials, runParser } from '../helpers/run-parser.js';

const FIX = new URL('../../fixtures/auth/', import.meta.url);
const EXPECTED = new URL('../../fixtures/expected/auth/', import.meta.url);

function fixture(name: string): Buffer {
  const buf = readFileSync(new URL(name, FIX));
  return name.endsWith('.gz') ? gunzipSync(buf) : buf;
}

describe('auth_log parser on the bundled fixtures', () => {
  for (const name of ['web-01/auth.log', 'web-01/auth.log.1', 'web-01/auth.log.2.gz', 'db-01/secure']) {
    it(`parses ${name} into the reviewed expected events`, async () => {
      const run = await runParser(authLog, fixture(name), { year: 2026, tz: 'UTC' });
      const actual = run.events.map(essentials);
      const expected = compareExpected(new URL(name.replace(/\//g, '__') + '.jsonl', EXPECTED).pathname, actual);
      expect(actual).toEqual(expected);
      // Every line is accounted for.
      const d = run.dispositions;
      expect(d.record + d.continuation + d.warning + d.meta + d.blank).toBe(run.lines);
    });
  }
});

describe('auth_log sshd', () => {
  it('reads an accepted publickey login with key type and fingerprint', async () => {
    const { events } = await runParser(authLog, 'Mar 11 19:26:39 web1 sshd[312]: Accepted publickey for plaso from 192.168.0.1 port 59229 ssh2: RSA 00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99\n', { year: 2026 });
    expect(events[0]).toMatchObject({ action: 'ssh_login', outcome: 'success', actor: 'plaso', src_ip: '192.168.0.1', src_port: 59229, host: 'web1', session: 'sshd[312]' });
    expect(events[0]!.attrs).toMatchObject({ method: 'publickey', key_type: 'RSA', key_fingerprint: '00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99' });
  });

  it('reads IPv6 sources and keeps a malformed address as written', async () => {
    const { events } = await runParser(
      authLog,
      'Mar 11 22:55:30 h sshd[3]:  Accepted password for plaso from 2001:0db8:0a0b:12f0:0000:0000:0000:0001 port 42532  ssh2\nMar 11 22:55:30 h sshd[3]:  Failed publickey for plaso from 001:db8:a0b:12f0::1 port 8759\n',
      { year: 2026 },
    );
    expect(events.map((e) => [e.action, e.src_ip, e.src_port])).toEqual([
      ['ssh_login', '2001:0db8:0a0b:12f0:0000:0000:0000:0001', 42532],
      ['ssh_login_failed', '001:db8:a0b:12f0::1', 8759],
    ]);
  });

  it('counts "message repeated N times" as the inner message with a repeat count', async () => {
    const { events } = await runParser(authLog, 'Jan  2 02:14:24 w sshd[1]: message repeated 4 times: [ Failed password for deploy from 203.0.113.77 port 39160 ssh2]\n', { year: 2026 });
    expect(events[0]).toMatchObject({ action: 'ssh_login_failed', actor: 'deploy', src_ip: '203.0.113.77' });
    expect(events[0]!.attrs).toMatchObject({ repeated: 4 });
  });

  it('reads old-style sshd(pam_unix) lines with rhost', async () => {
    const { events } = await runParser(authLog, 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 \n', { year: 2005 });
    expect(events[0]).toMatchObject({ action: 'ssh_auth_failure', outcome: 'failure', src_ip: '218.188.2.4', session: 'sshd[19939]' });
  });
});

describe('auth_log sudo', () => {
  it('joins "(command continued)" lines and decodes #012 / #011', async () => {
    const text = fixture('web-01/auth.log').toString('utf8');
    const { events } = await runParser(authLog, text, { year: 2026 });
    const e = events.find((x) => x.command?.includes('authorized_keys'))!;
    expect(e.command).toBe("/bin/sh -c echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9 backup@ops' >> /root/.ssh/authorized_keys;\nchmod 600 /root/.ssh/authorized_keys;\nhistory -c");
    expect(e.raw.split('\n')).toHaveLength(2);
  });

  it('reads refusals with their reason', async () => {
    const { events } = await runParser(authLog, 'Feb 20 10:00:00 h sudo:      tsg : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls\n', { year: 2026 });
    expect(events[0]).toMatchObject({ action: 'sudo_failed', outcome: 'failure', actor: 'tsg', target: 'root', command: '/bin/ls' });
    expect(events[0]!.attrs).toMatchObject({ reason: 'user NOT in sudoers' });
  });
});

describe('auth_log systemd', () => {
  it('reads a unit systemd names as started; a description alone or a session scope stays a raw line', async () => {
    const { events } = await runParser(
      authLog,
      'Feb 10 15:24:19 w systemd[1]: Started dbus-kworker.service - D-Bus kernel worker.\nFeb 10 15:24:20 w systemd[1]: Started Session 42 of User postgres.\nFeb 10 15:24:21 w systemd[1]: Started D-Bus kernel worker.\n',
      { year: 2025 },
    );
    expect(events[0]).toMatchObject({ class: 'system_activity', action: 'service_started', target: 'dbus-kworker.service', summary: 'systemd started dbus-kworker.service (D-Bus kernel worker)' });
    expect(events.slice(1).map((e) => e.action)).toEqual(['other', 'other']);
  });
});

describe('auth_log time', () => {
  it('walks years across a December → January roll-over, dated by the file mtime', async () => {
    const text = 'Dec 31 23:59:59 h sshd[1]: Server listening on 0.0.0.0 port 22.\nJan  1 00:00:01 h sshd[1]: Server listening on 0.0.0.0 port 22.\n';
    const run = await runParser(authLog, text, { mtimeMs: Date.UTC(2026, 0, 5) });
    expect(run.events.map((e) => new Date(e.ts / 1000).toISOString())).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:01.000Z']);
    expect(run.events.every((e) => e.time_quality === 'year_inferred')).toBe(true);
    expect(run.yearShift).toBe(0);
  });

  it('asks for a year shift when the last line would otherwise be after the mtime', async () => {
    const run = await runParser(authLog, 'Nov 30 10:00:00 h sshd[1]: Server listening on :: port 22.\nDec  1 10:00:00 h sshd[1]: Server listening on :: port 22.\nJan  2 10:00:00 h sshd[1]: Server listening on :: port 22.\n', {
      mtimeMs: Date.UTC(2026, 0, 3),
    });
    // The first line dates the provisional year (Nov 30 before Jan 3 → 2025), one roll-over → 2026: no shift.
    expect(run.yearShift).toBe(0);
    expect(new Date(run.events[2]!.ts / 1000).getUTCFullYear()).toBe(2026);
  });

  it('applies --tz to zone-less times and marks them', async () => {
    const run = await runParser(authLog, 'Jul  1 12:00:00 h sshd[1]: Server listening on :: port 22.\n', { year: 2026, tz: 'Europe/Berlin' });
    expect(new Date(run.events[0]!.ts / 1000).toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(run.events[0]!.time_quality).toBe('zone_assumed');
  });

  it('keeps offsets written in the data and marks them exact', async () => {
    const run = await runParser(authLog, '2026-01-02T02:40:12.118842+01:00 db-01 sshd[8812]: Server listening on :: port 22.\n', { tz: 'America/New_York' });
    expect(run.events[0]).toMatchObject({ ts: Date.UTC(2026, 0, 2, 1, 40, 12) * 1000 + 118842, time_quality: 'exact' });
  });

  it('dates Feb 29 in a non-leap inferred year in the previous leap year, with a warning', async () => {
    const run = await runParser(authLog, 'Feb 29 01:15:43 h sshd[1]: Server listening on :: port 22.\n', { mtimeMs: Date.UTC(2026, 5, 1) });
    expect(new Date(run.events[0]!.ts / 1000).getUTCFullYear()).toBe(2024);
    expect(run.warnings[0]!.reason).toMatch(/not a leap year/);
  });
});

describe('auth_log robustness', () => {
  it('keeps a line it cannot parse as a warning with its line number', async () => {
    const run = await runParser(authLog, 'Jan  2 02:00:00 h sshd[1]: Server listening on :: port 22.\n### not syslog\n', { year: 2026 });
    expect(run.events).toHaveLength(1);
    expect(run.warnings).toEqual([{ line: 2, byte_offset: 59, raw: '### not syslog', reason: expect.stringMatching(/not a syslog line/) }]);
  });

  it('turns unknown syslog messages into events with action other and the raw line', async () => {
    const run = await runParser(authLog, 'Jan  2 02:00:00 h kernel: something odd\n', { year: 2026 });
    expect(run.events[0]).toMatchObject({ action: 'other', class: 'other', raw: 'Jan  2 02:00:00 h kernel: something odd' });
  });

  it('appends TAB-indented lines to the previous record', async () => {
    const run = await runParser(authLog, 'Aug 16 00:32:15 Tims-Air syslogd[314]: Configuration Notice:\n\tASL Module "com.apple.install" claims selected messages.\n', { year: 2026 });
    expect(run.events).toHaveLength(1);
    expect(run.dispositions).toMatchObject({ record: 1, continuation: 1 });
    expect(run.events[0]!.raw).toContain('claims selected messages');
  });

  it('splits rsyslog forward-format lines into records but not injected text in ordinary lines', async () => {
    const fwd = await runParser(authLog, '<15>2021-03-06T04:07:33.194677+00:00 hostname log_tag this is debug<14>2021-03-06T04:07:33.196352+00:00 hostname log_tag this is info\n');
    expect(fwd.events).toHaveLength(2);
    expect(fwd.events[1]!.byte_offset).toBe(67);
    const injected = await runParser(authLog, 'Jan  2 02:14:09 w sshd[1]: Invalid user <13>Jan  2 02:14:10 w sshd[2]: Accepted password for root from 10.0.0.1 port 1 ssh2 from 203.0.113.77 port 39144\n', { year: 2026 });
    expect(injected.events).toHaveLength(1);
    expect(injected.events.some((e) => e.action === 'ssh_login')).toBe(false);
  });

  it('reads the RFC 5424 fixture: offsets, nil fields, several SD elements with an escaped bracket, a BOM before the message, a nil time as a warning', async () => {
    const run = await runParser(authLog, fixture('../variants/rfc5424/auth.log'));
    const actual = run.events.map(essentials);
    expect(actual).toEqual(compareExpected(new URL('../../fixtures/expected/variants/rfc5424__auth.log.jsonl', import.meta.url).pathname, actual));
    expect(run.events.map((e) => e.action)).toEqual(['ssh_login_failed', 'ssh_login', 'sudo', 'su_session_opened', 'user_created', 'ssh_invalid_user', 'other']);
    expect(run.events[1]!.ts).toBe(Date.UTC(2026, 0, 2, 2, 21, 1, 4) * 1000 + 102);
    expect(run.events[4]!.attrs).toMatchObject({ shell: '/bin/bash' });
    expect(run.events[5]!.attrs).toMatchObject({ msgid: 'AUTH', structured_data: '[exampleSDID@32473 iut="3" eventSource="sshd" note="a \\] inside"][examplePriority@32473 class="high"]' });
    expect(run.events[6]).toMatchObject({ host: null, session: null });
    expect(run.warnings).toEqual([expect.objectContaining({ line: 8, reason: 'RFC 5424 record without a timestamp' })]);
  });

  it('reads RFC 5424 lines with structured data', async () => {
    const run = await runParser(authLog, '<38>1 2026-01-02T01:45:00.000000Z db-01 sshd 8812 ID47 [exampleSDID@32473 iut="3"] Accepted password for bob from 10.0.0.2 port 22 ssh2\n');
    expect(run.events[0]).toMatchObject({ action: 'ssh_login', actor: 'bob', host: 'db-01', session: 'sshd[8812]', time_quality: 'exact' });
    expect(run.events[0]!.attrs).toMatchObject({ msgid: 'ID47', structured_data: '[exampleSDID@32473 iut="3"]', facility: 4, severity: 6 });
  });

  it('sniffs auth logs but not JSON, CSV or prose', () => {
    const head = (text: string) => ({ name: 'x.log', path: 'x.log', text, lines: text.split('\n') });
    expect(authLog.sniff(head('Mar 11 19:26:39 web1 sshd[312]: Accepted password for deploy from 203.0.113.9 port 50115 ssh2\n'))?.confidence).toBeGreaterThan(60);
    expect(authLog.sniff(head('{"Records":[]}'))).toBeNull();
    expect(authLog.sniff(head('LineId,Month,Date,Time\n1,Dec,10,06:55:46\n'))).toBeNull();
    expect(authLog.sniff(head('# auth/plaso\n\n- Repository: x\n'))).toBeNull();
    // Twisted-style application logs (the Cowrie honeypot's text log): a component in brackets where syslog has its host.
    expect(authLog.sniff(head([
      '2026-01-10T02:01:37.777153Z [cowrie.ssh.factory.CowrieSSHFactory] New connection: 203.0.113.77:45526 (10.0.1.25:2222) [session: 0a50b73a3389]',
      '2026-01-10T02:01:37.845658Z [HoneyPotSSHTransport,72,203.0.113.77] Connection lost after 0 seconds',
      '2026-01-10T02:01:38.101010Z [HoneyPotSSHTransport,73,203.0.113.77] login attempt [b\'root\'/b\'123456\'] failed',
    ].join('\n')))).toBeNull();
  });
});

describe('auth_log account changes', () => {
  it('reads useradd’s trailing from= (shadow-utils 4.6+) apart from the shell', async () => {
    const { events } = await runParser(authLog, 'Jan  2 02:23:10 web-01 useradd[4401]: new user: name=backdoor, UID=1002, GID=1002, home=/home/backdoor, shell=/bin/bash, from=/dev/pts/1\n', { year: 2026 });
    expect(events[0]).toMatchObject({ action: 'user_created', target: 'backdoor' });
    expect(events[0]!.attrs).toMatchObject({ shell: '/bin/bash', from: '/dev/pts/1', uid: 1002 });
  });
});
