/**
 * Which ATT&CK tactic an observed technique is shown under. A technique can serve several tactics
 * (Valid Accounts: initial access, persistence, privilege escalation, defense evasion); the
 * correlation phase of the event decides, and a detection rule's own `tactic` header wins when the
 * technique came from a rule. Unknown techniques (a newer rule, a technique this table lacks) get
 * no tactic: Navigator then shows them under every tactic of the technique, which is valid.
 */
import { TACTICS, TECHNIQUES, type Tactic } from './attack-reference.js';

const PREFERENCE: Record<string, readonly string[]> = {
  recon: ['reconnaissance', 'discovery', 'credential-access'],
  access: ['initial-access', 'credential-access', 'lateral-movement', 'execution', 'persistence'],
  actions: ['persistence', 'privilege-escalation', 'credential-access', 'discovery', 'lateral-movement', 'defense-evasion', 'execution', 'collection', 'command-and-control', 'impact'],
  exfiltration: ['exfiltration', 'collection', 'command-and-control'],
};

/** Tactic shortname for a technique seen in a phase, or null when the technique is unknown here. */
export function tacticFor(technique: string, phase: string | null | undefined, ruleTactic?: string | null): string | null {
  const t = TECHNIQUES[technique] ?? TECHNIQUES[technique.split('.')[0]!];
  if (ruleTactic && (!t || t.tactics.includes(ruleTactic))) return ruleTactic;
  if (!t) return null;
  for (const pref of PREFERENCE[phase ?? ''] ?? []) if (t.tactics.includes(pref)) return pref;
  return t.tactics[0] ?? null;
}

export function tacticByShortname(shortname: string): Tactic | undefined {
  return TACTICS.find((t) => t.shortname === shortname);
}

/** Name of a technique (and of its parent for a sub-technique), when known. */
export function techniqueName(id: string): string | undefined {
  return TECHNIQUES[id]?.name;
}
