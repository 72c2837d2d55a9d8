import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { columnsFor, TimelineTable } from '../../../src/tui/components/TimelineTable.js';
import { row, rows } from '../helpers/rows.js';

describe('TimelineTable', () => {
  it('renders only the rows it is given, one line each, with column headers', () => {
    const { lastFrame } = render(<TimelineTable rows={rows(0, 3)} selected={1} width={120} height={5} search={null} showPhase={false} empty="none" />);
    const lines = lastFrame()!.split('\n');
    expect(lines[0]).toMatch(/TIME \(UTC\)\s+SOURCE\s+HOST\s+ACTOR\s+ACTION\s+SUMMARY/);
    expect(lines[1]).toMatch(/2026-01-02 00:00:00 auth_log\s+web-01\s+user0\s+ssh_login\s+event 0/);
    expect(lines.filter((l) => /event \d/.test(l))).toHaveLength(3);
  });

  it('shows marks, notes and attack phases', () => {
    const { lastFrame } = render(
      <TimelineTable rows={[row(0, { mark: 'mark', phase: 'access' }), row(1, { mark: 'note', phase: 'exfiltration' })]} selected={0} width={130} height={3} search={null} showPhase empty="" />,
    );
    expect(lastFrame()).toMatch(/● 2026-01-02 00:00:00 access/);
    expect(lastFrame()).toMatch(/✎ 2026-01-02 00:00:01 exfil/);
  });

  it('fits long text to the width and drops columns on narrow terminals', () => {
    const long = row(0, { summary: 'x'.repeat(300) });
    const { lastFrame } = render(<TimelineTable rows={[long]} selected={0} width={70} height={2} search={null} showPhase={false} empty="" />);
    for (const l of lastFrame()!.split('\n')) expect(l.length).toBeLessThanOrEqual(70);
    expect(lastFrame()).toContain('…');
    expect(columnsFor(70, false).map((c) => c.key)).toEqual(['mark', 'time', 'action', 'summary']);
    expect(columnsFor(140, true).map((c) => c.key)).toEqual(['mark', 'time', 'phase', 'source', 'host', 'actor', 'action', 'summary']);
  });

  it('says so when the view is empty', () => {
    const { lastFrame } = render(<TimelineTable rows={[]} selected={-1} width={80} height={3} search={null} showPhase={false} empty="no events match the filters" />);
    expect(lastFrame()).toContain('no events match the filters');
  });

});
