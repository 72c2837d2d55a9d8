/** `?`: every key. */
import { Box, Text } from 'ink';
import { useTheme } from '../themes/theme.js';

export const HELP: Array<[string, string]> = [
  ['j k ↓ ↑', 'next / previous event'],
  ['PgDn PgUp space b', 'next / previous page (Ctrl-D / Ctrl-U: half a page)'],
  ['g Home  G End', 'first / last event of the view'],
  ['t', 'jump to a time: -2h, +30m, 02:16, 2026-01-02 02:16:40 (UTC; relative to the selected event)'],
  ['a', 'attack view on/off: the attacker events of the newest findings, with phases (in the order their first events happened) and dwell time'],
  ['f', 'filter: host= ip= user= actor= source= action= outcome= phase= key= session= from= to= marked (!= excludes, a,b = either, * wildcard)'],
  ['', 'time=all shows events with relative or implausible times too (left out by default); time=relative,implausible only those'],
  ['F', 'clear the filters'],
  ['/', 'search the shown text and the raw lines (any case); matches are highlighted'],
  ['n N', 'next / previous match'],
  ['p', 'pivot on the event\'s address, user, access key or session, across all sources'],
  ['Esc Backspace', 'back from a pivot (or clear the search)'],
  ['Enter', 'detail: every field, attrs, raw line, provenance and whether the file still verifies'],
  ['m', 'mark the event (stored in the case with your name and the time)'],
  ['c', 'add a note to the event (n in the detail view)'],
  ['e', 'export the filtered view to CSV or JSON lines (by the file name you give; Enter alone takes the offered name, Tab edits it)'],
  ['z', 'density bar: whole view / a day / an hour around the selected event'],
  [':', 'SQL over the view on screen (`view`) and every table, read-only (Esc cancels a query / closes; ↑↓ history)'],
  ['?', 'this help'],
  ['q Ctrl-C', 'quit (q closes detail and help first)'],
];

export function HelpView({ width }: { width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width}>
      <Text {...theme.title}>dwell tui — keys</Text>
      {HELP.map(([k, what], i) => (
        <Text key={i} wrap="truncate">
          <Text {...theme.accent}>{k.padEnd(20)}</Text>
          {what}
        </Text>
      ))}
      <Text> </Text>
      <Text {...theme.muted}>Times are UTC. Text from evidence is shown escaped (\x1b), never interpreted. The case is opened read-only; marks and notes are the only writes (kept waiting next to the case while another dwell holds it, ✎ N waiting).</Text>
      <Text {...theme.muted}>Press ? or Esc to close.</Text>
    </Box>
  );
}
