/**
 * Carries out the page and search requests the reducer describes (state.fetch, state.find) and
 * answers with actions carrying the request id; the reducer drops answers to replaced requests.
 */
import { useEffect, type Dispatch } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { Action, FetchRequest, FindRequest } from '../state/view-reducer.js';

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
      return source.page(req.query, { kind: a.kind, key: a.key }, req.limit, { ahead: true });
    case 'start':
    case 'end':
      return source.page(req.query, { kind: a.kind }, req.limit);
  }
}

export function useViewData(source: TimelineSource, fetch: FetchRequest | null, find: FindRequest | null, dispatch: Dispatch<Action>): void {
  useEffect(() => {
    if (!fetch) return;
    runFetch(source, fetch).then(
      (result) => dispatch({ type: 'fetched', id: fetch.id, result }),
      (err: unknown) => dispatch({ type: 'fetchFailed', id: fetch.id, error: message(err) }),
    );
  }, [fetch?.id]);

  useEffect(() => {
    if (!find) return;
    source.find(find.query, find.text, find.from, find.dir, find.inclusive).then(
      (key) => dispatch({ type: 'found', id: find.id, key }),
      (err: unknown) => {
        // A newer search interrupted this one: its answer is not wanted anyway.
        if (!/interrupt/i.test(message(err))) dispatch({ type: 'findFailed', id: find.id, error: message(err) });
      },
    );
  }, [find?.id]);
}
