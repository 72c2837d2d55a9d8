/**
 * The TUI: composes the view reducer, the hooks that carry out its requests, and the presentational
 * components. Holds no logic of its own beyond layout (how many rows each part gets).
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo } from 'react';
import type { TimelineSource } from '../data/source.js';
import { viewSql } from '../data/sql.js';
import { fit, formatCount } from '../format.js';
import { useCounts } from '../hooks/useCounts.js';
import { useDelayedFlag } from '../hooks/useDelayedFlag.js';
import { useDensity } from '../hooks/useDensity.js';
import { useDetail } from '../hooks/useDetail.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useViewStore } from '../hooks/useViewStore.js';
import { describeQuery, EMPTY_QUERY, hidesUntrusted, type ViewQuery } from '../state/filters.js';
import { keyToAction } from '../state/keymap.js';
import { formatTs } from '../state/time-input.js';
import { initialState, selectedRow, visibleRows, type ViewState } from '../state/view-reducer.js';
import { colorTheme, ThemeContext, type Theme } from '../themes/theme.js';
import { BottomLine, KEY_HINTS } from './BottomLine.js';
import { DensityBar } from './DensityBar.js';
import { DETAIL_HINTS, DetailView, detailLines } from './DetailView.js';
import { Header } from './Header.js';
import { HelpView } from './HelpView.js';
import { PhaseRibbon } from './PhaseRibbon.js';
import { PivotMenu } from './PivotMenu.js';
import { SqlConsole, SQL_HINTS } from './SqlConsole.js';
import { StatusLine } from './StatusLine.js';
import { TimelineTable } from './TimelineTable.js';

export interface AppProps {
  source: TimelineSource;
  /** Author of marks and notes. */
  author: string;
  initialQuery?: ViewQuery;
  theme?: Theme;
  /** Called when the user quits (q / Ctrl-C is handled by Ink). */
  onQuit?: () => void;
}

/** Lines around the list: header, table header, density (2), status, bottom line, and one spare row. */
const CHROME = 7;

export function layout(rows: number, attackHeader: boolean): { pageSize: number; mainHeight: number } {
  const ribbon = attackHeader ? 2 : 0;
  return { pageSize: Math.max(3, rows - CHROME - ribbon), mainHeight: Math.max(3, rows - 4) };
}

function viewLabel(s: ViewState): string {
  if (s.stack.length > 0) return 'PIVOT';
  return s.query.attack ? 'ATTACK' : 'ALL EVENTS';
}

export function App({ source, author, initialQuery = EMPTY_QUERY, theme = colorTheme, onQuit }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const info = source.info;
  const hasFindings = info.findings !== null;
  const [state, dispatch] = useViewStore(() => initialState(layout(rows, initialQuery.attack && hasFindings).pageSize, hasFindings, initialQuery), source, author);
  const showRibbon = state.query.attack && info.findings !== null;
  const { pageSize, mainHeight } = layout(rows, showRibbon);
  useEffect(() => dispatch({ type: 'resize', pageSize }), [pageSize]);

  const row = selectedRow(state);
  const cursorKey = row ? { tsUs: row.tsUs, eventId: row.eventId } : null;
  const density = useDensity(source, state.query, state.zoom, row?.tsUs ?? null, Math.max(10, columns - 6));
  const counts = useCounts(source, state.query, cursorKey);
  const detail = useDetail(source, state.mode === 'detail' ? state.detailId : null, state.detailVersion, state.verifyNonce);
  // A prefetch (extending the buffer) is not waited for unless a key has run past the buffer.
  const waitingForRows = state.fetch !== null && (!['after', 'before'].includes(state.fetch.anchor.kind) || state.pendingMove !== 0);
  const busy = useDelayedFlag(waitingForRows || state.find !== null || state.effects.length > 0);

  const lines = useMemo(
    () => (detail.detail ? detailLines(detail.detail, detail.verify, detail.bytes, columns) : []),
    [detail.detail, detail.verify, detail.bytes, columns],
  );

  // The SQL prompt (`:`) reads its own keys.
  useInput((input, key) => dispatch({ type: 'key', input, key, detailHeight: mainHeight, detailLength: lines.length, now: Date.now() }), { isActive: state.mode !== 'sql' });
  const sqlView = useMemo(() => (state.mode === 'sql' ? viewSql(state.query, info.findings?.findingsId ?? null) : null), [state.mode, state.query]);
  useEffect(() => {
    if (!state.quit) return;
    onQuit?.();
    exit();
  }, [state.quit]);

  const position =
    counts.total === null
      ? state.rows.length === 0 && state.loaded
        ? '0 events'
        : `row ${counts.position !== null ? formatCount(counts.position) : '…'} of many`
      : `row ${counts.position !== null ? formatCount(counts.position) : '…'} of ${formatCount(counts.total)}`;
  const busyText = busy ? (state.find ? 'searching…' : state.effects.length > 0 ? 'saving…' : 'loading…') : null;
  // Events with untrusted times are left out unless the filter asks for them: say so, and how.
  const hiddenNote = info.untrustedTimes > 0 && hidesUntrusted(state.query) ? `${formatCount(info.untrustedTimes)} relative/implausible times hidden (time=all)` : null;
  const empty = !state.loaded
    ? 'loading…'
    : `${state.query.attack ? 'no attacker events match' : 'no events match the filters'}${hiddenNote ? ` · ${hiddenNote}` : ''}`;

  let main;
  if (state.mode === 'sql') {
    main = <SqlConsole casePath={info.path} view={sqlView!} width={columns} height={mainHeight} onClose={() => dispatch({ type: 'closeView' })} />;
  } else if (state.mode === 'help') {
    main = (
      <Box height={mainHeight} overflow="hidden">
        <HelpView width={columns} />
      </Box>
    );
  } else if (state.mode === 'detail') {
    main = detail.detail ? (
      <DetailView lines={lines} scroll={state.detailScroll} height={mainHeight} width={columns} search={state.search} />
    ) : (
      <Box height={mainHeight}>
        <Text {...theme.muted}>{detail.error ? `cannot load event: ${detail.error}` : 'loading event…'}</Text>
      </Box>
    );
  } else if (state.mode === 'pivot') {
    main = (
      <Box flexDirection="column" height={mainHeight} overflow="hidden">
        <Text wrap="truncate">{row ? fit(`${formatTs(row.tsUs)}  ${row.text.host}  ${row.text.summary}`, columns) : ''}</Text>
        <PivotMenu choices={state.pivot} width={columns} />
      </Box>
    );
  } else {
    main = (
      <Box flexDirection="column">
        {showRibbon ? <PhaseRibbon findings={info.findings!} width={columns} /> : null}
        <TimelineTable
          rows={visibleRows(state)}
          selected={state.cursor - state.top}
          width={columns}
          height={pageSize}
          search={state.search}
          showPhase={hasFindings}
          empty={empty}
        />
        <DensityBar density={density} cursorUs={row?.tsUs ?? null} zoom={state.zoom} width={columns} />
      </Box>
    );
  }

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={columns}>
        <Header info={info} view={viewLabel(state)} width={columns} />
        {main}
        {state.prompt && state.message ? (
          <Text wrap="truncate" {...(state.message.level === 'error' ? theme.error : theme.accent)}>
            {fit(state.message.text, columns)}
          </Text>
        ) : (
          <StatusLine
            filters={describeQuery(state.query)}
            note={hiddenNote}
            search={state.search}
            position={position}
            time={row ? `${formatTs(row.tsUs)} UTC` : null}
            busy={busyText}
            depth={state.stack.length}
            waiting={state.waiting}
            width={columns}
          />
        )}
        <BottomLine prompt={state.prompt} message={state.message} hints={state.mode === 'detail' ? DETAIL_HINTS : state.mode === 'sql' ? SQL_HINTS : KEY_HINTS} width={columns} />
      </Box>
    </ThemeContext.Provider>
  );
}
