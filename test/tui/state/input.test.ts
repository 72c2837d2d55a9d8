import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { formatFilters, parseFilters } from '../../../src/tui/state/filters.js';
import { defaultExportName, keyToAction } from '../../../src/tui/state/keymap.js';
import { applyInput } from '../../../src/tui/state/prompt-edit.js';
import { formatDuration, formatTs, parseTimeInput } from '../../../src/tui/state/time-input.js';
import { initialState, viewReducer } from '../../../src/tui/state/view-reducer.js';

const REF = Date.UTC(2026, 0, 2, 2, 16, 40) * 1000;
const us = (iso: string) => Date.parse(iso) * 1000;

describe('times typed by the analyst', () => {
  it.each([
    ['-2h', REF - 7_200_000_000],
    ['+30m', REF + 1_800_000_000],
    ['-1d12h', REF - 129_600_000_000],
    ['02:00', us('2026-01-02T02:00:00Z')],
    ['23:59:59.5', us('2026-01-02T23:59:59.500Z')],
    ['2026-01-01', us('2026-01-01T00:00:00Z')],
    ['2026-01-01 10:20', us('2026-01-01T10:20:00Z')],
    ['2026-01-01T10:20:30.123456Z', us('2026-01-01T10:20:30.123Z') + 456],
    ['2026-01-01T12:20+02:00', us('2026-01-01T10:20:00Z')],
  ])('reads %s', (text, expected) => {
    expect(parseTimeInput(text, REF)).toEqual({ ok: true, us: expected });
  });

  it.each(['', 'soon', '2026-02-30', '25:00', '-2x'])('refuses %j with a hint', (text) => {
    expect(parseTimeInput(text, REF).ok).toBe(false);
  });

  it('formats times and durations', () => {
    expect(formatTs(REF + 5, 'full')).toBe('2026-01-02 02:16:40.000005');
    expect(formatTs(REF, 'iso')).toBe('2026-01-02T02:16:40Z');
    expect(parseTimeInput(formatTs(REF + 120, 'iso'), 0)).toEqual({ ok: true, us: REF + 120 });
    expect(formatDuration(38760)).toBe('10h 46m');
    expect(formatDuration(3 * 86400 + 7200)).toBe('3d 2h');
  });
});

describe('filter text', () => {
  it('parses fields, lists, negation, wildcards, quoted values and time ranges, and prints them back', () => {
    const p = parseFilters('host=web-01,db-01 actor!=root action=ssh_* user="john doe" from=-1h to=2026-01-02T03:00Z marked', REF);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.filters).toEqual([
      { kind: 'value', field: 'host', negate: false, values: ['web-01', 'db-01'] },
      { kind: 'value', field: 'actor', negate: true, values: ['root'] },
      { kind: 'value', field: 'action', negate: false, values: ['ssh_*'] },
      { kind: 'value', field: 'user', negate: false, values: ['john doe'] },
      { kind: 'marked' },
      { kind: 'time', fromUs: REF - 3_600_000_000, toUs: us('2026-01-02T03:00:00Z') },
    ]);
    const again = parseFilters(formatFilters(p.filters), 0);
    expect(again).toEqual(p);
  });

  it('reads time=all and time=<qualities>, and prints them back', () => {
    expect(parseFilters('time=all', REF)).toEqual({ ok: true, filters: [{ kind: 'clock', qualities: null }] });
    const p = parseFilters('host=x time=relative,implausible', REF);
    expect(p).toEqual({ ok: true, filters: [{ kind: 'value', field: 'host', negate: false, values: ['x'] }, { kind: 'clock', qualities: ['relative', 'implausible'] }] });
    if (p.ok) expect(formatFilters(p.filters)).toBe('host=x time=relative,implausible');
  });

  it.each([
    ['time=sometimes', /time "sometimes" is not all or one of exact/],
    ['time!=relative', /time takes = only/],
    ['colour=red', /unknown filter field "colour"/],
    ['phase=lateral', /phase "lateral" is not one of/],
    ['hostweb', /is not field=value/],
    ['from=2026-01-03 to=2026-01-02', /from is after to/],
  ])('explains what is wrong with %j', (text, msg) => {
    const p = parseFilters(text, REF);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatch(msg);
  });
});

const K = (over: Partial<Key> = {}): Key =>
  ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, ...over }) as Key;

describe('keys', () => {
  const s = initialState(10, true);

  it.each([
    ['j', K(), { type: 'move', delta: 1 }],
    ['', K({ upArrow: true }), { type: 'move', delta: -1 }],
    ['', K({ pageDown: true }), { type: 'page', dir: 1 }],
    ['d', K({ ctrl: true }), { type: 'page', dir: 1, fraction: 0.5 }],
    ['G', K({ shift: true }), { type: 'end' }],
    ['g', K(), { type: 'home' }],
    ['t', K(), { type: 'openPrompt', kind: 'jump' }],
    ['/', K(), { type: 'openPrompt', kind: 'search', text: '' }],
    ['n', K(), { type: 'findNext', dir: 1 }],
    ['N', K(), { type: 'findNext', dir: -1 }],
    ['a', K(), { type: 'toggleAttack' }],
    ['p', K(), { type: 'openPivot' }],
    ['', K({ escape: true }), { type: 'back' }],
    ['', K({ return: true }), { type: 'openDetail' }],
    ['m', K(), { type: 'mark' }],
    ['c', K(), { type: 'openPrompt', kind: 'note' }],
    ['?', K(), { type: 'help' }],
    ['q', K(), { type: 'quit' }],
  ])('timeline: %j', (input, key, action) => {
    expect(keyToAction(s, input, key)).toEqual(action);
  });

  it('offers a default export file name', () => {
    expect(keyToAction(s, 'e', K(), { now: new Date('2026-01-02T02:16:40.5Z') })).toEqual({ type: 'openPrompt', kind: 'export', text: '', placeholder: 'dwell-export-20260102T021640Z.csv' });
    expect(defaultExportName(new Date('2026-01-02T00:00:00Z'))).toBe('dwell-export-20260102T000000Z.csv');
  });

  it('edits the prompt: typing, backspace, Ctrl-U, Enter, Esc', () => {
    const p = viewReducer(s, { type: 'openPrompt', kind: 'search', text: 'dep' });
    expect(keyToAction(p, 'l', K())).toEqual({ type: 'promptInput', text: 'depl' });
    expect(keyToAction(p, 'q', K())).toEqual({ type: 'promptInput', text: 'depq' });
    expect(keyToAction(p, '', K({ delete: true }))).toEqual({ type: 'promptInput', text: 'de' });
    expect(keyToAction(p, 'u', K({ ctrl: true }))).toEqual({ type: 'promptInput', text: '' });
    expect(keyToAction(p, '', K({ return: true }))).toEqual({ type: 'promptSubmit' });
    expect(keyToAction(p, '', K({ escape: true }))).toEqual({ type: 'promptCancel' });
  });

  it('applies one read of input key by key: DEL and BS delete, Ctrl-U/Ctrl-W, line ends and tabs become spaces, other controls vanish', () => {
    expect(applyInput('abcd', '\x7f\x7f')).toBe('ab');
    expect(applyInput('ab', '\b\b\b\b')).toBe('');
    expect(applyInput('ab', 'c\x7fd')).toBe('abd');
    expect(applyInput('x', 'one two\x17')).toBe('xone ');
    expect(applyInput('x', 'a\x15b')).toBe('b');
    expect(applyInput('', 'l1\r\n\r\nl2\tz')).toBe('l1 l2 z');
    expect(applyInput('', '\x1b]0;t\x07\x9b31m\x00é')).toBe(']0;t31mé');
    expect(applyInput('日本', '\x7f')).toBe('日');
  });

  it('in the detail: n adds a note, v re-hashes, q goes back', () => {
    const d = { ...s, mode: 'detail' as const, detailId: 1 };
    expect(keyToAction(d, 'n', K())).toEqual({ type: 'openPrompt', kind: 'note' });
    expect(keyToAction(d, 'v', K())).toEqual({ type: 'verify' });
    expect(keyToAction(d, 'q', K())).toEqual({ type: 'closeView' });
    expect(keyToAction(d, '', K({ pageDown: true }), { height: 20 })).toEqual({ type: 'scrollDetail', delta: 20 });
  });

  it('in the pivot menu: digits pick, Esc cancels', () => {
    const m = { ...s, mode: 'pivot' as const };
    expect(keyToAction(m, '2', K())).toEqual({ type: 'pivot', index: 1 });
    expect(keyToAction(m, '', K({ return: true }))).toEqual({ type: 'pivot', index: 0 });
    expect(keyToAction(m, '', K({ escape: true }))).toEqual({ type: 'closeView' });
  });
});
