/**
 * Findings depend on what happened, not on how the evidence was dated or which sources came with
 * it: the same attack in another year and time zone gives the same findings shifted by exactly the
 * difference; a case without one source gives the same findings for what the other sources show.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { attackDir, correlateJson } from '../helpers/attacks.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** What the findings say, without event ids (they depend on ingest order) and with times shifted by `shiftMs`. */
function essence(f: any, shiftMs = 0) {
  const t = (s: string | null) => (s === null ? null : new Date(Date.parse(s) + shiftMs).toISOString().replace('.000Z', 'Z'));
  return {
    answers: Object.fromEntries(Object.entries(f.answers).map(([k, v]) => [k, typeof v === 'string' && /At$|_at$/.test(k) ? t(v) : v])),
    entities: f.entities.map((e: any) => `${e.kind} ${e.value} ${e.host ?? ''} ${[...e.roles].join('+')} ${e.event_ids.length}`).sort(),
    ips: f.ips.map((i: any) => `${i.ip} ${i.roles.join('+')}`),
    backdoors: f.backdoors.map((b: any) => `${b.kind} ${b.value} ${b.host}`),
    timeline: f.timeline.map((x: any) => `${t(x.ts)} ${x.phase} ${basename(x.evidence.file)}:${x.evidence.line}`),
  };
}

async function caseOf(name: string, files: string[], ingestArgs: string[]): Promise<string> {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  const casePath = join(dir, 'case.duckdb');
  const r = await dwell(['ingest', '-q', '--case', casePath, ...ingestArgs, ...files]);
  expect([0, 3], r.stderr).toContain(r.code);
  return casePath;
}

describe('findings do not depend on how the evidence was dated', () => {
  it('the same auth.log read as 2026 in UTC and as 2025 in Europe/Berlin: the same findings, 365 days and one hour apart', async () => {
    const ev = join(tmp.path, 'ev', 'web-01');
    mkdirSync(ev, { recursive: true });
    copyFileSync('fixtures/auth/web-01/auth.log', join(ev, 'auth.log'));
    const a = await caseOf('utc-2026', [ev], ['--year', '2026', '--tz', 'UTC']);
    const b = await caseOf('berlin-2025', [ev], ['--year', '2025', '--tz', 'Europe/Berlin']);
    const fa = (await correlateJson(a, ['--seed', 'ip:203.0.113.77'])).f;
    const fb = (await correlateJson(b, ['--seed', 'ip:203.0.113.77'])).f;
    expect(fa.timeline.length).toBeGreaterThan(5);
    // Local 2025-01-02 02:16 in Berlin is 01:16 UTC: 365 days and one hour before 2026-01-02 02:16 UTC.
    expect(essence(fb, (365 * 24 + 1) * 3600e3)).toEqual(essence(fa));
    expect(fb.uncertainty.time.map((u: any) => u.time_quality)).toEqual(['zone_assumed']);
  }, 300_000);
});

const dshield = attackDir('dshield-honeypot-ssh-bruteforce');

describe.skipIf(!dshield)('findings do not depend on which other sources came with the evidence', () => {
  it("without Zeek's notice.log, the findings from conn.log and ssh.log are the same", async () => {
    const zeek = join(dshield!, 'zeek');
    const all = await caseOf('all', [zeek], []);
    const part = await caseOf('part', [join(zeek, 'conn.log'), join(zeek, 'ssh.log')], []);
    const fa = essence((await correlateJson(all, ['--seed', 'ip:138.197.148.152'])).f);
    const fp = essence((await correlateJson(part, ['--seed', 'ip:138.197.148.152'])).f);
    const notNotice = (line: string) => !/ notice\.log:/.test(line);
    expect(fp.timeline).toEqual(fa.timeline.filter(notNotice));
    expect(fp.ips).toEqual(fa.ips);
    // The notices came last: only the last activity (and so the access duration) may differ.
    const but = (a: any) => ({ ...a, last_attacker_activity_at: null, access_duration_seconds: null });
    expect(but(fp.answers)).toEqual(but(fa.answers));
    expect(existsSync(join(zeek, 'notice.log'))).toBe(true);
  }, 300_000);
});
