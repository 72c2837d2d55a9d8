/**
 * Sigma correlation rules, with the specification's own examples (sigma-correlation-rules-
 * specification.md v2.1 and its tests/schema/correlation fixtures, public domain) as the
 * correlation documents. Their base rules name Windows events, which dwell does not read: here the
 * rules they refer to (same ids and names) select Linux sshd/sudo events instead.
 */
import { describe, expect, it } from 'vitest';
import { miniHunt, uid, type Ev } from './helpers/mini.js';

const T = (min: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, 0) + min * 60_000).toISOString().replace('T', ' ').replace('Z', '');

const failed = (id: number, min: number, user: string, host = 'web-01', ip = '203.0.113.5'): Ev => ({ id, ts: T(min), source: 'auth_log', class: 'authentication', action: 'ssh_login_failed', outcome: 'failure', host, actor: user, src_ip: ip, attrs: { program: 'sshd' }, raw: `sshd: Failed password for ${user} from ${ip}` });
const success = (id: number, min: number, user: string, host = 'web-01'): Ev => ({ id, ts: T(min), source: 'auth_log', class: 'authentication', action: 'ssh_login', host, actor: user, src_ip: '203.0.113.5', attrs: { program: 'sshd' }, raw: `sshd: Accepted password for ${user}` });
const sudo = (id: number, min: number, user: string, command: string, host = 'web-01'): Ev => ({ id, ts: T(min), source: 'auth_log', class: 'process_activity', action: 'sudo', host, actor: user, target: 'root', command, attrs: { program: 'sudo' }, raw: `sudo: ${user} : COMMAND=${command}` });

/** A base rule the examples refer to, on Linux sshd/sudo. */
function base(idOrName: { id?: string; name?: string }, service: string, detection: string): string {
  return `title: base ${idOrName.name ?? idOrName.id}
${idOrName.id ? `id: ${idOrName.id}\n` : ''}${idOrName.name ? `name: ${idOrName.name}\n` : ''}logsource:
    product: linux
    service: ${service}
detection:
${detection.replace(/^/gm, '    ')}
level: low
`;
}

const FAILED_LOGIN = 'selection:\n    dwell.action: ssh_login_failed\ncondition: selection';

// tests/schema/correlation/event_count.yml (verbatim)
const EVENT_COUNT = `title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
correlation:
    type: event_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
    timespan: 1h
    condition:
        gte: 100`;

// tests/schema/correlation/value_count.yml (verbatim)
const VALUE_COUNT = `title: Failed login
id: 0e95725d-7320-415d-80f7-004da920fc12
correlation:
    type: value_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
        - WorkstationName
    timespan: 1d
    condition:
        field: User
        gte: 100`;

// tests/schema/correlation/temporal.yml and temporal_ordered.yml (verbatim)
const TEMPORAL = `title: Recon
correlation:
    type: temporal
    rules:
        - recon_cmd_a
        - recon_cmd_b
        - recon_cmd_c
    group-by:
        - ComputerName
        - User
    timespan: 5m`;
const TEMPORAL_ORDERED = TEMPORAL.replace('title: Recon', 'title: Recon ordered').replace('type: temporal', 'type: temporal_ordered');

const RECON_RULES = {
  'a.yml': base({ name: 'recon_cmd_a' }, 'sudo', 'selection:\n    COMMAND|contains: whoami\ncondition: selection'),
  'b.yml': base({ name: 'recon_cmd_b' }, 'sudo', "selection:\n    COMMAND|contains: 'uname -a'\ncondition: selection"),
  'c.yml': base({ name: 'recon_cmd_c' }, 'sudo', "selection:\n    COMMAND|contains: 'cat /etc/passwd'\ncondition: selection"),
};

async function corrHits(files: Record<string, string>, events: Ev[], corrId: string): Promise<{ ids: number[]; keys: string[]; problems: string[] }> {
  const h = await miniHunt(files, events);
  try {
    const keys = (await h.conn.runAndReadAll(`SELECT DISTINCT hit_key FROM detections WHERE rule_id = $r ORDER BY 1`, { r: corrId })).getRowObjectsJS().map((r) => String(r.hit_key));
    return { ids: h.hits.get(corrId) ?? [], keys, problems: h.problems.map((p) => `${p.kind}: ${p.reason}`) };
  } finally {
    h.close();
  }
}

describe('correlation rules (the specification\'s examples)', () => {
  it('event_count: ≥ 100 failed logins on one host within an hour', async () => {
    const evs: Ev[] = [];
    let id = 1;
    for (let i = 0; i < 100; i++) evs.push(failed(id++, i * 0.5, `u${i}`, 'web-01')); // 100 in 50 minutes
    for (let i = 0; i < 100; i++) evs.push(failed(id++, i * 1.8, `u${i}`, 'web-02')); // 100 over 3 hours: at most 34 an hour
    for (let i = 0; i < 99; i++) evs.push(failed(id++, i * 0.1, `u${i}`, 'web-03')); // 99 in 10 minutes
    const r = await corrHits({ 'base.yml': base({ id: '5638f7c0-ac70-491d-8465-2a65075e0d86' }, 'sshd', FAILED_LOGIN), 'corr.yml': EVENT_COUNT }, evs, '0e95725d-7320-415d-80f7-004da920fc11');
    expect(r.problems).toEqual([]);
    expect(r.ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(r.keys).toEqual(['ComputerName=web-01']);
  });

  it('value_count: ≥ 100 different users from one workstation to one host in a day', async () => {
    const evs: Ev[] = [];
    let id = 1;
    for (let i = 0; i < 100; i++) evs.push(failed(id++, i * 5, `user${i}`, 'db-01', '198.51.100.7'));
    for (let i = 0; i < 150; i++) evs.push(failed(id++, i * 5, `user${i % 99}`, 'db-01', '198.51.100.8')); // 150 attempts, 99 users
    const r = await corrHits({ 'base.yml': base({ id: '5638f7c0-ac70-491d-8465-2a65075e0d86' }, 'sshd', FAILED_LOGIN), 'corr.yml': VALUE_COUNT }, evs, '0e95725d-7320-415d-80f7-004da920fc12');
    expect(r.problems).toEqual([]);
    expect(r.ids.length).toBe(100);
    expect(r.keys).toEqual(['ComputerName=db-01, WorkstationName=198.51.100.7']);
  });

  it('temporal: all three recon commands by one user on one host within 5 minutes, in any order', async () => {
    const evs = [
      sudo(1, 0, 'alice', '/usr/bin/whoami'), sudo(2, 2, 'alice', '/bin/cat /etc/passwd'), sudo(3, 4, 'alice', '/bin/uname -a'),
      sudo(4, 0, 'bob', '/usr/bin/whoami'), sudo(5, 1, 'bob', '/bin/uname -a'),
      sudo(6, 0, 'carol', '/usr/bin/whoami'), sudo(7, 4, 'carol', '/bin/uname -a'), sudo(8, 10, 'carol', '/bin/cat /etc/passwd'),
      sudo(9, 0, 'dave', '/usr/bin/whoami', 'web-01'), sudo(10, 1, 'dave', '/bin/uname -a', 'web-02'), sudo(11, 2, 'dave', '/bin/cat /etc/passwd', 'web-01'),
    ];
    const h = await miniHunt({ ...RECON_RULES, 'corr.yml': TEMPORAL }, evs);
    try {
      expect(h.problems).toEqual([]);
      // No id and no name: stored under file#document.
      expect(h.hits.get('corr.yml#0')).toEqual([1, 2, 3]);
      // Rules a correlation uses report no hits of their own (generate: false).
      expect([...h.hits.keys()].filter((k) => (h.hits.get(k) ?? []).length > 0)).toEqual(['corr.yml#0']);
    } finally {
      h.close();
    }
  });

  it('temporal_ordered: the three commands in the order listed', async () => {
    const evs = [
      sudo(1, 0, 'erin', '/usr/bin/whoami'), sudo(2, 1, 'erin', '/bin/uname -a'), sudo(3, 2, 'erin', '/bin/cat /etc/passwd'),
      sudo(4, 0, 'frank', '/bin/cat /etc/passwd'), sudo(5, 1, 'frank', '/bin/uname -a'), sudo(6, 2, 'frank', '/usr/bin/whoami'),
      sudo(7, 0, 'gina', '/usr/bin/whoami'), sudo(8, 1, 'gina', '/bin/cat /etc/passwd'), sudo(9, 2, 'gina', '/bin/uname -a'), sudo(10, 3, 'gina', '/bin/cat /etc/passwd'),
    ];
    const h = await miniHunt({ ...RECON_RULES, 'corr.yml': TEMPORAL_ORDERED }, evs);
    try {
      expect(h.problems).toEqual([]);
      expect(h.hits.get('corr.yml#0')).toEqual([1, 2, 3, 7, 8, 9, 10]);
    } finally {
      h.close();
    }
  });

  it('the worked example: multiple failed logins followed by a successful login (chained correlations in one file)', async () => {
    // The specification's example file, its two correlation documents verbatim; the two base
    // rules (same titles, ids and names) select Linux sshd events instead of Windows ones.
    const example = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
description: Detects multiple failed logins by a single user followed by a successful login of that user
references:
    - https://reference.com
author: Florian Roth (Nextron Systems)
date: 2023-06-16
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
falsepositives:
    - Unlikely
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
description: Detects multiple failed logins within a certain amount of time
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: linux
    service: sshd
detection:
    selection:
        dwell.action: ssh_login_failed
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
description: Detects a successful login
name: successful_login
logsource:
    product: linux
    service: sshd
detection:
    selection:
        dwell.action: ssh_login
    condition: selection
`;
    const evs: Ev[] = [];
    let id = 1;
    for (let i = 0; i < 12; i++) evs.push(failed(id++, i * 0.25, 'root')); // 12 failures in 3 minutes …
    evs.push(success(id++, 4, 'root')); // … then in: id 13
    for (let i = 0; i < 12; i++) evs.push(failed(id++, 100 + i * 0.25, 'admin'));
    evs.push(success(id++, 130, 'admin')); // 27 minutes later: not within 10m
    for (let i = 0; i < 3; i++) evs.push(failed(id++, 200 + i, 'bob'));
    evs.push(success(id++, 204, 'bob')); // 3 failures only
    const h = await miniHunt({ 'example.yml': example }, evs);
    try {
      expect(h.problems).toEqual([]);
      expect(h.hits.get('b180ead8-d58f-40b2-ae54-c8940995b9b6')).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      // The inner correlation and the base rules are not reported on their own.
      expect(h.hits.get('a8418a5a-5fc4-46b5-b23b-6c73beb19d41')).toBeUndefined();
      expect(h.hits.get('53ba33fd-3a50-4468-a5ef-c583635cfa92')).toEqual([]);
      const keys = (await h.conn.runAndReadAll(`SELECT DISTINCT hit_key, level, title, author FROM detections`)).getRowObjectsJS();
      expect(keys).toEqual([{ hit_key: 'User=root', level: 'high', title: 'Correlation - Multiple Failed Logins Followed by Successful Login', author: 'Florian Roth (Nextron Systems)' }]);
    } finally {
      h.close();
    }
  });

  it('reports what it cannot run: value_percentile, a reference to a missing rule, a group-by field the log source lacks', async () => {
    const pct = `title: pct\nid: ${uid(50)}\ncorrelation:\n    type: value_percentile\n    rules:\n        - ${uid(60)}\n    group-by:\n        - ComputerName\n    timespan: 24h\n    condition:\n        field: Image\n        lte: 1\n`;
    const missing = `title: missing\nid: ${uid(51)}\ncorrelation:\n    type: event_count\n    rules:\n        - no_such_rule\n    group-by:\n        - User\n    timespan: 1h\n    condition:\n        gte: 2\n`;
    const badField = `title: bad field\nid: ${uid(52)}\ncorrelation:\n    type: event_count\n    rules:\n        - ${uid(60)}\n    group-by:\n        - TargetDomainName\n    timespan: 1h\n    condition:\n        gte: 2\n`;
    const h = await miniHunt({ 'base.yml': base({ id: uid(60) }, 'sshd', FAILED_LOGIN), 'pct.yml': pct, 'missing.yml': missing, 'bad.yml': badField }, [failed(1, 0, 'x'), failed(2, 1, 'x')]);
    try {
      const p = new Map(h.problems.map((x) => [x.file, `${x.kind}: ${x.reason}`]));
      expect(p.get('pct.yml')).toMatch(/^unsupported: value_percentile correlations are not run/);
      expect(p.get('missing.yml')).toMatch(/^rejected: refers to rule no_such_rule, which is not among the rules loaded/);
      expect(p.get('bad.yml')).toMatch(/^unsupported: correlation field "TargetDomainName" is not in Linux sshd/);
    } finally {
      h.close();
    }
  });
});
