/**
 * "row 41 of 1,234": the view's size and the selected row's position, counted in the background
 * after the cursor rests (300 ms) — never on the key path. Until known, the line says "of many".
 */
import { useEffect, useState } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { RowKey } from '../data/types.js';
import type { ViewQuery } from '../state/filters.js';

export function useCounts(source: TimelineSource, query: ViewQuery, cursor: RowKey | null, delayMs = 300): { total: number | null; position: number | null } {
  const [total, setTotal] = useState<{ q: string; n: number } | null>(null);
  const [pos, setPos] = useState<{ k: string; n: number } | null>(null);
  const qKey = JSON.stringify(query);
  const kKey = cursor ? `${qKey}|${cursor.tsUs}|${cursor.eventId}` : '';
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      source.count(query).then(
        (n) => live && setTotal({ q: qKey, n }),
        () => undefined,
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [qKey]);
  useEffect(() => {
    if (!cursor) return;
    let live = true;
    const t = setTimeout(() => {
      source.count(query, cursor).then(
        (n) => live && setPos({ k: kKey, n }),
        () => undefined,
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [kKey]);
  return { total: total?.q === qKey ? total.n : null, position: pos?.k === kKey ? pos.n + 1 : null };
}
