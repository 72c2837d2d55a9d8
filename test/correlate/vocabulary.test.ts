/**
 * The vocabulary is what correlation reads: no rule, link or finding selects events by the parser
 * that wrote them, every action the parsers emit is declared, and a second source of the same fact
 * (Zeek's ssh.log beside sshd's auth.log) feeds the same rule files unchanged.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_GROUPS, ACTIONS, actionSpec, isCloudCall } from '../../src/core/vocabulary.js';
import { loadRules } from '../../src/correlate/rules.js';
import { authLog } from '../../src/parsers/auth-log.js';
import { PARSERS } from '../../src/parsers/registry.js';
import { zeekTsv } from '../../src/parsers/zeek-tsv.js';
import { ROOT } from '../helpers/cli.js';
import { MiniCase } from '../helpers/mini-case.js';
import { runParser } from '../helpers/run-parser.js';

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

describe('correlation selects on the vocabulary, not on parsers', () => {
  const names = [...new Set(PARSERS.flatMap((p) => [p.name, p.source]))];
  const files = filesUnder(join(ROOT, 'src', 'correlate'), /\.(ts|sql)$/);

  it('no file under src/correlate names a parser or compares source with a value', () => {
    const offences: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const where = `${f.slice(ROOT.length)}:${i + 1}: ${line.trim().slice(0, 120)}`;
        for (const n of names) if (new RegExp(`['"\`]${n}['"\`]`).test(line)) offences.push(`${where}  (parser name ${n})`);
        if (/\bsource\s*(=|<>|!=)\s*['$]|\bsource\s+(NOT\s+)?IN\s*\(\s*['$]/i.test(line)) offences.push(`${where}  (SQL on source)`);
        if (/\.source\s*[!=]==?\s*['"`]|switch\s*\(\s*[\w.]*\bsource\s*\)/.test(line)) offences.push(`${where}  (code on source)`);
      });
    }
    expect(offences).toEqual([]);
  });

  it('the check above would catch the old forms', () => {
    const old = ["WHERE source = 'auth_log' AND action = 'ssh_login'", "source NOT IN ('auth_log', 'cloudtrail')", "if (r.source === 'cloudtrail')", 'switch (e.source) {'];
    for (const line of old) expect(/\bsource\s*(=|<>|!=)\s*['$]|\bsource\s+(NOT\s+)?IN\s*\(\s*['$]|\.source\s*[!=]==?\s*['"`]|switch\s*\(\s*[\w.]*\bsource\s*\)/i.test(line), line).toBe(true);
  });
});

describe('the vocabulary declares every action the parsers emit', () => {
  it('on every reviewed expected output, with the class it carries', () => {
    const missing = new Set<string>();
    for (const f of filesUnder(join(ROOT, 'fixtures', 'expected'), /\.jsonl$/)) {
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { action?: string; class?: string };
        if (!e.action) continue;
        const spec = actionSpec(e.action);
        if (!spec || !spec.classes.includes(e.class as never)) missing.add(`${e.action} (${e.class})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("on every parser's samples and the Zeek ssh.log fixture", async () => {
    const missing: string[] = [];
    for (const p of PARSERS) {
      const run = await runParser(p, p.samples.join('\n') + '\n', { year: 2026 });
      for (const e of run.events) if (!actionSpec(e.action)?.classes.includes(e.class)) missing.push(`${p.name}: ${e.action} (${e.class})`);
    }
    const ssh = await runParser(zeekTsv, readFileSync(join(ROOT, 'fixtures', 'netflow', 'zeek-ssh', 'ssh.log')));
    for (const e of ssh.events) if (!actionSpec(e.action)?.classes.includes(e.class)) missing.push(`zeek ssh.log: ${e.action} (${e.class})`);
    expect(missing).toEqual([]);
  });

  it('only cloud API calls carry a colon (the is_cloud_call macro relies on it), and every group names declared actions', () => {
    for (const a of ACTIONS) if (!a.pattern) expect(a.action.includes(':'), a.action).toBe(false);
    expect(isCloudCall('s3.amazonaws.com:GetObject')).toBe(true);
    expect(isCloudCall('ssh_login')).toBe(false);
    for (const [group, actions] of Object.entries(ACTION_GROUPS)) for (const a of actions) expect(actionSpec(a), `${group}: ${a}`).toBeDefined();
  });
});

describe('a second SSH source feeds the same rules', () => {
  const rules = new Map(loadRules().map((r) => [r.id, r]));
  let mini: MiniCase;
  beforeAll(async () => (mini = await MiniCase.create()));
  afterAll(() => mini.close());

  async function hits(ruleId: string): Promise<string[]> {
    const rows = await mini.rows<{ k: string }>(`SELECT DISTINCT CAST(hit_key AS VARCHAR) AS k FROM (\n${rules.get(ruleId)!.sql}\n) ORDER BY k`);
    return rows.map((r) => r.k);
  }

  it("Zeek ssh.log logins are ssh_login / ssh_login_failed, with the sensor's blind spots said", async () => {
    const run = await runParser(zeekTsv, readFileSync(join(ROOT, 'fixtures', 'netflow', 'zeek-ssh', 'ssh.log')));
    expect(run.warnings).toEqual([]);
    expect(run.events.map((e) => e.action)).toEqual([...Array(6).fill('ssh_login_failed'), 'ssh_connection', 'ssh_login']);
    const ok = run.events[7]!;
    expect(ok).toMatchObject({ class: 'authentication', outcome: 'success', src_ip: '198.51.100.66', dst_ip: '10.20.0.5', dst_port: 22, host: null });
    expect(ok.actor ?? null).toBeNull();
    expect(ok.attrs).toMatchObject({ user_visible: false });
    expect(run.events[0]!.attrs).toMatchObject({ repeated: 2 });
  });

  it('fire the brute-force rules on the Zeek records exactly as on the auth.log lines of the same attack', async () => {
    const zeek = await runParser(zeekTsv, readFileSync(join(ROOT, 'fixtures', 'netflow', 'zeek-ssh', 'ssh.log')));
    await mini.file('zeek', 'sensor/ssh.log', zeek.events);
    const zeekHits = { brute: await hits('access.ssh_bruteforce'), after: await hits('access.ssh_success_after_bruteforce') };
    expect(zeekHits).toEqual({ brute: ['198.51.100.66'], after: ['198.51.100.66'] });

    await mini.conn.run('DELETE FROM events');
    const lines: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = `10:0${Math.floor((20 * i) / 60)}:${String((20 * i) % 60).padStart(2, '0')}`;
      for (let k = 0; k < 2; k++) lines.push(`Mar  4 ${t} web-05 sshd[${1000 + i}]: Failed password for root from 198.51.100.66 port ${40100 + i} ssh2`);
    }
    lines.push('Mar  4 10:02:30 web-05 sshd[1011]: Accepted password for root from 198.51.100.66 port 40111 ssh2');
    const auth = await runParser(authLog, lines.join('\n') + '\n', { year: 2026 });
    await mini.file('auth_log', 'web-05/auth.log', auth.events);
    expect({ brute: await hits('access.ssh_bruteforce'), after: await hits('access.ssh_success_after_bruteforce') }).toEqual(zeekHits);
  });
});

it('docs/vocabulary.md lists every declared action and group', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'vocabulary.md'), 'utf8');
  for (const a of ACTIONS) expect(doc, a.action).toContain(`\`${a.action}\``);
  for (const g of Object.keys(ACTION_GROUPS)) expect(doc, g).toContain(`\`${g}\``);
});

it('docs/correlation.md lists every footprint link of the registry', async () => {
  const { ENTITY_LINKS, HOST_LINKS, ROUND_LINKS } = await import('../../src/correlate/links/index.js');
  const doc = readFileSync(join(ROOT, 'docs', 'correlation.md'), 'utf8');
  for (const l of [...ENTITY_LINKS, ...ROUND_LINKS, ...HOST_LINKS]) expect(doc, l.name).toContain(`\`${l.name}\``);
});
