/** The ATT&CK techniques of the attacker timeline, with names and the tactic each served (src/export/attack-tactics.ts). */
import type { Findings } from '../correlate/findings-types.js';
import { tacticByShortname, tacticFor, techniqueName } from '../export/attack-tactics.js';
import { TACTICS } from '../export/attack-reference.js';

export interface TechniqueRow {
  id: string;
  name: string | null;
  /** Tactic name (e.g. Initial Access), or null when the technique is unknown here. */
  tactic: string | null;
  tacticOrder: number;
  events: number;
  first: string | null;
  last: string | null;
}

export function attackTechniques(f: Findings): TechniqueRow[] {
  const by = new Map<string, TechniqueRow>();
  for (const t of f.timeline ?? []) {
    if (!t.technique) continue;
    const shortname = tacticFor(t.technique, t.phase);
    const key = `${t.technique}|${shortname}`;
    const row = by.get(key) ?? { id: t.technique, name: techniqueName(t.technique) ?? null, tactic: shortname ? (tacticByShortname(shortname)?.name ?? shortname) : null, tacticOrder: shortname ? TACTICS.findIndex((x) => x.shortname === shortname) : 99, events: 0, first: null, last: null };
    row.events++;
    if (t.ts && (!row.first || t.ts < row.first)) row.first = t.ts;
    if (t.ts && (!row.last || t.ts > row.last)) row.last = t.ts;
    by.set(key, row);
  }
  return [...by.values()].sort((a, b) => a.tacticOrder - b.tacticOrder || a.id.localeCompare(b.id));
}
