import { describe, expect, it } from 'vitest';
import { bufferLimit, initialState, selectedRow, viewReducer, visibleRows, type Action, type ViewState } from '../../../src/tui/state/view-reducer.js';
import { row, rows, T0 } from '../helpers/rows.js';

const run = (s: ViewState, ...actions: Action[]) => actions.reduce(viewReducer, s);

/** Answers the pending fetch from a virtual table of `total` rows (keys 0..total-1). */
function serve(s: ViewState, total: number): ViewState {
  const f = s.fetch!;
  const a = f.anchor;
  const idx = (k: { eventId: number }) => k.eventId - 1000;
  switch (a.kind) {
    case 'start':
      return viewReducer(s, { type: 'fetched', id: f.id, result: { rows: rows(0, Math.min(total, f.limit)), atStart: true, atEnd: f.limit >= total } });
    case 'end':
      return viewReducer(s, { type: 'fetched', id: f.id, result: { rows: rows(Math.max(0, total - f.limit), total), atStart: f.limit >= total, atEnd: true } });
    case 'after': {
      const from = idx(a.key) + 1;
      return viewReducer(s, { type: 'fetched', id: f.id, result: { rows: rows(from, Math.min(total, from + f.limit)), atStart: false, atEnd: from + f.limit >= total } });
    }
    case 'before': {
      const to = idx(a.key);
      return viewReducer(s, { type: 'fetched', id: f.id, result: { rows: rows(Math.max(0, to - f.limit), to), atStart: to - f.limit <= 0, atEnd: false } });
    }
    case 'around': {
      const at = Math.min(total, Math.max(0, Math.ceil((a.key.tsUs - T0) / 1_000_000)));
      const lo = Math.max(0, at - f.before);
      const hi = Math.min(total, at + f.limit);
      return viewReducer(s, { type: 'fetched', id: f.id, result: { rows: rows(lo, hi), atStart: lo === 0, atEnd: hi === total, cursor: at - lo } });
    }
  }
}

/** Serves fetches until none is pending. */
function settleAll(s: ViewState, total: number): ViewState {
  for (let i = 0; i < 50 && s.fetch; i++) s = serve(s, total);
  return s;
}

describe('view reducer: paging a buffer, never the table', () => {
  it('asks for the first page on open and selects the first row', () => {
    let s = initialState(10, false);
    expect(s.fetch?.anchor).toEqual({ kind: 'start' });
    s = serve(s, 1000);
    expect(selectedRow(s)?.eventId).toBe(1000);
    expect(visibleRows(s)).toHaveLength(10);
  });

  it('drops an answer to a request that a newer one replaced', () => {
    let s = initialState(10, false);
    const stale = s.fetch!.id;
    s = viewReducer(s, { type: 'end' });
    s = viewReducer(s, { type: 'fetched', id: stale, result: { rows: rows(0, 5), atStart: true, atEnd: false } });
    expect(s.rows).toHaveLength(0);
    expect(s.fetch?.anchor.kind).toBe('end');
  });

  it('fetches ahead with keyset after the last row when the cursor nears the end of the buffer', () => {
    let s = serve(initialState(10, false), 1000);
    s = settleAll(s, 1000);
    const n = s.rows.length;
    s = run(s, ...Array.from({ length: n - 15 }, () => ({ type: 'move', delta: 1 }) as Action));
    expect(s.fetch?.anchor).toEqual({ kind: 'after', key: s.rows[s.rows.length - 1] });
  });

  it('keeps moving once the rows arrive when a key outruns the buffer', () => {
    let s = serve(initialState(10, false), 1000); // one screen, and a prefetch under way
    expect(s.rows).toHaveLength(10);
    expect(s.fetch?.anchor.kind).toBe('after');
    s = viewReducer(s, { type: 'move', delta: 45 });
    expect(s.pendingMove).toBe(36);
    s = settleAll(s, 1000);
    expect(selectedRow(s)?.eventId).toBe(1045);
    expect(s.cursor - s.top).toBeLessThan(10);
  });

  it('pages down keeping the cursor at the same screen line', () => {
    let s = settleAll(serve(initialState(10, false), 1000), 1000);
    s = run(s, { type: 'move', delta: 3 }, { type: 'page', dir: 1 });
    s = settleAll(s, 1000);
    expect(selectedRow(s)?.eventId).toBe(1013);
    expect(s.cursor - s.top).toBe(3);
    s = run(s, { type: 'page', dir: -1 });
    expect(selectedRow(s)?.eventId).toBe(1003);
  });

  it('holds a bounded buffer however far it pages, and pages back with keyset before the first row', () => {
    let s = serve(initialState(10, false), 100_000);
    for (let i = 0; i < 300; i++) s = settleAll(viewReducer(s, { type: 'page', dir: 1 }), 100_000);
    expect(selectedRow(s)?.eventId).toBe(1000 + 3000);
    expect(s.rows.length).toBeLessThanOrEqual(bufferLimit(10) + 30);
    expect(s.atStart).toBe(false);
    for (let i = 0; i < 290; i++) s = settleAll(viewReducer(s, { type: 'page', dir: -1 }), 100_000);
    expect(selectedRow(s)?.eventId).toBe(1000 + 100);
    s = settleAll(viewReducer(s, { type: 'home' }), 100_000);
    expect(selectedRow(s)?.eventId).toBe(1000);
  });

  it('goes to the last row with G and the first with g', () => {
    let s = serve(initialState(10, false), 500);
    s = serve(viewReducer(s, { type: 'end' }), 500);
    expect(selectedRow(s)?.eventId).toBe(1499);
    expect(visibleRows(s).at(-1)?.eventId).toBe(1499);
    s = serve(viewReducer(s, { type: 'home' }), 500);
    expect(selectedRow(s)?.eventId).toBe(1000);
  });

  it('keeps the cursor on screen when the terminal shrinks', () => {
    let s = serve(initialState(20, false), 500);
    s = run(s, { type: 'move', delta: 18 }, { type: 'resize', pageSize: 5 });
    expect(s.cursor).toBe(18);
    expect(s.cursor - s.top).toBeLessThan(5);
    expect(visibleRows(s)).toHaveLength(5);
  });
});

describe('view reducer: prompts', () => {
  const ready = () => serve(initialState(10, false), 1000);

  it('jumps to a relative time from the selected event', () => {
    let s = run(ready(), { type: 'move', delta: 5 }, { type: 'openPrompt', kind: 'jump' }, { type: 'promptInput', text: '+2m' }, { type: 'promptSubmit' });
    expect(s.prompt).toBeNull();
    expect(s.fetch?.anchor).toEqual({ kind: 'around', key: { tsUs: T0 + 125_000_000, eventId: 0 } });
    s = serve(s, 1000);
    expect(selectedRow(s)?.eventId).toBe(1125);
  });

  it('keeps the prompt open and says why when the time cannot be read', () => {
    const s = run(ready(), { type: 'openPrompt', kind: 'jump' }, { type: 'promptInput', text: 'yesterday-ish' }, { type: 'promptSubmit' });
    expect(s.prompt?.text).toBe('yesterday-ish');
    expect(s.message?.level).toBe('error');
  });

  it('applies filters from the prompt and stays near the selected event', () => {
    const s = run(ready(), { type: 'move', delta: 4 }, { type: 'openPrompt', kind: 'filter' }, { type: 'promptInput', text: 'host=web-01 ip=198.51.100.3' }, { type: 'promptSubmit' });
    expect(s.query.filters).toEqual([
      { kind: 'value', field: 'host', negate: false, values: ['web-01'] },
      { kind: 'value', field: 'ip', negate: false, values: ['198.51.100.3'] },
    ]);
    expect(s.fetch?.anchor).toMatchObject({ kind: 'around', key: { eventId: 1004 } });
    expect(run(s, { type: 'openPrompt', kind: 'filter' }).prompt?.text).toBe('host=web-01 ip=198.51.100.3');
  });

  it('searches from the selected row, then steps with n/N', () => {
    let s = run(ready(), { type: 'openPrompt', kind: 'search' }, { type: 'promptInput', text: 'event 7' }, { type: 'promptSubmit' });
    expect(s.search).toBe('event 7');
    expect(s.find).toMatchObject({ text: 'event 7', dir: 1, inclusive: true, from: { eventId: 1000 } });
    s = viewReducer(s, { type: 'found', id: s.find!.id, key: { tsUs: row(7).tsUs, eventId: 1007 } });
    expect(selectedRow(s)?.eventId).toBe(1007);
    s = viewReducer(s, { type: 'findNext', dir: 1 });
    expect(s.find).toMatchObject({ dir: 1, inclusive: false, from: { eventId: 1007 } });
    s = viewReducer(s, { type: 'found', id: s.find!.id, key: { tsUs: row(700).tsUs, eventId: 1700 } });
    expect(s.fetch?.anchor).toMatchObject({ kind: 'around', key: { eventId: 1700 } });
    s = viewReducer(s, { type: 'findNext', dir: -1 });
    s = viewReducer(s, { type: 'found', id: s.find!.id, key: null });
    expect(s.message?.text).toBe('no more matches for "event 7" above');
  });

  it('describes a mark and a note as effects for the hooks to write', () => {
    let s = run(ready(), { type: 'move', delta: 2 }, { type: 'mark' });
    expect(s.effects).toEqual([{ id: expect.any(Number), type: 'annotate', eventId: 1002, kind: 'mark', text: null }]);
    s = viewReducer(s, { type: 'effectDone', id: s.effects[0]!.id, message: { text: 'marked', level: 'info' }, annotated: { eventId: 1002, kind: 'mark' } });
    expect(s.effects).toEqual([]);
    expect(selectedRow(s)?.mark).toBe('mark');
    expect(viewReducer(s, { type: 'mark' }).effects).toEqual([]);
    s = run(s, { type: 'openPrompt', kind: 'note' }, { type: 'promptInput', text: 'attacker first login' }, { type: 'promptSubmit' });
    expect(s.effects[0]).toMatchObject({ type: 'annotate', eventId: 1002, kind: 'note', text: 'attacker first login' });
  });

  it('exports as JSON lines or CSV by the file name', () => {
    const a = run(ready(), { type: 'openPrompt', kind: 'export', text: 'out.jsonl' }, { type: 'promptSubmit' });
    expect(a.effects[0]).toMatchObject({ type: 'export', path: 'out.jsonl', format: 'jsonl' });
    const b = run(ready(), { type: 'openPrompt', kind: 'export', text: 'out.csv' }, { type: 'promptSubmit' });
    expect(b.effects[0]).toMatchObject({ type: 'export', format: 'csv' });
  });
});

describe('view reducer: attack view and pivots', () => {
  it('says there are no findings yet instead of showing an empty attack view', () => {
    const s = viewReducer(serve(initialState(10, false), 100), { type: 'toggleAttack' });
    expect(s.query.attack).toBe(false);
    expect(s.message?.text).toMatch(/no findings yet/);
  });

  it('enters the attack view at its first event and leaves it around the selected one', () => {
    let s = viewReducer(serve(initialState(10, true), 100), { type: 'toggleAttack' });
    expect(s.query.attack).toBe(true);
    expect(s.fetch?.anchor).toEqual({ kind: 'start' });
    s = run(serve(s, 100), { type: 'move', delta: 3 }, { type: 'toggleAttack' });
    expect(s.query.attack).toBe(false);
    expect(s.fetch?.anchor).toMatchObject({ kind: 'around', key: { eventId: 1003 } });
  });

  it('pivots on an address across all sources and comes back to the same row and screen line', () => {
    let s = run(serve(initialState(10, true), 1000), { type: 'move', delta: 6 }, { type: 'openPivot' });
    expect(s.mode).toBe('pivot');
    expect(s.pivot.map((p) => p.label.split(/\s+/).slice(0, 2).join(' '))).toEqual(['ip 198.51.100.1', 'user user0', 'session sshd[106]@web-01']);
    s = viewReducer(s, { type: 'pivot', index: 0 });
    expect(s.query).toEqual({ attack: false, filters: [{ kind: 'value', field: 'ip', negate: false, values: ['198.51.100.1'], exact: true }] });
    expect(s.stack).toHaveLength(1);
    s = viewReducer(serve(s, 1000), { type: 'back' });
    expect(s.query).toEqual({ attack: false, filters: [] });
    expect(s.fetch?.anchor).toEqual({ kind: 'around', key: { tsUs: row(6).tsUs, eventId: 1006 }, offset: 6 });
    s = serve(s, 1000);
    expect(selectedRow(s)?.eventId).toBe(1006);
    expect(s.cursor - s.top).toBe(6);
  });

  it('opens the detail of the selected row and closes it', () => {
    let s = run(serve(initialState(10, false), 100), { type: 'move', delta: 1 }, { type: 'openDetail' });
    expect(s).toMatchObject({ mode: 'detail', detailId: 1001 });
    s = viewReducer(s, { type: 'closeView' });
    expect(s.mode).toBe('timeline');
  });
});

describe('view reducer: keys', () => {
  const key = (input: string) => ({ type: 'key', input, key: { ctrl: false, meta: false } as never, detailHeight: 10, detailLength: 0, now: 0 }) as const;

  it('takes several characters read at once as one key each, so a prompt gets the rest', () => {
    let s = serve(initialState(10, false), 100);
    s = viewReducer(s, key('jjj'));
    expect(selectedRow(s)?.eventId).toBe(1003);
    s = viewReducer(s, key('/dep'));
    expect(s.prompt).toEqual({ kind: 'search', text: 'dep' });
  });
});

describe('view reducer: text and Enter in one read', () => {
  it('types, submits, then moves on', () => {
    let s = serve(initialState(10, false), 100);
    s = viewReducer(s, { type: 'key', input: '/evil\rj', key: { ctrl: false, meta: false } as never, detailHeight: 10, detailLength: 0, now: 0 });
    expect(s.search).toBe('evil');
    expect(s.prompt).toBeNull();
  });
});
