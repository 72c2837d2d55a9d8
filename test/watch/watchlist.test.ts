/** The watch list: entries as analysts write them, and what a findings run puts on it. */
import { describe, expect, it } from 'vitest';
import type { Findings } from '../../src/correlate/findings-types.js';
import { entriesFromFindings, parseEntry, WatchListError } from '../../src/watch/watchlist.js';

describe('watch list', () => {
  it('parses kind:value entries, users and roles with their host, addresses made canonical', () => {
    expect(parseEntry('ip:::ffff:203.0.113.7')).toMatchObject({ kind: 'ip', value: '203.0.113.7', host: null });
    expect(parseEntry('user:sysupdate@web-01', 'critical')).toMatchObject({ kind: 'local_user', value: 'sysupdate', host: 'web-01', severity: 'critical' });
    expect(parseEntry('key:AKIAEXAMPLE')).toMatchObject({ kind: 'access_key', value: 'AKIAEXAMPLE' });
    expect(parseEntry('rule:recon.ssh_probe')).toMatchObject({ kind: 'rule', value: 'recon.ssh_probe' });
    expect(() => parseEntry('sql:DROP TABLE events')).toThrow(WatchListError);
    expect(() => parseEntry('ip:')).toThrow(WatchListError);
  });

  it('takes the attacker entities, back doors and fired rules from findings, but not the victim hosts or sessions', () => {
    const f = {
      entities: [
        { kind: 'ip', value: '203.0.113.77', host: null, roles: ['login_source'], first_seen: null, last_seen: null, reason: '', event_ids: [] },
        { kind: 'host', value: 'web-01', host: null, roles: ['compromised'], first_seen: null, last_seen: null, reason: '', event_ids: [] },
        { kind: 'session', value: '123@web-01', host: 'web-01', roles: [], first_seen: null, last_seen: null, reason: '', event_ids: [] },
        { kind: 'local_user', value: 'sysupdate', host: 'web-01', roles: ['backdoor'], first_seen: null, last_seen: null, reason: '', event_ids: [] },
        { kind: 'local_user', value: 'deploy', host: 'web-01', roles: ['compromised'], first_seen: null, last_seen: null, reason: '', event_ids: [] },
      ],
      backdoors: [
        { kind: 'ssh_authorized_key', value: '/root/.ssh/authorized_keys: ssh-ed25519 AAAA x@y', host: 'web-01', created_at: null, created_by: 'deploy', used_after_containment: false, attempted_after_containment: false, event_ids: [] },
        { kind: 'admin_group', value: 'sysupdate in sudo', host: 'web-01', created_at: null, created_by: null, used_after_containment: false, attempted_after_containment: false, event_ids: [] },
      ],
      detections: [
        { rule_id: 'access.ssh_success_after_bruteforce', title: 't', phase: 'access', technique: 'T1110', level: 'high', hits: 2, keys: 1, first: null, last: null },
        { rule_id: 'recon.port_scan', title: 't', phase: 'recon', technique: 'T1046', level: 'low', hits: 0, keys: 0, first: null, last: null },
      ],
    } as unknown as Findings;
    const got = entriesFromFindings(f, { userAgents: ['evil-agent/1.0'], payloadHosts: ['payload.example'] }).map((e) => `${e.kind}:${e.value}${e.host ? '@' + e.host : ''}=${e.severity}`);
    expect(got).toEqual(
      [
        'ip:203.0.113.77=high',
        'local_user:sysupdate@web-01=critical',
        'local_user:deploy@web-01=medium',
        'file:/root/.ssh/authorized_keys@web-01=critical',
        'user_agent:evil-agent/1.0=medium',
        'payload_host:payload.example=high',
        'rule:access.ssh_success_after_bruteforce=high',
      ].sort((a, b) => (a.split('=')[0]! < b.split('=')[0]! ? -1 : 1)),
    );
  });
});
