/**
 * STIX 2.1: the IOC bundle validates against the OASIS STIX 2.1 JSON schemas (draft 2020-12, every
 * schema registered by its $id, formats checked), its patterns parse with the STIX patterning
 * grammar, and the rules the schemas cannot express hold (references resolve to objects of the
 * right type, modified ≥ created, valid_until > valid_from, first ≤ last, SCO ids are the UUIDv5 of
 * their id-contributing properties). The validators are first held to the OASIS examples.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { parseCsv } from '../helpers/corpus.js';
import { canonicalJson, scoId, uuidv5 } from '../../src/export/stix-ids.js';
import { caseWithFindings, specsDir } from './helpers.js';
import { parsePattern, PatternError } from './validators/stix-pattern.js';

const DIR = specsDir('stix');
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type Obj = Record<string, any>;

function schemaValidator() {
  // The schemas' patterns are ECMA-262 without the u flag (e.g. `\-` outside a class).
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // ajv-formats has no idn-hostname (domain-name objects use it; dwell writes none): any non-blank text.
  ajv.addFormat('idn-hostname', /^\S+$/);
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.json') ? [join(d, n)] : []));
  for (const f of walk(join(DIR!, 'schemas'))) ajv.addSchema(JSON.parse(readFileSync(f, 'utf8')) as Obj);
  const validate = ajv.getSchema('http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json')!;
  return (bundle: unknown): string[] => (validate(bundle) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

/** The checks STIX's JSON schemas cannot express (see the schemas' README). */
function semanticProblems(bundle: Obj): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Obj>((bundle.objects as Obj[]).map((o) => [o.id as string, o]));
  const ref = (o: Obj, prop: string, id: unknown, types: string[]) => {
    const target = byId.get(String(id));
    if (!target) problems.push(`${o.id}.${prop} → ${id} is not in the bundle`);
    else if (!types.includes(target.type)) problems.push(`${o.id}.${prop} → ${target.type}, expected ${types.join('|')}`);
  };
  const SCOS = ['ipv4-addr', 'ipv6-addr', 'user-account'];
  for (const o of bundle.objects as Obj[]) {
    if (o.created && o.modified && Date.parse(o.modified) < Date.parse(o.created)) problems.push(`${o.id}: modified before created`);
    if (o.created_by_ref) ref(o, 'created_by_ref', o.created_by_ref, ['identity']);
    for (const m of o.object_marking_refs ?? []) {
      ref(o, 'object_marking_refs', m, ['marking-definition']);
      if (m === o.id) problems.push(`${o.id}: marks itself`);
    }
    if (o.type === 'indicator') {
      if (o.valid_until && !(Date.parse(o.valid_until) > Date.parse(o.valid_from))) problems.push(`${o.id}: valid_until not after valid_from`);
      try {
        parsePattern(o.pattern);
      } catch (e) {
        problems.push(`${o.id}: pattern ${o.pattern}: ${(e as Error).message}`);
      }
    }
    if (o.type === 'observed-data') {
      if (Date.parse(o.last_observed) < Date.parse(o.first_observed)) problems.push(`${o.id}: last_observed before first_observed`);
      for (const r of o.object_refs) ref(o, 'object_refs', r, SCOS);
    }
    if (o.type === 'sighting') {
      ref(o, 'sighting_of_ref', o.sighting_of_ref, ['indicator', 'attack-pattern', 'malware', 'infrastructure']);
      for (const r of o.observed_data_refs ?? []) ref(o, 'observed_data_refs', r, ['observed-data']);
      for (const r of o.where_sighted_refs ?? []) ref(o, 'where_sighted_refs', r, ['identity', 'location']);
      if (Date.parse(o.last_seen) < Date.parse(o.first_seen)) problems.push(`${o.id}: last_seen before first_seen`);
    }
    if (o.type === 'relationship') {
      ref(o, 'source_ref', o.source_ref, ['indicator']);
      ref(o, 'target_ref', o.target_ref, ['attack-pattern']);
    }
    if (o.type === 'report') for (const r of o.object_refs) if (!byId.has(r)) problems.push(`${o.id}.object_refs → ${r} missing`);
    if (SCOS.includes(o.type)) {
      const keys = o.type === 'user-account' ? ['account_type', 'user_id', 'account_login'] : ['value'];
      const contributing = Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
      const expected = `${o.type}--${uuidv5('00abedb4-aa42-466c-9c01-fed23315a9b7', canonicalJson(contributing))}`;
      if (o.id !== expected) problems.push(`${o.id}: expected the deterministic id ${expected}`);
    }
  }
  return problems;
}

describe.skipIf(!DIR)('STIX 2.1 IOC export', () => {
  let validate: (b: unknown) => string[];
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let bundle: Obj;

  beforeAll(async () => {
    validate = schemaValidator();
    tmp = tempDir('dwell-stix-');
    casePath = await caseWithFindings(tmp.path);
    const out = join(tmp.path, 'iocs.json');
    const r = await dwell(['export', '--case', casePath, '--what', 'iocs', '--format', 'stix', '-o', out, '--tlp', 'amber', '--identity', 'ACME CERT']);
    expect(r.code, r.stderr).toBe(0);
    bundle = JSON.parse(readFileSync(out, 'utf8')) as Obj;
  });
  afterAll(() => tmp?.cleanup());

  it('the schema validator accepts the OASIS example bundles and rejects broken ones', () => {
    for (const f of ['indicator-for-c2-ip-address.json', 'indicators-for-C2-with-COA.json', 'malicious-email-indicator-with-attachment.json', 'threat-reports/poisonivy.json']) {
      expect(validate(JSON.parse(readFileSync(join(DIR!, 'examples', f), 'utf8'))), f).toEqual([]);
    }
    const ex = JSON.parse(readFileSync(join(DIR!, 'examples', 'indicator-for-c2-ip-address.json'), 'utf8')) as Obj;
    const noPattern = structuredClone(ex);
    delete noPattern.objects[0].pattern;
    expect(validate(noPattern)).not.toEqual([]);
    const badTime = structuredClone(ex);
    badTime.objects[0].valid_from = '2014-13-45T09:00:00Z';
    expect(validate(badTime)).not.toEqual([]);
    const badIp = { type: 'bundle', id: ex.id, objects: [{ type: 'ipv4-addr', spec_version: '2.1', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: 'not an address' }] };
    expect(validate(badIp)).not.toEqual([]);
  });

  it('the pattern parser accepts every pattern of the OASIS examples and the grammar’s forms, and rejects malformed ones', () => {
    const patterns: string[] = [];
    for (const f of ['indicator-for-c2-ip-address.json', 'indicators-for-C2-with-COA.json', 'malicious-email-indicator-with-attachment.json', 'threat-reports/apt1.json', 'threat-reports/poisonivy.json']) {
      for (const o of (JSON.parse(readFileSync(join(DIR!, 'examples', f), 'utf8')) as Obj).objects as Obj[]) if (o.pattern) patterns.push(o.pattern);
    }
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => parsePattern(p), p).not.toThrow();
    for (const p of [
      "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
      "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
      "([file:name = 'a'] AND [file:size > 10]) FOLLOWEDBY [process:pid IN (1, 2, 3)] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
      "[x-custom:extensions.'x-ext'.values[*] = 'o\\'brien' AND NOT EXISTS user-account:credential]",
      "[artifact:payload_bin = b'YWJj' OR artifact:hashes.MD5 != h'00ff']",
    ]) {
      expect(() => parsePattern(p), p).not.toThrow();
    }
    for (const p of ["ipv4-addr:value = '1.2.3.4'", "[ipv4-addr:value = '1.2.3.4'", "[ipv4-addr:value = 'it's']", '[ipv4-addr:value = 1.2.3.4]', "[ipv4-addr:value = '1'] WITHIN 5 SECONDS WITHIN 6 SECONDS", "[a:b = 'c'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'", "[file:hashes.SHA-256 = 'x']", '[]']) {
      expect(() => parsePattern(p), p).toThrow(PatternError);
    }
  });

  it('SCO ids are the UUIDv5 of the id-contributing properties (values computed independently with Python’s uuid.uuid5)', () => {
    expect(scoId('ipv4-addr', { value: '198.51.100.3' })).toBe('ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4');
    expect(scoId('user-account', { account_type: 'unix', account_login: 'deploy' })).toBe('user-account--25e80648-b156-5627-9bab-de26ffe10f1c');
  });

  it('the exported bundle is valid per the STIX 2.1 JSON schemas', () => {
    expect(validate(bundle)).toEqual([]);
  });

  it('the exported bundle keeps the rules the schemas cannot check', () => {
    expect(semanticProblems(bundle)).toEqual([]);
  });

  it('carries the attacker address, the backdoor account and the used accounts, with the attack’s times', () => {
    const objs = bundle.objects as Obj[];
    const of = (t: string) => objs.filter((o) => o.type === t);
    expect(of('identity')).toMatchObject([{ name: 'ACME CERT' }]);
    expect(of('marking-definition')).toMatchObject([{ id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', definition: { tlp: 'amber' } }]);
    for (const o of objs) if (o.type !== 'marking-definition') expect(o.object_marking_refs, o.id).toEqual(['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']);
    const ip = of('indicator').find((i) => i.pattern === "[ipv4-addr:value = '203.0.113.77']")!;
    expect(ip).toMatchObject({ indicator_types: ['malicious-activity'], valid_from: '2026-01-02T02:14:07.000000Z', valid_until: '2026-04-02T02:30:55.000000Z' });
    const parsed = parsePattern(ip.pattern);
    expect(parsed.comparisons).toEqual([{ objectType: 'ipv4-addr', path: 'value', negated: false, op: '=', value: '203.0.113.77' }]);
    const sighting = of('sighting').find((s) => s.sighting_of_ref === ip.id)!;
    expect(sighting).toMatchObject({ first_seen: '2026-01-02T02:14:07.000000Z', last_seen: '2026-01-02T02:30:55.000000Z', count: 12 });
    const backdoor = of('indicator').find((i) => /sysupdate/.test(i.pattern))!;
    expect(backdoor.indicator_types).toEqual(['malicious-activity']);
    expect(of('user-account').find((u) => u.account_login === 'sysupdate')).toMatchObject({ account_type: 'unix', user_id: '1003' });
    expect(of('indicator').find((i) => /'deploy'/.test(i.pattern))!.indicator_types).toEqual(['compromised']);
    const techniques = of('attack-pattern').map((a) => a.external_references[0].external_id).sort();
    expect(techniques).toEqual(expect.arrayContaining(['T1110.001', 'T1136.001', 'T1595']));
    expect(of('report')[0]!.object_refs.length).toBe(objs.length - 3);
  });

  it('IOC csv lists the same indicators with their STIX patterns', async () => {
    const r = await dwell(['export', '--case', casePath, '--what', 'iocs', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual(['type', 'value', 'host', 'indicator_type', 'roles', 'first_seen', 'last_seen', 'events', 'techniques', 'principal', 'reason', 'stix_pattern']);
    const data = rows.slice(1).filter((x) => x.length > 1);
    const patterns = new Set((bundle.objects as Obj[]).filter((o) => o.type === 'indicator').map((o) => o.pattern));
    expect(data).toHaveLength(patterns.size);
    for (const row of data) {
      expect(patterns.has(row[11])).toBe(true);
      expect(() => parsePattern(row[11]!)).not.toThrow();
    }
    expect(data.find((x) => x[1] === '203.0.113.77')).toMatchObject({ 0: 'ipv4', 3: 'malicious-activity', 5: '2026-01-02T02:14:07.000000Z', 7: '12' });
  });
});
