/**
 * Sigma's value modifiers and matching rules, each on events written for it: what must hit and
 * the look-alike that must not.
 */
import { describe, expect, it } from 'vitest';
import { base64Offsets } from '../../src/sigma/values.js';
import { CLOUDTRAIL, miniHunt, rule, uid, type Ev } from './helpers/mini.js';

/** A CloudTrail event (attrs as the parser fills them). */
function ct(id: number, action: string, more: Partial<Ev> = {}, attrs: Record<string, unknown> = {}): Ev {
  return { id, source: 'cloudtrail', class: 'api_activity', action, attrs, ...more };
}

async function hitsOf(detection: string, events: Ev[], logsource = CLOUDTRAIL, opts = {}): Promise<number[]> {
  const h = await miniHunt(rule(uid(1), logsource, detection), events, opts);
  try {
    expect(h.problems.filter((p) => p.kind !== 'skipped')).toEqual([]);
    return h.hits.get(uid(1))!;
  } finally {
    h.close();
  }
}

describe('value matching', () => {
  it('is case-insensitive by default and exact unless wildcards say otherwise; |cased is not', async () => {
    const evs = [ct(1, 's3.amazonaws.com:PutBucketPolicy'), ct(2, 's3.amazonaws.com:putbucketpolicy'), ct(3, 's3.amazonaws.com:PutBucketPolicyX')];
    expect(await hitsOf('selection:\n    eventName: PutBucketPolicy\ncondition: selection', evs)).toEqual([1, 2]);
    expect(await hitsOf('selection:\n    eventName|cased: PutBucketPolicy\ncondition: selection', evs)).toEqual([1]);
  });

  it('reads * and ? as wildcards and \\* \\? \\\\ as the characters', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'tool*1' }), ct(2, 'x:a', { user_agent: 'toolX1' }), ct(3, 'x:a', { user_agent: 'tool\\1' }), ct(4, 'x:a', { user_agent: 'toolXY1' })];
    expect(await hitsOf("selection:\n    userAgent: 'tool?1'\ncondition: selection", evs)).toEqual([1, 2, 3]);
    expect(await hitsOf("selection:\n    userAgent: 'tool\\*1'\ncondition: selection", evs)).toEqual([1]);
    expect(await hitsOf("selection:\n    userAgent: 'tool\\\\1'\ncondition: selection", evs)).toEqual([3]);
    expect(await hitsOf("selection:\n    userAgent: 'tool*1'\ncondition: selection", evs)).toEqual([1, 2, 3, 4]);
  });

  it('|contains, |startswith, |endswith', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'aws-cli/2.15 trufflehog' }), ct(2, 'x:a', { user_agent: 'TruffleHog/3' }), ct(3, 'x:a', { user_agent: 'boto3' })];
    expect(await hitsOf('selection:\n    userAgent|contains: trufflehog\ncondition: selection', evs)).toEqual([1, 2]);
    expect(await hitsOf('selection:\n    userAgent|startswith: trufflehog\ncondition: selection', evs)).toEqual([2]);
    expect(await hitsOf('selection:\n    userAgent|endswith: trufflehog\ncondition: selection', evs)).toEqual([1]);
  });

  it('|all needs every value (a list is otherwise any of them)', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'alpha beta' }), ct(2, 'x:a', { user_agent: 'alpha' })];
    expect(await hitsOf('selection:\n    userAgent|contains|all:\n        - alpha\n        - beta\ncondition: selection', evs)).toEqual([1]);
    expect(await hitsOf('selection:\n    userAgent|contains:\n        - alpha\n        - beta\ncondition: selection', evs)).toEqual([1, 2]);
  });

  it('|re is case-sensitive unless |i, and searches anywhere in the value', async () => {
    const evs = [ct(1, 'x:a', { actor: 'arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1' }), ct(2, 'x:a', { actor: 'arn:AWS:STS::1:ASSUMED-ROLE/AWS:X/I' }), ct(3, 'x:a', { actor: 'arn:aws:iam::1:user/alice' })];
    expect(await hitsOf("selection:\n    userIdentity.arn|re: ':assumed-role/aws:.+'\ncondition: selection", evs)).toEqual([1]);
    expect(await hitsOf("selection:\n    userIdentity.arn|re|i: ':assumed-role/aws:.+'\ncondition: selection", evs)).toEqual([1, 2]);
  });

  it('|cidr: IPv4 and IPv6 networks, whatever way the address is written', async () => {
    const evs = [ct(1, 'x:a', { src_ip: '10.20.30.40' }), ct(2, 'x:a', { src_ip: '11.0.0.1' }), ct(3, 'x:a', { src_ip: 'fd00::1' }), ct(4, 'x:a', { src_ip: '2001:db8::1' }), ct(5, 'x:a', { src_ip: 'FE80:0:0:0:0:0:0:1' }), ct(6, 'x:a', {}, { source: 'ec2.amazonaws.com' })];
    expect(await hitsOf("selection:\n    sourceIPAddress|cidr:\n        - '10.0.0.0/8'\n        - 'fc00::/7'\n        - 'fe80::/10'\ncondition: selection", evs)).toEqual([1, 3, 5]);
    expect(await hitsOf("selection:\n    sourceIPAddress|cidr: '2001:db8::/32'\ncondition: selection", evs)).toEqual([4]);
  });

  it('|expand: placeholders take the values given, and a placeholder without one is reported', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'corp-backup/1' }), ct(2, 'x:a', { user_agent: 'evil/1' })];
    const det = "selection:\n    userAgent|expand|startswith: '%Tools%'\ncondition: selection";
    expect(await hitsOf(det, evs, CLOUDTRAIL, { placeholders: { Tools: ['corp-backup', 'corp-scan'] } })).toEqual([1]);
    const h = await miniHunt(rule(uid(1), CLOUDTRAIL, det), evs);
    expect(h.problems.map((p) => [p.kind, p.ruleId, p.reason])).toEqual([['unsupported', uid(1), expect.stringContaining('placeholder %Tools% has no value')]]);
    h.close();
  });

  it('|fieldref compares two fields of the same event', async () => {
    const evs = [ct(1, 'iam.amazonaws.com:UpdateLoginProfile', { actor: 'arn:aws:iam::1:user/bob' }, { request_parameters: { userName: 'arn:aws:iam::1:user/bob' } }), ct(2, 'iam.amazonaws.com:UpdateLoginProfile', { actor: 'arn:aws:iam::1:user/eve' }, { request_parameters: { userName: 'bob' } })];
    expect(await hitsOf('selection:\n    eventName: UpdateLoginProfile\nsame:\n    userIdentity.arn|fieldref: requestParameters.userName\ncondition: selection and not same', evs)).toEqual([2]);
  });

  it('|base64 and |base64offset find a value encoded at any offset', async () => {
    const enc = (s: string) => Buffer.from(s).toString('base64');
    const evs = [1, 2, 3].map((i) => ct(i, 'x:a', { user_agent: enc('x'.repeat(i - 1) + 'powershell -enc') })).concat([ct(4, 'x:a', { user_agent: enc('bash') })]);
    expect(await hitsOf("selection:\n    userAgent|base64offset|contains: 'powershell'\ncondition: selection", evs)).toEqual([1, 2, 3]);
    expect(await hitsOf("selection:\n    userAgent|base64: 'bash'\ncondition: selection", evs)).toEqual([4]);
    // pySigma's three forms for "powershell"
    expect(base64Offsets(Buffer.from('powershell'))).toEqual(['cG93ZXJzaGVsb', 'Bvd2Vyc2hlbG', 'wb3dlcnNoZWxs']);
  });

  it('|windash matches - / – — ― where a flag starts', async () => {
    const evs = ['tool -enc', 'tool /enc', 'tool \u2013enc', 'tool \u2014enc', 'tool \u2015enc', 'tool enc', 'my-enc'].map((s, i) => ct(i + 1, 'x:a', { user_agent: s }));
    expect(await hitsOf("selection:\n    userAgent|windash|contains: ' -enc'\ncondition: selection", evs)).toEqual([1, 2, 3, 4, 5]);
  });

  it('|exists and null: present, absent, empty', async () => {
    const evs = [ct(1, 'x:a', {}, { error_code: 'AccessDenied' }), ct(2, 'x:a', {}, {}), ct(3, 'x:a', {}, { error_code: null }), ct(4, 'x:a', {}, { error_code: '' })];
    expect(await hitsOf('selection:\n    errorCode|exists: true\ncondition: selection', evs)).toEqual([1, 3, 4]);
    expect(await hitsOf('selection:\n    errorCode|exists: false\ncondition: selection', evs)).toEqual([2]);
    expect(await hitsOf('selection:\n    errorCode: null\ncondition: selection', evs)).toEqual([2, 3]);
    expect(await hitsOf("selection:\n    errorCode: ''\ncondition: selection", evs)).toEqual([4]);
  });

  it('a nested object under |contains is matched as its JSON text, and the values in it', async () => {
    const evs = [
      ct(1, 's3.amazonaws.com:PutBucketVersioning', {}, { request_parameters: { VersioningConfiguration: { Status: 'Suspended' } } }),
      ct(2, 's3.amazonaws.com:PutBucketVersioning', {}, { request_parameters: { VersioningConfiguration: { Status: 'Enabled' } } }),
      ct(3, 'iam.amazonaws.com:PutUserPolicy', {}, { request_parameters: { policyDocument: '{"Effect":"Allow","Action":"s3:GetObject"}' } }),
    ];
    expect(await hitsOf("selection:\n    requestParameters|contains: 'Suspended'\ncondition: selection", evs)).toEqual([1]);
    expect(await hitsOf("selection:\n    requestParameters|contains: '\"Status\":\"Suspended\"'\ncondition: selection", evs)).toEqual([1]);
    // A policy document is a JSON string inside requestParameters: searched unescaped.
    expect(await hitsOf("selection:\n    requestParameters|contains|all:\n        - '\"Effect\":\"Allow\"'\n        - '\"s3:GetObject\"'\ncondition: selection", evs)).toEqual([3]);
  });

  it('searches arrays element by element, through arrays on the way', async () => {
    const task = (cmd: string[]) => ({ request_parameters: { containerDefinitions: [{ name: 'a', command: ['sh', '-c', 'echo hi'] }, { name: 'b', command: cmd }] } });
    const evs = [ct(1, 'ecs.amazonaws.com:RegisterTaskDefinition', {}, task(['sh', '-c', 'curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'])), ct(2, 'ecs.amazonaws.com:RegisterTaskDefinition', {}, task(['sh', '-c', 'curl example.org']))];
    expect(await hitsOf("selection:\n    requestParameters.containerDefinitions.command|contains: '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'\ncondition: selection", evs)).toEqual([1]);
    expect(await hitsOf("selection:\n    requestParameters.containerDefinitions.name: b\ncondition: selection", evs)).toEqual([1, 2]);
  });

  it('|neq, numbers and |gt on a Zeek port', async () => {
    const z = (id: number, port: number) => ({ id, source: 'zeek', class: 'network_activity', action: 'zeek_rdp', dst_port: port, src_ip: '10.0.0.1', attrs: {} });
    const evs = [z(1, 3389), z(2, 3390), z(3, 22)];
    const ls = 'product: zeek\nservice: rdp';
    expect(await hitsOf('selection:\n    id.resp_p: 3389\ncondition: selection', evs, ls)).toEqual([1]);
    expect(await hitsOf('selection:\n    id.resp_p|neq: 3389\ncondition: selection', evs, ls)).toEqual([2, 3]);
    expect(await hitsOf('selection:\n    id.resp_p|gt: 3000\ncondition: selection', evs, ls)).toEqual([1, 2]);
  });

  it('keywords search the raw record; |all needs each keyword', async () => {
    const l = (id: number, raw: string): Ev => ({ id, source: 'auth_log', class: 'other', action: 'other', raw, attrs: { program: 'bash' } });
    const evs = [l(1, 'Jan 1 00:00:00 h bash[1]: history -c'), l(2, 'Jan 1 00:00:00 h bash[1]: HISTORY -C now'), l(3, 'Jan 1 00:00:00 h bash[1]: history'), l(4, 'Jan 1 00:00:00 h bash[1]: rm -c history')];
    expect(await hitsOf("keywords:\n    - 'history -c'\n    - 'unset HISTFILE'\ncondition: keywords", evs, 'product: linux')).toEqual([1, 2]);
    expect(await hitsOf("keywords:\n    '|all':\n        - 'history'\n        - '-c'\ncondition: keywords", evs, 'product: linux')).toEqual([1, 2, 4]);
  });

  it('a Linux service narrows to its program; sudo USER is the target of a sudo line', async () => {
    const evs: Ev[] = [
      { id: 1, source: 'auth_log', class: 'process_activity', action: 'sudo', actor: 'alice', target: '#-1', attrs: { program: 'sudo' }, raw: 'sudo: alice : USER=#-1' },
      { id: 2, source: 'auth_log', class: 'process_activity', action: 'sudo', actor: 'alice', target: 'root', attrs: { program: 'sudo' }, raw: 'sudo: alice : USER=root' },
      { id: 3, source: 'auth_log', class: 'other', action: 'other', attrs: { program: 'sshd' }, raw: 'sshd: USER=#-1' },
    ];
    expect(await hitsOf("selection:\n    USER: '#-*'\ncondition: selection", evs, 'product: linux\nservice: sudo')).toEqual([1]);
    expect(await hitsOf("keywords:\n    - 'USER='\ncondition: keywords", evs, 'product: linux\nservice: sshd')).toEqual([3]);
  });

  it('1 of / all of / them, not, parentheses, and a list of conditions', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'a' }), ct(2, 'x:b', { user_agent: 'b' }), ct(3, 'x:c', { user_agent: 'ab' })];
    const sel = 'sel_a:\n    userAgent|contains: a\nsel_b:\n    userAgent|contains: b\n_helper:\n    userAgent: zzz\n';
    expect(await hitsOf(sel + 'condition: 1 of sel_*', evs)).toEqual([1, 2, 3]);
    expect(await hitsOf(sel + 'condition: all of sel_*', evs)).toEqual([3]);
    expect(await hitsOf(sel + 'condition: all of them', evs)).toEqual([3]);
    expect(await hitsOf(sel + 'condition: sel_a and not (sel_b or _helper)', evs)).toEqual([1]);
    expect(await hitsOf(sel + 'condition:\n    - sel_a and not sel_b\n    - sel_b and not sel_a', evs)).toEqual([1, 2]);
  });

  it('leaves out events with relative or implausible times unless asked', async () => {
    const evs = [ct(1, 'x:a', { user_agent: 'x' }), ct(2, 'x:a', { user_agent: 'x', time_quality: 'relative' }), ct(3, 'x:a', { user_agent: 'x', time_quality: 'implausible' })];
    expect(await hitsOf('selection:\n    userAgent: x\ncondition: selection', evs)).toEqual([1]);
    expect(await hitsOf('selection:\n    userAgent: x\ncondition: selection', evs, CLOUDTRAIL, { includeRelative: true })).toEqual([1, 2, 3]);
  });
});

describe('keywords over JSON records', () => {
  it('find a value the JSON text escapes (backslashes, quotes) among the values the parser kept', async () => {
    const z = (id: number, path: string): Ev => ({ id, source: 'zeek', class: 'network_activity', action: 'zeek_smb_files', attrs: { path, name: 'x' }, raw: JSON.stringify({ _path: 'smb_files', path, name: 'x' }) });
    const evs = [z(1, '\\\\SRV01\\IPC$'), z(2, '\\\\SRV01\\ADMIN$')];
    expect(await hitsOf("keywords:\n    - '\\\\SRV01\\IPC$'\ncondition: keywords", evs, 'product: zeek\nservice: smb_files')).toEqual([1]);
  });
});
