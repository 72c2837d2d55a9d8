/**
 * The view state lives in a small store around the pure reducer, read by React with
 * useSyncExternalStore. Why not useReducer plus effects: an effect runs after React has committed
 * and Ink has drawn the frame (tens of milliseconds on a full screen), so a page request would
 * start only after that. Here the store starts the requests the reducer describes — page, search,
 * annotation, export — the moment the action is dispatched, and the query runs (on DuckDB's
 * threads) while the frame is drawn. Answers come back as actions with the request id; the
 * reducer drops stale ones.
 */
import { useMemo, useSyncExternalStore } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { Action, Effect, FetchRequest, ViewState } from '../state/view-reducer.js';
import { viewReducer } from '../state/view-reducer.js';
import { runEffect } from './effects.js';

const PREFETCH_DELAY_MS = 40;

function message(err: unknown): string {
  return (err as Error)?.message?.split('\n')[0] ?? String(err);
}

export async function runFetch(source: TimelineSource, req: FetchRequest) {
  const a = req.anchor;
  switch (a.kind) {
    case 'around':
      return source.around(req.query, a.key, req.before, req.limit);
    case 'after':
    case 'before':
      // Extending the buffer is a prefetch: it runs beside whatever the next key will need.
      return source.page(req.query, { kind: a.kind, key: a.key }, req.limit, { ahead: true });
    case 'start':
    case 'end':
      return source.page(req.query, { kind: a.kind }, req.limit);
  }
}

export interface ViewStore {
  getState(): ViewState;
  subscribe(listener: () => void): () => void;
  dispatch(action: Action): void;
}

export function createViewStore(initial: ViewState, source: TimelineSource, author: string): ViewStore {
  let state = initial;
  const listeners = new Set<() => void>();
  const started = new Set<number>();

  const dispatch = (action: Action) => {
    const prev = state;
    state = viewReducer(state, action);
    if (state === prev) return;
    launch(prev);
    for (const l of listeners) l();
  };

  const launch = (prev: ViewState | null) => {
    const { fetch, find, effects } = state;
    if (fetch && fetch !== prev?.fetch) {
      const go = () =>
        runFetch(source, fetch).then(
          (result) => dispatch({ type: 'fetched', id: fetch.id, result }),
          (err: unknown) => dispatch({ type: 'fetchFailed', id: fetch.id, error: message(err) }),
        );
      // A prefetch nobody waits for starts after the frame in hand is drawn (two cores: DuckDB's
      // threads would otherwise compete with the render the user is waiting for).
      const waited = !(fetch.anchor.kind === 'after' || fetch.anchor.kind === 'before') || state.pendingMove !== 0;
      if (waited) void go();
      else setTimeout(() => void go(), PREFETCH_DELAY_MS);
    }
    if (find && find !== prev?.find) {
      source.find(find.query, find.text, find.from, find.dir, find.inclusive).then(
        (key) => dispatch({ type: 'found', id: find.id, key }),
        (err: unknown) => {
          // A newer search interrupted this one: its answer is not wanted anyway.
          if (!/interrupt/i.test(message(err))) dispatch({ type: 'findFailed', id: find.id, error: message(err) });
        },
      );
    }
    for (const e of effects as Effect[]) {
      if (started.has(e.id)) continue;
      started.add(e.id);
      void runEffect(source, e, author).then(dispatch);
    }
  };

  launch(null);
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch,
  };
}

/** The store for one App: created once, with the initial state's first page request already running. */
export function useViewStore(init: () => ViewState, source: TimelineSource, author: string): [ViewState, (a: Action) => void] {
  const store = useMemo(() => createViewStore(init(), source, author), [source]);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  return [state, store.dispatch];
}
