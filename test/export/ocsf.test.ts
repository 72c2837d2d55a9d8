/**
 * OCSF: every exported event is validated against the OCSF 1.8.0 class definitions compiled from
 * ../shared/specs/ocsf (validators/ocsf.ts) — required attributes of the class and of its objects,
 * constraints, enums and sibling captions, types, type_uid. The validator is itself checked to
 * reject broken events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwell, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/case.js';
import { caseWithFindings, specsDir, syntheticCase } from './helpers.js';
import { OcsfSchema } from './validators/ocsf.js';

const DIR = specsDir('ocsf');

function lines(text: string): Record<string, any>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}

describe.skipIf(!DIR)('OCSF 1.8 export', () => {
  let schema: OcsfSchema;
  let tmp: { path: string; cleanup: () => void };
  let casePath: string;
  let synthetic: string;
  let syntheticCount: number;

  beforeAll(async () => {
    schema = new OcsfSchema(DIR!);
    tmp = tempDir('dwell-ocsf-');
    casePath = await caseWithFindings(tmp.path);
    synthetic = join(tmp.path, 'synthetic.duckdb');
    syntheticCount = await syntheticCase(synthetic);
  });
  afterAll(() => tmp?.cleanup());

  it('compiles the six classes with the required attributes the schema gives them', () => {
    const req = (uid: number) => [...schema.classByUid(uid)!.attributes.values()].filter((a) => a.requirement === 'required' && !a.profile).map((a) => a.name).sort();
    const base = ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'];
    expect(req(3002)).toEqual([...base, 'user'].sort());
    expect(req(3001)).toEqual([...base, 'user'].sort());
    expect(req(6003)).toEqual([...base, 'actor', 'api', 'src_endpoint'].sort());
    expect(req(6005)).toEqual([...base, 'actor', 'src_endpoint'].sort());
    expect(req(4001)).toEqual(base);
    expect(req(1007)).toEqual([...base, 'actor', 'device', 'process'].sort());
    expect(schema.object('metadata')!.attributes.get('product')!.requirement).toBe('required');
    expect(schema.object('device')!.attributes.get('type_id')!.requirement).toBe('required');
  });

  it('rejects what the schema forbids: missing required attributes, bad enums, wrong type_uid, unknown attributes, undeclared profiles', () => {
    const good = {
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      type_uid: 300201,
      time: 1767320200000,
      severity_id: 1,
      user: { name: 'deploy' },
      service: { name: 'sshd' },
      metadata: { version: '1.8.0', product: { name: 'dwell', vendor_name: 'dwell' } },
    };
    expect(schema.validate(good)).toEqual([]);
    const { user: _u, ...noUser } = good;
    expect(schema.validate(noUser)).toContain('user: required by authentication');
    expect(schema.validate({ ...good, type_uid: 300202 })).toContain('type_uid 300202 ≠ class_uid*100+activity_id = 300201');
    expect(schema.validate({ ...good, activity_id: 8, type_uid: 300208 }).join()).toMatch(/activity_id: 8 is not in the enum/);
    expect(schema.validate({ ...good, severity_id: 7 }).join()).toMatch(/severity_id: 7 is not in the enum/);
    expect(schema.validate({ ...good, status_id: 1, status: 'Failure' }).join()).toMatch(/status: "Failure" ≠ caption "Success"/);
    expect(schema.validate({ ...good, metadata: { version: '1.8.0', product: {} } }).join()).toMatch(/metadata.product: needs at least one of name, uid/);
    expect(schema.validate({ ...good, src_endpoint: { ip: 'not-an-ip' } }).join()).toMatch(/src_endpoint.ip: "not-an-ip" does not match ip_t/);
    expect(schema.validate({ ...good, src_endpoint: { ip: '10.0.0.1', port: 70000 } }).join()).toMatch(/port: 70000 outside 0–65535/);
    expect(schema.validate({ ...good, colour: 'red' })).toContain('colour: not an attribute of authentication');
    expect(schema.validate({ ...good, device: { hostname: 'h', type_id: 0 } }).join()).toMatch(/device: belongs to profile host/);
    expect(schema.validate({ ...good, time: '2026-01-02' }).join()).toMatch(/time: timestamp_t must be an integer/);
    const withHost = { ...good, metadata: { ...good.metadata, profiles: ['host'] } };
    expect(schema.validate({ ...withHost, device: { hostname: 'h', type_id: 0 } })).toEqual([]);
    expect(schema.validate({ ...withHost, device: { hostname: 'h' } })).toContain('device.type_id: required by device');
    expect(schema.validate({ ...withHost, device: { type_id: 0 } }).join()).toMatch(/device: needs at least one of ip, uid, name, hostname/);
    expect(schema.validate({ ...withHost, metadata: { ...withHost.metadata, profiles: ['trace'] } }).join()).toMatch(/trace is not a profile of authentication/);
    expect(schema.validate({ ...good, user: { name: 'x', shoe_size: 43 } })).toContain('user.shoe_size: not an attribute of user');
    expect(schema.validate({ ...good, observables: [{ name: 'x', type_id: 2, type: 'Hostname', value: '1.2.3.4' }] }).join()).toMatch(/observables\[0\].type: "Hostname" ≠ caption "IP Address"/);
    expect(schema.validate({ ...good, observables: [{ name: 'x', type_id: 9999 }] }).join()).toMatch(/type_id: 9999 is not in the enum/);
    expect(schema.validate({ ...good, time_dt: '2026-01-02T03:00:00Z' }).join()).toMatch(/time_dt: not an attribute/);
    expect(schema.validate({ ...good, time_dt: 'yesterday', metadata: { ...good.metadata, profiles: ['datetime'] } }).join()).toMatch(/time_dt: "yesterday" does not match datetime_t/);
    const { service: _s, ...noService } = good;
    expect(schema.validate(noService).join()).toMatch(/needs at least one of service, dst_endpoint/);
  });

  for (const what of ['timeline', 'attack'] as const) {
    it(`every event of --what ${what} --format ocsf from the demo case is valid in its class`, async () => {
      const r = await dwell(['export', '--case', casePath, '--what', what, '--format', 'ocsf']);
      expect(r.code, r.stderr).toBe(0);
      const events = lines(r.stdout);
      const n = Number((await query(casePath, what === 'timeline' ? 'SELECT count(*) AS n FROM events' : 'SELECT count(*) AS n FROM attack_events'))[0]!.n);
      expect(events).toHaveLength(n);
      const problems = events.flatMap((e, i) => schema.validate(e).map((p) => `#${i} ${e.class_name}/${e.unmapped?.dwell?.action}: ${p}`));
      expect(problems).toEqual([]);
      const classes = new Set(events.map((e) => e.class_uid));
      expect(classes).toContain(3002);
      if (what === 'timeline') for (const uid of [3001, 4001, 1007, 0]) expect(classes).toContain(uid);
      for (const e of events) {
        expect(e.metadata.uid).toMatch(/^\d+$/);
        expect(e.unmapped.dwell.evidence.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(e.time_dt.startsWith(new Date(e.time).toISOString().slice(0, 19))).toBe(true);
        if (what === 'attack') {
          expect(e.attacks?.[0]?.technique?.uid ?? e.unmapped.dwell.technique ?? null).not.toBeUndefined();
          expect(e.severity_id).toBeGreaterThanOrEqual(2);
        }
      }
    });
  }

  it('maps every class and shape of the other sources (CloudTrail, databases, flows, processes) to a valid event', async () => {
    const out = join(tmp.path, 'synthetic.ocsf.jsonl');
    const r = await dwell(['export', '--case', synthetic, '--what', 'timeline', '--format', 'ocsf', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const events = lines(readFileSync(out, 'utf8'));
    expect(events).toHaveLength(syntheticCount);
    const problems = events.flatMap((e, i) => schema.validate(e).map((p) => `#${i} ${e.unmapped?.dwell?.action}: ${p}`));
    expect(problems).toEqual([]);
    const by = (action: string) => events.find((e) => e.unmapped.dwell.action === action)!;
    expect(by('s3.amazonaws.com:GetObject')).toMatchObject({ class_uid: 6003, activity_id: 2, type_uid: 600302, api: { operation: 'GetObject', service: { name: 's3.amazonaws.com' } }, cloud: { provider: 'AWS', region: 'eu-west-1' } });
    expect(by('s3.amazonaws.com:GetObject').actor.user).toMatchObject({ uid: 'arn:aws:iam::111122223333:user/deploy-bot', credential_uid: 'AKIAIOSFODNN7EXAMPLE' });
    expect(by('iam.amazonaws.com:AttachUserPolicy')).toMatchObject({ class_uid: 3001, activity_id: 7, user: { name: 'backup-svc' } });
    expect(by('db_query')).toMatchObject({ class_uid: 6005, activity_id: 4, database: { name: 'shop' }, query_info: { query_string: 'COPY public.customers TO STDOUT' } });
    const flow = events.find((e) => e.unmapped.dwell.action === 'flow' && e.traffic)!;
    expect(flow).toMatchObject({ class_uid: 4001, activity_id: 6, traffic: { bytes_out: 1048576000, bytes: 1048581120 }, connection_info: { protocol_num: 6, community_uid: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=' } });
    expect(flow.end_time).toBe(Date.UTC(2026, 0, 2, 3, 10));
    expect(flow.duration).toBe(flow.end_time - flow.start_time);
    expect(by('sudo')).toMatchObject({ class_uid: 1007, activity_id: 1, process: { cmd_line: '/bin/cat /etc/shadow', user: { name: 'root' }, parent_process: { pid: 4242 } } });
    expect(by('db_server_start')).toMatchObject({ class_uid: 0, activity_id: 99, type_uid: 99, activity_name: 'db_server_start' });
  });
});
