/**
 * The virtualized list: only the rows on screen are rendered (the buffer is a few pages, the
 * table is never loaded). One <Text> per row keeps Ink's layout work small.
 * Row text is already escaped by the data layer; search matches are highlighted.
 */
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { TimelineRow } from '../data/types.js';
import { fit, splitMatches } from '../format.js';
import { formatTs } from '../state/time-input.js';
import { useTheme, type Style, type Theme } from '../themes/theme.js';

type ColumnKey = 'time' | 'mark' | 'phase' | 'source' | 'host' | 'actor' | 'action' | 'summary';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

/** Columns for a terminal width: narrow terminals drop source, then actor, then host. */
export function columnsFor(width: number, showPhase: boolean): Column[] {
  const cols: Column[] = [
    { key: 'mark', title: '', width: 2 },
    { key: 'time', title: 'TIME (UTC)', width: 20 },
  ];
  if (showPhase) cols.push({ key: 'phase', title: 'PHASE', width: 7 });
  const optional: Column[] = [
    { key: 'source', title: 'SOURCE', width: 11 },
    { key: 'host', title: 'HOST', width: 13 },
    { key: 'actor', title: 'ACTOR', width: 13 },
    { key: 'action', title: 'ACTION', width: 19 },
  ];
  const used = () => cols.reduce((s, c) => s + c.width, 0) + optional.reduce((s, c) => s + c.width, 0);
  const dropOrder: ColumnKey[] = ['source', 'actor', 'host', 'action'];
  while (width - used() < 24 && dropOrder.length > 0) {
    const k = dropOrder.shift();
    optional.splice(
      optional.findIndex((c) => c.key === k),
      1,
    );
  }
  cols.push(...optional);
  const rest = Math.max(10, width - cols.reduce((s, c) => s + c.width, 0));
  cols.push({ key: 'summary', title: 'SUMMARY', width: rest });
  return cols;
}

const PHASE_LABEL = { recon: 'recon', access: 'access', actions: 'action', exfiltration: 'exfil' } as const;

function cellText(row: TimelineRow, key: ColumnKey): string {
  switch (key) {
    case 'time':
      return formatTs(row.tsUs, 'list');
    case 'mark':
      return row.mark === 'note' ? '✎' : row.mark === 'mark' ? '●' : '';
    case 'phase':
      return row.phase ? PHASE_LABEL[row.phase] : '';
    default:
      return row.text[key];
  }
}

const SEARCHED: ReadonlySet<ColumnKey> = new Set(['source', 'host', 'actor', 'action', 'summary']);

export interface TimelineRowLineProps {
  row: TimelineRow;
  columns: Column[];
  selected: boolean;
  search: string | null;
}

interface Seg {
  text: string;
  style?: Style;
}

/** The row as few styled runs as possible: usually one plain string (Ink lays out one node per row). */
export function rowSegments(row: TimelineRow, columns: Column[], search: string | null, theme: Theme, padLast = true): Seg[] {
  const segs: Seg[] = [];
  const push = (text: string, style?: Style) => {
    const last = segs[segs.length - 1];
    if (last && !last.style && !style) last.text += text;
    else segs.push({ text, style });
  };
  for (const c of columns) {
    let text = fit(cellText(row, c.key), c.width - (c.key === 'summary' ? 0 : 1)) + (c.key === 'summary' ? '' : ' ');
    // Unselected rows end at their text: fewer cells for Ink to diff on every frame.
    if (c.key === 'summary' && !padLast) text = text.trimEnd();
    if (c.key === 'mark' && row.mark) push(text, theme.mark);
    else if (c.key === 'phase' && row.phase) push(text, theme.phase[row.phase]);
    else if (!search || !SEARCHED.has(c.key)) push(text);
    else for (const seg of splitMatches(text, search)) push(seg.text, seg.match ? theme.match : undefined);
  }
  return segs;
}

function TimelineRowLineImpl({ row, columns, selected, search }: TimelineRowLineProps) {
  const theme = useTheme();
  const base: Style = selected ? theme.selected : {};
  return (
    <Text wrap="truncate" {...base}>
      {rowSegments(row, columns, search, theme, selected).map((seg, i) =>
        seg.style ? (
          <Text key={i} {...base} {...seg.style}>
            {seg.text}
          </Text>
        ) : (
          seg.text
        ),
      )}
    </Text>
  );
}

/** Memoized: moving the cursor re-renders two rows, not the screen. */
export const TimelineRowLine = memo(TimelineRowLineImpl);

export interface TimelineTableProps {
  rows: TimelineRow[];
  /** Index in `rows` of the selected row (-1: none). */
  selected: number;
  width: number;
  height: number;
  search: string | null;
  showPhase: boolean;
  /** Shown when there are no rows. */
  empty: string;
}

export function TimelineTable({ rows, selected, width, height, search, showPhase, empty }: TimelineTableProps) {
  const theme = useTheme();
  const columns = useMemo(() => columnsFor(width, showPhase), [width, showPhase]);
  const header = columns.map((c) => fit(c.title, c.width)).join('');
  return (
    <Box flexDirection="column" height={height + 1} width={width}>
      <Text wrap="truncate" {...theme.columnHeader}>
        {header}
      </Text>
      {rows.length === 0 ? (
        <Text {...theme.muted}>{empty}</Text>
      ) : (
        rows.slice(0, height).map((r, i) => <TimelineRowLine key={`${r.tsUs}:${r.eventId}`} row={r} columns={columns} selected={i === selected} search={search} />)
      )}
    </Box>
  );
}
