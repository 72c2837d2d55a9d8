/**
 * The attack at a glance (attack view): recon → access → actions → exfiltration with the first
 * time of each, then dwell time and the initial access vector from the findings' answers.
 */
import { Box, Text } from 'ink';
import { Fragment } from 'react';
import { safeText } from '../../core/sanitize.js';
import type { FindingsInfo } from '../data/types.js';
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
  const fallback: Record<string, string | null> = { recon: findings.answers.firstReconAt, access: findings.answers.initialAccessAt };
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {findings.phases.map((p, i) => (
          <Fragment key={p.phase}>
            {i > 0 ? <Text {...theme.muted}> ─▶ </Text> : null}
            <Text {...(p.events > 0 ? theme.phase[p.phase] : theme.muted)}>{p.phase}</Text>
            <Text> {when(p.first ?? fallback[p.phase] ?? null)}</Text>
          </Fragment>
        ))}
      </Text>
      <Text wrap="truncate" {...theme.muted}>
        {fit(dwellLine(findings), width)}
      </Text>
    </Box>
  );
}
