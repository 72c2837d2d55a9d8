/**
 * Trust regressions for `dwell tui` (issue 18, items 7, 8 and 12): what the analyst types is what
 * the TUI uses, the default view leaves out events whose clock cannot be trusted, the attack
 * header never shows a false order, notes survive a second TUI, and opening an event's detail
 * neither changes the evidence file's access time nor hangs on a FIFO.
 */
import type { Key } from 'ink';
import { render } from 'ink-testing-library';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { caseSummary } from '../../src/tui/components/Header.js';
import { PhaseRibbon } from '../../src/tui/components/PhaseRibbon.js';
import { DuckDbSource } from '../../src/tui/data/duckdb-source.js';
import type { FindingsInfo } from '../../src/tui/data/types.js';
import { EMPTY_QUERY } from '../../src/tui/state/filters.js';
import { initialState, viewReducer, type ViewState } from '../../src/tui/state/view-reducer.js';
import { tempDir } from '../helpers/cli.js';
import { KEYS, waitForFrame } from '../tui/helpers/ink.js';
import { createSyntheticCase, manyEvents, type SynthEvent } from '../tui/helpers/synthetic-case.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const type = async (stdin: { write: (s: string) => void }, ...keys: string[]) => {
  for (const k of keys) {
    stdin.write(k);
    await pause(15);
  }
};

const K = (over: Partial<Key> = {}): Key =>
  ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, ...over }) as Key;

/** One read from the terminal, as Ink hands it to the App. */
const key = (s: ViewState, input: string, over: Partial<Key> = {}) => viewReducer(s, { type: 'key', input, key: K(over), detailHeight: 10, detailLength: 0, now: Date.UTC(2026, 0, 2, 2, 16, 40) });

describe('TUI prompts: what is typed is what is used', () => {
  const tmp = tempDir('dwell-hostile-tui-prompt-');
  const casePath = join(tmp.path, 'case.duckdb');
  beforeAll(async () => {
    await createSyntheticCase(casePath, manyEvents(12));
  });
  afterAll(() => tmp.cleanup());

  it('reads a burst of backspaces (several DEL bytes in one read) as backspaces, not as text', async () => {
    const source = await DuckDbSource.open(casePath);
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" />);
    try {
      await waitForFrame(lastFrame, (f) => /row 1 of 12/.test(f));
      await type(stdin, '/', ...'abcd');
      await waitForFrame(lastFrame, (f) => f.includes('search: abcd'));
      stdin.write('\x7f\x7f');
      const f = await waitForFrame(lastFrame, (x) => /search: ab(?!c)/.test(x) || x.includes('\\x7f'));
      expect(f).not.toContain('\\x7f');
      expect(f).toMatch(/search: ab(?!c)/);
      await type(stdin, KEYS.enter);
      await waitForFrame(lastFrame, (x) => /search "ab" \(n\/N\)|no matches for "ab"/.test(x));
    } finally {
      unmount();
      source.close();
    }
  });

  it('replaces the offered export file name with the one typed', async () => {
    const out = join(tmp.path, 'typed.csv');
    const source = await DuckDbSource.open(casePath);
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" />);
    try {
      await waitForFrame(lastFrame, (f) => /row 1 of 12/.test(f));
      await type(stdin, 'e');
      await waitForFrame(lastFrame, (f) => f.includes('dwell-export-'));
      await type(stdin, ...out, KEYS.enter);
      const f = await waitForFrame(lastFrame, (x) => /exported|export failed|not exported/.test(x));
      expect(f).toContain(`exported 12 events to ${out}`);
      expect(existsSync(out)).toBe(true);
      expect(readFileSync(out, 'utf8').split('\n')[0]).toContain('event_id');
    } finally {
      unmount();
      source.close();
    }
  });

  it('takes the offered export file name on Enter, and Tab puts it in the text to edit', () => {
    let s = key(initialState(10, false), 'e');
    expect(s.prompt).toEqual({ kind: 'export', text: '', placeholder: 'dwell-export-20260102T021640Z.csv' });
    const taken = key(s, '', { return: true });
    expect(taken.effects).toEqual([expect.objectContaining({ type: 'export', path: 'dwell-export-20260102T021640Z.csv', format: 'csv' })]);
    s = key(s, '', { tab: true });
    s = key(s, '\x7f\x7f\x7fjsonl');
    expect(s.prompt?.text).toBe('dwell-export-20260102T021640Z.jsonl');
    expect(key(s, '', { return: true }).effects).toEqual([expect.objectContaining({ path: 'dwell-export-20260102T021640Z.jsonl', format: 'jsonl' })]);
  });

  it('never puts a control character into any prompt, whatever arrives in one read', () => {
    const hostile = ['\x7f\x7f', 'a\bb', 'x\x01y\x02', '\x1b]0;t\x07', 'p\x9bq\x85', 'l1\r\n\r\nl2\tz', '\x00', 'ok\x15again', 'one two\x17'];
    for (const open of ['/', 'f', 't', 'e', 'c']) {
      let s: ViewState = { ...initialState(10, false), rows: [] };
      s = key(s, open);
      if (!s.prompt) continue;
      for (const h of hostile) {
        s = key(s, h);
        expect(s.prompt?.text ?? '').not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
      }
    }
    let s = key(initialState(10, false), '/');
    s = key(s, 'abc\x7f\x7fd');
    expect(s.prompt?.text).toBe('ad');
    s = key(s, 'l1\x0bl2\tz');
    expect(s.prompt?.text).toBe('adl1l2 z');
  });
});

for (const index of [false, true]) {
  describe(`TUI default view: events with untrusted times are left out (${index ? 'timeline index' : 'events table'})`, () => {
    const tmp = tempDir('dwell-hostile-tui-clock-');
    const casePath = join(tmp.path, 'case.duckdb');
    const events: SynthEvent[] = [
      ...manyEvents(20),
      // A Zeek capture whose clock counts from zero, and a parser that read a year 2099.
      ...Array.from({ length: 5 }, (_, i): SynthEvent => ({ ts: `1970-01-01 00:00:0${i}`, time_quality: 'relative', host: 'sensor', summary: `relative ${i}`, file: 3 })),
      { ts: '2099-01-01 00:00:00', time_quality: 'implausible', host: 'web-01', summary: 'from the future', file: 4 },
      // Relative, but its number happens to land among the real events: left out by id.
      { ts: '2026-01-02 00:00:05.5', time_quality: 'relative', host: 'sensor', summary: 'relative inside', file: 3 },
    ];
    beforeAll(async () => {
      await createSyntheticCase(casePath, events, { index });
    });
    afterAll(() => tmp.cleanup());

    it('opens on the first trusted event, counts and spans only those, and says how to show the rest', async () => {
      const source = await DuckDbSource.open(casePath);
      const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" />);
      try {
        let f = await waitForFrame(lastFrame, (x) => /row 1 of \d+/.test(x) && x.includes('TIME (UTC)'));
        expect(f).toMatch(/row 1 of 20\b/);
        expect(f).toContain('2026-01-02 00:00:00');
        expect(f).not.toMatch(/1970-01-01|2099-01-01|relative inside/);
        expect(caseSummary(source.info)).toMatch(/27 events · 4 files · auth_log · 2026-01-02 00:00 → 2026-01-02 00:00 UTC/);
        expect(f).toContain('7 relative/implausible times hidden (time=all)');
        expect(await source.range(EMPTY_QUERY)).toEqual({ fromUs: Date.UTC(2026, 0, 2) * 1000, toUs: Date.UTC(2026, 0, 2, 0, 0, 19) * 1000 });

        await type(stdin, 'f', ...'time=all', KEYS.enter);
        f = await waitForFrame(lastFrame, (x) => /filter: time=all/.test(x) && /of 27\b/.test(x));
        await type(stdin, 'g');
        f = await waitForFrame(lastFrame, (x) => /row 1 of 27\b/.test(x) && x.includes('1970-01-01 00:00:00'));
        expect(f).not.toContain('hidden (time=all)');

        await type(stdin, 'f', '\x15', ...'time=relative', KEYS.enter);
        f = await waitForFrame(lastFrame, (x) => /filter: time=relative/.test(x) && /of 6\b/.test(x));
        await type(stdin, 'F');
        await waitForFrame(lastFrame, (x) => /no filter · 7 relative\/implausible times hidden/.test(x) && /of 20\b/.test(x));
      } finally {
        unmount();
        source.close();
      }
    });

    it('pages, counts, searches and exports the same trusted events', async () => {
      const source = await DuckDbSource.open(casePath);
      try {
        expect(await source.count(EMPTY_QUERY)).toBe(20);
        const start = await source.page(EMPTY_QUERY, { kind: 'start' }, 50);
        expect(start.rows).toHaveLength(20);
        expect(start.rows.every((r) => r.text.host !== 'sensor')).toBe(true);
        const end = await source.page(EMPTY_QUERY, { kind: 'end' }, 3);
        expect(end.rows.map((r) => r.text.summary)).toEqual(['event number 17', 'event number 18', 'event number 19']);
        expect(await source.find(EMPTY_QUERY, 'relative', start.rows[0]!, 1, true)).toBeNull();
        const all = { attack: false, filters: [{ kind: 'clock' as const, qualities: null }] };
        expect(await source.count(all)).toBe(27);
        expect(await source.find(all, 'relative inside', start.rows[0]!, 1, true)).not.toBeNull();
        const out = join(tmp.path, `export-${index}.csv`);
        expect(await source.exportView(EMPTY_QUERY, out, 'csv')).toBe(20);
        expect(readFileSync(out, 'utf8')).not.toMatch(/1970-01-01|2099-01-01|relative inside/);
      } finally {
        source.close();
      }
    });
  });
}

describe('TUI default view when every event has an untrusted time', () => {
  const tmp = tempDir('dwell-hostile-tui-allrel-');
  const casePath = join(tmp.path, 'case.duckdb');
  beforeAll(async () => {
    await createSyntheticCase(casePath, Array.from({ length: 4 }, (_, i): SynthEvent => ({ ts: `1970-01-01 00:00:0${i}`, time_quality: 'relative', summary: `relative ${i}` })), { index: true });
  });
  afterAll(() => tmp.cleanup());

  it('shows an empty view that says why and how to see them', async () => {
    const source = await DuckDbSource.open(casePath);
    const { lastFrame, unmount } = render(<App source={source} author="alice" />);
    try {
      const f = await waitForFrame(lastFrame, (x) => x.includes('no events match the filters'));
      expect(f).toContain('4 relative/implausible times hidden (time=all)');
      expect(await source.range(EMPTY_QUERY)).toBeNull();
      expect(await source.count({ attack: false, filters: [{ kind: 'clock', qualities: null }] })).toBe(4);
    } finally {
      unmount();
      source.close();
    }
  });
});

describe('TUI attack header: phases never read as a false order', () => {
  const base: FindingsInfo = {
    findingsId: 1,
    generatedAt: '2026-03-28T00:00:00.000Z',
    attackEvents: 9,
    phases: [
      // Discovery (recon) that started after the initial access, as in the case that showed
      // `recon 03-27 14:04 ─▶ access 03-27 13:08`.
      { phase: 'recon', first: '2026-03-27T14:04:00.000Z', last: '2026-03-27T14:30:00.000Z', events: 4 },
      { phase: 'access', first: '2026-03-27T13:08:00.000Z', last: '2026-03-27T13:08:00.000Z', events: 1 },
      { phase: 'actions', first: '2026-03-27T13:20:00.000Z', last: '2026-03-27T15:00:00.000Z', events: 4 },
      { phase: 'exfiltration', first: null, last: null, events: 0 },
    ],
    answers: { firstReconAt: null, initialAccessAt: '2026-03-27T13:08:00Z', initialAccessVector: null, detectedAt: null, lastAttackerActivityAt: null, containedAt: null, dwellTimeSeconds: null, accessDurationSeconds: null },
  };

  /** The times on the ribbon's first line, left to right. */
  const times = (frame: string) => [...frame.split('\n')[0]!.matchAll(/(\d\d-\d\d \d\d:\d\d)/g)].map((m) => m[1]!);

  it('puts access before the recon that followed it', () => {
    const { lastFrame } = render(<PhaseRibbon findings={base} width={160} />);
    const f = lastFrame()!;
    expect(f).toMatch(/access 03-27 13:08 ─▶ actions 03-27 13:20 ─▶ recon 03-27 14:04 · not seen: exfiltration/);
    expect(f).not.toMatch(/recon 03-27 14:04 ─▶ access/);
  });

  it('draws every arrow from an earlier time to a later one, whatever the phases', () => {
    const stamps = ['2026-03-27T09:00:00.000Z', '2026-03-27T10:00:00.000Z', '2026-03-27T11:00:00.000Z', '2026-03-27T12:00:00.000Z', null];
    let n = 0;
    for (const r of stamps) for (const a of stamps) for (const x of stamps) for (const e of stamps) {
      const firsts = [r, a, x, e];
      const f: FindingsInfo = { ...base, answers: { ...base.answers, initialAccessAt: null }, phases: base.phases.map((p, i) => ({ ...p, first: firsts[i]!, events: firsts[i] ? 1 : 0 })) };
      const t = times(render(<PhaseRibbon findings={f} width={160} />).lastFrame()!);
      expect(t).toHaveLength(firsts.filter(Boolean).length);
      expect([...t].sort()).toEqual(t);
      n++;
    }
    expect(n).toBe(625);
  });
});
