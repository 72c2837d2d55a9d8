/**
 * The attack at a glance (attack view): the phases seen — recon, access, actions, exfiltration —
 * each with the time of its first event, in the order those first events happened; then dwell
 * time and the initial access vector from the findings' answers.
 *
 * In time order, not kill-chain order: an arrow reads as "then", and phases overlap — discovery
 * (a recon technique) often starts after the initial access. Drawn in kill-chain order, a case
 * showed `recon 03-27 14:04 ─▶ access 03-27 13:08`, an order that never happened.
 */
import { Box, Text } from 'ink';
import { Fragment } from 'react';
import { safeText } from '../../core/sanitize.js';
import { PHASES, type FindingsInfo, type Phase } from '../data/types.js';
import { fit } from '../format.js';
import { formatDuration, formatTs, isoToUs } from '../state/time-input.js';
import { useTheme } from '../themes/theme.js';

export interface PhaseRibbonProps {
  findings: FindingsInfo;
  width: number;
}

function when(iso: string | null): string {
  const us = isoToUs(iso);
  return us === null ? '—' : formatTs(us, 'short');
}

/** Phases with a first time, ordered by it (ties in kill-chain order), and the phases not seen. */
export function phaseOrder(f: FindingsInfo): { seen: Array<{ phase: Phase; firstUs: number; events: number }>; unseen: Phase[] } {
  const fallback: Partial<Record<Phase, string | null>> = { recon: f.answers.firstReconAt, access: f.answers.initialAccessAt };
  const seen: Array<{ phase: Phase; firstUs: number; events: number }> = [];
  const unseen: Phase[] = [];
  for (const p of f.phases) {
    const us = isoToUs(p.first ?? fallback[p.phase] ?? null);
    if (us === null) unseen.push(p.phase);
    else seen.push({ phase: p.phase, firstUs: us, events: p.events });
  }
  seen.sort((a, b) => a.firstUs - b.firstUs || PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
  return { seen, unseen };
}

export function dwellLine(f: FindingsInfo): string {
  const a = f.answers;
  const parts: string[] = [];
  if (a.dwellTimeSeconds !== null) {
    parts.push(`dwell time ${formatDuration(a.dwellTimeSeconds)} (access → detection${a.detectedAt ? ` ${when(a.detectedAt)}` : ''})`);
  } else {
    parts.push('dwell time — (no detection time given)');
  }
  if (a.accessDurationSeconds !== null) parts.push(`access lasted ${formatDuration(a.accessDurationSeconds)}`);
  parts.push(`${f.attackEvents} attacker events`);
  if (a.initialAccessVector) parts.push(`vector: ${safeText(a.initialAccessVector)}`);
  return parts.join(' · ');
}

export function PhaseRibbon({ findings, width }: PhaseRibbonProps) {
  const theme = useTheme();
  const { seen, unseen } = phaseOrder(findings);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {seen.map((p, i) => (
          <Fragment key={p.phase}>
            {i > 0 ? <Text {...theme.muted}> ─▶ </Text> : null}
            <Text {...(p.events > 0 ? theme.phase[p.phase] : theme.muted)}>{p.phase}</Text>
            <Text> {formatTs(p.firstUs, 'short')}</Text>
          </Fragment>
        ))}
        {unseen.length > 0 ? <Text {...theme.muted}>{`${seen.length > 0 ? ' · ' : ''}not seen: ${unseen.join(', ')}`}</Text> : null}
      </Text>
      <Text wrap="truncate" {...theme.muted}>
        {fit(dwellLine(findings), width)}
      </Text>
    </Box>
  );
}
