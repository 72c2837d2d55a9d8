/**
 * TUI benchmark: open time and key-to-frame latency on a generated case of N events (default 10M),
 * with and without the timeline index, side by side with lnav opening the auth-log part of the
 * same case (when lnav is installed).
 *
 *   npm run build && node bench/tui.mjs [--events 10000000] [--samples 40] [--reuse [--rebuild-index]] [--no-lnav] [--no-tmux]
 *
 * "Key to frame" = what the TUI does for the key: the data-layer call(s) it makes (keyset page,
 * rows around a time, the filtered or pivoted view around the selected event) plus rendering the
 * whole screen with Ink (renderToString of the same components, 160×50). Terminal write time is
 * not included. Open = DuckDbSource.open (read-only open, case summary, index check, findings) +
 * the first page; and, under tmux when present, process start → first frame of `dwell tui`.
 */
import './tui-env.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { Box, render, renderToString } from 'ink';
import { App } from '../dist/tui/components/App.js';
import { formatTs } from '../dist/tui/state/time-input.js';
import { CaseDb } from '../dist/store/case-db.js';
import { buildTimelineIndex } from '../dist/store/timeline-index.js';
import { DuckDbSource } from '../dist/tui/data/duckdb-source.js';
import { Header } from '../dist/tui/components/Header.js';
import { columnsFor, TimelineTable } from '../dist/tui/components/TimelineTable.js';
import { DensityBar } from '../dist/tui/components/DensityBar.js';
import { StatusLine } from '../dist/tui/components/StatusLine.js';
import { BottomLine, KEY_HINTS } from '../dist/tui/components/BottomLine.js';
import { generateCase } from './tui-gen.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('events', '10000000'));
const SAMPLES = Number(opt('samples', '40'));
const OUT = join(ROOT, 'bench', 'out');
const CASE = join(OUT, `tui-${N}.duckdb`);
const COLS = 160;
const ROWS = 50;
const PAGE = ROWS - 7;
/** As the view reducer asks: a reset fetches one screen with a third of it above the selected row. */
const ABOVE = Math.ceil(PAGE / 3);
const h = (c, p, ...k) => React.createElement(c, p, ...k);
const log = (...m) => console.error(...m);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const ms = (x) => `${x.toFixed(1)} ms`;

/** Seeded PRNG so both modes get the same positions. */
function rng(seed) {
  let x = seed >>> 0;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function renderScreen(source, rows, cursor) {
  const row = rows[cursor];
  return renderToString(
    h(
      Box,
      { flexDirection: 'column' },
      h(Header, { info: source.info, view: 'ALL EVENTS', width: COLS }),
      h(TimelineTable, { rows: rows.slice(0, PAGE), selected: cursor, width: COLS, height: PAGE, search: null, showPhase: true, empty: '' }),
      h(DensityBar, { density: null, cursorUs: row?.tsUs ?? null, zoom: 'view', width: COLS }),
      h(StatusLine, { filters: '', search: null, position: 'row … of many', time: null, busy: null, depth: 0, width: COLS }),
      h(BottomLine, { prompt: null, message: null, hints: KEY_HINTS, width: COLS }),
    ),
    { columns: COLS },
  );
}

async function timeIt(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function keyLatencies(source, label) {
  const r = rng(42);
  const info = source.info;
  const from = Date.parse(info.from) * 1000;
  const to = Date.parse(info.to) * 1000;
  const randTs = () => Math.floor(from + r() * (to - from));
  const all = { attack: false, filters: [] };
  const hosts = ['web-01', 'db-02', 'bastion-03', 'app-04', 'cache-05', 'web-06'];
  const actions = ['ssh_login', 'sudo', 'cron_command', 'ssh_connection'];
  const out = {};
  const data = {};
  const render = [];
  /** One key: the data call(s), then the frame. Records the total, and data and render apart. */
  const op = async (name, fetch, cursorOf) => {
    const t0 = performance.now();
    const page = await fetch();
    const t1 = performance.now();
    const c = cursorOf(page);
    renderScreen(source, page.rows.slice(Math.max(0, c - 10)), Math.min(c, 10));
    const t2 = performance.now();
    (out[name] ??= []).push(t2 - t0);
    (data[name] ??= []).push(t1 - t0);
    render.push(t2 - t1);
  };
  for (let i = 0; i < SAMPLES; i++) {
    // A screen somewhere in the case, as after a jump.
    const here = await source.around(all, { tsUs: randTs(), eventId: 0 }, ABOVE, PAGE);
    const rows = here.rows;
    const cur = rows[here.cursor];
    // Page down at the end of the buffer: the TUI fetches the next rows by keyset and redraws.
    await op('page down past the buffer (next rows by keyset)', () => source.page(all, { kind: 'after', key: rows[rows.length - 1] }, PAGE * 2, { ahead: true }), () => 0);
    await op('jump to time', () => source.around(all, { tsUs: randTs(), eventId: 0 }, ABOVE, PAGE), (p) => p.cursor ?? 0);
    const filter = {
      attack: false,
      filters: [
        { kind: 'value', field: 'host', negate: false, values: [hosts[i % hosts.length]] },
        { kind: 'value', field: 'action', negate: false, values: [actions[i % actions.length]] },
      ],
    };
    await op('apply a filter (host and action)', () => source.around(filter, cur, ABOVE, PAGE), (p) => p.cursor ?? 0);
    // Pivot on the selected event's address (half the samples) or user (the other half), across all sources.
    const pivotFilter =
      i % 2 === 0
        ? { kind: 'value', field: 'ip', negate: false, values: [cur.values.srcIp], exact: true }
        : { kind: 'value', field: 'user', negate: false, values: [cur.values.actor], exact: true };
    await op('pivot (address or user)', () => source.around({ attack: false, filters: [pivotFilter] }, cur, ABOVE, PAGE), (p) => p.cursor ?? 0);
    if (i < 5) (out['search next, no match (not a target)'] ??= []).push(await timeIt(() => source.find(all, 'no such text anywhere', cur, 1)));
  }
  out['render alone (Ink, 160×50 screen)'] = render;
  for (let i = 0; i < 5; i++) {
    (out['count (status line, background)'] ??= []).push(await timeIt(() => source.count(all)));
    (out['density bar (background)'] ??= []).push(
      await timeIt(async () => {
        const range = await source.range(all);
        await source.density(all, range.fromUs, range.toUs, COLS - 6);
      }),
    );
  }
  log(`${label}: done`);
  return { out, data };
}

/** A terminal for Ink in this process: 160×50, a TTY, frames kept as plain text. */
class FakeStdout extends EventEmitter {
  columns = COLS;
  rows = ROWS;
  isTTY = true;
  screen = '';
  raw = '';
  onFrame = null;
  write = (chunk) => {
    const raw = String(chunk);
    const text = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    if (text.includes('TIME (UTC)') || text.includes('dwell ·')) {
      this.screen = text;
      this.raw = raw;
      this.onFrame?.(text, raw);
    }
    return true;
  };
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  data = null;
  write = (d) => {
    this.data = d;
    this.emit('readable');
    this.emit('data', d);
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
}

/**
 * Key to frame on the real App (reducer, hooks, source, Ink with the TUI's own settings): time from
 * the key written to stdin to the first frame Ink writes that shows the key's result.
 */
async function liveKeyToFrame(source) {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const app = render(h(App, { source, author: 'bench' }), { stdout, stdin, stderr: new FakeStdout(), exitOnCtrlC: false, patchConsole: false, maxFps: 60 });
  const sleep = (t) => new Promise((r) => setTimeout(r, t));
  const until = (pred, timeout = 20_000) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      if (pred(stdout.screen, stdout.raw)) return resolve(0);
      const timer = setTimeout(() => reject(new Error(`no frame matched; last:\n${stdout.screen}`)), timeout);
      stdout.onFrame = (f, raw) => {
        if (pred(f, raw)) {
          clearTimeout(timer);
          stdout.onFrame = null;
          resolve(performance.now() - t0);
        }
      };
    });
  const press = async (keys, pred) => {
    const done = until(pred);
    const t0 = performance.now();
    stdin.write(keys);
    await done;
    return performance.now() - t0;
  };
  const selectedTime = (f) => /· (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\s*$/m.exec(f)?.[1] ?? null;
  const out = { 'j (next event)': [], 'PgDn (next page)': [], 'G (last event)': [], 't jump to time': [], 'f apply a filter': [], 'p pivot on the address': [] };
  const r = rng(7);
  const from = Date.parse(source.info.from) * 1000;
  const to = Date.parse(source.info.to) * 1000;
  try {
    await until((f) => selectedTime(f) !== null);
    await sleep(1500); // let the background count and density bar finish
    for (let i = 0; i < Math.min(SAMPLES, 20); i++) {
      const selBefore = selectedLine(stdout.raw);
      out['j (next event)'].push(await press('j', (f, raw) => selectedLine(raw) !== null && selectedLine(raw) !== selBefore));
      await sleep(50);
      const firstRow = rowsOf(stdout.screen)[0];
      out['PgDn (next page)'].push(await press('\x1b[6~', (f) => rowsOf(f).length > 0 && rowsOf(f)[0] !== firstRow));
      await sleep(150);
      // Jump: type the time, then time Enter → the frame with the selected event at that second or after.
      const target = Math.floor(from + r() * (to - from));
      const want = formatTs(target, 'list');
      await press('t', (f) => f.includes('jump to'));
      stdin.write(formatTs(target, 'iso'));
      await sleep(30);
      out['t jump to time'].push(await press('\r', (f) => (selectedTime(f) ?? '') >= want && !f.includes('jump to')));
      await sleep(150);
      // Filter on the selected event's host: every row on screen is that host.
      const cols = columnsFor(COLS, source.info.findings !== null);
      const at = cols.slice(0, cols.findIndex((c) => c.key === 'host')).reduce((n, c) => n + c.width, 0);
      const host = rowsOf(stdout.screen)[0].slice(at, at + 13).trim();
      await press('f', (f) => f.includes('filter'));
      out['f apply a filter'].push(await press(`host=${host}\r`, (f) => f.includes(`filter: host=${host}`) && rowsOf(f).length > 0 && rowsOf(f).every((l) => l.includes(` ${host} `))));
      await press('F', (f) => f.includes('no filter'));
      await sleep(150);
      // Pivot on the selected event's address: every row on screen involves it.
      await press('p', (f) => f.includes('Pivot: everything involving'));
      const ip = /1 ip\s+(\S+)/.exec(stdout.screen)?.[1];
      out['p pivot on the address'].push(await press('1', (f) => f.includes('[PIVOT]') && rowsOf(f).length > 0 && rowsOf(f).every((l) => l.includes(ip))));
      await press('\x1b', (f) => f.includes('[ALL EVENTS]'));
      await sleep(150);
      out['G (last event)'].push(await press('G', (f) => (selectedTime(f) ?? '') >= formatTs(to - 60_000_000, 'list')));
      await press('g', (f) => (selectedTime(f) ?? '9') <= formatTs(from + 60_000_000, 'list'));
      await sleep(150);
    }
  } finally {
    app.unmount();
  }
  return out;
}

/** The selected (inverse video) list row of a raw frame, as text. */
function selectedLine(raw) {
  const line = raw.split('\n').find((l) => l.includes('\x1b[7m') && /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(l));
  return line ? line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') : null;
}

/** List rows of a frame (lines that start with a timestamp after the mark column). */
function rowsOf(frame) {
  return frame.split('\n').filter((l) => /^.{2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(l));
}

async function openTimes(noIndex) {
  const xs = [];
  for (let i = 0; i < 7; i++) {
    let s;
    xs.push(
      await timeIt(async () => {
        s = await DuckDbSource.open(CASE, { noIndex });
        await s.page({ attack: false, filters: [] }, { kind: 'start' }, PAGE * 3);
      }),
    );
    s.close();
  }
  return stats(xs.slice(1)); // the first run pays the OS file cache
}

function hasTmux() {
  return spawnSync('tmux', ['-V']).status === 0;
}

/** Process start → first frame of the real `dwell tui` in tmux (node + Ink + DuckDB load included). */
function firstFrameTimes(extra = []) {
  const sock = `dwell-bench-${process.pid}`;
  const t = (...a) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const xs = [];
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    t('new-session', '-d', '-s', 'b', '-x', String(COLS), '-y', String(ROWS), `env -u CI '${process.execPath}' '${join(ROOT, 'bin', 'dwell.js')}' tui --case '${CASE}' ${extra.join(' ')}; sleep 30`);
    let took = null;
    while (performance.now() - start < 20_000) {
      const s = t('capture-pane', '-p', '-t', 'b');
      if (/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+/.test(s) && s.includes('TIME (UTC)')) {
        took = performance.now() - start;
        break;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    t('kill-server');
    if (took !== null && i > 0) xs.push(took);
  }
  return xs.length ? stats(xs) : null;
}

function lnavOpen(logFile) {
  if (spawnSync('lnav', ['-V']).status !== 0) return null;
  const version = execFileSync('lnav', ['-V'], { encoding: 'utf8' }).trim();
  const xs = [];
  for (let i = 0; i < 3; i++) {
    // Headless: lnav indexes the file, runs the command, exits — its open, without drawing.
    const t = performance.now();
    // lnav writes its config under $HOME, or in the working directory when $HOME does not exist.
    const home = join(ROOT, 'bench', 'out', 'lnav-home');
    mkdirSync(home, { recursive: true });
    const r = spawnSync('lnav', ['-n', '-q', '-c', ':goto 50%', logFile], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, HOME: home } });
    if (r.status !== 0) return { version, error: (r.stderr || r.stdout).split('\n')[0] };
    xs.push(performance.now() - t);
  }
  return { version, ...stats(xs) };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  let genMs = null;
  let indexMs = null;
  const generate = !args.includes('--reuse') || !existsSync(CASE);
  if (generate) {
    log(`generating ${N.toLocaleString('en-US')} events into ${CASE} …`);
    genMs = await timeIt(() => generateCase(CASE, N, { log }));
  }
  if (generate || args.includes('--rebuild-index')) {
    const db = await CaseDb.open(CASE);
    try {
      log('building the timeline index …');
      indexMs = (await buildTimelineIndex(db)).ms;
      await db.run('CHECKPOINT');
    } finally {
      db.close();
    }
  }
  const sizeMB = statSync(CASE).size / 1e6;

  const results = {};
  for (const [label, noIndex] of [['timeline index', false], ['no index (events table)', true]]) {
    const open = await openTimes(noIndex);
    const source = await DuckDbSource.open(CASE, { noIndex });
    try {
      const { out, data } = await keyLatencies(source, label);
      const live = await liveKeyToFrame(source);
      const st = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, stats(v)]));
      results[label] = { open, keys: st(out), data: st(data), live: st(live) };
    } finally {
      source.close();
    }
  }

  const firstFrame = hasTmux() && !args.includes('--no-tmux') ? firstFrameTimes() : null;

  let lnav = null;
  let lnavLines = 0;
  if (!args.includes('--no-lnav') && spawnSync('lnav', ['-V']).status === 0) {
    const logFile = join(OUT, `tui-${N}-auth.log`);
    if (!existsSync(logFile)) {
      const db = await CaseDb.open(CASE, { readOnly: true });
      try {
        await db.run(`COPY (SELECT raw FROM events WHERE source = 'auth_log' ORDER BY event_id) TO '${logFile}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t')`);
      } finally {
        db.close();
      }
    }
    lnavLines = Number(execFileSync('wc', ['-l', logFile], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
    log(`lnav on ${lnavLines.toLocaleString('en-US')} auth_log lines …`);
    lnav = { ...lnavOpen(logFile), sizeMB: statSync(logFile).size / 1e6 };
  }

  // Report.
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`## TUI (\`node bench/tui.mjs --events ${N}\`)\n`);
  console.log(`${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpu} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free) · load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (machine shared with other jobs) · Node ${process.version}\n`);
  console.log(`Case: ${N.toLocaleString('en-US')} generated events (40 files appended in turn, each in time order, overlapping in time: \`events\` is not time-sorted), ${sizeMB.toFixed(0)} MB with the index.`);
  if (genMs !== null) console.log(`Generated in ${(genMs / 1000).toFixed(1)} s.`);
  if (indexMs !== null) console.log(`\`buildTimelineIndex\` (sort of 13 list columns + 5 hashes into \`timeline\`) took ${(indexMs / 1000).toFixed(1)} s.`);
  console.log('\nMilliseconds; key to frame = data-layer calls + Ink render of the 160×50 screen; N samples at seeded random positions.\n');
  const labels = Object.keys(results);
  console.log(`| operation | ${labels.map((l) => `${l}: median / p95`).join(' | ')} |`);
  console.log(`|---|${labels.map(() => '---').join('|')}|`);
  console.log(`| open (read-only open + case summary + first page) | ${labels.map((l) => `${ms(results[l].open.median)} / ${ms(results[l].open.p95)}`).join(' | ')} |`);
  for (const op of Object.keys(results[labels[0]].keys)) {
    const cell = (l) => {
      const k = results[l].keys[op];
      const d = results[l].data[op];
      return `${ms(k.median)} / **${ms(k.p95)}**${d ? ` (data ${ms(d.median)} / ${ms(d.p95)})` : ''}`;
    };
    console.log(`| ${op} | ${labels.map(cell).join(' | ')} |`);
  }
  console.log('\nLive key to frame on the real App (reducer, hooks, DuckDB source, Ink at its 60 fps cap, 160×50): from the key written to stdin to the first frame showing its result.\n');
  console.log(`| key | ${labels.map((l) => `${l}: median / p95`).join(' | ')} |`);
  console.log(`|---|${labels.map(() => '---').join('|')}|`);
  for (const k of Object.keys(results[labels[0]].live)) {
    console.log(`| ${k} | ${labels.map((l) => `${ms(results[l].live[k].median)} / **${ms(results[l].live[k].p95)}** (n=${results[l].live[k].n})`).join(' | ')} |`);
  }
  console.log(`\nSamples: ${SAMPLES} per key operation and mode, 5 for search and background work; open: 6 (after one warm-up).`);
  if (firstFrame) console.log(`\n\`dwell tui\` process start → first frame under tmux (node, Ink, DuckDB loaded; index used): median ${ms(firstFrame.median)}, max ${ms(firstFrame.max)} (n=${firstFrame.n}).`);
  else console.log('\n(tmux absent: process start → first frame not measured)');
  if (lnav?.median) console.log(`\nlnav ${lnav.version.replace(/^lnav /, '')} on the auth_log part of the same case (${lnavLines.toLocaleString('en-US')} lines, ${lnav.sizeMB.toFixed(0)} MB), headless \`lnav -n -q -c ':goto 50%'\` (load and index the file, go to the middle, exit): median ${ms(lnav.median)}, max ${ms(lnav.max)} (n=${lnav.n}).`);
  else if (lnav?.error) console.log(`\nlnav failed: ${lnav.error}`);
  else console.log('\nlnav is not installed: no side-by-side figure.');
}

await main();
