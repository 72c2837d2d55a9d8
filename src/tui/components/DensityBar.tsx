/**
 * Events over time as a sparkline, one cell per time bucket, over the view's whole range (zoom
 * `view`) or a day/hour around the selected event. Buckets with attacker events take the colour
 * of the most advanced phase; the line below marks them with the phase's initial (readable
 * without colour) and the selected event with ▲.
 */
import { Box, Text } from 'ink';
import type { Density, Phase } from '../data/types.js';
import { formatTs } from '../state/time-input.js';
import type { Zoom } from '../state/view-reducer.js';
import { useTheme } from '../themes/theme.js';

const LEVELS = ' ▁▂▃▄▅▆▇█';
const INITIAL: Record<Phase, string> = { recon: 'r', access: 'a', actions: 'x', exfiltration: 'e' };

export interface DensityBarProps {
  density: Density | null;
  cursorUs: number | null;
  zoom: Zoom;
  width: number;
}

/** Sparkline characters: any non-empty bucket shows at least ▁ (a single event must be visible). */
export function sparkline(counts: number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (c === 0 || max === 0 ? LEVELS[0] : LEVELS[Math.max(1, Math.round((c / max) * 8))])).join('');
}

export function DensityBar({ density, cursorUs, zoom, width }: DensityBarProps) {
  const theme = useTheme();
  const label = `${zoom === 'view' ? 'all' : zoom}`.padEnd(5);
  if (!density) {
    return (
      <Box flexDirection="column" height={2}>
        <Text {...theme.muted}>{label}…</Text>
        <Text> </Text>
      </Box>
    );
  }
  const chars = sparkline(density.buckets.map((b) => b.count));
  const cursorBucket = cursorUs === null ? -1 : Math.floor((cursorUs - density.fromUs) / density.bucketUs);
  // Runs of buckets with the same phase share one <Text>.
  const runs: Array<{ phase: Phase | null; text: string }> = [];
  density.buckets.forEach((b, i) => {
    const last = runs[runs.length - 1];
    if (last && last.phase === b.phase) last.text += chars[i];
    else runs.push({ phase: b.phase, text: chars[i]! });
  });
  return (
    <Box flexDirection="column" height={2} width={width}>
      <Text wrap="truncate">
        <Text {...theme.muted}>{label}</Text>
        {runs.map((r, i) => (
          <Text key={i} {...(r.phase ? theme.phase[r.phase] : theme.density)}>
            {r.text}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate">
        {' '.repeat(label.length)}
        {markLine(density, cursorBucket)}
      </Text>
    </Box>
  );
}

/** Phase initials and the cursor's ▲ under the sparkline, with the range's ends where there is room. */
export function markLine(density: Density, cursorBucket: number): string {
  const cells = density.buckets.map((b, i) => (i === cursorBucket ? '▲' : b.phase ? INITIAL[b.phase] : ' '));
  const put = (text: string, at: number) => {
    const span = cells.slice(at, at + text.length);
    if (span.length === text.length && span.every((c) => c === ' ')) [...text].forEach((ch, k) => (cells[at + k] = ch));
  };
  put(formatTs(density.fromUs, 'short'), 0);
  const to = formatTs(density.toUs, 'short');
  put(to, cells.length - to.length);
  return cells.join('');
}
