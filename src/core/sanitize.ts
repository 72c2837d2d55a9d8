/**
 * Log content is attacker-controlled. Before anything from evidence reaches a terminal, control
 * characters (C0, DEL, C1 — which carry ANSI CSI/OSC sequences that can rewrite the screen, set
 * the window title or hide text) and bidirectional overrides (which reorder what is displayed)
 * are replaced by visible escapes such as `\x1b`.
 */

/** C0 except TAB, DEL, C1, and the bidi embedding/override/isolate controls (a RegExp class body). */
export const UNSAFE_CLASS = '\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`, 'g');

/** One unsafe character as visible text: `\n`, `\r`, `\x1b`, `\u202e`. */
export function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 10) return '\\n';
  if (code === 13) return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Makes evidence text safe to print on one terminal line. Tabs become spaces. */
export function safeText(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  return s.replace(UNSAFE, escapeChar).replace(/\t/g, ' ');
}

/** Like safeText but keeps newlines (for multi-line detail views). */
export function safeMultiline(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  return s
    .split('\n')
    .map((line) => safeText(line))
    .join('\n');
}

/** True when the text carries something safeText would escape. */
export function hasUnsafe(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s);
}
