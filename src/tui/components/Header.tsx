/** Top line: the case in one line (file, events, files, sources, time span) and which view is shown. */
import { Box, Text } from 'ink';
import { basename } from 'node:path';
import { safeText } from '../../core/sanitize.js';
import type { CaseInfo } from '../data/types.js';
import { fit, formatCount } from '../format.js';
import { useTheme } from '../themes/theme.js';

export interface HeaderProps {
  info: CaseInfo;
  /** ALL EVENTS, ATTACK, PIVOT ip=… */
  view: string;
  width: number;
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '…';
}

export function caseSummary(info: CaseInfo): string {
  return [
    safeText(basename(info.path)),
    `${formatCount(info.events)} events`,
    `${formatCount(info.evidenceFiles)} files`,
    info.sources.map((s) => safeText(s)).join(', ') || 'no sources',
    `${day(info.from)} → ${day(info.to)} UTC`,
    // dwell watch: the attacker came back (alerts stored in the case).
    ...(info.alerts ? [`⚠ ${formatCount(info.alerts.count)} alerts${info.alerts.critical ? ` (${info.alerts.critical} critical)` : ''}, last ${day(info.alerts.latest)}`] : []),
  ].join(' · ');
}

export function Header({ info, view, width }: HeaderProps) {
  const theme = useTheme();
  const right = ` [${view}]`;
  const left = `dwell · ${caseSummary(info)}`;
  return (
    <Box width={width}>
      <Text wrap="truncate" {...theme.title}>
        {fit(left, Math.max(1, width - right.length))}
      </Text>
      <Text {...theme.accent}>{right}</Text>
    </Box>
  );
}
