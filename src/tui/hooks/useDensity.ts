/**
 * The density bar's data: computed in the background (its own connection), 150 ms after the view
 * or zoom settles, never on the key path. Zoom `view` spans the view's first to last event; `day`
 * and `hour` the UTC day / hour of the selected event (so moving within it costs nothing).
 */
import { useEffect, useRef, useState } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { Density } from '../data/types.js';
import type { ViewQuery } from '../state/filters.js';
import type { Zoom } from '../state/view-reducer.js';

const SPAN: Record<Exclude<Zoom, 'view'>, number> = { day: 86_400_000_000, hour: 3_600_000_000 };

export function densityWindow(zoom: Zoom, cursorUs: number | null): { fromUs: number; toUs: number } | null {
  if (zoom === 'view' || cursorUs === null) return null;
  const span = SPAN[zoom];
  const from = Math.floor(cursorUs / span) * span;
  return { fromUs: from, toUs: from + span - 1 };
}

export function useDensity(source: TimelineSource, query: ViewQuery, zoom: Zoom, cursorUs: number | null, buckets: number, delayMs = 150): Density | null {
  const [density, setDensity] = useState<Density | null>(null);
  const ranges = useRef(new Map<string, { fromUs: number; toUs: number } | null>());
  const win = densityWindow(zoom, cursorUs);
  const qKey = JSON.stringify(query);
  const key = `${qKey}|${zoom}|${win?.fromUs ?? ''}|${buckets}`;
  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      try {
        let range = win;
        if (!range) {
          if (!ranges.current.has(qKey)) ranges.current.set(qKey, await source.range(query));
          range = ranges.current.get(qKey)!;
        }
        if (!range) {
          if (live) setDensity(null);
          return;
        }
        const d = await source.density(query, range.fromUs, range.toUs, buckets);
        if (live) setDensity(d);
      } catch {
        /* background: a failed or interrupted density leaves the previous bar */
      }
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  return density;
}
