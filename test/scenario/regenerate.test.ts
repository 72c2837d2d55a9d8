/**
 * The committed scenario fixture is the generator's output for its seed at scale 1, byte for byte,
 * and its ground truth is consistent with itself.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/scenario/generate.js';
import { tempDir } from '../helpers/cli.js';
import { EVIDENCE, EXPECTED_PATH, expected, FIXTURE_SCALE, listFiles } from './helpers.js';

describe('the committed scenario fixture', () => {
  const tmp = tempDir('dwell-scenario-');
  const out = join(tmp.path, 'evidence');
  const exp = expected();

  beforeAll(async () => {
    await generate({ out, expected: join(tmp.path, 'expected.json'), seed: exp.generator.seed, scale: FIXTURE_SCALE });
  });
  afterAll(() => tmp.cleanup());

  it('regenerates byte-identically from its seed (every evidence file and expected.json)', () => {
    const committed = listFiles(EVIDENCE);
    expect(listFiles(out)).toEqual(committed);
    const differ: string[] = [];
    for (const rel of committed) {
      const a = readFileSync(join(EVIDENCE, rel));
      const b = readFileSync(join(out, rel));
      if (a.equals(b)) continue;
      // Say whether only the compression differs (another zlib) or the content itself.
      const same = rel.endsWith('.gz') && gunzipSync(a).equals(gunzipSync(b));
      differ.push(`${rel}${same ? ' (same content, different gzip bytes: zlib ' + process.versions.zlib + ')' : ''}`);
    }
    expect(differ).toEqual([]);
    expect(readFileSync(join(tmp.path, 'expected.json'), 'utf8')).toBe(readFileSync(EXPECTED_PATH, 'utf8'));
  });

  it('gives each generated file the time of its last record as mtime', () => {
    const auth = statSync(join(out, 'bastion-01/var/log/auth.log.1'));
    // auth.log.1 ends before the rotation at Wed 31 Dec 00:00 local (30 Dec 23:00 UTC).
    expect(auth.mtimeMs).toBeLessThan(Date.UTC(2025, 11, 30, 23, 0, 0));
    expect(auth.mtimeMs).toBeGreaterThan(Date.UTC(2025, 11, 30, 20, 0, 0));
    const live = statSync(join(out, 'zeek/conn.log'));
    expect(live.mtimeMs).toBeLessThanOrEqual(Date.parse('2026-01-03T10:00:00Z'));
  });

  it('keeps the fixture small (under ~2 MB with its ground truth)', () => {
    const size = listFiles(EVIDENCE).reduce((s, rel) => s + statSync(join(EVIDENCE, rel)).size, 0) + statSync(EXPECTED_PATH).size;
    expect(size).toBeLessThan(2.2 * 1024 * 1024);
  });
});

describe('the ground truth (expected.json)', () => {
  const exp = expected();
  const keyTimes = new Set<string>(exp.key_events.map((k: { ts: string }) => k.ts));

  it('follows the findings schema of docs/findings.md', () => {
    expect(exp.schema).toBe('dwell.findings/v1');
    for (const k of ['answers', 'entities', 'backdoors', 'compromised_data', 'credentials_to_rotate', 'ips', 'exfiltration', 'seed', 'alternate_seeds', 'traps', 'ingest']) {
      expect(exp, k).toHaveProperty(k);
    }
    for (const k of ['first_recon_at', 'initial_access_at', 'initial_access_vector', 'detected_at', 'last_attacker_activity_at', 'contained_at', 'dwell_time_seconds', 'access_duration_seconds']) {
      expect(exp.answers, k).toHaveProperty(k);
    }
    expect(exp.ingest.tz).toBe('Europe/Berlin');
    expect(exp.seed).toEqual({ kind: 'ip', value: '203.0.113.77' });
  });

  it('states every time as the time of a key event (so each is backed by a record)', () => {
    const times: string[] = [
      exp.answers.first_recon_at, exp.answers.initial_access_at, exp.answers.last_attacker_activity_at,
      ...exp.entities.flatMap((e: { first_seen: string; last_seen: string }) => [e.first_seen, e.last_seen]),
      ...exp.ips.flatMap((e: { first_seen: string; last_seen: string }) => [e.first_seen, e.last_seen]),
      ...exp.backdoors.map((b: { created_at: string }) => b.created_at),
      ...exp.backdoors.flatMap((b: { after_containment: { at: string }[] }) => b.after_containment.map((a) => a.at)),
      ...exp.compromised_data.flatMap((d: { first: string; last: string }) => [d.first, d.last]),
      ...exp.exfiltration.flatMap((x: { first: string; last: string }) => [x.first, x.last]),
      ...exp.gaps.flatMap((g: { from: string; to: string }) => [g.from, g.to]),
      ...exp.db_queries.map((q: { ts: string }) => q.ts),
    ];
    expect(times.filter((t) => !keyTimes.has(t))).toEqual([]);
  });

  it('orders the story: recon < access < detection < containment < last activity', () => {
    const a = exp.answers;
    const t = (s: string) => Date.parse(s);
    expect(t(a.first_recon_at)).toBeLessThan(t(a.initial_access_at));
    expect(t(a.initial_access_at)).toBeLessThan(t(a.detected_at));
    expect(t(a.detected_at)).toBeLessThan(t(a.contained_at));
    expect(t(a.contained_at)).toBeLessThan(t(a.last_attacker_activity_at));
    expect(a.dwell_time_seconds).toBe((t(a.detected_at) - Math.floor(t(a.initial_access_at) / 1000) * 1000) / 1000);
    // One back door fails after containment, one works.
    expect(exp.backdoors.some((b: { used_after_containment: boolean }) => b.used_after_containment)).toBe(true);
    expect(exp.backdoors.some((b: { attempted_after_containment: boolean; used_after_containment: boolean }) => b.attempted_after_containment && !b.used_after_containment)).toBe(true);
  });

  it('never lists a trap among the attacker\'s entities, IPs or exfiltration destinations', () => {
    const attacker = new Set<string>([
      ...exp.entities.map((e: { value: string }) => e.value),
      ...exp.ips.map((i: { ip: string }) => i.ip),
      ...exp.exfiltration.map((x: { dst_ip: string }) => x.dst_ip),
    ]);
    const hits = exp.traps.filter((t: { kind: string; value: string }) => t.kind !== 'local_user' && t.kind !== 'db_role' && attacker.has(t.value));
    expect(hits).toEqual([]);
    expect(exp.traps.length).toBeGreaterThan(100);
  });
});
