/**
 * `:` — SQL over the view on screen: `view` is the current view (filters, pivot, attack view), every
 * table of the case is there too, and the session is read-only and reads and writes no file
 * (src/case-tools/view-query.ts). The result is the same table `dwell sql` prints, escaped.
 */
import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { historyPath, loadHistory } from '../../case-tools/history.js';
import type { ParamSql } from '../../case-tools/temp-view.js';
import { ViewQueryRunner } from '../../case-tools/view-query.js';
import { safeText } from '../../core/sanitize.js';
import { fit } from '../format.js';
import { consoleDone, consoleKey, initialConsole, type SqlConsoleState } from '../state/sql-console.js';
import { useTheme } from '../themes/theme.js';

/** Rows a result shows (the rest are counted, as in dwell sql). */
const MAX_ROWS = 1000;

export const SQL_HINTS = 'Enter runs · ↑↓ history · PgUp/PgDn scroll · Esc cancels a running query, else closes';

export interface SqlConsoleProps {
  casePath: string;
  /** The view on screen, as SQL with parameters. */
  view: ParamSql;
  width: number;
  height: number;
  onClose: () => void;
}

export function SqlConsole({ casePath, view, width, height, onClose }: SqlConsoleProps) {
  const theme = useTheme();
  const runner = useMemo(() => new ViewQueryRunner(casePath), [casePath]);
  const file = useMemo(() => historyPath(), []);
  const [state, setState] = useState<SqlConsoleState>(() => initialConsole(loadHistory(file)));
  // Keys can arrive faster than renders: each one applies to the state the previous one left.
  const current = useRef(state);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
      runner.cancel();
    },
    [runner],
  );
  const body = Math.max(1, height - 2);
  const update = (next: SqlConsoleState) => {
    current.current = next;
    if (live.current) setState(next);
  };

  useInput((input, key) => {
    const { state: next, command } = consoleKey(current.current, input, key, body);
    update(next);
    if (!command) return;
    if (command.kind === 'close') return onClose();
    if (command.kind === 'cancel') return runner.cancel();
    runner.run(command.sql, view, { width, maxRows: MAX_ROWS, history: file ? { path: file, entries: next.history } : undefined }).then(
      (r) => update(consoleDone(current.current, { lines: r.lines })),
      (err: Error & { cancelled?: boolean }) => update(consoleDone(current.current, { error: err.cancelled ? 'query cancelled' : (err.message ?? String(err)) })),
    );
  });

  const shown = state.running ? [] : state.error ? state.error.split('\n') : state.lines.slice(state.scroll, state.scroll + body);
  const more = !state.running && !state.error && state.lines.length > state.scroll + body ? ` · ${state.lines.length - state.scroll - body} more lines (PgDn)` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" {...theme.muted}>
        {fit(`SQL over the view on screen (\`view\`) and every table of the case — read-only, no file access${more}`, width)}
      </Text>
      <Box flexDirection="column" height={body} overflow="hidden">
        {state.running ? <Text {...theme.muted}>running… (Esc cancels)</Text> : null}
        {shown.map((line, i) => (
          <Text key={i} wrap="truncate" {...(state.error ? theme.error : {})}>
            {fit(safeText(line), width)}
          </Text>
        ))}
      </Box>
      <Text wrap="truncate">
        <Text {...theme.accent}>sql&gt; </Text>
        {safeText(state.text.length > width - 8 ? `…${state.text.slice(state.text.length - (width - 9))}` : state.text)}
        <Text inverse> </Text>
      </Text>
    </Box>
  );
}
