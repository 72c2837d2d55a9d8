/** The attacker entities as table rows, one row per host and kind of session instead of one per session (the findings JSON keeps them all). */
import type { Findings } from '../correlate/findings-types.js';

export function entityRows(f: Findings): unknown[][] {
  const rows: unknown[][] = [];
  const sessions = new Map<string, { n: number; first: string | null; last: string | null; host: string | null }>();
  for (const e of f.entities ?? []) {
    if (e.kind !== 'session') {
      rows.push([e.kind, e.value, e.host, (e.roles ?? []).join(', '), e.first_seen, e.last_seen]);
      continue;
    }
    const k = `${e.host ?? ''}|${e.value.replace(/\[.*$|\/.*$/, '')}`;
    const s = sessions.get(k) ?? { n: 0, first: null, last: null, host: e.host };
    s.n++;
    if (e.first_seen && (!s.first || e.first_seen < s.first)) s.first = e.first_seen;
    if (e.last_seen && (!s.last || e.last_seen > s.last)) s.last = e.last_seen;
    sessions.set(k, s);
  }
  for (const [k, s] of sessions) rows.push(['session', `${s.n} ${k.split('|')[1]} session${s.n === 1 ? '' : 's'} (full list in the findings JSON)`, s.host, '', s.first, s.last]);
  return rows;
}
