/** Fake list rows for reducer and component tests. */
import type { TimelineRow } from '../../../src/tui/data/types.js';

export const T0 = Date.UTC(2026, 0, 2) * 1000;

export function row(i: number, over: Partial<TimelineRow['values']> & { summary?: string; phase?: TimelineRow['phase']; mark?: TimelineRow['mark'] } = {}): TimelineRow {
  const values = {
    source: 'auth_log',
    host: 'web-01',
    actor: `user${i % 3}`,
    action: 'ssh_login',
    outcome: 'success',
    srcIp: `198.51.100.${i % 5}`,
    dstIp: null,
    session: `sshd[${100 + i}]`,
    accessKey: null,
    target: null,
    ...over,
  };
  return {
    tsUs: T0 + i * 1_000_000,
    eventId: 1000 + i,
    values,
    text: { source: values.source ?? '', host: values.host ?? '', actor: values.actor ?? '', action: values.action ?? '', summary: over.summary ?? `event ${i}` },
    phase: over.phase ?? null,
    mark: over.mark ?? null,
  };
}

export function rows(from: number, to: number): TimelineRow[] {
  return Array.from({ length: to - from }, (_, k) => row(from + k));
}
