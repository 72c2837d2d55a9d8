/** Hand-made findings for report and mitigation tests: small, complete, every list present. */
import type { Findings, TimelineItem } from '../../src/correlate/findings-types.js';

export function item(id: number, ts: string, phase: TimelineItem['phase'], extra: Partial<TimelineItem> = {}): TimelineItem {
  return { event_id: id, ts, phase, technique: null, source: 'auth_log', host: 'web-01', actor: 'deploy', src_ip: '203.0.113.7', summary: `event ${id}`, reason: 'r', time_quality: 'exact', evidence: { file: '/ev/auth.log', sha256: null, line: id }, ...extra };
}

export function findings(over: Partial<Findings> = {}): Findings {
  const timeline = [item(1, '2026-01-01T10:00:00Z', 'recon'), item(2, '2026-01-01T11:00:00Z', 'access'), item(3, '2026-01-01T11:05:00Z', 'actions', { technique: 'T1548.003' }), item(4, '2026-01-03T12:00:00Z', 'access', { summary: 'login after containment' })];
  return {
    schema: 'dwell.findings/v1',
    generated_at: '2026-12-07T00:00:00Z',
    dwell_version: '0.1.0',
    case: { events: 10, evidence_files: 1, sources: ['auth_log'], from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' },
    parameters: { seeds: [], seeds_used: [{ kind: 'ip', value: '203.0.113.7', reason: 'given' }], detected_at: '2026-01-02T09:00:00Z', contained_at: '2026-01-02T12:00:00Z', sensitive: [], include_relative: false },
    answers: { first_recon_at: '2026-01-01T10:00:00Z', initial_access_at: '2026-01-01T11:00:00Z', initial_access_vector: 'ssh password login', detected_at: '2026-01-02T09:00:00Z', last_attacker_activity_at: '2026-01-03T12:00:00Z', contained_at: '2026-01-02T12:00:00Z', dwell_time_seconds: 79200, access_duration_seconds: 176400 },
    entities: [{ kind: 'host', value: 'web-01', host: null, roles: ['compromised'], first_seen: null, last_seen: null, reason: '', event_ids: [] }],
    phases: [],
    timeline,
    db_queries: [],
    backdoors: [{ kind: 'local_user', value: 'sysupdate', host: 'web-01', created_at: '2026-01-01T11:10:00Z', created_by: 'deploy', used_after_containment: true, attempted_after_containment: false, event_ids: [3, 4] }],
    compromised_data: [],
    credentials_to_rotate: [],
    ips: [{ ip: '203.0.113.7', roles: ['login_source'], first_seen: null, last_seen: null }],
    exfiltration: [],
    network_mapping: [],
    gaps: [],
    detections: [],
    annotations: [],
    notes: [],
    host_addresses: [],
    uncertainty: { time: [], seeds: [], gaps: 0 },
    ...over,
  } as Findings;
}

