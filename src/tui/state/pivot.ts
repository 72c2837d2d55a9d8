/**
 * Pivot (`p`): from one event to everything involving one of its keys — an address, a user, an
 * access key or a session — across all sources. Candidates come from the row's stored values
 * (they become SQL parameters); labels are escaped for display.
 */
import { safeText } from '../../core/sanitize.js';
import type { TimelineRow } from '../data/types.js';
import type { Filter } from './filters.js';

export interface PivotChoice {
  /** What the menu shows, escaped: `ip 203.0.113.77`. */
  label: string;
  filter: Filter;
}

export function pivotChoices(row: TimelineRow): PivotChoice[] {
  const v = row.values;
  const out: PivotChoice[] = [];
  const seen = new Set<string>();
  const add = (kind: 'ip' | 'user' | 'key' | 'session', value: string | null, note: string) => {
    if (value === null || value === '' || seen.has(`${kind}\0${value}`)) return;
    seen.add(`${kind}\0${value}`);
    out.push({ label: `${kind.padEnd(7)} ${safeText(value)}  (${note})`, filter: { kind: 'value', field: kind, negate: false, values: [value], exact: true } });
  };
  add('ip', v.srcIp, 'source or destination address');
  add('ip', v.dstIp, 'source or destination address');
  add('user', v.actor, 'actor or target');
  add('user', v.target, 'actor or target');
  add('key', v.accessKey, 'access key');
  if (v.session) add('session', v.host ? `${v.session}@${v.host}` : v.session, 'session on its host');
  return out;
}
