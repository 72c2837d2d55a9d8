// Colour output on (as on a colour terminal) before Ink and chalk load, to see the styles.
process.env.FORCE_COLOR = '1';
import { describe, expect, it } from 'vitest';
import { row } from '../helpers/rows.js';

const { render } = await import('ink-testing-library');
const { TimelineTable } = await import('../../../src/tui/components/TimelineTable.js');
const { ThemeContext, colorTheme, noColorTheme, themeFor } = await import('../../../src/tui/themes/theme.js');

function table(theme: typeof colorTheme) {
  const { lastFrame } = render(
    <ThemeContext.Provider value={theme}>
      <TimelineTable rows={[row(0, { summary: 'Accepted password for deploy', phase: 'access' })]} selected={0} width={130} height={2} search="DEPLOY" showPhase empty="" />
    </ThemeContext.Provider>,
  );
  return lastFrame()!;
}

describe('colours and NO_COLOR', () => {
  it('highlights search matches and colours phases', () => {
    const f = table(colorTheme);
    expect(f).toMatch(/\x1b\[43m(\x1b\[\d+m)*deploy/); // yellow background on the match
    expect(f).toMatch(/\x1b\[31m(\x1b\[\d+m)*access/); // access in red
  });

  it('uses no colour at all under NO_COLOR: underline and inverse carry the same information', () => {
    const f = table(noColorTheme);
    expect(f).not.toMatch(/\x1b\[(3[0-7]|4[0-7]|9[0-7]|38|48)[;m]/);
    expect(f).toMatch(/\x1b\[4m(\x1b\[\d+m)*deploy/);
    expect(f).toMatch(/\x1b\[7m/);
  });

  it('picks the theme from NO_COLOR', () => {
    expect(themeFor({ NO_COLOR: '1' }).name).toBe('no-color');
    expect(themeFor({ NO_COLOR: '' }).name).toBe('color');
    expect(themeFor({}).name).toBe('color');
  });
});
