/**
 * Shared by the csvlog fast-path tests: records as PostgreSQL writes them, the switch that lets
 * csvlog take the SQL path, and the comparison that leaves out measured times.
 */
import type { CaseContent } from './compare.js';

/** The analyzer's parser time is a measurement, not a stored fact: equal only by chance. */
export function withoutTimings(c: CaseContent): CaseContent {
  return {
    ...c,
    evidence: c.evidence.map((e) => {
      if (typeof e.info !== 'string') return e;
      const info = JSON.parse(e.info) as { sql_analysis?: { parserMs?: number } };
      if (info.sql_analysis) delete info.sql_analysis.parserMs;
      return { ...e, info: JSON.stringify(info) };
    }),
  };
}

export function enablePgFastPath(hooks: { beforeAll: (f: () => void) => void; afterAll: (f: () => void) => void }): void {
  const saved = process.env.DWELL_FAST_FORMATS;
  hooks.beforeAll(() => {
    process.env.DWELL_FAST_FORMATS = 'vpc_flow,postgres_csvlog';
  });
  hooks.afterAll(() => {
    if (saved === undefined) delete process.env.DWELL_FAST_FORMATS;
    else process.env.DWELL_FAST_FORMATS = saved;
  });
}

export const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';

/** One record (26 columns, PostgreSQL 14+), as PostgreSQL writes it. */
export function rec(o: { t: string; user?: string; db?: string; pid: number; from?: string; sid: string; n: number; tag?: string; sev?: string; state?: string; msg: string; detail?: string; hint?: string; context?: string; query?: string; app?: string; btype?: string }): string {
  return [
    o.t, o.user === undefined ? '' : q(o.user), o.db === undefined ? '' : q(o.db), o.pid, o.from === undefined ? '' : q(o.from), o.sid, o.n, q(o.tag ?? ''), '2025-03-11 08:00:00 UTC',
    `3/${o.n}`, 0, o.sev ?? 'LOG', o.state ?? '00000', q(o.msg), o.detail ? q(o.detail) : '', o.hint ? q(o.hint) : '', '', '', o.context ? q(o.context) : '', o.query ? q(o.query) : '', '', '',
    q(o.app ?? ''), q(o.btype ?? 'client backend'), '', 0,
  ].join(',');
}

