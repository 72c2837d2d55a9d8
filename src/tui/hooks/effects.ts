/** Carries out the reducer's side effects: annotations (the TUI's only write) and exports. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { safeText } from '../../core/sanitize.js';
import type { TimelineSource } from '../data/source.js';
import { formatCount } from '../format.js';
import type { Action, Effect } from '../state/view-reducer.js';

function reason(err: unknown): string {
  return safeText((err as Error)?.message?.split('\n')[0] ?? String(err));
}

export async function runEffect(source: TimelineSource, e: Effect, author: string): Promise<Action> {
  if (e.type === 'annotate') {
    try {
      await source.annotate(e.eventId, e.kind, e.text, author);
      return {
        type: 'effectDone',
        id: e.id,
        message: { text: `${e.kind === 'mark' ? 'marked' : 'note saved'} (${safeText(author)}, ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC)`, level: 'info' },
        annotated: { eventId: e.eventId, kind: e.kind },
      };
    } catch (err) {
      const n = source.unsaved().length;
      return { type: 'effectDone', id: e.id, message: { text: `not saved: ${reason(err)} — ${n} annotation(s) kept, retried with the next one and printed on quit`, level: 'error' } };
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
