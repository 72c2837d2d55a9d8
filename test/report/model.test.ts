/** The report model on hand-made findings: merged gaps, ≤ 30 key events, a short summary linked to sections, caveats. */
import { describe, expect, it } from 'vitest';
import { findings, item } from '../helpers/report-findings.js';
import { keyEvents, MAX_KEY_EVENTS } from '../../src/report/key-events.js';
import { gapSpan, mergeGaps } from '../../src/report/gaps.js';
import { buildReport, SECTIONS, type CaseData } from '../../src/report/model.js';
import { MAX_SUMMARY_LINES } from '../../src/report/summary.js';

const DATA: CaseData = { caseName: 'case-7', manifest: [], annotations: [], density: [], densityBucketSeconds: 0, hostSources: [{ host: 'web-01', sources: ['auth_log'] }] };

describe('gaps', () => {
  it('merges touching per-day rows of one source into one range and keeps the others apart', () => {
    const day = (d: string, source = 'vpc_flow') => ({ source, from: `${d}T00:00:00Z`, to: `${d}T23:59:59Z`, reason: 'no evidence from this source on this day of the attack' });
    const merged = mergeGaps([day('2026-01-03'), day('2026-01-04'), day('2026-01-05'), day('2026-01-09'), day('2026-01-04', 'zeek'), { source: 'cloudtrail', from: '2026-01-04T01:00:00Z', to: '2026-01-04T02:00:00Z', reason: 'StopLogging by x' }]);
    expect(merged.map((g) => `${g.source} ${gapSpan(g)}`)).toEqual(['vpc_flow 2026-01-03 → 2026-01-05 (3 days)', 'zeek 2026-01-04 (1 day)', 'cloudtrail 2026-01-04T01:00:00Z → 2026-01-04T02:00:00Z', 'vpc_flow 2026-01-09 (1 day)']);
    expect(merged.reduce((n, g) => n + g.rows, 0)).toBe(6);
  });
});

describe('key events', () => {
  it('names first recon, initial access, privilege change, back door, detection, containment and use after containment, in time order, with evidence', () => {
    const { events, omitted } = keyEvents(findings());
    expect(events.map((e) => e.kind)).toEqual(['first recon', 'initial access', 'privilege change', 'detection', 'containment', 'use after containment']);
    expect(omitted).toBe(0);
    expect(events[0]!.evidence).toEqual({ file: '/ev/auth.log', line: 1 });
    // The back door's first event is the privilege change (event 3): one row, not two.
    expect(events.find((e) => e.kind === 'use after containment')!.what).toBe('used: local_user sysupdate');
  });

  it('keeps at most 30 rows, cutting data accesses first, and says how many it left out', () => {
    const timeline = [item(1, '2026-01-01T10:00:00Z', 'recon'), item(2, '2026-01-01T11:00:00Z', 'access')];
    const data = Array.from({ length: 50 }, (_, i) => {
      timeline.push(item(100 + i, `2026-01-01T12:${String(i).padStart(2, '0')}:00Z`, 'actions'));
      return { kind: 'file', value: `/etc/f${i}`, host: 'web-01', access: 'read', rows: null, bytes: null, first: null, last: null, event_ids: [100 + i] };
    });
    const { events, omitted } = keyEvents(findings({ timeline, compromised_data: data, backdoors: [] }));
    expect(events).toHaveLength(MAX_KEY_EVENTS);
    expect(omitted).toBe(50 + 4 - MAX_KEY_EVENTS);
    expect(events.map((e) => e.kind)).toContain('initial access');
    expect(events.map((e) => e.kind)).toContain('containment');
    expect(events.filter((e) => e.kind === 'data access').map((e) => e.what)[0]).toBe('read file /etc/f0');
  });
});

describe('the report model', () => {
  it('dates the title by the incident, not the export day, with the case id', () => {
    const m = buildReport(findings(), DATA, { tlp: 'red' });
    expect(m.title).toBe('Incident report case-7: 2026-01-01 → 2026-01-03');
    expect(buildReport(findings(), DATA, { tlp: 'red', caseId: 'IR-42' }).title).toContain('IR-42');
  });

  it('keeps the executive summary within 15 lines, every link pointing at a section', () => {
    const m = buildReport(findings({ gaps: [{ source: 'zeek', from: '2026-01-01T00:00:00Z', to: '2026-01-01T23:59:59Z', reason: 'no evidence from this source on this day of the attack' }] }), DATA, { tlp: 'amber' });
    expect(m.summary.length).toBeGreaterThan(3);
    expect(m.summary.length).toBeLessThanOrEqual(MAX_SUMMARY_LINES);
    const links = m.summary.flat().filter((s): s is { text: string; section: string } => typeof s !== 'string');
    expect(links.length).toBeGreaterThan(3);
    for (const l of links) expect(Object.values(SECTIONS)).toContain(l.section);
    expect(links.map((l) => l.text)).toContain('1 back door');
  });

  it('says which answers an inferred year touches, and that a host without its own log is a blind spot', () => {
    const f = findings({
      entities: [...findings().entities, { kind: 'host', value: 'db-01', host: null, roles: ['compromised'], first_seen: null, last_seen: null, reason: '', event_ids: [] }],
      uncertainty: { time: [{ source: 'auth_log', time_quality: 'year_inferred', events: 7121, attacker_events: 4, from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z', left_out: false, note: 'the source wrote no year' }], seeds: [], gaps: 0 },
    });
    const m = buildReport(f, { ...DATA, hostSources: [...DATA.hostSources, { host: 'db-01', sources: ['vpc_flow'] }] }, { tlp: 'amber' });
    const time = m.caveats.find((c) => c.topic === 'time')!;
    expect(time.text).toContain('7,121 auth_log events have an inferred year');
    expect(time.affects).toContain('4 events of the attacker timeline');
    expect(m.caveats.filter((c) => c.topic === 'host').map((c) => c.text)).toEqual(['db-01 is in the attack but no log of its own is in the evidence (only vpc_flow).']);
  });
});
