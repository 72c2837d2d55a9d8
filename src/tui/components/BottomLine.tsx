/** The last line: the open prompt, else the latest message, else the main keys. */
import { Text } from 'ink';
import { safeText } from '../../core/sanitize.js';
import type { Message, PromptKind } from '../state/view-reducer.js';
import { fit } from '../format.js';
import { useTheme } from '../themes/theme.js';

const PROMPT_LABEL: Record<PromptKind, string> = {
  search: 'search: ',
  filter: 'filter (host= ip= user= actor= source= action= phase= key= session= from= to= time=all marked; != excludes, * wildcard): ',
  jump: 'jump to (-2h, +30m, 02:16, 2026-01-02 02:16:40): ',
  note: 'note: ',
  export: 'export view to (.csv or .jsonl): ',
};

export const KEY_HINTS = 'j/k ↑↓ PgUp/PgDn g/G move · t time · / search n/N · f filter · a attack · p pivot · Enter detail · m mark · e export · : sql · ? help · q quit';

export interface BottomLineProps {
  prompt: { kind: PromptKind; text: string; placeholder?: string } | null;
  message: Message | null;
  hints: string;
  width: number;
}

export function BottomLine({ prompt, message, hints, width }: BottomLineProps) {
  const theme = useTheme();
  if (prompt) {
    const full = PROMPT_LABEL[prompt.kind];
    const label = full.length > width / 2 ? `${prompt.kind}: ` : full;
    const room = Math.max(8, width - label.length - 2);
    if (prompt.text === '' && prompt.placeholder) {
      // The default is offered dimmed, not typed in: typing replaces it.
      const hint = fit(`${safeText(prompt.placeholder)}  (Enter takes it · Tab edits it)`, room);
      return (
        <Text wrap="truncate">
          <Text {...theme.accent}>{label}</Text>
          <Text inverse> </Text>
          <Text {...theme.muted}>{hint}</Text>
        </Text>
      );
    }
    // The prompt's own text holds no control characters (see prompt-edit.ts); escaped anyway.
    const text = safeText(prompt.text);
    const shown = text.length > room ? `…${text.slice(text.length - room + 1)}` : text;
    return (
      <Text wrap="truncate">
        <Text {...theme.accent}>{label}</Text>
        {shown}
        <Text inverse> </Text>
      </Text>
    );
  }
  if (message) {
    return (
      <Text wrap="truncate" {...(message.level === 'error' ? theme.error : theme.accent)}>
        {fit(message.text, width)}
      </Text>
    );
  }
  return (
    <Text wrap="truncate" {...theme.muted}>
      {fit(hints, width)}
    </Text>
  );
}
