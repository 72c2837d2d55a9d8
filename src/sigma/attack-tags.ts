/**
 * A Sigma rule's `tags` (specification appendix "Tags": `attack.t1078.004`, `attack.initial-access`,
 * underscores in older rules) → the ATT&CK technique and the attack phase dwell files its hits
 * under (the phases of docs/findings.md).
 */
import type { Phase } from '../correlate/rules.js';

const PHASE_OF_TACTIC: Record<string, Phase> = {
  reconnaissance: 'recon',
  'resource-development': 'recon',
  discovery: 'recon',
  'initial-access': 'access',
  'credential-access': 'access',
  execution: 'actions',
  persistence: 'actions',
  'privilege-escalation': 'actions',
  'defense-evasion': 'actions',
  'lateral-movement': 'actions',
  collection: 'actions',
  'command-and-control': 'actions',
  impact: 'actions',
  exfiltration: 'exfiltration',
};

/** Techniques named by the tags, as ATT&CK writes them (T1078.004), in tag order. */
export function techniquesOf(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(\.\d{3})?)$/i.exec(t.trim());
    if (m && !out.includes(m[1]!.toUpperCase())) out.push(m[1]!.toUpperCase());
  }
  return out;
}

/** Tactics named by the tags, dashed (initial-access). */
export function tacticsOf(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.([a-z_-]+)$/i.exec(t.trim());
    if (!m) continue;
    const tactic = m[1]!.toLowerCase().replace(/_/g, '-');
    if (PHASE_OF_TACTIC[tactic] && !out.includes(tactic)) out.push(tactic);
  }
  return out;
}

/** The phase of the first tactic the tags name (null when none). */
export function phaseOf(tags: string[]): Phase | null {
  const t = tacticsOf(tags)[0];
  return t ? PHASE_OF_TACTIC[t]! : null;
}
