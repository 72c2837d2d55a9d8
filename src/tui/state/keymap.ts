/**
 * Keys → actions, per mode. Pure (keys in, action out), so every binding is tested without a
 * terminal. `quit` is the only thing the caller handles itself.
 */
import type { Key } from 'ink';
import { applyInput } from './prompt-edit.js';
import type { Action, ViewState } from './view-reducer.js';

export type KeyResult = Action | { type: 'quit' } | null;

/** Default export file name: dwell-export-20260102T021640Z.csv in the current directory. */
export function defaultExportName(now: Date): string {
  return `dwell-export-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.csv`;
}

function promptKey(s: ViewState, input: string, key: Key): KeyResult {
  const { text, placeholder } = s.prompt!;
  if (key.return) return { type: 'promptSubmit' };
  if (key.escape) return { type: 'promptCancel' };
  // Tab takes the offered default into the text, to edit it rather than type it all.
  if (key.tab) return text === '' && placeholder ? { type: 'promptInput', text: placeholder } : null;
  if (key.backspace || key.delete) return { type: 'promptInput', text: applyInput(text, '\x7f') };
  if (key.ctrl && input === 'u') return { type: 'promptInput', text: '' };
  if (key.ctrl && input === 'w') return { type: 'promptInput', text: applyInput(text, '\x17') };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return null;
  if (input === '') return null;
  // One read can hold several keys (a burst of backspaces, a paste): see applyInput.
  return { type: 'promptInput', text: applyInput(text, input) };
}

function detailKey(s: ViewState, input: string, key: Key, height: number): KeyResult {
  if (key.escape || key.return || key.backspace || key.delete || input === 'q') return { type: 'closeView' };
  if (input === 'j' || key.downArrow) return { type: 'scrollDetail', delta: 1 };
  if (input === 'k' || key.upArrow) return { type: 'scrollDetail', delta: -1 };
  if (key.pageDown || input === ' ') return { type: 'scrollDetail', delta: height };
  if (key.pageUp || input === 'b') return { type: 'scrollDetail', delta: -height };
  if (input === 'g' || key.home) return { type: 'scrollDetail', delta: -1e9 };
  if (input === 'G' || key.end) return { type: 'scrollDetail', delta: 1e9 };
  if (input === 'v') return { type: 'verify' };
  if (input === 'm') return { type: 'mark' };
  if (input === 'n' || input === 'c') return { type: 'openPrompt', kind: 'note' };
  if (input === '?') return { type: 'help' };
  return null;
}

function timelineKey(s: ViewState, input: string, key: Key, now: Date): KeyResult {
  if (key.ctrl) {
    if (input === 'd') return { type: 'page', dir: 1, fraction: 0.5 };
    if (input === 'u') return { type: 'page', dir: -1, fraction: 0.5 };
    if (input === 'f') return { type: 'page', dir: 1 };
    if (input === 'b') return { type: 'page', dir: -1 };
    return null;
  }
  if (key.downArrow || input === 'j') return { type: 'move', delta: 1 };
  if (key.upArrow || input === 'k') return { type: 'move', delta: -1 };
  if (key.pageDown || input === ' ') return { type: 'page', dir: 1 };
  if (key.pageUp || input === 'b') return { type: 'page', dir: -1 };
  if (key.home || input === 'g') return { type: 'home' };
  if (key.end || input === 'G') return { type: 'end' };
  if (key.return) return { type: 'openDetail' };
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  switch (input) {
    case 'q':
      return { type: 'quit' };
    case 't':
      return { type: 'openPrompt', kind: 'jump' };
    case '/':
      return { type: 'openPrompt', kind: 'search', text: '' };
    case 'n':
      return { type: 'findNext', dir: 1 };
    case 'N':
      return { type: 'findNext', dir: -1 };
    case 'f':
      return { type: 'openPrompt', kind: 'filter' };
    case 'F':
      return { type: 'clearFilters' };
    case 'a':
      return { type: 'toggleAttack' };
    case 'p':
      return { type: 'openPivot' };
    case 'm':
      return { type: 'mark' };
    case 'c':
      return { type: 'openPrompt', kind: 'note' };
    case 'e':
      // Offered, not typed in: what the analyst types replaces it; Enter alone takes it.
      return { type: 'openPrompt', kind: 'export', text: '', placeholder: defaultExportName(now) };
    case 'z':
      return { type: 'cycleZoom' };
    case ':':
      return { type: 'openSql' };
    case '?':
      return { type: 'help' };
    default:
      return null;
  }
}

/** `height`: rows of the detail view (a page when scrolling it). */
export function keyToAction(s: ViewState, input: string, key: Key, opts: { now?: Date; height?: number } = {}): KeyResult {
  if (s.prompt) return promptKey(s, input, key);
  switch (s.mode) {
    case 'help':
      return input === '?' || input === 'q' || key.escape || key.return ? { type: 'closeView' } : null;
    case 'pivot':
      if (key.escape || input === 'q' || input === 'p') return { type: 'closeView' };
      if (key.return) return { type: 'pivot', index: 0 };
      if (/^[1-9]$/.test(input)) return { type: 'pivot', index: Number(input) - 1 };
      return null;
    case 'detail':
      return detailKey(s, input, key, opts.height ?? 10);
    case 'sql':
      return null;
    case 'timeline':
      return timelineKey(s, input, key, opts.now ?? new Date());
  }
}
