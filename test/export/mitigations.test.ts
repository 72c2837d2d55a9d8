/**
 * `dwell export --what mitigations`: every format from a real case through the CLI, and the Sigma
 * rules validated against the Sigma JSON schema in ../shared/specs/sigma (skipped, saying so, when
 * absent); the YAML text is parsed back with PyYAML where python3 has it (skipped, saying so, else).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/export/mitigations/plan.js';
import { buildSigma, renderSigma } from '../../src/export/mitigations/sigma.js';
import { dwell, tempDir } from '../helpers/cli.js';
import { findings } from '../helpers/report-findings.js';
import { caseWithFindings, specsDir } from './helpers.js';

const FORMATS = ['blocklist', 'nft', 'iptables', 'aws-cli', 'waf-json', 'revoke-sh', 'sigma'];

function sigmaValidator() {
  const dir = specsDir('sigma');
  if (!dir) return null;
  const schema = JSON.parse(readFileSync(join(dir, 'specification', 'json-schema', 'sigma-detection-rule-schema.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  return ajv.compile(schema);
}

/** YAML documents as JSON via PyYAML, or null when python3 or PyYAML is missing. */
function parseYaml(text: string): unknown[] | null {
  const r = spawnSync('python3', ['-c', 'import sys,json,yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`mitigations: python3 with PyYAML is not available (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); the YAML parse-back is skipped`);
    return null;
  }
  return JSON.parse(r.stdout);
}

describe('--what mitigations', () => {
  const tmp = tempDir('dwell-mitigations-cli-');
  let casePath = '';
  const out: Record<string, string> = {};
  beforeAll(async () => {
    casePath = await caseWithFindings(tmp.path);
    for (const f of FORMATS) {
      const file = join(tmp.path, `m.${f}`);
      const r = await dwell(['export', '--case', casePath, '--what', 'mitigations', '--format', f, '-o', file]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      out[f] = readFileSync(file, 'utf8');
    }
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('blocks the attacker address of the case in every block list', () => {
    expect(out.blocklist!.split('\n').filter((l) => l && !l.startsWith('#'))).toContain('203.0.113.77');
    expect(out.nft).toMatch(/elements = \{[^}]*203\.0\.113\.77/);
    expect(out.iptables).toContain("iptables -I INPUT -s '203.0.113.77' -j DROP");
    expect(out['aws-cli']).toContain("--cidr-block '203.0.113.77/32' --rule-action deny");
    expect(JSON.parse(out['waf-json']!)[0].Addresses).toContain('203.0.113.77/32');
  });

  it('names every credential to rotate of the findings in the revocation plan', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'findings', '--format', 'json']);
    const f = JSON.parse(r.stdout);
    for (const c of f.credentials_to_rotate.filter((x: any) => x.kind === 'local_password' && !x.value.includes('/'))) expect(out['revoke-sh']).toContain(`# usermod -L '${c.value}'`);
    const sh = spawnSync('sh', ['-n', join(tmp.path, 'm.revoke-sh')], { encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
  });

  it('writes Sigma rules that the Sigma schema accepts, for the case and for a cloud case', () => {
    const validate = sigmaValidator();
    const f = findings({ case: { events: 1, evidence_files: 1, sources: ['auth_log', 'cloudtrail', 'vpc_flow'], from: null, to: null } });
    const cloud = buildSigma(buildPlan(f), f, [{ service: 'iam.amazonaws.com', name: 'CreateUser', technique: 'T1136.003' }, { service: 's3.amazonaws.com', name: 'GetObject', technique: 'T1530' }]);
    expect(cloud.map((r) => (r.logsource as any).service ?? (r.logsource as any).category)).toEqual(['cloudtrail', 'cloudtrail', 'cloudtrail', 'sshd', 'sshd', 'firewall']);
    const texts = [out.sigma!, renderSigma(cloud, f.generated_at)];
    const parsed = texts.map(parseYaml);
    if (parsed[0]) expect(parsed[1]).toEqual(JSON.parse(JSON.stringify(cloud)));
    if (!validate) return;
    for (const rules of [...parsed.filter((p): p is unknown[] => p !== null), cloud]) {
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) expect(validate(rule), JSON.stringify(validate.errors)).toBe(true);
    }
    // A rule the schema must refuse: the validator is not a yes-machine.
    expect(validate({ title: 'x', logsource: {}, detection: { condition: 'a' }, tags: ['Not A Tag'] })).toBe(false);
  });
});
