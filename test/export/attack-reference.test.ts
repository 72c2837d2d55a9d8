/** dwell's ATT&CK table (src/export/attack-reference.ts) against the full ATT&CK Enterprise v18.1 list. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../helpers/corpus.js';
import { TACTICS, TECHNIQUES } from '../../src/export/attack-reference.js';
import { tacticFor } from '../../src/export/attack-tactics.js';
import { loadRules } from '../../src/correlate/rules.js';
import { specsDir } from './helpers.js';

const ATTACK = specsDir('attack-techniques');

describe.skipIf(!ATTACK)('ATT&CK reference table', () => {
  const rows = parseCsv(readFileSync(join(ATTACK!, 'enterprise-techniques.csv'), 'utf8'));
  const h = rows[0]!;
  const ref = new Map(rows.slice(1).filter((r) => r.length === h.length).map((r) => [r[0]!, Object.fromEntries(h.map((k, i) => [k, r[i]!]))]));

  it('names and tactics match ATT&CK v18.1; no technique is revoked or deprecated', () => {
    for (const [id, t] of Object.entries(TECHNIQUES)) {
      const r = ref.get(id);
      expect(r, id).toBeDefined();
      expect(t.name, id).toBe(r!.name);
      expect(t.tactics.join('|'), id).toBe(r!.tactics);
      expect(r!.revoked, id).toBe('false');
      expect(r!.deprecated, id).toBe('false');
    }
  });

  it('tactics match the matrix (ids, shortnames, names, order)', () => {
    const tac = parseCsv(readFileSync(join(ATTACK!, 'enterprise-tactics.csv'), 'utf8')).slice(1).filter((r) => r.length > 3);
    expect(TACTICS.map((t) => [t.id, t.shortname, t.name])).toEqual(tac.map((r) => [r[1], r[2], r[3]]));
  });

  it('every technique a detection rule names is in the table, and its rule tactic is one of its tactics', () => {
    for (const r of loadRules()) {
      expect(TECHNIQUES[r.technique], `${r.id} ${r.technique}`).toBeDefined();
      expect(tacticFor(r.technique, r.phase, r.tactic), r.id).toBe(r.tactic);
    }
  });

  it('the phase picks the tactic among a technique’s tactics', () => {
    expect(tacticFor('T1078', 'access')).toBe('initial-access');
    expect(tacticFor('T1078', 'actions')).toBe('persistence');
    expect(tacticFor('T1048', 'exfiltration')).toBe('exfiltration');
    expect(tacticFor('T9999', 'access')).toBeNull();
    expect(tacticFor('T1110.999', 'access')).toBe('credential-access');
  });
});
