/** Carries out the reducer's side effects: annotations (the TUI's only write) and exports. */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { safeText } from '../../core/sanitize.js';
import type { TimelineSource } from '../data/source.js';
import { formatCount } from '../format.js';
import type { Action, Effect } from '../state/view-reducer.js';

function reason(err: unknown): string {
  return safeText((err as Error)?.message?.split('\n')[0] ?? String(err));
}

export async function runEffect(source: TimelineSource, e: Effect, author: string): Promise<Action> {
  if (e.type === 'annotate') {
    const what = e.kind === 'mark' ? 'mark' : 'note';
    try {
      const r = await source.annotate(e.eventId, e.kind, e.text, author);
      const stamp = `${safeText(author)}, ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC`;
      const message =
        r.state === 'saved'
          ? { text: `${e.kind === 'mark' ? 'marked' : 'note saved'} (${stamp})`, level: 'info' as const }
          : {
              // Not an error: it is on disk, and nothing more is asked of the analyst.
              text: `${what} kept, not yet in the case: ${safeText(r.reason ?? 'the case is busy')} — waiting in ${safeText(basename(r.file))}, saved to the case when it is free (${r.waiting} waiting)`,
              level: 'info' as const,
            };
      return { type: 'effectDone', id: e.id, message, annotated: { eventId: e.eventId, kind: e.kind }, waiting: r.waiting };
    } catch (err) {
      const n = source.unsaved().length;
      return { type: 'effectDone', id: e.id, message: { text: `not saved: ${reason(err)} — ${n} annotation(s) kept in memory, retried with the next one and printed on quit`, level: 'error' }, waiting: source.waiting() };
    }
  }
  const path = resolve(e.path);
  if (existsSync(path)) return { type: 'effectDone', id: e.id, message: { text: `not exported: ${safeText(path)} exists (choose another name)`, level: 'error' } };
  try {
    const n = await source.exportView(e.query, path, e.format);
    return { type: 'effectDone', id: e.id, message: { text: `exported ${formatCount(n)} events to ${safeText(path)} (${e.format === 'csv' ? 'CSV' : 'JSON lines'})`, level: 'info' } };
  } catch (err) {
    return { type: 'effectDone', id: e.id, message: { text: `export failed: ${reason(err)}`, level: 'error' } };
  }
}
