/** Cloud links on events written for them: stolen keys, borrowed and attacker-started role sessions, credential-file reads. */
import { afterEach, describe, expect, it } from 'vitest';
import { accessKeyLink } from '../../../src/correlate/links/cloud-key.js';
import { cloudSessionLink } from '../../../src/correlate/links/cloud-principal.js';
import { stolenKeysLink } from '../../../src/correlate/links/stolen-keys.js';
import { entityKeys, linkContext } from '../../helpers/link-case.js';
import { MiniCase, type MiniEvent, us } from '../../helpers/mini-case.js';

let mini: MiniCase;
afterEach(() => mini?.close());

const KEY = 'AKIAEXAMPLE0000007';
const call = (ts: string, name: string, ip: string, label: string, extra: Partial<MiniEvent> = {}): MiniEvent => ({
  ts, class: 'api_activity', action: `s3.amazonaws.com:${name}`, outcome: 'success', actor: 'arn:aws:iam::111122223333:user/ci', access_key: KEY, src_ip: ip, ...extra, attrs: { label, ...((extra.attrs as object) ?? {}) },
});

describe('access key link', () => {
  it("takes a stolen key's calls from its first use outside the owner's addresses on, and what they created", async () => {
    mini = await MiniCase.create();
    await mini.file('cloudtrail', 'ct.json', [
      call('2026-06-01T09:00:00Z', 'ListBuckets', '192.0.2.20', 'owner-1'),
      call('2026-06-02T09:00:00Z', 'ListBuckets', '192.0.2.20', 'owner-2'),
      call('2026-06-03T02:00:00Z', 'ListBuckets', '203.0.113.99', 'thief-1'),
      call('2026-06-03T09:00:00Z', 'GetObject', '192.0.2.20', 'owner-3'),
      { ...call('2026-06-03T02:05:00Z', 'AssumeRole', '203.0.113.99', 'assume'), action: 'sts.amazonaws.com:AssumeRole', attrs: { label: 'assume', issued_access_key: 'ASIAEXAMPLE0000009', issued_to: 'arn:aws:sts::111122223333:assumed-role/ops/s1' } },
    ]);
    const ctx = await linkContext(mini);
    await accessKeyLink.expand(ctx, ctx.fp.add('access_key', KEY, null, null, 'seed'));
    const taken = ['owner-1', 'owner-2', 'thief-1', 'owner-3', 'assume'].filter((l) => ctx.fp.events.has(mini.id(l)));
    expect(taken).toEqual(['thief-1', 'assume']);
    expect(ctx.fp.events.get(mini.id('thief-1'))!.phase).toBe('access');
    expect(entityKeys(ctx.fp)).toEqual([
      `access_key ${KEY}`, 'access_key ASIAEXAMPLE0000009', 'iam_principal arn:aws:iam::111122223333:user/ci', 'ip 203.0.113.99', 'session arn:aws:sts::111122223333:assumed-role/ops/s1',
    ]);
    expect(ctx.fp.get('session', 'arn:aws:sts::111122223333:assumed-role/ops/s1')!.createdByAttacker).toBe(true);
  });
});

describe('role session link', () => {
  const S = 'arn:aws:sts::111122223333:assumed-role/level1/level1';
  const inSession = (ts: string, name: string, ip: string, label: string): MiniEvent => ({ ts, class: 'api_activity', action: `logs.amazonaws.com:${name}`, outcome: 'success', actor: S, access_key: 'ASIAEXAMPLE0000001', src_ip: ip, attrs: { label } });

  it("a workload's session whose keys leaked: only the calls since the theft from outside the workload's own address", async () => {
    mini = await MiniCase.create();
    await mini.file('cloudtrail', 'ct.json', [inSession('2026-06-01T10:00:00Z', 'CreateLogStream', '34.0.0.1', 'workload-1'), inSession('2026-06-01T10:05:00Z', 'ListObjects', '203.0.113.5', 'thief'), inSession('2026-06-01T10:06:00Z', 'CreateLogStream', '34.0.0.1', 'workload-2')]);
    const ctx = await linkContext(mini);
    const s = ctx.fp.add('session', S, null, 'assumed', 'test', { compromisedAtUs: us('2026-06-01T10:05:00Z') });
    await cloudSessionLink.expand(ctx, s);
    expect(['workload-1', 'thief', 'workload-2'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['thief']);
    expect(ctx.fp.get('access_key', 'ASIAEXAMPLE0000001')!.createdByAttacker).toBe(false);
  });

  it('a session the attacker started: every call in it', async () => {
    mini = await MiniCase.create();
    await mini.file('cloudtrail', 'ct.json', [inSession('2026-06-01T10:00:00Z', 'CreateLogStream', '34.0.0.1', 'a'), inSession('2026-06-01T10:05:00Z', 'ListObjects', '203.0.113.5', 'b')]);
    const ctx = await linkContext(mini);
    const s = ctx.fp.add('session', S, null, 'assumed', 'test', { createdByAttacker: true });
    await cloudSessionLink.expand(ctx, s);
    expect(['a', 'b'].filter((l) => ctx.fp.events.has(mini.id(l)))).toEqual(['a', 'b']);
  });
});

describe('stolen keys link', () => {
  it('a credentials file read in an attacker session makes a key first used from a new external address afterwards stolen', async () => {
    mini = await MiniCase.create();
    await mini.file('cloudtrail', 'ct.json', [
      call('2026-06-01T09:00:00Z', 'ListBuckets', '192.0.2.20', 'owner'),
      call('2026-06-05T02:00:00Z', 'ListBuckets', '203.0.113.99', 'new-address'),
      { ...call('2026-06-05T03:00:00Z', 'ListBuckets', '198.51.100.1', 'other-key'), access_key: 'AKIAEXAMPLE0000008' },
    ]);
    const ctx = await linkContext(mini);
    const session = ctx.fp.add('session', 'sshd[1]', 'jump', null, 'test');
    ctx.credentialReads.push({ host: 'jump', tsUs: us('2026-06-04T00:00:00Z'), file: '/root/.aws/credentials', eventId: 0, session });
    await stolenKeysLink.run(ctx);
    expect(entityKeys(ctx.fp)).toEqual([`access_key ${KEY}`, 'session sshd[1]@jump']);
    expect(ctx.fp.get('access_key', KEY)!.compromisedAtUs).toBe(us('2026-06-05T02:00:00Z'));
  });
});
