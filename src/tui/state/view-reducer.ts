/**
 * The TUI's view state and everything a key can do to it, as a pure reducer (gemini-cli style):
 * no I/O here. Work for the outside world is *described* in the state — `fetch` (one page request
 * at a time, newest wins), `find` (one search), `effects` (annotations, exports) — and hooks carry
 * it out, answering with actions that name the request id, so stale answers are dropped.
 *
 * The list is a window over a buffer of rows (never the table): `rows` is a contiguous run of the
 * view in time order, `top` the first row on screen, `cursor` the selected row. Moving near either
 * end of the buffer asks for the next rows (keyset after the last / before the first key); the
 * buffer is trimmed on the far side so it stays a few pages long whatever the case size.
 */
import type { Key } from 'ink';
import type { ExportFormat } from '../data/sql.js';
import { compareKeys, type MarkKind, type PageResult, type RowKey, type TimelineRow } from '../data/types.js';
import { EMPTY_QUERY, parseFilters, formatFilters, type ViewQuery } from './filters.js';
import { pivotChoices, type PivotChoice } from './pivot.js';
import { keyToAction } from './keymap.js';
import { applyInput, stripControls } from './prompt-edit.js';
import { parseTimeInput } from './time-input.js';

export type Mode = 'timeline' | 'detail' | 'help' | 'pivot' | 'sql';
export type PromptKind = 'search' | 'filter' | 'jump' | 'note' | 'export';
export type Zoom = 'view' | 'day' | 'hour';
export const ZOOMS: Zoom[] = ['view', 'day', 'hour'];

export type FetchAnchor =
  | { kind: 'start' }
  | { kind: 'end' }
  /** Extend the buffer forward / backward. */
  | { kind: 'after'; key: RowKey }
  | { kind: 'before'; key: RowKey }
  /** Replace the buffer with rows around a key; select the first row at or after it. */
  | { kind: 'around'; key: RowKey; offset?: number };

export interface FetchRequest {
  id: number;
  query: ViewQuery;
  anchor: FetchAnchor;
  /** Rows wanted (for `around`: after the key; `before` rows before it). */
  limit: number;
  before: number;
}

export interface FindRequest {
  id: number;
  query: ViewQuery;
  text: string;
  from: RowKey;
  dir: 1 | -1;
  inclusive: boolean;
}

export type Effect =
  | { id: number; type: 'annotate'; eventId: number; kind: MarkKind; text: string | null }
  | { id: number; type: 'export'; query: ViewQuery; path: string; format: ExportFormat };

/** Where to come back to after a pivot. */
export interface Frame {
  query: ViewQuery;
  key: RowKey | null;
  offset: number;
}

export interface Message {
  text: string;
  level: 'info' | 'error';
}

export interface ViewState {
  pageSize: number;
  query: ViewQuery;
  rows: TimelineRow[];
  atStart: boolean;
  atEnd: boolean;
  top: number;
  cursor: number;
  /** The first page of the current query has arrived. */
  loaded: boolean;
  fetch: FetchRequest | null;
  /** Movement the buffer could not satisfy yet (rows; sign = direction), applied when rows arrive. */
  pendingMove: number;
  search: string | null;
  find: FindRequest | null;
  mode: Mode;
  /** `placeholder`: a default shown dimmed, taken by Enter on an empty prompt (Tab to edit it). */
  prompt: { kind: PromptKind; text: string; placeholder?: string } | null;
  stack: Frame[];
  detailId: number | null;
  detailScroll: number;
  /** Bumped when the open event gains an annotation, so the detail reloads. */
  detailVersion: number;
  /** Bumped by `v` in the detail: re-hash the event's evidence file. */
  verifyNonce: number;
  pivot: PivotChoice[];
  message: Message | null;
  effects: Effect[];
  zoom: Zoom;
  hasFindings: boolean;
  nextId: number;
  /** This TUI's marks and notes not in the case yet (kept in the side file while another process holds the case). */
  waiting: number;
  /** The user asked to quit. */
  quit: boolean;
}

export type Action =
  /**
   * A key press, mapped to an action here, against the latest state: keys typed faster than the
   * screen re-renders (a pasted search) must see the prompt the previous key opened.
   */
  | { type: 'key'; input: string; key: Key; detailHeight: number; detailLength: number; now: number }
  | { type: 'resize'; pageSize: number }
  | { type: 'move'; delta: number }
  | { type: 'page'; dir: 1 | -1; fraction?: number }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'fetched'; id: number; result: PageResult }
  | { type: 'fetchFailed'; id: number; error: string }
  | { type: 'toggleAttack' }
  | { type: 'openPrompt'; kind: PromptKind; text?: string; placeholder?: string }
  | { type: 'promptInput'; text: string }
  | { type: 'promptSubmit' }
  | { type: 'promptCancel' }
  | { type: 'findNext'; dir: 1 | -1 }
  | { type: 'found'; id: number; key: RowKey | null }
  | { type: 'findFailed'; id: number; error: string }
  | { type: 'openPivot' }
  /** `:` — the SQL prompt over the current view (components/SqlConsole.tsx handles its keys). */
  | { type: 'openSql' }
  | { type: 'pivot'; index: number }
  | { type: 'back' }
  | { type: 'openDetail' }
  | { type: 'closeView' }
  | { type: 'scrollDetail'; delta: number }
  | { type: 'verify' }
  | { type: 'help' }
  | { type: 'mark' }
  | { type: 'effectDone'; id: number; message: Message; annotated?: { eventId: number; kind: MarkKind }; waiting?: number }
  | { type: 'cycleZoom' }
  | { type: 'clearFilters' }
  | { type: 'message'; message: Message | null };

export function initialState(pageSize: number, hasFindings: boolean, query: ViewQuery = EMPTY_QUERY): ViewState {
  const s: ViewState = {
    pageSize: Math.max(1, pageSize),
    query,
    rows: [],
    atStart: true,
    atEnd: true,
    top: 0,
    cursor: 0,
    loaded: false,
    fetch: null,
    pendingMove: 0,
    search: null,
    find: null,
    mode: 'timeline',
    prompt: null,
    stack: [],
    detailId: null,
    detailScroll: 0,
    detailVersion: 0,
    verifyNonce: 0,
    pivot: [],
    message: null,
    effects: [],
    zoom: 'view',
    hasFindings,
    nextId: 1,
    waiting: 0,
    quit: false,
  };
  return request(s, { kind: 'start' });
}

/** Rows kept in memory: a few screens either side of the window. */
export function bufferLimit(pageSize: number): number {
  return Math.max(200, pageSize * 8);
}

export function selectedRow(s: ViewState): TimelineRow | null {
  return s.rows[s.cursor] ?? null;
}

export function visibleRows(s: ViewState): TimelineRow[] {
  return s.rows.slice(s.top, s.top + s.pageSize);
}

function request(s: ViewState, anchor: FetchAnchor, query: ViewQuery = s.query): ViewState {
  const id = s.nextId;
  const reset = anchor.kind !== 'after' && anchor.kind !== 'before';
  // A reset asks for one screen (the key-to-frame path); the prefetch that follows fills the
  // buffer in the background. Extensions ask for two screens.
  const context = anchor.kind === 'around' ? Math.min(s.pageSize - 1, anchor.offset ?? Math.ceil(s.pageSize / 3)) : 0;
  const fetch: FetchRequest = {
    id,
    query,
    anchor,
    limit: reset ? s.pageSize : s.pageSize * 2,
    before: anchor.kind === 'around' ? Math.max(1, context) : 0,
  };
  return { ...s, query, fetch, nextId: id + 1, pendingMove: reset ? 0 : s.pendingMove };
}

/** Keeps the cursor on screen and the screen full when the buffer allows. */
function settle(s: ViewState): ViewState {
  const n = s.rows.length;
  const cursor = n === 0 ? 0 : Math.min(Math.max(0, s.cursor), n - 1);
  let top = Math.min(Math.max(s.top, cursor - s.pageSize + 1), cursor);
  if (s.atEnd) top = Math.min(top, Math.max(0, n - s.pageSize));
  top = Math.max(0, top);
  return { ...s, cursor, top };
}

/** Asks for more rows when the cursor nears an open end of the buffer. */
function prefetch(s: ViewState): ViewState {
  if (s.fetch || !s.loaded || s.rows.length === 0) return s;
  const margin = s.pageSize * 2;
  if (!s.atEnd && (s.pendingMove > 0 || s.rows.length - 1 - s.cursor < margin)) return request(s, { kind: 'after', key: s.rows[s.rows.length - 1]! });
  if (!s.atStart && (s.pendingMove < 0 || s.cursor < margin)) return request(s, { kind: 'before', key: s.rows[0]! });
  return s;
}

function move(s: ViewState, delta: number): ViewState {
  if (s.rows.length === 0) return s;
  let target = s.cursor + delta;
  let pending = 0;
  if (target > s.rows.length - 1) {
    if (!s.atEnd) pending = target - (s.rows.length - 1);
    target = s.rows.length - 1;
  } else if (target < 0) {
    if (!s.atStart) pending = target;
    target = 0;
  }
  return prefetch(settle({ ...s, cursor: target, pendingMove: pending }));
}

function keyOf(r: TimelineRow | null | undefined): RowKey | null {
  return r ? { tsUs: r.tsUs, eventId: r.eventId } : null;
}

/** Selects `key` if it is in the buffer, else fetches rows around it. */
function goTo(s: ViewState, key: RowKey): ViewState {
  const i = s.rows.findIndex((r) => compareKeys(r, key) === 0);
  if (i >= 0) {
    // A target off screen lands a third of the way down, with context above it.
    const onScreen = i >= s.top && i < s.top + s.pageSize;
    return prefetch(settle({ ...s, cursor: i, top: onScreen ? s.top : i - Math.floor(s.pageSize / 3) }));
  }
  return request(s, { kind: 'around', key });
}

/** Re-runs the view for a new query, staying near the selected event's time. */
function requery(s: ViewState, query: ViewQuery): ViewState {
  const key = keyOf(selectedRow(s));
  const next = { ...s, query, find: null };
  return key ? request(next, { kind: 'around', key, offset: s.cursor - s.top }, query) : request(next, { kind: 'start' }, query);
}

function startFind(s: ViewState, dir: 1 | -1, inclusive: boolean): ViewState {
  const row = selectedRow(s);
  if (!s.search) return { ...s, message: { text: 'no search: press / to search', level: 'info' } };
  if (!row) return { ...s, message: { text: 'nothing to search in this view', level: 'info' } };
  const id = s.nextId;
  return { ...s, nextId: id + 1, find: { id, query: s.query, text: s.search, from: keyOf(row)!, dir, inclusive }, message: null };
}

type EffectInput = Effect extends unknown ? (Effect extends infer E ? (E extends Effect ? Omit<E, 'id'> : never) : never) : never;

function effect(s: ViewState, e: EffectInput): ViewState {
  return { ...s, nextId: s.nextId + 1, effects: [...s.effects, { ...e, id: s.nextId } as Effect] };
}

function applyFetched(s: ViewState, req: FetchRequest, r: PageResult): ViewState {
  const limit = bufferLimit(s.pageSize);
  const base = { ...s, fetch: null, loaded: true };
  switch (req.anchor.kind) {
    case 'start':
      return prefetch(settle({ ...base, rows: r.rows, atStart: true, atEnd: r.atEnd, cursor: 0, top: 0 }));
    case 'end': {
      const n = r.rows.length;
      return prefetch(settle({ ...base, rows: r.rows, atStart: r.atStart, atEnd: true, cursor: n - 1, top: Math.max(0, n - s.pageSize) }));
    }
    case 'around': {
      const cursor = r.cursor ?? 0;
      const offset = req.anchor.offset ?? Math.ceil(s.pageSize / 3);
      const next = settle({ ...base, rows: r.rows, atStart: r.atStart, atEnd: r.atEnd, cursor, top: cursor - Math.min(offset, s.pageSize - 1) });
      return prefetch(next);
    }
    case 'after': {
      let rows = [...s.rows, ...r.rows];
      let { cursor, top, atStart } = s;
      const drop = Math.max(0, Math.min(rows.length - limit, top - s.pageSize));
      if (drop > 0) {
        rows = rows.slice(drop);
        cursor -= drop;
        top -= drop;
        atStart = false;
      }
      const next = settle({ ...base, rows, cursor, top, atStart, atEnd: r.atEnd });
      return s.pendingMove > 0 ? keepOffset(move({ ...next, pendingMove: 0 }, s.pendingMove), next) : prefetch(next);
    }
    case 'before': {
      const n = r.rows.length;
      let rows = [...r.rows, ...s.rows];
      let atEnd = s.atEnd;
      const drop = Math.max(0, Math.min(rows.length - limit, rows.length - (s.top + n + 2 * s.pageSize)));
      if (drop > 0) {
        rows = rows.slice(0, rows.length - drop);
        atEnd = false;
      }
      const next = settle({ ...base, rows, cursor: s.cursor + n, top: s.top + n, atStart: r.atStart, atEnd });
      return s.pendingMove < 0 ? keepOffset(move({ ...next, pendingMove: 0 }, s.pendingMove), next) : prefetch(next);
    }
  }
}

/** After a deferred page move, keep the cursor's place on screen as PgDn/PgUp do. */
function keepOffset(moved: ViewState, before: ViewState): ViewState {
  const offset = before.cursor - before.top;
  return settle({ ...moved, top: moved.cursor - offset });
}

function refUs(s: ViewState): number {
  return selectedRow(s)?.tsUs ?? 0;
}

function submitPrompt(s: ViewState): ViewState {
  const p = s.prompt!;
  const text = p.text.trim() || (p.placeholder ?? '');
  const closed = { ...s, prompt: null, message: null };
  switch (p.kind) {
    case 'search':
      if (text === '') return { ...closed, search: null, find: null };
      return startFind({ ...closed, search: text }, 1, true);
    case 'filter': {
      const parsed = parseFilters(text, refUs(s));
      if (!parsed.ok) return { ...s, message: { text: parsed.error, level: 'error' } };
      const usesPhase = parsed.filters.some((f) => f.kind === 'value' && f.field === 'phase');
      const next = requery(closed, { ...s.query, filters: parsed.filters });
      return usesPhase && !s.hasFindings ? { ...next, message: { text: 'no findings yet: phase filters match nothing until `dwell correlate` has run', level: 'info' } } : next;
    }
    case 'jump': {
      if (text === '') return closed;
      const t = parseTimeInput(text, refUs(s));
      if (!t.ok) return { ...s, message: { text: t.error, level: 'error' } };
      return request(closed, { kind: 'around', key: { tsUs: t.us, eventId: 0 } });
    }
    case 'note': {
      const row = s.detailId !== null && s.mode === 'detail' ? { eventId: s.detailId } : selectedRow(s);
      if (text === '' || !row) return closed;
      return effect({ ...closed, message: { text: 'saving note…', level: 'info' } }, { type: 'annotate', eventId: row.eventId, kind: 'note', text });
    }
    case 'export': {
      if (text === '') return closed;
      const format: ExportFormat = /\.(jsonl|ndjson|json)$/i.test(text) ? 'jsonl' : 'csv';
      return effect({ ...closed, message: { text: `exporting to ${text}…`, level: 'info' } }, { type: 'export', query: s.query, path: text, format });
    }
  }
}

export function viewReducer(s: ViewState, a: Action): ViewState {
  switch (a.type) {
    case 'key': {
      // Several characters in one read (fast typing, a terminal under load): one key each, so
      // `/dep` opens the search and types "dep" into it.
      const chars = [...a.input];
      if (chars.length > 1 && !s.prompt && !a.key.ctrl && !a.key.meta) {
        return chars.reduce(
          (st, ch) => viewReducer(st, ch === '\r' || ch === '\n' ? { ...a, input: '', key: { ...a.key, return: true } } : { ...a, input: ch }),
          s,
        );
      }
      // Text and Enter in one read: type the text, submit, and go on with whatever follows.
      const nl = a.input.search(/[\r\n]/);
      if (s.prompt && nl >= 0 && a.input.length > 1) {
        let st = nl > 0 ? viewReducer(s, { type: 'promptInput', text: applyInput(s.prompt.text, a.input.slice(0, nl)) }) : s;
        st = viewReducer(st, { type: 'promptSubmit' });
        const rest = a.input.slice(nl + 1).replace(/^\n/, '');
        return rest ? viewReducer(st, { ...a, input: rest }) : st;
      }
      const next = keyToAction(s, a.input, a.key, { now: new Date(a.now), height: a.detailHeight });
      if (!next) return s;
      if (next.type === 'quit') return { ...s, quit: true };
      if (next.type === 'scrollDetail') {
        const max = Math.max(0, a.detailLength - a.detailHeight);
        return { ...s, detailScroll: Math.max(0, Math.min(max, s.detailScroll + next.delta)) };
      }
      return viewReducer(s, next);
    }
    case 'resize': {
      const pageSize = Math.max(1, a.pageSize);
      if (pageSize === s.pageSize) return s;
      return prefetch(settle({ ...s, pageSize, top: s.cursor - Math.min(s.cursor - s.top, pageSize - 1) }));
    }
    case 'move':
      return move({ ...s, message: null }, a.delta);
    case 'page': {
      const step = Math.max(1, Math.round(s.pageSize * (a.fraction ?? 1)));
      const offset = s.cursor - s.top;
      const moved = move({ ...s, message: null }, a.dir * step);
      return settle({ ...moved, top: moved.cursor - offset });
    }
    case 'home':
      return request({ ...s, message: null }, { kind: 'start' });
    case 'end':
      return request({ ...s, message: null }, { kind: 'end' });
    case 'fetched':
      if (!s.fetch || a.id !== s.fetch.id) return s; // stale: a newer request replaced it
      return applyFetched(s, s.fetch, a.result);
    case 'fetchFailed':
      if (!s.fetch || a.id !== s.fetch.id) return s;
      return { ...s, fetch: null, loaded: true, pendingMove: 0, message: { text: a.error, level: 'error' } };
    case 'toggleAttack': {
      if (!s.hasFindings) return { ...s, message: { text: 'no findings yet: the attack view needs `dwell correlate` to have run on this case', level: 'info' } };
      const query = { ...s.query, attack: !s.query.attack };
      // Entering: the attacker's timeline from its first event. Leaving: all events around the one selected.
      return query.attack ? request({ ...s, find: null, message: null }, { kind: 'start' }, query) : requery({ ...s, message: null }, query);
    }
    case 'openPrompt': {
      const text = a.text ?? (a.kind === 'filter' ? formatFilters(s.query.filters) : a.kind === 'search' ? (s.search ?? '') : '');
      if (a.kind === 'note' && !selectedRow(s) && s.detailId === null) return s;
      return { ...s, prompt: { kind: a.kind, text: stripControls(text), ...(a.placeholder ? { placeholder: a.placeholder } : {}) }, message: null };
    }
    case 'promptInput':
      return s.prompt ? { ...s, prompt: { ...s.prompt, text: stripControls(a.text) } } : s;
    case 'promptCancel':
      return { ...s, prompt: null, message: null };
    case 'promptSubmit':
      return s.prompt ? submitPrompt(s) : s;
    case 'findNext':
      return startFind(s, a.dir, false);
    case 'found': {
      if (!s.find || a.id !== s.find.id) return s;
      const dir = s.find.dir;
      const done = { ...s, find: null };
      if (!a.key) return { ...done, message: { text: `no ${s.find.inclusive ? '' : 'more '}matches for "${s.find.text}" ${dir === 1 ? 'below' : 'above'}`, level: 'info' } };
      return goTo(done, a.key);
    }
    case 'findFailed':
      if (!s.find || a.id !== s.find.id) return s;
      return { ...s, find: null, message: { text: `search failed: ${a.error}`, level: 'error' } };
    case 'openPivot': {
      const row = selectedRow(s);
      const pivot = row ? pivotChoices(row) : [];
      if (pivot.length === 0) return { ...s, message: { text: 'nothing to pivot on: this event has no address, user, key or session', level: 'info' } };
      return { ...s, mode: 'pivot', pivot, message: null };
    }
    case 'pivot': {
      const choice = s.pivot[a.index];
      if (!choice) return s;
      const frame: Frame = { query: s.query, key: keyOf(selectedRow(s)), offset: s.cursor - s.top };
      // Across all sources: the pivot replaces the filters (and the attack view); back restores them.
      // Which clocks are shown (time=) is kept: a pivot from a relative-time event must find it.
      const clock = s.query.filters.filter((f) => f.kind === 'clock');
      const next = requery({ ...s, mode: 'timeline', pivot: [], stack: [...s.stack, frame] }, { attack: false, filters: [...clock, choice.filter] });
      return { ...next, message: { text: `pivot: ${choice.label.replace(/\s+\(.*\)$/, '').replace(/\s+/, ' ')} · Esc goes back`, level: 'info' } };
    }
    case 'back': {
      const frame = s.stack[s.stack.length - 1];
      if (!frame) {
        if (s.search) return { ...s, search: null, find: null, message: null };
        return s;
      }
      const popped = { ...s, stack: s.stack.slice(0, -1), find: null, message: null };
      return frame.key ? request(popped, { kind: 'around', key: frame.key, offset: frame.offset }, frame.query) : request(popped, { kind: 'start' }, frame.query);
    }
    case 'openSql':
      return { ...s, mode: 'sql', message: null };
    case 'openDetail': {
      const row = selectedRow(s);
      return row ? { ...s, mode: 'detail', detailId: row.eventId, detailScroll: 0, message: null } : s;
    }
    case 'closeView':
      return { ...s, mode: 'timeline', pivot: [], detailId: s.mode === 'detail' ? null : s.detailId, message: null };
    case 'scrollDetail':
      return { ...s, detailScroll: Math.max(0, s.detailScroll + a.delta) };
    case 'verify':
      return s.mode === 'detail' ? { ...s, verifyNonce: s.verifyNonce + 1 } : s;
    case 'help':
      return { ...s, mode: s.mode === 'help' ? 'timeline' : 'help', message: null };
    case 'mark': {
      const eventId = s.mode === 'detail' ? s.detailId : (selectedRow(s)?.eventId ?? null);
      if (eventId === null) return s;
      const row = s.rows.find((r) => r.eventId === eventId);
      if (row?.mark) return { ...s, message: { text: `already ${row.mark === 'note' ? 'annotated' : 'marked'} (add a note with ${s.mode === 'detail' ? 'n' : 'c'})`, level: 'info' } };
      return effect({ ...s, message: { text: 'marking…', level: 'info' } }, { type: 'annotate', eventId, kind: 'mark', text: null });
    }
    case 'effectDone': {
      const effects = s.effects.filter((e) => e.id !== a.id);
      const waiting = a.waiting ?? s.waiting;
      if (!a.annotated) return { ...s, effects, message: a.message, waiting };
      const { eventId, kind } = a.annotated;
      const rows = s.rows.map((r) => (r.eventId === eventId ? { ...r, mark: r.mark === 'note' ? 'note' : kind } : r));
      return { ...s, effects, rows, message: a.message, waiting, detailVersion: s.detailId === eventId ? s.detailVersion + 1 : s.detailVersion };
    }
    case 'cycleZoom':
      return { ...s, zoom: ZOOMS[(ZOOMS.indexOf(s.zoom) + 1) % ZOOMS.length]! };
    case 'clearFilters':
      if (s.query.filters.length === 0) return s;
      return requery({ ...s, message: { text: 'filters cleared', level: 'info' } }, { ...s.query, filters: [] });
    case 'message':
      return { ...s, message: a.message };
  }
}
