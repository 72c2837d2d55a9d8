/** `p`: what to pivot on — the selected event's addresses, users, access key and session. */
import { Box, Text } from 'ink';
import type { PivotChoice } from '../state/pivot.js';
import { fit } from '../format.js';
import { useTheme } from '../themes/theme.js';

export interface PivotMenuProps {
  choices: PivotChoice[];
  width: number;
}

export function PivotMenu({ choices, width }: PivotMenuProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 90)}>
      <Text {...theme.title}>Pivot: everything involving…</Text>
      {choices.slice(0, 9).map((c, i) => (
        <Text key={i} wrap="truncate">
          <Text {...theme.accent}>{i + 1}</Text> {fit(c.label, Math.min(width, 90) - 8)}
        </Text>
      ))}
      <Text {...theme.muted}>1–{Math.min(9, choices.length)} or Enter (first) to pivot · Esc cancels</Text>
    </Box>
  );
}
