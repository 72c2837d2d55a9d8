import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { BottomLine } from '../../../src/tui/components/BottomLine.js';
import { DensityBar, markLine, sparkline } from '../../../src/tui/components/DensityBar.js';
import { DetailView, detailLines } from '../../../src/tui/components/DetailView.js';
import { Header } from '../../../src/tui/components/Header.js';
import { HELP, HelpView } from '../../../src/tui/components/HelpView.js';
import { PhaseRibbon, dwellLine } from '../../../src/tui/components/PhaseRibbon.js';
import { PivotMenu } from '../../../src/tui/components/PivotMenu.js';
import { StatusLine } from '../../../src/tui/components/StatusLine.js';
import type { CaseInfo, Density, EventDetail, FindingsInfo } from '../../../src/tui/data/types.js';
import { splitMatches } from '../../../src/tui/format.js';
import { pivotChoices } from '../../../src/tui/state/pivot.js';
import { row, T0 } from '../helpers/rows.js';

const findings: FindingsInfo = {
  findingsId: 1,
  generatedAt: '2026-01-03T00:00:00.000Z',
  attackEvents: 12,
  phases: [
    { phase: 'recon', first: '2026-01-02T02:14:07.000Z', last: null, events: 5 },
    { phase: 'access', first: '2026-01-02T02:16:40.000Z', last: null, events: 1 },
    { phase: 'actions', first: '2026-01-02T02:17:05.000Z', last: null, events: 6 },
    { phase: 'exfiltration', first: null, last: null, events: 0 },
  ],
  answers: {
    firstReconAt: '2026-01-02T02:14:07Z',
    initialAccessAt: '2026-01-02T02:16:40Z',
    initialAccessVector: 'ssh brute force of deploy@web-01 from 203.0.113.77\x1b[2J',
    detectedAt: '2026-01-02T12:16:40Z',
    lastAttackerActivityAt: null,
    containedAt: null,
    dwellTimeSeconds: 36000,
    accessDurationSeconds: null,
  },
};

describe('Header and PhaseRibbon', () => {
  const info: CaseInfo = { path: '/cases/acme.duckdb', events: 1234567, evidenceFiles: 4, sources: ['auth_log'], from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T03:00:00.000Z', untrustedTimes: 0, index: { table: 'timeline', note: '' }, findings };

  it('sums up the case in one line', () => {
    const { lastFrame } = render(<Header info={info} view="ATTACK" width={140} />);
    expect(lastFrame()).toMatch(/acme\.duckdb · 1,234,567 events · 4 files · auth_log · 2026-01-01 00:00 → 2026-01-02 03:00 UTC.*\[ATTACK\]/);
  });

  it('shows the phases in order with first times, and the dwell time', () => {
    const { lastFrame } = render(<PhaseRibbon findings={findings} width={160} />);
    expect(lastFrame()).toMatch(/recon 01-02 02:14 ─▶ access 01-02 02:16 ─▶ actions 01-02 02:17 · not seen: exfiltration/);
    expect(lastFrame()).toContain('dwell time 10h 00m (access → detection 01-02 12:16)');
    expect(dwellLine(findings)).toContain('203.0.113.77\\x1b[2J');
  });

  it('says when there is no detection time to compute dwell time from', () => {
    expect(dwellLine({ ...findings, answers: { ...findings.answers, dwellTimeSeconds: null } })).toMatch(/dwell time — \(no detection time given\)/);
  });
});

describe('DensityBar', () => {
  const density: Density = {
    fromUs: T0,
    toUs: T0 + 9_999_999,
    bucketUs: 1_000_000,
    buckets: [0, 1, 8, 2, 0, 0, 100, 0, 0, 3].map((count, i) => ({ count, phase: i === 6 ? 'exfiltration' : i === 2 ? 'access' : null })),
  };

  it('draws a sparkline where a single event still shows', () => {
    expect(sparkline([0, 1, 100])).toBe(' ▁█');
  });

  it('marks attack phases and the selected event under the bar', () => {
    expect(markLine(density, 3)).toBe('  a▲  e   ');
    const { lastFrame } = render(<DensityBar density={density} cursorUs={T0 + 3_500_000} zoom="view" width={40} />);
    expect(lastFrame()).toContain('all   ▁▁▁  █  ▁');
  });
});

describe('DetailView', () => {
  const d: EventDetail = {
    eventId: 42,
    tsUs: T0,
    fields: [
      ['host', 'web-01'],
      ['command', 'echo a\nrm -rf /'],
    ],
    attrs: { program: 'sshd', note: '\x1b]0;pwned\x07' },
    raw: 'Jan  2 sshd[1]: \x1b[2J evil',
    line: 118,
    byteOffset: 4096,
    byteLength: 30,
    evidence: { evidenceId: 3, path: 'evidence/web-01/auth.log', absPath: '/mnt/evidence/web-01/auth.log', fsPath: '/mnt/evidence/web-01/auth.log', sha256: 'ab'.repeat(32), size: 10, compression: 'none', format: 'auth_log' },
    attack: { phase: 'access', technique: 'T1110', reason: 'seed ip' },
    annotations: [{ annotationId: 1, eventId: 42, kind: 'note', text: 'first login', author: 'alice', createdAt: '2026-01-03T10:00:00.000Z' }],
  };

  it('shows the raw line escaped, provenance, verification, annotations, fields and attrs', () => {
    const lines = detailLines(d, { state: 'done', result: { evidenceId: 3, path: '', absPath: '', state: 'CHANGED', recordedSha256: '', currentSha256: 'cd', detail: 'now cd…' }, at: 0 }, { state: 'match', detail: 'ok' }, 100).map((l) => l.text);
    const text = lines.join('\n');
    expect(text).toContain('Jan  2 sshd[1]: \\x1b[2J evil');
    expect(text).not.toContain('\x1b');
    expect(text).toMatch(/file {5}evidence\/web-01\/auth\.log {2}\(evidence #3, auth_log, none\)/);
    expect(text).toMatch(/line {5}118 {3}byte offset 4096 {3}length 30/);
    expect(text).toContain(`sha256   ${'ab'.repeat(32)}`);
    expect(text).toMatch(/verify {3}CHANGED — now cd…/);
    expect(text).toMatch(/bytes {4}MATCH/);
    expect(text).toMatch(/✎ note {2}alice {2}2026-01-03 10:00:00 {2}first login/);
    expect(text).toContain('"note": "\\u001b]0;pwned\\u0007"');
    expect(text).toMatch(/command {3,}echo a\n {2,}rm -rf \//);
    expect(text).toMatch(/attack: phase access · T1110 · seed ip/);
  });

  it('scrolls within its height', () => {
    const lines = detailLines(d, { state: 'idle' }, null, 80);
    const { lastFrame } = render(<DetailView lines={lines} scroll={3} height={4} width={80} search={null} />);
    expect(lastFrame()!.split('\n')).toHaveLength(4);
    expect(lastFrame()).toMatch(/^raw/);
  });
});

describe('StatusLine, BottomLine, PivotMenu, HelpView', () => {
  it('shows filters, search, pivot depth, position and time', () => {
    const { lastFrame } = render(<StatusLine filters="host=web-01" search="deploy" position="row 41 of 1,234" time="2026-01-02 02:16:40 UTC" busy={null} depth={1} width={140} />);
    expect(lastFrame()).toMatch(/filter: host=web-01 · search "deploy" \(n\/N\) · Esc: back \(1\)\s+row 41 of 1,234 · 2026-01-02 02:16:40 UTC/);
  });

  it('shows a prompt with its text, escaped', () => {
    const { lastFrame } = render(<BottomLine prompt={{ kind: 'search', text: 'dep\x1b[2J' }} message={null} hints="keys" width={80} />);
    expect(lastFrame()).toContain('search: dep\\x1b[2J');
  });

  it('offers a default as a hint, not as typed text', () => {
    const { lastFrame } = render(<BottomLine prompt={{ kind: 'export', text: '', placeholder: 'dwell-export-x.csv' }} message={null} hints="keys" width={120} />);
    expect(lastFrame()).toMatch(/export view to \(\.csv or \.jsonl\):  dwell-export-x\.csv  \(Enter takes it · Tab edits it\)/);
    const typed = render(<BottomLine prompt={{ kind: 'export', text: 'a.csv', placeholder: 'dwell-export-x.csv' }} message={null} hints="keys" width={120} />);
    expect(typed.lastFrame()).toContain('a.csv');
    expect(typed.lastFrame()).not.toContain('dwell-export-x.csv');
  });

  it('lists pivot choices from the row, labels escaped', () => {
    const choices = pivotChoices(row(0, { srcIp: '203.0.113.77', actor: 'ev\x1bil', accessKey: 'AKIA123' }));
    const { lastFrame } = render(<PivotMenu choices={choices} width={100} />);
    expect(lastFrame()).toMatch(/1 ip\s+203\.0\.113\.77/);
    expect(lastFrame()).toMatch(/2 user\s+ev\\x1bil/);
    expect(lastFrame()).toMatch(/3 key\s+AKIA123/);
    expect(lastFrame()).toMatch(/4 session\s+sshd\[100\]@web-01/);
  });

  it('lists every key in the help', () => {
    const { lastFrame } = render(<HelpView width={160} />);
    for (const [k] of HELP) expect(lastFrame()).toContain(k);
  });

  it('splits text on case-insensitive matches', () => {
    expect(splitMatches('Deploy and deploy', 'DEPLOY')).toEqual([
      { text: 'Deploy', match: true },
      { text: ' and ', match: false },
      { text: 'deploy', match: true },
    ]);
  });
});
