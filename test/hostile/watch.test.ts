/**
 * dwell watch with attacker-written lines: what reaches the terminal is escaped, and --exec hands
 * the alert to the analyst's command on standard input only — evidence text never becomes part of
 * a command line, however it is quoted.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { alertLine, type AlertJson } from '../../src/watch/alert-output.js';
import { alerts, smallCase, sshLine, startWatch } from '../watch/helpers.js';

const ESC = '\x1b';

function alert(summary: string, file: string): AlertJson {
  return {
    alert_id: 1,
    alerted_at: '2026-12-07T00:00:00Z',
    severity: 'high',
    ts: '2026-12-07T00:00:00.000000Z',
    matched: 'ip:203.0.113.77 (src_ip)',
    entry: { id: 1, kind: 'ip', value: '203.0.113.77' },
    after_containment: true,
    event: { event_id: 1, source: 'auth_log', class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', host: 'web-01', actor: `x${ESC}[2J`, src_ip: '203.0.113.77', dst_ip: null, access_key: null, summary },
    evidence: { evidence_id: 1, file, line: 3 },
  };
}

describe('dwell watch: hostile evidence', () => {
  it('escapes control sequences of the event and the file name in the terminal alert line', () => {
    const line = alertLine(alert(`login ${ESC}]52;c;cm0gLXJmIH4=\x07 done\rFAKE\u202e`, `/logs/a${ESC}[31m.log\n`));
    expect(line).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202e]/);
    expect(line).toContain('\\x1b]52;c;');
    expect(line).toContain('\\r');
    expect(line).toContain('.log\\n:3');
  });

  describe('with the CLI', () => {
    let dir: { path: string; cleanup: () => void };
    let live: string;
    let casePath: string;
    beforeAll(async () => {
      dir = tempDir('dwell-watch-hostile-');
      ({ live, casePath } = await smallCase(dir.path));
    });
    afterAll(() => dir.cleanup());

    it('gives --exec the alert on standard input only: shell syntax in a user name runs nothing', async () => {
      const out = join(dir.path, 'alerts.out');
      const w = await startWatch(['--case', casePath, '--exec', `cat >> '${out}'`, live], dir.path);
      try {
        const users = ['$(touch${IFS}PWNED1)', '`touch${IFS}PWNED2`', "';touch${IFS}PWNED3;'", `x${ESC}]0;pwned${ESC}\\`];
        for (const [i, u] of users.entries()) appendFileSync(join(live, 'auth.log'), sshLine(`Failed password for invalid user ${u} from 203.0.113.77 port ${7000 + i} ssh2`, 7000 + i));
        await w.until((l) => alerts(l).length >= users.length, 10_000, 'the alerts');
        // --exec runs after the alert is printed: give the commands a moment.
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && (!existsSync(out) || readFileSync(out, 'utf8').trim().split('\n').length < users.length)) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await w.stop('SIGTERM');
      }
      const handed = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AlertJson);
      expect(handed).toHaveLength(4);
      for (const [i, u] of ['$(touch${IFS}PWNED1)', '`touch${IFS}PWNED2`', "';touch${IFS}PWNED3;'"].entries()) {
        expect(handed[i]!.event.actor).toBe(u);
        expect(existsSync(join(dir.path, `PWNED${i + 1}`))).toBe(false);
        expect(existsSync(join(live, `PWNED${i + 1}`))).toBe(false);
      }
    });
  });
});
