/**
 * Colours and text attributes, as Ink <Text> props. NO_COLOR (https://no-color.org) selects a
 * theme without any colour: selection, highlights and phases then use inverse/bold/underline and
 * the phase names, which carry the same information.
 */
import { createContext, useContext } from 'react';
import type { Phase } from '../data/types.js';

export interface Style {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export interface Theme {
  name: 'color' | 'no-color';
  title: Style;
  muted: Style;
  accent: Style;
  error: Style;
  selected: Style;
  match: Style;
  mark: Style;
  columnHeader: Style;
  phase: Record<Phase, Style>;
  density: Style;
}

export const colorTheme: Theme = {
  name: 'color',
  title: { bold: true, color: 'cyan' },
  muted: { dimColor: true },
  accent: { color: 'cyan' },
  error: { color: 'red', bold: true },
  selected: { inverse: true },
  match: { backgroundColor: 'yellow', color: 'black' },
  mark: { color: 'magenta', bold: true },
  columnHeader: { bold: true, underline: true },
  phase: {
    recon: { color: 'yellow' },
    access: { color: 'red', bold: true },
    actions: { color: 'magenta', bold: true },
    exfiltration: { color: 'blue', bold: true },
  },
  density: { color: 'green' },
};

export const noColorTheme: Theme = {
  name: 'no-color',
  title: { bold: true },
  muted: {},
  accent: { bold: true },
  error: { bold: true },
  selected: { inverse: true },
  match: { underline: true, bold: true },
  mark: { bold: true },
  columnHeader: { bold: true, underline: true },
  phase: { recon: {}, access: { bold: true }, actions: { bold: true }, exfiltration: { bold: true } },
  density: {},
};

/** NO_COLOR set to anything non-empty turns colour off. */
export function themeFor(env: NodeJS.ProcessEnv = process.env): Theme {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? noColorTheme : colorTheme;
}

export const ThemeContext = createContext<Theme>(colorTheme);

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
