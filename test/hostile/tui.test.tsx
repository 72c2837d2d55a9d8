/**
 * Trust regressions for `dwell tui` (issue 18, items 7, 8 and 12): what the analyst types is what
 * the TUI uses, the default view leaves out events whose clock cannot be trusted, the attack
 * header never shows a false order, notes survive a second TUI, and opening an event's detail
 * neither changes the evidence file's access time nor hangs on a FIFO.
 */
import type { Key } from 'ink';
import { render } from 'ink-testing-library';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { caseSummary } from '../../src/tui/components/Header.js';
import { PhaseRibbon } from '../../src/tui/components/PhaseRibbon.js';
import { DuckDbSource } from '../../src/tui/data/duckdb-source.js';
import { hashEvidence, readEvidenceRange } from '../../src/core/evidence-read.js';
import { appendPending, mergePending, pendingPath, type PendingAnnotation } from '../../src/tui/data/pending-annotations.js';
import { detailLines } from '../../src/tui/components/DetailView.js';
import type { FindingsInfo } from '../../src/tui/data/types.js';
import { EMPTY_QUERY } from '../../src/tui/state/filters.js';
import { initialState, viewReducer, type ViewState } from '../../src/tui/state/view-reducer.js';
import { CaseDb } from '../../src/store/case-db.js';
import { BIN, dwell, ROOT, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/case.js';
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

describe('TUI detail view: the evidence file is read without a trace and never hangs the TUI', () => {
  const tmp = tempDir('dwell-hostile-tui-evidence-');
  const lines = ['Jan  2 02:14:20 web-01 sshd[1]: Failed password for deploy from 203.0.113.77 port 1 ssh2', 'Jan  2 02:16:40 web-01 sshd[2]: Accepted password for deploy from 203.0.113.77 port 2 ssh2'];
  const evidence = join(tmp.path, 'auth.log');
  const fifo = join(tmp.path, 'fifo.log');
  const regularCase = join(tmp.path, 'regular.duckdb');
  const fifoCase = join(tmp.path, 'fifo.duckdb');
  const DAY = 86_400;
  beforeAll(async () => {
    writeFileSync(evidence, lines.join('\n') + '\n');
    const sha256 = createHash('sha256').update(readFileSync(evidence)).digest('hex');
    const events = lines.map((raw, i): SynthEvent => ({ ts: `2026-01-02 02:1${4 + 2 * i}:00`, raw, summary: `line ${i + 1}` }));
    await createSyntheticCase(regularCase, events, { files: { 1: { path: evidence, sha256 } } });
    execFileSync('mkfifo', [fifo]);
    await createSyntheticCase(fifoCase, events, { files: { 1: { path: fifo, sha256 } } });
  });
  afterAll(() => {
    // Whatever happened, nothing stays blocked on the pipe: a writer opening it releases a reader.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* no reader waiting */
    }
    tmp.cleanup();
  });

  it('re-hashes and compares the bytes without changing the file\'s access or modification time', async () => {
    // An access time days old: a plain read would move it (relatime updates one older than a day).
    const now = Math.floor(Date.now() / 1000);
    utimesSync(evidence, now - 3 * DAY, now - 4 * DAY);
    const before = statSync(evidence, { bigint: true });
    const source = await DuckDbSource.open(regularCase);
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" />);
    try {
      await waitForFrame(lastFrame, (f) => /row 1 of 2/.test(f));
      await type(stdin, KEYS.enter);
      await waitForFrame(lastFrame, (f) => /verify {3}OK/.test(f) && /bytes {4}MATCH/.test(f));
      await type(stdin, 'v');
      await waitForFrame(lastFrame, (f) => /verify {3}OK/.test(f));
      // The forced re-hash and the byte check once more, to their end, whatever the frame showed.
      const d = (await source.detail((await source.page(EMPTY_QUERY, { kind: 'start' }, 1)).rows[0]!.eventId))!;
      expect((await source.verify(d.evidence!, true)).state).toBe('OK');
      expect((await source.checkBytes(d)).state).toBe('match');
    } finally {
      unmount();
      source.close();
    }
    const after = statSync(evidence, { bigint: true });
    expect(after.atimeNs).toBe(before.atimeNs);
    expect(after.mtimeNs).toBe(before.mtimeNs);
  });

  it('puts the access time back where O_NOATIME is not allowed (not the owner, not root)', async () => {
    const sha256 = createHash('sha256').update(readFileSync(evidence)).digest('hex');
    const now = Math.floor(Date.now() / 1000);
    utimesSync(evidence, now - 3 * DAY, now - 4 * DAY);
    const before = statSync(evidence, { bigint: true });
    expect(await hashEvidence(evidence, { noatime: false })).toBe(sha256);
    expect((await readEvidenceRange(evidence, 5, 10, { noatime: false })).toString()).toBe(lines[0]!.slice(5, 15));
    const after = statSync(evidence, { bigint: true });
    expect(after.atimeNs).toBe(before.atimeNs);
    expect(after.mtimeNs).toBe(before.mtimeNs);
  });

  it('says "not a regular file" at once for a named pipe at the evidence path, and q still quits', async () => {
    const source = await DuckDbSource.open(fifoCase);
    let quit = false;
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" onQuit={() => (quit = true)} />);
    try {
      await waitForFrame(lastFrame, (f) => /row 1 of 2/.test(f));
      const t0 = Date.now();
      await type(stdin, KEYS.enter);
      const f = await waitForFrame(lastFrame, (x) => /verify {3}CHANGED — now a named pipe \(FIFO\), not a regular file/.test(x) && /bytes {4}not checked — .*not a regular file/.test(x), 3000);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(f).not.toContain('hashing the file');
      await type(stdin, 'q');
      await waitForFrame(lastFrame, (x) => x.includes('TIME (UTC)'));
      await type(stdin, 'q');
      for (let i = 0; i < 100 && !quit; i++) await pause(10);
      expect(quit).toBe(true);
    } finally {
      unmount();
      source.close();
    }
  });
});

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!HAS_TMUX)('dwell tui (built CLI, under tmux) with a named pipe where the evidence was', () => {
  const tmp = tempDir('dwell-hostile-tui-fifo-e2e-');
  const SOCKET = `dwell-hostile-tui-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', 'tui');
  const waitScreen = async (pred: (s: string) => boolean, what: string, timeoutMs = 15_000) => {
    const start = Date.now();
    for (;;) {
      const s = screen();
      if (pred(s)) return s;
      if (Date.now() - start > timeoutMs) throw new Error(`screen never showed ${what}; it shows:\n${s}`);
      await pause(50);
    }
  };
  const log = join(tmp.path, 'auth.log');
  const casePath = join(tmp.path, 'case.duckdb');

  beforeAll(async () => {
    writeFileSync(log, 'Jan  2 02:16:40 web-01 sshd[2]: Accepted password for deploy from 203.0.113.77 port 2 ssh2\n');
    const res = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, log]);
    expect(res.code, res.stderr).toBe(0);
    rmSync(log);
    execFileSync('mkfifo', [log]);
    tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '30', `env -u CI NO_COLOR=1 '${process.execPath}' '${BIN}' tui --case '${casePath}' --author e2e; echo DWELL-EXIT=$?; sleep 60`);
    tmux('set-option', '-t', 'tui', 'remain-on-exit', 'on');
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    try {
      closeSync(openSync(log, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* no reader waiting */
    }
    tmp.cleanup();
  });

  it('shows the detail with "not a regular file" and quits on q', async () => {
    await waitScreen((x) => /row 1 of 1\b/.test(x), 'the first page');
    tmux('send-keys', '-t', 'tui', 'Enter');
    await waitScreen((x) => /verify {3}CHANGED — now a named pipe \(FIFO\), not a regular file/.test(x), 'the detail saying the file is a pipe', 5000);
    tmux('send-keys', '-t', 'tui', 'q');
    await waitScreen((x) => x.includes('TIME (UTC)'), 'the list again');
    tmux('send-keys', '-t', 'tui', 'q');
    await waitScreen((x) => x.includes('DWELL-EXIT=0'), 'the shell after q', 5000);
  });
});

/** A second TUI in a process of its own (see helpers/tui-peer.mjs; needs `npm run build`). */
function startPeer(casePath: string) {
  const child = spawn(process.execPath, [join(ROOT, 'test/hostile/helpers/tui-peer.mjs'), join(ROOT, 'dist'), casePath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else answers.push(line);
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => {
    const take = (line: string) => resolve(JSON.parse(line) as Record<string, unknown>);
    const queued = answers.shift();
    if (queued !== undefined) take(queued);
    else waiters.push(take);
  });
  return {
    ready: next(),
    send(cmd: Record<string, unknown>) {
      child.stdin!.write(JSON.stringify(cmd) + '\n');
      return next();
    },
    kill: () => child.kill(),
  };
}

describe('TUI notes with two TUIs open on one case: none is lost, each shows its state', () => {
  const tmp = tempDir('dwell-hostile-tui-notes-');
  const casePath = join(tmp.path, 'case.duckdb');
  let ids: number[];
  beforeAll(async () => {
    ids = await createSyntheticCase(casePath, manyEvents(6));
  });
  afterAll(() => tmp.cleanup());

  it('keeps each note on disk while the other TUI holds the case, and saves them all once it is free', async () => {
    const peer = startPeer(casePath);
    const a = await DuckDbSource.open(casePath);
    try {
      expect(await peer.ready).toEqual({ ready: true });
      const r1 = await a.annotate(ids[0]!, 'note', 'from A', 'alice');
      expect([r1.state, r1.waiting]).toEqual(['pending', 1]);
      expect(r1.reason).toMatch(/in use by another dwell process \(PID \d+\)/);
      expect(await peer.send({ op: 'note', eventId: ids[1], text: 'from B', author: 'bob' })).toEqual({ state: 'pending', waiting: 1 });

      // On disk next to the case, shown as waiting (B's note too), not in the case yet.
      expect(readFileSync(pendingPath(casePath), 'utf8').trim().split('\n')).toHaveLength(2);
      expect((await a.detail(ids[1]!))!.annotations).toEqual([expect.objectContaining({ kind: 'note', text: 'from B', author: 'bob', pending: true, annotationId: null })]);
      expect(detailLines((await a.detail(ids[0]!))!, { state: 'idle' }, null, 200).map((l) => l.text).join('\n')).toMatch(/✎ note {2}alice {2}\S+ \S+ {2}⧗ waiting {2}from A/);
      // B shows A's note too, as waiting. (The case is not opened in this process while A holds
      // it: DuckDB's lock is a POSIX record lock, which any close of the file in the process drops.)
      expect(await peer.send({ op: 'detail', eventId: ids[0] })).toEqual({ annotations: [expect.objectContaining({ text: 'from A', author: 'alice', pending: true })] });

      // B quits while A holds the case: nothing can go in, nothing is lost, B says where they wait.
      const quit = await peer.send({ op: 'quit' });
      expect(quit.code).toBe(0);
      expect(quit.stderr).toMatch(/2 mark\(s\)\/note\(s\) \(1 of them yours\) are waiting in .*case\.duckdb\.annotations-pending\.jsonl: the case is in use by another dwell process/);

      // The case is free: A's next mark saves it and everything waiting.
      const r3 = await a.annotate(ids[2]!, 'mark', null, 'alice');
      expect([r3.state, r3.waiting]).toEqual(['saved', 0]);
      expect((await a.detail(ids[0]!))!.annotations).toEqual([expect.objectContaining({ text: 'from A', annotationId: expect.any(Number) })]);
      expect((await a.detail(ids[0]!))!.annotations[0]!.pending).toBeUndefined();
    } finally {
      a.close();
      peer.kill();
    }
    const rows = await query<{ event_id: number; kind: string; text: string | null; author: string }>(casePath, 'SELECT event_id, kind, text, author FROM annotations ORDER BY created_at');
    expect(rows).toEqual([
      { event_id: ids[0], kind: 'note', text: 'from A', author: 'alice' },
      { event_id: ids[1], kind: 'note', text: 'from B', author: 'bob' },
      { event_id: ids[2], kind: 'mark', text: null, author: 'alice' },
    ]);
    expect(readdirSync(tmp.path).filter((f) => f.includes('annotations-pending'))).toEqual([]);
  });

  it('tells the analyst in the TUI that the note is kept and waiting, and where', async () => {
    const peer = startPeer(casePath);
    const source = await DuckDbSource.open(casePath);
    const { lastFrame, stdin, unmount } = render(<App source={source} author="alice" />);
    try {
      await peer.ready;
      await waitForFrame(lastFrame, (f) => /row 1 of 6/.test(f));
      await type(stdin, 'j', 'c', ...'seen twice', KEYS.enter);
      const f = await waitForFrame(lastFrame, (x) => /note kept, not yet in the case/.test(x) || /not saved/.test(x));
      expect(f).toMatch(/note kept, not yet in the case: the case is in use by another dwell process \(PID \d+\)/);
      expect(f).toMatch(/✎ 1 waiting/);
      expect(f).toMatch(/✎ 2026-01-02 00:00:01/);
      await type(stdin, KEYS.enter);
      await waitForFrame(lastFrame, (x) => /✎ note {2}alice .*⧗ waiting {2}seen twice/.test(x));
    } finally {
      unmount();
      source.close();
      await peer.send({ op: 'quit' });
      peer.kill();
    }
    expect(await query(casePath, `SELECT text FROM annotations WHERE text = 'seen twice'`)).toEqual([{ text: 'seen twice' }]);
  });

  it('saves what the last TUI left waiting when the next one opens the case', async () => {
    const peer = startPeer(casePath);
    const a = await DuckDbSource.open(casePath);
    try {
      await peer.ready;
      expect((await a.annotate(ids[3]!, 'note', 'left waiting', 'alice')).state).toBe('pending');
    } finally {
      a.close();
    }
    const quit = await peer.send({ op: 'quit' });
    // The peer quits last: the case is free, it saves A's note.
    expect(quit).toEqual({ code: 0, stderr: 'note: 1 waiting mark(s)/note(s) saved to the case\n' });
    peer.kill();
    expect(await query(casePath, `SELECT text FROM annotations WHERE text = 'left waiting'`)).toEqual([{ text: 'left waiting' }]);
  });
});

describe('TUI notes side file: appends racing with merges', () => {
  const tmp = tempDir('dwell-hostile-tui-pending-');
  afterAll(() => tmp.cleanup());

  it('merges every appended annotation exactly once, whatever the interleaving', async () => {
    const casePath = join(tmp.path, 'race.duckdb');
    await createSyntheticCase(casePath, manyEvents(2));
    const db = await CaseDb.open(casePath);
    try {
      const t0 = Date.UTC(2026, 0, 2);
      const notes: PendingAnnotation[] = Array.from({ length: 300 }, (_, i) => ({ eventId: 1 + (i % 7), kind: 'note', text: `n${i}`, author: 'x', createdAt: new Date(t0 + i).toISOString() }));
      let done = false;
      // Six writers appending one after another with short pauses, while merges run back to back.
      const writers = Array.from({ length: 6 }, async (_, w) => {
        for (let i = w; i < notes.length; i += 6) {
          await appendPending(casePath, notes[i]!);
          await pause(Math.random() * 3);
        }
      });
      const appends = Promise.all(writers).finally(() => (done = true));
      let merges = 0;
      while (!done) {
        await mergePending(db, casePath);
        merges++;
      }
      await appends;
      // The same annotation twice (a re-append after a merge took the file) counts once.
      await appendPending(casePath, notes[0]!);
      const last = await mergePending(db, casePath);
      expect(last.already).toBeGreaterThanOrEqual(1);
      // How many merges ran beside the appends depends on the machine; the exact-once count must not.
      expect(merges).toBeGreaterThanOrEqual(1);
      const rows = await db.all<{ text: string; n: number }>(`SELECT text, count(*)::INTEGER AS n FROM annotations GROUP BY text`);
      expect(rows).toHaveLength(300);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect(readdirSync(tmp.path).filter((f) => f.startsWith('race.duckdb.annotations-pending'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('appends again when a merge took the side file between its open and its write', async () => {
    const casePath = join(tmp.path, 'taken.duckdb');
    await createSyntheticCase(casePath, manyEvents(2));
    const db = await CaseDb.open(casePath);
    try {
      await appendPending(casePath, { eventId: 1, kind: 'note', text: 'first', author: 'x', createdAt: '2026-01-02T00:00:00.000Z' });
      // The second append opens the side file; before it writes, a merge renames, reads and deletes it.
      await appendPending(casePath, { eventId: 2, kind: 'note', text: 'second', author: 'x', createdAt: '2026-01-02T00:00:01.000Z' }, { beforeWrite: async () => void (await mergePending(db, casePath)) });
      expect((await db.all<{ text: string }>('SELECT text FROM annotations ORDER BY text')).map((r) => r.text)).toEqual(['first']);
      expect(readFileSync(pendingPath(casePath), 'utf8')).toContain('"second"');
      expect((await mergePending(db, casePath)).merged).toBe(1);
      expect((await db.all<{ text: string }>('SELECT text FROM annotations ORDER BY text')).map((r) => r.text)).toEqual(['first', 'second']);
    } finally {
      db.close();
    }
  });

  it('keeps a file with a line it cannot read, and says so on every merge', async () => {
    const casePath = join(tmp.path, 'torn.duckdb');
    await createSyntheticCase(casePath, manyEvents(2));
    await appendPending(casePath, { eventId: 1, kind: 'mark', text: null, author: 'x', createdAt: '2026-01-02T00:00:00.000Z' });
    appendFileSync(pendingPath(casePath), '{"v":1,"eventId":2,"kind":"no');
    const db = await CaseDb.open(casePath);
    try {
      const r = await mergePending(db, casePath);
      expect([r.merged, r.unreadable, r.kept.length]).toEqual([1, 1, 1]);
      expect(readFileSync(r.kept[0]!, 'utf8')).toContain('"kind":"no');
      expect((await mergePending(db, casePath)).unreadable).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!HAS_TMUX)('two dwell tui (built CLI, under tmux) on one case: both notes saved', () => {
  const tmp = tempDir('dwell-hostile-tui-two-e2e-');
  const SOCKET = `dwell-hostile-tui2-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const screen = (s: string) => tmux('capture-pane', '-p', '-J', '-t', s);
  const waitScreen = async (s: string, pred: (x: string) => boolean, what: string, timeoutMs = 20_000) => {
    const start = Date.now();
    for (;;) {
      const x = screen(s);
      if (pred(x)) return x;
      if (Date.now() - start > timeoutMs) throw new Error(`${s} never showed ${what}; it shows:\n${x}`);
      await pause(50);
    }
  };
  const casePath = join(tmp.path, 'case.duckdb');

  beforeAll(async () => {
    const log = join(tmp.path, 'auth.log');
    writeFileSync(log, ['Jan  2 02:14:20 web-01 sshd[1]: Failed password for deploy from 203.0.113.77 port 1 ssh2', 'Jan  2 02:16:40 web-01 sshd[2]: Accepted password for deploy from 203.0.113.77 port 2 ssh2', ''].join('\n'));
    const res = await dwell(['ingest', '-q', '--year', '2026', '--case', casePath, log]);
    expect(res.code, res.stderr).toBe(0);
    for (const [name, author] of [['one', 'alice'], ['two', 'bob']]) {
      tmux('new-session', '-d', '-s', name!, '-x', '200', '-y', '30', `env -u CI NO_COLOR=1 '${process.execPath}' '${BIN}' tui --case '${casePath}' --author ${author}; echo DWELL-EXIT=$?; sleep 60`);
      tmux('set-option', '-t', name!, 'remain-on-exit', 'on');
    }
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    tmp.cleanup();
  });

  it('keeps each TUI\'s note waiting while the other is open, and the last to quit saves both', async () => {
    await waitScreen('one', (x) => /row 1 of 2\b/.test(x), 'the first page');
    await waitScreen('two', (x) => /row 1 of 2\b/.test(x), 'the first page');
    tmux('send-keys', '-t', 'one', 'c');
    tmux('send-keys', '-t', 'one', '-l', 'note of alice');
    tmux('send-keys', '-t', 'one', 'Enter');
    await waitScreen('one', (x) => /note kept, not yet in the case/.test(x) && /✎ 1 waiting/.test(x), 'the note waiting');
    tmux('send-keys', '-t', 'two', 'j', 'c');
    tmux('send-keys', '-t', 'two', '-l', 'note of bob');
    tmux('send-keys', '-t', 'two', 'Enter');
    await waitScreen('two', (x) => /note kept, not yet in the case/.test(x) && /✎ 1 waiting/.test(x), 'the note waiting');
    tmux('send-keys', '-t', 'one', 'q');
    let s = await waitScreen('one', (x) => x.includes('DWELL-EXIT='), 'the shell after q');
    expect(s).toMatch(/2 mark\(s\)\/note\(s\) \(1 of them yours\) are waiting in .*annotations-pending\.jsonl/);
    expect(s).toContain('DWELL-EXIT=0');
    tmux('send-keys', '-t', 'two', 'q');
    s = await waitScreen('two', (x) => x.includes('DWELL-EXIT='), 'the shell after q');
    expect(s).toContain('note: 2 waiting mark(s)/note(s) saved to the case');
    expect(s).toContain('DWELL-EXIT=0');
    const notes = await query<{ text: string; author: string }>(casePath, 'SELECT text, author FROM annotations ORDER BY created_at');
    expect(notes).toEqual([
      { text: 'note of alice', author: 'alice' },
      { text: 'note of bob', author: 'bob' },
    ]);
    expect(readdirSync(tmp.path).filter((f) => f.includes('annotations-pending'))).toEqual([]);
  });
});
