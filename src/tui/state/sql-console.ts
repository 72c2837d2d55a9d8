/**
 * The `:` SQL prompt's state and keys, pure (keys in, state and a command out): the line being
 * typed, the history (↑ ↓), the last result (PgUp/PgDn scroll it), and whether a query runs.
 * Enter runs the line; Esc cancels a running query, else closes the prompt.
 */
import type { Key } from 'ink';
import { applyInput } from './prompt-edit.js';

export interface SqlConsoleState {
  text: string;
  /** Oldest first. */
  history: string[];
  /** Position while walking the history with ↑ ↓ (history.length: the line being typed). */
  at: number;
  /** The line being typed when the history walk started. */
  draft: string;
  running: boolean;
  lines: string[];
  scroll: number;
  error: string | null;
}

export type SqlConsoleCommand = { kind: 'run'; sql: string } | { kind: 'cancel' } | { kind: 'close' } | null;

export function initialConsole(history: string[] = []): SqlConsoleState {
  return { text: '', history, at: history.length, draft: '', running: false, lines: [], scroll: 0, error: null };
}

export function consoleKey(s: SqlConsoleState, input: string, key: Key, page: number): { state: SqlConsoleState; command: SqlConsoleCommand } {
  const same = { state: s, command: null };
  if (key.escape) return { state: s, command: s.running ? { kind: 'cancel' } : { kind: 'close' } };
  if (key.pageDown) return { state: { ...s, scroll: Math.min(Math.max(0, s.lines.length - page), s.scroll + page) }, command: null };
  if (key.pageUp) return { state: { ...s, scroll: Math.max(0, s.scroll - page) }, command: null };
  if (s.running) return same;
  // Text and Enter in one read (typed fast, a terminal under load): type the text, then run it.
  const nl = input.search(/[\r\n]/);
  if (!key.return && nl >= 0 && input.length > 1) {
    const r = consoleKey({ ...s, text: applyInput(s.text, input.slice(0, nl)) }, '\r', { ...key, return: true }, page);
    const rest = input.slice(nl + 1).replace(/^[\r\n]+/, '');
    return rest ? { state: consoleKey(r.state, rest, key, page).state, command: r.command } : r;
  }
  if (key.return) {
    const sql = s.text.trim();
    if (sql === '') return same;
    const history = s.history[s.history.length - 1] === sql ? s.history : [...s.history, sql];
    return { state: { ...s, text: '', history, at: history.length, draft: '', running: true, error: null }, command: { kind: 'run', sql } };
  }
  if (key.upArrow) {
    if (s.at === 0) return same;
    const draft = s.at === s.history.length ? s.text : s.draft;
    return { state: { ...s, at: s.at - 1, text: s.history[s.at - 1]!, draft }, command: null };
  }
  if (key.downArrow) {
    if (s.at >= s.history.length) return same;
    const at = s.at + 1;
    return { state: { ...s, at, text: at === s.history.length ? s.draft : s.history[at]! }, command: null };
  }
  if (key.backspace || key.delete) return { state: { ...s, text: applyInput(s.text, '\x7f') }, command: null };
  if (key.ctrl && input === 'u') return { state: { ...s, text: '' }, command: null };
  if (key.ctrl && input === 'w') return { state: { ...s, text: applyInput(s.text, '\x17') }, command: null };
  if (key.ctrl || key.meta || key.leftArrow || key.rightArrow || key.tab || input === '') return same;
  // A paste may hold line breaks: they become spaces, the statement stays one line (prompt-edit.ts).
  return { state: { ...s, text: applyInput(s.text, input) }, command: null };
}

/** The query finished (or failed): its result replaces the previous one. */
export function consoleDone(s: SqlConsoleState, r: { lines: string[] } | { error: string }): SqlConsoleState {
  if ('error' in r) return { ...s, running: false, error: r.error, scroll: 0 };
  return { ...s, running: false, lines: r.lines, error: null, scroll: 0 };
}
