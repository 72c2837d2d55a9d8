/** The view's state in one line: filters and search on the left, position and activity on the right. */
import { Box, Text } from 'ink';
import { safeText } from '../../core/sanitize.js';
import { displayWidth, fit } from '../format.js';
import { useTheme } from '../themes/theme.js';

export interface StatusLineProps {
  /** From describeQuery(): already escaped. */
  filters: string;
  search: string | null;
  /** What the view leaves out without being asked (events with untrusted times). */
  note?: string | null;
  /** "row 41 of 1,234" or "41–80 of many". */
  position: string;
  /** Time of the selected event. */
  time: string | null;
  /** Shown only after a request has run for 100 ms. */
  busy: string | null;
  /** Pivot depth: how many Esc lead back. */
  depth: number;
  /** Marks and notes of this TUI not in the case yet. */
  waiting?: number;
  width: number;
}

export function StatusLine({ filters, search, note = null, position, time, busy, depth, waiting = 0, width }: StatusLineProps) {
  const theme = useTheme();
  const left = [filters ? `filter: ${filters}` : 'no filter', note, search !== null ? `search "${safeText(search)}" (n/N)` : null, depth > 0 ? `Esc: back (${depth})` : null]
    .filter(Boolean)
    .join(' · ');
  const right = [busy, waiting > 0 ? `✎ ${waiting} waiting` : null, position, time].filter(Boolean).join(' · ');
  const leftWidth = Math.max(1, width - displayWidth(right) - 1);
  return (
    <Box width={width}>
      <Text wrap="truncate" {...theme.accent}>
        {fit(left, leftWidth)}
      </Text>
      <Text> </Text>
      <Text wrap="truncate" {...(busy ? theme.title : theme.muted)}>
        {right}
      </Text>
    </Box>
  );
}
