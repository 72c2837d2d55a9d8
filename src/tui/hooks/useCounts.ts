/**
 * "row 41 of 1,234": the view's size and the selected row's position, counted in the background
 * after the cursor rests (300 ms) — never on the key path. Until known, the line says "of many".
 */
import { useEffect, useState } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { RowKey } from '../data/types.js';
import type { ViewQuery } from '../state/filters.js';

/** `source.count(query, before)` once `key` has rested `delayMs`; null until the answer for that key is in. */
function useDelayedCount(source: TimelineSource, query: ViewQuery, before: RowKey | undefined, key: string, delayMs: number): number | null {
  const [got, setGot] = useState<{ k: string; n: number } | null>(null);
  useEffect(() => {
    if (!key) return;
    let live = true;
    const t = setTimeout(() => {
      source.count(query, before).then(
        (n) => live && setGot({ k: key, n }),
        () => undefined,
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  return got?.k === key ? got.n : null;
}

export function useCounts(source: TimelineSource, query: ViewQuery, cursor: RowKey | null, delayMs = 300): { total: number | null; position: number | null } {
  const qKey = JSON.stringify(query);
  const kKey = cursor ? `${qKey}|${cursor.tsUs}|${cursor.eventId}` : '';
  const total = useDelayedCount(source, query, undefined, qKey, delayMs);
  const before = useDelayedCount(source, query, cursor ?? undefined, kKey, delayMs);
  return { total, position: before === null ? null : before + 1 };
}
